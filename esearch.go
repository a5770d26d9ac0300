package imapclient

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// ESEARCH (RFC 4731): SEARCH with RETURN options, answered by one compact
// ESEARCH response; and SEARCHRES (RFC 5182): the saved result "$".

// Return options of SearchExtended (RFC 4731 section 3.1, RFC 5182
// section 2).
const (
	ReturnMin   = "MIN"   // the lowest matching id
	ReturnMax   = "MAX"   // the highest matching id
	ReturnAll   = "ALL"   // every matching id, as a compact set
	ReturnCount = "COUNT" // the number of matches
	ReturnSave  = "SAVE"  // keep the result on the server as "$" (SEARCHRES)
)

// capSearchRes is the capability of RFC 5182.
const capSearchRes = "SEARCHRES"

// ESearchResult is the answer to SearchExtended. Numbers are UIDs, or
// sequence numbers after SetUseUID(false); those not asked for, or
// without a match, are zero.
type ESearchResult struct {
	// UID is true when the numbers are UIDs.
	UID bool
	// Min and Max are the lowest and highest match (MIN, MAX).
	Min, Max uint32
	// Count is the number of matches (COUNT).
	Count uint32
	// All holds every match (ALL) in the server's compact form, such as
	// "2:4,9", never expanded: use All.Nums to list them.
	All imap.NumSet
	// ModSeq is the highest mod-sequence of the matches, returned when the
	// criteria use MODSEQ (RFC 7162 section 3.1.5).
	ModSeq uint64
	// Returned lists the return data the server sent ("MIN", "COUNT",
	// ...), which tells a COUNT of 0 from no COUNT.
	Returned []string
	// Extra holds return data of extensions not modelled here, raw.
	Extra []imapwire.ESearchItem
}

// SavedResult is the message set "$": the result of the last search run
// with ReturnSave (RFC 5182 section 2), which the server keeps. It can be
// given wherever a MessageSet is taken (Fetch, StoreFlags, Copy, ...) and
// inside search criteria (Criteria.UID), as long as the server announces
// SEARCHRES, and saves the round trip of sending the ids back. Results
// keyed by id hold whatever messages the server returns for it.
var SavedResult MessageSet = savedResult{}

type savedResult struct{}

// NumSet implements MessageSet.
func (savedResult) NumSet() (imap.NumSet, error) { return imap.SavedSet(), nil }

// String returns "$".
func (savedResult) String() string { return "$" }

// SearchExtended searches like Search and asks for the result in the form
// the return options give (SEARCH RETURN, RFC 4731 section 3.1): any of
// ReturnMin, ReturnMax, ReturnAll, ReturnCount and ReturnSave, or an
// extension's option such as "PARTIAL 1:100" (returned in Extra). No
// option means ReturnAll. The answer is one ESEARCH response, never a
// list of every id, so COUNT over a large folder is cheap.
//
// With ReturnSave (SEARCHRES, RFC 5182) the server keeps the result (all
// the matches, or with MIN or MAX only those) as "$" for SavedResult; when
// SAVE is the only option the server returns nothing else and the result
// is empty. A failed search empties the saved result (RFC 5182 section
// 2.1).
//
// criteria and opts are as for Search. It needs the ESEARCH capability,
// and SEARCHRES for ReturnSave; they are checked before anything is sent.
func (c *Client) SearchExtended(ctx context.Context, criteria any, ret []string, opts *SearchOptions) (*ESearchResult, error) {
	crit, err := criteriaOf(criteria)
	if err != nil {
		return nil, err
	}
	rets := make([]string, 0, len(ret))
	save := false
	for _, o := range ret {
		o = strings.TrimSpace(o)
		name, err := checkModifier(o)
		if err != nil {
			return nil, fmt.Errorf("imapclient: SEARCH: invalid RETURN option %q: %w", o, imapwire.ErrInvalidArgument)
		}
		save = save || name == ReturnSave
		if f := strings.Fields(o); len(f) == 1 {
			o = strings.ToUpper(o)
		}
		rets = append(rets, o)
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	cmd := c.uidCmd("SEARCH")
	if err := c.requireSelected(cmd, false); err != nil {
		return nil, err
	}
	if err := c.needCap(ctx, imap.CapESearch, cmd+" RETURN"); err != nil {
		return nil, err
	}
	if save {
		if err := c.needCap(ctx, capSearchRes, cmd+" RETURN (SAVE)"); err != nil {
			return nil, err
		}
	}
	if err := c.requireCaps(ctx, cmd, crit.needs); err != nil {
		return nil, err
	}
	p, err := prepareCriteria(crit, opts.charset(), c.utf8Modes(), false)
	if err != nil {
		return nil, err
	}
	col := &esearchCollector{uid: strings.HasPrefix(cmd, "UID ")}
	started, err := c.conn.Start(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Raw("RETURN (")
		for i, o := range rets {
			if i > 0 {
				e.SP()
			}
			e.Raw(o) // validated by checkModifier: atoms, numbers, lists
		}
		e.Byte(')')
		if p.charset != "" {
			e.SP().Raw("CHARSET").SP().Atom(p.charset)
		}
		e.SP()
		writeNodes(e, p.toks)
	}, col.handle, nil)
	if err != nil {
		return nil, criteriaError(err)
	}
	col.tag = started.Tag
	if _, err := c.conn.Wait(ctx, started); err != nil {
		return nil, criteriaError(err)
	}
	if col.err != nil {
		return nil, col.err
	}
	return col.result(rets), nil
}

