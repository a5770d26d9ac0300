package imapconn

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// transport wraps the net.Conn with the deadlines of the operation under
// way: the context's deadline, cancellation, and the per-read timeout.
type transport struct {
	nc           net.Conn
	readTimeout  time.Duration
	writeTimeout time.Duration

	mu       sync.Mutex
	ctx      context.Context
	drainEnd time.Time // while draining: the drain deadline
	writing  bool      // a Write is under way

	written int64 // bytes handed to the connection
}

var past = time.Unix(1, 0)

// bind makes ctx govern the I/O until the returned function is called.
// Cancelling ctx interrupts a blocked read at once and a blocked write
// after writeGrace.
func (t *transport) bind(ctx context.Context) (unbind func()) {
	t.mu.Lock()
	t.ctx = ctx
	t.mu.Unlock()
	if ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(done)
		t.mu.Lock()
		defer t.mu.Unlock()
		_ = t.nc.SetReadDeadline(past) // the next Read sets its own
		if t.writing {
			// A later Write sees the context's error before writing.
			_ = t.nc.SetWriteDeadline(time.Now().Add(writeGrace))
		}
	})
	return func() {
		if !stop() {
			<-done // the interrupt ran: wait so it cannot hit the next operation
		}
	}
}

// writeGrace is how long a write under way when the context ends may
// still block before it is interrupted. A write that is merely under way
// (the socket takes the bytes) must be let finish: a TLS connection whose
// write timed out cannot be written to again, even when nothing was sent,
// so interrupting it at once could break a connection that a command
// cancelled just as it was sent would otherwise have kept. A write that
// blocks (the server stopped reading) is interrupted after this; the
// connection is then lost anyway.
const writeGrace = 100 * time.Millisecond

// testHookWrite, when set, runs in Write after the context was checked and
// before the bytes go to the connection (tests only).
var testHookWrite func()

func (t *transport) conn() net.Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nc
}

func (t *transport) setConn(nc net.Conn) {
	t.mu.Lock()
	t.nc = nc
	t.mu.Unlock()
}

// deadline returns the I/O deadline: the earliest of the timeout, the
// context's deadline and the drain deadline. fromCtx reports that the
// context's deadline was chosen, so a timeout then means the context
// expired (its timer may fire a moment after the connection's).
func (t *transport) deadline(timeout time.Duration) (dl time.Time, fromCtx bool) {
	if timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	t.mu.Lock()
	ctx, drain := t.ctx, t.drainEnd
	t.mu.Unlock()
	if !drain.IsZero() && (dl.IsZero() || drain.Before(dl)) {
		dl = drain
	}
	if ctx != nil {
		if d, ok := ctx.Deadline(); ok && (dl.IsZero() || !dl.Before(d)) {
			dl, fromCtx = d, true
		}
	}
	return dl, fromCtx
}

func (t *transport) ctxErr() error {
	t.mu.Lock()
	ctx := t.ctx
	t.mu.Unlock()
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

// Read implements io.Reader for the decoder.
func (t *transport) Read(p []byte) (int, error) {
	nc := t.conn()
	dl, fromCtx := t.deadline(t.readTimeout)
	if err := nc.SetReadDeadline(dl); err != nil {
		return 0, err
	}
	if err := t.ctxErr(); err != nil {
		return 0, interrupted{err}
	}
	n, err := nc.Read(p)
	if err != nil && n == 0 && isTimeout(err) {
		if cerr := t.ctxErr(); cerr != nil {
			return 0, interrupted{cerr}
		}
		if fromCtx {
			return 0, interrupted{context.DeadlineExceeded}
		}
	}
	return n, err
}

// Write implements io.Writer for the buffered writer. Context deadlines
// are not turned into write deadlines: a TLS connection whose write timed
// out is unusable, so a write is only interrupted when the context ends
// while it is blocked (see bind and writeGrace). The context is checked
// under the same lock as bind's interrupt, so either the write sees the
// context ended and sends nothing, or the interrupt sees the write under
// way.
func (t *transport) Write(p []byte) (int, error) {
	t.mu.Lock()
	nc, ctx := t.nc, t.ctx
	if ctx != nil && ctx.Err() != nil {
		t.mu.Unlock()
		return 0, notSent{ctx.Err()}
	}
	var dl time.Time
	if t.writeTimeout > 0 {
		dl = time.Now().Add(t.writeTimeout)
	}
	if err := nc.SetWriteDeadline(dl); err != nil {
		t.mu.Unlock()
		return 0, err
	}
	t.writing = true
	t.mu.Unlock()
	if testHookWrite != nil {
		testHookWrite()
	}
	n, err := nc.Write(p)
	t.mu.Lock()
	t.writing = false
	t.written += int64(n)
	t.mu.Unlock()
	if err != nil && isTimeout(err) {
		if cerr := t.ctxErr(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// notSent is a write refused before anything reached the connection.
type notSent struct{ err error }

func (e notSent) Error() string { return e.err.Error() }
func (e notSent) Unwrap() error { return e.err }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// interrupted is a read cut short by the context. It reports Timeout so
// the decoder keeps its state and the read can be resumed later.
type interrupted struct{ err error }

func (e interrupted) Error() string   { return e.err.Error() }
func (e interrupted) Unwrap() error   { return e.err }
func (e interrupted) Timeout() bool   { return true }
func (e interrupted) Temporary() bool { return true }

// bytesWritten returns how many bytes reached the connection so far.
func (t *transport) bytesWritten() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.written
}

// boundCtx returns the context of the operation under way, or nil.
func (t *transport) boundCtx() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ctx
}
