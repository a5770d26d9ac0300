package imapclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// CONDSTORE (RFC 7162 section 3.1): mod-sequences, FETCH CHANGEDSINCE and
// STORE UNCHANGEDSINCE. SELECT (CONDSTORE) is in qresync.go with the
// other SELECT parameters; the MODSEQ search key is Criteria.ModSeq.

// EnableCondStore turns CONDSTORE on for the session with ENABLE
// CONDSTORE (RFC 7162 section 3.1, RFC 5161): from then on the server
// reports HIGHESTMODSEQ when a folder is selected and MODSEQ in every FETCH
// response about flag changes. Any use of a CONDSTORE feature (a MODSEQ
// fetch or search, CHANGEDSINCE, UNCHANGEDSINCE, SELECT with CondStore)
// turns it on as well, so this call is only needed to get those reports
// before the first such use. It needs the CONDSTORE and ENABLE
// capabilities (a *CapabilityError otherwise).
func (c *Client) EnableCondStore(ctx context.Context) error {
	return c.enableExt(ctx, imap.CapCondStore)
}

// EnableQResync turns QRESYNC on for the session with ENABLE QRESYNC (RFC
// 7162 section 3.2.3), which implies CONDSTORE. It is needed before
// SelectFolderWith with QResync parameters and FetchChangedSince with
// vanished. Once it is on, the server reports expunged messages by UID
// with VANISHED instead of EXPUNGE (RFC 7162 section 3.2.10): Expunge and
// UIDExpunge then return UIDs, and unsolicited expunges arrive as
// *VanishedUpdate. It needs the QRESYNC capability; enable it before
// selecting a folder (RFC 5161 section 3.1 allows ENABLE only in the
// authenticated state). Calling it again is harmless.
func (c *Client) EnableQResync(ctx context.Context) error {
	return c.enableExt(ctx, imap.CapQResync)
}

// enableExt enables one extension and checks that the server enabled it.
func (c *Client) enableExt(ctx context.Context, name string) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	ok, err := c.hasCap(ctx, name)
	en := c.conn.Enabled()
	enabled := en.Has(name) || (name == imap.CapCondStore && en.Has(imap.CapQResync))
	c.unlock()
	if err != nil {
		return err
	}
	if !ok {
		return &CapabilityError{Capability: name, Command: "ENABLE " + name}
	}
	if enabled {
		return nil
	}
	got, err := c.Enable(ctx, name)
	if err != nil {
		return err
	}
	for _, g := range got {
		if strings.EqualFold(g, name) {
			return nil
		}
	}
	if name == imap.CapCondStore {
		// A server need not list CONDSTORE when a CONDSTORE-enabling
		// command already turned it on (RFC 7162 section 3.1).
		return nil
	}
	return &ProtocolError{Msg: "ENABLE " + name + " completed without enabling " + name}
}

// qresyncOn reports whether QRESYNC is enabled in the session.
func (c *Client) qresyncOn() bool { return c.conn.Enabled().Has(imap.CapQResync) }

// ErrQResyncNotEnabled is returned, before anything is sent, by the calls
// that need QRESYNC enabled in the session (RFC 7162 section 3.2.3: the
// server answers BAD otherwise). Call EnableQResync first.
var ErrQResyncNotEnabled = errors.New("imapclient: QRESYNC is not enabled in this session: call EnableQResync first (RFC 7162 section 3.2.3)")

// noteModSeq raises the folder view's HIGHESTMODSEQ to n: the folder's
// highest mod-sequence is at least any message's (RFC 7162 section 3.1.2).
func (c *Client) noteModSeq(n uint64) {
	s := &c.sel
	s.mu.Lock()
	if n > s.highestModSeq {
		s.highestModSeq = n
	}
	s.mu.Unlock()
}

// noteStatusModSeq records the HIGHESTMODSEQ code of a tagged response:
// once QRESYNC is enabled, EXPUNGE and UID EXPUNGE complete with the
// folder's new HIGHESTMODSEQ (RFC 7162 section 3.2), which no untagged
// response reports.
func (c *Client) noteStatusModSeq(st *imap.StatusResponse) {
	if st == nil || st.Code != imap.CodeHighestModSeq {
		return
	}
	if n, err := imap.ParseCodeNum(st.CodeArg); err == nil {
		c.noteModSeq(n)
	}
}

