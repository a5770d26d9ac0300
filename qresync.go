package imapclient

import (
	"context"
	"fmt"
	"slices"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// QRESYNC (RFC 7162 section 3.2): SELECT with resynchronisation
// parameters and VANISHED responses. A client that keeps a copy of a
// folder resynchronises it cheaply like this:
//
//	c.EnableQResync(ctx)                               // once per session
//	res, err := c.SelectFolderWith(ctx, "INBOX", &imapclient.SelectOptions{
//		QResync: &imapclient.QResyncParams{UIDValidity: saved.UIDValidity, ModSeq: saved.HighestModSeq},
//	})
//	// res.UIDValidity != saved.UIDValidity: the copy is void, fetch all.
//	// Otherwise drop res.Vanished from the copy, apply res.Changed (flags,
//	// MODSEQ), fetch UIDs from saved.UIDNext on, and save
//	// res.HighestModSeq for next time.

// SelectOptions are the options of SelectFolderWith. A nil *SelectOptions
// means a plain SELECT.
type SelectOptions struct {
	// ReadOnly opens the folder with EXAMINE instead of SELECT.
	ReadOnly bool
	// CondStore adds the CONDSTORE parameter (RFC 7162 section 3.1.8),
	// which turns CONDSTORE on for the session: the result then carries
	// HighestModSeq (or NoModSeq). It needs the CONDSTORE capability.
	CondStore bool
	// QResync adds the QRESYNC parameter (RFC 7162 section 3.2.5) to learn
	// what changed since a previous session. It needs QRESYNC enabled in
	// the session (EnableQResync; ErrQResyncNotEnabled otherwise) and
	// implies CondStore.
	QResync *QResyncParams
}

// QResyncParams are what the client remembers of a folder from an
// earlier session (RFC 7162 section 3.2.5).
type QResyncParams struct {
	// UIDValidity is the folder's UIDVALIDITY when the client last synced.
	// When it differs from the folder's, the server ignores the other
	// parameters (the client's copy is void).
	UIDValidity uint32
	// ModSeq is the HIGHESTMODSEQ the client last saw. Changes after it
	// are reported.
	ModSeq uint64
	// KnownUIDs, optional, are the UIDs the client knows: the server
	// reports only vanished messages among them. Nil means all UIDs up to
	// the server's choice (RFC 7162 section 3.2.5.2).
	KnownUIDs imap.NumSet
	// KnownSeqNums and KnownSeqUIDs, optional and given together, are
	// sequence numbers the client knows with their UIDs, in the same
	// order (seq-match-data): they help a server that keeps no history of
	// expunges to report fewer vanished UIDs (RFC 7162 section 3.2.5.2).
	KnownSeqNums, KnownSeqUIDs imap.NumSet
}

// check validates the parameters before anything is sent.
func (q *QResyncParams) check() error {
	switch {
	case q.UIDValidity == 0:
		return fmt.Errorf("imapclient: SELECT (QRESYNC): UIDValidity is required (RFC 7162 section 3.2.5): %w", imapwire.ErrInvalidArgument)
	case q.ModSeq == 0:
		return fmt.Errorf("imapclient: SELECT (QRESYNC): ModSeq is required: a folder that had no mod-sequence cannot be resynchronised: %w", imapwire.ErrInvalidArgument)
	case (len(q.KnownSeqNums) == 0) != (len(q.KnownSeqUIDs) == 0):
		return fmt.Errorf("imapclient: SELECT (QRESYNC): KnownSeqNums and KnownSeqUIDs go together: %w", imapwire.ErrInvalidArgument)
	}
	for _, s := range []imap.NumSet{q.KnownUIDs, q.KnownSeqNums, q.KnownSeqUIDs} {
		if s.IsSaved() {
			return fmt.Errorf("imapclient: SELECT (QRESYNC): the saved search result \"$\" cannot be a parameter: %w", imapwire.ErrInvalidArgument)
		}
	}
	return nil
}

// encode writes "QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])".
func (q *QResyncParams) encode(e *imapwire.Encoder) {
	e.Raw("QRESYNC (").Number(q.UIDValidity).SP().Number64(q.ModSeq)
	if len(q.KnownUIDs) > 0 {
		e.SP().NumSet(q.KnownUIDs)
	}
	if len(q.KnownSeqNums) > 0 {
		e.SP().Byte('(').NumSet(q.KnownSeqNums).SP().NumSet(q.KnownSeqUIDs).Byte(')')
	}
	e.Byte(')')
}

// SelectFolderWith opens a folder as SelectFolder does, with the SELECT
// parameters of CONDSTORE and QRESYNC (RFC 7162 sections 3.1.8 and
// 3.2.5). With QResync, the result also holds what changed since the
// client's last session: Vanished, the UIDs expunged since (from VANISHED
// (EARLIER)), and Changed, the messages whose flags changed or that are
// new, keyed by UID, with their flags and MODSEQ. With KnownUIDs the
// server reports only messages among them, so new messages are not in
// Changed: fetch UIDs from the old UIDNEXT on ("uidnext:*") to get them.
//
// If the folder's UIDVALIDITY is not QResyncParams.UIDValidity, the
// server reports no changes: compare SelectResult.UIDValidity and start
// over when it differs.
//
// Capabilities and parameters are checked before anything is sent.
func (c *Client) SelectFolderWith(ctx context.Context, name string, opts *SelectOptions) (*SelectResult, error) {
	var o SelectOptions
	if opts != nil {
		o = *opts
	}
	if o.QResync != nil {
		if err := o.QResync.check(); err != nil {
			return nil, err
		}
	}
	cmd := "SELECT"
	if o.ReadOnly {
		cmd = "EXAMINE"
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return nil, err
	}
	switch {
	case o.QResync != nil:
		if err := c.needCap(ctx, imap.CapQResync, cmd+" (QRESYNC)"); err != nil {
			return nil, err
		}
		if !c.qresyncOn() {
			return nil, ErrQResyncNotEnabled
		}
	case o.CondStore:
		if err := c.needCap(ctx, imap.CapCondStore, cmd+" (CONDSTORE)"); err != nil {
			return nil, err
		}
	}
	p := &resyncParser{c: c, norm: c.NormaliseTimes(), resync: o.QResync != nil}
	st, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(c.encodeName(name))
		switch {
		case o.QResync != nil:
			e.SP().Byte('(')
			o.QResync.encode(e)
			e.Byte(')')
		case o.CondStore:
			e.SP().Raw("(CONDSTORE)")
		}
	}, p.handle)
	if err != nil {
		return nil, fmt.Errorf("imapclient: %s %q: %w", cmd, name, err)
	}
	res := p.sel.finish(st, o.ReadOnly)
	res.Vanished = p.vanished
	res.Changed = p.changed
	c.sel.set(name, res.ReadOnly, res.UIDValidity)
	c.sel.setCounts(res.Exists, res.UIDNext, res.HighestModSeq)
	return res, nil
}

