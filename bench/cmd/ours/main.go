// Command ours runs one benchmark scenario with this repository's client
// (github.com/imapclient-go/imapclient) and prints the result as JSON.
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/bench/internal/measure"
)

const peer = "ours"

func main() {
	f := measure.Parse()
	r, err := run(context.Background(), f)
	if err != nil {
		measure.Fatal(peer, f, err)
	}
	r.Print()
}

func run(ctx context.Context, f *measure.Flags) (*measure.Result, error) {
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
	c, err := imapclient.New(ctx, conn, &imapclient.Options{AllowInsecureAuth: true, Compress: f.Compress})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login(ctx, f.User, f.Pass); err != nil {
		return nil, err
	}

	var res *measure.Result
	switch f.Scenario {
	case "search":
		if _, err := c.SelectFolder(ctx, measure.Inbox, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		var n int64
		for range measure.SearchRepeat {
			sr, err := c.Search(ctx, "ALL", nil)
			if err != nil {
				return nil, err
			}
			n = int64(len(sr.IDs))
		}
		res = t.Stop(n, 0)

	case "metadata":
		if _, err := c.SelectFolder(ctx, measure.Inbox, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		var n, size int64
		for m, err := range c.FetchIter(ctx, imapclient.All, []string{measure.MetadataItems}) {
			if err != nil {
				return nil, err
			}
			if m.Envelope == nil || m.BodyStructure == nil || m.UID == 0 {
				return nil, fmt.Errorf("message %d: incomplete", m.SeqNum)
			}
			n++
			size += m.Size
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
		if _, err := c.SelectFolder(ctx, folder, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		var n, size int64
		for m, err := range c.FetchIter(ctx, imapclient.All, []string{"BODY.PEEK[]"}) {
			if err != nil {
				return nil, err
			}
			for sec, err := range m.BodySections() {
				if err != nil {
					return nil, err
				}
				k, err := io.Copy(dst, sec)
				if err != nil {
					return nil, err
				}
				size += k
			}
			n++
		}
		res = t.Stop(n, size)

	case "append":
		folder := measure.TempFolder("bench-append")
		if err := c.CreateFolder(ctx, folder); err != nil {
			return nil, err
		}
		defer c.DeleteFolder(ctx, folder)
		am := make([]imapclient.AppendMessage, len(msgs))
		var size int64
		for i, m := range msgs {
			am[i] = imapclient.AppendMessage{Msg: m}
			size += int64(len(m))
		}
		t := measure.Start(peer, f, conn)
		ar, err := c.MultiAppend(ctx, folder, am)
		if err != nil {
			return nil, err
		}
		res = t.Stop(int64(len(msgs)), size)
		if len(ar.UIDs) != len(msgs) {
			res.Note = fmt.Sprintf("APPENDUID named %d messages", len(ar.UIDs))
		}

	case "copy":
		dst := measure.TempFolder("bench-copy")
		if err := c.CreateFolder(ctx, dst); err != nil {
			return nil, err
		}
		defer c.DeleteFolder(ctx, dst)
		if _, err := c.SelectFolder(ctx, measure.BodiesFolder, true); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		cr, err := c.Copy(ctx, imapclient.All, dst)
		if err != nil {
			return nil, err
		}
		res = t.Stop(int64(len(cr.Map())), 0)

	case "move":
		src, dst := measure.TempFolder("bench-movesrc"), measure.TempFolder("bench-movedst")
		for _, name := range []string{src, dst} {
			if err := c.CreateFolder(ctx, name); err != nil {
				return nil, err
			}
		}
		defer c.DeleteFolder(ctx, dst)
		defer c.DeleteFolder(ctx, src)
		if _, err := c.SelectFolder(ctx, measure.BodiesFolder, true); err != nil {
			return nil, err
		}
		if _, err := c.Copy(ctx, imapclient.All, src); err != nil {
			return nil, err
		}
		if _, err := c.SelectFolder(ctx, src, false); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		cr, err := c.Move(ctx, imapclient.All, dst)
		if err != nil {
			return nil, err
		}
		res = t.Stop(int64(len(cr.Map())), 0)
		if err := c.UnselectFolder(ctx); err != nil {
			return nil, err
		}

	default:
		return nil, fmt.Errorf("unknown scenario %q", f.Scenario)
	}
	if f.Compress {
		st := c.CompressStats()
		res.Note = fmt.Sprintf("COMPRESS=DEFLATE on: %+v", st)
	}
	return res, nil
}
