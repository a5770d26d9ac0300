package imapconn

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"testing"

	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// TestWriteCanceledAsItStarts: a context that ends just as a write starts
// (after Write checked it, before the bytes reach the connection) must not
// break a TLS connection. The interrupt gives the write writeGrace, and a
// write that does not block finishes; an interrupt that set a past write
// deadline would fail the write with nothing sent and leave the TLS
// connection unable to write again.
func TestWriteCanceledAsItStarts(t *testing.T) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", fakeserver.ServerTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		sc, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer sc.Close()
		b, _ := io.ReadAll(sc)
		got <- b
	}()
	nc, err := tls.Dial("tcp", ln.Addr().String(), fakeserver.ClientTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	tr := &transport{nc: nc}

	ctx, cancel := context.WithCancel(context.Background())
	unbind := tr.bind(ctx)
	testHookWrite = func() {
		testHookWrite = nil
		cancel()
		unbind() // the interrupt has run when this returns
	}
	defer func() { testHookWrite = nil }()
	if n, err := tr.Write([]byte("A1 NOOP\r\n")); n != 9 || err != nil {
		t.Fatalf("the write under way when the context ended: %d, %v", n, err)
	}
	if _, err := tr.Write([]byte("A2 NOOP\r\n")); err == nil {
		t.Fatalf("a write after the context ended went through")
	}

	// The connection still writes under the next context.
	defer tr.bind(context.Background())()
	if _, err := tr.Write([]byte("A3 NOOP\r\n")); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	nc.Close()
	if b := <-got; !bytes.Equal(b, []byte("A1 NOOP\r\nA3 NOOP\r\n")) {
		t.Fatalf("the server received %q", b)
	}
}
