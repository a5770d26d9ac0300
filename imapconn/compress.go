package imapconn

import (
	"compress/flate"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// CompressStats counts bytes on the wire and bytes of protocol since
// COMPRESS=DEFLATE was started.
type CompressStats struct {
	WireIn, In   int64 // compressed bytes received, decompressed bytes
	WireOut, Out int64 // compressed bytes sent, bytes before compression
}

// Compress starts COMPRESS=DEFLATE (RFC 4978): from the server's OK on,
// both directions are deflate streams. It needs the COMPRESS=DEFLATE
// capability. With compression on, a command cancelled while it is being
// written closes the connection (the compressor's state cannot be undone).
func (c *Conn) Compress(ctx context.Context) error {
	if c.z != nil {
		return fmt.Errorf("imapconn: compression is already on")
	}
	if !c.caps.Has(imap.CapCompress) {
		return fmt.Errorf("imapconn: server does not announce %s", imap.CapCompress)
	}
	if len(c.inflight) > 0 {
		return fmt.Errorf("imapconn: COMPRESS with commands in flight")
	}
	if _, err := c.Execute(ctx, "COMPRESS", func(e *imapwire.Encoder) { e.SP().Atom("DEFLATE") }, nil); err != nil {
		return err
	}
	z := &zstate{tr: c.tr, ch: make(chan []byte, 4), free: make(chan []byte, 8), done: make(chan struct{})}
	// Bytes already buffered after the OK belong to the compressed stream.
	pre := c.dec.TakeBuffered()
	fw, err := flate.NewWriter(countWriter{c.tr, &z.stats.WireOut}, flate.DefaultCompression)
	if err != nil {
		return err
	}
	z.fw = fw
	go z.pump(io.MultiReader(bytesReader(pre), rawReader{z}))
	c.z = z
	c.zp.Store(z)
	c.dec.Reset(z)
	c.setWriteTarget(zwriter{z})
	return nil
}

// CompressStats returns the byte counts, or zeros without compression.
func (c *Conn) CompressStats() CompressStats {
	if c.z == nil {
		return CompressStats{}
	}
	return CompressStats{
		WireIn: atomic.LoadInt64(&c.z.stats.WireIn), In: atomic.LoadInt64(&c.z.stats.In),
		WireOut: atomic.LoadInt64(&c.z.stats.WireOut), Out: atomic.LoadInt64(&c.z.stats.Out),
	}
}

// zstate is the compression layer. A goroutine inflates what the server
// sends and hands it over in chunks, so that a read interrupted by a
// context or timeout never leaves the inflater in an error state.
type zstate struct {
	tr    *transport
	fw    *flate.Writer
	ch    chan []byte
	free  chan []byte // buffers the decoder has finished with, for the pump
	done  chan struct{}
	once  sync.Once
	err   error // set by the pump before it closes ch
	cur   []byte
	buf   []byte // the whole buffer cur is part of
	stats CompressStats
}

func (z *zstate) close() { z.once.Do(func() { close(z.done) }) }

// pump inflates the server's stream until it fails or the connection is
// closed.
func (z *zstate) pump(raw io.Reader) {
	defer close(z.ch)
	fr := flate.NewReader(raw)
	for {
		var buf []byte
		select {
		case buf = <-z.free:
		default:
			buf = make([]byte, 32<<10)
		}
		n, err := fr.Read(buf)
		if n > 0 {
			atomic.AddInt64(&z.stats.In, int64(n))
			select {
			case z.ch <- buf[:n]:
			case <-z.done:
				return
			}
		}
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			z.err = err
			return
		}
	}
}

// Read implements io.Reader for the decoder, honouring the operation's
// context and the read timeout.
func (z *zstate) Read(p []byte) (int, error) {
	if len(z.cur) == 0 {
		if err := z.tr.ctxErr(); err != nil {
			return 0, interrupted{err}
		}
		dl, fromCtx := z.tr.deadline(z.tr.readTimeout)
		var timer <-chan time.Time
		if !dl.IsZero() {
			t := time.NewTimer(time.Until(dl))
			defer t.Stop()
			timer = t.C
		}
		var ctxDone <-chan struct{}
		if ctx := z.tr.boundCtx(); ctx != nil {
			ctxDone = ctx.Done()
		}
		select {
		case b, ok := <-z.ch:
			if !ok {
				return 0, z.err
			}
			z.cur, z.buf = b, b[:cap(b)]
		case <-ctxDone:
			return 0, interrupted{z.tr.ctxErr()}
		case <-timer:
			if fromCtx {
				return 0, interrupted{context.DeadlineExceeded}
			}
			return 0, &net.OpError{Op: "read", Net: "imap", Err: os.ErrDeadlineExceeded}
		case <-z.done:
			return 0, net.ErrClosed
		}
	}
	n := copy(p, z.cur)
	z.cur = z.cur[n:]
	if len(z.cur) == 0 && z.buf != nil {
		// Consumed: the pump may fill it again.
		select {
		case z.free <- z.buf:
		default:
		}
		z.buf = nil
	}
	return n, nil
}

// rawReader reads the socket for the pump. Deadlines set to interrupt the
// decoder are cleared and the read retried: the pump only stops when the
// connection ends.
type rawReader struct{ z *zstate }

func (r rawReader) Read(p []byte) (int, error) {
	for {
		nc := r.z.tr.conn()
		n, err := nc.Read(p)
		atomic.AddInt64(&r.z.stats.WireIn, int64(n))
		if err != nil && n == 0 && isTimeout(err) {
			select {
			case <-r.z.done:
				return 0, err
			default:
			}
			_ = nc.SetReadDeadline(time.Time{})
			continue
		}
		return n, err
	}
}

// zwriter compresses what the buffered writer flushes; every write ends
// with a sync flush so the server sees whole commands.
type zwriter struct{ z *zstate }

func (w zwriter) Write(p []byte) (int, error) {
	atomic.AddInt64(&w.z.stats.Out, int64(len(p)))
	n, err := w.z.fw.Write(p)
	if err != nil {
		return n, err
	}
	return n, w.z.fw.Flush()
}

type countWriter struct {
	w io.Writer
	n *int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	atomic.AddInt64(c.n, int64(n))
	return n, err
}

type bytesReaderT struct{ b []byte }

func bytesReader(b []byte) io.Reader { return &bytesReaderT{b} }

func (r *bytesReaderT) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
