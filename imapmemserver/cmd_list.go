package imapmemserver

import (
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// listOptions are the selection and return options of LIST-EXTENDED (RFC
// 5258, RFC 6154, RFC 5819).
type listOptions struct {
	subscribedOnly bool // selection SUBSCRIBED
	specialOnly    bool // selection SPECIAL-USE
	recursive      bool // selection RECURSIVEMATCH
	retSubscribed  bool // RETURN (SUBSCRIBED)
	retStatus      []string
}

func (s *session) cmdList(tag string, args []imapwire.Value) *reply {
	var opts listOptions
	if len(args) > 0 && args[0].Kind == imapwire.ValueList {
		for _, o := range args[0].List {
			switch {
			case o.IsAtom("SUBSCRIBED"):
				opts.subscribedOnly, opts.retSubscribed = true, true
			case o.IsAtom("SPECIAL-USE"):
				opts.specialOnly = true
			case o.IsAtom("RECURSIVEMATCH"):
				opts.recursive = true
			case o.IsAtom("REMOTE"):
			default:
				return bad("Unknown LIST selection option " + o.String())
			}
		}
		if opts.recursive && !opts.subscribedOnly && !opts.specialOnly {
			return bad("RECURSIVEMATCH needs another selection option") // RFC 5258 section 3
		}
		args = args[1:]
	}
	if len(args) == 4 && args[2].IsAtom("RETURN") && args[3].Kind == imapwire.ValueList {
		ret := args[3].List
		for i := 0; i < len(ret); i++ {
			switch o := ret[i]; {
			case o.IsAtom("SUBSCRIBED"):
				opts.retSubscribed = true
			case o.IsAtom("CHILDREN"), o.IsAtom("SPECIAL-USE"):
			case o.IsAtom("STATUS") && s.caps.has("LIST-STATUS") && i+1 < len(ret) && ret[i+1].Kind == imapwire.ValueList:
				items, st := s.statusItemNames(ret[i+1].List)
				if st != nil {
					return st
				}
				opts.retStatus = items
				i++
			default:
				return bad("Unknown LIST return option " + o.String())
			}
		}
		args = args[:2]
	}
	if len(args) != 2 {
		return bad("LIST expects a reference and a mailbox pattern")
	}
	ref, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	var patterns []string
	pats := args[1:2]
	if args[1].Kind == imapwire.ValueList {
		pats = args[1].List
	}
	for i := range pats {
		p, ok := pats[i].AString()
		if !ok {
			return bad("Invalid mailbox pattern")
		}
		if !s.utf8 {
			var err error
			if p, err = mutf7.Decode(p); err != nil {
				return no("Mailbox pattern is not valid modified UTF-7")
			}
		}
		patterns = append(patterns, p)
	}
	if len(patterns) == 1 && patterns[0] == "" {
		// The hierarchy delimiter and root (RFC 3501 section 6.3.8).
		s.enc.WriteList("LIST", &imapwire.ListData{Attrs: []string{imap.AttrNoSelect}, Delim: delim, Mailbox: ""})
		return ok("List completed")
	}
	all := s.srv.b.listMailboxes(s.user)
	for _, mb := range all {
		if !matchAny(patterns, ref, mb.name) {
			continue
		}
		// RECURSIVEMATCH: a mailbox that the selection leaves out is
		// listed with CHILDINFO when a descendant of it is selected (RFC
		// 5258 section 3.5).
		childInfo := opts.recursive && opts.subscribedOnly && hasSubscribedDescendant(all, mb.name)
		selected := !(opts.subscribedOnly && !mb.subscribed) && !(opts.specialOnly && mb.specialUse == "")
		if !selected && !childInfo || (!mb.exists && !opts.subscribedOnly) {
			continue
		}
		attrs := []string{imap.AttrHasNoChildren}
		if mb.hasChildren {
			attrs[0] = imap.AttrHasChildren
		}
		if !mb.exists {
			attrs = []string{imap.AttrNonExistent}
		}
		if mb.specialUse != "" {
			attrs = append(attrs, mb.specialUse)
		}
		if opts.retSubscribed && mb.subscribed {
			attrs = append(attrs, imap.AttrSubscribed)
		}
		ld := &imapwire.ListData{Attrs: attrs, Delim: delim, Mailbox: s.wireName(mb.name)}
		if childInfo {
			ld.Extended = `("CHILDINFO" ("SUBSCRIBED"))`
		}
		s.enc.WriteList("LIST", ld)
		if len(opts.retStatus) > 0 && mb.exists {
			if ms, err := s.srv.b.status(s.user, mb.name); err == nil {
				s.writeStatus(mb.name, opts.retStatus, ms)
			}
		}
	}
	return ok("List completed")
}

// hasSubscribedDescendant reports whether a mailbox below name is
// subscribed.
func hasSubscribedDescendant(all []mailboxInfo, name string) bool {
	prefix := name + string(delim)
	for _, mb := range all {
		if mb.subscribed && strings.HasPrefix(mb.name, prefix) {
			return true
		}
	}
	return false
}

func (s *session) cmdLsub(tag string, args []imapwire.Value) *reply {
	if len(args) != 2 {
		return bad("LSUB expects a reference and a mailbox pattern")
	}
	ref, st := s.mailboxName(&args[0])
	if st != nil {
		return st
	}
	pat, st := s.mailboxName(&args[1])
	if st != nil {
		return st
	}
	if pat == "" {
		return ok("Lsub completed")
	}
	for _, mb := range s.srv.b.listMailboxes(s.user) {
		if !mb.subscribed || !matchAny([]string{pat}, ref, mb.name) {
			continue
		}
		var attrs []string
		if !mb.exists {
			attrs = append(attrs, imap.AttrNoSelect)
		}
		s.enc.WriteList("LSUB", &imapwire.ListData{Attrs: attrs, Delim: delim, Mailbox: s.wireName(mb.name)})
	}
	return ok("Lsub completed")
}

// matchAny reports whether name matches ref followed by one of the
// patterns.
func matchAny(patterns []string, ref, name string) bool {
	for _, p := range patterns {
		full := ref + p
		if strings.HasPrefix(p, string(delim)) && strings.HasSuffix(ref, string(delim)) {
			full = ref + p[1:]
		}
		fold := 0
		if name == "INBOX" || strings.HasPrefix(name, "INBOX"+string(delim)) {
			fold = len("INBOX")
		}
		if matchPattern(full, name, fold) {
			return true
		}
	}
	return false
}

// matchPattern matches a LIST pattern: "*" matches anything, "%" anything
// but the delimiter. The first fold bytes of name compare
// case-insensitively (INBOX).
func matchPattern(pat, name string, fold int) bool {
	return matchAt(pat, name, 0, fold)
}

func matchAt(pat, name string, off, fold int) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case '*', '%':
			for len(pat) > 1 && pat[0] == '*' && pat[1] == '*' {
				pat = pat[1:]
			}
			for i := 0; i <= len(name); i++ {
				if matchAt(pat[1:], name[i:], off+i, fold) {
					return true
				}
				if i < len(name) && pat[0] == '%' && name[i] == delim {
					return false
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		c, n := pat[0], name[0]
		if off < fold {
			c, n = upperASCII(c), upperASCII(n)
		}
		if c != n {
			return false
		}
		pat, name, off = pat[1:], name[1:], off+1
	}
	return len(name) == 0
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
