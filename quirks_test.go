package imapclient_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

// Server quirks: where a real server differs from Dovecot (the reference)
// in a way the client cannot paper over, the difference is pinned here by
// a test that runs against that server only, and written up in
// docs/SERVERS.md. Should a new server version change its behaviour, the
// test fails and the note must be revisited. The behaviour tests refer to
// these tests where they expect a server-specific answer.

// cyrusRefusedNameChars are the characters Cyrus 3.6 refuses in a mailbox
// name ("NO Invalid mailbox name"), besides 8-bit bytes, which the client
// never sends (it encodes names in modified UTF-7).
const cyrusRefusedNameChars = "!;<>|^`{}%\"\\"

// refusedNameChars returns the characters the server refuses in folder
// names ("" when it takes every character).
func refusedNameChars(s *testrig.Server) string {
	if s.Target == testrig.TargetCyrus {
		return cyrusRefusedNameChars
	}
	return ""
}

// nameFor returns name with the characters the server refuses in folder
// names replaced by "_", for tests whose subject is not the name itself.
func nameFor(s *testrig.Server, name string) string {
	refused := refusedNameChars(s)
	if refused == "" {
		return name
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(refused, r) {
			return '_'
		}
		return r
	}, name)
}

// cyrusLoggedIn is serverLoggedIn for the tests of Cyrus's quirks: it
// skips them on the other targets.
func cyrusLoggedIn(t *testing.T) (*imapclient.Client, *testrig.Server) {
	t.Helper()
	s := testrig.RequireServer(t)
	if s.Target != testrig.TargetCyrus {
		t.Skipf("a Cyrus quirk; IMAPTEST_TARGET=%s", s.Target)
	}
	return loggedInTo(t, s)
}

