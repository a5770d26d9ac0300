package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
)

// maildir writes messages into a maildir (cur, new, tmp), one file each,
// named "<date>.V<uidvalidity>U<uid>.imapsh:2,<flags>": written in tmp,
// then renamed into cur with the flags as maildir info letters.
type maildir struct {
	dir      string
	validity uint32
	existing map[uint32]string // files of UIDs past the state's last UID
	tmp      string
}

func openMaildir(dir string, validity, lastUID uint32) (*maildir, error) {
	m := &maildir{dir: dir, validity: validity, existing: map[uint32]string{}}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	// A previous run may have saved messages past the last UID it
	// recorded, and left files in tmp: replace the former, drop the latter.
	for _, sub := range []string{"cur", "new", "tmp"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			v, uid, ok := parseMaildirName(e.Name())
			if !ok || v != validity {
				continue
			}
			p := filepath.Join(dir, sub, e.Name())
			if sub == "tmp" {
				os.Remove(p)
			} else if uid > lastUID {
				m.existing[uid] = p
			}
		}
	}
	return m, nil
}

// parseMaildirName reads the UIDVALIDITY and UID from a file name that
// imapsh wrote.
func parseMaildirName(name string) (validity, uid uint32, ok bool) {
	parts := strings.SplitN(name, ".", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "imapsh") || !strings.HasPrefix(parts[1], "V") {
		return 0, 0, false
	}
	v, u, found := strings.Cut(parts[1][1:], "U")
	if !found {
		return 0, 0, false
	}
	vn, err1 := strconv.ParseUint(v, 10, 32)
	un, err2 := strconv.ParseUint(u, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uint32(vn), uint32(un), true
}

func (m *maildir) base(uid uint32, date time.Time) string {
	var t int64
	if !date.IsZero() {
		t = date.Unix()
	}
	return fmt.Sprintf("%d.V%dU%d.imapsh", t, m.validity, uid)
}

func (m *maildir) write(uid uint32, flags []string, date time.Time, body io.Reader) (int64, error) {
	m.tmp = filepath.Join(m.dir, "tmp", m.base(uid, date))
	f, err := os.OpenFile(m.tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(m.tmp)
		return n, err
	}
	return n, nil
}

func (m *maildir) commit(uid uint32, flags []string, date time.Time) error {
	if old, ok := m.existing[uid]; ok {
		os.Remove(old)
		delete(m.existing, uid)
	}
	dst := filepath.Join(m.dir, "cur", m.base(uid, date)+":2,"+maildirInfo(flags))
	if err := os.Rename(m.tmp, dst); err != nil {
		return err
	}
	if !date.IsZero() {
		os.Chtimes(dst, date, date)
	}
	return nil
}

// maildirInfo returns the maildir flag letters, in ASCII order.
func maildirInfo(flags []string) string {
	var info []byte
	for _, f := range flags {
		switch {
		case strings.EqualFold(f, imap.FlagDraft):
			info = append(info, 'D')
		case strings.EqualFold(f, imap.FlagFlagged):
			info = append(info, 'F')
		case strings.EqualFold(f, "$Forwarded"):
			info = append(info, 'P')
		case strings.EqualFold(f, imap.FlagAnswered):
			info = append(info, 'R')
		case strings.EqualFold(f, imap.FlagSeen):
			info = append(info, 'S')
		case strings.EqualFold(f, imap.FlagDeleted):
			info = append(info, 'T')
		}
	}
	slices.Sort(info)
	return string(slices.Compact(info))
}

func (m *maildir) checkpoint() (int64, error) { return 0, nil }
func (m *maildir) close() error               { return nil }
func (m *maildir) path() string               { return m.dir }

// mbox appends messages to an mbox file in the mboxrd form: a "From "
// line, the message with LF line endings and ">" added to lines that
// start with ">*From ", Status and X-Status headers for the flags, and a
// blank line.
type mbox struct {
	p      string
	f      *os.File
	w      *bufio.Writer
	offset int64
	closed bool
}

func openMbox(p string, size int64) (*mbox, error) {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	// Drop whatever a previous run wrote after its last checkpoint.
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &mbox{p: p, f: f, w: bufio.NewWriterSize(f, 64<<10), offset: size}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (m *mbox) write(uid uint32, flags []string, date time.Time, body io.Reader) (int64, error) {
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	cw := &countWriter{w: m.w}
	fmt.Fprintf(cw, "From imapsh %s\n", date.UTC().Format("Mon Jan _2 15:04:05 2006"))
	n, err := writeMboxrd(cw, body, statusHeaders(flags))
	m.offset += cw.n
	return n, err
}

// statusHeaders returns the Status and X-Status headers mail readers
// take the flags from.
func statusHeaders(flags []string) string {
	st, xst := "O", ""
	for _, f := range flags {
		switch {
		case strings.EqualFold(f, imap.FlagSeen):
			st = "RO"
		case strings.EqualFold(f, imap.FlagAnswered):
			xst += "A"
		case strings.EqualFold(f, imap.FlagFlagged):
			xst += "F"
		case strings.EqualFold(f, imap.FlagDraft):
			xst += "T"
		case strings.EqualFold(f, imap.FlagDeleted):
			xst += "D"
		}
	}
	h := "Status: " + st + "\n"
	if xst != "" {
		h += "X-Status: " + xst + "\n"
	}
	return h
}

// writeMboxrd copies a message from r to w in mboxrd form and returns the
// number of bytes read.
func writeMboxrd(w io.Writer, r io.Reader, headers string) (int64, error) {
	cr := &countReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	atStart, inHeader, pendingCR := true, true, false
	var werr error
	put := func(b []byte) {
		if werr == nil {
			_, werr = w.Write(b)
		}
	}
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			complete := chunk[len(chunk)-1] == '\n'
			if pendingCR && !(len(chunk) == 1 && complete) {
				put([]byte{'\r'}) // a CR that did not end a line
			}
			pendingCR = false
			content := chunk
			if complete {
				content = bytes.TrimSuffix(bytes.TrimSuffix(content, []byte("\n")), []byte("\r"))
			} else if content[len(content)-1] == '\r' {
				content, pendingCR = content[:len(content)-1], true
			}
			if atStart {
				if inHeader && complete && len(content) == 0 {
					put([]byte(headers))
					inHeader = false
				}
				if isFromLine(content) {
					put([]byte{'>'})
				}
			}
			put(content)
			if complete {
				put([]byte{'\n'})
			}
			atStart = complete
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return cr.n, err
		}
	}
	if pendingCR {
		put([]byte{'\r'})
		atStart = false
	}
	if !atStart {
		put([]byte{'\n'})
	}
	put([]byte{'\n'})
	return cr.n, werr
}

// isFromLine reports whether a line needs a ">" in mboxrd: ">*From ".
func isFromLine(b []byte) bool {
	b = bytes.TrimLeft(b, ">")
	return bytes.HasPrefix(b, []byte("From "))
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (m *mbox) commit(uint32, []string, time.Time) error { return m.w.Flush() }

func (m *mbox) checkpoint() (int64, error) {
	if err := m.w.Flush(); err != nil {
		return 0, err
	}
	return m.offset, nil
}

func (m *mbox) close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	err := m.w.Flush()
	if cerr := m.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (m *mbox) path() string { return m.p }
