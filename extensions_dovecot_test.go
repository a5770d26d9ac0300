package imapclient_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/mutf7"
)

// binaryMessage has a part with Content-Transfer-Encoding: binary that
// holds NUL and 8-bit bytes.
func binaryMessage(payload []byte) []byte {
	head := "From: a@example.org\r\nTo: b@example.org\r\nSubject: binary\r\n" +
		"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\ntext part\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
	tail := "\r\n--b--\r\n"
	return append(append([]byte(head), payload...), tail...)
}

func TestDovecotAppendBinary(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "Binary")
	payload := []byte("bin\x00ary\x00\xff\xfe data")
	msg := binaryMessage(payload)
	res, err := c.Append(ctx, folder, msg, nil, time.Time{})
	if err != nil {
		t.Fatalf("Append with NUL: %v", err)
	}
	if _, err := c.SelectFolder(ctx, folder, true); err != nil {
		t.Fatal(err)
	}
	got, err := c.Fetch(ctx, imapclient.ID(res.UID), []string{"BINARY.PEEK[]", "BINARY.PEEK[2]", "BINARY.SIZE[2]"})
	if err != nil {
		t.Fatal(err)
	}
	m := got[res.UID]
	if m == nil {
		t.Fatalf("Fetch = %v", got)
	}
	if whole, ok := m.Section("BINARY.PEEK[]"); !ok || !bytes.Equal(whole, msg) {
		t.Errorf("BINARY[] = %q, %v", whole, ok)
	}
	if part, ok := m.Section("BINARY.PEEK[2]"); !ok || !bytes.Equal(part, payload) {
		t.Errorf("BINARY[2] = %q, %v", part, ok)
	}
	if m.BinarySize["2"] != int64(len(payload)) {
		t.Errorf("BINARY.SIZE[2] = %v", m.BinarySize)
	}
	// The same through MultiAppend with a reader marked Binary.
	mr, err := c.MultiAppend(ctx, folder, []imapclient.AppendMessage{
		{Reader: bytes.NewReader(msg), Size: int64(len(msg)), Binary: true},
		{Msg: []byte(testMessage("a@x.org", "b@x.org", "text", "plain"))},
	})
	if err != nil || len(mr.UIDs) != 2 {
		t.Fatalf("MultiAppend = %+v, %v", mr, err)
	}
	got, err = c.Fetch(ctx, imapclient.ID(mr.UIDs[0]), []string{"BINARY.PEEK[2]"})
	if part, ok := got[mr.UIDs[0]].Section("BINARY.PEEK[2]"); err != nil || !ok || !bytes.Equal(part, payload) {
		t.Errorf("BINARY[2] after MultiAppend = %q, %v, %v", part, ok, err)
	}
	// Without BINARY (hidden by the test hook) the client refuses it.
	imapclient.DisableCapsForTest(t, c, imap.CapBinary)
	var ce *imapclient.CapabilityError
	if _, err := c.Append(ctx, folder, msg, nil, time.Time{}); !errors.As(err, &ce) || ce.Capability != imap.CapBinary {
		t.Errorf("Append with NUL without BINARY: %v", err)
	}
}

// previewMessages are messages whose previews the server and the client
// must agree on.
var previewMessages = []string{
	testMessage("a@x.org", "b@x.org", "plain", "Hello,   w\u00f6rld!\r\nSecond   line."),
	"From: a@x.org\r\nSubject: qp\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus K=F6ln, soft=\r\nbreak.\r\n",
	"From: a@x.org\r\nSubject: alt\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"VGhlIHBsYWluIHBhcnQsIGluIGJhc2U2NC4=\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>The html part</p>\r\n--x--\r\n",
	"From: a@x.org\r\nSubject: long\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("word ", 100) + "\r\n",
}

func TestDovecotFetchPreview(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "Preview")
	seed(t, c, folder, nil, previewMessages...)
	if _, err := c.SelectFolder(ctx, folder, true); err != nil {
		t.Fatal(err)
	}
	server, err := c.FetchPreview(ctx, imapclient.All)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]string{
		1: "Hello, w\u00f6rld! Second line.",
		2: "Gr\u00fc\u00dfe aus K\u00f6ln, softbreak.",
		3: "The plain part, in base64.",
		4: strings.TrimSpace(strings.Repeat("word ", 40)),
	}
	for id, w := range want {
		if server[id] != w {
			t.Errorf("server PREVIEW of %d = %q, want %q", id, server[id], w)
		}
	}
	// Without PREVIEW the client computes the same previews.
	imapclient.DisableCapsForTest(t, c, imap.CapPreview)
	client, err := c.FetchPreview(ctx, imapclient.All)
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range want {
		if client[id] != w {
			t.Errorf("client preview of %d = %q, want %q", id, client[id], w)
		}
	}
}

