package imapclient

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

// loginClient connects to a scripted server that greets with OK and caps
// and logs in as alice with the steps given first in script.
func loginClient(t *testing.T, opts *Options, caps string, script ...fakeserver.Step) *Client {
	t.Helper()
	steps := append([]fakeserver.Step{fakeserver.S("* OK [CAPABILITY " + caps + "] ready")}, script...)
	nc := fakeserver.Start(t, steps...)
	o := Options{AllowInsecureAuth: true}
	if opts != nil {
		o = *opts
		o.AllowInsecureAuth = true
	}
	c, err := New(flCtx(t), nc, &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(flCtx(t), "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUTF8AcceptScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var updates []Update
	c := loginClient(t, &Options{OnUpdate: func(u Update) { updates = append(updates, u) }}, "IMAP4rev1 AUTH=PLAIN",
		C(`A1 LOGIN alice secret`),
		S(`A1 OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT LIST-EXTENDED] Logged in`),
		C(`A2 ENABLE UTF8=ACCEPT`),
		S(`* ENABLED UTF8=ACCEPT`),
		S(`A2 OK Enabled`),
		// The name travels as a UTF-8 quoted string, not a literal, and
		// not in modified UTF-7.
		C(`A3 CREATE "Entwürfe"`),
		S(`A3 OK done`),
		C(`A4 LIST "" "Entw*"`),
		S(`* LIST () "/" "Entwürfe"`),
		S(`* LIST () "/" Entw&APw-rfe`),
		S(`A4 OK done`),
		C(`A5 STATUS "Entwürfe/Ä" (MESSAGES)`),
		S(`* STATUS "Entwürfe/Ä" (MESSAGES 2)`),
		S(`A5 OK done`),
	)
	ctx := flCtx(t)
	if ok, _ := c.UTF8Enabled(ctx); !ok {
		t.Fatal("UTF8=ACCEPT not enabled after login")
	}
	if err := c.CreateFolder(ctx, "Entwürfe"); err != nil {
		t.Fatal(err)
	}
	fs, err := c.ListFolders(ctx, "", "Entw*")
	if err != nil || len(fs) != 2 || fs[0].Name != "Entwürfe" || fs[1].Name != "Entw&APw-rfe" {
		t.Fatalf("ListFolders = %+v, %v", fs, err)
	}
	st, err := c.FolderStatus(ctx, "Entwürfe/Ä", "MESSAGES")
	if err != nil || st.Messages != 2 {
		t.Fatalf("FolderStatus = %+v, %v", st, err)
	}
	if len(updates) != 0 {
		t.Errorf("updates = %#v", updates)
	}
}

func TestUTF8AcceptDisabledScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := loginClient(t, &Options{DisableUTF8: true}, "IMAP4rev1 ENABLE UTF8=ACCEPT AUTH=PLAIN",
		C(`A1 LOGIN alice secret`),
		S(`A1 OK Logged in`), // DisableUTF8: the capabilities are not even asked
		C(`A2 CREATE Entw&APw-rfe`),
		S(`A2 OK done`),
	)
	if ok, _ := c.UTF8Enabled(flCtx(t)); ok {
		t.Fatal("UTF8=ACCEPT enabled with DisableUTF8")
	}
	if err := c.CreateFolder(flCtx(t), "Entwürfe"); err != nil {
		t.Fatal(err)
	}
}

func TestUTF8AcceptRefusedScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := loginClient(t, nil, "IMAP4rev1 ENABLE UTF8=ACCEPT AUTH=PLAIN",
		C(`A1 LOGIN alice secret`),
		S(`A1 OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] Logged in`),
		C(`A2 ENABLE UTF8=ACCEPT`),
		S(`A2 NO not now`),
		C(`A3 CREATE Entw&APw-rfe`),
		S(`A3 OK done`),
	)
	if ok, _ := c.UTF8Enabled(flCtx(t)); ok {
		t.Fatal("UTF8=ACCEPT enabled after NO")
	}
	if err := c.CreateFolder(flCtx(t), "Entwürfe"); err != nil {
		t.Fatal(err)
	}
}

func TestAppendLimitScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	msg := bytes.Repeat([]byte("x"), 100)
	c := extClient(t, nil, "IMAP4rev1 APPENDLIMIT=100 LITERAL+ MULTIAPPEND",
		C(`A1 APPEND INBOX {100+}`),
		fakeserver.CBytes(string(msg)),
		C(``),
		S(`A1 OK done`),
		C(`A2 STATUS INBOX (APPENDLIMIT)`),
		S(`* STATUS INBOX (APPENDLIMIT NIL)`),
		S(`A2 OK done`),
	)
	ctx := flCtx(t)
	var le *AppendLimitError
	if _, err := c.Append(ctx, "INBOX", append(msg, 'y'), nil, time.Time{}); !errors.As(err, &le) || le.Limit != 100 || le.Size != 101 {
		t.Fatalf("Append of 101 octets: %v", err)
	}
	_, err := c.MultiAppend(ctx, "INBOX", []AppendMessage{{Msg: msg}, {Reader: strings.NewReader("z"), Size: 1000}})
	if !errors.As(err, &le) || le.Index != 1 || le.Size != 1000 {
		t.Fatalf("MultiAppend over the limit: %v", err)
	}
	if _, err := c.Append(ctx, "INBOX", msg, nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n, ok, err := c.AppendLimit(ctx, ""); n != 100 || !ok || err != nil {
		t.Errorf("AppendLimit() = %d, %v, %v", n, ok, err)
	}
	if n, ok, err := c.AppendLimit(ctx, "INBOX"); n != 0 || ok || err != nil {
		t.Errorf("AppendLimit(INBOX) = %d, %v, %v", n, ok, err)
	}

	// A bare APPENDLIMIT: limits per folder, asked with STATUS.
	c2 := extClient(t, nil, "IMAP4rev1 APPENDLIMIT",
		C(`A1 STATUS Sent (APPENDLIMIT)`),
		S(`* STATUS Sent (APPENDLIMIT 5000)`),
		S(`A1 OK done`),
	)
	if n, ok, err := c2.AppendLimit(ctx, ""); n != 0 || ok || err != nil {
		t.Errorf("AppendLimit() = %d, %v, %v", n, ok, err)
	}
	if n, ok, err := c2.AppendLimit(ctx, "Sent"); n != 5000 || !ok || err != nil {
		t.Errorf("AppendLimit(Sent) = %d, %v, %v", n, ok, err)
	}
	c3 := extClient(t, nil, "IMAP4rev1")
	var ce *CapabilityError
	if _, _, err := c3.AppendLimit(ctx, "INBOX"); !errors.As(err, &ce) || ce.Capability != imap.CapAppendLimit {
		t.Errorf("AppendLimit without the capability: %v", err)
	}
}

func TestAppendBinaryScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	msg := "Subject: x\r\n\r\na\x00b"
	c := extClient(t, nil, "IMAP4rev1 BINARY",
		// literal8, synchronising without LITERAL+.
		C(`A1 APPEND INBOX (\Seen) ~{17}`),
		S(`+ go ahead`),
		fakeserver.CBytes(msg),
		C(``),
		S(`A1 OK [APPENDUID 7 3] done`),
	)
	res, err := c.Append(flCtx(t), "INBOX", []byte(msg), []string{imap.FlagSeen}, time.Time{})
	if err != nil || res.UID != 3 {
		t.Fatalf("Append = %+v, %v", res, err)
	}
	// Without BINARY: refused before sending.
	c2 := extClient(t, nil, "IMAP4rev1 LITERAL+")
	var ce *CapabilityError
	if _, err := c2.Append(flCtx(t), "INBOX", []byte(msg), nil, time.Time{}); !errors.As(err, &ce) || ce.Capability != imap.CapBinary {
		t.Errorf("Append with NUL without BINARY: %v", err)
	}
	_, err = c2.MultiAppend(flCtx(t), "INBOX", []AppendMessage{{Reader: strings.NewReader("x"), Size: 1, Binary: true}})
	if !errors.As(err, &ce) {
		t.Errorf("MultiAppend of a Binary reader without BINARY: %v", err)
	}
}