// FetchChangedSince fetches items of the messages in ms whose
// mod-sequence is higher than modSeq (FETCH with the CHANGEDSINCE
// modifier, RFC 7162 section 3.1.4), the way a client catches up with
// flag changes since it last looked. items are as for Fetch; the server
// adds MODSEQ to each result, so Message.ModSeq is set. It needs the
// CONDSTORE capability.
//
// With vanished, the server also reports which of the UIDs in ms were
// expunged since modSeq (the VANISHED modifier, RFC 7162 section 3.2.6),
// returned as a compact set (nil when none). The server may include UIDs
// it cannot tell apart from expunged ones (RFC 7162 section 3.2.6 allows
// that when it keeps no complete history), so treat them as "gone if you
// had them". vanished needs UIDs (not SetUseUID(false)) and QRESYNC
// enabled (ErrQResyncNotEnabled otherwise); both are checked before
// anything is sent.
//
// Results are keyed and merged as Fetch does; other FETCH responses are
// updates, and so are VANISHED responses without EARLIER (expunges that
// happen meanwhile).
func (c *Client) FetchChangedSince(ctx context.Context, ms MessageSet, items []string, modSeq uint64, vanished bool) (map[uint32]*Message, imap.NumSet, error) {
	mods := []string{"CHANGEDSINCE " + strconv.FormatUint(modSeq, 10)}
	if vanished {
		mods = append(mods, "VANISHED")
	}
	req, err := c.newFetch(ms, items, mods)
	if err != nil {
		return nil, nil, err
	}
	if vanished && !req.useUID {
		return nil, nil, fmt.Errorf("imapclient: FETCH (VANISHED) needs UIDs: it is valid only with UID FETCH (RFC 7162 section 3.2.6)")
	}
	if err := c.lock(ctx); err != nil {
		return nil, nil, err
	}
	defer c.unlock()
	if err := c.checkFetch(ctx, req); err != nil {
		return nil, nil, err
	}
	if vanished && !c.qresyncOn() {
		return nil, nil, ErrQResyncNotEnabled
	}
	out := make(map[uint32]*Message)
	var gone imap.NumSet
	fh := c.fetchHandler(req, out)
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name == "VANISHED" {
			if v := vanishedOf(r); v != nil && v.Earlier {
				gone = unionSets(gone, v.UIDs)
				return true, nil
			}
			return false, nil
		}
		return fh(r)
	}
	defer func() { c.noteModSeq(maxModSeq(out)) }()
	for _, part := range req.set.Split(maxSetLen) {
		if _, err := c.conn.Execute(ctx, req.cmd, req.build(part), h); err != nil {
			return out, gone, err
		}
	}
	return out, gone, nil
}

// maxModSeq returns the highest MODSEQ among msgs.
func maxModSeq(msgs map[uint32]*Message) uint64 {
	var n uint64
	for _, m := range msgs {
		n = max(n, m.ModSeq)
	}
	return n
}

// StoreMode says how StoreFlags changes the flags.
type StoreMode int

// Store modes (RFC 3501 section 6.4.6).
const (
	// StoreAdd adds the flags (+FLAGS).
	StoreAdd StoreMode = iota
	// StoreRemove removes the flags (-FLAGS).
	StoreRemove
	// StoreReplace replaces all flags with the given ones (FLAGS).
	StoreReplace
)

// item returns the STORE data item name.
func (m StoreMode) item() (string, error) {
	switch m {
	case StoreAdd:
		return "+FLAGS", nil
	case StoreRemove:
		return "-FLAGS", nil
	case StoreReplace:
		return "FLAGS", nil
	}
	return "", fmt.Errorf("imapclient: STORE: unknown StoreMode %d: %w", int(m), imapwire.ErrInvalidArgument)
}

// StoreOptions are the options of StoreFlags. A nil *StoreOptions means
// the defaults.
type StoreOptions struct {
	// Silent asks the server not to report the new flags (.SILENT). A
	// CONDSTORE server still reports the new MODSEQ of each message
	// changed (RFC 7162 section 3.1.3).
	Silent bool
	// UnchangedSince, when not zero, makes the store conditional
	// (UNCHANGEDSINCE, RFC 7162 section 3.1.3): a message whose
	// mod-sequence is higher, because someone changed it after the client
	// last saw it, is left alone and listed in StoreResult.Modified. Zero
	// means an unconditional store. It needs the CONDSTORE capability.
	UnchangedSince uint64
}

