package imapclient_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/sasl"
)

func TestServerImplicitTLS(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	if w := c.Welcome(); w == nil || w.Type != imap.StatusOK {
		t.Fatalf("Welcome = %+v", w)
	}
	st, ok := c.TLSConnectionState()
	if !ok || !st.HandshakeComplete || st.Version < tls.VersionTLS12 {
		t.Fatalf("TLS state %+v %v", st, ok)
	}
	ctx := ctxT(t)
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has("IMAP4rev1") || !caps.Has("AUTH=PLAIN") {
		t.Fatalf("pre-login capabilities %v", caps.Names())
	}
	// Dovecot lists only what a client may use before login; Cyrus and
	// the memserver list everything at once (docs/SERVERS.md).
	if d.Target == testrig.TargetDovecot && caps.Has("MOVE") {
		t.Fatalf("Dovecot announces MOVE before login? %v", caps.Names())
	}
	login(t, c, testrig.Alice)
	caps, err = c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCaps := []string{"MOVE", "IDLE", "UIDPLUS", "CONDSTORE", "NAMESPACE", "ID", "ENABLE"}
	if d.Has("qresync") {
		wantCaps = append(wantCaps, "QRESYNC")
	}
	if d.Has("compress") {
		wantCaps = append(wantCaps, "COMPRESS=DEFLATE")
	}
	for _, want := range wantCaps {
		if !caps.Has(want) {
			t.Errorf("post-login capabilities lack %s: %v", want, caps.Names())
		}
	}
	if ok, err := c.HasCapability(ctx, "idle"); err != nil || !ok {
		t.Errorf("HasCapability(idle) = %v, %v", ok, err)
	}
	if c.State() != "authenticated" {
		t.Errorf("State = %q", c.State())
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := c.Noop(ctx); err == nil {
		t.Fatal("Noop after Logout succeeded")
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close after Logout: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestServerWrongCARejected(t *testing.T) {
	d := testrig.RequireServer(t)
	_, err := imapclient.Dial(ctxT(t), d.TLSAddr, &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: d.WrongRootCAs(t), ServerName: "localhost"},
	})
	var uerr interface{ Unwrap() error }
	if err == nil || !strings.Contains(err.Error(), "certificate") || !errors.As(err, &uerr) {
		t.Fatalf("Dial with the wrong CA: %v", err)
	}
	// The system roots do not know the rig's CA either: verification is on
	// by default.
	_, err = imapclient.Dial(ctxT(t), d.TLSAddr, &imapclient.Options{TLSConfig: &tls.Config{ServerName: "localhost"}})
	if err == nil {
		t.Fatal("Dial verified against the system roots")
	}
	// Verification off, when the user insists.
	c, err := imapclient.Dial(ctxT(t), d.TLSAddr, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatalf("Dial without verification: %v", err)
	}
	c.Close()
}

func TestServerStartTLS(t *testing.T) {
	d := testrig.RequireServer(t)
	ctx := ctxT(t)
	c, err := imapclient.Dial(ctx, d.Addr, &imapclient.Options{Security: imapclient.StartTLS, TLSConfig: d.TLSConfig(t)})
	if err != nil {
		t.Fatalf("Dial STARTTLS: %v", err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("connection not upgraded")
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if caps.Has("STARTTLS") || caps.Has("LOGINDISABLED") {
		t.Fatalf("capabilities after STARTTLS were not refreshed: %v", caps.Names())
	}
	login(t, c, testrig.Bob)
	if err := c.StartTLS(ctx, nil); err == nil {
		t.Fatal("second STARTTLS accepted")
	}
}

func TestServerPlaintextRefusesCredentials(t *testing.T) {
	d := testrig.RequireServer(t)
	ctx := ctxT(t)
	c, err := imapclient.Dial(ctx, d.Addr, &imapclient.Options{Security: imapclient.Plaintext})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, testrig.Alice.Name, testrig.Alice.Password); !errors.Is(err, imapclient.ErrInsecureAuth) {
		t.Fatalf("Login over plaintext: %v", err)
	}
	c2, err := imapclient.Dial(ctx, d.Addr, &imapclient.Options{Security: imapclient.Plaintext, AllowInsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	login(t, c2, testrig.Dave) // quoted specials in the password
}

func TestServerLoginFailure(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	err := c.Login(ctxT(t), "alice", "wrong-password-123")
	var le *imapclient.LoginError
	if !errors.As(err, &le) || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("Login with a wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-password-123") {
		t.Fatalf("error holds the password: %v", err)
	}
	var se *imapclient.ServerError
	wantCode := imap.CodeAuthFailed
	if d.Target == testrig.TargetCyrus {
		wantCode = "" // quirk: a plain NO (TestCyrusQuirkLoginFailureCode)
	}
	if !errors.As(err, &se) || se.Response.Code != wantCode {
		t.Fatalf("response code: %+v", se)
	}
	// The connection is still usable after a failed login.
	login(t, c, testrig.Alice)
}

func TestServerNonASCIIPassword(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	login(t, c, testrig.Carol)
	c2 := dialTLS(t, d, nil)
	if err := c2.PlainLogin(ctxT(t), testrig.Carol.Name, testrig.Carol.Password, ""); err != nil {
		t.Fatalf("PlainLogin(carol): %v", err)
	}
	c3 := dialTLS(t, d, nil)
	if err := c3.PlainLogin(ctxT(t), testrig.Alice.Name, testrig.Alice.Password, testrig.Alice.Name); err != nil {
		t.Fatalf("PlainLogin with authzid: %v", err)
	}
}

func TestServerSCRAM(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "scram")
	for _, mech := range []sasl.Mechanism{
		sasl.NewScramSHA256(testrig.Carol.Name, testrig.Carol.Password),
		sasl.NewScramSHA1(testrig.Dave.Name, testrig.Dave.Password),
	} {
		c := dialTLS(t, d, nil)
		if err := c.Authenticate(ctxT(t), mech); err != nil {
			t.Fatalf("%s: %v", mech.Name(), err)
		}
		if v := mech.(sasl.Verifier); !v.Verified() {
			t.Fatalf("%s: server signature not verified", mech.Name())
		}
	}
	c := dialTLS(t, d, nil)
	err := c.Authenticate(ctxT(t), sasl.NewScramSHA256("alice", "nope"))
	var le *imapclient.LoginError
	if !errors.As(err, &le) {
		t.Fatalf("SCRAM with a wrong password: %v", err)
	}
}

func TestServerOAuth(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "oauth")
	tok := d.MintOAuthToken(t, "alice", time.Hour)
	c := dialTLS(t, d, nil)
	if err := c.OAuth2Login(ctxT(t), "alice", tok); err != nil {
		t.Fatalf("OAuth2Login: %v", err)
	}
	c2 := dialTLS(t, d, nil)
	if err := c2.OAuthBearerLogin(ctxT(t), "alice", tok); err != nil {
		t.Fatalf("OAuthBearerLogin: %v", err)
	}
	c3 := dialTLS(t, d, nil)
	err := c3.OAuth2Login(ctxT(t), "alice", d.MintOAuthToken(t, "alice", -time.Hour))
	var le *imapclient.LoginError
	if !errors.As(err, &le) {
		t.Fatalf("expired token: %v", err)
	}
	if strings.Contains(err.Error(), tok[:20]) {
		t.Fatal("error holds the token")
	}
}

func TestServerIDNamespaceEnableNoop(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	ctx := ctxT(t)
	server, err := c.ID(ctx, map[string]string{"name": "imapclient-go", "version": "0.1"})
	if err != nil {
		t.Fatal(err)
	}
	wantName := map[string]string{
		testrig.TargetDovecot:   "Dovecot",
		testrig.TargetCyrus:     "Cyrus IMAPD",
		testrig.TargetMemserver: "imapmemserver",
	}[d.Target]
	if !strings.EqualFold(server["name"], wantName) {
		t.Errorf("ID = %v", server)
	}
	if _, err := c.ID(ctx, nil); err != nil {
		t.Fatalf("ID(nil): %v", err)
	}
	login(t, c, testrig.Alice)
	ns, err := c.Namespace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Errorf("Namespace = %+v", ns)
	}
	enabled, err := c.Enable(ctx, "CONDSTORE")
	if err != nil || len(enabled) != 1 || !strings.EqualFold(enabled[0], "CONDSTORE") {
		t.Errorf("Enable = %v, %v", enabled, err)
	}
	if _, err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestServerDialCommandPreauth(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "exec")
	args := d.ExecArgs("alice")
	var stderr bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = &stderr
	c, err := imapclient.DialCommand(ctxT(t), cmd, nil)
	if err != nil {
		t.Fatalf("DialCommand: %v (stderr: %s)", err, stderr.String())
	}
	defer c.Close()
	if c.Welcome().Type != imap.StatusPREAUTH || c.State() != "authenticated" {
		t.Fatalf("greeting %+v state %s", c.Welcome(), c.State())
	}
	if _, err := c.Namespace(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// TestTimeoutsAgainstFakeServers needs no real server: the rig's
// listeners that never greet or close at once.
func TestTimeoutsAgainstFakeServers(t *testing.T) {
	addr := testrig.SilentListener(t)
	start := time.Now()
	_, err := imapclient.Dial(context.Background(), addr, &imapclient.Options{Security: imapclient.Plaintext, ConnectTimeout: 300 * time.Millisecond})
	if err == nil || !imapclient.IsTimeout(err) {
		t.Fatalf("greeting never sent: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("connect timeout took %v", el)
	}
	start = time.Now()
	_, err = imapclient.Dial(context.Background(), addr, &imapclient.Options{Security: imapclient.Plaintext, ReadTimeout: 300 * time.Millisecond})
	if err == nil || !imapclient.IsTimeout(err) || !errors.Is(err, imapclient.ErrAbort) {
		t.Fatalf("read timeout: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("read timeout took %v", el)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = imapclient.Dial(ctx, addr, &imapclient.Options{Security: imapclient.Plaintext})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("context deadline: %v", err)
	}
	_, err = imapclient.Dial(context.Background(), testrig.ClosingListener(t), &imapclient.Options{Security: imapclient.Plaintext})
	if !errors.Is(err, imapclient.ErrAbort) {
		t.Fatalf("server closing at once: %v", err)
	}
}

func TestServerCancelMidCommand(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	login(t, c, testrig.Alice)
	// A command that the server answers at once cannot be cancelled in
	// flight reliably; a context that is already done must fail at once
	// without breaking the connection.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Noop(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Noop with a cancelled context: %v", err)
	}
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatalf("connection unusable after cancellation: %v", err)
	}
	// Cancel while waiting for the answer: IDLE is never answered until
	// DONE, so a raw IDLE gives a command in flight that the server does
	// not complete on its own; the drain must then fail and close.
	// Cancel a command mid-flight with a deadline shorter than a round trip
	// by pipelining many NOOPs.
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*50*time.Microsecond)
		_, err := c.Noop(ctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Noop %d: %v", i, err)
		}
		if _, err := c.Noop(ctxT(t)); err != nil {
			t.Fatalf("Noop after a cancelled Noop %d: %v (%#v)", i, err, err)
		}
	}
}

func TestServerConcurrentUse(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d, nil)
	login(t, c, testrig.Bob)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := c.Noop(context.Background()); err != nil {
					errs <- err
					return
				}
				if _, err := c.Capabilities(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestServerLogRedactsCredentials(t *testing.T) {
	d := testrig.RequireServer(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logins := []func(c *imapclient.Client) error{
		func(c *imapclient.Client) error { return c.Login(ctxT(t), testrig.Carol.Name, testrig.Carol.Password) },
		func(c *imapclient.Client) error { return c.Login(ctxT(t), testrig.Dave.Name, testrig.Dave.Password) },
		func(c *imapclient.Client) error {
			return c.PlainLogin(ctxT(t), testrig.Alice.Name, testrig.Alice.Password, "")
		},
	}
	// The same secrets are looked for whatever the server offers: a token
	// that was never sent cannot be in the log anyway.
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.never-sent.c2lnbmF0dXJl"
	if d.Has("oauth") {
		tok = d.MintOAuthToken(t, "alice", time.Hour)
		logins = append(logins, func(c *imapclient.Client) error { return c.OAuth2Login(ctxT(t), "alice", tok) })
	}
	if d.Has("scram") {
		logins = append(logins, func(c *imapclient.Client) error {
			return c.Authenticate(ctxT(t), sasl.NewScramSHA256(testrig.Bob.Name, testrig.Bob.Password))
		})
	}
	for _, f := range logins {
		c := dialTLS(t, d, &imapclient.Options{Logger: logger})
		if err := f(c); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Noop(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	log := buf.String()
	mu.Unlock()
	for _, secret := range []string{testrig.Carol.Password, "pässw", testrig.Dave.Password, `a\"ss`, "alicepw", "bobpw", tok, tok[len(tok)-20:], "dXNlcj1hbGljZQ"} {
		if strings.Contains(log, secret) {
			t.Errorf("log holds secret %q", secret)
		}
	}
	if !strings.Contains(log, "LOGIN") || !strings.Contains(log, "NOOP") || !strings.Contains(log, "imap S:") {
		t.Errorf("log lacks protocol lines:\n%s", log)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
