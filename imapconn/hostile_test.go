package imapconn_test

// Hostile servers at the session layer: what the server may do while the
// client waits to send a literal (credentials above all), responses that
// exceed the decoder's limits, and bytes no response may hold. Each case
// ends in a typed error, or is tolerated, within its context's deadline.
// The root package's hostile_test.go covers the same ground through the
// Client API, with memory measured.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// hostileCtx bounds one case.
func hostileCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestHostileNoContinuationNoPassword: the password goes as a
// synchronising literal only after "+"; a server that says BYE, answers
// another tag, or goes silent instead never receives it.
func TestHostileNoContinuationNoPassword(t *testing.T) {
	const password = "pa\nss" // a literal: LF cannot be quoted
	t.Run("BYE and hang up", func(t *testing.T) {
		c := newConn(t, nil, greeting,
			C("A1 LOGIN alice {5}"),
			S("* BYE not today"),
			fakeserver.Close(),
		)
		_, err := c.Login(hostileCtx(t, 5*time.Second), "alice", password)
		if !errors.Is(err, imap.ErrAbort) {
			t.Fatalf("Login: %v, want an error matching imap.ErrAbort", err)
		}
		if !strings.Contains(err.Error(), "not today") {
			t.Errorf("the error does not quote the BYE: %v", err)
		}
	})
	t.Run("BYE and silence", func(t *testing.T) {
		// Hold fails the script if the client sends anything more.
		c := newConn(t, nil, greeting,
			C("A1 LOGIN alice {5}"),
			S("* BYE not today"),
			Hold(),
		)
		start := time.Now()
		_, err := c.Login(hostileCtx(t, time.Second), "alice", password)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Login: %v, want the context's deadline", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Login returned after %v", d)
		}
		// Half a command was sent: the connection cannot go on.
		if _, err := c.Execute(hostileCtx(t, time.Second), "NOOP", nil, nil); err == nil {
			t.Error("NOOP succeeded after a half-written LOGIN")
		}
	})
	t.Run("another tag first", func(t *testing.T) {
		c := newConn(t, nil, greeting,
			C("A1 LOGIN alice {5}"),
			S("A9 NO stray"),
			S("* OK chatter"),
			Quiet(150*time.Millisecond),
			S("+ now"),
			CBytes(password),
			C(""),
			S("A1 OK logged in"),
		)
		if _, err := c.Login(hostileCtx(t, 5*time.Second), "alice", password); err != nil {
			t.Fatalf("Login: %v", err)
		}
	})
	t.Run("tagged NO instead of +", func(t *testing.T) {
		c := newConn(t, nil, greeting,
			C("A1 LOGIN alice {5}"),
			S("A1 NO [AUTHENTICATIONFAILED] no literals here"),
			C("A2 NOOP"),
			S("A2 OK still in step"),
		)
		ctx := hostileCtx(t, 5*time.Second)
		_, err := c.Login(ctx, "alice", password)
		if !errors.Is(err, imap.ErrNo) {
			t.Fatalf("Login: %v, want NO", err)
		}
		if st, err := c.Execute(ctx, "NOOP", nil, nil); err != nil || st.Text != "still in step" {
			t.Fatalf("NOOP after the refused literal: %+v, %v", st, err)
		}
	})
}

