package imapconn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// atOnce is how soon a cancelled call must return.
const atOnce = 100 * time.Millisecond

// canceler cancels a context on a timer and records when.
type canceler struct {
	ctx    context.Context
	cancel context.CancelFunc
	at     atomic.Int64 // UnixNano of the cancellation, 0 before
}

func newCanceler(t *testing.T) *canceler {
	ctx, cancel := context.WithCancel(testCtx(t))
	t.Cleanup(cancel)
	return &canceler{ctx: ctx, cancel: cancel}
}

// newCancelAfter returns a canceler that fires after d.
func newCancelAfter(t *testing.T, d time.Duration) *canceler {
	ca := newCanceler(t)
	ca.after(t, d)
	return ca
}

// after schedules the cancellation in d.
func (ca *canceler) after(t *testing.T, d time.Duration) {
	timer := time.AfterFunc(d, func() {
		ca.at.Store(time.Now().UnixNano())
		ca.cancel()
	})
	t.Cleanup(func() { timer.Stop() })
}

// latency is the time since the cancellation.
func (ca *canceler) latency() time.Duration {
	at := ca.at.Load()
	if at == 0 {
		return 0 // the call returned before the cancellation: checked elsewhere
	}
	return time.Since(time.Unix(0, at))
}

func wantCanceled(t *testing.T, err error, abandoned bool) {
	t.Helper()
	var ce *imapconn.CanceledError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *imapconn.CanceledError matching context.Canceled", err)
	}
	if ce.Abandoned != abandoned {
		t.Errorf("Abandoned = %v, want %v", ce.Abandoned, abandoned)
	}
}

// TestCancelWhileWaiting: (a) the call returns at once, and the next
// command first drains the abandoned one's late response.
func TestCancelWhileWaiting(t *testing.T) {
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 NOOP"),
		// Nothing comes from the client until the abandoned command is
		// complete: the next command waits for the drain.
		Quiet(500*time.Millisecond),
		S("* 2 EXISTS"),
		S("A1 OK late NOOP"),
		C("A2 NOOP"),
		S("A2 OK fresh"),
	)
	ca := newCancelAfter(t, 50*time.Millisecond)
	_, err := c.Execute(ca.ctx, "NOOP", nil, nil)
	if d := ca.latency(); d > atOnce {
		t.Errorf("returned %v after the cancellation", d)
	}
	wantCanceled(t, err, true)
	if c.Err() != nil {
		t.Fatalf("connection unusable after a cancellation: %v", c.Err())
	}
	st, err := c.Execute(testCtx(t), "NOOP", nil, nil)
	if err != nil || st.Text != "fresh" {
		t.Fatalf("next command = %+v, %v", st, err)
	}
	if u.String() != "2 EXISTS" {
		t.Errorf("the abandoned command's data went to %q, want Unilateral", u.String())
	}
}

// TestCancelDrainTimeout: (b) the server never completes the abandoned
// command; the next command fails after DrainTimeout and the connection
// is closed.
func TestCancelDrainTimeout(t *testing.T) {
	const drain = 200 * time.Millisecond
	c := newConn(t, &imapconn.Options{DrainTimeout: drain}, greeting,
		C("A1 NOOP"),
		Hold(),
	)
	ca := newCancelAfter(t, 30*time.Millisecond)
	_, err := c.Execute(ca.ctx, "NOOP", nil, nil)
	wantCanceled(t, err, true)
	t0 := time.Now()
	_, err = c.Execute(testCtx(t), "NOOP", nil, nil)
	d := since(t0)
	if !errors.Is(err, imap.ErrAbort) {
		t.Fatalf("err = %v, want ErrAbort", err)
	}
	if !strings.Contains(err.Error(), "abandoned") {
		t.Errorf("err = %q does not explain the drain", err)
	}
	if d < drain-20*time.Millisecond || d > drain+time.Second {
		t.Errorf("failed after %v, want about %v", d, drain)
	}
	if c.Err() == nil {
		t.Error("the connection is still usable")
	}
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); !errors.Is(err, imap.ErrAbort) {
		t.Errorf("next command: %v, want ErrAbort", err)
	}
}

// TestDeadlineMidResponse: (c) the deadline hits in the middle of a line;
// the decoder keeps the half line and resumes it during the drain.
func TestDeadlineMidResponse(t *testing.T) {
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 NOOP"),
		SRaw("* 3 EXI"),
		Quiet(500*time.Millisecond),
		SRaw("STS\r\nA1 OK done\r\n"),
		C("A2 NOOP"),
		S("A2 OK next"),
	)
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := c.Execute(ctx, "NOOP", nil, nil)
	if d := since(t0); d > time.Second {
		t.Errorf("returned after %v", d)
	}
	// Had the client waited for the rest of the line, the command would
	// have completed instead.
	var ce *imapconn.CanceledError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ce) || !ce.Abandoned {
		t.Fatalf("err = %v, want an abandoning CanceledError matching DeadlineExceeded", err)
	}
	st, err := c.Execute(testCtx(t), "NOOP", nil, nil)
	if err != nil || st.Text != "next" {
		t.Fatalf("next command = %+v, %v", st, err)
	}
	if u.String() != "3 EXISTS" {
		t.Errorf("unilateral = %q, want the resumed line", u.String())
	}
}

