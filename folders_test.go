package imapclient

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
	"github.com/imapclient-go/imapclient/mutf7"
)

// replay feeds a recorded server transcript (LF line ends are turned into
// CRLF) to h as the connection would, up to the tagged response, and
// returns that response's status and the untagged responses h left.
func replay(t *testing.T, transcript string, h imapconn.Handler) (*imap.StatusResponse, []string) {
	t.Helper()
	transcript = strings.ReplaceAll(transcript, "\n", "\r\n")
	d := imapwire.NewDecoder(strings.NewReader(transcript), nil)
	var unused []string
	for {
		r, err := d.ReadResponse()
		if err != nil {
			t.Fatalf("ReadResponse: %v", err)
		}
		if r.Kind == imapwire.Tagged {
			return r.Status, unused
		}
		used, err := h(r)
		if err != nil {
			t.Fatalf("handler(%s): %v", r.Name, err)
		}
		if !used {
			unused = append(unused, r.Name)
		}
	}
}

func lenientDecode(s string) string { return mutf7.DecodeLenient(s) }
func noDecode(s string) string      { return s }

// A Dovecot LIST with names as atoms, quoted strings with escapes, a
// literal, modified UTF-7 (including a surrogate pair), invalid modified
// UTF-7 and a NIL delimiter, plus an unsolicited EXISTS.
const dovecotList = `* LIST (\HasNoChildren) "/" INBOX
* LIST (\HasChildren \Noselect) "/" "Caf&AOk-"
* LIST (\HasNoChildren \Sent) "/" Sent
* LIST (\HasNoChildren) "/" {12}
with "quote"
* LIST (\HasNoChildren) "/" "back\\slash \"q\""
* LIST (\HasNoChildren) "/" "smile &2D3eAA-"
* LIST (\HasNoChildren) "/" "bad &Jjo"
* LIST (\HasNoChildren) "/" "a&-b/c d"
* LIST (\NoInferiors) NIL "flat"
* 4 EXISTS
A1 OK List completed (0.001 + 0.000 secs).
`

