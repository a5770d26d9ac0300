package imapclient

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// extClient connects a client with options to a scripted server that
// greets with PREAUTH and caps.
func extClient(t *testing.T, opts *Options, caps string, script ...fakeserver.Step) *Client {
	t.Helper()
	steps := append([]fakeserver.Step{fakeserver.S("* PREAUTH [CAPABILITY " + caps + "] ready")}, script...)
	nc := fakeserver.Start(t, steps...)
	c, err := New(flCtx(t), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestListFoldersWithScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var updates []Update
	c := extClient(t, &Options{OnUpdate: func(u Update) { updates = append(updates, u) }},
		"IMAP4rev1 LIST-EXTENDED LIST-STATUS SPECIAL-USE OBJECTID",
		C(`A1 LIST (SUBSCRIBED RECURSIVEMATCH) "" (INBOX "Caf&AOk-/%") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN MAILBOXID))`),
		S(`* LIST (\Subscribed \HasNoChildren) "/" INBOX`),
		S(`* STATUS INBOX (MESSAGES 12 UNSEEN 3 MAILBOXID (F2212ea87-6097))`),
		S(`* LIST (\HasChildren) "/" "Caf&AOk-/Alt" ("CHILDINFO" ("SUBSCRIBED"))`),
		S(`* LIST (\Subscribed \Sent \HasNoChildren) "/" "Caf&AOk-/Gesendet" ("OLDNAME" ("Caf&AOk-/Sent") "X-VENDOR" 5)`),
		S(`* STATUS "Caf&AOk-/Gesendet" (MESSAGES 2 UNSEEN 0)`),
		S(`* STATUS Elsewhere (MESSAGES 7)`), // not listed: an update
		S(`A1 OK List completed`),
	)
	fs, err := c.ListFoldersWith(flCtx(t), &ListOptions{
		Patterns:   []string{"INBOX", "Café/%"},
		Subscribed: true, RecursiveMatch: true,
		ReturnChildren: true, ReturnSpecialUse: true,
		ReturnStatus: []string{"messages", "UNSEEN", "MailboxID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 {
		t.Fatalf("folders = %+v", fs)
	}
	inbox, alt, sent := fs[0], fs[1], fs[2]
	if inbox.Name != "INBOX" || inbox.Status == nil || inbox.Status.Messages != 12 || inbox.Status.Unseen != 3 || inbox.MailboxID != "F2212ea87-6097" {
		t.Errorf("INBOX = %+v (status %+v)", inbox, inbox.Status)
	}
	if alt.Name != "Café/Alt" || !slices.Equal(alt.ChildInfo, []string{"SUBSCRIBED"}) || alt.Status != nil {
		t.Errorf("Alt = %+v", alt)
	}
	if sent.Name != "Café/Gesendet" || sent.OldName != "Café/Sent" || sent.SpecialUse() != imap.SpecialUseSent ||
		sent.Status == nil || sent.Status.Name != "Café/Gesendet" || sent.Status.Messages != 2 || !strings.Contains(sent.Extended, "X-VENDOR") {
		t.Errorf("Gesendet = %+v (status %+v)", sent, sent.Status)
	}
	if len(updates) != 1 {
		t.Fatalf("updates = %#v", updates)
	}
	if u, ok := updates[0].(*FolderStatusUpdate); !ok || u.Status.Name != "Elsewhere" || u.Status.Messages != 7 {
		t.Errorf("update = %#v", updates[0])
	}
}

func TestListFoldersWithChecks(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	// A server with LIST-EXTENDED only: plain options work; STATUS and
	// SPECIAL-USE are refused before anything is sent.
	c := extClient(t, nil, "IMAP4rev1 LIST-EXTENDED",
		C(`A1 LIST (REMOTE) Work/ "*" RETURN (SUBSCRIBED)`),
		S(`* LIST (\Remote) "/" Work/Shared`),
		S(`A1 OK done`),
		C(`A2 LIST "" "*"`),
		S(`A2 OK done`),
	)
	ctx := flCtx(t)
	fs, err := c.ListFoldersWith(ctx, &ListOptions{Directory: "Work/", Remote: true, ReturnSubscribed: true})
	if err != nil || len(fs) != 1 || !fs[0].HasAttr(imap.AttrRemote) {
		t.Fatalf("REMOTE = %+v, %v", fs, err)
	}
	for _, o := range []*ListOptions{{ReturnStatus: []string{"MESSAGES"}}, {SpecialUse: true}, {ReturnSpecialUse: true}} {
		var ce *CapabilityError
		if _, err := c.ListFoldersWith(ctx, o); !errors.As(err, &ce) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []*ListOptions{{RecursiveMatch: true}, {ReturnStatus: []string{"MESSAGES)"}}} {
		if _, err := c.ListFoldersWith(ctx, o); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	// No extended option: plain LIST, no capability needed.
	if fs, err := c.ListFoldersWith(ctx, nil); err != nil || len(fs) != 0 {
		t.Errorf("nil options = %+v, %v", fs, err)
	}

	// Without LIST-EXTENDED, several patterns need it.
	c2 := extClient(t, nil, "IMAP4rev1")
	var ce *CapabilityError
	if _, err := c2.ListFoldersWith(ctx, &ListOptions{Patterns: []string{"a", "b"}}); !errors.As(err, &ce) || ce.Capability != imap.CapListExtended {
		t.Errorf("two patterns without LIST-EXTENDED: %v", err)
	}
}

func TestCreateFolderWithScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := extClient(t, nil, "IMAP4rev1 CREATE-SPECIAL-USE SPECIAL-USE OBJECTID",
		C(`A1 CREATE "Sent Mail" (USE (\Sent \Archive))`),
		S(`A1 OK [MAILBOXID (F2212ea87)] Completed`),
		C(`A2 CREATE Caf&AOk- (USE (\Drafts))`),
		S(`A2 NO [USEATTR] \Drafts not possible`),
		C(`A3 CREATE plain`),
		S(`A3 OK done`),
	)
	ctx := flCtx(t)
	res, err := c.CreateFolderWith(ctx, "Sent Mail", &CreateOptions{SpecialUse: []string{imap.SpecialUseSent, imap.SpecialUseArchive}})
	if err != nil || res.MailboxID != "F2212ea87" {
		t.Fatalf("CreateFolderWith = %+v, %v", res, err)
	}
	_, err = c.CreateFolderWith(ctx, "Café", &CreateOptions{SpecialUse: []string{imap.SpecialUseDrafts}})
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != imap.CodeUseAttr {
		t.Errorf("USEATTR: %v", err)
	}
	if _, err := c.CreateFolderWith(ctx, "bad", &CreateOptions{SpecialUse: []string{"Sent"}}); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("attribute without backslash: %v", err)
	}
	if res, err := c.CreateFolderWith(ctx, "plain", &CreateOptions{}); err != nil || res.MailboxID != "" {
		t.Errorf("no options = %+v, %v", res, err)
	}
	c2 := extClient(t, nil, "IMAP4rev1 SPECIAL-USE")
	var ce *CapabilityError
	if _, err := c2.CreateFolderWith(ctx, "x", &CreateOptions{SpecialUse: []string{imap.SpecialUseSent}}); !errors.As(err, &ce) || ce.Capability != imap.CapCreateSpecialUse {
		t.Errorf("without CREATE-SPECIAL-USE: %v", err)
	}
}

// TestStatusDataRaw decodes STATUS values that are not numbers: the
// MAILBOXID of RFC 8474 and APPENDLIMIT NIL of RFC 7889.
func TestStatusDataRaw(t *testing.T) {
	in := "* STATUS INBOX (MESSAGES 3 MAILBOXID (F2212ea87) APPENDLIMIT NIL UIDNEXT 9)\r\n" +
		"* STATUS Other (APPENDLIMIT 1000)\r\n"
	d := imapwire.NewDecoder(strings.NewReader(in), nil)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	sd := r.Data.(*imapwire.StatusData)
	fs, id := folderStatusOf("INBOX", sd)
	if fs.Messages != 3 || fs.UIDNext != 9 || id != "F2212ea87" || sd.Raw["APPENDLIMIT"] != "NIL" {
		t.Errorf("status = %+v, %q, %v", fs, id, sd.Raw)
	}
	r, err = d.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	if sd := r.Data.(*imapwire.StatusData); sd.Items["APPENDLIMIT"] != 1000 || sd.Raw != nil {
		t.Errorf("APPENDLIMIT 1000 = %+v", sd)
	}
}

func TestListedFolderExtended(t *testing.T) {
	for _, tc := range []struct {
		ext       string
		childInfo []string
		old       string
	}{
		{``, nil, ""},
		{`("CHILDINFO" ("SUBSCRIBED" "SPECIAL-USE"))`, []string{"SUBSCRIBED", "SPECIAL-USE"}, ""},
		{`(childinfo (subscribed) OLDNAME ("Caf&AOk-"))`, []string{"SUBSCRIBED"}, "Café"},
		{`("OLDNAME" (INBOX/old))`, nil, "INBOX/old"},
		{`garbage ((`, nil, ""},
		{`("CHILDINFO")`, nil, ""},
	} {
		f := listedFolder(&imapwire.ListData{Mailbox: "x", Extended: tc.ext}, func(s string) string {
			if s == "Caf&AOk-" {
				return "Café"
			}
			return s
		})
		if !slices.Equal(f.ChildInfo, tc.childInfo) || f.OldName != tc.old || f.Extended != tc.ext {
			t.Errorf("%q: %+v", tc.ext, f)
		}
	}
}
