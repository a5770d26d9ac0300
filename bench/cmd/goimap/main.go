// Command goimap runs one benchmark scenario with the peer go-imap v2
// (github.com/emersion/go-imap/v2/imapclient) and prints the result as
// JSON. It uses the library as its documentation suggests: FETCH
// responses one message at a time with Next/Collect (metadata) or the
// literal readers (bodies); one APPEND command per message (go-imap has
// no MULTIAPPEND, and it waits for the server's continuation request
// before each literal over 4 KiB, so APPENDs cannot be pipelined); one
// UID COPY and one UID MOVE command. go-imap v2 has no COMPRESS.
package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/imapclient-go/imapclient/bench/internal/measure"
)

const peer = "go-imap"

func main() {
	f := measure.Parse()
	r, err := run(f)
	if err != nil {
		measure.Fatal(peer, f, err)
	}
	r.Print()
}

var all = imap.UIDSet{{Start: 1, Stop: 0}} // 1:*

func run(f *measure.Flags) (*measure.Result, error) {
	if f.Compress {
		return nil, fmt.Errorf("go-imap v2 does not support COMPRESS")
	}
	var msgs [][]byte
	if f.Scenario == "append" {
		var err error
		if msgs, err = measure.LoadAppendDir(f.AppendDir); err != nil {
			return nil, err
		}
	}
	conn, err := measure.Dial(f.Addr)
	if err != nil {
		return nil, err
	}
	c := imapclient.New(conn, nil)
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return nil, err
	}
	if err := c.Login(f.User, f.Pass).Wait(); err != nil {
		return nil, err
	}
	sel := func(name string, ro bool) error {
		_, err := c.Select(name, &imap.SelectOptions{ReadOnly: ro}).Wait()
		return err
	}

	var res *measure.Result
	switch f.Scenario {
	case "search":
		if err := sel(measure.Inbox, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		var n int64
		for range measure.SearchRepeat {
			sd, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
			if err != nil {
				return nil, err
			}
			n = int64(len(sd.AllUIDs()))
		}
		res = t.Stop(n, 0)

	case "metadata":
		if err := sel(measure.Inbox, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		cmd := c.Fetch(all, &imap.FetchOptions{
			UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true,
			BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		})
		var n, size int64
		for {
			m := cmd.Next()
			if m == nil {
				break
			}
			buf, err := m.Collect()
			if err != nil {
				return nil, err
			}
			if buf.Envelope == nil || buf.BodyStructure == nil || buf.UID == 0 {
				return nil, fmt.Errorf("message %d: incomplete", buf.SeqNum)
			}
			n++
			size += buf.RFC822Size
		}
		if err := cmd.Close(); err != nil {
			return nil, err
		}
		res = t.Stop(n, size)

	case "bodies", "stream":
		folder := measure.BodiesFolder
		var dst io.Writer = io.Discard
		if f.Scenario == "stream" {
			folder = measure.BigFolder
			fh, cleanup, err := measure.OutFile(f)
			if err != nil {
				return nil, err
			}
			defer cleanup()
			dst = fh
		}
		if err := sel(folder, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		cmd := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		var n, size int64
		for {
			m := cmd.Next()
			if m == nil {
				break
			}
			for {
				item := m.Next()
				if item == nil {
					break
				}
				if bs, ok := item.(imapclient.FetchItemDataBodySection); ok && bs.Literal != nil {
					k, err := io.Copy(dst, bs.Literal)
					if err != nil {
						return nil, err
					}
					size += k
				}
			}
			n++
		}
		if err := cmd.Close(); err != nil {
			return nil, err
		}
		res = t.Stop(n, size)

	case "append":
		folder := measure.TempFolder("bench-append")
		if err := c.Create(folder, nil).Wait(); err != nil {
			return nil, err
		}
		defer func() { c.Delete(folder).Wait() }()
		var size int64
		t := measure.Start(peer, f, conn)
		for _, m := range msgs {
			cmd := c.Append(folder, int64(len(m)), nil)
			if _, err := io.Copy(cmd, bytes.NewReader(m)); err != nil {
				return nil, err
			}
			if err := cmd.Close(); err != nil {
				return nil, err
			}
			if _, err := cmd.Wait(); err != nil {
				return nil, err
			}
			size += int64(len(m))
		}
		res = t.Stop(int64(len(msgs)), size)

	case "copy":
		dst := measure.TempFolder("bench-copy")
		if err := c.Create(dst, nil).Wait(); err != nil {
			return nil, err
		}
		defer func() { c.Delete(dst).Wait() }()
		if err := sel(measure.BodiesFolder, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		cd, err := c.Copy(all, dst).Wait()
		if err != nil {
			return nil, err
		}
		res = t.Stop(countUIDs(cd.DestUIDs), 0)

	case "move":
		src, dst := measure.TempFolder("bench-movesrc"), measure.TempFolder("bench-movedst")
		for _, name := range []string{src, dst} {
			if err := c.Create(name, nil).Wait(); err != nil {
				return nil, err
			}
		}
		defer func() { c.Delete(dst).Wait() }()
		defer func() { c.Delete(src).Wait() }()
		if err := sel(measure.BodiesFolder, true); err != nil {
			return nil, err
		}
		if _, err := c.Copy(all, src).Wait(); err != nil {
			return nil, err
		}
		if err := sel(src, false); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		md, err := c.Move(all, dst).Wait()
		if err != nil {
			return nil, err
		}
		var moved int64
		if us, ok := md.DestUIDs.(imap.UIDSet); ok {
			moved = countUIDs(us)
		}
		res = t.Stop(moved, 0)
		if err := c.Unselect().Wait(); err != nil {
			return nil, err
		}

	default:
		return nil, fmt.Errorf("unknown scenario %q", f.Scenario)
	}
	return res, nil
}

func countUIDs(s imap.UIDSet) int64 {
	var n int64
	for _, r := range s {
		n += int64(r.Stop-r.Start) + 1
	}
	return n
}
