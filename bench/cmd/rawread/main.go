// Command rawread is the floor of the benchmarks: it sends each
// scenario's commands as fixed bytes over a raw socket and reads the
// answer as bytes, looking only for the tagged completion line; it parses
// nothing. For writes it sends what the fastest client could: one
// MULTIAPPEND with LITERAL+ literals, one UID COPY, one UID MOVE.
//
// Scenario "record" writes the raw response bytes of a metadata FETCH of
// the first -n messages of INBOX to -out (the codec benchmark's input).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/imapclient-go/imapclient/bench/internal/measure"
)

const peer = "raw"

var recordN = flag.Int("n", 5000, "messages to record (scenario record)")

func main() {
	f := measure.Parse()
	r, err := run(f)
	if err != nil {
		measure.Fatal(peer, f, err)
	}
	if r != nil {
		r.Print()
	}
}

type session struct {
	conn *measure.Conn
	buf  []byte
	tag  int
	sink io.Writer // receives every byte read, when set
	in   int64     // bytes read by the last command
}

func quote(s string) string { return strconv.Quote(s) } // ASCII user names and passwords only

// cmd sends "tag text\r\n" (extra, if any, is written right after the
// line, for literals) and reads up to and including the tagged response.
func (s *session) cmd(text string, extra ...[]byte) error {
	s.tag++
	tag := fmt.Sprintf("R%d", s.tag)
	w := bufio.NewWriterSize(s.conn, 256<<10)
	w.WriteString(tag + " " + text + "\r\n")
	for _, e := range extra {
		w.Write(e)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return s.readUntil(tag)
}

// readUntil reads until a line starting with "tag " has been read whole.
func (s *session) readUntil(tag string) error {
	marker := []byte("\r\n" + tag + " ")
	// carry holds the last bytes of the previous read, starting with the
	// CRLF that ended the previous response.
	carry := []byte("\r\n")
	s.in = 0
	found := false
	var status []byte // the tagged line after the tag
	for {
		n, err := s.conn.Read(s.buf)
		if n > 0 {
			chunk := s.buf[:n]
			s.in += int64(n)
			if s.sink != nil {
				if _, err := s.sink.Write(chunk); err != nil {
					return err
				}
			}
			if !found {
				joined := chunk
				if len(carry) > 0 {
					head := chunk[:min(len(chunk), len(marker))]
					probe := append(append([]byte{}, carry...), head...)
					if i := bytes.Index(probe, marker); i >= 0 {
						found = true
						chunk = chunk[max(0, i+len(marker)-len(carry)):]
					}
				}
				if !found {
					if i := bytes.Index(joined, marker); i >= 0 {
						found = true
						chunk = joined[i+len(marker):]
					}
				}
				if !found {
					k := min(len(joined), len(marker)-1)
					carry = append(carry[:0], joined[len(joined)-k:]...)
				}
			}
			if found {
				if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
					status = append(status, chunk[:i]...)
					if !bytes.HasPrefix(status, []byte("OK")) {
						return fmt.Errorf("%s %s", tag, bytes.TrimSpace(status))
					}
					return nil
				}
				status = append(status, chunk...)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
}

func run(f *measure.Flags) (*measure.Result, error) {
	if f.Compress {
		return nil, fmt.Errorf("rawread does not do COMPRESS")
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
	defer conn.Close()
	s := &session{conn: conn, buf: make([]byte, 256<<10)}
	// The greeting is one line.
	if err := readLine(conn); err != nil {
		return nil, err
	}
	if err := s.cmd("LOGIN " + quote(f.User) + " " + quote(f.Pass)); err != nil {
		return nil, err
	}

	var res *measure.Result
	timed := func(messages int64, text string, extra ...[]byte) error {
		t := measure.Start(peer, f, conn)
		if err := s.cmd(text, extra...); err != nil {
			return err
		}
		res = t.Stop(messages, s.in)
		return nil
	}
	switch f.Scenario {
	case "search":
		if err := s.cmd("EXAMINE INBOX"); err != nil {
			return nil, err
		}
		t := measure.Start(peer, f, conn)
		var in int64
		for range measure.SearchRepeat {
			if err := s.cmd("UID SEARCH ALL"); err != nil {
				return nil, err
			}
			in += s.in
		}
		res = t.Stop(0, in)
	case "metadata":
		if err := s.cmd("EXAMINE INBOX"); err != nil {
			return nil, err
		}
		err = timed(0, "UID FETCH 1:* ("+measure.MetadataItems+")")
	case "record":
		if err := s.cmd("EXAMINE INBOX"); err != nil {
			return nil, err
		}
		out, err := os.Create(f.Out)
		if err != nil {
			return nil, err
		}
		defer out.Close()
		s.sink = out
		// Sequence numbers: the recording is parsed as FETCH 1:N.
		if err := s.cmd(fmt.Sprintf("FETCH 1:%d (%s)", *recordN, measure.MetadataItems)); err != nil {
			return nil, err
		}
		return nil, out.Close()
	case "bodies":
		if err := s.cmd("EXAMINE " + measure.BodiesFolder); err != nil {
			return nil, err
		}
		err = timed(0, "UID FETCH 1:* BODY.PEEK[]")
	case "stream":
		if err := s.cmd("EXAMINE " + measure.BigFolder); err != nil {
			return nil, err
		}
		fh, cleanup, err := measure.OutFile(f)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		s.sink = fh
		err = timed(1, "UID FETCH 1:* BODY.PEEK[]")
	case "append":
		folder := measure.TempFolder("bench-append")
		if err := s.cmd("CREATE " + folder); err != nil {
			return nil, err
		}
		defer s.cmd("DELETE " + folder)
		// One MULTIAPPEND, every literal non-synchronising (LITERAL+).
		var parts [][]byte
		first := true
		var size int64
		for i, m := range msgs {
			size += int64(len(m))
			marker := fmt.Sprintf(" {%d+}\r\n", len(m))
			if !first {
				parts = append(parts, []byte(marker[:]))
			}
			first = false
			parts = append(parts, m)
			if i == len(msgs)-1 {
				parts = append(parts, []byte("\r\n"))
			}
		}
		t := measure.Start(peer, f, conn)
		w := bufio.NewWriterSize(conn, 256<<10)
		s.tag++
		tag := fmt.Sprintf("R%d", s.tag)
		fmt.Fprintf(w, "%s APPEND %s {%d+}\r\n", tag, folder, len(msgs[0]))
		for _, p := range parts {
			w.Write(p)
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		if err := s.readUntil(tag); err != nil {
			return nil, err
		}
		res = t.Stop(int64(len(msgs)), size)
	case "copy":
		dst := measure.TempFolder("bench-copy")
		if err := s.cmd("CREATE " + dst); err != nil {
			return nil, err
		}
		defer s.cmd("DELETE " + dst)
		if err := s.cmd("EXAMINE " + measure.BodiesFolder); err != nil {
			return nil, err
		}
		err = timed(0, "UID COPY 1:* "+dst)
	case "move":
		src, dst := measure.TempFolder("bench-movesrc"), measure.TempFolder("bench-movedst")
		for _, c := range []string{"CREATE " + src, "CREATE " + dst, "EXAMINE " + measure.BodiesFolder, "UID COPY 1:* " + src, "SELECT " + src} {
			if err := s.cmd(c); err != nil {
				return nil, err
			}
		}
		defer s.cmd("DELETE " + dst)
		defer s.cmd("DELETE " + src)
		err = timed(0, "UID MOVE 1:* "+dst)
		if err == nil {
			err = s.cmd("UNSELECT")
		}
	default:
		return nil, fmt.Errorf("unknown scenario %q", f.Scenario)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// readLine reads one line byte by byte (the greeting only).
func readLine(r io.Reader) error {
	b := make([]byte, 1)
	for {
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
		if b[0] == '\n' {
			return nil
		}
	}
}
