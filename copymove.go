package imapclient

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// CopyResult is what the server reported about copied or moved messages:
// the COPYUID response code of UIDPLUS (RFC 4315 section 3). The UIDs are
// UIDs whatever UseUID says. The fields are zero when the server sent no
// COPYUID (it lacks UIDPLUS).
type CopyResult struct {
	// UIDValidity is the destination folder's UIDVALIDITY.
	UIDValidity uint32
	// SourceUIDs are the UIDs of the messages copied, and DestUIDs the
	// UIDs they received in the destination, in the same order.
	SourceUIDs, DestUIDs imap.NumSet
}

// maxCopyMap bounds the expansion of COPYUID sets into a map.
const maxCopyMap = 1 << 24

// Map returns the mapping from source UID to destination UID, or nil when
// the server sent no COPYUID (or sets of different sizes).
func (r *CopyResult) Map() map[uint32]uint32 {
	if r == nil || len(r.SourceUIDs) == 0 {
		return nil
	}
	d := imap.UIDPlusData{SourceUIDs: r.SourceUIDs, DestUIDs: r.DestUIDs}
	return d.Pairs(maxCopyMap)
}

// add merges the COPYUID data of one command into r.
func (r *CopyResult) add(st *imap.StatusResponse) {
	if st == nil || st.Code != imap.CodeCopyUID {
		return
	}
	d, err := imap.ParseCopyUID(st.CodeArg)
	if err != nil || d.SourceUIDs.Dynamic() || d.DestUIDs.Dynamic() {
		// Malformed (uid-set has no "*", RFC 4315 section 4): ignored,
		// the copy itself succeeded.
		return
	}
	r.UIDValidity = d.UIDValidity
	r.SourceUIDs = append(r.SourceUIDs, d.SourceUIDs...)
	r.DestUIDs = append(r.DestUIDs, d.DestUIDs...)
}

// MoveIncompleteError reports a Move without the MOVE capability that
// copied the messages but could not remove them from the source folder:
// the server lacks UIDPLUS, so the messages could not be expunged without
// also expunging other messages flagged Deleted, or a later step failed.
// The source messages are still there (flagged Deleted when Flagged is
// true); nothing else was expunged.
type MoveIncompleteError struct {
	Folder string      // the destination
	UIDs   imap.NumSet // the source messages that were copied, as UIDs
	Result *CopyResult // COPYUID data, when the server sent it
	// Flagged reports that the source messages were flagged Deleted.
	Flagged bool
	Err     error // why the move stopped
}

// Error implements error.
func (e *MoveIncompleteError) Error() string {
	state := "copied but not flagged Deleted"
	if e.Flagged {
		state = "copied and flagged Deleted but not expunged"
	}
	return fmt.Sprintf("imapclient: MOVE to %q incomplete: UIDs %s were %s: %v", e.Folder, e.UIDs, state, e.Err)
}

// Unwrap returns the cause.
func (e *MoveIncompleteError) Unwrap() error { return e.Err }

// Copy copies the messages to folder (RFC 3501 section 6.4.7) and returns
// the COPYUID data when the server gives it, which IMAPClient loses. Copy
// works in read-only folders too.
func (c *Client) Copy(ctx context.Context, ms MessageSet, folder string) (*CopyResult, error) {
	set, err := numSet("COPY", ms)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("COPY", false); err != nil {
		return nil, err
	}
	set, uid, err := c.stableSet(ctx, set, c.useUID.Load())
	if err != nil || len(set) == 0 {
		return &CopyResult{}, err
	}
	return c.copyLocked(ctx, "COPY", set, uid, folder)
}

// stableSet returns set unchanged when it fits in one command or names
// UIDs. A longer set of sequence numbers is resolved to UIDs first (and
// uid becomes true): sequence numbers may shift between the commands, as
// an EXPUNGE may arrive during COPY and MOVE expunges (RFC 3501 section
// 7.4.1). The result is empty when no message matches.
func (c *Client) stableSet(ctx context.Context, set imap.NumSet, uid bool) (imap.NumSet, bool, error) {
	if uid || len(set.Split(maxSetLen)) <= 1 {
		return set, uid, nil
	}
	uids, err := c.resolveUIDs(ctx, set, false)
	return uids, true, err
}

