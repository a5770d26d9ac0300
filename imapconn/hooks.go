package imapconn

import "github.com/imapclient-go/imapclient/imapwire"

// SetUnilateral replaces Options.Unilateral: fn receives the untagged
// responses that no command in flight claimed. Call it before the
// connection is used concurrently.
func (c *Conn) SetUnilateral(fn func(r *imapwire.Response)) { c.opts.Unilateral = fn }

// Buffered reports how many bytes were received and not yet decoded: a
// non-zero value means another response may be ready without waiting.
func (c *Conn) Buffered() int { return c.dec.Buffered() }
