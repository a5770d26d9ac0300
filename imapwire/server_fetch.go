package imapwire

import (
	"io"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// FetchWriter writes the data items of one FETCH response (RFC 3501
// section 7.4.2). Get it from ResponseEncoder.Fetch, add items, and finish
// with End. Errors are kept by the encoder and returned by End.
type FetchWriter struct {
	e *ResponseEncoder
	n int // items written
}

// Fetch starts "* seq FETCH (". The returned writer is valid until End.
func (e *ResponseEncoder) Fetch(seq uint32) *FetchWriter {
	e.Untagged().Number(seq)
	e.cur = append(e.cur, " FETCH ("...)
	return &FetchWriter{e: e}
}

// WriteFetch writes a whole FETCH response with the given items (see
// FetchWriter.WriteItem).
func (e *ResponseEncoder) WriteFetch(seq uint32, items []FetchItem) error {
	f := e.Fetch(seq)
	for i := range items {
		f.WriteItem(&items[i])
	}
	return f.End()
}

// End closes the item list and ends the response.
func (f *FetchWriter) End() error {
	f.e.cur = append(f.e.cur, ')')
	return f.e.End()
}

// Item writes the separator and an item's name followed by a space, and
// returns the encoder to write the value with: f.Item("X-GM-MSGID").
// Number64(id). The name is an atom, optionally with a section and a
// partial range: "BINARY[1.2]<0>".
func (f *FetchWriter) Item(name string) *ResponseEncoder {
	e := f.e
	if f.n > 0 {
		e.cur = append(e.cur, ' ')
	}
	f.n++
	if !validItemName(name) {
		e.fail("invalid FETCH item name %q", name)
	} else {
		e.cur = append(e.cur, name...)
	}
	e.cur = append(e.cur, ' ')
	return e
}

// validItemName reports whether s is an atom, or an atom, a section in
// brackets and optionally more atom characters ("<0.100>").
func validItemName(s string) bool {
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return IsAtom(s)
	}
	if !IsAtom(s[:i]) {
		return false
	}
	j := sectionEnd(s, i+1)
	if j < 0 {
		return false
	}
	return j+1 == len(s) || IsAtom(s[j+1:])
}

// sectionEnd returns the index of the ']' that closes a section starting
// at s[i:], or -1. The client's decoder ends a section at the first ']'
// outside parentheses.
func sectionEnd(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return -1
			}
		case ']':
			if depth == 0 {
				return i
			}
		case '[', '\r', '\n', 0:
			return -1
		}
	}
	return -1
}

// sectionName returns item[section]<origin> (no origin when it is < 0).
func sectionName(item, section string, origin int64) string {
	name := item + "[" + section + "]"
	if origin >= 0 {
		name += "<" + strconv.FormatInt(origin, 10) + ">"
	}
	return name
}

// UID writes "UID n".
func (f *FetchWriter) UID(uid uint32) *FetchWriter {
	f.Item("UID").Number(uid)
	return f
}

// Flags writes "FLAGS (...)".
func (f *FetchWriter) Flags(flags []string) *FetchWriter {
	f.Item("FLAGS").FlagList(flags)
	return f
}

// InternalDate writes "INTERNALDATE "date"", the date in the IMAP
// date-time form ("17-Jul-1996 02:44:25 -0700").
func (f *FetchWriter) InternalDate(date string) *FetchWriter {
	f.Item("INTERNALDATE").String(date)
	return f
}

// RFC822Size writes "RFC822.SIZE n".
func (f *FetchWriter) RFC822Size(n uint64) *FetchWriter {
	f.Item("RFC822.SIZE").Number64(n)
	return f
}

// ModSeq writes "MODSEQ (n)" (RFC 7162).
func (f *FetchWriter) ModSeq(n uint64) *FetchWriter {
	e := f.Item("MODSEQ")
	e.cur = append(e.cur, '(')
	e.Number64(n)
	e.cur = append(e.cur, ')')
	return f
}