// esearchCollector gathers the ESEARCH responses of one command, and the
// plain SEARCH responses of a server that answers that way.
type esearchCollector struct {
	tag   string // the command's tag, once known
	uid   bool   // UID SEARCH
	got   bool
	res   ESearchResult
	plain []uint32 // ids of plain SEARCH responses
	sawSR bool
	err   error
}

// handle claims ESEARCH responses whose correlator is the command's tag
// (or absent); others (RFC 5267 updates of earlier searches) are left
// alone.
func (col *esearchCollector) handle(r *imapwire.Response) (bool, error) {
	switch r.Name {
	case "SEARCH":
		if sd, ok := r.Data.(*imapwire.SearchData); ok {
			col.sawSR = true
			col.plain = append(col.plain, sd.Nums...)
			col.res.ModSeq = max(col.res.ModSeq, sd.ModSeq)
			return true, nil
		}
	case "ESEARCH":
		raw, ok := r.Data.(*imapwire.RawData)
		if !ok {
			return false, nil
		}
		es, err := imapwire.ParseESearch(raw.Bytes)
		if err != nil {
			if col.err == nil {
				col.err = &ProtocolError{Msg: "malformed ESEARCH response: " + err.Error()}
			}
			return true, nil
		}
		if es.Tag != "" && es.Tag != col.tag {
			return false, nil
		}
		col.merge(es)
		return true, nil
	}
	return false, nil
}

// merge adds one ESEARCH response to the result.
func (col *esearchCollector) merge(es *imapwire.ESearchData) {
	res := &col.res
	if !col.got {
		col.got = true
		res.UID, res.Min, res.Max = es.UID, es.Min, es.Max
	} else {
		if es.Min != 0 && (res.Min == 0 || es.Min < res.Min) {
			res.Min = es.Min
		}
		res.Max = max(res.Max, es.Max)
	}
	res.Count += es.Count
	if es.All != nil {
		res.All = unionSets(res.All, es.All)
	}
	res.ModSeq = max(res.ModSeq, es.ModSeq)
	for _, n := range es.Returned {
		if !slices.Contains(res.Returned, n) {
			res.Returned = append(res.Returned, n)
		}
	}
	res.Extra = append(res.Extra, es.Extra...)
}

// result returns the ESEARCH data, or, from a server that answered with
// plain SEARCH, the requested items computed from the ids.
func (col *esearchCollector) result(rets []string) *ESearchResult {
	if col.got || !col.sawSR {
		return &col.res
	}
	res := &col.res
	ids := col.plain
	if len(rets) == 0 {
		rets = []string{ReturnAll}
	}
	res.UID = col.uid
	for _, o := range rets {
		name := strings.ToUpper(o)
		switch {
		case name == ReturnCount:
			res.Count = uint32(len(ids))
		case len(ids) == 0:
			continue // MIN, MAX and ALL are absent without a match
		case name == ReturnMin:
			res.Min = slices.Min(ids)
		case name == ReturnMax:
			res.Max = slices.Max(ids)
		case name == ReturnAll:
			res.All = imap.NumSetOf(ids...)
		default:
			continue
		}
		res.Returned = append(res.Returned, name)
	}
	return res
}
