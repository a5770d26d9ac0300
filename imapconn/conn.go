package imapconn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// State is the protocol state of a connection (RFC 3501 section 3).
type State int

// Connection states.
const (
	NotAuthenticated State = iota
	Authenticated
	Selected
	Logout
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case NotAuthenticated:
		return "not authenticated"
	case Authenticated:
		return "authenticated"
	case Selected:
		return "selected"
	}
	return "logout"
}

// Conn is one IMAP connection. It is not safe for concurrent use, except
// Close, which may be called from any goroutine to abort.
type Conn struct {
	opts Options
	log  *slog.Logger
	tr   *transport
	dec  *imapwire.Decoder
	bw   *bufio.Writer // nil while idle (see ReleaseBuffers); use w()
	bwTo io.Writer     // where bw writes: the transport or the compressor
	enc  *imapwire.Encoder

	tagPrefix string
	tagNum    uint64

	greeting *imap.StatusResponse
	caps     imap.Caps
	enabled  imap.Caps
	state    atomic.Int32

	inflight []*Command // written and not completed, in order
	bye      *imap.StatusResponse
	z        *zstate                // compression, once started
	zp       atomic.Pointer[zstate] // z, for Close from other goroutines
	closed   atomic.Bool
	err      error // set once the connection is unusable
}

// New wraps an established connection. Call ReadGreeting next.
func New(nc net.Conn, opts *Options) *Conn {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.TagPrefix == "" {
		o.TagPrefix = "A"
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = defaultDrainTimeout
	}
	c := &Conn{
		opts:      o,
		log:       o.logger(),
		tagPrefix: o.TagPrefix,
	}
	c.tr = &transport{nc: nc, readTimeout: o.ReadTimeout, writeTimeout: o.WriteTimeout}
	c.dec = imapwire.NewDecoder(c.tr, o.Limits)
	c.dec.Trace = c.traceFrame
	c.bwTo = c.tr
	c.enc = imapwire.NewEncoder(imapwire.EncoderOptions{})
	return c
}

// NetConn returns the underlying connection (after STARTTLS, the
// *tls.Conn). Reading or writing it directly corrupts the session.
func (c *Conn) NetConn() net.Conn { return c.tr.conn() }

// Greeting returns the server's greeting, once read.
func (c *Conn) Greeting() *imap.StatusResponse { return c.greeting }

// State returns the protocol state as the connection has seen it.
func (c *Conn) State() State { return State(c.state.Load()) }

// SetState overrides the tracked protocol state, for commands whose effect
// the session layer cannot know.
func (c *Conn) SetState(s State) { c.state.Store(int32(s)) }

// Caps returns the capabilities last announced, or nil when they are not
// known (after STARTTLS or authentication, until the server announces them
// again). The returned set must not be modified.
func (c *Conn) Caps() imap.Caps { return c.caps }

// Enabled returns the extensions enabled with ENABLE (RFC 5161).
func (c *Conn) Enabled() imap.Caps { return c.enabled }

// Err returns the error that made the connection unusable, or nil.
func (c *Conn) Err() error { return c.err }

// Close closes the connection at once, without LOGOUT. It is safe to call
// from any goroutine and more than once.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if z := c.zp.Load(); z != nil {
		z.close()
	}
	return c.tr.conn().Close()
}

// fail marks the connection unusable and closes it.
func (c *Conn) fail(op string, err error) error {
	if c.err == nil {
		if c.bye != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("server said %s: %w", c.bye.String(), err)
		}
		c.err = abort(op, err)
		c.SetState(Logout)
		_ = c.Close()
		for _, cmd := range c.inflight {
			if !cmd.done {
				cmd.done, cmd.err = true, c.err
			}
		}
		c.inflight = nil
	}
	return c.err
}

func (c *Conn) usable() error {
	if c.err != nil {
		return c.err
	}
	if c.closed.Load() {
		return ErrClosed
	}
	return nil
}

func (c *Conn) nextTag() string {
	c.tagNum++
	return c.tagPrefix + strconv.FormatUint(c.tagNum, 10)
}

// encoderOptions derives literal and string forms from the capabilities.
func (c *Conn) encoderOptions() imapwire.EncoderOptions {
	return imapwire.EncoderOptions{
		LiteralPlus:  c.caps.Has(imap.CapLiteralPlus),
		LiteralMinus: c.caps.Has(imap.CapLiteralMinus) || c.caps.Has(imap.CapIMAP4rev2),
		UTF8:         c.enabled.Has(imap.CapUTF8Accept) || c.enabled.Has(imap.CapIMAP4rev2),
	}
}

// ReadGreeting reads the server greeting (RFC 3501 section 7.1): OK,
// PREAUTH (the connection is then authenticated) or BYE (an error).
func (c *Conn) ReadGreeting(ctx context.Context) (*imap.StatusResponse, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	defer c.tr.bind(ctx)()
	r, err := c.dec.ReadResponse()
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, c.fail("greeting", cerr)
		}
		return nil, c.fail("greeting", err)
	}
	if r.Kind != imapwire.Untagged || r.Status == nil {
		return nil, c.fail("greeting", &ProtocolError{Msg: "greeting is not OK, PREAUTH or BYE"})
	}
	c.greeting = r.Status
	c.noteStatus(r.Status)
	switch r.Status.Type {
	case imap.StatusPREAUTH:
		c.SetState(Authenticated)
	case imap.StatusOK:
		c.SetState(NotAuthenticated)
	default:
		return r.Status, c.fail("greeting", r.Status.Err("greeting"))
	}
	return r.Status, nil
}

// noteStatus updates capabilities from a status response's code.
func (c *Conn) noteStatus(st *imap.StatusResponse) {
	if st.Code == imap.CodeCapability {
		c.setCaps(splitFields(st.CodeArg))
	}
}

func (c *Conn) setCaps(names []string) {
	c.caps = imap.NewCaps(names...)
	c.enc.SetOptions(c.encoderOptions())
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// writeBufferSize is the size of the write buffer a connection borrows
// while it sends.
const writeBufferSize = 16 << 10

// writers holds write buffers between commands: what they held was sent
// (Flush) before they were put back, and bufio.Writer only ever sends the
// bytes written since its Reset.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// w returns the write buffer, borrowing one when the connection has none.
func (c *Conn) w() *bufio.Writer {
	if c.bw == nil {
		c.bw = writers.Get().(*bufio.Writer)
		c.bw.Reset(c.bwTo)
	}
	return c.bw
}

// setWriteTarget makes the write buffer write to w (STARTTLS, COMPRESS),
// dropping anything unsent.
func (c *Conn) setWriteTarget(w io.Writer) {
	c.bwTo = w
	if c.bw != nil {
		c.bw.Reset(w)
	}
}

// ReleaseBuffers gives back the read and write buffers when they hold
// nothing, so that a connection between commands (or idling in IDLE with
// nobody waiting for updates) keeps neither; the next command gets them
// again. The session layer (imapclient.Client) calls it when a call ends.
func (c *Conn) ReleaseBuffers() {
	if c.bw != nil && c.bw.Buffered() == 0 {
		c.bw.Reset(nil)
		writers.Put(c.bw)
		c.bw = nil
	}
	c.dec.Release()
}

func (c *Conn) drainDeadline() time.Time { return time.Now().Add(c.opts.DrainTimeout) }
