package imapclient_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/mutf7"
)

// ctxT returns a context bounded to 20 s and cancelled at the test's end.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dialTLS connects to the server's implicit-TLS port with verification on.
func dialTLS(t testing.TB, s *testrig.Server, o *imapclient.Options) *imapclient.Client {
	t.Helper()
	if o == nil {
		o = &imapclient.Options{}
	}
	o.TLSConfig = s.TLSConfig(t)
	c, err := imapclient.Dial(ctxT(t), s.TLSAddr, o)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func login(t testing.TB, c *imapclient.Client, u testrig.User) {
	t.Helper()
	if err := c.Login(ctxT(t), u.Name, u.Password); err != nil {
		t.Fatalf("Login(%s): %v", u.Name, err)
	}
}

// serverLoggedIn returns a client logged in as user (Alice when none is
// given) to the server under test (IMAPTEST_TARGET: Dovecot, Cyrus or
// imapmemserver). Tests of the client's behaviour use it; they are named
// TestServer... and run against every target.
func serverLoggedIn(t testing.TB, users ...testrig.User) (*imapclient.Client, *testrig.Server) {
	t.Helper()
	return loggedInTo(t, testrig.RequireServer(t), users...)
}

// loggedIn is serverLoggedIn for tests that run against the rig's Dovecot
// only (named TestDovecot...): on the other targets they are skipped.
func loggedIn(t testing.TB, users ...testrig.User) (*imapclient.Client, *testrig.Dovecot) {
	t.Helper()
	return loggedInTo(t, testrig.RequireDovecot(t), users...)
}

func loggedInTo(t testing.TB, s *testrig.Server, users ...testrig.User) (*imapclient.Client, *testrig.Server) {
	t.Helper()
	u := testrig.Alice
	if len(users) > 0 {
		u = users[0]
	}
	c := dialTLS(t, s, nil)
	login(t, c, u)
	return c, s
}

var folderSeq atomic.Int64

// tempFolder creates a folder with a unique name that starts with base
// (UTF-8; encoded here with modified UTF-7 independently of the client)
// and deletes it when the test ends. It uses raw commands so that tests of
// the folder methods do not depend on themselves.
func tempFolder(t testing.TB, c *imapclient.Client, base string) string {
	t.Helper()
	name := fmt.Sprintf("%s %d-%d", base, time.Now().UnixNano()%1e6, folderSeq.Add(1))
	raw(t, c, "CREATE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(name)) })
	t.Cleanup(func() {
		_ = c.Do(context.Background(), func(conn *imapconn.Conn) error {
			if conn.State() == imapconn.Selected {
				conn.Execute(context.Background(), "UNSELECT", nil, nil)
			}
			_, err := conn.Execute(context.Background(), "DELETE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(name)) }, nil)
			return err
		})
	})
	return name
}

// raw runs one command through the escape hatch and fails the test on
// error.
func raw(t testing.TB, c *imapclient.Client, name string, build imapconn.Build) {
	t.Helper()
	err := c.Do(ctxT(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctxT(t), name, build, nil)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// seed appends messages to folder with raw APPEND commands, with optional
// flags, and returns nothing: tests read back what they need.
func seed(t testing.TB, c *imapclient.Client, folder string, flags []string, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		m = strings.ReplaceAll(strings.ReplaceAll(m, "\r\n", "\n"), "\n", "\r\n")
		raw(t, c, "APPEND", func(e *imapwire.Encoder) {
			e.SP().AString(mutf7.Encode(folder)).SP().Byte('(')
			for i, f := range flags {
				if i > 0 {
					e.SP()
				}
				e.Flag(f)
			}
			e.Byte(')').SP().Literal([]byte(m))
		})
	}
}

// testMessage builds a small RFC 5322 message.
func testMessage(from, to, subject, body string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <" + fmt.Sprint(time.Now().UnixNano()) + "@test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}
