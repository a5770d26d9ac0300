package imapclient

import (
	"errors"
	"reflect"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// RFC 4731 section 3.1: one ESEARCH answers with MIN, MAX, COUNT and ALL
// as a compact set. An ESEARCH of another command (an RFC 5267 update)
// is not merged: it is an update.
func TestSearchExtended(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, ups := csClient(t, csCaps, true,
		C(`A2 UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN`),
		S(`* ESEARCH (TAG "B7") UID ADDTO (0 3)`),
		S(`* ESEARCH (TAG "A2") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9`),
		S(`A2 OK done`),
		C(`A3 SEARCH RETURN () CHARSET UTF-8 SUBJECT {6+}`),
		fakeserver.CBytes("Grüß"),
		fakeserver.C(""),
		S(`* ESEARCH (TAG "A3") ALL 1,3:5 MODSEQ 917162500`),
		S(`A3 OK done`),
		C(`A4 UID SEARCH RETURN (COUNT MIN) DELETED`),
		S(`* ESEARCH (TAG "A4") UID COUNT 0`),
		S(`A4 OK done`),
	)
	res, err := c.SearchExtended(flCtx(t), "UNSEEN", []string{"min", ReturnMax, ReturnCount, ReturnAll}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &ESearchResult{UID: true, Min: 2, Max: 9, Count: 4, All: imap.MustParseNumSet("2:4,9"), Returned: []string{"MIN", "MAX", "COUNT", "ALL"}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("got %+v\nwant %+v", res, want)
	}
	if u := ups.list(); len(u) != 1 || u[0].(*RawUpdate).Name != "ESEARCH" {
		t.Errorf("updates = %#v", u)
	}
	c.SetUseUID(false)
	var q Criteria
	res, err = c.SearchExtended(flCtx(t), q.Subject("Grüß"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.UID || res.All.String() != "1,3:5" || res.ModSeq != 917162500 || res.Count != 0 {
		t.Errorf("got %+v", res)
	}
	c.SetUseUID(true)
	res, err = c.SearchExtended(flCtx(t), q.Deleted(), []string{ReturnCount, ReturnMin}, nil)
	if err != nil || !res.UID || res.Count != 0 || res.Min != 0 || !reflect.DeepEqual(res.Returned, []string{"COUNT"}) {
		t.Errorf("got %+v, %v", res, err)
	}
}

// RFC 5182: RETURN (SAVE) keeps the result as "$", which then serves as a
// message set in FETCH, STORE and search criteria.
func TestSearchResSavedResult(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 UID SEARCH RETURN (SAVE) FROM alice`),
		S(`A2 OK saved`),
		C(`A3 UID FETCH $ (UID FLAGS)`),
		S(`* 1 FETCH (UID 7 FLAGS (\Seen))`),
		S(`* 3 FETCH (FLAGS (\Seen) UID 12)`),
		S(`A3 OK done`),
		C(`A4 UID SEARCH RETURN (COUNT) UID $ UNSEEN`),
		S(`* ESEARCH (TAG "A4") UID COUNT 1`),
		S(`A4 OK done`),
		C(`A5 UID STORE $ +FLAGS (\Flagged)`),
		S(`* 1 FETCH (UID 7 FLAGS (\Seen \Flagged))`),
		S(`A5 OK done`),
	)
	res, err := c.SearchExtended(flCtx(t), []any{"FROM", "alice"}, []string{ReturnSave}, nil)
	if err != nil || res.Count != 0 || res.All != nil || len(res.Returned) != 0 {
		t.Fatalf("SAVE: %+v, %v", res, err)
	}
	msgs, err := c.Fetch(flCtx(t), SavedResult, []string{"FLAGS"})
	if err != nil || len(msgs) != 2 || msgs[7] == nil || msgs[12] == nil {
		t.Fatalf("Fetch $: %v, %v", msgs, err)
	}
	var q Criteria
	res, err = c.SearchExtended(flCtx(t), q.UID(SavedResult).Unseen(), []string{ReturnCount}, nil)
	if err != nil || res.Count != 1 {
		t.Fatalf("search in $: %+v, %v", res, err)
	}
	st, err := c.StoreFlags(flCtx(t), SavedResult, StoreAdd, []string{Flagged}, nil)
	if err != nil || !reflect.DeepEqual(st.Flags, map[uint32][]string{7: {Seen, Flagged}}) {
		t.Fatalf("store $: %+v, %v", st, err)
	}
}

// A server that answers RETURN with a plain SEARCH response still gives
// the items asked for.
func TestSearchExtendedPlainAnswer(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 UID SEARCH RETURN (MIN MAX COUNT ALL) ALL`),
		S(`* SEARCH 9 2 3 4`),
		S(`A2 OK done`),
	)
	res, err := c.SearchExtended(flCtx(t), "ALL", []string{ReturnMin, ReturnMax, ReturnCount, ReturnAll}, nil)
	want := &ESearchResult{UID: true, Min: 2, Max: 9, Count: 4, All: imap.MustParseNumSet("2:4,9"), Returned: []string{"MIN", "MAX", "COUNT", "ALL"}}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Errorf("got %+v, %v", res, err)
	}
}

// A malformed ESEARCH is a protocol error; the connection stays usable.
func TestSearchExtendedMalformed(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c, _ := csClient(t, csCaps, true,
		C(`A2 UID SEARCH RETURN (MIN) ALL`),
		S(`* ESEARCH (TAG "A2") UID MIN 0`),
		S(`A2 OK done`),
		C(`A3 NOOP`),
		S(`A3 OK done`),
	)
	var pe *ProtocolError
	if _, err := c.SearchExtended(flCtx(t), "ALL", []string{ReturnMin}, nil); !errors.As(err, &pe) {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Noop(flCtx(t)); err != nil {
		t.Errorf("Noop: %v", err)
	}
}

// Checks before anything is sent: capabilities, options, criteria.
func TestSearchExtendedRefused(t *testing.T) {
	c, _ := csClient(t, "IMAP4rev1 ESEARCH", true)
	if _, err := c.SearchExtended(flCtx(t), "ALL", []string{ReturnSave}, nil); !flIsCapErr(err, capSearchRes) {
		t.Errorf("SAVE without SEARCHRES: %v", err)
	}
	if _, err := c.SearchExtended(flCtx(t), "ALL", []string{"MIN) ALL (X"}, nil); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("bad option: %v", err)
	}
	if _, err := c.SearchExtended(flCtx(t), "ALL", []string{"MIN\r\nA9 LOGOUT"}, nil); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("CRLF in option: %v", err)
	}
	var ice *InvalidCriteriaError
	if _, err := c.SearchExtended(flCtx(t), "", nil, nil); !errors.As(err, &ice) {
		t.Errorf("empty criteria: %v", err)
	}
	c2, _ := csClient(t, "IMAP4rev1", true)
	if _, err := c2.SearchExtended(flCtx(t), "ALL", nil, nil); !flIsCapErr(err, imap.CapESearch) {
		t.Errorf("no ESEARCH: %v", err)
	}
}

// "$" is its own kind of set: sent as "$", dynamic, and never the result
// of parsing numbers.
func TestSavedSet(t *testing.T) {
	s := imap.SavedSet()
	if s.String() != "$" || string(s.AppendTo(nil)) != "$" || !s.Dynamic() || !s.IsSaved() {
		t.Errorf("SavedSet: %q %v %v", s, s.Dynamic(), s.IsSaved())
	}
	if _, ok := s.Nums(10); ok {
		t.Errorf("Nums of $ succeeded")
	}
	p := imap.MustParseNumSet("*:4294967295")
	if p.IsSaved() || p.String() != "4294967295:*" {
		t.Errorf("ParseNumSet(*:4294967295) = %q", p)
	}
	if set, err := SavedResult.NumSet(); err != nil || !set.IsSaved() {
		t.Errorf("SavedResult: %v %v", set, err)
	}
	if _, err := imap.ParseNumSet("$"); err == nil {
		t.Errorf("ParseNumSet($) succeeded")
	}
}
