package imapmemserver_test

import (
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

func TestGreetingAndLogin(t *testing.T) {
	srv := newServer(t, nil)
	c, greet := dial(t, srv.Addr())
	if !strings.HasPrefix(greet, "* OK [CAPABILITY IMAP4rev1 ") || !strings.Contains(greet, "STARTTLS") ||
		!strings.Contains(greet, "AUTH=PLAIN") || !strings.HasSuffix(greet, "] imapmemserver ready") {
		t.Fatalf("greeting %q", greet)
	}
	c.expect("SELECT INBOX", "BAD")
	c.expect("LOGIN alice wrong", "NO [AUTHENTICATIONFAILED]")
	c.expect("LOGIN bob pw", "NO [AUTHENTICATIONFAILED]")
	u, st := c.do(`LOGIN "alice" {2+}` + "\r\npw")
	if !strings.HasPrefix(st, "OK [CAPABILITY ") || strings.Contains(st, "AUTH=PLAIN") || len(u) != 0 {
		t.Fatalf("LOGIN: %q %q", u, st)
	}
	c.expect("LOGIN alice pw", "BAD")
	u = c.ok("CAPABILITY")
	if len(u) != 1 || strings.Contains(u[0], "AUTH=") || strings.Contains(u[0], "STARTTLS") || !strings.Contains(u[0], "IDLE") {
		t.Fatalf("CAPABILITY after login: %q", u)
	}
	c.ok("NOOP")
	u = c.ok("LOGOUT")
	mustHave(t, u, "* BYE")
	if _, err := c.tryRead(); err == nil {
		t.Fatal("connection still open after LOGOUT")
	}
}

func TestAuthenticatePlain(t *testing.T) {
	srv := newServer(t, nil)
	plain := func(authz, user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte(authz + "\x00" + user + "\x00" + pass))
	}
	// With an initial response (SASL-IR).
	c, _ := pipe(t, srv)
	c.expect("AUTHENTICATE PLAIN "+plain("", "alice", "nope"), "NO [AUTHENTICATIONFAILED]")
	c.expect("AUTHENTICATE PLAIN "+plain("", "alice", "pw"), "OK [CAPABILITY")

	// Without: continuation request, then the response line.
	c, _ = pipe(t, srv)
	tag := c.send("AUTHENTICATE PLAIN")
	if l := c.read(); l != "+ " {
		t.Fatalf("continuation %q", l)
	}
	c.write(plain("alice", "alice", "pw") + "\r\n")
	if _, st := c.result(tag); !strings.HasPrefix(st, "OK") {
		t.Fatalf("AUTHENTICATE: %s", st)
	}

	// Cancelled.
	c, _ = pipe(t, srv)
	tag = c.send("AUTHENTICATE PLAIN")
	c.read()
	c.write("*\r\n")
	if _, st := c.result(tag); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("cancel: %s", st)
	}
	c.expect("AUTHENTICATE CRAM-MD5", "NO")
}

func TestSyntaxErrors(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	c.expect("FROBNICATE", "BAD")
	c.expect("FETCH 1 FLAGS", "BAD") // no mailbox selected
	c.write("a1 SELECT (\r\n")
	if l := c.read(); !strings.HasPrefix(l, "a1 BAD") {
		t.Fatalf("got %q", l)
	}
	c.write("\r\n")
	if l := c.read(); !strings.HasPrefix(l, "* BAD") {
		t.Fatalf("got %q", l)
	}
	c.ok("SELECT INBOX")
	c.expect("FETCH 1 FLAGS", "BAD") // empty mailbox: no message 1
	c.expect("FETCH x FLAGS", "BAD")
	c.expect("FETCH 1:* (FLAGS", "BAD")
	c.expect("STORE 1:* +FLAGS (\\Bogus)", "BAD")
	c.ok("NOOP")
}

