package imapmemserver

import (
	"errors"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func (s *session) isUIDCommand() bool { return strings.HasPrefix(s.cmdName, "UID ") }

// targets resolves a message-set argument against the selection.
func (s *session) targets(v *imapwire.Value, byUID bool) ([]seqUID, *reply) {
	if v.Kind != imapwire.ValueAtom && v.Kind != imapwire.ValueNumber {
		return nil, bad("Message set expected")
	}
	set, err := imap.ParseNumSet(v.Atom)
	if err != nil || strings.ContainsAny(v.Atom, " -") {
		return nil, bad("Invalid message set " + v.Atom)
	}
	t, ok := s.sel.resolve(set, byUID)
	if !ok {
		return nil, bad("Invalid message sequence number " + v.Atom)
	}
	return t, nil
}

func (s *session) cmdStore(tag string, args []imapwire.Value) *reply {
	byUID := s.isUIDCommand()
	if len(args) < 3 {
		return bad("STORE expects a message set, an item and flags")
	}
	targets, st := s.targets(&args[0], byUID)
	if st != nil {
		return st
	}
	rest := args[1:]
	var unchangedSince uint64
	if rest[0].Kind == imapwire.ValueList {
		mods := rest[0].List
		if len(mods) != 2 || !mods[0].IsAtom("UNCHANGEDSINCE") || mods[1].Kind != imapwire.ValueNumber || !s.enableCondStore() {
			return bad("Invalid STORE modifier " + rest[0].String())
		}
		unchangedSince = mods[1].Num + 1
		rest = rest[1:]
	}
	if len(rest) < 2 || rest[0].Kind != imapwire.ValueAtom {
		return bad("STORE expects an item and flags")
	}
	item := strings.ToUpper(rest[0].Atom)
	silent := strings.HasSuffix(item, ".SILENT")
	item = strings.TrimSuffix(item, ".SILENT")
	var op storeOp
	switch item {
	case "FLAGS":
		op = storeSet
	case "+FLAGS":
		op = storeAdd
	case "-FLAGS":
		op = storeRemove
	default:
		return bad("Unknown STORE item " + rest[0].Atom)
	}
	flags, st := flagArgs(rest[1:])
	if st != nil {
		return st
	}
	if s.sel.readOnly {
		return no("Mailbox is read-only")
	}
	res := s.srv.b.store(s.sel, targets, op, flags, unchangedSince)
	if res.newKeywords {
		all := allFlags(s.srv.b.keywordsOf(s.sel.mbox))
		s.enc.WriteFlags(all)
		s.enc.StatusResponse("", okCode("PERMANENTFLAGS", "("+strings.Join(append(all, imap.FlagWildcard), " ")+")", "Flags permitted"))
	}
	// With CONDSTORE, .SILENT leaves out FLAGS but not the new MODSEQ
	// (RFC 7162 section 3.2, example 3), as Dovecot does.
	if !silent || s.condstore {
		for i := range res.snaps {
			m := &res.snaps[i]
			if s.malformedFetch(m) {
				continue
			}
			f := s.enc.Fetch(m.seq)
			if byUID && !s.faults.OmitFetchUID {
				f.UID(m.uid)
			}
			if !silent {
				f.Flags(s.flagsOut(m.flags))
			}
			if s.condstore {
				f.ModSeq(m.modSeq)
			}
			f.End()
		}
	}
	if len(res.modified) > 0 {
		nums := make([]uint32, len(res.modified))
		for i, t := range res.modified {
			nums[i] = t.seq
			if byUID {
				nums[i] = t.uid
			}
		}
		return okCode("MODIFIED", imap.NumSetOf(nums...).String(), "Conditional STORE failed")
	}
	return ok("Store completed")
}

func (s *session) cmdCopy(tag string, args []imapwire.Value) *reply {
	return s.copyOrMove(args, false)
}

func (s *session) cmdMove(tag string, args []imapwire.Value) *reply {
	return s.copyOrMove(args, true)
}

func (s *session) copyOrMove(args []imapwire.Value, move bool) *reply {
	if len(args) != 2 {
		return bad("Expected a message set and a mailbox")
	}
	targets, st := s.targets(&args[0], s.isUIDCommand())
	if st != nil {
		return st
	}
	dest, st := s.mailboxName(&args[1])
	if st != nil {
		return st
	}
	if move && s.sel.readOnly {
		return no("Mailbox is read-only")
	}
	validity, src, dst, err := s.srv.b.copyMsgs(s.user, s.sel, targets, dest, move)
	if err != nil {
		return mailboxError(err, true)
	}
	var code, arg string
	if len(src) > 0 && s.caps.has("UIDPLUS") {
		code = "COPYUID"
		arg = num(validity) + " " + imap.NumSetOf(src...).String() + " " + imap.NumSetOf(dst...).String()
	}
	if move {
		if code != "" {
			s.enc.StatusResponse("", okCode(code, arg, "Moved UIDs."))
		}
		return ok("Move completed")
	}
	return okCode(code, arg, "Copy completed")
}

func (s *session) cmdExpunge(tag string, args []imapwire.Value) *reply {
	var only map[uint32]bool
	if s.isUIDCommand() {
		if len(args) != 1 {
			return bad("UID EXPUNGE expects a UID set")
		}
		targets, st := s.targets(&args[0], true)
		if st != nil {
			return st
		}
		only = make(map[uint32]bool, len(targets))
		for _, t := range targets {
			only[t.uid] = true
		}
	} else if len(args) != 0 {
		return bad("EXPUNGE takes no arguments")
	}
	if s.sel.readOnly {
		return no("Mailbox is read-only")
	}
	s.srv.b.expunge(s.sel.mbox, only)
	return ok("Expunge completed")
}

// searchReturn are the ESEARCH return options (RFC 4731).
type searchReturn struct {
	esearch, min, max, all, count bool
}

func (s *session) cmdSearch(tag string, args []imapwire.Value) *reply {
	byUID := s.isUIDCommand()
	var ret searchReturn
	if s.rev2 {
		ret = searchReturn{esearch: true, all: true}
	}
	if len(args) >= 2 && args[0].IsAtom("RETURN") && args[1].Kind == imapwire.ValueList && s.caps.has("ESEARCH") {
		ret = searchReturn{esearch: true}
		for _, o := range args[1].List {
			switch {
			case o.IsAtom("MIN"):
				ret.min = true
			case o.IsAtom("MAX"):
				ret.max = true
			case o.IsAtom("ALL"):
				ret.all = true
			case o.IsAtom("COUNT"):
				ret.count = true
			default:
				return bad("Unknown SEARCH return option " + o.String())
			}
		}
		if !ret.min && !ret.max && !ret.count {
			ret.all = true
		}
		args = args[2:]
	}
	charset := ""
	if len(args) >= 2 && args[0].IsAtom("CHARSET") {
		cs, ok := args[1].AString()
		if !ok {
			return bad("Invalid charset")
		}
		charset, args = cs, args[2:]
	}
	if len(args) == 0 {
		return bad("SEARCH expects search keys")
	}
	withModSeq := mentionsModSeq(args)
	if withModSeq && !s.enableCondStore() {
		return bad("MODSEQ is not supported")
	}
	match, err := compileSearch(args, charset)
	if errors.Is(err, errBadCharset) {
		return &reply{Type: imap.StatusNO, Code: "BADCHARSET", CodeArg: "(" + strings.Join(searchCharsets, " ") + ")",
			Text: "Unsupported charset"}
	}
	if err != nil {
		return bad("Invalid search: " + errText(err))
	}
	all := make([]seqUID, len(s.sel.uids))
	for i, uid := range s.sel.uids {
		all[i] = seqUID{uint32(i + 1), uid}
	}
	snaps, _ := s.srv.b.snapshots(s.sel, all, false)
	maxSeq := uint32(len(s.sel.uids))
	var maxUID uint32
	if maxSeq > 0 {
		maxUID = s.sel.uids[maxSeq-1]
	}
	var nums []uint32
	var modSeq uint64
	for i := range snaps {
		m := &snaps[i]
		sm := &searchMsg{seq: m.seq, uid: m.uid, flags: m.flags, internalDate: m.date, size: int64(len(m.raw)),
			modseq: m.modSeq, msg: m.parsed}
		if !match(sm, maxSeq, maxUID) {
			continue
		}
		if byUID {
			nums = append(nums, m.uid)
		} else {
			nums = append(nums, m.seq)
		}
		modSeq = max(modSeq, m.modSeq)
	}
	if !withModSeq {
		modSeq = 0
	}
	if ret.esearch {
		s.writeESearch(s.cmdTag, byUID, ret, nums, modSeq)
	} else {
		s.enc.WriteSearch(&imapwire.SearchData{Nums: nums, ModSeq: modSeq})
	}
	return ok("Search completed")
}

// mentionsModSeq reports whether the search keys use MODSEQ.
func mentionsModSeq(vs []imapwire.Value) bool {
	for i := range vs {
		if vs[i].IsAtom("MODSEQ") || (vs[i].Kind == imapwire.ValueList && mentionsModSeq(vs[i].List)) {
			return true
		}
	}
	return false
}

// writeESearch writes "* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL
// set [MODSEQ m]" (RFC 4731).
func (s *session) writeESearch(tag string, byUID bool, ret searchReturn, nums []uint32, modSeq uint64) {
	e := s.enc.Untagged().Raw("ESEARCH (TAG ").String(tag).Raw(")")
	if byUID {
		e.Raw(" UID")
	}
	if len(nums) > 0 {
		lo, hi := nums[0], nums[0]
		for _, n := range nums {
			lo, hi = min(lo, n), max(hi, n)
		}
		if ret.min {
			e.Raw(" MIN ").Number(lo)
		}
		if ret.max {
			e.Raw(" MAX ").Number(hi)
		}
	}
	if ret.count {
		e.Raw(" COUNT ").Number(uint32(len(nums)))
	}
	if ret.all && len(nums) > 0 {
		e.Raw(" ALL " + imap.NumSetOf(nums...).String())
	}
	if modSeq > 0 {
		e.Raw(" MODSEQ " + strconv.FormatUint(modSeq, 10))
	}
	e.End()
}
