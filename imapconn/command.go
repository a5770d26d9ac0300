package imapconn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Handler receives the untagged responses that arrive while a command is
// in flight. It returns true when it used the response; responses no
// command uses go to Options.Unilateral. For FETCH it may read the items
// with r.NextFetchItem. An error is kept and returned by Wait, after the
// command completed, so the stream stays in step.
type Handler func(r *imapwire.Response) (used bool, err error)

// ContinueFunc answers a continuation request ("+ text") for commands
// that converse with the server, such as AUTHENTICATE and IDLE. It returns
// the line to send without CRLF (nil to send nothing) and whether that
// line is secret (it is then not logged).
type ContinueFunc func(text string) (line []byte, secret bool, err error)

// Command is a command in flight.
type Command struct {
	// Tag and Name identify the command.
	Tag, Name string

	handler  Handler
	cont     ContinueFunc
	status   *imap.StatusResponse
	err      error // handler error, or the connection's
	done     bool
	gotCont  bool // a continuation request arrived (sync literal)
	wantCont bool // waiting for "+" before a synchronising literal
	abandon  bool // the caller gave up waiting: drop its responses
	contErrs error
	startAt  int64 // transport byte count when writing began
}

// Status returns the completion result once the command is done.
func (cmd *Command) Status() *imap.StatusResponse { return cmd.status }

// Done reports whether the command completed.
func (cmd *Command) Done() bool { return cmd.done }

// Build describes the arguments of a command: it writes them with the
// encoder after the name. It may be nil for commands without arguments.
type Build func(e *imapwire.Encoder)

// Execute sends a command and waits for its completion. It returns the
// tagged status; a NO or BAD is returned as a *imap.StatusError together
// with the status.
func (c *Conn) Execute(ctx context.Context, name string, build Build, h Handler) (*imap.StatusResponse, error) {
	cmd, err := c.Start(ctx, name, build, h, nil)
	if err != nil {
		return nil, err
	}
	return c.Wait(ctx, cmd)
}

// Start writes a command and returns without waiting for its completion,
// so several commands can be pipelined. Synchronising literals are sent
// after the server's continuation request, which Start waits for. cont
// answers further continuation requests (nil for ordinary commands).
func (c *Conn) Start(ctx context.Context, name string, build Build, h Handler, cont ContinueFunc) (*Command, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &CanceledError{Command: name, Err: err}
	}
	defer c.tr.bind(ctx)()
	if err := c.drain(ctx); err != nil {
		return nil, err
	}
	tag := c.nextTag()
	c.enc.Begin(tag, name)
	if build != nil {
		build(c.enc)
	}
	enc, err := c.enc.Finish()
	if err != nil {
		c.tagNum-- // nothing was sent: the tag is free again
		return nil, fmt.Errorf("imapconn: %s: %w", name, err)
	}
	cmd := &Command{Tag: tag, Name: name, handler: h, cont: cont, startAt: c.tr.bytesWritten()}
	c.inflight = append(c.inflight, cmd)
	if err := c.writeCommand(ctx, cmd, enc); err != nil {
		return cmd, err
	}
	return cmd, nil
}

// writeCommand sends the chunks, waiting for "+" before each synchronising
// literal. A tagged answer instead of "+" ends the command early (the
// server refused the literal).
func (c *Conn) writeCommand(ctx context.Context, cmd *Command, enc *imapwire.Command) error {
	for i := range enc.Chunks {
		ch := &enc.Chunks[i]
		c.logCommandChunk(cmd, ch)
		if _, err := c.w().Write(ch.Text); err != nil {
			return c.writeFailed(ctx, cmd, err)
		}
		if !ch.HasLiteral() {
			continue
		}
		if ch.Sync {
			if err := c.w().Flush(); err != nil {
				return c.writeFailed(ctx, cmd, err)
			}
			cmd.gotCont, cmd.wantCont = false, true
			for !cmd.gotCont && !cmd.done {
				if err := c.readOne(ctx); err != nil {
					if cerr := ctxCause(ctx, err); cerr != nil {
						// Half-written: the server waits for the literal,
						// so the command can be neither finished nor
						// drained.
						c.fail("write", cerr)
						return &CanceledError{Command: cmd.Name, Err: cerr}
					}
					if ferr := c.readFailed(ctx, cmd, err); ferr != nil {
						return ferr
					}
				}
			}
			cmd.wantCont = false
			if cmd.done {
				return nil // refused: Wait reports the status
			}
		}
		var err error
		if ch.LiteralReader != nil {
			var n int64
			n, err = io.CopyN(c.w(), ch.LiteralReader, ch.LiteralSize)
			if err != nil && n < ch.LiteralSize && c.tr.ctxErr() == nil {
				// The caller's reader failed: the command cannot be completed.
				return c.fail("write", fmt.Errorf("literal source: %w", err))
			}
		} else {
			_, err = c.w().Write(ch.Literal)
		}
		if err != nil {
			return c.writeFailed(ctx, cmd, err)
		}
	}
	if err := c.w().Flush(); err != nil {
		return c.writeFailed(ctx, cmd, err)
	}
	return nil
}

