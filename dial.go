package imapclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
)

// Dial connects to the IMAP server at host, reads its greeting and, in
// StartTLS mode, upgrades the connection before returning. host is a name
// or address, optionally with ":port". Options nil means implicit TLS on
// port 993 with certificates verified against the system roots.
func Dial(ctx context.Context, host string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	addr, name, err := dialAddr(host, &o)
	if err != nil {
		return nil, err
	}
	if o.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.ConnectTimeout)
		defer cancel()
	}
	d := net.Dialer{}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("imapclient: dial %s: %w", addr, err)
	}
	secure := false
	if o.Security == ImplicitTLS {
		tc := tls.Client(nc, tlsConfig(&o, name))
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("imapclient: TLS handshake with %s: %w", addr, err)
		}
		nc, secure = tc, true
	}
	c, err := start(ctx, nc, name, o, secure)
	if err != nil {
		return nil, err
	}
	if o.Security == StartTLS {
		if err := c.startTLS(ctx, tlsConfig(&o, name)); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// New makes a client on an established connection and reads the
// greeting. The connection counts as secure when it is a *tls.Conn;
// Options.Security is not used (call StartTLS to upgrade).
func New(ctx context.Context, nc net.Conn, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	_, secure := nc.(*tls.Conn)
	host, _, _ := net.SplitHostPort(nc.RemoteAddr().String())
	return start(ctx, nc, host, o, secure)
}

func start(ctx context.Context, nc net.Conn, host string, o Options, secure bool) (*Client, error) {
	conn := imapconn.New(nc, &imapconn.Options{
		Logger:       o.Logger,
		ReadTimeout:  o.ReadTimeout,
		WriteTimeout: o.ReadTimeout,
		DrainTimeout: o.DrainTimeout,
		Limits:       o.Limits,
	})
	gctx := ctx
	if o.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		gctx, cancel = context.WithTimeout(ctx, o.ConnectTimeout)
		defer cancel()
	}
	if _, err := conn.ReadGreeting(gctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("imapclient: greeting: %w", err)
	}
	return newClient(conn, host, o, secure), nil
}

func dialAddr(host string, o *Options) (addr, name string, err error) {
	if h, p, err := net.SplitHostPort(host); err == nil {
		return host, h, nil
	} else if p != "" {
		return "", "", err
	}
	port := o.Port
	if port == 0 {
		port = 143
		if o.Security == ImplicitTLS {
			port = 993
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), host, nil
}

func tlsConfig(o *Options, host string) *tls.Config {
	if o.TLSConfig == nil {
		return DefaultTLSConfig(host)
	}
	cfg := o.TLSConfig.Clone()
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg.ServerName = host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// StartTLS upgrades a plain-text connection with STARTTLS (RFC 3501
// section 6.2.1). config nil means DefaultTLSConfig for the host dialled.
// It fails, without sending anything, when the server does not announce
// STARTTLS. Capabilities are asked again afterwards.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if config == nil {
		config = tlsConfig(&c.opts, c.host)
	}
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	return c.startTLS(ctx, config)
}

func (c *Client) startTLS(ctx context.Context, config *tls.Config) error {
	if c.secure {
		return fmt.Errorf("imapclient: STARTTLS on a connection that is already secure")
	}
	if c.conn.State() != imapconn.NotAuthenticated {
		return &IllegalStateError{Command: "STARTTLS", State: c.conn.State().String(), Need: "not authenticated"}
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	if !caps.Has(imap.CapStartTLS) {
		return &CapabilityError{Capability: imap.CapStartTLS, Command: "STARTTLS"}
	}
	if err := c.conn.StartTLS(ctx, config); err != nil {
		return fmt.Errorf("imapclient: STARTTLS: %w", err)
	}
	c.secure = true
	return nil
}
