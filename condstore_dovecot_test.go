package imapclient_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

// Helpers of the CONDSTORE, QRESYNC and ESEARCH tests against Dovecot
// (prefixed cs).

// csAppend appends n messages to folder and returns their UIDs.
func csAppend(t *testing.T, c *imapclient.Client, folder string, n int, flags []string) []uint32 {
	t.Helper()
	var uids []uint32
	for i := 0; i < n; i++ {
		msg := testMessage("a@example.org", "b@example.org", fmt.Sprintf("cs %d", i+1), "body")
		res, err := c.Append(ctxT(t), folder, []byte(msg), flags, time.Time{})
		if err != nil || res.UID == 0 {
			t.Fatalf("Append: %+v, %v", res, err)
		}
		uids = append(uids, res.UID)
	}
	return uids
}

// csSelect selects folder with SelectFolderWith.
func csSelect(t *testing.T, c *imapclient.Client, folder string, o *imapclient.SelectOptions) *imapclient.SelectResult {
	t.Helper()
	res, err := c.SelectFolderWith(ctxT(t), folder, o)
	if err != nil {
		t.Fatalf("SelectFolderWith(%q): %v", folder, err)
	}
	return res
}

// csKeys returns the sorted keys of a map.
func csKeys[V any](m map[uint32]V) []uint32 { return slices.Sorted(maps.Keys(m)) }

// csNums expands a set of UIDs.
func csNums(t *testing.T, s imap.NumSet) []uint32 {
	t.Helper()
	if s == nil {
		return nil
	}
	n, ok := s.Nums(1 << 16)
	if !ok {
		t.Fatalf("cannot expand %q", s)
	}
	slices.Sort(n)
	return n
}

func csEqual(t *testing.T, what string, got, want []uint32) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// A conditional store with a stale mod-sequence: the message another
// connection changed meanwhile is reported in Modified and left alone;
// the others get a new MODSEQ.
func TestDovecotStoreUnchangedSince(t *testing.T) {
	a, _ := loggedIn(t)
	folder := tempFolder(t, a, "cs store")
	uids := csAppend(t, a, folder, 3, nil)
	sel := csSelect(t, a, folder, &imapclient.SelectOptions{CondStore: true})
	if sel.HighestModSeq == 0 {
		t.Fatalf("no HIGHESTMODSEQ: %+v", sel)
	}
	stale := sel.HighestModSeq

	b, _ := loggedIn(t)
	csSelect(t, b, folder, nil)
	if _, err := b.AddFlags(ctxT(t), imapclient.ID(uids[1]), []string{imapclient.Seen}, true); err != nil {
		t.Fatal(err)
	}

	res, err := a.StoreFlags(ctxT(t), imapclient.IDs(uids), imapclient.StoreAdd, []string{imapclient.Flagged},
		&imapclient.StoreOptions{UnchangedSince: stale})
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "Modified", csNums(t, res.Modified), []uint32{uids[1]})
	for _, u := range []uint32{uids[0], uids[2]} {
		if res.ModSeq[u] <= stale {
			t.Errorf("ModSeq[%d] = %d, want > %d", u, res.ModSeq[u], stale)
		}
		if !slices.Contains(res.Flags[u], imapclient.Flagged) {
			t.Errorf("Flags[%d] = %v", u, res.Flags[u])
		}
	}
	flags, err := a.GetFlags(ctxT(t), imapclient.IDs(uids))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(flags[uids[1]], imapclient.Flagged) || !slices.Contains(flags[uids[1]], imapclient.Seen) {
		t.Errorf("flags of the modified message = %v", flags[uids[1]])
	}
	if v, _ := a.FolderView(); v.HighestModSeq < res.ModSeq[uids[2]] {
		t.Errorf("FolderView.HighestModSeq = %d, below %d", v.HighestModSeq, res.ModSeq[uids[2]])
	}

	// Silent, with the current mod-sequence: no conflict, MODSEQ still
	// reported; with sequence numbers.
	fresh, _ := a.FolderView()
	a.SetUseUID(false)
	defer a.SetUseUID(true)
	res, err = a.StoreFlags(ctxT(t), imapclient.SetString("1:3"), imapclient.StoreRemove, []string{imapclient.Flagged},
		&imapclient.StoreOptions{Silent: true, UnchangedSince: fresh.HighestModSeq})
	if err != nil {
		t.Fatal(err)
	}
	if res.Modified != nil || len(res.ModSeq) == 0 {
		t.Errorf("silent store: %+v", res)
	}
}

