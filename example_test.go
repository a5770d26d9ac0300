package imapclient_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// ---------------------------------------------------------------------
// Test scaffolding, not part of the examples: a scripted IMAP server on
// 127.0.0.1 speaking implicit TLS with a self-signed certificate, so that
// the examples run without a network. Script mismatches are printed, and
// so make the example fail.

// exampleServer starts the fake server and returns its address
// ("127.0.0.1:port") and a function that stops it.
func exampleServer(script ...fakeserver.Step) (addr string, stop func()) {
	srv, err := fakeserver.Listen(&fakeserver.Options{TLS: fakeserver.ServerTLSConfig()}, script...)
	if err != nil {
		panic(err)
	}
	return srv.Addr(), func() {
		if err := srv.Close(); err != nil {
			fmt.Println(err)
		}
	}
}

// logout is the end of every example session.
func logout(tag string) []fakeserver.Step {
	return []fakeserver.Step{
		fakeserver.C(tag + " LOGOUT"),
		fakeserver.S("* BYE Logging out"),
		fakeserver.S(tag + " OK Logout completed"),
	}
}

// End of the scaffolding.
// ---------------------------------------------------------------------

// Dial connects with implicit TLS (port 993 unless the address names
// another). To trust a private CA, start from DefaultTLSConfig and set
// RootCAs; the certificate is still verified for the host name.
func ExampleDial() {
	addr, stop := exampleServer(append([]fakeserver.Step{
		fakeserver.S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] Example IMAP server ready"),
	}, logout("A1")...)...)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	host, _, _ := net.SplitHostPort(addr) // in real life: "imap.example.com"

	tlsConfig := imapclient.DefaultTLSConfig(host)
	tlsConfig.RootCAs = fakeserver.CertPool() // e.g. from x509.CertPool.AppendCertsFromPEM
	c, err := imapclient.Dial(ctx, addr, &imapclient.Options{
		TLSConfig:      tlsConfig,
		ConnectTimeout: 5 * time.Second,
	})
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	defer c.Close()

	fmt.Println(c.Welcome().Text)
	idle, err := c.HasCapability(ctx, "IDLE")
	fmt.Println("IDLE:", idle, err)
	fmt.Println("logout:", c.Logout(ctx))
	// Output:
	// Example IMAP server ready
	// IDLE: true <nil>
	// logout: <nil>
}

// Turning certificate verification off is possible when you insist, for
// example for a test server you control; never use it over a network you
// do not trust.
func ExampleDial_insecureSkipVerify() {
	addr, stop := exampleServer(append([]fakeserver.Step{
		fakeserver.S("* OK Self-signed server ready"),
	}, logout("A1")...)...)
	defer stop()

	ctx := context.Background()
	c, err := imapclient.Dial(ctx, addr, &imapclient.Options{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
	})
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	defer c.Close()

	state, ok := c.TLSConnectionState()
	fmt.Println("TLS:", ok && state.HandshakeComplete)
	fmt.Println(c.Welcome().Text)
	fmt.Println("logout:", c.Logout(ctx))
	// Output:
	// TLS: true
	// Self-signed server ready
	// logout: <nil>
}

// Login authenticates with a user name and password. The password never
// appears in the protocol log, and a failure is a *LoginError.
func ExampleClient_Login() {
	addr, stop := exampleServer(append([]fakeserver.Step{
		fakeserver.S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready"),
		fakeserver.C(`A1 LOGIN alice "correct horse"`),
		fakeserver.S("A1 NO [AUTHENTICATIONFAILED] Authentication failed."),
		fakeserver.C(`A2 LOGIN alice "correct horse battery staple"`),
		fakeserver.S("A2 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in"),
	}, logout("A3")...)...)
	defer stop()

	ctx := context.Background()
	cfg := imapclient.DefaultTLSConfig("localhost")
	cfg.RootCAs = fakeserver.CertPool()
	c, err := imapclient.Dial(ctx, addr, &imapclient.Options{TLSConfig: cfg})
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	defer c.Close()

	err = c.Login(ctx, "alice", "correct horse")
	var loginErr *imapclient.LoginError
	var serverErr *imapclient.ServerError
	if errors.As(err, &loginErr) && errors.As(err, &serverErr) {
		fmt.Println("first try:", loginErr.Mechanism, serverErr.Response.Code, serverErr.Response.Text)
	}
	if err := c.Login(ctx, "alice", "correct horse battery staple"); err != nil {
		fmt.Println("second try:", err)
		return
	}
	fmt.Println("state:", c.State())
	move, _ := c.HasCapability(ctx, "MOVE") // announced with the login's OK
	fmt.Println("MOVE:", move)
	fmt.Println("logout:", c.Logout(ctx))
	// Output:
	// first try: LOGIN AUTHENTICATIONFAILED Authentication failed.
	// state: authenticated
	// MOVE: true
	// logout: <nil>
}
