package imapmemserver

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// pipeBufferSize bounds the data in flight in one direction of a pipe, as
// a socket's buffers would: a writer blocks when its peer does not read.
const pipeBufferSize = 1 << 20

// newPipe returns the two ends of an in-memory, buffered, full-duplex
// connection. Unlike net.Pipe, a write returns as soon as its data fits
// in the buffer, so both ends may write at the same time (pipelined
// commands, DONE while the server pushes an update) without deadlock.
// Both ends support deadlines.
func newPipe() (a, b *pipeConn) {
	ab, ba := newPipeBuf(), newPipeBuf()
	a = &pipeConn{r: ba, w: ab, local: pipeAddr("client"), remote: pipeAddr("imapmemserver"), done: make(chan struct{})}
	b = &pipeConn{r: ab, w: ba, local: pipeAddr("imapmemserver"), remote: pipeAddr("client"), done: make(chan struct{})}
	a.rd.init()
	a.wd.init()
	b.rd.init()
	b.wd.init()
	return a, b
}

type pipeAddr string

func (pipeAddr) Network() string  { return "pipe" }
func (a pipeAddr) String() string { return string(a) }

// pipeBuf is one direction of a pipe.
type pipeBuf struct {
	mu       sync.Mutex
	data     []byte
	wclosed  bool          // the writing end closed: EOF once drained
	rclosed  bool          // the reading end closed: writes fail
	readable chan struct{} // poked (capacity 1) when data arrives or an end closes
	writable chan struct{} // poked when space frees or an end closes
}

func newPipeBuf() *pipeBuf {
	return &pipeBuf{readable: make(chan struct{}, 1), writable: make(chan struct{}, 1)}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// deadline is a settable deadline whose expiry closes a channel.
type deadline struct {
	mu      sync.Mutex
	timer   *time.Timer
	expired chan struct{}
}

func (d *deadline) init() { d.expired = make(chan struct{}) }

// set arms the deadline at t; the zero time disarms it.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		// The timer fired (or is firing): its channel is or will be closed.
		<-d.expired
	}
	d.timer = nil
	select {
	case <-d.expired:
		d.expired = make(chan struct{})
	default:
	}
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		close(d.expired)
		return
	}
	ch := d.expired
	d.timer = time.AfterFunc(wait, func() { close(ch) })
}

func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.expired
}

// pipeConn is one end of a pipe; it implements net.Conn.
type pipeConn struct {
	r, w          *pipeBuf
	rd, wd        deadline
	local, remote pipeAddr
	closeOnce     sync.Once
	done          chan struct{} // closed by Close
}

func (p *pipeConn) isClosed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *pipeConn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "pipe", Source: p.local, Addr: p.remote, Err: err}
}

// Read implements net.Conn.
func (p *pipeConn) Read(b []byte) (int, error) {
	for {
		if p.isClosed() {
			return 0, p.opErr("read", net.ErrClosed)
		}
		expired := p.rd.wait()
		select {
		case <-expired:
			return 0, p.opErr("read", os.ErrDeadlineExceeded)
		default:
		}
		buf := p.r
		buf.mu.Lock()
		if len(buf.data) > 0 {
			n := copy(b, buf.data)
			buf.data = buf.data[n:]
			if len(buf.data) == 0 {
				buf.data = nil
			}
			buf.mu.Unlock()
			poke(buf.writable)
			return n, nil
		}
		if buf.wclosed {
			buf.mu.Unlock()
			return 0, io.EOF
		}
		buf.mu.Unlock()
		if len(b) == 0 {
			return 0, nil
		}
		select {
		case <-buf.readable:
		case <-expired:
		case <-p.done:
		}
	}
}

// Write implements net.Conn.
func (p *pipeConn) Write(b []byte) (int, error) {
	written := 0
	for {
		if p.isClosed() {
			return written, p.opErr("write", net.ErrClosed)
		}
		expired := p.wd.wait()
		select {
		case <-expired:
			return written, p.opErr("write", os.ErrDeadlineExceeded)
		default:
		}
		buf := p.w
		buf.mu.Lock()
		if buf.rclosed {
			buf.mu.Unlock()
			return written, p.opErr("write", io.ErrClosedPipe)
		}
		if room := pipeBufferSize - len(buf.data); room > 0 {
			n := min(room, len(b)-written)
			buf.data = append(buf.data, b[written:written+n]...)
			written += n
			buf.mu.Unlock()
			poke(buf.readable)
			if written == len(b) {
				return written, nil
			}
			continue
		}
		buf.mu.Unlock()
		select {
		case <-buf.writable:
		case <-expired:
		case <-p.done:
		}
	}
}

// Close implements net.Conn. The peer reads what was written, then EOF;
// its writes fail.
func (p *pipeConn) Close() error {
	p.closeOnce.Do(func() {
		close(p.done)
		p.w.mu.Lock()
		p.w.wclosed = true
		p.w.mu.Unlock()
		poke(p.w.readable)
		p.r.mu.Lock()
		p.r.rclosed = true
		p.r.data = nil
		p.r.mu.Unlock()
		poke(p.r.writable)
		p.rd.set(time.Time{})
		p.wd.set(time.Time{})
	})
	return nil
}

func (p *pipeConn) LocalAddr() net.Addr  { return p.local }
func (p *pipeConn) RemoteAddr() net.Addr { return p.remote }

// SetDeadline implements net.Conn.
func (p *pipeConn) SetDeadline(t time.Time) error {
	p.rd.set(t)
	p.wd.set(t)
	return nil
}

// SetReadDeadline implements net.Conn.
func (p *pipeConn) SetReadDeadline(t time.Time) error { p.rd.set(t); return nil }

// SetWriteDeadline implements net.Conn.
func (p *pipeConn) SetWriteDeadline(t time.Time) error { p.wd.set(t); return nil }
