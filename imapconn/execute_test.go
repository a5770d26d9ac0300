package imapconn_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestExecuteStatus(t *testing.T) {
	tests := []struct {
		reply   string
		typ     imap.StatusType
		code    string
		errKind error // nil for OK
	}{
		{"A1 OK NOOP completed", imap.StatusOK, "", nil},
		{"A1 NO [ALERT] mailbox is being rebuilt", imap.StatusNO, "ALERT", imap.ErrNo},
		{"A1 BAD command unknown or arguments invalid", imap.StatusBAD, "", imap.ErrBad},
		{"a1 ok lower-case keyword", imap.StatusOK, "", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			reply := tt.reply
			if strings.HasPrefix(reply, "a1") {
				reply = "A1" + reply[2:] // the tag is case-sensitive
			}
			c := newConn(t, nil, greeting,
				C("A1 NOOP"), S(reply),
				C("A2 NOOP"), S("A2 OK still usable"))
			ctx := testCtx(t)
			st, err := c.Execute(ctx, "NOOP", nil, nil)
			if st == nil || st.Type != tt.typ || st.Code != tt.code {
				t.Errorf("status = %+v", st)
			}
			if tt.errKind == nil {
				if err != nil {
					t.Errorf("err = %v", err)
				}
			} else {
				var se *imap.StatusError
				if !errors.As(err, &se) || se.Command != "NOOP" || se.Response.Type != tt.typ {
					t.Errorf("err = %#v, want a *imap.StatusError for NOOP", err)
				}
				if !errors.Is(err, tt.errKind) || errors.Is(err, imap.ErrAbort) || errors.Is(err, imap.ErrBye) {
					t.Errorf("err = %v: wrong kind", err)
				}
			}
			if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
				t.Errorf("next command: %v", err)
			}
		})
	}
}

func TestUntaggedRouting(t *testing.T) {
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 SEARCH UNSEEN"),
		S("* SEARCH 2 3 5"),
		S("* 4 EXISTS"),
		S("* OK [ALERT] maintenance at noon"),
		S("* 1 FETCH (FLAGS (\\Seen))"),
		S("A1 OK SEARCH done"),
	)
	var offered []string
	var nums []uint32
	h := func(r *imapwire.Response) (bool, error) {
		offered = append(offered, r.Name)
		if r.Name != "SEARCH" {
			return false, nil
		}
		nums = r.Data.(*imapwire.SearchData).Nums
		return true, nil
	}
	st, err := c.Execute(testCtx(t), "SEARCH", func(e *imapwire.Encoder) { e.SP().Atom("UNSEEN") }, h)
	if err != nil || st.Text != "SEARCH done" {
		t.Fatalf("Execute = %+v, %v", st, err)
	}
	if !slices.Equal(nums, []uint32{2, 3, 5}) {
		t.Errorf("SEARCH = %v", nums)
	}
	if want := []string{"SEARCH", "EXISTS", "OK", "FETCH"}; !slices.Equal(offered, want) {
		t.Errorf("handler was offered %v, want %v", offered, want)
	}
	if got, want := u.String(), "4 EXISTS; OK [ALERT] maintenance at noon; 1 FETCH"; got != want {
		t.Errorf("unilateral = %q, want %q", got, want)
	}
}

func TestHandlerError(t *testing.T) {
	boom := errors.New("handler refused the data")
	c := newConn(t, nil, greeting,
		C("A1 LIST \"\" *"),
		S(`* LIST (\HasNoChildren) "/" INBOX`),
		S(`* LIST (\HasNoChildren) "/" Sent`),
		S("A1 OK LIST done"),
		C("A2 NOOP"), S("A2 OK"),
	)
	calls := 0
	h := func(r *imapwire.Response) (bool, error) {
		calls++
		return true, boom
	}
	ctx := testCtx(t)
	st, err := c.Execute(ctx, "LIST", func(e *imapwire.Encoder) { e.SP().String("").SP().Raw("*") }, h)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the handler's error", err)
	}
	if st == nil || st.Type != imap.StatusOK {
		t.Errorf("status = %+v, want the OK (the stream stayed in step)", st)
	}
	if calls != 2 {
		t.Errorf("handler called %d times, want 2", calls)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Errorf("next command: %v", err)
	}
}

