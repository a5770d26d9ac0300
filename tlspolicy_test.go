package imapclient_test

import (
	"crypto/tls"
	"errors"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// A server that greets with PREAUTH cannot be upgraded with STARTTLS
// (RFC 3501 section 6.2.1 needs the not-authenticated state): in STARTTLS
// mode that is an error, never a silent plaintext session.
func TestStartTLSRefusesPreauth(t *testing.T) {
	srv := fakeserver.StartServer(t, nil,
		fakeserver.S("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already"),
		fakeserver.CClose())
	c, err := imapclient.Dial(ctxT(t), srv.Addr(), &imapclient.Options{Security: imapclient.StartTLS, TLSConfig: fakeserver.ClientTLSConfig()})
	if err == nil {
		c.Close()
		t.Fatal("STARTTLS mode accepted a PREAUTH plaintext session")
	}
	var ise *imapclient.IllegalStateError
	if !errors.As(err, &ise) {
		t.Fatalf("err = %v, want an IllegalStateError", err)
	}
}

// A server without STARTTLS in STARTTLS mode is an error before anything
// else is sent (no stripping attack can downgrade to plaintext).
func TestStartTLSMissingCapability(t *testing.T) {
	srv := fakeserver.StartServer(t, nil,
		fakeserver.S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here"),
		fakeserver.CClose())
	_, err := imapclient.Dial(ctxT(t), srv.Addr(), &imapclient.Options{Security: imapclient.StartTLS, TLSConfig: fakeserver.ClientTLSConfig()})
	var ce *imapclient.CapabilityError
	if !errors.As(err, &ce) || ce.Capability != "STARTTLS" {
		t.Fatalf("err = %v, want a CapabilityError for STARTTLS", err)
	}
}

// TLS 1.2 is the minimum, also when the caller's config sets none: a
// server that offers at most TLS 1.1 is refused.
func TestTLSMinimumVersion(t *testing.T) {
	server := fakeserver.ServerTLSConfig()
	server.MinVersion, server.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err == nil {
			err = nc.(*tls.Conn).Handshake()
			nc.Close()
		}
		done <- err
	}()
	defer ln.Close()
	cfg := fakeserver.ClientTLSConfig()
	cfg.MinVersion = 0
	_, err = imapclient.Dial(ctxT(t), ln.Addr().String(), &imapclient.Options{TLSConfig: cfg})
	if err == nil {
		t.Fatal("a TLS 1.1 server was accepted")
	}
	if herr := <-done; herr == nil {
		t.Fatal("the server's handshake succeeded")
	}
}