func TestListHandlerDovecot(t *testing.T) {
	var got []Folder
	st, unused := replay(t, dovecotList, listHandler("LIST", lenientDecode, &got))
	if st.Type != imap.StatusOK {
		t.Fatalf("status %v", st)
	}
	if !slices.Equal(unused, []string{"EXISTS"}) {
		t.Errorf("unsolicited responses claimed: unused = %v", unused)
	}
	want := []Folder{
		{Name: "INBOX", Delim: '/', Attrs: []string{`\HasNoChildren`}},
		{Name: "Café", Delim: '/', Attrs: []string{`\HasChildren`, `\Noselect`}},
		{Name: "Sent", Delim: '/', Attrs: []string{`\HasNoChildren`, `\Sent`}},
		{Name: `with "quote"`, Delim: '/', Attrs: []string{`\HasNoChildren`}},
		{Name: `back\slash "q"`, Delim: '/', Attrs: []string{`\HasNoChildren`}},
		{Name: "smile 😀", Delim: '/', Attrs: []string{`\HasNoChildren`}},
		{Name: "bad &Jjo", Delim: '/', Attrs: []string{`\HasNoChildren`}}, // invalid: kept raw
		{Name: "a&b/c d", Delim: '/', Attrs: []string{`\HasNoChildren`}},
		{Name: "flat", Delim: 0, Attrs: []string{`\NoInferiors`}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d folders: %+v", len(got), got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Delim != want[i].Delim || !slices.Equal(got[i].Attrs, want[i].Attrs) {
			t.Errorf("folder %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[1].Selectable() || !got[0].Selectable() {
		t.Error("Selectable ignores \\Noselect")
	}
	if got[2].SpecialUse() != imap.SpecialUseSent || got[0].SpecialUse() != "" {
		t.Errorf("SpecialUse = %q, %q", got[2].SpecialUse(), got[0].SpecialUse())
	}

	// Folder encoding off: names come back exactly as sent.
	got = nil
	replay(t, dovecotList, listHandler("LIST", noDecode, &got))
	if got[1].Name != "Caf&AOk-" || got[5].Name != "smile &2D3eAA-" || got[7].Name != "a&-b/c d" {
		t.Errorf("raw names = %q %q %q", got[1].Name, got[5].Name, got[7].Name)
	}
}

// Gmail's XLIST, with localised names; a LIST handler must not take it.
const gmailXList = `* XLIST (\HasNoChildren \Inbox) "/" "Inbox"
* XLIST (\Noselect \HasChildren) "/" "[Gmail]"
* XLIST (\HasNoChildren \AllMail) "/" "[Gmail]/Tous les messages"
* XLIST (\HasNoChildren \Sent) "/" "[Gmail]/Messages envoy&AOk-s"
* XLIST (\HasNoChildren \Trash) "/" "[Gmail]/Corbeille"
A2 OK Success
`

func TestListHandlerGmailXList(t *testing.T) {
	var got []Folder
	_, unused := replay(t, gmailXList, listHandler("LIST", lenientDecode, &got))
	if len(got) != 0 || len(unused) != 5 {
		t.Fatalf("LIST handler took XLIST responses: %+v", got)
	}
	replay(t, gmailXList, listHandler("XLIST", lenientDecode, &got))
	if len(got) != 5 || got[3].Name != "[Gmail]/Messages envoyés" || !got[3].HasAttr(`\sent`) || !got[2].HasAttr(`\ALLMAIL`) {
		t.Fatalf("XLIST = %+v", got)
	}
	if got[1].Selectable() {
		t.Error("[Gmail] is \\Noselect")
	}
}

func TestHasAttrCaseInsensitive(t *testing.T) {
	f := Folder{Attrs: []string{`\NOSELECT`, `\junk`}}
	if !f.HasAttr(imap.AttrNoSelect) || !f.HasAttr(imap.SpecialUseJunk) || f.HasAttr(`\Sent`) {
		t.Fatal("HasAttr")
	}
	if f.Selectable() || f.SpecialUse() != imap.SpecialUseJunk {
		t.Fatalf("Selectable/SpecialUse: %v %q", f.Selectable(), f.SpecialUse())
	}
	if (&Folder{Attrs: []string{`\NonExistent`}}).Selectable() {
		t.Fatal("\\NonExistent is selectable")
	}
}

func TestSameFolderName(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"INBOX", "inbox", true},
		{"Inbox.Sent", "INBOX.Sent", true},
		{"INBOX/x", "inbox/x", true},
		{"INBOX/x", "inbox/X", false},
		{"Inboxes", "INBOXES", false},
		{"Sent", "sent", false},
		{"Sent", "Sent", true},
		{"a*", "abc", false},
	} {
		if got := sameFolderName(tc.a, tc.b); got != tc.want {
			t.Errorf("sameFolderName(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCanonicalInbox(t *testing.T) {
	for in, want := range map[string]string{
		"inbox":    "INBOX",
		"Inbox/x":  "INBOX/x",
		"INBOX":    "INBOX",
		"inboxes":  "inboxes",
		"inbox2":   "inbox2",
		"Sent":     "Sent",
		"in":       "in",
		"inbox.a*": "INBOX.a*",
	} {
		if got := canonicalInbox(in); got != want {
			t.Errorf("canonicalInbox(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessSpecialFolder(t *testing.T) {
	cyrus := []Folder{
		{Name: "INBOX", Delim: '.'},
		{Name: "INBOX.Deleted Messages", Delim: '.'},
		{Name: "INBOX.Sent Items", Delim: '.'},
		{Name: "INBOX.Spam", Delim: '.'},
		{Name: "INBOX.Trash", Delim: '.', Attrs: []string{`\Noselect`}},
		{Name: "Archive", Delim: '.'}, // outside the personal namespace
	}
	inboxNS := []Namespace{{Prefix: "INBOX.", Delim: '.'}}
	for use, want := range map[imap.SpecialUse]string{
		imap.SpecialUseSent:    "INBOX.Sent Items",
		imap.SpecialUseTrash:   "INBOX.Deleted Messages", // INBOX.Trash is \Noselect
		imap.SpecialUseJunk:    "INBOX.Spam",
		imap.SpecialUseDrafts:  "",
		imap.SpecialUseArchive: "",
	} {
		if got := guessSpecialFolder(popularSpecialFolders[use], cyrus, inboxNS); got != want {
			t.Errorf("%s: got %q, want %q", use, got, want)
		}
	}
	// Namespaces in order, then names in order.
	both := []Folder{{Name: "inbox.Sent"}, {Name: "Sent Items"}, {Name: "Sent Messages"}}
	if got := guessSpecialFolder(popularSpecialFolders[imap.SpecialUseSent], both, popularPersonalNamespaces); got != "Sent Items" {
		t.Errorf("got %q", got)
	}
	if got := guessSpecialFolder(popularSpecialFolders[imap.SpecialUseSent], both[:1], popularPersonalNamespaces); got != "inbox.Sent" {
		t.Errorf("got %q", got)
	}
}

// dovecotSelect is Dovecot's answer to SELECT once CONDSTORE is enabled.
const dovecotSelect = `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)
* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded \*)] Flags permitted.
* 3 EXISTS
* 1 RECENT
* OK [UNSEEN 2] First unseen.
* OK [UIDVALIDITY 1700000000] UIDs valid
* OK [UIDNEXT 4] Predicted next UID
* OK [HIGHESTMODSEQ 7] Highest
A1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).
`

func TestSelectParserDovecot(t *testing.T) {
	p := &selectParser{}
	st, unused := replay(t, dovecotSelect, p.handle)
	if len(unused) != 0 {
		t.Fatalf("unused %v", unused)
	}
	res := p.finish(st, false)
	if res.Exists != 3 || res.Recent != 1 || res.Unseen != 2 || res.UIDValidity != 1700000000 ||
		res.UIDNext != 4 || res.HighestModSeq != 7 || res.NoModSeq || res.ReadOnly {
		t.Fatalf("result %+v", res)
	}
	if !slices.Equal(res.Flags, []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, "$Forwarded"}) {
		t.Errorf("Flags %v", res.Flags)
	}
	if len(res.PermanentFlags) != 7 || res.PermanentFlags[6] != `\*` {
		t.Errorf("PermanentFlags %v", res.PermanentFlags)
	}
	if len(res.Untagged) != 0 {
		t.Errorf("Untagged %+v", res.Untagged)
	}
}

const gmailSelect = `* FLAGS (\Answered \Flagged \Draft \Deleted \Seen $NotPhishing $Phishing)
* OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen $NotPhishing $Phishing \*)] Flags permitted.
* OK [UIDVALIDITY 1] UIDs valid.
* 1234 EXISTS
* 0 RECENT
* OK [UIDNEXT 5678] Predicted next UID.
* OK [HIGHESTMODSEQ 2345678901234]
A1 OK [READ-WRITE] [Gmail]/All Mail selected. (Success)
`

func TestSelectParserGmail(t *testing.T) {
	p := &selectParser{}
	st, _ := replay(t, gmailSelect, p.handle)
	res := p.finish(st, false)
	if res.Exists != 1234 || res.UIDValidity != 1 || res.UIDNext != 5678 || res.HighestModSeq != 2345678901234 || res.ReadOnly || res.Unseen != 0 {
		t.Fatalf("result %+v", res)
	}
	if len(res.Flags) != 7 || len(res.Untagged) != 0 {
		t.Fatalf("result %+v", res)
	}
}

// A Cyrus-like EXAMINE with QRESYNC while another folder was selected:
// [CLOSED], VANISHED and FETCH, an unknown code, an alert and malformed
// numbers all end up in Untagged.
const cyrusExamine = `* OK [CLOSED] Ok
* 20 EXISTS
* 0 RECENT
* FLAGS (\Answered \Flagged \Draft \Deleted \Seen)
* OK [PERMANENTFLAGS ()] Ok
* OK [UIDVALIDITY 3857529045] Ok
* OK [UIDNEXT 99999999999] Too large
* OK [UNSEEN abc] Malformed
* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences
* OK [URLMECH INTERNAL] Ok
* VANISHED (EARLIER) 41,43:116,118,120:211,214:540
* 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))
* OK [ALERT] Maintenance tonight
* OK Just text
A2 OK [READ-ONLY] Ok
`

func TestSelectParserCyrusQResync(t *testing.T) {
	p := &selectParser{}
	st, _ := replay(t, cyrusExamine, p.handle)
	res := p.finish(st, false)
	if !res.ReadOnly {
		t.Error("[READ-ONLY] ignored")
	}
	if res.Exists != 20 || res.UIDValidity != 3857529045 || res.UIDNext != 0 || res.Unseen != 0 || !res.NoModSeq {
		t.Errorf("result %+v", res)
	}
	if res.PermanentFlags == nil || len(res.PermanentFlags) != 0 {
		t.Errorf("PermanentFlags %#v", res.PermanentFlags)
	}
	var names []string
	for _, u := range res.Untagged {
		n := u.Name
		if u.Status != nil && u.Status.Code != "" {
			n += "[" + u.Status.Code + "]"
		}
		names = append(names, n)
	}
	want := []string{"OK[CLOSED]", "OK[UIDNEXT]", "OK[UNSEEN]", "OK[URLMECH]", "VANISHED", "FETCH", "OK[ALERT]", "OK"}
	if !slices.Equal(names, want) {
		t.Fatalf("Untagged = %v, want %v", names, want)
	}
	fetch := res.Untagged[5]
	if fetch.Num != 49 || len(fetch.Items) != 3 || fetch.Items[0].Name != "UID" || fetch.Items[0].Num != 117 {
		t.Errorf("FETCH %+v", fetch)
	}
	if raw, ok := res.Untagged[4].Data.(*imapwire.RawData); !ok || !strings.Contains(string(raw.Bytes), "41,43:116") {
		t.Errorf("VANISHED data %#v", res.Untagged[4].Data)
	}
	// EXAMINE is read-only whatever the tagged code says.
	p = &selectParser{}
	st, _ = replay(t, "A3 OK Ok\n", p.handle)
	if !p.finish(st, true).ReadOnly {
		t.Error("EXAMINE without a code is not read-only")
	}
}

const statusTranscript = `* STATUS "Other" (MESSAGES 9)
* STATUS INBOX (MESSAGES 3 RECENT 1 UIDNEXT 4 UIDVALIDITY 4000000000 UNSEEN 2 DELETED 1 HIGHESTMODSEQ 12345678901 SIZE 9876543210)
A1 OK Status completed.
`

func TestStatusParser(t *testing.T) {
	p := &statusParser{wire: "inbox"}
	_, unused := replay(t, statusTranscript, p.handle)
	if !slices.Equal(unused, []string{"STATUS"}) {
		t.Fatalf("unused %v", unused)
	}
	fs, err := p.result("inbox")
	if err != nil {
		t.Fatal(err)
	}
	if fs.Name != "inbox" || fs.Messages != 3 || fs.Recent != 1 || fs.UIDNext != 4 || fs.UIDValidity != 4000000000 ||
		fs.Unseen != 2 || fs.Deleted != 1 || fs.HighestModSeq != 12345678901 || fs.Size != 9876543210 {
		t.Fatalf("%+v", fs)
	}
	if !fs.Has("size") || fs.Has("APPENDLIMIT") || len(fs.Items) != 8 {
		t.Fatalf("Items %v", fs.Items)
	}

	// A literal name in modified UTF-7, and a split answer.
	p = &statusParser{wire: mutf7.Encode("Café \"x\"")}
	replay(t, "* STATUS {12}\nCaf&AOk- \"x\" (MESSAGES 5)\n* STATUS \"Caf&AOk- \\\"x\\\"\" (UNSEEN 1)\nA1 OK\n", p.handle)
	fs, err = p.result("Café \"x\"")
	if err != nil || fs.Messages != 5 || fs.Unseen != 1 {
		t.Fatalf("%+v %v", fs, err)
	}

	// A server that spells the name differently: its only answer is used.
	p = &statusParser{wire: "Sent/"}
	replay(t, "* STATUS Sent (MESSAGES 7)\nA1 OK\n", p.handle)
	if fs, err = p.result("Sent/"); err != nil || fs.Messages != 7 {
		t.Fatalf("%+v %v", fs, err)
	}

	// No STATUS response for the folder is a protocol error (here two
	// answers for other folders: which one would it be?).
	p = &statusParser{wire: "Missing"}
	replay(t, statusTranscript, p.handle)
	var pe *ProtocolError
	if _, err := p.result("Missing"); !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
}

// fakeClient connects a Client to a scripted server that greets with
// PREAUTH and the capabilities given.
func fakeClient(t *testing.T, caps string, script ...fakeserver.Step) *Client {
	t.Helper()
	steps := append([]fakeserver.Step{fakeserver.S("* PREAUTH [CAPABILITY " + caps + "] ready")}, script...)
	nc := fakeserver.Start(t, steps...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	c, err := New(ctx, nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The commands on the wire: arguments quoted or sent as literals as the
// grammar needs, names encoded, nothing sent when a capability is missing.
func TestFolderCommandsOnTheWire(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := fakeClient(t, "IMAP4rev1 LITERAL+",
		C(`A1 LIST "" "*"`),
		S(`* LIST (\HasNoChildren) "." INBOX`),
		S(`A1 OK done`),
		C(`A2 LSUB Caf&AOk- "%"`),
		S(`A2 OK done`),
		C(`A3 CREATE "a \"b\" \\c &- &2D3eAA-"`),
		S(`A3 OK done`),
		C(`A4 RENAME old "new name"`),
		S(`A4 NO [ALREADYEXISTS] Mailbox exists`),
		C(`A5 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)`),
		S(`* STATUS INBOX (MESSAGES 1 RECENT 0 UIDNEXT 2 UIDVALIDITY 3 UNSEEN 1)`),
		S(`A5 OK done`),
		C(`A6 STATUS x (HIGHESTMODSEQ SIZE)`),
		S(`* STATUS x (HIGHESTMODSEQ 9 SIZE 100)`),
		S(`A6 OK done`),
		C(`A7 EXAMINE Caf&AOk-`),
		S(`* 0 EXISTS`),
		S(`* OK [UIDVALIDITY 42] ok`),
		S(`A7 OK [READ-ONLY] done`),
		C(`A8 CLOSE`),
		S(`A8 OK done`),
		C(`A9 SUBSCRIBE Caf&-`),
		S(`A9 OK done`),
	)
	ctx := context.Background()
	folders, err := c.ListFolders(ctx, "", "*")
	if err != nil || len(folders) != 1 || folders[0].Delim != '.' {
		t.Fatalf("ListFolders = %+v, %v", folders, err)
	}
	if _, err := c.ListSubFolders(ctx, "Café", "%"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.XListFolders(ctx, "", "*"); !isCapErr(err, "XLIST") {
		t.Fatalf("XListFolders without XLIST: %v", err)
	}
	if err := c.CreateFolder(ctx, `a "b" \c & 😀`); err != nil {
		t.Fatal(err)
	}
	err = c.RenameFolder(ctx, "old", "new name")
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != "ALREADYEXISTS" || !strings.Contains(err.Error(), `"new name"`) {
		t.Fatalf("RenameFolder: %v", err)
	}
	fs, err := c.FolderStatus(ctx, "INBOX")
	if err != nil || fs.Messages != 1 || fs.UIDValidity != 3 {
		t.Fatalf("FolderStatus = %+v, %v", fs, err)
	}
	fs, err = c.FolderStatus(ctx, "x", "highestmodseq", "SIZE")
	if err != nil || fs.HighestModSeq != 9 || fs.Size != 100 {
		t.Fatalf("FolderStatus = %+v, %v", fs, err)
	}
	if _, err := c.FolderStatus(ctx, "x", "BAD ITEM"); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Fatal("FolderStatus with an invalid item succeeded")
	}
	if err := c.UnselectFolder(ctx); !isStateErr(err) {
		t.Fatalf("UnselectFolder with nothing selected: %v", err)
	}
	res, err := c.SelectFolder(ctx, "Café", true)
	if err != nil || !res.ReadOnly || res.UIDValidity != 42 {
		t.Fatalf("SelectFolder = %+v, %v", res, err)
	}
	if name, ro, ok := c.SelectedFolder(); name != "Café" || !ro || !ok {
		t.Fatalf("SelectedFolder = %q %v %v", name, ro, ok)
	}
	if err := c.requireSelected("STORE", true); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write in a read-only folder: %v", err)
	}
	if err := c.UnselectFolder(ctx); !isCapErr(err, "UNSELECT") {
		t.Fatalf("UnselectFolder without UNSELECT: %v", err)
	}
	if err := c.CloseFolder(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.SelectedFolder(); ok {
		t.Fatal("still selected after CLOSE")
	}
	c.SetFolderEncode(false)
	if err := c.SubscribeFolder(ctx, "Caf&-"); err != nil {
		t.Fatal(err)
	}
}

func isCapErr(err error, capName string) bool {
	var ce *CapabilityError
	return errors.As(err, &ce) && ce.Capability == capName
}

func isStateErr(err error) bool {
	var se *IllegalStateError
	return errors.As(err, &se)
}

// FindSpecialFolder against a server with SPECIAL-USE (one LIST with
// RETURN), and against a Cyrus-like server without it, where the names
// are guessed under the personal namespace.
func TestFindSpecialFolderScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	ctx := context.Background()
	c := fakeClient(t, "IMAP4rev1 SPECIAL-USE LIST-EXTENDED",
		C(`A1 LIST "" "*" RETURN (SPECIAL-USE)`),
		S(`* LIST (\HasNoChildren) "/" INBOX`),
		S(`* LIST (\HasNoChildren \Trash) "/" "Corbeille"`),
		S(`A1 OK done`),
		C(`A2 LIST "" "*" RETURN (SPECIAL-USE)`),
		S(`* LIST (\HasNoChildren) "/" INBOX`),
		S(`A2 OK done`),
	)
	if got, err := c.FindSpecialFolder(ctx, `\trash`); err != nil || got != "Corbeille" {
		t.Fatalf("FindSpecialFolder = %q, %v", got, err)
	}
	if got, err := c.FindSpecialFolder(ctx, imap.SpecialUseAll); err != nil || got != "" {
		t.Fatalf("FindSpecialFolder(\\All) = %q, %v", got, err)
	}

	c = fakeClient(t, "IMAP4rev1 NAMESPACE",
		C(`A1 LIST "" "*"`),
		S(`* LIST (\HasChildren) "." INBOX`),
		S(`* LIST (\HasNoChildren) "." "Sent"`),
		S(`* LIST (\HasNoChildren) "." "INBOX.Sent Items"`),
		S(`A1 OK done`),
		C(`A2 NAMESPACE`),
		S(`* NAMESPACE (("INBOX." ".")) (("user." ".")) NIL`),
		S(`A2 OK done`),
	)
	if got, err := c.FindSpecialFolder(ctx, imap.SpecialUseSent); err != nil || got != "INBOX.Sent Items" {
		t.Fatalf("FindSpecialFolder = %q, %v", got, err)
	}

	// A server that announces SPECIAL-USE but rejects RETURN.
	c = fakeClient(t, "IMAP4rev1 SPECIAL-USE",
		C(`A1 LIST "" "*" RETURN (SPECIAL-USE)`),
		S(`A1 BAD Error in IMAP command LIST: Extra arguments`),
		C(`A2 LIST "" "*"`),
		S(`* LIST (\Drafts) "/" "Brouillons"`),
		S(`A2 OK done`),
	)
	if got, err := c.FindSpecialFolder(ctx, imap.SpecialUseDrafts); err != nil || got != "Brouillons" {
		t.Fatalf("FindSpecialFolder = %q, %v", got, err)
	}
}

func TestFolderExistsScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := fakeClient(t, "IMAP4rev1",
		C(`A1 LIST "" "a*"`),
		S(`* LIST () "/" "abc"`),
		S(`A1 OK done`),
		C(`A2 LIST "" INBOX`), // INBOX in capitals: Cyrus matches case-sensitively
		S(`* LIST () "/" INBOX`),
		S(`A2 OK done`),
	)
	ctx := context.Background()
	if ok, err := c.FolderExists(ctx, "a*"); err != nil || ok {
		t.Fatalf("FolderExists(a*) = %v, %v", ok, err)
	}
	if ok, err := c.FolderExists(ctx, "inbox"); err != nil || !ok {
		t.Fatalf("FolderExists(inbox) = %v, %v", ok, err)
	}
}
