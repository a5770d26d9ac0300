package imapclient_test

// The hostile-server suite against imapmemserver's fault injection: a
// real (in-memory) server that cuts the connection after N bytes or N
// commands, says BYE, answers slowly, sends garbage or a FETCH response
// that does not parse. The client must report a typed error (ErrAbort
// with the cause when the connection is gone, a *ProtocolError when a
// response was skipped) and never hang. hostileCase (hostile_test.go)
// bounds, measures and leak-checks each case.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapmemserver"
	"github.com/imapclient-go/imapclient/imapwire"
)

const memUser, memPass = "alice", "alice-secret"

// memBig is the size of the large message in the fault server's INBOX.
const memBig = 2 << 20

// faultServer starts an imapmemserver with the faults, one user and three
// messages in INBOX (the second of memBig bytes).
func faultServer(t *testing.T, f *imapmemserver.Faults) *imapmemserver.Server {
	t.Helper()
	srv := imapmemserver.New(&imapmemserver.Options{Faults: f})
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser(memUser, memPass); err != nil {
		t.Fatal(err)
	}
	big := testMessage("a@example.org", "b@example.org", "big", strings.Repeat("0123456789abcdef\r\n", memBig/18))
	for i, m := range []string{testMessage("a@example.org", "b@example.org", "one", "first"), big,
		testMessage("c@example.org", "b@example.org", "three", "third")} {
		if _, err := srv.Append(memUser, "INBOX", []byte(m), nil, time.Time{}); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
	return srv
}

// faultDial connects a client to srv in plain text (credentials allowed:
// it is loopback).
func faultDial(t *testing.T, ctx context.Context, srv *imapmemserver.Server, o *imapclient.Options) (*imapclient.Client, error) {
	t.Helper()
	if o == nil {
		o = &imapclient.Options{}
	}
	o.Security = imapclient.Plaintext
	o.AllowInsecureAuth = true
	c, err := imapclient.Dial(ctx, srv.Addr(), o)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// memOp is one step of a session: each must succeed until the fault hits.
type memOp struct {
	name string
	run  func(ctx context.Context, c *imapclient.Client) error
}

var memSession = []memOp{
	{"Login", func(ctx context.Context, c *imapclient.Client) error { return c.Login(ctx, memUser, memPass) }},
	{"SelectFolder", func(ctx context.Context, c *imapclient.Client) error {
		_, err := c.SelectFolder(ctx, "INBOX", false)
		return err
	}},
	{"Search", func(ctx context.Context, c *imapclient.Client) error {
		_, err := c.Search(ctx, "ALL", nil)
		return err
	}},
	{"Fetch", func(ctx context.Context, c *imapclient.Client) error {
		msgs, err := c.Fetch(ctx, imapclient.All, []string{"FLAGS", "ENVELOPE", "BODY.PEEK[]"})
		if err == nil && len(msgs) != 3 {
			err = fmt.Errorf("got %d messages", len(msgs))
		}
		return err
	}},
	{"AddFlags", func(ctx context.Context, c *imapclient.Client) error {
		_, err := c.AddFlags(ctx, imapclient.ID(1), []string{imapclient.Flagged}, false)
		return err
	}},
	{"Noop", func(ctx context.Context, c *imapclient.Client) error {
		_, err := c.Noop(ctx)
		return err
	}},
	{"ListFolders", func(ctx context.Context, c *imapclient.Client) error {
		_, err := c.ListFolders(ctx, "", "*")
		return err
	}},
}

// runUntilFault runs memSession: every step before the fault succeeds;
// the step that meets it fails with an error check accepts; every later
// step fails at once with ErrAbort or ErrClosed. It returns the index of
// the failed step, or -1 when the fault never hit.
func runUntilFault(t *testing.T, ctx context.Context, c *imapclient.Client, check func(op string, err error)) int {
	t.Helper()
	failed := -1
	for i, op := range memSession {
		err := op.run(ctx, c)
		switch {
		case failed < 0 && err == nil:
		case failed < 0:
			failed = i
			check(op.name, err)
		default:
			if !errors.Is(err, imapclient.ErrAbort) && !errors.Is(err, imapclient.ErrClosed) {
				t.Errorf("%s after the connection was lost: %v, want ErrAbort or ErrClosed", op.name, err)
			}
		}
	}
	return failed
}

func TestHostileMemserverDrop(t *testing.T) {
	// Cut while the large message streams in (the greeting, LOGIN, SELECT
	// and SEARCH answers take far less than 1 MB).
	hostileCase(t, "drop after 1 MB, during FETCH", 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{DropAfterBytes: 1 << 20})
		c, err := faultDial(t, ctx, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		failed := runUntilFault(t, ctx, c, func(op string, err error) {
			wantAbort(t, op, err, imapwire.ErrUnexpectedEOF)
		})
		if failed < 0 || memSession[failed].name != "Fetch" {
			t.Fatalf("the fault hit step %d, want Fetch", failed)
		}
	})
	hostileCase(t, "drop after 1 MB, during FetchIter", 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{DropAfterBytes: 1 << 20})
		c, err := faultDial(t, ctx, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range memSession[:3] {
			if err := op.run(ctx, c); err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
		}
		var got int64
		var last error
		for msg, err := range c.FetchIter(ctx, imapclient.All, []string{"BODY.PEEK[]"}) {
			if err != nil {
				last = err
				break
			}
			for sec, err := range msg.BodySections() {
				if err == nil {
					var n int64
					n, err = io.Copy(io.Discard, sec)
					got += n
				}
				if err != nil {
					last = err
					break
				}
			}
		}
		wantAbort(t, "FetchIter", last, nil)
		if got == 0 || got >= memBig {
			t.Errorf("read %d bytes before the cut", got)
		}
	})
	// Every number of commands: whichever call meets the silent hang-up
	// reports it.
	for n := 1; n <= 8; n++ {
		hostileCase(t, fmt.Sprintf("drop after %d commands", n), 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			srv := faultServer(t, &imapmemserver.Faults{DropAfterCommands: n})
			c, err := faultDial(t, ctx, srv, nil)
			if err != nil {
				t.Fatal(err)
			}
			runUntilFault(t, ctx, c, func(op string, err error) {
				wantAbort(t, op, err, nil)
				if !errors.Is(err, io.EOF) && !errors.Is(err, imapwire.ErrUnexpectedEOF) {
					t.Errorf("%s: %v, want it to wrap io.EOF", op, err)
				}
			})
		})
	}
}