// resyncParser collects the responses of SELECT with QRESYNC: VANISHED
// (EARLIER) and FETCH are the changes, the rest goes to selectParser.
type resyncParser struct {
	c        *Client
	norm     bool
	resync   bool // QRESYNC parameters were sent
	sel      selectParser
	vanished imap.NumSet
	changed  map[uint32]*Message
}

func (p *resyncParser) handle(r *imapwire.Response) (bool, error) {
	if !p.resync {
		return p.sel.handle(r)
	}
	switch r.Name {
	case "VANISHED":
		if v := vanishedOf(r); v != nil && v.Earlier {
			p.vanished = unionSets(p.vanished, v.UIDs)
			return true, nil
		}
	case "FETCH":
		items, err := r.ReadAllFetchItems()
		m := &Message{SeqNum: r.Num}
		for i := range items {
			p.c.applyItem(m, &items[i], p.norm)
		}
		if m.UID == 0 { // RFC 7162 section 3.2.5.1 requires the UID
			p.sel.res.Untagged = append(p.sel.res.Untagged, UntaggedResponse{Name: r.Name, Num: r.Num, Items: items})
			return true, err
		}
		if p.changed == nil {
			p.changed = make(map[uint32]*Message)
		}
		if old := p.changed[m.UID]; old != nil { // merge split responses
			for i := range items {
				p.c.applyItem(old, &items[i], p.norm)
			}
			old.SeqNum = r.Num
		} else {
			p.changed[m.UID] = m
		}
		return true, err
	}
	return p.sel.handle(r)
}

// vanishedOf decodes a VANISHED response, or returns nil when it is
// malformed.
func vanishedOf(r *imapwire.Response) *VanishedUpdate {
	raw, ok := r.Data.(*imapwire.RawData)
	if !ok {
		return nil
	}
	return parseVanished(raw.Bytes)
}

// unionSets returns the union of two sets in compact form:
// ranges sorted, overlapping and adjacent ones merged. Numbers are never
// expanded, so a set of millions of UIDs stays small.
func unionSets(a, b imap.NumSet) imap.NumSet {
	// "*" (Star, 0) sorts as the highest number.
	key := func(n uint32) uint64 {
		if n == imap.Star {
			return 1 << 32
		}
		return uint64(n)
	}
	all := make(imap.NumSet, 0, len(a)+len(b))
	for _, r := range slices.Concat(a, b) {
		if key(r.Start) > key(r.Stop) {
			r.Start, r.Stop = r.Stop, r.Start
		}
		all = append(all, r)
	}
	slices.SortFunc(all, func(x, y imap.Range) int {
		return int(int64(key(x.Start)) - int64(key(y.Start)))
	})
	var out imap.NumSet
	for _, r := range all {
		if k := len(out); k > 0 && key(r.Start) <= key(out[k-1].Stop)+1 {
			if key(r.Stop) > key(out[k-1].Stop) {
				out[k-1].Stop = r.Stop
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