// TestCancelDuringLargeLiteral: (d) cancellation while a handler streams a
// FETCH body section; the drain skips the rest of it.
func TestCancelDuringLargeLiteral(t *testing.T) {
	const size = 64 << 10
	const first = 16 << 10
	body := strings.Repeat("x", size)
	c := newConn(t, &imapconn.Options{Limits: &imapwire.Limits{InlineLiteral: 1024}}, greeting,
		C("A1 FETCH 1 (BODY[])"),
		SRaw("* 1 FETCH (BODY[] {65536}\r\n"+body[:first]),
		Quiet(500*time.Millisecond),
		SRaw(body[first:]+" UID 7)\r\nA1 OK FETCH done\r\n"),
		C("A2 NOOP"),
		S("A2 OK next"),
	)
	ca := newCanceler(t)
	scheduled := false
	var read int64
	var readErr error
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "FETCH" {
			return false, nil
		}
		var it imapwire.FetchItem
		for {
			ok, err := r.NextFetchItem(&it)
			if err != nil || !ok {
				return true, err
			}
			if it.Reader == nil {
				continue
			}
			buf := make([]byte, 4096)
			for {
				n, err := it.Reader.Read(buf)
				read += int64(n)
				if read >= first && !scheduled {
					// Everything the server sent so far was read: cancel
					// from elsewhere while the next read blocks.
					ca.after(t, 50*time.Millisecond)
					scheduled = true
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					readErr = err
					return true, err
				}
			}
		}
	}
	_, err := c.Execute(ca.ctx, "FETCH", func(e *imapwire.Encoder) { e.SP().Raw("1 (BODY[])") }, h)
	if d := ca.latency(); d > atOnce {
		t.Errorf("returned %v after the cancellation", d)
	}
	wantCanceled(t, err, true)
	if read != first || !errors.Is(readErr, context.Canceled) {
		t.Errorf("handler read %d bytes, then %v", read, readErr)
	}
	st, err := c.Execute(testCtx(t), "NOOP", nil, nil)
	if err != nil || st.Text != "next" {
		t.Fatalf("next command = %+v, %v", st, err)
	}
}

func TestCanceledBeforeSending(t *testing.T) {
	c := newConn(t, nil, greeting, C("A1 NOOP"), S("A1 OK"))
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	_, err := c.Execute(ctx, "NOOP", nil, nil)
	wantCanceled(t, err, false)
	// Nothing was sent and the tag was not used.
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); err != nil {
		t.Fatalf("next command: %v", err)
	}
}

// TestCancelWaitingForContinuation: a command cut before its literal is
// half-written and can never complete, so the connection is closed at
// once rather than after DrainTimeout.
func TestCancelWaitingForContinuation(t *testing.T) {
	c := newConn(t, nil, greeting,
		C("A1 LOGIN alice {5}"),
		Hold(),
	)
	ca := newCancelAfter(t, 50*time.Millisecond)
	_, err := c.Login(ca.ctx, "alice", "pa\nss")
	if d := ca.latency(); d > atOnce {
		t.Errorf("returned %v after the cancellation", d)
	}
	wantCanceled(t, err, false)
	if !errors.Is(c.Err(), imap.ErrAbort) {
		t.Errorf("Err() = %v, want ErrAbort", c.Err())
	}
}

// TestReadTimeout: a server that stops answering makes the command fail
// with a timeout after Options.ReadTimeout, and the connection is closed.
func TestReadTimeout(t *testing.T) {
	const timeout = 150 * time.Millisecond
	c := newConn(t, &imapconn.Options{ReadTimeout: timeout}, greeting,
		C("A1 NOOP"),
		SRaw("* 1 EXI"), // even a half line does not reset the clock forever
		Hold(),
	)
	t0 := time.Now()
	_, err := c.Execute(testCtx(t), "NOOP", nil, nil)
	d := since(t0)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a net.Error with Timeout", err)
	}
	if !errors.Is(err, imap.ErrAbort) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrAbort (and not a context error)", err)
	}
	if d < timeout || d > timeout+time.Second {
		t.Errorf("failed after %v, want about %v", d, timeout)
	}
	if c.Err() == nil {
		t.Error("the connection is still usable")
	}
}

// TestContextDeadlineBeforeReadTimeout: the earlier of the two wins, and a
// context deadline leaves the connection usable.
func TestContextDeadlineBeforeReadTimeout(t *testing.T) {
	c := newConn(t, &imapconn.Options{ReadTimeout: 5 * time.Second}, greeting,
		C("A1 NOOP"),
		Quiet(200*time.Millisecond),
		S("A1 OK late"),
		C("A2 NOOP"),
		S("A2 OK"),
	)
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	_, err := c.Execute(ctx, "NOOP", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, imap.ErrAbort) {
		t.Fatalf("err = %v, want DeadlineExceeded without abort", err)
	}
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); err != nil {
		t.Fatalf("next command: %v", err)
	}
}

// TestCancelBlockedWrite: a write blocked because the server stopped
// reading (a large APPEND literal) is interrupted when the context ends,
// within the write grace period, and the half-sent command fails the
// connection.
func TestCancelBlockedWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	defer close(release)
	go func() {
		sc, err := ln.Accept()
		if err != nil {
			return
		}
		defer sc.Close()
		sc.Write([]byte("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"))
		<-release // reads nothing: the client's writes fill the socket buffers
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := imapconn.New(nc, nil)
	defer c.Close()
	if _, err := c.ReadGreeting(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 32<<20) // far more than the socket buffers hold
	ca := newCancelAfter(t, 200*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := c.Execute(ca.ctx, "APPEND", func(e *imapwire.Encoder) { e.SP().Atom("INBOX").SP().Literal(big) }, nil)
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		nc.Close() // unblocks the write
		<-done
		t.Fatal("the blocked write was not interrupted by the cancellation")
	}
	if d := ca.latency(); d > 100*time.Millisecond+atOnce {
		t.Errorf("returned %v after the cancellation", d)
	}
	var ce *imapconn.CanceledError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *imapconn.CanceledError matching context.Canceled", err)
	}
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); err == nil {
		t.Fatalf("the connection went on after a half-sent command")
	}
}
