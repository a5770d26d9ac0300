package imapclient_test

import (
	"context"
	"errors"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/mutf7"
)

func rawSelect(t *testing.T, c *imapclient.Client, folder string) {
	t.Helper()
	raw(t, c, "SELECT", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(folder)) })
}

// waitFor runs IdleCheck until pred accepts an update or the time is up.
func waitFor(t *testing.T, c *imapclient.Client, what string, pred func(imapclient.Update) bool) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) {
		ups, err := c.IdleCheck(ctxT(t), 2*time.Second)
		if err != nil {
			t.Fatalf("IdleCheck waiting for %s: %v", what, err)
		}
		for _, u := range ups {
			if pred(u) {
				return
			}
		}
	}
	t.Fatalf("no %s update within 10 s", what)
}

func TestServerIdleSeesOtherSessions(t *testing.T) {
	c, d := serverLoggedIn(t)
	folder := tempFolder(t, c, "idle")
	seed(t, c, folder, nil, testMessage("a@x.org", "b@x.org", "one", "1"))
	rawSelect(t, c, folder)
	other := dialTLS(t, d, nil)
	login(t, other, testrig.Alice)

	if err := c.Idle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	seed(t, other, folder, nil, testMessage("a@x.org", "b@x.org", "two", "2"))
	waitFor(t, c, "EXISTS", func(u imapclient.Update) bool {
		e, ok := u.(*imapclient.ExistsUpdate)
		return ok && e.Count == 2
	})
	if v, ok := c.FolderView(); !ok || v.Exists != 2 {
		t.Errorf("FolderView = %+v, %v", v, ok)
	}
	rawSelect(t, other, folder)
	raw(t, other, "STORE", func(e *imapwire.Encoder) { e.SP().Raw("1 +FLAGS (\\Flagged)") })
	waitFor(t, c, "FETCH flags", func(u imapclient.Update) bool {
		f, ok := u.(*imapclient.FetchUpdate)
		return ok && f.SeqNum == 1 && len(f.Flags) > 0
	})
	raw(t, other, "STORE", func(e *imapwire.Encoder) { e.SP().Raw("1 +FLAGS.SILENT (\\Deleted)") })
	raw(t, other, "EXPUNGE", nil)
	waitFor(t, c, "EXPUNGE", func(u imapclient.Update) bool {
		e, ok := u.(*imapclient.ExpungeUpdate)
		return ok && e.SeqNum == 1
	})
	if _, err := c.IdleDone(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestServerIdleWhileOtherGoroutineCalls(t *testing.T) {
	c, _ := serverLoggedIn(t)
	folder := tempFolder(t, c, "idle2")
	rawSelect(t, c, folder)
	if err := c.Idle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The idler waits long; the other goroutine must not wait for it.
		if _, err := c.IdleCheck(ctxT(t), 3*time.Second); err != nil {
			errs <- err
		}
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	for i := 0; i < 3; i++ {
		if _, err := c.Capabilities(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Noop(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("calls during IDLE took %v: they waited for the idler", el)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := c.IdleDone(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestServerIdleUpdatesIterator(t *testing.T) {
	c, d := serverLoggedIn(t)
	folder := tempFolder(t, c, "idle3")
	rawSelect(t, c, folder)
	other := dialTLS(t, d, nil)
	login(t, other, testrig.Alice)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The APPEND runs in its own goroutine, which the test waits for: the
	// EXISTS may reach the idler before the APPEND's OK reaches other (at
	// once with the memserver), and other must stay open until then.
	appended := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		msg := testMessage("a@x.org", "b@x.org", "iter", "x")
		_, err := other.Append(ctx, folder, []byte(msg), nil, time.Time{})
		appended <- err
	}()
	defer func() {
		if err := <-appended; err != nil {
			t.Errorf("APPEND from the other session: %v", err)
		}
	}()
	got := false
	for u, err := range c.IdleUpdates(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := u.(*imapclient.ExistsUpdate); ok && e.Count == 1 {
			got = true
			break
		}
	}
	if !got {
		t.Fatal("no EXISTS from the iterator")
	}
	// The loop ended IDLE: the client works normally.
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// A killed server process during IDLE is an error at once and on every
// later call: never an empty result (IMAPClient's busy loop, #565).
func TestServerIdleServerKilled(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "exec")
	args := d.ExecArgs("alice")
	cmd := exec.Command(args[0], args[1:]...)
	c, err := imapclient.DialCommand(ctxT(t), cmd, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw(t, c, "SELECT", func(e *imapwire.Encoder) { e.SP().Atom("INBOX") })
	if err := c.Idle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Kill()
	}()
	start := time.Now()
	calls := 0
	var lastErr error
	for time.Since(start) < 3*time.Second {
		calls++
		ups, err := c.IdleCheck(ctxT(t), 5*time.Second)
		if err != nil {
			lastErr = err
			break
		}
		if len(ups) == 0 {
			t.Fatalf("IdleCheck returned nothing after %v instead of an error", time.Since(start))
		}
	}
	if lastErr == nil || !errors.Is(lastErr, imapclient.ErrAbort) {
		t.Fatalf("IdleCheck after the kill: %v", lastErr)
	}
	if el := time.Since(start); el > time.Second+200*time.Millisecond {
		t.Fatalf("error took %v", el)
	}
	if calls > 3 {
		t.Fatalf("%d calls: busy loop", calls)
	}
	for i := 0; i < 3; i++ {
		s := time.Now()
		if _, err := c.IdleCheck(ctxT(t), 5*time.Second); err == nil || time.Since(s) > 100*time.Millisecond {
			t.Fatalf("later IdleCheck: %v after %v", err, time.Since(s))
		}
	}
	dctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s := time.Now()
	if _, err := c.IdleDone(dctx); err == nil {
		t.Fatal("IdleDone on a dead connection succeeded")
	}
	if time.Since(s) > 1100*time.Millisecond {
		t.Fatal("IdleDone hung")
	}
}
