package imapclient

// No data loss when the server dies: like TestDataLossRigServer, but at
// each cut point the Dovecot server is killed (SIGKILL to every one of
// its processes, the per-connection imap process included) instead of
// the proxy cutting the connection. Dovecot is then started again on the
// same mail, and a new connection checks that the outcome matches what
// the client reported.
//
// The rig's Dovecot is shared with every other test and must live, so
// this test runs its own (testrig.StartPrivateDovecot), derived from the
// rig's configuration.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/internal/testrig"
)

const (
	// dlKillReturn bounds the time between the kill and the interrupted
	// operation's return.
	dlKillReturn = 5 * time.Second
	// dlKillDead bounds a later call on the dead connection.
	dlKillDead = 2 * time.Second
)

// dlPrivate runs operations against a PrivateDovecot; every connection
// for seeding and reading is new, since a kill ends them all.
type dlPrivate struct {
	d   *testrig.PrivateDovecot
	seq int
}

func (b *dlPrivate) dial(t *testing.T, ctx context.Context) *Client {
	t.Helper()
	c, err := Dial(ctx, b.d.Addr, &Options{Security: Plaintext, AllowInsecureAuth: true})
	if err != nil {
		t.Fatalf("Dial %s: %v", b.d.Addr, err)
	}
	if err := c.Login(ctx, testrig.Alice.Name, testrig.Alice.Password); err != nil {
		c.Close()
		t.Fatalf("Login: %v", err)
	}
	return c
}

func (b *dlPrivate) seed(t *testing.T, ctx context.Context, op dlOp) *dlEnv {
	b.seq++
	e := &dlEnv{src: fmt.Sprintf("kill-%d-src", b.seq), dst: fmt.Sprintf("kill-%d-dst", b.seq)}
	c := b.dial(t, ctx)
	defer c.Close()
	for _, f := range []string{e.src, e.dst} {
		if err := c.CreateFolder(ctx, f); err != nil {
			t.Fatalf("CreateFolder: %v", err)
		}
	}
	e.uid = dlSeed(t, ctx, c, e.src, op)
	if err := c.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	return e
}

func (b *dlPrivate) read(t *testing.T, ctx context.Context, e *dlEnv) (dlState, dlState) {
	c := b.dial(t, ctx)
	defer c.Close()
	return dlReadBoth(t, ctx, c, e)
}

// TestDovecotDataLossKill runs each operation of dlOps once through the
// proxy to learn its commands, then once per cut point (dlCuts: after
// each command was sent, with Dovecot racing to execute it; for APPEND in
// the middle of its literal; after Dovecot's tagged answer reached the
// proxy, which drops it), killing Dovecot there. The MOVE fallback is
// killed at each of its commands (COPY, STORE, UID EXPUNGE). After the
// kill: the operation must return promptly with ErrAbort (nil only when
// Dovecot's OK got through before it died), a later call on the client
// must fail at once with ErrAbort, and once Dovecot is restarted a new
// connection must find what op.check demands: nothing lost, nothing
// expunged that should not be, success only when it happened.
func TestDovecotDataLossKill(t *testing.T) {
	pd := testrig.StartPrivateDovecot(t)
	b := &dlPrivate{d: pd}
	for _, op := range dlOps {
		t.Run(op.name, func(t *testing.T) {
			var tags []string
			t.Run("no kill", func(t *testing.T) {
				p := dlStartProxy(t, pd.Addr, dlCut{})
				var from int
				err := dlRun(t, b, op, func(ctx context.Context) (*Client, error) { return dlProxyClient(ctx, p) },
					func() { from = p.sent() })
				tags = p.sentTags(from)
				t.Logf("commands: %q, error: %v", p.sentCommands(from), err)
			})
			if len(tags) == 0 {
				t.Fatal("the operation sent no command")
			}
			for _, cut := range dlCuts(op, tags) {
				t.Run(cut.String(), func(t *testing.T) { dlKillRun(t, b, op, cut) })
			}
		})
	}
}

// dlKill is what the proxy's hook recorded.
type dlKill struct {
	at     time.Time
	procs  []testrig.Process
	err    error
	killed chan struct{} // closed once the kill is done
}

// dlKillRun runs op through a proxy that kills Dovecot at cut, restarts
// Dovecot and checks the outcome.
func dlKillRun(t *testing.T, b *dlPrivate, op dlOp, cut dlCut) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := b.seed(t, ctx, op)
	k := &dlKill{killed: make(chan struct{})}
	p := dlStartProxyAt(t, b.d.Addr, cut, func() {
		k.at = time.Now()
		k.procs, k.err = b.d.Kill()
		close(k.killed)
	})
	c, err := dlProxyClient(ctx, p)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	DisableCapsForTest(t, c, op.hide...)
	if _, err := c.SelectFolder(ctx, e.src, false); err != nil {
		t.Fatalf("SelectFolder: %v", err)
	}
	opErr := op.run(ctx, c, e)
	returned := time.Now()
	select {
	case <-k.killed:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the kill point was never reached (error %v)", cut, opErr)
	}
	// A later call fails at once: the connection is dead.
	start := time.Now()
	_, noopErr := c.Noop(ctx)
	noopTook := time.Since(start)
	// Restart before judging, so a failure leaves Dovecot running for the
	// next subtest.
	restart := time.Now()
	locks, err := b.d.Restart()
	restartTook := time.Since(restart)
	if k.err != nil {
		t.Fatalf("kill: %v (restart: %v)", k.err, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(k.procs))
	for i, pr := range k.procs {
		names[i] = pr.Name
	}
	if !slices.Contains(names, "imap") {
		t.Errorf("the kill did not reach an imap process: it killed %v", names)
	}
	if took := returned.Sub(k.at); took > dlKillReturn {
		t.Errorf("the operation returned %v after the kill, want within %v", took, dlKillReturn)
	}
	if cut.beforeDone && !errors.Is(opErr, ErrAbort) {
		// Dovecot executed the command and died before its answer could
		// reach the client: the outcome is unknown to the client.
		t.Errorf("%s: the operation returned %v (%T), want an error matching ErrAbort", cut, opErr, opErr)
	}
	if !errors.Is(noopErr, ErrAbort) || noopTook > dlKillDead {
		t.Errorf("Noop on the dead connection: %v after %v, want ErrAbort within %v", noopErr, noopTook, dlKillDead)
	}
	c.Close()
	src, dst := b.read(t, ctx, e)
	op.check(t, opErr, src, dst)
	var mie *MoveIncompleteError
	t.Logf("killed %d processes %v; returned %v after the kill with %v (MoveIncompleteError: %v); Dovecot back in %v (stale locks removed: %v); source %d messages, destination %d",
		len(names), names, returned.Sub(k.at).Round(time.Millisecond), opErr, errors.As(opErr, &mie), restartTook.Round(time.Millisecond), locks, len(src), len(dst))
	if t.Failed() {
		t.Logf("source: %v\ndestination: %v", src, dst)
	}
}

// sentCommands returns the tag and name of each command line the client
// sent from offset on, such as "A4 UID STORE".
func (p *dlProxy) sentCommands(from int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var cmds []string
	for _, m := range dlCommandRe.FindAllSubmatch(p.up.Bytes()[from:], -1) {
		cmds = append(cmds, string(m[1]))
	}
	return cmds
}

var dlCommandRe = regexp.MustCompile(`(?m)^(A\d+ (?:UID )?[A-Z]+)`)
