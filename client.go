package imapclient

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
)

// Client is a connection to an IMAP server with IMAPClient's conveniences.
// It is safe for concurrent use: calls from several goroutines take turns
// on the connection. Create one with Dial, DialCommand or New.
type Client struct {
	conn *imapconn.Conn
	opts Options
	host string

	sem     chan struct{} // holds the connection: a mutex that honours contexts
	preempt chan struct{} // asks an idling goroutine to yield the connection
	waiting atomic.Int32  // goroutines waiting in lock
	idle    idleState     // guarded by sem

	useUID         atomic.Bool
	folderEncode   atomic.Bool
	normaliseTimes atomic.Bool
	secure         bool // TLS, or a local pipe: credentials may be sent

	sel selection
}

func newClient(conn *imapconn.Conn, host string, o Options, secure bool) *Client {
	c := &Client{conn: conn, opts: o, host: host, secure: secure,
		sem: make(chan struct{}, 1), preempt: make(chan struct{}, 1)}
	conn.SetUnilateral(c.onUnilateral)
	c.useUID.Store(!o.SequenceNumbers)
	c.folderEncode.Store(!o.RawFolderNames)
	c.normaliseTimes.Store(o.NormaliseTimes)
	return c
}

// lock takes the connection for one call, or gives up when ctx ends. If
// the connection is idling, the idler is asked to yield and IDLE is ended
// (DONE) for the duration of the call; unlock resumes it.
func (c *Client) lock(ctx context.Context) error {
	c.waiting.Add(1)
	select {
	case c.sem <- struct{}{}:
		c.waiting.Add(-1)
	default:
		select {
		case c.preempt <- struct{}{}:
		default:
		}
		select {
		case c.sem <- struct{}{}:
			c.waiting.Add(-1)
		case <-ctx.Done():
			c.waiting.Add(-1)
			return ctx.Err()
		}
	}
	if c.idle.cmd != nil {
		if err := c.pauseIdle(ctx); err != nil {
			<-c.sem
			return err
		}
	}
	return nil
}

// lockIdle takes the connection for the IDLE methods, which keep IDLE
// running.
func (c *Client) lockIdle(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlock gives the connection back, resuming IDLE if the user is idling.
func (c *Client) unlock() {
	if c.idle.wanted && c.idle.cmd == nil && c.conn.Err() == nil {
		c.resumeIdle()
	}
	// Between calls (and while idling with nobody waiting for updates)
	// the connection holds no read or write buffer.
	c.conn.ReleaseBuffers()
	<-c.sem
}

// Conn returns the session layer, the escape hatch for commands this
// package does not model. Hold the client's turn while using it: call it
// only inside Client.Do.
func (c *Client) Conn() *imapconn.Conn { return c.conn }

// Do runs fn with exclusive use of the underlying session, for raw
// commands: c.Do(ctx, func(conn *imapconn.Conn) error { ... }).
func (c *Client) Do(ctx context.Context, fn func(conn *imapconn.Conn) error) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	return fn(c.conn)
}

// Welcome returns the server's greeting (IMAPClient's welcome).
func (c *Client) Welcome() *imap.StatusResponse { return c.conn.Greeting() }

// NetConn returns the underlying network connection (IMAPClient's
// socket()): a *tls.Conn under TLS. Reading or writing it corrupts the
// session.
func (c *Client) NetConn() net.Conn { return c.conn.NetConn() }

// TLSConnectionState returns the TLS state, and false without TLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.NetConn().(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Close closes the connection without LOGOUT. It is idempotent and safe to
// call from any goroutine, also while another call is in progress (which
// then fails with an error matching ErrAbort or ErrClosed).
func (c *Client) Close() error { return c.conn.Close() }

// UseUID reports whether methods take and return UIDs (the default) rather
// than sequence numbers.
func (c *Client) UseUID() bool { return c.useUID.Load() }

// SetUseUID switches between UIDs (true) and sequence numbers (false) for
// the following calls.
func (c *Client) SetUseUID(v bool) { c.useUID.Store(v) }

// FolderEncode reports whether folder names are encoded to and decoded
// from modified UTF-7 (the default).
func (c *Client) FolderEncode() bool { return c.folderEncode.Load() }

// SetFolderEncode turns folder name encoding on or off. Off, names are
// sent and returned exactly as given.
func (c *Client) SetFolderEncode(v bool) { c.folderEncode.Store(v) }

// NormaliseTimes reports whether times from the server are converted to
// local time.
func (c *Client) NormaliseTimes() bool { return c.normaliseTimes.Load() }

// SetNormaliseTimes turns conversion of server times to local time on or
// off (off keeps the server's zone).
func (c *Client) SetNormaliseTimes(v bool) { c.normaliseTimes.Store(v) }

// State returns the protocol state: "not authenticated", "authenticated",
// "selected" or "logout".
func (c *Client) State() string { return c.conn.State().String() }