// FETCH CHANGEDSINCE returns exactly the messages changed after a
// mod-sequence, with their MODSEQ; with VANISHED also the UIDs expunged
// since.
func TestDovecotFetchChangedSince(t *testing.T) {
	c, _ := loggedIn(t)
	if err := c.EnableQResync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	folder := tempFolder(t, c, "cs changed")
	uids := csAppend(t, c, folder, 5, nil)
	sel := csSelect(t, c, folder, nil)
	if sel.HighestModSeq == 0 {
		t.Fatalf("no HIGHESTMODSEQ after ENABLE QRESYNC: %+v", sel)
	}
	since := sel.HighestModSeq

	if _, err := c.AddFlags(ctxT(t), imapclient.IDs{uids[1], uids[3]}, []string{"$Label1"}, true); err != nil {
		t.Fatal(err)
	}
	msgs, gone, err := c.FetchChangedSince(ctxT(t), imapclient.All, []string{"FLAGS"}, since, false)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "changed", csKeys(msgs), []uint32{uids[1], uids[3]})
	for u, m := range msgs {
		if m.ModSeq <= since || !slices.Contains(m.Flags, "$Label1") {
			t.Errorf("message %d: %+v", u, m)
		}
	}
	if gone != nil {
		t.Errorf("vanished without asking: %v", gone)
	}

	if _, err := c.DeleteMessages(ctxT(t), imapclient.ID(uids[0]), true); err != nil {
		t.Fatal(err)
	}
	expunged, err := c.UIDExpunge(ctxT(t), imapclient.ID(uids[0]))
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "UIDExpunge with QRESYNC", expunged, []uint32{uids[0]})

	msgs, gone, err = c.FetchChangedSince(ctxT(t), imapclient.IDs(uids), []string{"FLAGS"}, since, true)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "changed", csKeys(msgs), []uint32{uids[1], uids[3]})
	csEqual(t, "vanished", csNums(t, gone), []uint32{uids[0]})

	// Nothing changed since the newest mod-sequence.
	now, _ := c.FolderView()
	msgs, gone, err = c.FetchChangedSince(ctxT(t), imapclient.All, []string{"FLAGS"}, now.HighestModSeq, true)
	if err != nil || len(msgs) != 0 || gone != nil {
		t.Errorf("since %d: %v %v %v", now.HighestModSeq, msgs, gone, err)
	}
}

// The MODSEQ search key returns the highest mod-sequence of the matches.
func TestDovecotCondStoreSearchModSeq(t *testing.T) {
	c, _ := loggedIn(t)
	folder := tempFolder(t, c, "cs modseq")
	uids := csAppend(t, c, folder, 3, nil)
	sel := csSelect(t, c, folder, &imapclient.SelectOptions{CondStore: true})
	st, err := c.StoreFlags(ctxT(t), imapclient.ID(uids[2]), imapclient.StoreAdd, []string{imapclient.Seen}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q imapclient.Criteria
	res, err := c.Search(ctxT(t), q.ModSeq(sel.HighestModSeq+1), nil)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "MODSEQ search", res.IDs, []uint32{uids[2]})
	if res.ModSeq != st.ModSeq[uids[2]] || res.ModSeq == 0 {
		t.Errorf("search MODSEQ = %d, store MODSEQ = %d", res.ModSeq, st.ModSeq[uids[2]])
	}
}