func TestCapabilityTracking(t *testing.T) {
	c := newConn(t, nil, "* OK ready",
		C("A1 CAPABILITY"),
		S("* CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN"),
		S("A1 OK CAPABILITY completed"),
		C("A2 NOOP"),
		S("* OK [CAPABILITY IMAP4rev1 IDLE MOVE] new capabilities"),
		S("A2 OK NOOP"),
		C("A3 LOGIN alice secret"),
		S("A3 OK [CAPABILITY IMAP4rev2 ENABLE] Logged in"),
		C("A4 LOGOUT"),
		S("* BYE logging out"),
		S("A4 OK bye"),
	)
	ctx := testCtx(t)
	if c.Caps() != nil {
		t.Fatalf("Caps() before CAPABILITY = %v", c.Caps())
	}
	if _, err := c.Execute(ctx, "CAPABILITY", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Caps().Names(); !slices.Equal(got, []string{"AUTH=PLAIN", "IDLE", "IMAP4REV1", "LITERAL+"}) {
		t.Errorf("after CAPABILITY: %v", got)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Caps().Names(); !slices.Equal(got, []string{"IDLE", "IMAP4REV1", "MOVE"}) {
		t.Errorf("after OK [CAPABILITY]: %v", got)
	}
	if _, err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if got := c.Caps().Names(); !slices.Equal(got, []string{"ENABLE", "IMAP4REV2"}) {
		t.Errorf("after LOGIN OK [CAPABILITY]: %v", got)
	}
	if c.State() != imapconn.Authenticated {
		t.Errorf("State() = %v", c.State())
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("Logout: %v", err)
	}
	if c.State() != imapconn.Logout {
		t.Errorf("State() after LOGOUT = %v", c.State())
	}
}

func TestEnabled(t *testing.T) {
	c := newConn(t, nil, "* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] hi",
		C(`A1 SELECT "Entw&APw-rfe"`), S("A1 OK"),
		C("A2 ENABLE UTF8=ACCEPT CONDSTORE"),
		S("* ENABLED UTF8=ACCEPT"),
		S("A2 OK enabled"),
		C(`A3 SELECT "Entwürfe"`), S("A3 OK"),
	)
	ctx := testCtx(t)
	sel := func(name string) error {
		_, err := c.Execute(ctx, "SELECT", func(e *imapwire.Encoder) { e.SP().String(name) }, nil)
		return err
	}
	if err := sel("Entw&APw-rfe"); err != nil {
		t.Fatal(err)
	}
	if c.Enabled().Has(imap.CapUTF8Accept) {
		t.Fatal("UTF8=ACCEPT enabled before ENABLE")
	}
	_, err := c.Execute(ctx, "ENABLE", func(e *imapwire.Encoder) {
		e.SP().Atom("UTF8=ACCEPT").SP().Atom("CONDSTORE")
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled().Has("utf8=accept") || c.Enabled().Has(imap.CapCondStore) {
		t.Errorf("Enabled() = %v", c.Enabled().Names())
	}
	// With UTF8=ACCEPT on, 8-bit text goes as a quoted string.
	if err := sel("Entwürfe"); err != nil {
		t.Fatal(err)
	}
	if c.State() != imapconn.Selected {
		t.Errorf("State() = %v", c.State())
	}
}

func TestPipelining(t *testing.T) {
	c := newConn(t, nil, greeting,
		C("A1 SEARCH UNSEEN"),
		C("A2 STATUS INBOX (MESSAGES)"),
		C("A3 NOOP"),
		S("* STATUS INBOX (MESSAGES 17)"),
		S("A2 OK STATUS done"),
		S("* SEARCH 4 9"),
		S("* 5 EXISTS"),
		S("A3 OK NOOP done"),
		S("A1 OK SEARCH done"),
	)
	ctx := testCtx(t)
	var search []uint32
	var messages uint64
	var exists uint32
	claim := func(name string, f func(r *imapwire.Response)) imapconn.Handler {
		return func(r *imapwire.Response) (bool, error) {
			if r.Name != name {
				return false, nil
			}
			f(r)
			return true, nil
		}
	}
	c1, err := c.Start(ctx, "SEARCH", func(e *imapwire.Encoder) { e.SP().Atom("UNSEEN") },
		claim("SEARCH", func(r *imapwire.Response) { search = r.Data.(*imapwire.SearchData).Nums }), nil)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.Start(ctx, "STATUS", func(e *imapwire.Encoder) { e.SP().Atom("INBOX").SP().Raw("(MESSAGES)") },
		claim("STATUS", func(r *imapwire.Response) { messages = r.Data.(*imapwire.StatusData).Items["MESSAGES"] }), nil)
	if err != nil {
		t.Fatal(err)
	}
	c3, err := c.Start(ctx, "NOOP", nil, claim("EXISTS", func(r *imapwire.Response) { exists = r.Num }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Tag != "A1" || c2.Tag != "A2" || c3.Tag != "A3" {
		t.Errorf("tags %s %s %s", c1.Tag, c2.Tag, c3.Tag)
	}
	// Wait for the last one first: the others complete on the way.
	if st, err := c.Wait(ctx, c3); err != nil || st.Text != "NOOP done" {
		t.Fatalf("Wait(A3) = %+v, %v", st, err)
	}
	if !c2.Done() || c1.Done() {
		t.Errorf("after A3: A1 done %v, A2 done %v", c1.Done(), c2.Done())
	}
	if st, err := c.Wait(ctx, c1); err != nil || st.Text != "SEARCH done" {
		t.Fatalf("Wait(A1) = %+v, %v", st, err)
	}
	if st, err := c.Wait(ctx, c2); err != nil || st.Text != "STATUS done" || c2.Status() != st {
		t.Fatalf("Wait(A2) = %+v, %v", st, err)
	}
	if !slices.Equal(search, []uint32{4, 9}) || messages != 17 || exists != 5 {
		t.Errorf("search %v, messages %d, exists %d", search, messages, exists)
	}
}

func TestUnknownTag(t *testing.T) {
	var log logBuffer
	c := newConn(t, &imapconn.Options{Logger: log.logger()}, greeting,
		C("A1 NOOP"),
		S("A7 OK stray completion"),
		S("* OK still here"),
		S("A1 OK NOOP done"),
	)
	st, err := c.Execute(testCtx(t), "NOOP", nil, nil)
	if err != nil || st.Text != "NOOP done" {
		t.Fatalf("Execute = %+v, %v", st, err)
	}
	if !strings.Contains(log.String(), "tagged response for an unknown command") {
		t.Errorf("the stray completion was not logged:\n%s", log.String())
	}
}

func TestUnsolicitedContinuation(t *testing.T) {
	var log logBuffer
	c := newConn(t, &imapconn.Options{Logger: log.logger()}, greeting,
		S("+ nobody asked"),
		C("A1 NOOP"),
		S("+ still nobody asked"),
		S("A1 OK NOOP done"),
		C("A2 NOOP"),
		S("A2 OK"),
	)
	ctx := testCtx(t)
	// With no command in flight (as while waiting for unilateral data).
	if err := c.Poll(ctx); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if !strings.Contains(log.String(), "continuation request nobody asked for") {
		t.Errorf("not logged:\n%s", log.String())
	}
	// During a command that sent no literal.
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Fatalf("next Execute: %v", err)
	}
}

// TestMalformedUntagged: a response that does not parse is skipped; the
// command completes with its status, and Wait reports the skipped
// response as a *imapconn.ProtocolError next to that status, so that data
// the command may have needed is never lost silently. The connection
// stays usable.
func TestMalformedUntagged(t *testing.T) {
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 NOOP"),
		S(`* LIST (\Noselect "/" broken`),
		S("* 3 EXISTS"),
		S("A1 OK NOOP done"),
		C("A2 NOOP"),
		S("A2 OK clean"),
	)
	ctx := testCtx(t)
	st, err := c.Execute(ctx, "NOOP", nil, nil)
	var pe *imapconn.ProtocolError
	if !errors.As(err, &pe) || errors.Is(err, imap.ErrAbort) {
		t.Errorf("err = %v, want a *imapconn.ProtocolError", err)
	}
	if st == nil || st.Text != "NOOP done" {
		t.Errorf("status = %+v, want the command's OK", st)
	}
	if u.String() != "3 EXISTS" {
		t.Errorf("unilateral = %q: the response after the bad one was lost", u.String())
	}
	if st, err := c.Execute(ctx, "NOOP", nil, nil); err != nil || st.Text != "clean" {
		t.Errorf("next command = %+v, %v", st, err)
	}
}

func TestByeMidSession(t *testing.T) {
	var u unilateral
	c := newConn(t, &imapconn.Options{Unilateral: u.handle}, greeting,
		C("A1 NOOP"),
		S("* BYE [UNAVAILABLE] server shutting down"),
		fakeserver.Close(),
	)
	ctx := testCtx(t)
	_, err := c.Execute(ctx, "NOOP", nil, nil)
	if !errors.Is(err, imap.ErrAbort) || !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want ErrAbort and EOF", err)
	}
	if !strings.Contains(err.Error(), "BYE [UNAVAILABLE] server shutting down") {
		t.Errorf("err = %q does not mention the BYE", err)
	}
	if u.String() != "BYE [UNAVAILABLE] server shutting down" {
		t.Errorf("unilateral = %q", u.String())
	}
	if c.State() != imapconn.Logout || c.Err() == nil {
		t.Errorf("State() = %v, Err() = %v", c.State(), c.Err())
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); !errors.Is(err, imap.ErrAbort) {
		t.Errorf("next command: %v, want ErrAbort", err)
	}
}

func TestLogoutServerHangsUp(t *testing.T) {
	// Some servers close right after BYE, without the tagged OK.
	c := newConn(t, nil, greeting,
		C("A1 LOGOUT"),
		S("* BYE see you"),
		fakeserver.Close(),
	)
	if err := c.Logout(testCtx(t)); err != nil {
		t.Errorf("Logout: %v", err)
	}
	if c.State() != imapconn.Logout {
		t.Errorf("State() = %v", c.State())
	}
}

func TestClosedConn(t *testing.T) {
	c := newConn(t, nil, greeting)
	c.Close()
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Execute(testCtx(t), "NOOP", nil, nil); !errors.Is(err, imapconn.ErrClosed) {
		t.Errorf("Execute after Close: %v, want ErrClosed", err)
	}
}

func TestInvalidArguments(t *testing.T) {
	c := newConn(t, nil, greeting, C("A1 NOOP"), S("A1 OK"))
	ctx := testCtx(t)
	_, err := c.Execute(ctx, "SELECT", func(e *imapwire.Encoder) { e.SP().Atom("bad atom") }, nil)
	if !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("err = %v, want ErrInvalidArgument", err)
	}
	// Nothing was sent, and the tag is used for the next command.
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Errorf("next command: %v", err)
	}
}