// Cyrus lists every extension in CAPABILITY before login (its greeting
// has a short list), and LOGINDISABLED after login (and, over TLS, its
// AUTH= mechanisms). The client takes the list it gets after login as the
// truth, and LOGINDISABLED once authenticated changes nothing.
func TestCyrusQuirkCapabilities(t *testing.T) {
	s := testrig.RequireServer(t)
	if s.Target != testrig.TargetCyrus {
		t.Skipf("a Cyrus quirk; IMAPTEST_TARGET=%s", s.Target)
	}
	ctx := ctxT(t)
	c := dialTLS(t, s, nil)
	// The greeting's list is short; CAPABILITY before login is not.
	greeting, err := c.Capabilities(ctx)
	if err != nil || greeting.Has("MOVE") {
		t.Fatalf("capabilities of the greeting: %v, %v", greeting.Names(), err)
	}
	out, _, err := c.RawCommand(ctx, "CAPABILITY")
	if err != nil || len(out) != 1 {
		t.Fatalf("CAPABILITY: %+v, %v", out, err)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has("MOVE") || !caps.Has("QUOTA") || caps.Has("LOGINDISABLED") {
		t.Fatalf("pre-login capabilities: %v", caps.Names())
	}
	login(t, c, testrig.Alice)
	caps, err = c.Capabilities(ctx)
	if err != nil || !caps.Has("LOGINDISABLED") || !caps.Has("MOVE") {
		t.Fatalf("post-login capabilities: %v, %v", caps.Names(), err)
	}
	// Logged in, the client goes on as usual.
	if ok, err := c.HasCapability(ctx, "IDLE"); err != nil || !ok {
		t.Fatalf("HasCapability(IDLE) = %v, %v", ok, err)
	}
	if _, err := c.SelectFolder(ctx, "INBOX", true); err != nil {
		t.Fatal(err)
	}
	var ise *imapclient.IllegalStateError
	if err := c.Login(ctx, "alice", "alicepw"); !errors.As(err, &ise) {
		t.Fatalf("second Login: %v", err)
	}
}

// Cyrus spells the special-use attributes in lower case (`\sent`); the
// client compares attributes without case.
func TestCyrusQuirkSpecialUseLowerCase(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	ctx := ctxT(t)
	fs, err := c.ListFolders(ctx, "", "Sent")
	if err != nil || len(fs) != 1 {
		t.Fatalf("ListFolders(Sent) = %+v, %v", fs, err)
	}
	if !slices.Contains(fs[0].Attrs, `\sent`) {
		t.Fatalf("Sent's attributes %v: no lower-case \\sent any more?", fs[0].Attrs)
	}
	if !fs[0].HasAttr(imap.SpecialUseSent) || fs[0].SpecialUse() != imap.SpecialUseSent {
		t.Fatalf("HasAttr/SpecialUse on %v", fs[0].Attrs)
	}
	if got, err := c.FindSpecialFolder(ctx, imap.SpecialUseDrafts); err != nil || got != "Drafts" {
		t.Fatalf("FindSpecialFolder(Drafts) = %q, %v", got, err)
	}
}

// Cyrus refuses GETQUOTA to users, even on their own quota root
// ("NO Permission denied"); GETQUOTAROOT answers with the same numbers.
func TestCyrusQuirkGetQuotaRefused(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	ctx := ctxT(t)
	qr, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil || len(qr.Roots) != 1 || len(qr.Quotas) == 0 {
		t.Fatalf("GetQuotaRoot = %+v, %v", qr, err)
	}
	var se *imapclient.ServerError
	if _, err := c.GetQuotaForRoot(ctx, qr.Roots[0]); !errors.As(err, &se) || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("GetQuotaForRoot(%q) = %v: does Cyrus answer GETQUOTA now?", qr.Roots[0], err)
	}
	if _, err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// Cyrus refuses some ASCII characters in mailbox names (its mboxname
// policy); Dovecot and the memserver take them all.
func TestCyrusQuirkMailboxNames(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	ctx := ctxT(t)
	base := folderBase(t, c, "names")
	for _, ch := range cyrusRefusedNameChars {
		err := c.CreateFolder(ctx, base+"/x"+string(ch)+"y")
		var se *imapclient.ServerError
		if !errors.As(err, &se) || !errors.Is(err, imap.ErrNo) {
			t.Errorf("CreateFolder with %q: %v", ch, err)
		}
	}
	// What it takes, non-ASCII included (sent in modified UTF-7).
	for _, n := range []string{"a & b", "[x] (y)", "star*", "q?#=~@$,.:+-_'", "Café 日本語 😀"} {
		if err := c.CreateFolder(ctx, base+"/"+n); err != nil {
			t.Errorf("CreateFolder(%q): %v", n, err)
		}
	}
	if _, err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// A failed LOGIN on Cyrus is a plain NO, without [AUTHENTICATIONFAILED]:
// the client's LoginError does not depend on the code.
func TestCyrusQuirkLoginFailureCode(t *testing.T) {
	s := testrig.RequireServer(t)
	if s.Target != testrig.TargetCyrus {
		t.Skipf("a Cyrus quirk; IMAPTEST_TARGET=%s", s.Target)
	}
	c := dialTLS(t, s, nil)
	err := c.Login(ctxT(t), "alice", "wrong")
	var le *imapclient.LoginError
	var se *imapclient.ServerError
	if !errors.As(err, &le) || !errors.As(err, &se) || se.Response.Code != "" {
		t.Fatalf("Login with a wrong password: %v", err)
	}
	login(t, c, testrig.Alice)
}

// Cyrus 3.6 advertises PREVIEW but answers PREVIEW NIL (it has no
// preview without a search index): the client gives "".
func TestCyrusQuirkPreviewNIL(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	fetchFolder(t, c)
	res, err := c.Fetch(ctxT(t), imapclient.ID(1), []string{"PREVIEW"})
	if err != nil || res[1] == nil || res[1].Preview != "" {
		t.Fatalf("Fetch(PREVIEW) = %+v, %v: does Cyrus make previews now?", res[1], err)
	}
}

// Cyrus matches SEARCH strings without diacritics: "ü" finds "u" too.
// Dovecot and the memserver compare the characters as they are.
func TestCyrusQuirkSearchIgnoresDiacritics(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	searchFolder(t, c)
	var q imapclient.Criteria
	res, err := c.Search(ctxT(t), q.Subject("ü"), nil)
	// 4 (München), 10 (Ünïcödé) and every subject with a plain "u".
	w := want(func(_ int, m searchMsg) bool {
		s := imapclient.DecodeHeader(m.subject)
		return strings.ContainsAny(strings.ToLower(s), "uü")
	})
	if err != nil || !slices.Equal(res.IDs, w) {
		t.Fatalf("SUBJECT ü = %v, %v; want %v", res, err, w)
	}
}

// Cyrus matches LIST patterns case-sensitively, INBOX included: LIST ""
// "inbox" lists nothing. FolderExists spells INBOX in capitals for it.
func TestCyrusQuirkInboxPatternCase(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	ctx := ctxT(t)
	fs, err := c.ListFolders(ctx, "", "inbox")
	if err != nil || len(fs) != 0 {
		t.Fatalf(`LIST "" inbox = %+v, %v: does Cyrus match INBOX without case now?`, fs, err)
	}
	for _, n := range []string{"inbox", "Inbox", "INBOX"} {
		if ok, err := c.FolderExists(ctx, n); err != nil || !ok {
			t.Errorf("FolderExists(%q) = %v, %v", n, ok, err)
		}
	}
}

// Cyrus refuses a message with bare LF line endings ("NO Message contains
// bare newlines"); Dovecot stores it. The client sends the message as
// given (Append documents CRLF) and reports the refusal.
func TestCyrusQuirkBareNewlines(t *testing.T) {
	c, _ := cyrusLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "bare lf")
	_, err := c.Append(ctx, folder, []byte("Subject: lf\n\nbody\n"), nil, time.Time{})
	var se *imapclient.ServerError
	if !errors.As(err, &se) || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("Append with bare LF: %v", err)
	}
	if _, err := c.Append(ctx, folder, []byte("Subject: crlf\r\n\r\nbody\r\n"), nil, time.Time{}); err != nil {
		t.Fatalf("Append with CRLF: %v", err)
	}
}
