package imapclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// idleState is the IDLE bookkeeping, guarded by the connection lock.
type idleState struct {
	wanted  bool              // the user is idling (Idle called, IdleDone not yet)
	poll    bool              // emulating IDLE with NOOP: the server lacks IDLE
	cmd     *imapconn.Command // the IDLE command in flight, or nil while paused
	started time.Time         // when cmd was issued
	gotPlus bool              // the server accepted IDLE with "+"
	buf     []Update          // updates not yet returned to the idler
	lastErr error             // a failure to resume IDLE, reported to the idler
}

const (
	defaultIdleRefresh      = 29 * time.Minute
	defaultIdlePollInterval = 30 * time.Second
)

// Idle puts the connection into IDLE (RFC 2177): the server then sends
// updates as they happen. Read them with IdleCheck and end with IdleDone,
// as in IMAPClient. Other methods may be called from any goroutine in the
// meantime: the client ends IDLE, runs the command and resumes IDLE. When
// the server lacks IDLE, it is emulated by NOOP polling
// (Options.IdlePollInterval).
func (c *Client) Idle(ctx context.Context) error {
	if err := c.lockIdle(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if c.idle.wanted {
		return &IllegalStateError{Command: "IDLE", State: "idling", Need: "not idling"}
	}
	if err := c.requireAuth("IDLE"); err != nil {
		return err
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	c.idle = idleState{wanted: true, poll: !caps.Has(imap.CapIdle)}
	if c.idle.poll {
		return nil
	}
	if err := c.startIdle(ctx); err != nil {
		c.idle = idleState{}
		return err
	}
	return nil
}

// startIdle sends IDLE and waits for the server's "+".
func (c *Client) startIdle(ctx context.Context) error {
	c.idle.gotPlus = false
	cmd, err := c.conn.Start(ctx, "IDLE", nil, c.idleHandler, func(string) ([]byte, bool, error) {
		c.idle.gotPlus = true
		return nil, false, nil
	})
	if err != nil {
		return err
	}
	for !c.idle.gotPlus && !cmd.Done() {
		if err := c.conn.Poll(ctx); err != nil {
			var pe *ProtocolError
			if errors.As(err, &pe) {
				continue
			}
			return err
		}
	}
	if cmd.Done() {
		_, err := c.conn.Wait(ctx, cmd)
		if err == nil {
			err = &ProtocolError{Msg: "IDLE completed without a continuation request"}
		}
		return err
	}
	c.idle.cmd, c.idle.started = cmd, time.Now()
	return nil
}

// idleHandler receives everything the server sends during IDLE.
func (c *Client) idleHandler(r *imapwire.Response) (bool, error) {
	u := c.toUpdate(r)
	c.noteUpdate(u)
	c.idle.buf = append(c.idle.buf, u)
	return true, nil
}

// stopIdle sends DONE and waits for IDLE to complete (RFC 2177 section 3).
func (c *Client) stopIdle(ctx context.Context) error {
	cmd := c.idle.cmd
	if cmd == nil {
		return nil
	}
	c.idle.cmd = nil
	if !cmd.Done() {
		if err := c.conn.WriteLine(ctx, []byte("DONE"), false); err != nil {
			return err
		}
	}
	_, err := c.conn.Wait(ctx, cmd)
	return err
}

// pauseIdle ends IDLE for another method's command.
func (c *Client) pauseIdle(ctx context.Context) error {
	if err := c.stopIdle(ctx); err != nil {
		return fmt.Errorf("imapclient: ending IDLE: %w", err)
	}
	return nil
}

// resumeIdle re-issues IDLE after another method's command. A failure is
// kept for the idler, who is told at its next call.
func (c *Client) resumeIdle() {
	if c.idle.poll {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.resumeTimeout())
	defer cancel()
	if err := c.startIdle(ctx); err != nil && c.idle.lastErr == nil {
		c.idle.lastErr = fmt.Errorf("imapclient: resuming IDLE: %w", err)
	}
}

func (c *Client) resumeTimeout() time.Duration {
	if c.opts.DrainTimeout > 0 {
		return c.opts.DrainTimeout
	}
	return 10 * time.Second
}

// IdleCheck waits up to timeout for updates during IDLE and returns them
// (IMAPClient's idle_check). It returns as soon as something arrives,
// with everything already received. An empty result means nothing
// happened. When the connection is lost (EOF, BYE, a dead peer caught by
// Options.ReadTimeout) it returns an error at once, and so does every
// later call: never an empty result.
func (c *Client) IdleCheck(ctx context.Context, timeout time.Duration) ([]Update, error) {
	deadline := time.Now().Add(timeout)
	if err := c.lockIdle(ctx); err != nil {
		return nil, err
	}
	for {
		ups, yield, err := c.idleCheckLocked(ctx, deadline)
		if !yield || err != nil || len(ups) > 0 {
			c.unlock()
			return ups, err
		}
		// Another goroutine wants the connection: let it run (lock pauses
		// and unlock resumes IDLE), then go on waiting.
		c.unlock()
		if err := c.lockIdle(ctx); err != nil {
			return nil, err
		}
	}
}

// idleCheckLocked waits with the connection held. yield reports that it
// stopped early because another goroutine is waiting.
func (c *Client) idleCheckLocked(ctx context.Context, deadline time.Time) (ups []Update, yield bool, err error) {
	if !c.idle.wanted {
		return nil, false, &IllegalStateError{Command: "IdleCheck", State: "not idling", Need: "idling (call Idle first)"}
	}
	if err := c.conn.Err(); err != nil {
		return c.takeIdleBuf(), false, err
	}
	if err := c.idle.lastErr; err != nil {
		c.idle.lastErr = nil
		return c.takeIdleBuf(), false, err
	}
	if len(c.idle.buf) > 0 {
		return c.takeIdleBuf(), false, nil
	}
	if c.idle.poll {
		return c.pollOnce(ctx, deadline)
	}
	if time.Since(c.idle.started) > c.idleRefresh() {
		if err := c.stopIdle(ctx); err != nil {
			return nil, false, err
		}
		if err := c.startIdle(ctx); err != nil {
			return nil, false, err
		}
	}
	for len(c.idle.buf) == 0 {
		if c.waiting.Load() > 0 {
			return nil, true, nil
		}
		wait := time.Until(deadline)
		if r := c.idleRefresh() - time.Since(c.idle.started); r < wait {
			wait = r
		}
		if wait <= 0 {
			return nil, false, nil
		}
		err := c.pollPreemptible(ctx, wait)
		if errors.Is(err, errPreempted) {
			return c.takeIdleBuf(), true, nil
		}
		if errors.Is(err, errWaitOver) {
			if time.Now().After(deadline) {
				return c.takeIdleBuf(), false, nil
			}
			continue // the refresh time came: checked on the next call
		}
		if err != nil {
			return c.takeIdleBuf(), false, err
		}
		if c.idle.cmd != nil && c.idle.cmd.Done() {
			// The server ended IDLE on its own: start again.
			st, werr := c.conn.Wait(ctx, c.idle.cmd)
			c.idle.cmd = nil
			if werr != nil {
				return c.takeIdleBuf(), false, werr
			}
			_ = st
			if err := c.startIdle(ctx); err != nil {
				return c.takeIdleBuf(), false, err
			}
		}
	}
	// Take whatever else has already arrived.
	for c.conn.Buffered() > 0 {
		if err := c.pollPreemptible(ctx, 50*time.Millisecond); err != nil {
			break
		}
	}
	return c.takeIdleBuf(), false, nil
}

var (
	errPreempted = errors.New("imapclient: preempted")
	errWaitOver  = errors.New("imapclient: wait over")
)

// pollPreemptible reads one response, waiting at most wait, and gives up
// early when another goroutine asks for the connection.
func (c *Client) pollPreemptible(ctx context.Context, wait time.Duration) error {
	select { // drop a stale request; waiting is checked below
	case <-c.preempt:
	default:
	}
	pctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	preempted := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		select {
		case <-c.preempt:
			close(preempted)
			cancel()
		case <-stop:
		}
	}()
	defer close(stop)
	if c.waiting.Load() > 0 {
		return errPreempted
	}
	err := c.conn.Poll(pctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ce *imapconn.CanceledError
	if errors.As(err, &ce) {
		select {
		case <-preempted:
			return errPreempted
		default:
			return errWaitOver
		}
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return nil // one malformed response was skipped
	}
	return err
}

// pollOnce emulates IDLE: NOOP, then sleep until the next poll or the
// deadline, giving way to other goroutines.
func (c *Client) pollOnce(ctx context.Context, deadline time.Time) ([]Update, bool, error) {
	for {
		if _, err := c.conn.Execute(ctx, "NOOP", nil, c.idleHandler); err != nil {
			return c.takeIdleBuf(), false, err
		}
		if len(c.idle.buf) > 0 {
			return c.takeIdleBuf(), false, nil
		}
		wait := time.Until(deadline)
		if iv := c.idlePollInterval(); iv < wait {
			wait = iv
		}
		if wait <= 0 {
			return nil, false, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-c.preempt:
			t.Stop()
			return nil, true, nil
		case <-ctx.Done():
			t.Stop()
			return nil, false, ctx.Err()
		case <-t.C:
		}
		if time.Now().After(deadline) {
			return nil, false, nil
		}
	}
}

func (c *Client) takeIdleBuf() []Update {
	b := c.idle.buf
	c.idle.buf = nil
	return b
}

func (c *Client) idleRefresh() time.Duration {
	if c.opts.IdleRefresh > 0 {
		return c.opts.IdleRefresh
	}
	return defaultIdleRefresh
}

func (c *Client) idlePollInterval() time.Duration {
	if c.opts.IdlePollInterval > 0 {
		return c.opts.IdlePollInterval
	}
	return defaultIdlePollInterval
}

// IdleDone ends IDLE (IMAPClient's idle_done) and returns the updates that
// arrived and were not yet returned. It returns within ctx's deadline even
// when the network is gone.
func (c *Client) IdleDone(ctx context.Context) ([]Update, error) {
	if err := c.lockIdle(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if !c.idle.wanted {
		return nil, &IllegalStateError{Command: "IdleDone", State: "not idling", Need: "idling"}
	}
	err := c.conn.Err()
	if err == nil {
		err = c.stopIdle(ctx)
	}
	ups := c.takeIdleBuf()
	c.idle = idleState{}
	return ups, err
}

// IdleUpdates idles and yields updates as they arrive until ctx ends or
// the connection fails, the Go form of IDLE:
//
//	for u, err := range c.IdleUpdates(ctx) { ... }
//
// IDLE is re-issued every Options.IdleRefresh, emulated with NOOP when the
// server lacks it, and ended with DONE when the loop stops.
func (c *Client) IdleUpdates(ctx context.Context) iter.Seq2[Update, error] {
	return func(yield func(Update, error) bool) {
		if err := c.Idle(ctx); err != nil {
			yield(nil, err)
			return
		}
		defer func() {
			dctx, cancel := context.WithTimeout(context.Background(), c.resumeTimeout())
			defer cancel()
			_, _ = c.IdleDone(dctx)
		}()
		for {
			ups, err := c.IdleCheck(ctx, c.idleRefresh())
			for _, u := range ups {
				if !yield(u, nil) {
					return
				}
			}
			if err != nil {
				if ctx.Err() == nil {
					yield(nil, err)
				}
				return
			}
		}
	}
}

// onUnilateral receives untagged responses no method claimed.
func (c *Client) onUnilateral(r *imapwire.Response) { c.deliver(c.toUpdate(r)) }

// deliver hands an update to the folder view, then to the idler's buffer
// or Options.OnUpdate. The connection is held.
func (c *Client) deliver(u Update) {
	c.noteUpdate(u)
	if c.idle.wanted {
		c.idle.buf = append(c.idle.buf, u)
		return
	}
	if c.opts.OnUpdate != nil {
		c.opts.OnUpdate(u)
	}
}
