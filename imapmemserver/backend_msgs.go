package imapmemserver

import (
	"slices"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
)

// seqUID is a message as a session sees it.
type seqUID struct{ seq, uid uint32 }

// resolve returns the messages of the selection's view that the set
// names, in ascending order. Sequence numbers out of range make ok false
// (the command is answered with BAD); UIDs that do not exist are ignored.
// "*" is the last message of the view.
func (sel *selection) resolve(set imap.NumSet, byUID bool) (out []seqUID, ok bool) {
	n := uint32(len(sel.uids))
	if byUID {
		var last uint32
		if n > 0 {
			last = sel.uids[n-1]
		}
		for i, uid := range sel.uids {
			if inSet(set, uid, last) {
				out = append(out, seqUID{uint32(i + 1), uid})
			}
		}
		return out, true
	}
	for _, r := range set {
		for _, v := range [2]uint32{r.Start, r.Stop} {
			if v != imap.Star && v > n {
				return nil, false
			}
		}
	}
	for i := uint32(1); i <= n; i++ {
		if inSet(set, i, n) {
			out = append(out, seqUID{i, sel.uids[i-1]})
		}
	}
	return out, true
}

// inSet reports whether v is in set, with "*" standing for star. When
// star is 0 (empty mailbox) "*" matches nothing on its own.
func inSet(set imap.NumSet, v, star uint32) bool {
	for _, r := range set {
		lo, hi := r.Start, r.Stop
		if lo == imap.Star {
			lo = star
		}
		if hi == imap.Star {
			hi = star
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo == 0 {
			if hi == 0 {
				continue
			}
			lo = 1
		}
		if v >= lo && v <= hi {
			return true
		}
	}
	return false
}

// msgSnap is a copy of what a command needs of one message, taken under
// the lock and used after it is released.
type msgSnap struct {
	seq, uid uint32
	flags    []string // with \Recent when the message is recent to the session
	date     time.Time
	raw      []byte
	parsed   *parsedMessage
	modSeq   uint64
}

func (sel *selection) snapLocked(seq uint32, m *message) msgSnap {
	flags := slices.Clone(m.flags)
	if sel.recent[m.uid] {
		flags = append(flags, imap.FlagRecent)
	}
	return msgSnap{seq: seq, uid: m.uid, flags: flags, date: m.date, raw: m.raw, parsed: m.parsed, modSeq: m.modSeq}
}

// snapshots returns the messages that still exist among targets. With
// markSeen (and a read-write selection), \Seen is set on them first; seen
// reports the UIDs that gained it.
func (b *backend) snapshots(sel *selection, targets []seqUID, markSeen bool) (snaps []msgSnap, seen map[uint32]bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	mb := sel.mbox
	var modSeq uint64
	snaps = make([]msgSnap, 0, len(targets))
	for _, t := range targets {
		m := mb.findLocked(t.uid)
		if m == nil {
			continue
		}
		if markSeen && !sel.readOnly && !hasFlag(m.flags, imap.FlagSeen) {
			if modSeq == 0 {
				mb.modSeq++
				modSeq = mb.modSeq
			}
			m.flags = normFlags(append(m.flags, imap.FlagSeen))
			m.modSeq = modSeq
			if seen == nil {
				seen = map[uint32]bool{}
			}
			seen[m.uid] = true
			b.notifyLocked(mb, updFlags, []uint32{m.uid}, sel)
		}
		snaps = append(snaps, sel.snapLocked(t.seq, m))
	}
	return snaps, seen
}

type storeOp uint8

const (
	storeSet storeOp = iota
	storeAdd
	storeRemove
)

// storeResult is the outcome of STORE.
type storeResult struct {
	snaps       []msgSnap // every message of the set that exists and was not refused
	modified    []seqUID  // refused by UNCHANGEDSINCE
	newKeywords bool      // the mailbox's keyword list grew
}

// store changes flags. unchangedSince is the UNCHANGEDSINCE value plus
// one, or 0 when there is none.
func (b *backend) store(sel *selection, targets []seqUID, op storeOp, flags []string, unchangedSince uint64) storeResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	mb := sel.mbox
	flags = normFlags(flags)
	res := storeResult{newKeywords: op != storeRemove && mb.noteKeywordsLocked(flags)}
	var modSeq uint64
	for _, t := range targets {
		m := mb.findLocked(t.uid)
		if m == nil {
			continue
		}
		if unchangedSince != 0 && m.modSeq > unchangedSince-1 {
			res.modified = append(res.modified, t)
			continue
		}
		var next []string
		switch op {
		case storeSet:
			next = slices.Clone(flags)
		case storeAdd:
			next = normFlags(append(slices.Clone(m.flags), flags...))
		case storeRemove:
			next = slices.DeleteFunc(slices.Clone(m.flags), func(f string) bool { return hasFlag(flags, f) })
		}
		if !sameFlags(next, m.flags) {
			if modSeq == 0 {
				mb.modSeq++
				modSeq = mb.modSeq
			}
			m.flags = normFlags(next)
			m.modSeq = modSeq
			b.notifyLocked(mb, updFlags, []uint32{m.uid}, sel)
		}
		res.snaps = append(res.snaps, sel.snapLocked(t.seq, m))
	}
	return res
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !hasFlag(b, f) {
			return false
		}
	}
	return true
}

