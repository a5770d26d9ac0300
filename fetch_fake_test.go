package imapclient

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapconn"
)

// fetchFake is a scripted server on the far end of a net.Pipe: it greets
// with PREAUTH and the given capabilities, then answers each command line
// with reply(tag, line) ("" for a plain OK).
type fetchFake struct {
	mu    sync.Mutex
	cmds  []string
	stall chan struct{} // a reply holding "{stall}" waits here halfway
	once  sync.Once
}

// release lets a stalled reply go on.
func (f *fetchFake) release() { f.once.Do(func() { close(f.stall) }) }

func (f *fetchFake) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// lastCommand returns the last command line without its tag.
func (f *fetchFake) lastCommand() string {
	c := f.commands()
	if len(c) == 0 {
		return ""
	}
	_, rest, _ := strings.Cut(c[len(c)-1], " ")
	return rest
}

const fakeCaps = "IMAP4rev1 CONDSTORE QRESYNC BINARY X-GM-EXT-1 OBJECTID PREVIEW SAVEDATE LITERAL+"

func newFetchFake(t *testing.T, caps string, opts *Options, reply func(tag, line string) string) (*Client, *fetchFake) {
	t.Helper()
	cc, sc := net.Pipe()
	f := &fetchFake{stall: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		if _, err := sc.Write([]byte("* PREAUTH [CAPABILITY " + caps + "] fake\r\n")); err != nil {
			return
		}
		br := bufio.NewReader(sc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			f.mu.Lock()
			f.cmds = append(f.cmds, line)
			f.mu.Unlock()
			tag, rest, _ := strings.Cut(line, " ")
			out := ""
			if reply != nil {
				out = reply(tag, rest)
			}
			if out == "" {
				out = tag + " OK done\r\n"
			}
			out = strings.ReplaceAll(out, "{tag}", tag)
			if before, after, ok := strings.Cut(out, "{stall}"); ok {
				if _, err := sc.Write([]byte(before)); err != nil {
					return
				}
				<-f.stall
				out = after
			}
			if _, err := sc.Write([]byte(out)); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := New(ctx, cc, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.conn.SetState(imapconn.Selected)
	t.Cleanup(func() {
		c.Close()
		f.release()
		<-done
	})
	return c, f
}

func ctxFetch(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
