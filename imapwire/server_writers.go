package imapwire

import (
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// Continuation writes a continuation request "+ text" (the text of a
// synchronising-literal go-ahead, or a base64 SASL challenge).
func (e *ResponseEncoder) Continuation(text string) error {
	e.begin()
	e.cur = append(e.cur, '+', ' ')
	return e.Raw(text).End()
}

// StatusResponse writes a status response: tagged when tag is not "",
// untagged ("*") otherwise. A tagged one must be OK, NO or BAD. The
// response code and its argument go between brackets; the argument may
// hold ']' only inside parentheses. A text starting with '[' needs a code
// before it (it would be read as one).
func (e *ResponseEncoder) StatusResponse(tag string, st *imap.StatusResponse) error {
	if st == nil {
		return &argError{"nil status response"}
	}
	if tag == "" {
		e.Untagged()
	} else {
		e.Tagged(tag)
	}
	switch st.Type {
	case imap.StatusOK, imap.StatusNO, imap.StatusBAD:
	case imap.StatusPREAUTH, imap.StatusBYE:
		if tag != "" {
			e.fail("tagged %s response", st.Type)
		}
	default:
		e.fail("invalid status type %q", st.Type)
	}
	e.cur = append(e.cur, st.Type...)
	if st.Code != "" {
		e.cur = append(e.cur, " ["...)
		e.Atom(st.Code)
		if st.CodeArg != "" {
			if !validCodeArg(st.CodeArg) {
				e.fail("invalid response code argument %q", st.CodeArg)
			}
			e.SP().Raw(st.CodeArg)
		}
		e.cur = append(e.cur, ']')
	} else if st.CodeArg != "" {
		e.fail("response code argument without a code")
	} else if strings.HasPrefix(st.Text, "[") {
		e.fail("status text starts with '[' but there is no response code")
	}
	if st.Text != "" {
		e.SP().Raw(st.Text)
	}
	return e.End()
}

// validCodeArg reports whether s can go between the brackets of a response
// code: no ']' outside parentheses, balanced parentheses, no CR, LF, NUL.
func validCodeArg(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		case ']':
			if depth == 0 {
				return false
			}
		case '\r', '\n', 0:
			return false
		}
	}
	return depth == 0
}

// atomsResponse writes "* NAME a b c".
func (e *ResponseEncoder) atomsResponse(name string, atoms []string) error {
	e.Untagged().Raw(name)
	for _, a := range atoms {
		e.SP().Atom(a)
	}
	return e.End()
}

// WriteCapability writes "* CAPABILITY ..." (RFC 3501 section 7.2.1).
func (e *ResponseEncoder) WriteCapability(caps []string) error {
	return e.atomsResponse("CAPABILITY", caps)
}

// WriteEnabled writes "* ENABLED ..." (RFC 5161).
func (e *ResponseEncoder) WriteEnabled(caps []string) error {
	return e.atomsResponse("ENABLED", caps)
}

// WriteFlags writes "* FLAGS (...)" (RFC 3501 section 7.2.6).
func (e *ResponseEncoder) WriteFlags(flags []string) error {
	return e.Untagged().Raw("FLAGS ").FlagList(flags).End()
}

// WriteList writes a LIST, LSUB or XLIST response (kind) for ld. The
// mailbox name is written as given (modified UTF-7 unless UTF8=ACCEPT is
// on), as an atom, quoted string or literal; Extended, when set, is
// written raw after it.
func (e *ResponseEncoder) WriteList(kind string, ld *ListData) error {
	e.Untagged().Atom(kind).SP().FlagList(ld.Attrs).SP()
	if ld.Delim == 0 {
		e.Raw("NIL")
	} else {
		e.String(string(ld.Delim))
	}
	e.SP().AString(ld.Mailbox)
	if ld.Extended != "" {
		e.SP().Raw(ld.Extended)
	}
	return e.End()
}

// statusOrder is the order of well-known STATUS items.
var statusOrder = []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ", "APPENDLIMIT"}

// WriteStatus writes "* STATUS name (ITEM n ...)" (RFC 3501 section
// 7.2.4), well-known items first in a fixed order, the others sorted.
func (e *ResponseEncoder) WriteStatus(sd *StatusData) error {
	names := make([]string, 0, len(sd.Items))
	for k := range sd.Items {
		names = append(names, k)
	}
	rank := func(s string) int {
		if i := slices.Index(statusOrder, s); i >= 0 {
			return i
		}
		return len(statusOrder)
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	e.Untagged().Raw("STATUS ").AString(sd.Mailbox).SP()
	e.List(len(names), func(i int) { e.Atom(names[i]).SP().Number64(sd.Items[names[i]]) })
	return e.End()
}

// WriteSearch writes "* SEARCH n ..." with "(MODSEQ m)" when ModSeq is set
// (RFC 3501 section 7.2.5, RFC 7162 section 3.1.5).
func (e *ResponseEncoder) WriteSearch(sd *SearchData) error {
	return e.numsResponse("SEARCH", sd.Nums, sd.ModSeq)
}

// WriteSort writes "* SORT n ..." (RFC 5256).
func (e *ResponseEncoder) WriteSort(nums []uint32) error {
	return e.numsResponse("SORT", nums, 0)
}

func (e *ResponseEncoder) numsResponse(name string, nums []uint32, modSeq uint64) error {
	e.Untagged().Raw(name)
	for _, n := range nums {
		e.SP().Number(n)
	}
	if modSeq != 0 {
		e.Raw(" (MODSEQ ").Number64(modSeq).Byte(')')
	}
	return e.End()
}

// WriteExists writes "* n EXISTS".
func (e *ResponseEncoder) WriteExists(n uint32) error { return e.numResponse(n, "EXISTS") }

// WriteRecent writes "* n RECENT".
func (e *ResponseEncoder) WriteRecent(n uint32) error { return e.numResponse(n, "RECENT") }

// WriteExpunge writes "* seq EXPUNGE".
func (e *ResponseEncoder) WriteExpunge(seq uint32) error { return e.numResponse(seq, "EXPUNGE") }

func (e *ResponseEncoder) numResponse(n uint32, name string) error {
	return e.Untagged().Number(n).SP().Raw(name).End()
}

// WriteNamespace writes "* NAMESPACE personal other shared" (RFC 2342),
// NIL for an empty class.
func (e *ResponseEncoder) WriteNamespace(nd *NamespaceData) error {
	e.Untagged().Raw("NAMESPACE")
	for _, class := range [][]Namespace{nd.Personal, nd.Other, nd.Shared} {
		e.SP()
		if len(class) == 0 {
			e.Raw("NIL")
			continue
		}
		e.Byte('(')
		for _, ns := range class {
			e.Byte('(').String(ns.Prefix).SP()
			if ns.Delim == 0 {
				e.Raw("NIL")
			} else {
				e.String(string(ns.Delim))
			}
			e.Byte(')')
		}
		e.Byte(')')
	}
	return e.End()
}

// WriteID writes "* ID (...)" (RFC 2971) with the fields in sorted order,
// or "* ID NIL" for an empty map.
func (e *ResponseEncoder) WriteID(fields map[string]string) error {
	e.Untagged().Raw("ID ")
	if len(fields) == 0 {
		return e.Raw("NIL").End()
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.List(len(keys), func(i int) { e.String(keys[i]).SP().String(fields[keys[i]]) })
	return e.End()
}