// Envelope writes "ENVELOPE (...)". Empty strings and address lists are
// written as NIL.
func (f *FetchWriter) Envelope(env *imap.Envelope) *FetchWriter {
	f.Item("ENVELOPE").envelope(env)
	return f
}

// BodyStructure writes "BODYSTRUCTURE (...)", with the extension data of
// each part whose Extended is set.
func (f *FetchWriter) BodyStructure(b *imap.BodyStructure) *FetchWriter {
	f.Item("BODYSTRUCTURE").body(b, true, 0)
	return f
}

// Body writes "BODY (...)": the body structure without extension data.
func (f *FetchWriter) Body(b *imap.BodyStructure) *FetchWriter {
	f.Item("BODY").body(b, false, 0)
	return f
}

// BodySection writes "BODY[section]<origin>" and data as a literal: NIL
// when data is nil; no "<origin>" when origin < 0.
func (f *FetchWriter) BodySection(section string, origin int64, data []byte) *FetchWriter {
	e := f.Item(sectionName("BODY", section, origin))
	if data == nil {
		e.cur = append(e.cur, "NIL"...)
	} else {
		e.Literal(data)
	}
	return f
}

// BodySectionReader is BodySection with the data read from r, which must
// yield size bytes.
func (f *FetchWriter) BodySectionReader(section string, origin int64, r io.Reader, size int64) *FetchWriter {
	f.Item(sectionName("BODY", section, origin)).LiteralReader(r, size, false)
	return f
}

// WriteItem writes an item described as Decoder.NextFetchItem returns it,
// so that a client reads back the same FetchItem. Origin must be -1 when
// there is no partial range. Numbers come from Num (MODSEQ in
// parentheses); FLAGS and X-GM-LABELS from Strings; INTERNALDATE, SAVEDATE,
// PREVIEW, EMAILID and THREADID from Text ("" is NIL, but for
// INTERNALDATE); ENVELOPE from Envelope; BODYSTRUCTURE and BODY without
// section from Body; sections (BODY[...], BINARY[...], RFC822*) from Nil,
// Reader and Size, or Literal; BINARY as a literal8. Any other item is
// written with Raw as its value, which may not hold CR, LF or NUL.
func (f *FetchWriter) WriteItem(it *FetchItem) *FetchWriter {
	name := it.Name
	if it.HasSection {
		name = sectionName(name, it.Section, it.Origin)
	}
	switch it.Name {
	case "UID", "RFC822.SIZE", "X-GM-MSGID", "X-GM-THRID", "BINARY.SIZE":
		f.Item(name).Number64(it.Num)
	case "MODSEQ":
		f.ModSeq(it.Num)
	case "FLAGS":
		f.Item(name).FlagList(it.Strings)
	case "X-GM-LABELS":
		e := f.Item(name)
		e.List(len(it.Strings), func(i int) { e.AString(it.Strings[i]) })
	case "INTERNALDATE":
		f.Item(name).String(it.Text)
	case "SAVEDATE", "PREVIEW":
		f.Item(name).nstr(it.Text)
	case "EMAILID", "THREADID":
		e := f.Item(name)
		if it.Text == "" {
			e.cur = append(e.cur, "NIL"...)
		} else {
			e.cur = append(e.cur, '(')
			e.Atom(it.Text)
			e.cur = append(e.cur, ')')
		}
	case "ENVELOPE":
		f.Envelope(it.Envelope)
	case "BODYSTRUCTURE":
		f.BodyStructure(it.Body)
	case "BODY", "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		if it.Name == "BODY" && !it.HasSection {
			f.Body(it.Body)
			break
		}
		e := f.Item(name)
		binary := it.Name == "BINARY"
		switch {
		case it.Nil:
			e.cur = append(e.cur, "NIL"...)
		case it.Reader != nil:
			e.LiteralReader(it.Reader, it.Size, binary)
		default:
			e.literal(it.Literal, binary)
		}
	default:
		f.Item(name).Raw(string(it.Raw))
	}
	return f
}

