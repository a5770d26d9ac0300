package imapclient

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// RFC 7162 section 3.2.5.1, the example of SELECT with QRESYNC: the
// result holds the VANISHED (EARLIER) UIDs and the changed messages.
func TestSelectFolderWithQResync(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, ups := csClient(t, csCaps, false,
		C(`A1 ENABLE QRESYNC`),
		S(`* ENABLED QRESYNC`),
		S(`A1 OK enabled`),
		C(`A2 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))`),
		S(`* 314 EXISTS`),
		S(`* 0 RECENT`),
		S(`* OK [UIDVALIDITY 67890007] UIDVALIDITY`),
		S(`* OK [UIDNEXT 567] Predicted next UID`),
		S(`* FLAGS (\Answered \Flagged \Draft \Deleted \Seen)`),
		S(`* OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen \*)] Permanent flags`),
		S(`* OK [HIGHESTMODSEQ 20060128194045007] Highest`),
		S(`* VANISHED (EARLIER) 41,43:116,118,120:211,214:540`),
		S(`* 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))`),
		S(`* 50 FETCH (UID 119 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045308))`),
		S(`* 51 FETCH (UID 541 FLAGS (\Seen $Forwarded) MODSEQ (90060115194045001))`),
		S(`A2 OK [READ-WRITE] Sorry, UIDVALIDITY mismatch`),
	)
	if err := c.EnableQResync(flCtx(t)); err != nil {
		t.Fatal(err)
	}
	res, err := c.SelectFolderWith(flCtx(t), "INBOX", &SelectOptions{QResync: &QResyncParams{
		UIDValidity: 67890007, ModSeq: 20050715194045000, KnownUIDs: imap.MustParseNumSet("41,43:211,214:541"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Exists != 314 || res.UIDValidity != 67890007 || res.UIDNext != 567 || res.HighestModSeq != 20060128194045007 || res.ReadOnly {
		t.Errorf("res = %+v", res)
	}
	if got := res.Vanished.String(); got != "41,43:116,118,120:211,214:540" {
		t.Errorf("Vanished = %q", got)
	}
	want := map[uint32]struct {
		seq    uint32
		flags  []string
		modSeq uint64
	}{
		117: {49, []string{Seen, Answered}, 90060115194045001},
		119: {50, []string{Draft, "$MDNSent"}, 90060115194045308},
		541: {51, []string{Seen, "$Forwarded"}, 90060115194045001},
	}
	if len(res.Changed) != len(want) {
		t.Fatalf("Changed = %v", res.Changed)
	}
	for uid, w := range want {
		m := res.Changed[uid]
		if m == nil || m.UID != uid || m.SeqNum != w.seq || m.ModSeq != w.modSeq || !reflect.DeepEqual(m.Flags, w.flags) {
			t.Errorf("Changed[%d] = %+v", uid, m)
		}
	}
	if len(res.Untagged) != 0 {
		t.Errorf("Untagged = %+v", res.Untagged)
	}
	if u := ups.list(); len(u) != 0 {
		t.Errorf("updates = %#v", u)
	}
	if v, ok := c.FolderView(); !ok || v.Exists != 314 || v.HighestModSeq != 20060128194045007 || v.UIDValidity != 67890007 {
		t.Errorf("FolderView = %+v", v)
	}
}

// EXAMINE with CONDSTORE, and QRESYNC with seq-match-data and without
// known UIDs; a FETCH without UID stays raw; [CLOSED] is kept.
func TestSelectFolderWithParams(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, false,
		C(`A1 EXAMINE "my folder" (CONDSTORE)`),
		S(`* 2 EXISTS`),
		S(`* OK [HIGHESTMODSEQ 715194045007] Highest`),
		S(`A1 OK [READ-ONLY] done`),
		C(`A2 ENABLE QRESYNC`),
		S(`* ENABLED QRESYNC`),
		S(`A2 OK enabled`),
		C(`A3 SELECT INBOX (QRESYNC (5 100 (1:3 10,12,14)))`),
		S(`* OK [CLOSED] Previous mailbox closed`),
		S(`* 3 EXISTS`),
		S(`* OK [UIDVALIDITY 5] x`),
		S(`* VANISHED (EARLIER) 11`),
		S(`* VANISHED (EARLIER) 13,9`),
		S(`* 1 FETCH (FLAGS (\Seen) MODSEQ (101))`),
		S(`* 2 FETCH (UID 12 FLAGS (\Seen))`),
		S(`* 2 FETCH (UID 12 MODSEQ (102))`),
		S(`A3 OK [READ-WRITE] done`),
	)
	res, err := c.SelectFolderWith(flCtx(t), "my folder", &SelectOptions{ReadOnly: true, CondStore: true})
	if err != nil || !res.ReadOnly || res.HighestModSeq != 715194045007 || res.Vanished != nil || res.Changed != nil {
		t.Fatalf("EXAMINE: %+v, %v", res, err)
	}
	if err := c.EnableQResync(flCtx(t)); err != nil {
		t.Fatal(err)
	}
	res, err = c.SelectFolderWith(flCtx(t), "INBOX", &SelectOptions{QResync: &QResyncParams{
		UIDValidity: 5, ModSeq: 100,
		KnownSeqNums: imap.MustParseNumSet("1:3"), KnownSeqUIDs: imap.MustParseNumSet("10,12,14"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Vanished.String(); got != "9,11,13" {
		t.Errorf("Vanished = %q", got)
	}
	if m := res.Changed[12]; len(res.Changed) != 1 || m == nil || m.ModSeq != 102 || !reflect.DeepEqual(m.Flags, []string{Seen}) {
		t.Errorf("Changed = %+v", res.Changed)
	}
	if len(res.Untagged) != 2 || res.Untagged[0].Status == nil || res.Untagged[0].Status.Code != imap.CodeClosed || res.Untagged[1].Name != "FETCH" {
		t.Errorf("Untagged = %+v", res.Untagged)
	}
}

// Parameters and capabilities are checked before anything is sent.
func TestSelectFolderWithRefused(t *testing.T) {
	c, _ := csClient(t, csCaps, false)
	q := func(p QResyncParams) *SelectOptions { return &SelectOptions{QResync: &p} }
	if _, err := c.SelectFolderWith(flCtx(t), "INBOX", q(QResyncParams{UIDValidity: 1, ModSeq: 1})); !errors.Is(err, ErrQResyncNotEnabled) {
		t.Errorf("not enabled: %v", err)
	}
	for _, p := range []QResyncParams{
		{ModSeq: 1},
		{UIDValidity: 1},
		{UIDValidity: 1, ModSeq: 1, KnownSeqNums: imap.MustParseNumSet("1")},
		{UIDValidity: 1, ModSeq: 1, KnownUIDs: imap.SavedSet()},
	} {
		if _, err := c.SelectFolderWith(flCtx(t), "INBOX", q(p)); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("%+v: %v", p, err)
		}
	}
	c2, _ := csClient(t, "IMAP4rev1 ENABLE", false)
	if _, err := c2.SelectFolderWith(flCtx(t), "INBOX", &SelectOptions{CondStore: true}); !flIsCapErr(err, imap.CapCondStore) {
		t.Errorf("no CONDSTORE: %v", err)
	}
	if _, err := c2.SelectFolderWith(flCtx(t), "INBOX", q(QResyncParams{UIDValidity: 1, ModSeq: 1})); !flIsCapErr(err, imap.CapQResync) {
		t.Errorf("no QRESYNC: %v", err)
	}
}

// With QRESYNC enabled, EXPUNGE and UID EXPUNGE are answered with
// VANISHED (RFC 7162 section 3.2.10): the UIDs are returned and the folder
// view follows.
func TestExpungeVanished(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, ups := csClient(t, csCaps, true,
		C(`A2 ENABLE QRESYNC`),
		S(`* ENABLED QRESYNC`),
		S(`A2 OK enabled`),
		C(`A3 EXPUNGE`),
		S(`* VANISHED 405,407`),
		S(`A3 OK [HIGHESTMODSEQ 20010715194045319] expunged`),
		C(`A4 UID EXPUNGE 3:4`),
		S(`* VANISHED (EARLIER) 1`),
		S(`* VANISHED 3`),
		S(`A4 OK expunged`),
		C(`A5 EXPUNGE`),
		S(`* VANISHED 1:*`),
		S(`A5 OK expunged`),
	)
	if err := c.EnableQResync(flCtx(t)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Expunge(flCtx(t))
	if err != nil || !reflect.DeepEqual(got, []uint32{405, 407}) {
		t.Fatalf("Expunge = %v, %v", got, err)
	}
	if v, _ := c.FolderView(); v.Exists != 1 || v.HighestModSeq != 20010715194045319 {
		t.Errorf("FolderView = %+v, want 1 message, HIGHESTMODSEQ 20010715194045319", v)
	}
	got, err = c.UIDExpunge(flCtx(t), SetString("3:4"))
	if err != nil || !reflect.DeepEqual(got, []uint32{3}) {
		t.Fatalf("UIDExpunge = %v, %v", got, err)
	}
	if u := ups.list(); len(u) != 1 || !u[0].(*VanishedUpdate).Earlier {
		t.Errorf("updates = %#v", u)
	}
	var pe *ProtocolError
	if _, err := c.Expunge(flCtx(t)); !errors.As(err, &pe) {
		t.Errorf("VANISHED 1:*: %v", err)
	}
}

// Without QRESYNC, EXPUNGE responses keep the folder view's count.
func TestExpungeCountsView(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 EXPUNGE`),
		S(`* 3 EXPUNGE`),
		S(`* 2 EXPUNGE`),
		S(`A2 OK expunged`),
	)
	got, err := c.Expunge(flCtx(t))
	if err != nil || !reflect.DeepEqual(got, []uint32{3, 2}) {
		t.Fatalf("Expunge = %v, %v", got, err)
	}
	if v, _ := c.FolderView(); v.Exists != 1 {
		t.Errorf("Exists = %d, want 1", v.Exists)
	}
}

// Dovecot's VANISHED responses become typed updates.
func TestVanishedUpdateFromWire(t *testing.T) {
	d := imapwire.NewDecoder(strings.NewReader("* VANISHED (EARLIER) 1:3,7\r\n* VANISHED 9\r\n* vanished (earlier) 4\r\n"), nil)
	want := []VanishedUpdate{
		{UIDs: imap.MustParseNumSet("1:3,7"), Earlier: true},
		{UIDs: imap.MustParseNumSet("9")},
		{UIDs: imap.MustParseNumSet("4"), Earlier: true},
	}
	for _, w := range want {
		r, err := d.ReadResponse()
		if err != nil {
			t.Fatal(err)
		}
		v, ok := toUpdate(r).(*VanishedUpdate)
		if !ok || !reflect.DeepEqual(*v, w) {
			t.Errorf("got %#v, want %+v", toUpdate(r), w)
		}
	}
}

func TestUnionSets(t *testing.T) {
	set := imap.MustParseNumSet
	tests := []struct{ a, b, want string }{
		{"1:3", "4", "1:4"},
		{"5,1", "3", "1,3,5"},
		{"10:2", "11:12", "2:12"},
		{"1:5", "2:3", "1:5"},
		{"7:*", "3,6", "3,6:*"},
		{"*:4", "1", "1,4:*"},
		{"4294967295", "4294967294", "4294967294:4294967295"},
	}
	for _, tt := range tests {
		if got := unionSets(set(tt.a), set(tt.b)).String(); got != tt.want {
			t.Errorf("unionSets(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	if unionSets(nil, nil) != nil {
		t.Errorf("empty union is not nil")
	}
}