// TestHostileLimits: responses past the decoder's limits are skipped,
// reported as a *imapconn.ProtocolError that unwraps to the
// *imapwire.LimitError, and the session goes on; what cannot be skipped
// (a literal longer than the stream) ends in an abort.
func TestHostileLimits(t *testing.T) {
	const depth = 10000
	deep := strings.Repeat("(", depth) + strings.Repeat(")", depth)
	cases := []struct {
		name, resp string
		// limit is the LimitError expected; "" accepts any decoding
		// error (a *imapwire.SyntaxError for a list the grammar cannot
		// nest) or none (data nobody parses).
		limit string
		lim   *imapwire.Limits
	}{
		{name: "deep FETCH nobody reads", resp: "* 1 FETCH (BODYSTRUCTURE " + deep + ")"},
		{name: "deep unknown response", resp: "* XNEST " + deep},
		{name: "deep LIST", resp: `* LIST ` + deep + ` "/" INBOX`},
		{name: "deep response code", resp: "* OK [XCODE " + deep + "] text"},
		{name: "long line", resp: "* OK " + strings.Repeat("x", 70<<10), limit: "MaxLine", lim: &imapwire.Limits{MaxLine: 64 << 10}},
		{name: "long literal in LIST", resp: `* LIST () "/" {70000}` + "\r\n" + strings.Repeat("n", 70000), limit: "MaxLiteral",
			lim: &imapwire.Limits{MaxLiteral: 64 << 10, InlineLiteral: 16 << 10}},
		// MaxLiteral below the default InlineLiteral bounds inline
		// literals too.
		{name: "long inline literal in LIST", resp: `* LIST () "/" {70000}` + "\r\n" + strings.Repeat("n", 70000), limit: "MaxLiteral",
			lim: &imapwire.Limits{MaxLiteral: 64 << 10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newConn(t, &imapconn.Options{Limits: tc.lim}, greeting,
				C("A1 NOOP"),
				fakeserver.SRaw([]byte(tc.resp+"\r\n")),
				S("A1 OK done"),
				C("A2 NOOP"),
				S("A2 OK in step"),
			)
			ctx := hostileCtx(t, 5*time.Second)
			_, err := c.Execute(ctx, "NOOP", nil, nil)
			var pe *imapconn.ProtocolError
			var le *imapwire.LimitError
			switch {
			case errors.Is(err, imap.ErrAbort):
				t.Fatalf("Execute: %v matches ErrAbort", err)
			case tc.limit != "":
				if !errors.As(err, &pe) || !errors.As(err, &le) || le.Limit != tc.limit {
					t.Fatalf("Execute: %v (%T), want a *imapconn.ProtocolError wrapping a *imapwire.LimitError for %s", err, err, tc.limit)
				}
			case err != nil:
				if !errors.As(err, &pe) || !imapwire.IsRecoverable(err) {
					t.Fatalf("Execute: %v (%T), want nil or a *imapconn.ProtocolError wrapping a decoding error", err, err)
				}
			}
			if st, err := c.Execute(ctx, "NOOP", nil, nil); err != nil || st.Text != "in step" {
				t.Fatalf("next command: %+v, %v", st, err)
			}
		})
	}
	t.Run("literal 2^40 in an unknown response", func(t *testing.T) {
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := newConn(t, nil, greeting,
			C("A1 NOOP"),
			fakeserver.SRaw([]byte(fmt.Sprintf("* XDATA {%d}\r\n", int64(1)<<40)+strings.Repeat("d", 1<<20))),
			fakeserver.Close(),
		)
		_, err := c.Execute(hostileCtx(t, 5*time.Second), "NOOP", nil, nil)
		if !errors.Is(err, imap.ErrAbort) || !errors.Is(err, imapwire.ErrUnexpectedEOF) {
			t.Fatalf("Execute: %v, want an abort for the stream ending inside the literal", err)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 64<<20 {
			t.Errorf("allocated %d MiB for a literal of which 1 MiB came", grew>>20)
		}
	})
}

// TestHostileBytes: NUL and 8-bit bytes in places where the grammar has
// none, and numbers beyond 32 or 64 bits: tolerated or skipped, never
// fatal, never a silent truncation.
func TestHostileBytes(t *testing.T) {
	cases := []struct{ name, resp string }{
		{"NUL in text", "* OK hello\x00world"},
		{"NUL in an atom", "* 3 EXI\x00STS"},
		{"8-bit in an atom", "* \xff\xfe EXISTS"},
		{"number past 32 bits", "* 4294967296 EXISTS"},
		{"number past 64 bits", "* 99999999999999999999999 EXPUNGE"},
		{"bare CR", "* OK one\rtwo"},
		{"empty line", ""},
		{"only a star", "*"},
		{"tag without status", "A7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u unilateral
			c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
				C("A1 NOOP"),
				fakeserver.SRaw([]byte(tc.resp+"\r\n")),
				S("A1 OK done"),
				C("A2 NOOP"),
				S("A2 OK in step"),
			)
			ctx := hostileCtx(t, 5*time.Second)
			_, err := c.Execute(ctx, "NOOP", nil, nil)
			if err != nil {
				var pe *imapconn.ProtocolError
				if !errors.As(err, &pe) || errors.Is(err, imap.ErrAbort) {
					t.Fatalf("Execute: %v (%T), want nil or a *imapconn.ProtocolError", err, err)
				}
			}
			if got := u.String(); strings.Contains(got, "EXISTS") || strings.Contains(got, "EXPUNGE") {
				t.Errorf("a malformed response was taken as %q", got)
			}
			if st, err := c.Execute(ctx, "NOOP", nil, nil); err != nil || st.Text != "in step" {
				t.Fatalf("next command: %+v, %v", st, err)
			}
		})
	}
}