// TestLiteralMinusScripted shows LITERAL- (RFC 7888 section 5): literals
// of up to 4096 octets go without waiting, larger ones wait for "+".
func TestLiteralMinusScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	small := strings.Repeat("s", 4096)
	large := strings.Repeat("l", 4097)
	c := extClient(t, nil, "IMAP4rev1 LITERAL-",
		C(`A1 APPEND INBOX {4096+}`),
		fakeserver.CBytes(small),
		C(``),
		S(`A1 OK done`),
		C(`A2 APPEND INBOX {4097}`),
		fakeserver.Quiet(100*time.Millisecond), // waits for the go-ahead
		S(`+ ready`),
		fakeserver.CBytes(large),
		C(``),
		S(`A2 OK done`),
	)
	for _, m := range []string{small, large} {
		if _, err := c.Append(flCtx(t), "INBOX", []byte(m), nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMailboxIDScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := extClient(t, nil, "IMAP4rev1 OBJECTID",
		C(`A1 EXAMINE INBOX`),
		S(`* 3 EXISTS`),
		S(`* OK [MAILBOXID (F2212ea87-6097-4256)] Ok`),
		S(`A1 OK [READ-ONLY] done`),
		C(`A2 STATUS Caf&AOk- (MAILBOXID)`),
		S(`* STATUS Caf&AOk- (MAILBOXID (Fcafe_1))`),
		S(`A2 OK done`),
		C(`A3 STATUS INBOX (MAILBOXID)`),
		S(`* STATUS INBOX (MAILBOXID (bad!id))`),
		S(`A3 OK done`),
	)
	ctx := flCtx(t)
	res, err := c.SelectFolder(ctx, "INBOX", true)
	if err != nil || res.MailboxID() != "F2212ea87-6097-4256" {
		t.Fatalf("SelectFolder = %+v, %v", res, err)
	}
	if id, err := c.FolderMailboxID(ctx, "Café"); err != nil || id != "Fcafe_1" {
		t.Errorf("FolderMailboxID = %q, %v", id, err)
	}
	var pe *ProtocolError
	if _, err := c.FolderMailboxID(ctx, "INBOX"); !errors.As(err, &pe) {
		t.Errorf("malformed MAILBOXID: %v", err)
	}
	for arg, want := range map[string]string{"(abc)": "abc", " ( x-y_z ) ": "x-y_z", "abc": "", "()": "", "(a b)": "", "": ""} {
		if got := parseObjectID(arg); got != want {
			t.Errorf("parseObjectID(%q) = %q, want %q", arg, got, want)
		}
	}
}

func TestUnauthenticateScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	nc := fakeserver.Start(t,
		S(`* PREAUTH [CAPABILITY IMAP4rev1 UNAUTHENTICATE ENABLE] ready`),
		C(`A1 UNAUTHENTICATE`),
		S(`A1 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] back to not authenticated`),
		C(`A2 LOGIN bob pw`),
		S(`A2 OK [CAPABILITY IMAP4rev1 UNAUTHENTICATE] Logged in`),
	)
	c, err := New(flCtx(t), nc, &Options{AllowInsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := flCtx(t)
	if err := c.Unauthenticate(ctx); err != nil {
		t.Fatal(err)
	}
	if c.State() != imapconn.NotAuthenticated.String() {
		t.Fatalf("state after UNAUTHENTICATE: %s", c.State())
	}
	var ie *IllegalStateError
	if err := c.Unauthenticate(ctx); !errors.As(err, &ie) {
		t.Errorf("Unauthenticate when not authenticated: %v", err)
	}
	if err := c.Login(ctx, "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	if c.State() != imapconn.Authenticated.String() {
		t.Fatalf("state after login: %s", c.State())
	}
}

func TestSaveDateCriteriaScripted(t *testing.T) {
	c := flSelected(t, "IMAP4rev1 SAVEDATE",
		fakeserver.C(`A2 UID SEARCH SAVEDSINCE 01-Mar-2024 SAVEDBEFORE 02-Mar-2024 NOT SAVEDON 03-Mar-2024 SAVEDATESUPPORTED`),
		fakeserver.S(`* SEARCH 4 5`),
		fakeserver.S(`A2 OK done`),
	)
	var q Criteria
	day := func(d int) time.Time { return time.Date(2024, 3, d, 12, 0, 0, 0, time.UTC) }
	res, err := c.Search(flCtx(t), q.SavedSince(day(1)).SavedBefore(day(2)).Not(q.SavedOn(day(3))).SaveDateSupported(), nil)
	if err != nil || len(res.IDs) != 2 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	c2 := flSelected(t, "IMAP4rev1")
	var ce *CapabilityError
	if _, err := c2.Search(flCtx(t), q.SavedOn(day(1)), nil); !errors.As(err, &ce) || ce.Capability != imap.CapSaveDate {
		t.Errorf("without SAVEDATE: %v", err)
	}
}

func TestNotifyScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var updates []Update
	c := extClient(t, &Options{OnUpdate: func(u Update) { updates = append(updates, u) }}, "IMAP4rev1 NOTIFY",
		C(`A1 NOTIFY SET STATUS (SELECTED (MessageNew (UID FLAGS) MessageExpunge FlagChange)) (SUBTREE (Caf&AOk- Work) (MessageNew MessageExpunge MailboxName)) (MAILBOXES (INBOX) NONE) (PERSONAL (MailboxName SubscriptionChange MailboxMetadataChange))`),
		S(`* STATUS Caf&AOk- (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 1 UNSEEN 1)`),
		S(`A1 OK NOTIFY completed`),
		C(`A2 NOOP`),
		S(`* LIST () "/" "Caf&AOk-/Neu"`),
		S(`* LIST (\NonExistent) "/" Old`),
		S(`* LIST () "/" New ("OLDNAME" ("Caf&AOk-/Alt"))`),
		S(`* METADATA "" /shared/motd`),
		S(`* METADATA INBOX (/private/comment "new")`),
		S(`* STATUS Work (MESSAGES 1 MAILBOXID (Fwork))`),
		S(`A2 OK done`),
		C(`A3 NOTIFY NONE`),
		S(`A3 OK done`),
	)
	ctx := flCtx(t)
	err := c.Notify(ctx, &NotifySpec{Status: true, Groups: []NotifyGroup{
		{Filter: "selected", Events: []NotifyEvent{NotifyMessageNew, NotifyMessageExpunge, NotifyFlagChange}, FetchItems: []string{"uid", "FLAGS"}},
		{Filter: NotifySubtree, Folders: []string{"Café", "Work"}, Events: []NotifyEvent{NotifyMessageNew, NotifyMessageExpunge, NotifyMailboxName}},
		{Filter: NotifyMailboxes, Folders: []string{"INBOX"}},
		{Filter: NotifyPersonal, Events: []NotifyEvent{NotifyMailboxName, NotifySubscriptionChange, NotifyMailboxMetadataChange}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Unsolicited responses after a command no method claims.
	err = c.Do(ctx, func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctx, "NOOP", nil, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.NotifyNone(ctx); err != nil {
		t.Fatal(err)
	}
	if len(updates) != 7 {
		t.Fatalf("updates = %#v", updates)
	}
	if u, ok := updates[0].(*FolderStatusUpdate); !ok || u.Status.Name != "Café" || u.Status.Messages != 3 || u.Status.UIDNext != 4 {
		t.Errorf("update 0 = %#v", updates[0])
	}
	if u, ok := updates[1].(*FolderListUpdate); !ok || u.Folder.Name != "Café/Neu" || u.Folder.Delim != '/' {
		t.Errorf("update 1 = %#v", updates[1])
	}
	if u, ok := updates[2].(*FolderListUpdate); !ok || u.Folder.Name != "Old" || !u.Folder.HasAttr(imap.AttrNonExistent) {
		t.Errorf("update 2 = %#v", updates[2])
	}
	if u, ok := updates[3].(*FolderListUpdate); !ok || u.Folder.Name != "New" || u.Folder.OldName != "Café/Alt" {
		t.Errorf("update 3 = %#v", updates[3])
	}
	if u, ok := updates[4].(*MetadataUpdate); !ok || u.Folder != "" || len(u.Entries) != 1 || u.Entries[0] != "/shared/motd" {
		t.Errorf("update 4 = %#v", updates[4])
	}
	if u, ok := updates[5].(*MetadataUpdate); !ok || u.Folder != "INBOX" || u.Values["/private/comment"] == nil || *u.Values["/private/comment"] != "new" || u.Entries[0] != "/private/comment" {
		t.Errorf("update 5 = %#v", updates[5])
	}
	if u, ok := updates[6].(*FolderStatusUpdate); !ok || u.Status.Name != "Work" || u.Status.Messages != 1 || u.MailboxID != "Fwork" {
		t.Errorf("update 6 = %#v", updates[6])
	}
}

func TestNotifyChecks(t *testing.T) {
	c := extClient(t, nil, "IMAP4rev1 NOTIFY")
	ctx := flCtx(t)
	ev := func(e ...NotifyEvent) []NotifyEvent { return e }
	both := ev(NotifyMessageNew, NotifyMessageExpunge)
	for i, spec := range []*NotifySpec{
		nil,
		{},
		{Groups: []NotifyGroup{{Filter: NotifySubtree, Events: both}}},
		{Groups: []NotifyGroup{{Filter: NotifySelected, Folders: []string{"x"}, Events: both}}},
		{Groups: []NotifyGroup{{Filter: "EVERYWHERE", Events: both}}},
		{Groups: []NotifyGroup{{Filter: NotifyPersonal, Events: both, FetchItems: []string{"UID"}}}},
		{Groups: []NotifyGroup{{Filter: NotifySelected, Events: both, FetchItems: []string{"BODY[]"}}}},
		{Groups: []NotifyGroup{{Filter: NotifySelected, Events: ev(NotifyMailboxName), FetchItems: []string{"UID"}}}},
		{Groups: []NotifyGroup{{Filter: NotifyInboxes, Events: ev("Message New")}}},
		{Groups: []NotifyGroup{{Filter: NotifyInboxes, Events: ev(NotifyMessageExpunge)}}},
		{Groups: []NotifyGroup{{Filter: NotifyInboxes, Events: ev(NotifyFlagChange)}}},
	} {
		if err := c.Notify(ctx, spec); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("spec %d: %v", i, err)
		}
	}
	c2 := extClient(t, nil, "IMAP4rev1")
	var ce *CapabilityError
	if err := c2.Notify(ctx, &NotifySpec{Groups: []NotifyGroup{{Filter: NotifyInboxes, Events: both}}}); !errors.As(err, &ce) || ce.Capability != imap.CapNotify {
		t.Errorf("without NOTIFY: %v", err)
	}
	if err := c2.NotifyNone(ctx); !errors.As(err, &ce) {
		t.Errorf("NotifyNone without NOTIFY: %v", err)
	}
}