// copyLocked runs COPY or MOVE over set, split as needed, and gathers the
// COPYUID data from the tagged OK (COPY) or the untagged OK that MOVE
// sends before its expunges (RFC 6851 section 4.3).
func (c *Client) copyLocked(ctx context.Context, verb string, set imap.NumSet, uid bool, folder string) (*CopyResult, error) {
	res := &CopyResult{}
	wire := c.encodeName(folder)
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name == "OK" && r.Status != nil && r.Status.Code == imap.CodeCopyUID {
			res.add(r.Status)
			return true, nil
		}
		return false, nil
	}
	for _, part := range set.Split(maxSetLen) {
		st, err := c.conn.Execute(ctx, cmdName(verb, uid), func(e *imapwire.Encoder) {
			e.SP().NumSet(part).SP().AString(wire)
		}, h)
		if err != nil {
			return res, err
		}
		res.add(st)
	}
	return res, nil
}

// Move moves the messages to folder. With the MOVE capability it sends
// MOVE (RFC 6851), in UID or sequence-number mode. Without it, it falls
// back safely, never touching other messages:
//
//  1. the messages are resolved to UIDs (UID FETCH, or FETCH in
//     sequence-number mode), so every later step names exactly them;
//  2. UID COPY, and only after its OK,
//  3. UID STORE +FLAGS.SILENT (\Deleted) on the messages copied,
//  4. UID EXPUNGE of exactly those UIDs (RFC 4315 section 2.1).
//
// The last step needs UIDPLUS: without it (a plain EXPUNGE would also
// remove other messages flagged Deleted) Move stops after step 3 and
// returns a *MoveIncompleteError. It returns one too when step 3 or 4
// fails after the copy. The result holds the COPYUID data when the server
// gives it.
func (c *Client) Move(ctx context.Context, ms MessageSet, folder string) (*CopyResult, error) {
	set, err := numSet("MOVE", ms)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("MOVE", true); err != nil {
		return nil, err
	}
	uid := c.useUID.Load()
	native, err := c.hasCap(ctx, imap.CapMove)
	if err != nil {
		return nil, err
	}
	if native {
		set, uid, err := c.stableSet(ctx, set, uid)
		if err != nil || len(set) == 0 {
			return &CopyResult{}, err
		}
		return c.copyLocked(ctx, "MOVE", set, uid, folder)
	}
	uidPlus, err := c.hasCap(ctx, imap.CapUIDPlus)
	if err != nil {
		return nil, err
	}
	uids, err := c.resolveUIDs(ctx, set, uid)
	if err != nil {
		return nil, err
	}
	if len(uids) == 0 {
		return &CopyResult{}, nil // nothing matched: nothing to move
	}
	res, err := c.copyLocked(ctx, "COPY", uids, true, folder)
	if err != nil {
		return res, err
	}
	done := copiedUIDs(uids, res)
	incomplete := &MoveIncompleteError{Folder: folder, UIDs: done, Result: res}
	if err := c.storeDeleted(ctx, done); err != nil {
		incomplete.Err = err
		return res, incomplete
	}
	incomplete.Flagged = true
	if !uidPlus {
		incomplete.Err = &CapabilityError{Capability: imap.CapUIDPlus, Command: "UID EXPUNGE"}
		return res, incomplete
	}
	if _, err := c.uidExpungeLocked(ctx, done); err != nil {
		incomplete.Err = err
		return res, incomplete
	}
	return res, nil
}

// copiedUIDs returns the UIDs to flag and expunge after a copy of uids:
// those the server says it copied (COPYUID), when it says, and never any
// outside uids. The sets are intersected range by range, never expanded:
// a server's COPYUID may claim any number of UIDs.
func copiedUIDs(uids imap.NumSet, res *CopyResult) imap.NumSet {
	if len(res.SourceUIDs) == 0 {
		return uids
	}
	keep := intersectRanges(sortedRanges(uids), sortedRanges(res.SourceUIDs))
	if len(keep) == 0 {
		return uids
	}
	return keep
}