// writeFailed handles a failed write: a half-written command leaves the
// connection unusable.
func (c *Conn) writeFailed(ctx context.Context, cmd *Command, err error) error {
	cerr := ctxCause(ctx, err)
	if cerr == nil {
		return c.fail("write", err)
	}
	var ns notSent
	if errors.As(err, &ns) && c.tr.bytesWritten() == cmd.startAt && c.z == nil {
		// Nothing reached the server: forget the command, keep the
		// connection.
		c.w().Reset(c.tr)
		c.forget(cmd)
		return &CanceledError{Command: cmd.Name, Err: cerr}
	}
	c.fail("write", cerr)
	return &CanceledError{Command: cmd.Name, Err: cerr}
}

func (c *Conn) forget(cmd *Command) {
	for i, x := range c.inflight {
		if x == cmd {
			c.inflight = append(c.inflight[:i], c.inflight[i+1:]...)
			return
		}
	}
}

// Wait reads responses until cmd completes and returns its status. If ctx
// ends first, Wait returns a *CanceledError at once and the connection
// stays usable: the command's responses are drained later. A response that
// did not parse is skipped and logged; the command still completes, and
// Wait returns its status together with a *ProtocolError (data the
// command needed may be missing).
func (c *Conn) Wait(ctx context.Context, cmd *Command) (*imap.StatusResponse, error) {
	if !cmd.done {
		if err := c.usable(); err != nil {
			return nil, err
		}
		defer c.tr.bind(ctx)()
		for !cmd.done {
			if err := c.readOne(ctx); err != nil {
				if ferr := c.readFailed(ctx, cmd, err); ferr != nil {
					return nil, ferr
				}
			}
		}
	}
	if cmd.status == nil {
		if cmd.err != nil {
			return nil, cmd.err
		}
		return nil, c.err
	}
	if err := cmd.status.Err(cmd.Name); err != nil {
		return cmd.status, err
	}
	return cmd.status, cmd.err
}

// readFailed turns a read error into the caller's error: cancellation
// abandons the command and keeps the connection; anything else is fatal.
func (c *Conn) readFailed(ctx context.Context, cmd *Command, err error) error {
	if cerr := ctxCause(ctx, err); cerr != nil {
		cmd.abandon = true
		return &CanceledError{Command: cmd.Name, Abandoned: true, Err: cerr}
	}
	if imapwire.IsRecoverable(err) {
		// One response was skipped; the stream is in step. Report it on
		// the command without aborting.
		c.log.Debug("imap: skipped a response that does not parse", "command", cmd.Name, "err", err)
		if cmd.err == nil {
			cmd.err = &ProtocolError{Msg: err.Error(), Err: err}
		}
		return nil
	}
	return c.fail("read", err)
}

// drain finishes abandoned commands before a new one is written, within
// Options.DrainTimeout.
func (c *Conn) drain(ctx context.Context) error {
	pending := false
	for _, cmd := range c.inflight {
		if cmd.abandon && !cmd.done {
			pending = true
		}
	}
	if !pending {
		return nil
	}
	c.tr.mu.Lock()
	c.tr.drainEnd = c.drainDeadline()
	c.tr.mu.Unlock()
	defer func() {
		c.tr.mu.Lock()
		c.tr.drainEnd = time.Time{}
		c.tr.mu.Unlock()
	}()
	for {
		busy := false
		for _, cmd := range c.inflight {
			if cmd.abandon && !cmd.done {
				busy = true
			}
		}
		if !busy {
			return nil
		}
		if err := c.readOne(ctx); err != nil {
			if cerr := ctxCause(ctx, err); cerr != nil {
				return &CanceledError{Command: "drain", Err: cerr}
			}
			if imapwire.IsRecoverable(err) {
				continue
			}
			return c.fail("drain", fmt.Errorf("server did not complete an abandoned command: %w", err))
		}
	}
}

// Poll reads and dispatches one response. It is used while waiting for
// unsolicited data, for example during IDLE.
func (c *Conn) Poll(ctx context.Context) error {
	if err := c.usable(); err != nil {
		return err
	}
	defer c.tr.bind(ctx)()
	if err := c.readOne(ctx); err != nil {
		if cerr := ctxCause(ctx, err); cerr != nil {
			return &CanceledError{Command: "poll", Abandoned: true, Err: cerr}
		}
		if imapwire.IsRecoverable(err) {
			return &ProtocolError{Msg: err.Error(), Err: err}
		}
		return c.fail("read", err)
	}
	return nil
}

