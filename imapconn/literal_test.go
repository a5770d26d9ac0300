package imapconn_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// quiet is how long the server waits before the continuation request,
// proving that the client sends no literal data before it.
const quiet = 150 * time.Millisecond

func TestSyncLiteral(t *testing.T) {
	tests := []struct {
		name, user, password string
		script               []fakeserver.Step
	}{
		{
			name: "newline", user: "alice", password: "pa\nss",
			script: []fakeserver.Step{
				C("A1 LOGIN alice {5}"),
				Quiet(quiet),
				S("+ Ready for literal data"),
				CBytes("pa\nss"),
				C(""),
			},
		},
		{
			name: "8-bit and space", user: "alice smith", password: "pässwörd",
			script: []fakeserver.Step{
				C(`A1 LOGIN "alice smith" {10}`),
				Quiet(quiet),
				S("+ go ahead"),
				CBytes("pässwörd"),
				C(""),
			},
		},
		{
			name: "both", user: "bob\r\n", password: "x\ny",
			script: []fakeserver.Step{
				C("A1 LOGIN {5}"),
				Quiet(quiet),
				S("+"),
				CBytes("bob\r\n"),
				C(" {3}"),
				Quiet(quiet),
				S("+ more"),
				CBytes("x\ny"),
				C(""),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := append(tt.script, S("A1 OK [CAPABILITY IMAP4rev1] Logged in"))
			c := newConn(t, nil, greeting, script...)
			st, err := c.Login(testCtx(t), tt.user, tt.password)
			if err != nil || st.Text != "Logged in" {
				t.Fatalf("Login = %+v, %v", st, err)
			}
			if c.State() != imapconn.Authenticated {
				t.Errorf("State() = %v", c.State())
			}
		})
	}
}

func TestLiteralPlus(t *testing.T) {
	// No continuation request: if the client waited for one, the script
	// would time out.
	c := newConn(t, nil, "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready",
		C("A1 LOGIN alice {5+}"),
		CBytes("pa\nss"),
		C(""),
		S("A1 OK Logged in"),
	)
	if _, err := c.Login(testCtx(t), "alice", "pa\nss"); err != nil {
		t.Fatal(err)
	}
}

func TestLiteralMinus(t *testing.T) {
	// LITERAL- allows non-synchronising literals up to 4096 bytes only.
	small := strings.Repeat("s", 4096)
	large := strings.Repeat("L", 4097)
	c := newConn(t, nil, "* OK [CAPABILITY IMAP4rev1 LITERAL-] ready",
		C("A1 APPEND INBOX {4096+}"),
		CBytes(small),
		C(""),
		S("A1 OK appended"),
		C("A2 APPEND INBOX {4097}"),
		Quiet(quiet),
		S("+ ok"),
		CBytes(large),
		C(""),
		S("A2 OK appended"),
	)
	ctx := testCtx(t)
	for _, msg := range []string{small, large} {
		_, err := c.Execute(ctx, "APPEND", func(e *imapwire.Encoder) {
			e.SP().Atom("INBOX").SP().Literal([]byte(msg))
		}, nil)
		if err != nil {
			t.Fatalf("APPEND of %d bytes: %v", len(msg), err)
		}
	}
}

func TestLiteralReader(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1024) // 16 KiB
	c := newConn(t, nil, greeting,
		C("A1 APPEND INBOX (\\Seen) {16384}"),
		Quiet(quiet),
		S("+ Ready"),
		CBytes(string(body)),
		C(""),
		S("A1 OK [APPENDUID 1 42] done"),
	)
	st, err := c.Execute(testCtx(t), "APPEND", func(e *imapwire.Encoder) {
		e.SP().Atom("INBOX").SP().Raw(`(\Seen)`).SP().LiteralReader(bytes.NewReader(body), int64(len(body)))
	}, nil)
	if err != nil || st.Code != imap.CodeAppendUID {
		t.Fatalf("APPEND = %+v, %v", st, err)
	}
}

