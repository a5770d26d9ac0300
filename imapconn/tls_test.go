package imapconn_test

import (
	"crypto/tls"
	"errors"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

const startTLSGreeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready"

func TestStartTLS(t *testing.T) {
	c := newConn(t, nil, startTLSGreeting,
		C("A1 STARTTLS"),
		S("A1 OK Begin TLS negotiation now"),
		fakeserver.StartTLS(nil),
		C("A2 CAPABILITY"),
		S("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR"),
		S("A2 OK done"),
		C("A3 LOGIN alice secret"),
		S("A3 OK Logged in"),
	)
	ctx := testCtx(t)
	if !c.Caps().Has(imap.CapStartTLS) {
		t.Fatalf("Caps() = %v", c.Caps().Names())
	}
	if err := c.StartTLS(ctx, fakeserver.ClientTLSConfig()); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if c.Caps() != nil {
		t.Errorf("Caps() after STARTTLS = %v, want nil (forgotten)", c.Caps().Names())
	}
	tc, ok := c.NetConn().(*tls.Conn)
	if !ok || !tc.ConnectionState().HandshakeComplete {
		t.Fatalf("NetConn() = %T", c.NetConn())
	}
	if _, err := c.Execute(ctx, "CAPABILITY", nil, nil); err != nil {
		t.Fatal(err)
	}
	if caps := c.Caps(); !caps.Has("AUTH=PLAIN") || caps.Has(imap.CapStartTLS) || caps.Has(imap.CapLoginDisabled) {
		t.Errorf("Caps() over TLS = %v", caps.Names())
	}
	if _, err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
}

// TestStartTLSInjection: responses sent with the OK, before the handshake,
// could come from a man in the middle (RFC 3501 section 6.2.1).
func TestStartTLSInjection(t *testing.T) {
	c := newConn(t, nil, startTLSGreeting,
		C("A1 STARTTLS"),
		SRaw("A1 OK Begin TLS\r\n* OK injected\r\n"),
		fakeserver.CClose(),
	)
	err := c.StartTLS(testCtx(t), fakeserver.ClientTLSConfig())
	if !errors.Is(err, imapconn.ErrTLSInjection) || !errors.Is(err, imap.ErrAbort) {
		t.Fatalf("StartTLS = %v, want ErrTLSInjection and ErrAbort", err)
	}
	if c.Err() == nil {
		t.Error("the connection is still usable")
	}
	if _, ok := c.NetConn().(*tls.Conn); ok {
		t.Error("TLS was started anyway")
	}
}

func TestStartTLSRefused(t *testing.T) {
	c := newConn(t, nil, startTLSGreeting,
		C("A1 STARTTLS"),
		S("A1 NO TLS not available right now"),
		C("A2 NOOP"),
		S("A2 OK"),
	)
	ctx := testCtx(t)
	err := c.StartTLS(ctx, fakeserver.ClientTLSConfig())
	if !errors.Is(err, imap.ErrNo) || errors.Is(err, imap.ErrAbort) {
		t.Fatalf("StartTLS = %v, want ErrNo", err)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Fatalf("next command: %v", err)
	}
}

func TestStartTLSNoConfig(t *testing.T) {
	c := newConn(t, nil, startTLSGreeting)
	if err := c.StartTLS(testCtx(t), nil); err == nil {
		t.Fatal("StartTLS without a config succeeded")
	}
}
