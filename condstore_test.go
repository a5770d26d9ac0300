package imapclient

import (
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// Scripted tests of CONDSTORE and QRESYNC (RFC 7162) on transcripts in
// the form of the RFC's examples and of Dovecot's answers.

// csUpdates records the updates a client delivers.
type csUpdates struct {
	mu  sync.Mutex
	got []Update
}

func (u *csUpdates) add(x Update) { u.mu.Lock(); u.got = append(u.got, x); u.mu.Unlock() }

func (u *csUpdates) list() []Update {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]Update(nil), u.got...)
}

// csClient connects a client with OnUpdate recording to a scripted server
// that greets with PREAUTH and caps. With selected, INBOX is selected by
// A1 (3 messages, read-write) and the script's commands start at A2.
func csClient(t *testing.T, caps string, selected bool, script ...fakeserver.Step) (*Client, *csUpdates) {
	t.Helper()
	S, C := fakeserver.S, fakeserver.C
	steps := []fakeserver.Step{S("* PREAUTH [CAPABILITY " + caps + "] ready")}
	if selected {
		steps = append(steps, C("A1 SELECT INBOX"), S("* 3 EXISTS"), S("A1 OK [READ-WRITE] selected"))
	}
	nc := fakeserver.Start(t, append(steps, script...)...)
	ups := &csUpdates{}
	c, err := New(flCtx(t), nc, &Options{OnUpdate: ups.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if selected {
		err := c.Do(flCtx(t), func(conn *imapconn.Conn) error {
			_, err := conn.Execute(flCtx(t), "SELECT", func(e *imapwire.Encoder) { e.SP().AString("INBOX") }, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.sel.set("INBOX", false, 1)
		c.sel.setCounts(3, 10, 0)
		ups.mu.Lock()
		ups.got = nil // the EXISTS of the raw SELECT
		ups.mu.Unlock()
	}
	return c, ups
}

const csCaps = "IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS ESEARCH SEARCHRES LITERAL+"

// RFC 7162 section 3.1.3, example 6 in UID form: a conditional store that
// fails for some messages reports them with [MODIFIED]; the others get a
// new MODSEQ even with .SILENT; a FETCH about another message is an
// update.
func TestStoreFlagsUnchangedSince(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, ups := csClient(t, csCaps, true,
		C(`A2 UID STORE 5,7,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)`),
		S(`* 1 FETCH (UID 5 MODSEQ (320162350))`),
		S(`* 3 FETCH (UID 12 FLAGS (\Seen) MODSEQ (320162400))`),
		S(`A2 OK [MODIFIED 7,9] Conditional STORE failed`),
	)
	res, err := c.StoreFlags(flCtx(t), IDs{5, 7, 9}, StoreAdd, []string{`\deleted`}, &StoreOptions{Silent: true, UnchangedSince: 320162338})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Modified.String(); got != "7,9" {
		t.Errorf("Modified = %q, want 7,9", got)
	}
	if !reflect.DeepEqual(res.ModSeq, map[uint32]uint64{5: 320162350}) || len(res.Flags) != 0 {
		t.Errorf("ModSeq = %v, Flags = %v", res.ModSeq, res.Flags)
	}
	u := ups.list()
	if len(u) != 1 {
		t.Fatalf("updates = %v", u)
	}
	if fu, ok := u[0].(*FetchUpdate); !ok || fu.UID != 12 || fu.ModSeq != 320162400 {
		t.Errorf("update = %#v", u[0])
	}
	if v, _ := c.FolderView(); v.HighestModSeq != 320162400 {
		t.Errorf("FolderView.HighestModSeq = %d", v.HighestModSeq)
	}
}

// Without conflicts: the flags and MODSEQ of every message, no Modified;
// sequence numbers; StoreReplace with no flags.
func TestStoreFlagsModes(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 STORE 1:2 (UNCHANGEDSINCE 12) FLAGS ()`),
		S(`* 1 FETCH (FLAGS () MODSEQ (20))`),
		S(`* 2 FETCH (MODSEQ (21) FLAGS (\Recent))`),
		S(`A2 OK done`),
		C(`A3 STORE 2 -FLAGS ($Junk \Seen)`),
		S(`* 2 FETCH (FLAGS ())`),
		S(`A3 OK done`),
	)
	c.SetUseUID(false)
	res, err := c.StoreFlags(flCtx(t), SetString("1:2"), StoreReplace, nil, &StoreOptions{UnchangedSince: 12})
	if err != nil {
		t.Fatal(err)
	}
	if res.Modified != nil || !reflect.DeepEqual(res.ModSeq, map[uint32]uint64{1: 20, 2: 21}) ||
		!reflect.DeepEqual(res.Flags, map[uint32][]string{1: {}, 2: {Recent}}) {
		t.Errorf("got %+v", res)
	}
	res, err = c.StoreFlags(flCtx(t), ID(2), StoreRemove, []string{"$Junk", Seen}, nil)
	if err != nil || len(res.ModSeq) != 0 || !reflect.DeepEqual(res.Flags, map[uint32][]string{2: {}}) {
		t.Errorf("got %+v, %v", res, err)
	}
}

// A NO carrying MODIFIED returns the set with the error.
func TestStoreFlagsModifiedOnNo(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 STORE 7,5,9 (UNCHANGEDSINCE 320172338) +FLAGS.SILENT (\Deleted)`),
		S(`* 5 FETCH (MODSEQ (320172340))`),
		S(`A2 NO [MODIFIED 7,9] Some of the messages no longer exist.`),
	)
	c.SetUseUID(false)
	res, err := c.StoreFlags(flCtx(t), SetString("7,5,9"), StoreAdd, []string{Deleted}, &StoreOptions{Silent: true, UnchangedSince: 320172338})
	if !errors.Is(err, imap.ErrNo) {
		t.Fatalf("err = %v", err)
	}
	if res == nil || res.Modified.String() != "7,9" || res.ModSeq[5] != 320172340 {
		t.Errorf("res = %+v", res)
	}
}

// Nothing is sent without CONDSTORE, with bad flags or a bad mode.
func TestStoreFlagsRefusedLocally(t *testing.T) {
	c, _ := csClient(t, "IMAP4rev1", true)
	_, err := c.StoreFlags(flCtx(t), ID(1), StoreAdd, []string{Seen}, &StoreOptions{UnchangedSince: 5})
	if !flIsCapErr(err, imap.CapCondStore) {
		t.Errorf("no CONDSTORE: %v", err)
	}
	if _, err := c.StoreFlags(flCtx(t), ID(1), StoreAdd, nil, nil); !flIsInvalid(err) {
		t.Errorf("no flags: %v", err)
	}
	if _, err := c.StoreFlags(flCtx(t), ID(1), StoreMode(9), []string{Seen}, nil); !flIsInvalid(err) {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := c.StoreFlags(flCtx(t), ID(1), StoreAdd, []string{Recent}, nil); !flIsInvalid(err) {
		t.Errorf("Recent: %v", err)
	}
}

// RFC 7162 section 3.2.6: FETCH with CHANGEDSINCE and VANISHED after
// ENABLE QRESYNC; the VANISHED (EARLIER) data is the result's second
// value, a VANISHED without EARLIER an update.
func TestFetchChangedSinceVanished(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, ups := csClient(t, csCaps, true,
		C(`A2 ENABLE QRESYNC`),
		S(`* ENABLED QRESYNC`),
		S(`A2 OK enabled`),
		C(`A3 UID FETCH 300:500 (UID FLAGS) (CHANGEDSINCE 12345 VANISHED)`),
		S(`* VANISHED (EARLIER) 300:310,405,411`),
		S(`* 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\Seen))`),
		S(`* VANISHED 2`),
		S(`* 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\Deleted))`),
		S(`* 4 FETCH (UID 408 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))`),
		S(`* VANISHED (earlier) 312`),
		S(`A3 OK Conditional FETCH completed`),
	)
	if err := c.EnableQResync(flCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.EnableQResync(flCtx(t)); err != nil { // already on: nothing sent
		t.Fatal(err)
	}
	if err := c.EnableCondStore(flCtx(t)); err != nil { // implied by QRESYNC
		t.Fatal(err)
	}
	msgs, gone, err := c.FetchChangedSince(flCtx(t), SetString("300:500"), []string{"FLAGS"}, 12345, true)
	if err != nil {
		t.Fatal(err)
	}
	if gone.String() != "300:310,312,405,411" {
		t.Errorf("vanished = %q", gone)
	}
	want := map[uint32]uint64{404: 65402, 406: 75403, 408: 29738}
	if len(msgs) != len(want) {
		t.Fatalf("msgs = %v", msgs)
	}
	for uid, ms := range want {
		if m := msgs[uid]; m == nil || m.ModSeq != ms || m.UID != uid {
			t.Errorf("msgs[%d] = %+v", uid, m)
		}
	}
	if !reflect.DeepEqual(msgs[408].Flags, []string{"$NoJunk", "$AutoJunk", "$MDNSent"}) {
		t.Errorf("flags = %q", msgs[408].Flags)
	}
	u := ups.list()
	if len(u) != 1 {
		t.Fatalf("updates = %#v", u)
	}
	if v, ok := u[0].(*VanishedUpdate); !ok || v.Earlier || v.UIDs.String() != "2" {
		t.Errorf("update = %#v", u[0])
	}
}

// CHANGEDSINCE alone, with sequence numbers.
func TestFetchChangedSinceSeq(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 FETCH 1:* (FLAGS) (CHANGEDSINCE 0)`),
		S(`* 2 FETCH (FLAGS (\Seen) MODSEQ (7))`),
		S(`A2 OK done`),
	)
	c.SetUseUID(false)
	msgs, gone, err := c.FetchChangedSince(flCtx(t), All, []string{"FLAGS"}, 0, false)
	if err != nil || gone != nil || len(msgs) != 1 || msgs[2].ModSeq != 7 {
		t.Fatalf("got %v %v %v", msgs, gone, err)
	}
}

// Checks before anything is sent.
func TestFetchChangedSinceRefused(t *testing.T) {
	c, _ := csClient(t, "IMAP4rev1 CONDSTORE QRESYNC", true)
	if _, _, err := c.FetchChangedSince(flCtx(t), All, []string{"FLAGS"}, 5, true); !errors.Is(err, ErrQResyncNotEnabled) {
		t.Errorf("not enabled: %v", err)
	}
	c.SetUseUID(false)
	if _, _, err := c.FetchChangedSince(flCtx(t), All, []string{"FLAGS"}, 5, true); err == nil {
		t.Errorf("VANISHED with sequence numbers: no error")
	}
	c2, _ := csClient(t, "IMAP4rev1", true)
	if _, _, err := c2.FetchChangedSince(flCtx(t), All, []string{"FLAGS"}, 5, false); !flIsCapErr(err, imap.CapCondStore) {
		t.Errorf("no CONDSTORE: %v", err)
	}
	if err := c2.EnableQResync(flCtx(t)); !flIsCapErr(err, imap.CapQResync) {
		t.Errorf("EnableQResync without QRESYNC: %v", err)
	}
}

// A server that does not list QRESYNC in ENABLED did not enable it.
func TestEnableQResyncNotEnabled(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, false,
		C(`A1 ENABLE QRESYNC`),
		S(`* ENABLED`),
		S(`A1 OK nothing enabled`),
		C(`A2 ENABLE CONDSTORE`),
		S(`* ENABLED`),
		S(`A2 OK already`),
	)
	var pe *ProtocolError
	if err := c.EnableQResync(flCtx(t)); !errors.As(err, &pe) {
		t.Errorf("err = %v", err)
	}
	if err := c.EnableCondStore(flCtx(t)); err != nil {
		t.Errorf("EnableCondStore: %v", err)
	}
}