func TestLiteralRefused(t *testing.T) {
	for _, reply := range []string{"A1 NO [TOOBIG] literal too large", "A1 BAD no literals here"} {
		t.Run(strings.Fields(reply)[1], func(t *testing.T) {
			c := newConn(t, nil, greeting,
				C("A1 LOGIN alice {5}"),
				S(reply),
				// The literal must not follow: the next line is a new command.
				C("A2 NOOP"),
				S("A2 OK still in step"),
			)
			ctx := testCtx(t)
			st, err := c.Login(ctx, "alice", "pa\nss")
			var se *imap.StatusError
			if !errors.As(err, &se) || se.Command != "LOGIN" || errors.Is(err, imap.ErrAbort) {
				t.Fatalf("Login = %+v, %v; want the server's refusal", st, err)
			}
			if st == nil || st.String() != reply[3:] {
				t.Errorf("status = %+v", st)
			}
			if c.State() != imapconn.NotAuthenticated {
				t.Errorf("State() = %v", c.State())
			}
			if st, err := c.Execute(ctx, "NOOP", nil, nil); err != nil || st.Text != "still in step" {
				t.Errorf("next command = %+v, %v", st, err)
			}
		})
	}
}

func TestLiteralUntaggedBeforeContinuation(t *testing.T) {
	// Untagged data may come before the continuation request; it is
	// dispatched while the client waits.
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 LOGIN alice {5}"),
		S("* 2 EXPUNGE"),
		Quiet(quiet),
		S("+ now"),
		CBytes("pa\nss"),
		C(""),
		S("A1 OK"),
	)
	if _, err := c.Login(testCtx(t), "alice", "pa\nss"); err != nil {
		t.Fatal(err)
	}
	if u.String() != "2 EXPUNGE" {
		t.Errorf("unilateral = %q", u.String())
	}
}

func TestStringForms(t *testing.T) {
	// Atoms, quoted strings and literals as the content requires; NUL is
	// refused before anything is sent.
	c := newConn(t, nil, "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready",
		C(`A1 LOGIN alice "with space"`), S("A1 NO nope"),
		C(`A2 LOGIN "" "quote\" and \\ backslash"`), S("A2 NO nope"),
		C("A3 NOOP"), S("A3 OK"), // the refused LOGIN left its tag unused
	)
	ctx := testCtx(t)
	if _, err := c.Login(ctx, "alice", "with space"); !errors.Is(err, imap.ErrNo) {
		t.Errorf("Login 1: %v", err)
	}
	if _, err := c.Login(ctx, "", `quote" and \ backslash`); !errors.Is(err, imap.ErrNo) {
		t.Errorf("Login 2: %v", err)
	}
	if _, err := c.Login(ctx, "alice", "nul\x00byte"); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("Login 3: %v, want ErrInvalidArgument", err)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Errorf("NOOP: %v", err)
	}
}

// TestLiteralBehindPipelinedCommand: the continuation request is for the
// command being written, not for an earlier command still in flight.
func TestLiteralBehindPipelinedCommand(t *testing.T) {
	c := newConn(t, nil, greeting,
		C("A1 NOOP"),
		C("A2 LOGIN alice {5}"),
		Quiet(quiet),
		S("+ Ready"),
		CBytes("pa\nss"),
		C(""),
		S("A1 OK NOOP done"),
		S("A2 OK Logged in"),
	)
	ctx := testCtx(t)
	noop, err := c.Start(ctx, "NOOP", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Login(ctx, "alice", "pa\nss"); err != nil || st.Text != "Logged in" {
		t.Fatalf("Login = %+v, %v", st, err)
	}
	if st, err := c.Wait(ctx, noop); err != nil || st.Text != "NOOP done" {
		t.Fatalf("Wait(NOOP) = %+v, %v", st, err)
	}
}
