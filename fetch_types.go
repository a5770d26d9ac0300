package imapclient

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Message is the data FETCH returned for one message (RFC 3501 section
// 7.4.2), with typed values. A field is its zero value (nil for slices,
// maps and pointers) when the item was not fetched.
type Message struct {
	// SeqNum is the message's sequence number, always present
	// (IMAPClient's SEQ).
	SeqNum uint32
	// UID is the message's UID: always present when UIDs are in use, and
	// otherwise when "UID" was fetched.
	UID uint32
	// Flags are the FLAGS, system flags in canonical spelling
	// (imap.CanonicalFlag); empty but not nil when the message has none.
	Flags []string
	// InternalDate is INTERNALDATE in the zone the server gave, or in
	// local time when NormaliseTimes is on.
	InternalDate time.Time
	// Size is RFC822.SIZE, the message size in octets.
	Size int64
	// Envelope is ENVELOPE, decoded (see Envelope). Its Date follows
	// NormaliseTimes like InternalDate.
	Envelope *Envelope
	// BodyStructure is BODYSTRUCTURE, or BODY (the form without extension
	// data) when only that was fetched.
	BodyStructure *imap.BodyStructure
	// Sections holds body data: BODY[...], BINARY[...], RFC822,
	// RFC822.HEADER and RFC822.TEXT, keyed as SectionKey describes, such
	// as "BODY[]", "BODY[HEADER.FIELDS (SUBJECT)]" or "BODY[1.2]<0>" for
	// partial data from origin 0. A section the server sent as NIL is
	// present with a nil value. Look sections up with Section, which
	// takes the item as it was requested. FetchIter streams sections
	// instead and leaves this nil.
	Sections map[string][]byte
	// BinarySize holds BINARY.SIZE[part] (RFC 3516) keyed by part ("1.2",
	// "" for the whole message).
	BinarySize map[string]int64
	// ModSeq is MODSEQ (RFC 7162, CONDSTORE).
	ModSeq uint64
	// GmailMsgID, GmailThreadID and GmailLabels are X-GM-MSGID,
	// X-GM-THRID and X-GM-LABELS (Gmail's IMAP extensions). Labels are
	// decoded from modified UTF-7 unless folder encoding is off.
	GmailMsgID, GmailThreadID uint64
	GmailLabels               []string
	// EmailID and ThreadID are EMAILID and THREADID (RFC 8474, OBJECTID);
	// ThreadID is "" when the server sent NIL.
	EmailID, ThreadID string
	// Preview is PREVIEW (RFC 8970).
	Preview string
	// SaveDate is SAVEDATE (RFC 8514), zero for NIL. It follows
	// NormaliseTimes.
	SaveDate time.Time
	// Raw holds every other item as sent, keyed by its name (with its
	// section, if any, as sent): vendor extensions, and values the client
	// could not parse (an unparseable INTERNALDATE lands here too).
	Raw map[string][]byte
}

// Section returns the data of a body section, looked up with the item as
// it was requested ("BODY.PEEK[HEADER.FIELDS (Subject)]", "BODY[]<0.100>",
// "RFC822"): see SectionKey. ok is false when the message holds no such
// section.
func (m *Message) Section(item string) (data []byte, ok bool) {
	key, err := SectionKey(item)
	if err != nil {
		key = item
	}
	data, ok = m.Sections[key]
	return data, ok
}

// SectionKey returns the key under which Message.Sections and
// Section.Key hold the answer to a requested body item. Servers answer
// BODY.PEEK[...] as BODY[...], and a partial request <origin.count> as
// <origin>, so the key is built the same way from a request and from the
// server's answer:
//
//   - the item name without ".PEEK" ("BODY", "BINARY", "RFC822");
//   - the section in upper case, single-spaced, header field names
//     unquoted: "BODY.PEEK[header.fields (Subject \"To\")]" gives
//     "BODY[HEADER.FIELDS (SUBJECT TO)]";
//   - "<origin>" for partial data: "BODY[]<0.100>" gives "BODY[]<0>".
//
// It fails when item is not a body item.
func SectionKey(item string) (string, error) {
	atts, err := parseFetchAtts(item)
	if err != nil {
		return "", err
	}
	if len(atts) != 1 || !atts[0].isBodyData() {
		return "", fmt.Errorf("imapclient: %q is not a body section item", item)
	}
	return atts[0].key(), nil
}

// fetchAtt is one requested FETCH item (RFC 3501 section 6.4.5, fetch-att,
// with the BINARY, CONDSTORE, Gmail, OBJECTID, PREVIEW and SAVEDATE
// extensions).
type fetchAtt struct {
	name    string   // upper-cased: "FLAGS", "BODY.PEEK", "X-GM-LABELS"
	section *section // nil without brackets
	partial bool
	origin  uint64
	count   uint64
	mods    []string // PREVIEW (LAZY)
}

// section is a parsed section spec: "1.2.HEADER.FIELDS.NOT (A B)".
type section struct {
	part   []uint32 // "1.2"
	text   string   // "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME
	fields []string // header field names, as given
}

// isBodyName reports whether the item carries message data (literals).
func isBodyName(name string) bool {
	switch name {
	case "BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		return true
	}
	return false
}

func (a *fetchAtt) isBodyData() bool {
	return isBodyName(a.name) && (a.section != nil || strings.HasPrefix(a.name, "RFC822"))
}

// key is SectionKey for a parsed item.
func (a *fetchAtt) key() string {
	name := strings.TrimSuffix(a.name, ".PEEK")
	var origin int64 = -1
	if a.partial {
		origin = int64(a.origin)
	}
	if a.section == nil {
		return sectionKeyOf(name, "", false, origin)
	}
	return sectionKeyOf(name, a.section.canonical(), true, origin)
}

// sectionKeyOf assembles a key from its normalised pieces.
func sectionKeyOf(name, spec string, hasSection bool, origin int64) string {
	var b strings.Builder
	b.WriteString(name)
	if hasSection {
		b.WriteByte('[')
		b.WriteString(spec)
		b.WriteByte(']')
	}
	if origin >= 0 {
		b.WriteByte('<')
		b.WriteString(strconv.FormatInt(origin, 10))
		b.WriteByte('>')
	}
	return b.String()
}

// responseKey is the key for a body item of a FETCH response.
func responseKey(it *imapwire.FetchItem) string {
	if !it.HasSection {
		return sectionKeyOf(it.Name, "", false, it.Origin)
	}
	return sectionKeyOf(it.Name, normalizeSpec(it.Section), true, it.Origin)
}

// normalizeSpec normalises a section spec as the server sent it.
func normalizeSpec(spec string) string {
	p := &attParser{s: spec}
	if s, err := p.section(); err == nil && p.i == len(spec) {
		return s.canonical()
	}
	return strings.Join(strings.Fields(strings.ToUpper(spec)), " ")
}

// canonical renders a section for keys: upper case, unquoted names.
func (s *section) canonical() string {
	var b strings.Builder
	b.WriteString(s.head())
	if s.hasFields() {
		b.WriteString(" (")
		for i, f := range s.fields {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.ToUpper(f))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// head renders the part number and keyword: "1.2.HEADER.FIELDS".
func (s *section) head() string {
	var b strings.Builder
	for i, n := range s.part {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	if s.text != "" {
		if len(s.part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.text)
	}
	return b.String()
}

func (s *section) hasFields() bool { return strings.HasPrefix(s.text, "HEADER.FIELDS") }

// encode writes the item to a command. The name, part numbers and
// keywords were validated by the parser; header field names go through
// AString, so no caller text is written raw.
func (a *fetchAtt) encode(e *imapwire.Encoder) {
	e.Raw(a.name)
	if s := a.section; s != nil {
		e.Byte('[').Raw(s.head())
		if s.hasFields() {
			e.SP().Byte('(')
			for i, f := range s.fields {
				if i > 0 {
					e.SP()
				}
				e.AString(f)
			}
			e.Byte(')')
		}
		e.Byte(']')
	}
	if a.partial {
		e.Byte('<').Number64(a.origin).Byte('.').Number64(a.count).Byte('>')
	}
	if len(a.mods) > 0 {
		e.SP().Byte('(')
		for i, m := range a.mods {
			if i > 0 {
				e.SP()
			}
			e.Atom(m)
		}
		e.Byte(')')
	}
}

// macros are FETCH's shorthands (RFC 3501 section 6.4.5), expanded so
// they can be combined with other items.
var macros = map[string][]string{
	"ALL":  {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"},
	"FAST": {"FLAGS", "INTERNALDATE", "RFC822.SIZE"},
	"FULL": {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"},
}

// parseFetchAtts parses one caller string holding one or more items
// separated by spaces ("FLAGS", "BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.512>",
// "FLAGS UID").
func parseFetchAtts(s string) ([]fetchAtt, error) {
	p := &attParser{s: s}
	var out []fetchAtt
	for {
		p.spaces()
		if p.i == len(s) {
			break
		}
		a, err := p.att()
		if err != nil {
			return nil, fmt.Errorf("imapclient: invalid FETCH item %q: %w", s, err)
		}
		if exp, ok := macros[a.name]; ok && a.section == nil && !a.partial {
			for _, n := range exp {
				out = append(out, fetchAtt{name: n})
			}
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("imapclient: empty FETCH item")
	}
	return out, nil
}

type attParser struct {
	s string
	i int
}

func (p *attParser) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *attParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isNameChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == '$'
}

func (p *attParser) name() string {
	start := p.i
	for p.i < len(p.s) && isNameChar(p.s[p.i]) {
		p.i++
	}
	return strings.ToUpper(p.s[start:p.i])
}

func (p *attParser) att() (fetchAtt, error) {
	var a fetchAtt
	a.name = p.name()
	if a.name == "" || !('A' <= a.name[0] && a.name[0] <= 'Z') {
		return a, fmt.Errorf("expected an item name at offset %d", p.i)
	}
	if p.peek() == '[' {
		switch a.name {
		case "BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		default:
			return a, fmt.Errorf("%s takes no section", a.name)
		}
		p.i++
		s, err := p.section()
		if err != nil {
			return a, err
		}
		if p.peek() != ']' {
			return a, fmt.Errorf("expected ] at offset %d", p.i)
		}
		p.i++
		if strings.HasPrefix(a.name, "BINARY") && s.text != "" {
			return a, fmt.Errorf("%s takes only a part number", a.name)
		}
		a.section = s
	} else if a.name == "BODY.PEEK" || a.name == "BINARY" || a.name == "BINARY.PEEK" || a.name == "BINARY.SIZE" {
		return a, fmt.Errorf("%s needs a section in brackets", a.name)
	}
	if p.peek() == '<' {
		if a.section == nil || a.name == "BINARY.SIZE" {
			return a, fmt.Errorf("a partial range needs a body section")
		}
		p.i++
		o, ok1 := p.number()
		dot := p.peek() == '.'
		p.i++
		n, ok2 := p.number()
		if !ok1 || !dot || !ok2 || n == 0 || p.peek() != '>' {
			return a, fmt.Errorf("partial range must be <origin.count> with count > 0")
		}
		p.i++
		a.partial, a.origin, a.count = true, o, n
	}
	if a.name == "PREVIEW" && strings.HasPrefix(p.s[p.i:], " (") {
		p.i += 2
		for {
			p.spaces()
			if p.peek() == ')' {
				p.i++
				break
			}
			m := p.name()
			if m == "" {
				return a, fmt.Errorf("malformed PREVIEW modifiers")
			}
			a.mods = append(a.mods, m)
		}
	}
	if c := p.peek(); c != 0 && c != ' ' {
		return a, fmt.Errorf("unexpected %q at offset %d", c, p.i)
	}
	return a, nil
}

func (p *attParser) number() (uint64, bool) {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == start || p.i-start > 19 {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[start:p.i], 10, 63)
	return n, err == nil
}

// section parses a section spec up to (not including) "]".
func (p *attParser) section() (*section, error) {
	s := &section{}
	for {
		c := p.peek()
		if c < '1' || c > '9' {
			break
		}
		n, ok := p.number()
		if !ok || n > 1<<32-1 {
			return nil, fmt.Errorf("bad part number")
		}
		s.part = append(s.part, uint32(n))
		if p.peek() != '.' {
			return s, nil
		}
		p.i++
	}
	word := p.name()
	switch word {
	case "":
		if len(s.part) > 0 {
			return nil, fmt.Errorf("expected a section keyword after the part number")
		}
		return s, nil
	case "HEADER", "TEXT":
	case "MIME":
		if len(s.part) == 0 {
			return nil, fmt.Errorf("MIME needs a part number")
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if p.peek() != ' ' {
			return nil, fmt.Errorf("%s needs a list of field names", word)
		}
		p.spaces()
		f, err := p.fieldList()
		if err != nil {
			return nil, err
		}
		s.fields = f
	default:
		return nil, fmt.Errorf("unknown section %q", word)
	}
	s.text = word
	return s, nil
}

// fieldList parses "(" astring *(SP astring) ")"; quoted names are
// unquoted.
func (p *attParser) fieldList() ([]string, error) {
	if p.peek() != '(' {
		return nil, fmt.Errorf("expected ( before the field names")
	}
	p.i++
	var out []string
	for {
		p.spaces()
		switch c := p.peek(); {
		case c == ')':
			p.i++
			if len(out) == 0 {
				return nil, fmt.Errorf("empty list of field names")
			}
			return out, nil
		case c == '"':
			p.i++
			var b strings.Builder
			for {
				if p.i >= len(p.s) {
					return nil, fmt.Errorf("unterminated quoted field name")
				}
				ch := p.s[p.i]
				p.i++
				if ch == '"' {
					break
				}
				if ch == '\\' && p.i < len(p.s) {
					ch = p.s[p.i]
					p.i++
				}
				b.WriteByte(ch)
			}
			if b.Len() == 0 {
				return nil, fmt.Errorf("empty field name")
			}
			out = append(out, b.String())
		case c == 0:
			return nil, fmt.Errorf("unterminated list of field names")
		default:
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != ')' && p.s[p.i] != '(' && p.s[p.i] != '"' {
				p.i++
			}
			if p.i == start {
				return nil, fmt.Errorf("unexpected %q in field names", c)
			}
			out = append(out, p.s[start:p.i])
		}
	}
}

// itemCaps names the capability each extension item needs.
var itemCaps = map[string]string{
	"MODSEQ":      imap.CapCondStore,
	"X-GM-MSGID":  imap.CapGmailExt,
	"X-GM-THRID":  imap.CapGmailExt,
	"X-GM-LABELS": imap.CapGmailExt,
	"BINARY":      "BINARY",
	"BINARY.PEEK": "BINARY",
	"BINARY.SIZE": "BINARY",
	"EMAILID":     "OBJECTID",
	"THREADID":    "OBJECTID",
	"PREVIEW":     "PREVIEW",
	"SAVEDATE":    "SAVEDATE",
}

// modifierCaps names the capability each FETCH modifier needs (RFC 7162
// sections 3.1.4 and 3.2.6).
var modifierCaps = map[string]string{
	"CHANGEDSINCE": imap.CapCondStore,
	"VANISHED":     imap.CapQResync,
}

// checkModifier validates a FETCH modifier ("CHANGEDSINCE 12345",
// "VANISHED"): atoms, numbers and parenthesised lists of them. It returns
// the modifier's name, upper-cased.
func checkModifier(m string) (string, error) {
	depth := 0
	for i := 0; i < len(m); i++ {
		switch c := m[i]; {
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return "", fmt.Errorf("imapclient: FETCH modifier %q: unbalanced parentheses", m)
			}
		case c == ' ' || isNameChar(c) || c == ':' || c == ',' || c == '*':
		default:
			return "", fmt.Errorf("imapclient: FETCH modifier %q: unexpected %q", m, c)
		}
	}
	f := strings.Fields(m)
	if depth != 0 || len(f) == 0 {
		return "", fmt.Errorf("imapclient: invalid FETCH modifier %q", m)
	}
	return strings.ToUpper(f[0]), nil
}