// StoreResult is the answer to StoreFlags. Maps are keyed by UID, or by
// sequence number after SetUseUID(false), and never nil.
type StoreResult struct {
	// Flags are the messages' flags after the store, for the messages the
	// server reported (none with Silent). System flags are in canonical
	// spelling.
	Flags map[uint32][]string
	// ModSeq is the new mod-sequence of each message the server reported
	// it for (CONDSTORE servers report it for every message changed).
	ModSeq map[uint32]uint64
	// Modified holds the messages not changed because their
	// mod-sequence was higher than UnchangedSince (the MODIFIED response
	// code, RFC 7162 section 3.1.3): UIDs or sequence numbers like the
	// keys. Nil when every message passed. Fetch their current state and
	// decide again. When the server reported such a message's change
	// during the store, Flags and ModSeq hold its current state.
	Modified imap.NumSet
}

// StoreFlags changes the flags of the messages (STORE, RFC 3501 section
// 6.4.6) as mode says, with the options of CONDSTORE: a conditional store
// with UnchangedSince (RFC 7162 section 3.1.3), and the new mod-sequence
// of each message in the result. flags are checked as for AddFlags (and
// may be empty only with StoreReplace). A set too long for one command is
// split over several; their results are merged.
//
// A conditional store that fails for some messages is not an error: the
// server completes it with OK [MODIFIED set] and the set is in
// StoreResult.Modified. If the server answers NO with a MODIFIED code,
// the result holds it as well as the error.
func (c *Client) StoreFlags(ctx context.Context, ms MessageSet, mode StoreMode, flags []string, opts *StoreOptions) (*StoreResult, error) {
	var o StoreOptions
	if opts != nil {
		o = *opts
	}
	item, err := mode.item()
	if err != nil {
		return nil, err
	}
	set, err := numSet("STORE", ms)
	if err != nil {
		return nil, err
	}
	if flags, err = checkFlags("STORE", flags, mode == StoreReplace); err != nil {
		return nil, err
	}
	if o.Silent {
		item += ".SILENT"
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("STORE", true); err != nil {
		return nil, err
	}
	if o.UnchangedSince != 0 {
		if err := c.needCap(ctx, imap.CapCondStore, "STORE (UNCHANGEDSINCE)"); err != nil {
			return nil, err
		}
	}
	uid := c.useUID.Load()
	name := cmdName("STORE", uid)
	res := &StoreResult{Flags: map[uint32][]string{}, ModSeq: map[uint32]uint64{}}
	h := c.storeHandler(set, uid, res)
	for _, part := range set.Split(maxSetLen) {
		st, err := c.conn.Execute(ctx, name, func(e *imapwire.Encoder) {
			e.SP().NumSet(part)
			if o.UnchangedSince != 0 {
				e.SP().Raw("(UNCHANGEDSINCE ").Number64(o.UnchangedSince).Byte(')')
			}
			e.SP().Atom(item).SP().Byte('(')
			for i, f := range flags {
				if i > 0 {
					e.SP()
				}
				e.Flag(f)
			}
			e.Byte(')')
		}, h)
		var se *ServerError
		if err != nil && errors.As(err, &se) {
			st = &se.Response
		}
		if st != nil && st.Code == imap.CodeModified {
			mod, perr := imap.ParseNumSet(st.CodeArg)
			if perr != nil {
				return res, &ProtocolError{Msg: fmt.Sprintf("malformed MODIFIED code %q", st.CodeArg)}
			}
			res.Modified = unionSets(res.Modified, mod)
		}
		if err != nil {
			return res, err
		}
	}
	if len(res.Modified) == 0 {
		res.Modified = nil
	}
	return res, nil
}

// storeHandler collects the FETCH responses of a STORE into res: FLAGS
// and MODSEQ, keyed by UID or sequence number. Responses for other
// messages are updates, as for Fetch.
func (c *Client) storeHandler(set imap.NumSet, uid bool, res *StoreResult) imapconn.Handler {
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != "FETCH" {
			return false, nil
		}
		if !uid && !inSet(set, r.Num) {
			return false, nil
		}
		items, err := r.ReadAllFetchItems()
		u := fetchUpdateOf(r.Num, items)
		key := r.Num
		if uid {
			key = u.UID
		}
		if key == 0 || !inSet(set, key) {
			c.deliver(u)
			return true, err
		}
		if u.Flags != nil {
			res.Flags[key] = u.Flags
		}
		if u.ModSeq != 0 {
			res.ModSeq[key] = u.ModSeq
			c.noteModSeq(u.ModSeq)
		}
		return true, err
	}
}