// copyMsgs copies the existing messages among targets to the named
// mailbox, and with move expunges them from the selected one. It returns
// the destination's UIDVALIDITY and the source and new UIDs in order.
func (b *backend) copyMsgs(u *user, sel *selection, targets []seqUID, dest string, move bool) (validity uint32, src, dst []uint32, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	to := mailboxLocked(u, dest)
	if to == nil {
		return 0, nil, nil, errNoMailbox
	}
	now := time.Now()
	type item struct {
		m   *message
		uid uint32
	}
	var items []item
	for _, t := range targets {
		if m := sel.mbox.findLocked(t.uid); m != nil {
			items = append(items, item{m, t.uid})
		}
	}
	for _, it := range items {
		src = append(src, it.uid)
		dst = append(dst, b.addLocked(to, it.m.raw, it.m.parsed, slices.Clone(it.m.flags), it.m.date, now))
	}
	if move {
		b.expungeLocked(sel.mbox, src)
	}
	return to.uidValidity, src, dst, nil
}

// expunge removes the messages flagged \Deleted, only those whose UID is
// in only when it is not nil. The sessions learn it through their pending
// updates, the caller's included.
func (b *backend) expunge(mb *mailbox, only map[uint32]bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var uids []uint32
	for _, m := range mb.msgs {
		if hasFlag(m.flags, imap.FlagDeleted) && (only == nil || only[m.uid]) {
			uids = append(uids, m.uid)
		}
	}
	b.expungeLocked(mb, uids)
}

// updResp is one untagged update for a session: "* n EXISTS", "* n
// RECENT", "* n EXPUNGE" or "* n FETCH (UID FLAGS MODSEQ)".
type updResp struct {
	kind   updateKind // updNew for EXISTS, updExpunge, updFlags, updRecent
	n      uint32     // count or sequence number
	uid    uint32
	flags  []string
	modSeq uint64
}

const updRecent updateKind = 100

// flush applies the pending updates to the selection's view and returns
// the responses that tell the client. With keepExpunges (after FETCH,
// STORE and SEARCH, which may not be followed by EXPUNGE responses, RFC
// 3501 section 7.4.1) it stops at the first expunge: the changes before it
// (EXISTS, flags) are sent, as Dovecot does, and the rest stays pending.
func (b *backend) flush(sel *selection, keepExpunges bool) []updResp {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(sel.pending) == 0 {
		return nil
	}
	var out []updResp
	mb := sel.mbox
	done := map[uint32]bool{}
	grew := false
	var rest []update
	for k, u := range sel.pending {
		i, found := slices.BinarySearch(sel.uids, u.uid)
		switch u.kind {
		case updExpunge:
			if found && keepExpunges {
				// This and every later change wait for a command after
				// which EXPUNGE may be sent: they are numbered in the
				// view that includes the expunged message.
				rest = slices.Clone(sel.pending[k:])
				break
			}
			if found {
				out = append(out, updResp{kind: updExpunge, n: uint32(i + 1)})
				sel.uids = slices.Delete(sel.uids, i, i+1)
				delete(sel.recent, u.uid)
			}
		case updNew:
			if found || i < len(sel.uids) {
				continue
			}
			sel.uids = append(sel.uids, u.uid)
			if m := mb.findLocked(u.uid); m != nil && m.recent && !sel.readOnly {
				m.recent = false
				sel.recent[u.uid] = true
			}
			grew = true
			if k := len(out); k > 0 && out[k-1].kind == updNew {
				out[k-1].n = uint32(len(sel.uids))
			} else {
				out = append(out, updResp{kind: updNew, n: uint32(len(sel.uids))})
			}
		case updFlags:
			if !found || done[u.uid] {
				continue
			}
			done[u.uid] = true
			if m := mb.findLocked(u.uid); m != nil {
				s := sel.snapLocked(uint32(i+1), m)
				out = append(out, updResp{kind: updFlags, n: s.seq, uid: s.uid, flags: s.flags, modSeq: s.modSeq})
			}
		}
		if rest != nil {
			break
		}
	}
	sel.pending = rest
	if grew {
		out = append(out, updResp{kind: updRecent, n: uint32(len(sel.recent))})
	}
	return out
}

// keywordsOf returns the mailbox's keywords.
func (b *backend) keywordsOf(mb *mailbox) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(mb.keywords)
}

// allFlags is the FLAGS list of a mailbox with the given keywords.
func allFlags(keywords []string) []string {
	out := []string{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}
	for _, k := range keywords {
		if !strings.HasPrefix(k, `\`) {
			out = append(out, k)
		}
	}
	return out
}
