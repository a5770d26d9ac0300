package imapconn_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestGreetingOK(t *testing.T) {
	c := dial(t, nil, S("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot ready."))
	st, err := c.ReadGreeting(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != imap.StatusOK || st.Code != imap.CodeCapability || st.Text != "Dovecot ready." {
		t.Errorf("greeting = %+v", st)
	}
	if c.Greeting() != st {
		t.Errorf("Greeting() = %+v, want the greeting", c.Greeting())
	}
	caps := c.Caps()
	for _, name := range []string{"IMAP4rev1", "LITERAL+", "auth=plain"} {
		if !caps.Has(name) {
			t.Errorf("Caps() = %v, missing %s", caps.Names(), name)
		}
	}
	if caps.Has(imap.CapStartTLS) {
		t.Errorf("Caps() = %v has STARTTLS", caps.Names())
	}
	if got := c.State(); got != imapconn.NotAuthenticated {
		t.Errorf("State() = %v", got)
	}
}

func TestGreetingWithoutCaps(t *testing.T) {
	c := dial(t, nil, S("* OK hello"))
	if _, err := c.ReadGreeting(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if c.Caps() != nil {
		t.Errorf("Caps() = %v, want nil (unknown)", c.Caps())
	}
}

func TestGreetingPreauth(t *testing.T) {
	c := dial(t, nil, S("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in as alice"))
	st, err := c.ReadGreeting(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != imap.StatusPREAUTH {
		t.Errorf("greeting = %+v", st)
	}
	if got := c.State(); got != imapconn.Authenticated {
		t.Errorf("State() = %v, want authenticated", got)
	}
	if !c.Caps().Has(imap.CapIdle) {
		t.Errorf("Caps() = %v", c.Caps().Names())
	}
}

func TestGreetingBye(t *testing.T) {
	c := dial(t, nil, S("* BYE [UNAVAILABLE] Too many connections"), fakeserver.CClose())
	st, err := c.ReadGreeting(testCtx(t))
	if !errors.Is(err, imap.ErrBye) || !errors.Is(err, imap.ErrAbort) {
		t.Fatalf("err = %v, want ErrBye and ErrAbort", err)
	}
	var se *imap.StatusError
	if !errors.As(err, &se) || se.Response.Code != "UNAVAILABLE" || se.Response.Text != "Too many connections" {
		t.Errorf("StatusError = %+v", se)
	}
	if st == nil || st.Type != imap.StatusBYE {
		t.Errorf("status = %+v", st)
	}
	if c.Err() == nil || c.State() != imapconn.Logout {
		t.Errorf("after BYE: Err() = %v, State() = %v", c.Err(), c.State())
	}
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); !errors.Is(err, imap.ErrAbort) {
		t.Errorf("Execute after BYE: %v, want ErrAbort", err)
	}
}

func TestGreetingInvalid(t *testing.T) {
	tests := []struct {
		name, greeting string
		syntax         bool // a *imapwire.SyntaxError, else a *imapconn.ProtocolError
	}{
		{"garbage", "hello there", true},
		{"binary", "\x00\x01\x02", true},
		{"tagged", "A1 OK ready", false},
		{"data", "* 3 EXISTS", false},
		{"continuation", "+ ready", false},
		{"NO", "* NO go away", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, nil, S(tt.greeting), fakeserver.CClose())
			_, err := c.ReadGreeting(testCtx(t))
			if !errors.Is(err, imap.ErrAbort) {
				t.Fatalf("err = %v, want ErrAbort", err)
			}
			var se *imapwire.SyntaxError
			var pe *imapconn.ProtocolError
			switch {
			case tt.syntax && !errors.As(err, &se):
				t.Errorf("err = %v, want a *imapwire.SyntaxError", err)
			case tt.name == "NO" && !errors.Is(err, imap.ErrNo):
				t.Errorf("err = %v, want ErrNo", err)
			case !tt.syntax && tt.name != "NO" && !errors.As(err, &pe):
				t.Errorf("err = %v, want a *imapconn.ProtocolError", err)
			}
			if c.Err() == nil {
				t.Error("the connection is still usable")
			}
		})
	}
}

func TestGreetingEOF(t *testing.T) {
	c := dial(t, nil, fakeserver.Close())
	_, err := c.ReadGreeting(testCtx(t))
	if !errors.Is(err, imap.ErrAbort) || !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want ErrAbort and io.EOF", err)
	}
}

func TestGreetingHalfLineThenEOF(t *testing.T) {
	c := dial(t, nil, SRaw("* OK rea"), fakeserver.Close())
	_, err := c.ReadGreeting(testCtx(t))
	if !errors.Is(err, imap.ErrAbort) || !errors.Is(err, imapwire.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want ErrAbort and ErrUnexpectedEOF", err)
	}
}

func TestGreetingDeadline(t *testing.T) {
	c := dial(t, nil, Hold())
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := c.ReadGreeting(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, imap.ErrAbort) {
		t.Fatalf("err = %v, want DeadlineExceeded and ErrAbort", err)
	}
	// Generous: the point is that it returns, not how fast a loaded
	// machine schedules it.
	if d := since(t0); d > 5*time.Second {
		t.Errorf("ReadGreeting took %v", d)
	}
}
