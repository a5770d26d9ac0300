package imapconn

import (
	"context"

	"github.com/imapclient-go/imapclient/imapwire"
)

// Next reads responses for cmd, a command written with Start, until an
// untagged response arrives that claim accepts, or cmd completes. It
// returns the accepted response, whose FETCH items the caller reads with
// r.NextFetchItem (large body sections straight from the connection)
// until its next call on the Conn; or nil once cmd has completed, when
// Wait returns its status without reading.
//
// Next is the pull form of a Handler, for streaming: the caller consumes
// a response outside any callback, at its own pace, and the next call
// skips whatever it left unread. claim nil accepts every untagged
// response it is offered. Untagged status responses (OK, NO, BAD, BYE),
// CAPABILITY and ENABLED are never offered: like the responses claim
// rejects, they take Wait's path (the connection's bookkeeping, the
// handlers of commands in flight, then Options.Unilateral).
//
// Errors are Wait's: when ctx ends, cmd is abandoned (a *CanceledError
// with Abandoned set: its remaining responses are drained before the next
// command) and the connection stays usable; a response that cannot be
// decoded is skipped and reported by Wait. Next on an abandoned command
// returns such an error at once.
func (c *Conn) Next(ctx context.Context, cmd *Command, claim func(*imapwire.Response) bool) (*imapwire.Response, error) {
	return c.next(ctx, cmd, claim, nil)
}

// NextInto is Next reading into r, which it overwrites
// (imapwire.Decoder.ReadResponseInto): a caller that is done with each
// response before asking for the next, such as a reader of a long FETCH
// stream, reuses one Response for the whole command. It returns r, or nil
// when cmd has completed. Responses that go to the connection instead are
// copied first, so r is never kept.
func (c *Conn) NextInto(ctx context.Context, cmd *Command, claim func(*imapwire.Response) bool, r *imapwire.Response) (*imapwire.Response, error) {
	return c.next(ctx, cmd, claim, r)
}

// next is Next, reading into buf when it is not nil.
func (c *Conn) next(ctx context.Context, cmd *Command, claim func(*imapwire.Response) bool, buf *imapwire.Response) (*imapwire.Response, error) {
	if cmd.done {
		return nil, nil
	}
	if cmd.abandon {
		return nil, &CanceledError{Command: cmd.Name, Abandoned: true, Err: context.Canceled}
	}
	if err := c.usable(); err != nil {
		return nil, err
	}
	defer c.tr.bind(ctx)()
	for !cmd.done {
		r := buf
		if r == nil {
			r = new(imapwire.Response)
		}
		err := c.dec.ReadResponseInto(r)
		if err == nil {
			if r.Kind == imapwire.Untagged && offered(r) && (claim == nil || claim(r)) {
				return r, nil
			}
			if r == buf {
				cp := *r // the connection may keep it: not the caller's buffer
				r = &cp
			}
			switch r.Kind {
			case imapwire.Continuation:
				err = c.onContinuation(ctx, r)
			case imapwire.Tagged:
				err = c.onTagged(r)
			default:
				err = c.onUntagged(r)
			}
		}
		if err != nil {
			if ferr := c.readFailed(ctx, cmd, err); ferr != nil {
				return nil, ferr
			}
		}
	}
	return nil, nil
}

// offered reports whether Next may hand r to its caller: not the
// responses the connection itself tracks.
func offered(r *imapwire.Response) bool {
	if r.Status != nil {
		return false
	}
	switch r.Name {
	case "CAPABILITY", "ENABLED":
		return false
	}
	return true
}

// Abandon gives up on cmd without waiting for it: its remaining responses
// are read and dropped before the next command is written, within
// Options.DrainTimeout, as after a Wait cancelled by its context. It does
// nothing when cmd has completed. Use it when a reader of Next stops
// early and cannot read on, for example while a panic unwinds.
func (c *Conn) Abandon(cmd *Command) {
	if !cmd.done {
		cmd.abandon = true
	}
}

// Bind makes ctx govern the connection's reads and writes until the
// returned function is called: when ctx ends, a blocked read is
// interrupted at once. Execute, Wait and Next bind their own context for
// their duration; Bind is for data read after they return, such as a
// FETCH body section's io.Reader obtained through Next, so that
// cancellation also reaches a read blocked inside it. Pass the context
// given to Next.
func (c *Conn) Bind(ctx context.Context) (unbind func()) { return c.tr.bind(ctx) }
