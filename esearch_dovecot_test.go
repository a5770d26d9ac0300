package imapclient_test

import (
	"slices"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

// ESEARCH MIN, MAX, COUNT and ALL with UIDs and with sequence numbers
// agree with a plain SEARCH; ALL comes as a compact set.
func TestDovecotESearch(t *testing.T) {
	c, _ := loggedIn(t)
	folder := tempFolder(t, c, "es esearch")
	seen := csAppend(t, c, folder, 2, []string{imapclient.Seen})
	unseen := csAppend(t, c, folder, 4, nil)
	seen = append(seen, csAppend(t, c, folder, 1, []string{imapclient.Seen})...)
	csSelect(t, c, folder, nil)
	all := []string{imapclient.ReturnMin, imapclient.ReturnMax, imapclient.ReturnCount, imapclient.ReturnAll}

	res, err := c.SearchExtended(ctxT(t), "UNSEEN", all, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &imapclient.ESearchResult{UID: true, Min: unseen[0], Max: unseen[3], Count: 4,
		All: imap.NumSet{{Start: unseen[0], Stop: unseen[3]}}, Returned: res.Returned}
	if !csSameESearch(res, want) {
		t.Errorf("UID ESEARCH UNSEEN = %+v, want %+v", res, want)
	}
	if len(res.Returned) != 4 {
		t.Errorf("Returned = %v", res.Returned)
	}
	res, err = c.SearchExtended(ctxT(t), "SEEN", []string{imapclient.ReturnAll, imapclient.ReturnCount}, nil)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "ALL of SEEN", csNums(t, res.All), seen)
	if res.Count != 3 || res.Min != 0 || res.Max != 0 || len(res.All) != 2 {
		t.Errorf("UID ESEARCH SEEN = %+v (want two ranges)", res)
	}

	// No match: COUNT 0 and nothing else.
	var q imapclient.Criteria
	res, err = c.SearchExtended(ctxT(t), q.Deleted(), all, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 0 || res.Min != 0 || res.All != nil || !slices.Equal(res.Returned, []string{"COUNT"}) {
		t.Errorf("no match = %+v", res)
	}

	// Sequence numbers: messages 3 to 6 are unseen.
	c.SetUseUID(false)
	defer c.SetUseUID(true)
	res, err = c.SearchExtended(ctxT(t), "UNSEEN", all, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = &imapclient.ESearchResult{Min: 3, Max: 6, Count: 4, All: imap.MustParseNumSet("3:6"), Returned: res.Returned}
	if !csSameESearch(res, want) {
		t.Errorf("ESEARCH UNSEEN = %+v, want %+v", res, want)
	}
	// No option means ALL.
	res, err = c.SearchExtended(ctxT(t), "SEEN", nil, nil)
	if err != nil || res.All.String() != "1:2,7" {
		t.Errorf("RETURN () = %+v, %v", res, err)
	}
}

func csSameESearch(a, b *imapclient.ESearchResult) bool {
	return a.UID == b.UID && a.Min == b.Min && a.Max == b.Max && a.Count == b.Count &&
		a.All.String() == b.All.String() && a.ModSeq == b.ModSeq
}

// ESEARCH with MODSEQ criteria returns the highest mod-sequence.
func TestDovecotESearchModSeq(t *testing.T) {
	c, _ := loggedIn(t)
	folder := tempFolder(t, c, "es modseq")
	uids := csAppend(t, c, folder, 3, nil)
	sel := csSelect(t, c, folder, &imapclient.SelectOptions{CondStore: true})
	st, err := c.StoreFlags(ctxT(t), imapclient.IDs{uids[0], uids[2]}, imapclient.StoreAdd, []string{"$x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q imapclient.Criteria
	res, err := c.SearchExtended(ctxT(t), q.ModSeq(sel.HighestModSeq+1), []string{imapclient.ReturnAll}, nil)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "ALL", csNums(t, res.All), []uint32{uids[0], uids[2]})
	if res.ModSeq != max(st.ModSeq[uids[0]], st.ModSeq[uids[2]]) {
		t.Errorf("ModSeq = %d, store gave %v", res.ModSeq, st.ModSeq)
	}
}

// SEARCHRES: RETURN (SAVE) keeps the result as "$", used by FETCH, STORE
// and a later search without sending the ids back.
func TestDovecotSearchRes(t *testing.T) {
	c, _ := loggedIn(t)
	if ok, err := c.HasCapability(ctxT(t), "SEARCHRES"); err != nil || !ok {
		t.Fatalf("Dovecot does not announce SEARCHRES: %v", err)
	}
	folder := tempFolder(t, c, "es searchres")
	seen := csAppend(t, c, folder, 2, []string{imapclient.Seen})
	unseen := csAppend(t, c, folder, 3, nil)
	csSelect(t, c, folder, nil)

	res, err := c.SearchExtended(ctxT(t), "UNSEEN", []string{imapclient.ReturnSave}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.All != nil || res.Count != 0 {
		t.Errorf("SAVE alone returned %+v", res)
	}
	msgs, err := c.Fetch(ctxT(t), imapclient.SavedResult, []string{"FLAGS"})
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "FETCH $", csKeys(msgs), unseen)

	if _, err := c.StoreFlags(ctxT(t), imapclient.SavedResult, imapclient.StoreAdd, []string{imapclient.Flagged}, &imapclient.StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	var q imapclient.Criteria
	found, err := c.Search(ctxT(t), q.Flagged(), nil)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "flagged through $", found.IDs, unseen)

	// SAVE with MIN keeps only the lowest; "$" in criteria.
	if _, err := c.SearchExtended(ctxT(t), "ALL", []string{imapclient.ReturnSave, imapclient.ReturnMin}, nil); err != nil {
		t.Fatal(err)
	}
	r2, err := c.SearchExtended(ctxT(t), q.UID(imapclient.SavedResult).Seen(), []string{imapclient.ReturnAll}, nil)
	if err != nil {
		t.Fatal(err)
	}
	csEqual(t, "search in $", csNums(t, r2.All), seen[:1])
}