// sortedRanges returns the ranges of s (without "*") in ascending order,
// each from low to high, overlapping and adjacent ones merged.
func sortedRanges(s imap.NumSet) imap.NumSet {
	rs := make(imap.NumSet, 0, len(s))
	for _, r := range s {
		if r.Start > r.Stop {
			r.Start, r.Stop = r.Stop, r.Start
		}
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b imap.Range) int { return cmp.Compare(a.Start, b.Start) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && uint64(r.Start) <= uint64(out[n-1].Stop)+1 {
			out[n-1].Stop = max(out[n-1].Stop, r.Stop)
			continue
		}
		out = append(out, r)
	}
	return out
}

// intersectRanges returns the numbers in both a and b, which are sorted as
// sortedRanges returns them.
func intersectRanges(a, b imap.NumSet) imap.NumSet {
	var out imap.NumSet
	for i, j := 0, 0; i < len(a) && j < len(b); {
		if lo, hi := max(a[i].Start, b[j].Start), min(a[i].Stop, b[j].Stop); lo <= hi {
			out = append(out, imap.Range{Start: lo, Stop: hi})
		}
		if a[i].Stop < b[j].Stop {
			i++
		} else {
			j++
		}
	}
	return out
}

// storeDeleted flags exactly the given UIDs Deleted, silently.
func (c *Client) storeDeleted(ctx context.Context, uids imap.NumSet) error {
	for _, part := range uids.Split(maxSetLen) {
		_, err := c.conn.Execute(ctx, "UID STORE", func(e *imapwire.Encoder) {
			e.SP().NumSet(part).SP().Atom("+FLAGS.SILENT").SP().Byte('(').Flag(Deleted).Byte(')')
		}, nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// resolveUIDs turns a message set into the UIDs of the messages that
// exist now, with FETCH (UID) (UID FETCH in UID mode). The result has no
// "*". A range ending in "*" is matched client-side: in UID mode "n:*"
// with n above every UID matches nothing (the server would take the last
// message).
func (c *Client) resolveUIDs(ctx context.Context, set imap.NumSet, uid bool) (imap.NumSet, error) {
	var uids []uint32
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "FETCH" {
			return false, nil
		}
		if !uid && !set.Contains(r.Num) {
			return false, nil // an update for another message
		}
		var it imapwire.FetchItem
		var u uint32
		for {
			ok, err := r.NextFetchItem(&it)
			if err != nil {
				return true, err
			}
			if !ok {
				break
			}
			if it.Name == "UID" && it.Num > 0 && it.Num <= 0xffffffff {
				u = uint32(it.Num)
			}
		}
		if u != 0 && (!uid || set.Contains(u)) {
			uids = append(uids, u)
		}
		return true, nil
	}
	for _, part := range set.Split(maxSetLen) {
		_, err := c.conn.Execute(ctx, cmdName("FETCH", uid), func(e *imapwire.Encoder) {
			e.SP().NumSet(part).SP().Byte('(').Atom("UID").Byte(')')
		}, h)
		if err != nil {
			return nil, err
		}
	}
	return imap.NumSetOf(uids...), nil
}

// disabledCaps hides capabilities from hasCap, per client. Only tests set
// it, to exercise fallbacks (MOVE without MOVE, without UIDPLUS) against
// a server that has the capabilities.
var disabledCaps sync.Map // *Client -> imap.Caps

// hasCap reports whether the server has the capability, with the
// connection held, minus those a test disabled.
func (c *Client) hasCap(ctx context.Context, name string) (bool, error) {
	if v, ok := disabledCaps.Load(c); ok && v.(imap.Caps).Has(name) {
		return false, nil
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return false, err
	}
	return caps.Has(name), nil
}

// needCap is requireCap through hasCap: a *CapabilityError when the
// capability is missing.
func (c *Client) needCap(ctx context.Context, name, command string) error {
	ok, err := c.hasCap(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return &CapabilityError{Capability: name, Command: command}
	}
	return nil
}
