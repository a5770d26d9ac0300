package imapmemserver

import (
	"strconv"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func (s *session) cmdSelect(tag string, args []imapwire.Value) *reply {
	return s.selectMailbox(args, false)
}

func (s *session) cmdExamine(tag string, args []imapwire.Value) *reply {
	return s.selectMailbox(args, true)
}

func (s *session) selectMailbox(args []imapwire.Value, readOnly bool) *reply {
	if len(args) < 1 || len(args) > 2 {
		return bad("Mailbox name expected")
	}
	if len(args) == 2 {
		if args[1].Kind != imapwire.ValueList {
			return bad("Select parameters expected")
		}
		for _, p := range args[1].List {
			if !p.IsAtom("CONDSTORE") || !s.enableCondStore() {
				return bad("Unknown select parameter " + p.String())
			}
		}
	}
	name, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	if s.sel != nil {
		s.srv.b.unselect(s.sel)
		s.sel = nil
		if s.rev2 {
			s.enc.StatusResponse("", okCode("CLOSED", "", "Previous mailbox closed"))
		}
	}
	sel, ms, err := s.srv.b.selectMailbox(s.user, name, readOnly)
	if err != nil {
		return mailboxError(err, false)
	}
	s.sel = sel
	flags := allFlags(ms.keywords)
	s.enc.WriteFlags(flags)
	s.enc.WriteExists(ms.messages)
	if !s.rev2 {
		s.enc.WriteRecent(ms.recent)
		if ms.firstUnseen > 0 {
			s.enc.StatusResponse("", okCode("UNSEEN", num(ms.firstUnseen), "First unseen"))
		}
	}
	perm := "()"
	if !readOnly {
		perm = "(" + strings.Join(append(flags, imap.FlagWildcard), " ") + ")"
	}
	s.enc.StatusResponse("", okCode("PERMANENTFLAGS", perm, "Flags permitted"))
	s.enc.StatusResponse("", okCode("UIDVALIDITY", num(ms.uidValidity), "UIDs valid"))
	s.enc.StatusResponse("", okCode("UIDNEXT", num(ms.uidNext), "Predicted next UID"))
	if s.caps.has("CONDSTORE") {
		s.enc.StatusResponse("", okCode("HIGHESTMODSEQ", strconv.FormatUint(ms.highestModSeq, 10), "Highest"))
	}
	if readOnly {
		return okCode("READ-ONLY", "", "Examine completed")
	}
	return okCode("READ-WRITE", "", "Select completed")
}

func num(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func (s *session) oneMailbox(args []imapwire.Value) (string, *reply) {
	if len(args) != 1 {
		return "", bad("Mailbox name expected")
	}
	return s.mailboxName(&args[0])
}

func (s *session) cmdCreate(tag string, args []imapwire.Value) *reply {
	if len(args) == 2 && args[1].Kind == imapwire.ValueList {
		// CREATE name (USE (\Sent)) of RFC 6154 section 3.
		use, st := createUse(args[1].List)
		if st != nil {
			return st
		}
		name, st := s.mailboxName(&args[0])
		if st != nil {
			return st
		}
		if err := s.srv.b.create(s.user, name, use); err != nil {
			return mailboxError(err, false)
		}
		return ok("Create completed")
	}
	name, st := s.oneMailbox(args)
	if st != nil {
		return st
	}
	if err := s.srv.b.create(s.user, name, ""); err != nil {
		return mailboxError(err, false)
	}
	return ok("Create completed")
}

func createUse(params []imapwire.Value) (string, *reply) {
	if len(params) != 2 || !params[0].IsAtom("USE") || params[1].Kind != imapwire.ValueList || len(params[1].List) != 1 {
		return "", bad("Invalid CREATE parameters")
	}
	want := params[1].List[0].Atom
	for _, f := range []string{imap.SpecialUseAll, imap.SpecialUseArchive, imap.SpecialUseDrafts, imap.SpecialUseFlagged,
		imap.SpecialUseJunk, imap.SpecialUseSent, imap.SpecialUseTrash} {
		if strings.EqualFold(f, want) {
			return f, nil
		}
	}
	return "", noCode("USEATTR", "Unsupported special-use attribute")
}

func (s *session) cmdDelete(tag string, args []imapwire.Value) *reply {
	name, st := s.oneMailbox(args)
	if st != nil {
		return st
	}
	if err := s.srv.b.delete(s.user, name); err != nil {
		return mailboxError(err, false)
	}
	return ok("Delete completed")
}

func (s *session) cmdRename(tag string, args []imapwire.Value) *reply {
	if len(args) != 2 {
		return bad("RENAME expects two mailbox names")
	}
	from, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	to, st := s.mailboxName(&args[1])
	if st != nil {
		return st
	}
	if err := s.srv.b.rename(s.user, from, to); err != nil {
		return mailboxError(err, false)
	}
	return ok("Rename completed")
}

func (s *session) cmdSubscribe(tag string, args []imapwire.Value) *reply {
	name, st := s.oneMailbox(args)
	if st != nil {
		return st
	}
	if _, err := s.srv.b.status(s.user, name); err != nil {
		return mailboxError(err, false)
	}
	s.srv.b.setSubscribed(s.user, name, true)
	return ok("Subscribe completed")
}

func (s *session) cmdUnsubscribe(tag string, args []imapwire.Value) *reply {
	name, st := s.oneMailbox(args)
	if st != nil {
		return st
	}
	s.srv.b.setSubscribed(s.user, name, false)
	return ok("Unsubscribe completed")
}

// statusItems are the STATUS items the server knows.
var statusItems = map[string]bool{"MESSAGES": true, "RECENT": true, "UIDNEXT": true, "UIDVALIDITY": true,
	"UNSEEN": true, "DELETED": true, "SIZE": true, "HIGHESTMODSEQ": true}

func (s *session) cmdStatus(tag string, args []imapwire.Value) *reply {
	if len(args) != 2 || args[1].Kind != imapwire.ValueList || len(args[1].List) == 0 {
		return bad("STATUS expects a mailbox and a list of items")
	}
	name, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	items, st := s.statusItemNames(args[1].List)
	if st != nil {
		return st
	}
	ms, err := s.srv.b.status(s.user, name)
	if err != nil {
		return mailboxError(err, false)
	}
	s.writeStatus(name, items, ms)
	return ok("Status completed")
}

func (s *session) statusItemNames(list []imapwire.Value) ([]string, *reply) {
	var items []string
	for _, it := range list {
		name := strings.ToUpper(it.Atom)
		if it.Kind != imapwire.ValueAtom || !statusItems[name] {
			return nil, bad("Unknown STATUS item " + it.String())
		}
		if name == "HIGHESTMODSEQ" && !s.enableCondStore() {
			return nil, bad("Unknown STATUS item HIGHESTMODSEQ")
		}
		items = append(items, name)
	}
	return items, nil
}

func (s *session) writeStatus(name string, items []string, ms mailboxStatus) {
	sd := &imapwire.StatusData{Mailbox: s.wireName(name), Items: make(map[string]uint64, len(items))}
	for _, it := range items {
		var v uint64
		switch it {
		case "MESSAGES":
			v = uint64(ms.messages)
		case "RECENT":
			v = uint64(ms.recent)
		case "UIDNEXT":
			v = uint64(ms.uidNext)
		case "UIDVALIDITY":
			v = uint64(ms.uidValidity)
		case "UNSEEN":
			v = uint64(ms.unseen)
		case "DELETED":
			v = uint64(ms.deleted)
		case "SIZE":
			v = ms.size
		case "HIGHESTMODSEQ":
			v = ms.highestModSeq
		}
		sd.Items[it] = v
	}
	s.enc.WriteStatus(sd)
}

// validFlag reports whether f can be stored: a keyword atom or a system
// flag other than \Recent.
func validFlag(f string) bool {
	if strings.HasPrefix(f, `\`) {
		return imap.IsSystemFlag(f) && !strings.EqualFold(f, imap.FlagRecent)
	}
	return imapwire.IsAtom(f)
}

// flagArgs reads a flag list (or flags given as atoms).
func flagArgs(vs []imapwire.Value) ([]string, *reply) {
	if len(vs) == 1 && vs[0].Kind == imapwire.ValueList {
		vs = vs[0].List
	}
	var flags []string
	for _, v := range vs {
		if v.Kind != imapwire.ValueAtom || !validFlag(v.Atom) {
			if v.Kind == imapwire.ValueAtom && strings.EqualFold(v.Atom, imap.FlagRecent) {
				continue
			}
			return nil, bad("Invalid flag " + v.String())
		}
		flags = append(flags, v.Atom)
	}
	return flags, nil
}

func (s *session) cmdAppend(tag string, args []imapwire.Value) *reply {
	if len(args) < 2 {
		return bad("APPEND expects a mailbox and a message")
	}
	name, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	type appendMsg struct {
		flags []string
		date  time.Time
		raw   []byte
	}
	var msgs []appendMsg
	rest := args[1:]
	for len(rest) > 0 {
		var m appendMsg
		if rest[0].Kind == imapwire.ValueList {
			if m.flags, st = flagArgs(rest[:1]); st != nil {
				return st
			}
			rest = rest[1:]
		}
		if len(rest) >= 2 && rest[0].Kind == imapwire.ValueString && !rest[0].Literal {
			t, err := imap.ParseDateTime(string(rest[0].Str))
			if err != nil {
				return bad("Invalid date-time")
			}
			m.date, rest = t, rest[1:]
		}
		if len(rest) == 0 || rest[0].Kind != imapwire.ValueString {
			return bad("APPEND expects a message literal")
		}
		m.raw, rest = rest[0].Str, rest[1:]
		if len(m.raw) == 0 {
			return no("Cannot save a zero byte message")
		}
		msgs = append(msgs, m)
		if len(rest) > 0 && !s.caps.has("MULTIAPPEND") {
			return bad("Unexpected arguments after the message")
		}
	}
	var validity uint32
	var uids []uint32
	for _, m := range msgs {
		v, uid, err := s.srv.b.appendMsg(s.user, name, m.raw, m.flags, m.date)
		if err != nil {
			return mailboxError(err, true)
		}
		validity = v
		uids = append(uids, uid)
	}
	if s.caps.has("UIDPLUS") {
		return okCode("APPENDUID", num(validity)+" "+imap.NumSetOf(uids...).String(), "Append completed")
	}
	return ok("Append completed")
}

func (s *session) cmdUnselect(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("UNSELECT takes no arguments")
	}
	s.srv.b.unselect(s.sel)
	s.sel = nil
	return ok("Unselect completed")
}

func (s *session) cmdClose(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("CLOSE takes no arguments")
	}
	sel := s.sel
	s.srv.b.unselect(sel)
	s.sel = nil
	if !sel.readOnly {
		s.srv.b.expunge(sel.mbox, nil)
	}
	return ok("Close completed")
}

// lineResult is a line read during IDLE.
type lineResult struct {
	line []byte
	err  error
}

func (s *session) cmdIdle(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("IDLE takes no arguments")
	}
	if err := s.enc.Continuation("idling"); err != nil {
		return no("Internal error")
	}
	lines := make(chan lineResult, 1)
	go func() {
		line, err := s.dec.ReadLine()
		lines <- lineResult{line, err}
	}()
	var wake chan struct{}
	if s.sel != nil {
		wake = s.sel.wake
	}
	for {
		s.writeUpdates(false)
		if err := s.enc.Flush(); err != nil {
			// The connection failed: the reader fails too.
			<-lines
			s.logout = true
			return nil
		}
		select {
		case r := <-lines:
			switch {
			case r.err != nil && !imapwire.IsRecoverable(r.err):
				s.logout = true
				return nil
			case r.err == nil && strings.EqualFold(string(r.line), "DONE"):
				return ok("IDLE terminated")
			}
			return bad("Expected DONE")
		case <-wake:
		}
	}
}
