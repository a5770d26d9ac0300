package imapclient_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

// The QRESYNC resynchronisation of RFC 7162 section 3.2.5: client A
// remembers UIDVALIDITY and HIGHESTMODSEQ and leaves; client B changes
// flags, expunges and appends; A re-selects with QRESYNC parameters and
// learns exactly which UIDs vanished and which messages changed.
func TestDovecotQResyncResynchronisation(t *testing.T) {
	a, _ := loggedIn(t)
	if err := a.EnableQResync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	folder := tempFolder(t, a, "qr resync")
	uids := csAppend(t, a, folder, 6, nil)
	first := csSelect(t, a, folder, &imapclient.SelectOptions{CondStore: true})
	if first.UIDValidity == 0 || first.HighestModSeq == 0 || first.Exists != 6 {
		t.Fatalf("first SELECT: %+v", first)
	}
	if err := a.UnselectFolder(ctxT(t)); err != nil {
		t.Fatal(err)
	}

	// Client B: flags on uids[0] and uids[1], a keyword on uids[2],
	// uids[3] and uids[4] expunged, two new messages.
	b, _ := loggedIn(t)
	csSelect(t, b, folder, nil)
	if _, err := b.AddFlags(ctxT(t), imapclient.IDs{uids[0], uids[1]}, []string{imapclient.Seen}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddFlags(ctxT(t), imapclient.ID(uids[2]), []string{"$Important"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMessages(ctxT(t), imapclient.IDs{uids[3], uids[4]}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.UIDExpunge(ctxT(t), imapclient.IDs{uids[3], uids[4]}); err != nil {
		t.Fatal(err)
	}
	added := csAppend(t, b, folder, 2, []string{imapclient.Flagged})

	// With the UIDs A knows, the server reports changes and expunges
	// among them only (RFC 7162 section 3.2.5): the new messages are found
	// from the old UIDNEXT on.
	res := csSelect(t, a, folder, &imapclient.SelectOptions{QResync: &imapclient.QResyncParams{
		UIDValidity: first.UIDValidity, ModSeq: first.HighestModSeq, KnownUIDs: imap.NumSetOf(uids...),
	}})
	if res.UIDValidity != first.UIDValidity || res.Exists != 6 || res.HighestModSeq <= first.HighestModSeq {
		t.Errorf("resync SELECT: %+v", res)
	}
	csEqual(t, "Vanished", csNums(t, res.Vanished), []uint32{uids[3], uids[4]})
	csEqual(t, "Changed", csKeys(res.Changed), []uint32{uids[0], uids[1], uids[2]})
	wantFlag := map[uint32]string{uids[0]: imapclient.Seen, uids[1]: imapclient.Seen, uids[2]: "$Important",
		added[0]: imapclient.Flagged, added[1]: imapclient.Flagged}
	csCheckChanged(t, res, wantFlag, first.HighestModSeq)
	if v, _ := a.FolderView(); v.HighestModSeq != res.HighestModSeq || v.Exists != 6 {
		t.Errorf("FolderView = %+v", v)
	}
	news, err := a.Fetch(ctxT(t), imapclient.SetString(fmt.Sprintf("%d:*", first.UIDNext)), []string{"FLAGS"})
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "new since UIDNEXT", csKeys(news), added)

	// Without known UIDs, the new messages are among the changes.
	res = csSelect(t, a, folder, &imapclient.SelectOptions{QResync: &imapclient.QResyncParams{
		UIDValidity: first.UIDValidity, ModSeq: first.HighestModSeq,
	}})
	csEqual(t, "Vanished", csNums(t, res.Vanished), []uint32{uids[3], uids[4]})
	csEqual(t, "Changed", csKeys(res.Changed), []uint32{uids[0], uids[1], uids[2], added[0], added[1]})
	csCheckChanged(t, res, wantFlag, first.HighestModSeq)

	// Nothing changed since: nothing reported. Without known UIDs too.
	if err := a.UnselectFolder(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	again := csSelect(t, a, folder, &imapclient.SelectOptions{ReadOnly: true, QResync: &imapclient.QResyncParams{
		UIDValidity: res.UIDValidity, ModSeq: res.HighestModSeq,
	}})
	if again.Vanished != nil || again.Changed != nil || !again.ReadOnly {
		t.Errorf("second resync: vanished %v, changed %v", again.Vanished, again.Changed)
	}

	// A stale UIDVALIDITY: the server reports no changes; the caller
	// sees the new UIDVALIDITY and starts over.
	stale := csSelect(t, a, folder, &imapclient.SelectOptions{QResync: &imapclient.QResyncParams{
		UIDValidity: first.UIDValidity + 1, ModSeq: first.HighestModSeq,
	}})
	if stale.UIDValidity != first.UIDValidity || stale.Vanished != nil || stale.Changed != nil {
		t.Errorf("UIDVALIDITY mismatch: %+v", stale)
	}
}

// With QRESYNC enabled, an expunge by another connection reaches the
// idler as a *VanishedUpdate, and the client's own EXPUNGE returns UIDs.
func TestDovecotVanishedUpdates(t *testing.T) {
	a, _ := loggedIn(t)
	if err := a.EnableQResync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	folder := tempFolder(t, a, "qr vanished")
	uids := csAppend(t, a, folder, 4, nil)
	csSelect(t, a, folder, nil)

	b, _ := loggedIn(t)
	csSelect(t, b, folder, nil)

	if err := a.Idle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMessages(ctxT(t), imapclient.IDs{uids[1], uids[2]}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Expunge(ctxT(t)); err != nil { // B has not enabled QRESYNC: EXPUNGE
		t.Fatal(err)
	}
	var vanished []uint32
	deadline := time.Now().Add(10 * time.Second)
	for len(vanished) < 2 && time.Now().Before(deadline) {
		ups, err := a.IdleCheck(ctxT(t), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups {
			switch u := u.(type) {
			case *imapclient.VanishedUpdate:
				if u.Earlier {
					t.Errorf("unsolicited VANISHED (EARLIER): %v", u.UIDs)
				}
				vanished = append(vanished, csNums(t, u.UIDs)...)
			case *imapclient.ExpungeUpdate:
				t.Errorf("EXPUNGE %d with QRESYNC enabled", u.SeqNum)
			}
		}
	}
	if _, err := a.IdleDone(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	slices.Sort(vanished)
	csEqual(t, "vanished updates", vanished, []uint32{uids[1], uids[2]})
	if v, _ := a.FolderView(); v.Exists != 2 {
		t.Errorf("FolderView.Exists = %d, want 2", v.Exists)
	}

	if _, err := a.DeleteMessages(ctxT(t), imapclient.ID(uids[3]), true); err != nil {
		t.Fatal(err)
	}
	got, err := a.Expunge(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "Expunge with QRESYNC", got, []uint32{uids[3]})
}

// csCheckChanged checks the flags and mod-sequences of res.Changed.
func csCheckChanged(t *testing.T, res *imapclient.SelectResult, wantFlag map[uint32]string, since uint64) {
	t.Helper()
	for uid, m := range res.Changed {
		f := wantFlag[uid]
		if m == nil || m.UID != uid || m.SeqNum == 0 || m.ModSeq <= since || !slices.Contains(m.Flags, f) {
			t.Errorf("Changed[%d] = %+v, want %s", uid, m, f)
		}
	}
}