// envelope writes an envelope (RFC 3501 section 9, "envelope").
func (e *ResponseEncoder) envelope(env *imap.Envelope) {
	if env == nil {
		e.fail("nil envelope")
		return
	}
	e.cur = append(e.cur, '(')
	e.nstr(env.Date).SP().nstr(env.Subject)
	for _, list := range [...][]imap.Address{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		e.SP()
		if len(list) == 0 {
			e.cur = append(e.cur, "NIL"...)
			continue
		}
		e.cur = append(e.cur, '(')
		for i := range list {
			a := &list[i]
			e.cur = append(e.cur, '(')
			e.nstr(a.Name).SP().nstr(a.ADL).SP().nstr(a.Mailbox).SP().nstr(a.Host)
			e.cur = append(e.cur, ')')
		}
		e.cur = append(e.cur, ')')
	}
	e.SP().nstr(env.InReplyTo).SP().nstr(env.MessageID)
	e.cur = append(e.cur, ')')
}

// maxBodyDepth bounds the nesting of a body structure written, so that a
// cycle in the caller's data is an error rather than a hang.
const maxBodyDepth = 100

// body writes a body structure (RFC 3501 section 9, "body"); with ext,
// the extension data of the parts whose Extended is set.
func (e *ResponseEncoder) body(b *imap.BodyStructure, ext bool, depth int) {
	if b == nil {
		e.fail("nil body structure")
		return
	}
	if depth > maxBodyDepth {
		e.fail("body structure nested deeper than %d", maxBodyDepth)
		return
	}
	e.cur = append(e.cur, '(')
	if len(b.Parts) > 0 {
		for _, p := range b.Parts {
			e.body(p, ext, depth+1)
		}
		e.SP().String(b.Subtype)
		if ext && b.Extended {
			e.SP().params(b.Params)
			e.extTail(b)
		}
		e.cur = append(e.cur, ')')
		return
	}
	e.String(b.Type).SP().String(b.Subtype).SP().params(b.Params)
	e.SP().nstr(b.ID).SP().nstr(b.Description).SP().String(b.Encoding).SP().Number(b.Size)
	isMsg := strings.EqualFold(b.Type, "message") &&
		(strings.EqualFold(b.Subtype, "rfc822") || strings.EqualFold(b.Subtype, "global"))
	if isMsg && b.Envelope != nil && b.Body != nil {
		e.SP().envelope(b.Envelope)
		e.SP().body(b.Body, ext, depth+1)
		e.SP().Number(b.Lines)
	} else if strings.EqualFold(b.Type, "text") {
		e.SP().Number(b.Lines)
	}
	if ext && b.Extended {
		e.SP().nstr(b.MD5)
		e.extTail(b)
	}
	e.cur = append(e.cur, ')')
}

// extTail writes the disposition, language and location shared by both
// kinds of part.
func (e *ResponseEncoder) extTail(b *imap.BodyStructure) {
	e.SP()
	if b.Disposition == "" {
		e.cur = append(e.cur, "NIL"...)
	} else {
		e.cur = append(e.cur, '(')
		e.String(b.Disposition).SP().params(b.DispositionParams)
		e.cur = append(e.cur, ')')
	}
	e.SP()
	if len(b.Language) == 0 {
		e.cur = append(e.cur, "NIL"...)
	} else {
		e.List(len(b.Language), func(i int) { e.String(b.Language[i]) })
	}
	e.SP().nstr(b.Location)
}

// params writes body-fld-param: NIL or a list of name-value pairs.
func (e *ResponseEncoder) params(ps []imap.Param) *ResponseEncoder {
	if len(ps) == 0 {
		e.cur = append(e.cur, "NIL"...)
		return e
	}
	return e.List(len(ps), func(i int) { e.String(ps[i].Name).SP().String(ps[i].Value) })
}