func TestCapabilitiesConfig(t *testing.T) {
	srv := newServer(t, &imapmemserver.Options{
		Caps:     []string{"IMAP4rev1", "AUTH=PLAIN", "LOGINDISABLED", "STARTTLS"},
		Greeting: "hello there",
	})
	c, greet := pipe(t, srv)
	if greet != "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS] hello there" {
		t.Fatalf("greeting %q", greet)
	}
	c.expect("LOGIN alice pw", "NO [PRIVACYREQUIRED]")
	c.expect("AUTHENTICATE PLAIN AGFsaWNlAHB3", "BAD") // no SASL-IR
	c.expect("ID NIL", "BAD")
	c.ok("STARTTLS")
	c.startTLS(srv.ClientTLSConfig())
	u := c.ok("CAPABILITY")
	if len(u) != 1 || u[0] != "* CAPABILITY IMAP4rev1 AUTH=PLAIN" {
		t.Fatalf("after STARTTLS: %q", u)
	}
	c.ok("LOGIN alice pw")
	c.ok("SELECT INBOX")
	for _, cmd := range []string{"IDLE", "MOVE 1 Trash", "UNSELECT", "UID EXPUNGE 1", "NAMESPACE", "ENABLE CONDSTORE"} {
		c.expect(cmd, "BAD")
	}
	// Without LITERAL+ a non-synchronising literal is refused; the data
	// is skipped and the connection stays in step.
	c.write("x1 LIST \"\" {1+}\r\n*\r\n")
	if l := c.read(); !strings.HasPrefix(l, "x1 BAD") {
		t.Fatalf("LITERAL+ without the capability: %q", l)
	}
	st := c.appendMsg("INBOX", "", message("hi", "body"))
	if strings.Contains(st, "APPENDUID") {
		t.Fatalf("APPENDUID without UIDPLUS: %s", st)
	}
	c.ok("NOOP")
}

func TestStartTLSAndImplicitTLS(t *testing.T) {
	srv := newServer(t, nil)
	c, _ := dial(t, srv.Addr())
	c.ok("STARTTLS")
	c.startTLS(srv.ClientTLSConfig())
	u := c.ok("CAPABILITY")
	if strings.Contains(u[0], "STARTTLS") {
		t.Fatalf("STARTTLS still offered: %q", u)
	}
	c.expect("STARTTLS", "BAD")
	c.ok("LOGIN alice pw")
	c.ok("SELECT INBOX")

	conn, err := tlsDial(srv.TLSAddr(), srv)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, conn)
	if g := c2.read(); !strings.HasPrefix(g, "* OK [CAPABILITY") || strings.Contains(g, "STARTTLS") {
		t.Fatalf("implicit TLS greeting %q", g)
	}
	c2.ok("LOGIN alice pw")

	// Data sent with STARTTLS, before the handshake, is an injection.
	c3, _ := dial(t, srv.Addr())
	c3.write("a STARTTLS\r\nb NOOP\r\n")
	if l := c3.read(); !strings.HasPrefix(l, "* BYE") {
		t.Fatalf("injection: %q", l)
	}
}

func TestPipeDeadlines(t *testing.T) {
	srv := newServer(t, nil)
	conn := srv.Pipe()
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "* OK") {
		t.Fatalf("greeting: %q %v", buf[:n], err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err = conn.Read(buf)
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("expected a timeout, got %v", err)
	}
	// Still usable after a timeout.
	conn.SetReadDeadline(time.Now().Add(time.Second))
	conn.Write([]byte("a NOOP\r\n"))
	n, err = conn.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "a OK") {
		t.Fatalf("after timeout: %q %v", buf[:n], err)
	}
}

func TestPipelinedCommands(t *testing.T) {
	srv := newServer(t, nil)
	c, _ := pipe(t, srv)
	// Many commands written before any response is read: a buffered pipe
	// must not deadlock.
	var b strings.Builder
	for i := range 500 {
		b.WriteString("p" + strings.Repeat("x", i%7) + " CAPABILITY\r\n")
	}
	c.write(b.String())
	for range 500 {
		c.read() // * CAPABILITY
		if l := c.read(); !strings.Contains(l, " OK ") {
			t.Fatalf("got %q", l)
		}
	}
}

func TestCloseEndsConnections(t *testing.T) {
	srv := imapmemserver.New(nil)
	srv.AddUser("alice", "pw")
	c, _ := dial(t, srv.Addr())
	c.ok("LOGIN alice pw")
	c.ok("SELECT INBOX")
	tag := c.send("IDLE")
	c.read()
	p, _ := pipe(t, srv)
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("Close did not return")
	}
	if _, err := c.tryRead(); err == nil {
		t.Fatalf("TCP connection still open after Close (IDLE %s)", tag)
	}
	if _, err := p.tryRead(); err == nil {
		t.Fatal("pipe still open after Close")
	}
	if err := srv.Serve(nil); err != imapmemserver.ErrServerClosed {
		t.Fatalf("Serve after Close: %v", err)
	}
	conn := srv.Pipe()
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("Pipe after Close is open")
	}
}

func TestServeListener(t *testing.T) {
	srv := newServer(t, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	c, greet := dial(t, l.Addr().String())
	if !strings.HasPrefix(greet, "* OK") {
		t.Fatal(greet)
	}
	c.ok("LOGIN alice pw")
	srv.Close()
	if err := <-errc; err != imapmemserver.ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
}