func TestDovecotSaveDateSearch(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "SaveDate")
	// An old internal date: SAVEDATE searches the date the message was
	// saved, not INTERNALDATE.
	raw(t, c, "APPEND", func(e *imapwire.Encoder) {
		e.SP().AString(mutf7.Encode(folder)).SP().String("01-Jan-2001 00:00:00 +0000").
			SP().Literal([]byte(testMessage("a@x.org", "b@x.org", "saved", "x")))
	})
	if _, err := c.SelectFolder(ctx, folder, true); err != nil {
		t.Fatal(err)
	}
	var q imapclient.Criteria
	today := time.Now()
	for _, tc := range []struct {
		name string
		crit imapclient.Criteria
		n    int
	}{
		{"SAVEDSINCE yesterday", q.SavedSince(today.AddDate(0, 0, -1)), 1},
		{"SAVEDON today", q.SavedOn(today), 1},
		{"SAVEDBEFORE yesterday", q.SavedBefore(today.AddDate(0, 0, -1)), 0},
		{"SAVEDATESUPPORTED", q.SaveDateSupported(), 1},
		{"SINCE yesterday (internal date)", q.Since(today.AddDate(0, 0, -1)), 0},
	} {
		res, err := c.Search(ctx, tc.crit, nil)
		if err != nil || len(res.IDs) != tc.n {
			t.Errorf("%s = %+v, %v", tc.name, res, err)
		}
	}
	m, err := c.Fetch(ctx, imapclient.All, []string{"SAVEDATE"})
	for _, msg := range m {
		if d := time.Since(msg.SaveDate); err != nil || d < -time.Hour || d > time.Hour {
			t.Errorf("SAVEDATE = %v, %v", msg.SaveDate, err)
		}
	}
}

func TestDovecotNotify(t *testing.T) {
	c, d := loggedIn(t)
	ctx := ctxT(t)
	other := dialTLS(t, d, nil)
	login(t, other, testrig.Alice)
	watched := tempFolder(t, c, "Notify ü")

	err := c.Notify(ctx, &imapclient.NotifySpec{Groups: []imapclient.NotifyGroup{
		{Filter: imapclient.NotifySelected, Events: []imapclient.NotifyEvent{imapclient.NotifyMessageNew, imapclient.NotifyMessageExpunge, imapclient.NotifyFlagChange}},
		{Filter: imapclient.NotifyPersonal, Events: []imapclient.NotifyEvent{imapclient.NotifyMessageNew, imapclient.NotifyMessageExpunge, imapclient.NotifyMailboxName, imapclient.NotifySubscriptionChange}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	// Another session appends to a folder that is not selected, and
	// creates a folder: the idler hears of both, with names decoded.
	seed(t, other, watched, nil, testMessage("a@x.org", "b@x.org", "notified", "x"))
	created := tempFolder(t, other, "Notify neu ö")
	var gotStatus, gotList bool
	waitFor(t, c, "STATUS and LIST", func(u imapclient.Update) bool {
		switch u := u.(type) {
		case *imapclient.FolderStatusUpdate:
			if u.Status.Name == watched && u.Status.Messages == 1 {
				gotStatus = true
			}
		case *imapclient.FolderListUpdate:
			if u.Folder.Name == created {
				gotList = true
			}
		}
		return gotStatus && gotList
	})
	if _, err := c.IdleDone(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.NotifyNone(ctx); err != nil {
		t.Fatal(err)
	}
	// A spec breaking RFC 5465's rules is refused before sending.
	err = c.Notify(ctx, &imapclient.NotifySpec{Groups: []imapclient.NotifyGroup{
		{Filter: imapclient.NotifyInboxes, Events: []imapclient.NotifyEvent{imapclient.NotifyMessageNew}},
	}})
	if !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("MessageNew without MessageExpunge: %v", err)
	}
}

// TestDovecotMissingExtensions checks the extensions Dovecot 2.3 lacks:
// each is refused with a *CapabilityError before anything is sent, and
// UTF8=ACCEPT is not enabled.
func TestDovecotMissingExtensions(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	var ce *imapclient.CapabilityError
	check := func(what string, err error, capName string) {
		t.Helper()
		if !errors.As(err, &ce) || ce.Capability != capName {
			t.Errorf("%s: %v", what, err)
		}
	}
	check("Unauthenticate", c.Unauthenticate(ctx), imap.CapUnauthenticate)
	_, err := c.FolderMailboxID(ctx, "INBOX")
	check("FolderMailboxID", err, imap.CapObjectID)
	_, _, err = c.AppendLimit(ctx, "")
	check("AppendLimit", err, imap.CapAppendLimit)
	if ok, _ := c.UTF8Enabled(ctx); ok {
		t.Error("UTF8=ACCEPT enabled on a server without it")
	}
	res, err := c.SelectFolder(ctx, "INBOX", true)
	if err != nil || res.MailboxID() != "" {
		t.Errorf("SelectFolder = %+v, %v", res, err)
	}
	if c.State() != "selected" {
		t.Errorf("state %q", c.State())
	}
}