func TestHostileMemserverBye(t *testing.T) {
	for n := 1; n <= 8; n++ {
		hostileCase(t, fmt.Sprintf("BYE after %d commands", n), 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			srv := faultServer(t, &imapmemserver.Faults{ByeAfterCommands: n})
			c, err := faultDial(t, ctx, srv, nil)
			if err != nil {
				t.Fatal(err)
			}
			runUntilFault(t, ctx, c, func(op string, err error) {
				wantAbort(t, op, err, nil)
				if !imapclient.IsRetryable(err) {
					t.Errorf("%s: IsRetryable(%v) = false", op, err)
				}
				if !strings.Contains(err.Error(), "BYE") {
					t.Errorf("%s: %v does not say the server sent BYE", op, err)
				}
			})
		})
	}
}

func TestHostileMemserverDelay(t *testing.T) {
	// A server slower than the caller's deadline: a timeout error by the
	// deadline. The connection itself stays usable (the command was
	// written and the server is alive).
	hostileCase(t, "delay past the deadline", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{Delay: 300 * time.Millisecond})
		c, err := faultDial(t, ctx, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(ctx, memUser, memPass); err != nil {
			t.Fatalf("Login: %v", err)
		}
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = c.SelectFolder(short, "INBOX", false)
		if took := time.Since(start); took > 600*time.Millisecond {
			t.Errorf("SelectFolder returned after %v with a 100ms deadline", took)
		}
		if !imapclient.IsTimeout(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("SelectFolder: %v, want the deadline", err)
		}
		if errors.Is(err, imapclient.ErrAbort) {
			t.Errorf("SelectFolder: %v: a slow server is not a lost connection", err)
		}
		if _, err := c.Noop(ctx); err != nil {
			t.Fatalf("Noop after the abandoned SELECT: %v", err)
		}
	})
	// ReadTimeout shorter than the server's delay: the peer is presumed
	// dead, from the greeting on.
	hostileCase(t, "delay past ReadTimeout", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{Delay: 200 * time.Millisecond})
		start := time.Now()
		_, err := faultDial(t, ctx, srv, &imapclient.Options{ReadTimeout: 100 * time.Millisecond})
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("Dial returned after %v with ReadTimeout 100ms", took)
		}
		wantAbort(t, "Dial", err, nil)
		if !imapclient.IsTimeout(err) {
			t.Errorf("IsTimeout(%v) = false", err)
		}
	})
}