// WriteLine writes one line (CRLF is added) outside any command, such as
// IDLE's DONE. CR and LF inside line are refused.
func (c *Conn) WriteLine(ctx context.Context, line []byte, secret bool) error {
	if err := c.usable(); err != nil {
		return err
	}
	if strings.ContainsAny(string(line), "\r\n") {
		return fmt.Errorf("imapconn: line holds CR or LF: %w", imapwire.ErrInvalidArgument)
	}
	defer c.tr.bind(ctx)()
	c.logLine(line, secret)
	c.w().Write(line)
	c.w().WriteString("\r\n")
	if err := c.w().Flush(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return c.fail("write", cerr)
		}
		return c.fail("write", err)
	}
	return nil
}

// readOne reads one response and dispatches it.
func (c *Conn) readOne(ctx context.Context) error {
	r, err := c.dec.ReadResponse()
	if err != nil {
		return err
	}
	switch r.Kind {
	case imapwire.Continuation:
		return c.onContinuation(ctx, r)
	case imapwire.Tagged:
		return c.onTagged(r)
	}
	return c.onUntagged(r)
}

func (c *Conn) onContinuation(ctx context.Context, r *imapwire.Response) error {
	// "+" answers the command being written when it waits to send a
	// literal; earlier commands in flight (pipelined) did not ask for it.
	for _, cmd := range c.inflight {
		if cmd.wantCont && !cmd.done {
			cmd.gotCont = true
			return nil
		}
	}
	for _, cmd := range c.inflight {
		if cmd.done {
			continue
		}
		if cmd.cont != nil && !cmd.abandon {
			line, secret, err := cmd.cont(r.Text)
			if err != nil {
				// Cancel the exchange (RFC 4422 section 3.5 uses "*").
				if cmd.contErrs == nil {
					cmd.contErrs = err
				}
				line, secret = []byte("*"), false
			}
			if line != nil {
				c.logLine(line, secret)
				c.w().Write(line)
				c.w().WriteString("\r\n")
				return c.w().Flush()
			}
			return nil
		}
	}
	c.log.Debug("imap: continuation request nobody asked for", "text", r.Text)
	return nil
}

func (c *Conn) onTagged(r *imapwire.Response) error {
	for i, cmd := range c.inflight {
		if cmd.Tag != r.Tag {
			continue
		}
		c.inflight = append(c.inflight[:i], c.inflight[i+1:]...)
		cmd.status, cmd.done = r.Status, true
		if cmd.err == nil && cmd.contErrs != nil {
			cmd.err = cmd.contErrs
		}
		c.noteStatus(r.Status)
		c.noteCompletion(cmd)
		return nil
	}
	c.log.Debug("imap: tagged response for an unknown command", "tag", r.Tag)
	return nil
}

// noteCompletion tracks the protocol state from completed commands.
func (c *Conn) noteCompletion(cmd *Command) {
	ok := cmd.status.Type == imap.StatusOK
	switch cmd.Name {
	case "LOGIN", "AUTHENTICATE":
		if ok {
			c.SetState(Authenticated)
		}
	case "SELECT", "EXAMINE":
		if ok {
			c.SetState(Selected)
		} else if c.State() == Selected {
			c.SetState(Authenticated) // a failed SELECT deselects (RFC 3501 6.3.1)
		}
	case "CLOSE", "UNSELECT":
		if ok {
			c.SetState(Authenticated)
		}
	case "UNAUTHENTICATE":
		if ok {
			c.SetState(NotAuthenticated)
			c.caps, c.enabled = nil, nil
		}
	case "LOGOUT":
		c.SetState(Logout)
	}
}

func (c *Conn) onUntagged(r *imapwire.Response) error {
	switch r.Name {
	case "CAPABILITY":
		c.setCaps(r.Data.([]string))
	case "ENABLED":
		if c.enabled == nil {
			c.enabled = imap.Caps{}
		}
		for _, n := range r.Data.([]string) {
			c.enabled[strings.ToUpper(n)] = struct{}{}
		}
		c.enc.SetOptions(c.encoderOptions())
	case "BYE":
		c.SetState(Logout)
		c.bye = r.Status
	}
	if r.Status != nil {
		c.noteStatus(r.Status)
	}
	for _, cmd := range c.inflight {
		if cmd.done || cmd.abandon || cmd.handler == nil {
			continue
		}
		used, err := cmd.handler(r)
		if err != nil && cmd.err == nil {
			cmd.err = err
		}
		if used {
			return nil
		}
	}
	if c.opts.Unilateral != nil {
		c.opts.Unilateral(r)
	}
	return nil
}

// ctxCause returns the context's error when err was caused by the context
// ending (the connection's deadline may fire a moment before ctx.Err is
// set), or nil.
func ctxCause(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return context.DeadlineExceeded
	}
	if cerr := ctx.Err(); cerr != nil && isTimeout(err) {
		return cerr
	}
	return nil
}
