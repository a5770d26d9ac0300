package imapconn

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
)

// StartTLS sends STARTTLS and performs the TLS handshake with config (RFC
// 3501 section 6.2.1). Capabilities are forgotten: the server announces
// them again over TLS or the client asks. Any data received after the OK
// and before the handshake is refused with ErrTLSInjection and the
// connection is closed.
func (c *Conn) StartTLS(ctx context.Context, config *tls.Config) error {
	if config == nil {
		return fmt.Errorf("imapconn: StartTLS needs a tls.Config")
	}
	if len(c.inflight) > 0 {
		return fmt.Errorf("imapconn: StartTLS with commands in flight")
	}
	if _, err := c.Execute(ctx, "STARTTLS", nil, nil); err != nil {
		return err
	}
	if c.dec.Buffered() > 0 {
		return c.fail("starttls", ErrTLSInjection)
	}
	defer c.tr.bind(ctx)()
	tc := tls.Client(c.tr.conn(), config)
	if err := tc.HandshakeContext(ctx); err != nil {
		return c.fail("tls handshake", err)
	}
	c.tr.setConn(tc)
	c.dec.Reset(c.tr)
	c.setWriteTarget(c.tr)
	c.caps = nil
	c.enc.SetOptions(c.encoderOptions())
	return nil
}

// Logout sends LOGOUT (RFC 3501 section 6.1.3), reads the server's BYE and
// closes the connection.
func (c *Conn) Logout(ctx context.Context) error {
	_, err := c.Execute(ctx, "LOGOUT", nil, nil)
	_ = c.Close()
	if err != nil {
		var se *imap.StatusError
		if c.State() == Logout && !asStatus(err, &se) {
			return nil // the server closed after BYE: that is a logout
		}
	}
	return err
}