func TestHostileMemserverGarbage(t *testing.T) {
	junk := []byte("\x00\xff garbage \x01)))(((\r\n* 1 FETCH (((\r\n")
	for n := 0; n <= 3; n++ {
		hostileCase(t, fmt.Sprintf("garbage after command %d", n), 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			srv := faultServer(t, &imapmemserver.Faults{Garbage: junk, GarbageAfterCommands: n})
			c, err := faultDial(t, ctx, srv, nil)
			if err != nil {
				wantSkipped(t, "Dial", err)
				return
			}
			skipped := 0
			for _, op := range memSession {
				err := op.run(ctx, c)
				if err == nil {
					continue
				}
				// The garbage is read with the next command's responses:
				// that command reports it, the others run clean.
				wantSkipped(t, op.name, err)
				skipped++
			}
			if skipped > 1 {
				t.Errorf("%d commands reported the garbage, want at most one", skipped)
			}
		})
	}
	// Binary garbage without a line end, then the server answers on: the
	// rest of the "line" is the next response, which is then lost; the
	// client must say so and stay in step.
	hostileCase(t, "garbage without CRLF", 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{Garbage: bytes.Repeat([]byte{0xff, 0x00, '{'}, 1000), GarbageAfterCommands: 1})
		c, err := faultDial(t, ctx, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(ctx, memUser, memPass); err != nil {
			t.Fatalf("Login: %v", err)
		}
		_, err = c.SelectFolder(ctx, "INBOX", false)
		if err == nil {
			t.Fatal("SelectFolder succeeded although its responses followed garbage on the same line")
		}
		if errors.Is(err, imapclient.ErrAbort) {
			return // the framing could not be recovered: a typed abort is fine
		}
		if !imapclient.IsTimeout(err) {
			wantSkipped(t, "SelectFolder", err)
		}
	})
}

func TestHostileMemserverMalformedFetch(t *testing.T) {
	hostileCase(t, "malformed FETCH", 10*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		srv := faultServer(t, &imapmemserver.Faults{MalformedFetch: true})
		c, err := faultDial(t, ctx, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range memSession[:3] {
			if err := op.run(ctx, c); err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
		}
		msgs, err := c.Fetch(ctx, imapclient.All, []string{"FLAGS", "RFC822.SIZE"})
		wantSkipped(t, "Fetch", err)
		// The first response was replaced; the others arrived. What came
		// before the error in the broken one may be kept.
		if len(msgs) < 2 || msgs[2] == nil || msgs[3] == nil {
			t.Errorf("Fetch returned %v, want at least UIDs 2 and 3", msgs)
		}
		n, errs := 0, 0
		for msg, err := range c.FetchIter(ctx, imapclient.All, []string{"FLAGS"}) {
			if err != nil {
				wantSkipped(t, "FetchIter", err)
				errs++
				continue
			}
			if msg.Flags == nil {
				t.Errorf("message %d without flags", msg.UID)
			}
			n++
		}
		if n != 2 || errs != 1 {
			t.Errorf("FetchIter yielded %d messages and %d errors, want 2 and 1", n, errs)
		}
		// STORE answers with FETCH too.
		_, err = c.AddFlags(ctx, imapclient.ID(1), []string{imapclient.Seen}, false)
		wantSkipped(t, "AddFlags", err)
		flags, err := c.GetFlags(ctx, imapclient.All)
		if err == nil || len(flags) != 2 {
			t.Logf("GetFlags: %v, %v", flags, err)
		}
		if _, err := c.Noop(ctx); err != nil {
			t.Fatalf("Noop: %v", err)
		}
		var se *imap.StatusError
		if errors.As(err, &se) {
			t.Fatalf("unexpected server error: %v", se)
		}
	})
}
