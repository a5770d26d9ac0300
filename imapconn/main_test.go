package imapconn_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// Short names for the script steps.
var (
	S      = fakeserver.S
	SRaw   = func(s string) fakeserver.Step { return fakeserver.SRaw([]byte(s)) }
	C      = fakeserver.C
	CBytes = fakeserver.CBytes
	Quiet  = fakeserver.Quiet
	Sleep  = fakeserver.Sleep
	Hold   = fakeserver.Hold
)

// greeting is the default greeting of newConn.
const greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake server ready"

// TestMain fails the run when goroutines of this module outlive the tests:
// the fake servers' goroutines and the connection's context watchers must
// all have ended.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(); leaked != "" {
			fmt.Fprintf(os.Stderr, "FAIL: goroutines still running after the tests:\n\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedGoroutines() string {
	var leaked []string
	deadline := time.Now().Add(3 * time.Second)
	for {
		leaked = leaked[:0]
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/imapclient-go/imapclient/") &&
				!strings.Contains(g, "imapconn_test.TestMain") &&
				!strings.Contains(g, "imapconn_test.leakedGoroutines") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testCtx returns a context that ends with the test, and after 10 seconds
// at the latest so that a hanging client fails instead of blocking.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial starts a fake server with the script and wraps the client's end,
// without reading the greeting.
func dial(t *testing.T, opts *imapconn.Options, script ...fakeserver.Step) *imapconn.Conn {
	t.Helper()
	nc := fakeserver.Start(t, script...)
	c := imapconn.New(nc, opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// newConn is dial after greeting, with the greeting read.
func newConn(t *testing.T, opts *imapconn.Options, greet string, script ...fakeserver.Step) *imapconn.Conn {
	t.Helper()
	c := dial(t, opts, append([]fakeserver.Step{S(greet)}, script...)...)
	if _, err := c.ReadGreeting(testCtx(t)); err != nil {
		t.Fatalf("ReadGreeting: %v", err)
	}
	return c
}

// unilateral collects the responses given to Options.Unilateral as short
// strings ("3 EXISTS", "OK [ALERT] text", "BYE text").
type unilateral struct {
	mu  sync.Mutex
	got []string
}

func (u *unilateral) handle(r *imapwire.Response) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.got = append(u.got, describe(r))
}

func (u *unilateral) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.got, "; ")
}

func describe(r *imapwire.Response) string {
	switch {
	case r.Status != nil:
		return r.Status.String()
	case r.Num != 0:
		return fmt.Sprintf("%d %s", r.Num, r.Name)
	}
	return fmt.Sprintf("%s %v", r.Name, r.Data)
}

// logBuffer returns a logger at debug level writing to a buffer.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// since reports how long ago t0 was, for the "returns at once" checks.
func since(t0 time.Time) time.Duration { return time.Since(t0) }
