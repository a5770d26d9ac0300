package imapclient

import (
	"context"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
)

// Compress turns on COMPRESS=DEFLATE (RFC 4978) for the rest of the
// session: it typically cuts the bytes received 7 to 9 times for
// metadata-heavy work. It needs the capability, which servers announce
// after login. Options.Compress does it automatically after login.
func (c *Client) Compress(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	return c.compressLocked(ctx)
}

func (c *Client) compressLocked(ctx context.Context) error {
	if err := c.requireCap(ctx, imap.CapCompress, "COMPRESS"); err != nil {
		return err
	}
	return c.conn.Compress(ctx)
}

// CompressStats reports the bytes on the wire and the bytes of protocol
// since compression started (zeros without compression).
func (c *Client) CompressStats() imapconn.CompressStats { return c.conn.CompressStats() }

// afterLogin runs what Options ask for once authenticated.
func (c *Client) afterLogin(ctx context.Context) error {
	if err := c.enableUTF8Locked(ctx); err != nil {
		return err
	}
	if c.opts.Compress {
		caps, err := c.capsLocked(ctx)
		if err != nil {
			return err
		}
		if caps.Has(imap.CapCompress) {
			return c.compressLocked(ctx)
		}
	}
	return nil
}
