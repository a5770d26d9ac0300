package imapmemserver

import (
	"bytes"
	"strings"
)

// maxSectionPart bounds a part number in a section: larger ones cannot
// exist (a part takes at least a delimiter line) and would overflow.
const maxSectionPart = 1 << 30

// sectionSpec is a parsed section-spec (RFC 3501 section 6.4.5).
type sectionSpec struct {
	path   []int    // part numbers, each >= 1
	text   string   // "", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"
	fields []string // the field names of HEADER.FIELDS[.NOT]
}

// parseSectionSpec parses what lies between the brackets of BODY[...]:
// a dotted part path, optionally followed by HEADER, TEXT, MIME (only
// after a path), HEADER.FIELDS (list) or HEADER.FIELDS.NOT (list). The
// keywords are case-insensitive; the field names are atoms or quoted
// strings.
func parseSectionSpec(spec string) (sectionSpec, bool) {
	var s sectionSpec
	rest := spec
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		n, i := 0, 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			if n > maxSectionPart {
				return s, false
			}
			n = n*10 + int(rest[i]-'0')
			i++
		}
		if n == 0 || rest[0] == '0' {
			return s, false
		}
		s.path = append(s.path, n)
		rest = rest[i:]
		if rest == "" {
			return s, true
		}
		if rest[0] != '.' || len(rest) == 1 {
			return s, false
		}
		rest = rest[1:]
	}
	if rest == "" {
		return s, true
	}
	kw, list, hasList := strings.Cut(rest, " ")
	kw = strings.ToUpper(kw)
	switch kw {
	case "HEADER", "TEXT":
	case "MIME":
		if len(s.path) == 0 {
			return s, false
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if !hasList {
			return s, false
		}
		fields, ok := parseFieldList(list)
		if !ok {
			return s, false
		}
		s.fields = fields
	default:
		return s, false
	}
	if hasList && s.fields == nil {
		return s, false
	}
	s.text = kw
	return s, true
}

// parseFieldList parses "(A B "C")" into field names.
func parseFieldList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, false
	}
	s = s[1 : len(s)-1]
	var names []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			names = append(names, b.String())
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '"' && s[j] != '(' && s[j] != ')' {
				j++
			}
			if j == i {
				return nil, false
			}
			names = append(names, s[i:j])
			i = j
		}
	}
	return names, len(names) > 0
}

// validSectionSpec reports whether spec is a well-formed section-spec, so
// that a server can answer BAD to a malformed one and an empty string to
// a well-formed one naming a part that does not exist, as Dovecot does.
func validSectionSpec(spec string) bool {
	_, ok := parseSectionSpec(spec)
	return ok
}

// section returns the content of BODY[spec] (RFC 3501 section 6.4.5), or
// false when spec is malformed or names a part the message does not have
// (Dovecot then sends an empty string; see validSectionSpec). The result
// shares the message's memory: do not modify it.
//
// Part numbers follow RFC 3501: the parts of a multipart are numbered from
// 1; a message that is not multipart has a part 1, its body; a
// message/rfc822 part's number reaches the parts of the message it holds.
// As in Dovecot, a part that is neither multipart nor a message is also
// its own part 1, once ("2.1" = "2" for a text part 2). HEADER, TEXT and
// HEADER.FIELDS[.NOT] apply to the message, or after a path to a
// message/rfc822 part; MIME gives the MIME header of the part named. The
// result of HEADER.FIELDS[.NOT] is the selected fields, as sent, in their
// order in the message, followed by an empty line.
func (p *parsedMessage) section(spec string) ([]byte, bool) {
	s, ok := parseSectionSpec(spec)
	if !ok {
		return nil, false
	}
	if len(s.path) == 0 {
		switch s.text {
		case "":
			return nonNil(p.raw), true
		default:
			return messageText(p.root, &s), true
		}
	}
	// As in Dovecot, a part that is neither multipart nor a message
	// takes the number 1 once, as itself: "1" of a single-part message,
	// "2.1" when part 2 is a text part; but not "1.1" or "2.1.1".
	node := p.root
	atMessage := true // node is a message, not yet given a number
	selfUsed := false // node has already taken a 1 as itself
	for _, n := range s.path {
		for {
			if len(node.children) > 0 {
				if n > len(node.children) {
					return nil, false
				}
				node, atMessage, selfUsed = node.children[n-1], false, false
				break
			}
			if !atMessage && node.message != nil {
				node, atMessage, selfUsed = node.message, true, false
				continue
			}
			if n != 1 || selfUsed {
				return nil, false
			}
			atMessage, selfUsed = false, true
			break
		}
	}
	switch s.text {
	case "":
		return nonNil(node.body), true
	case "MIME":
		return nonNil(node.header), true
	}
	if node.message == nil {
		return nil, false
	}
	return messageText(node.message, &s), true
}

// messageText returns HEADER, TEXT or HEADER.FIELDS[.NOT] of a message.
func messageText(m *mimePart, s *sectionSpec) []byte {
	switch s.text {
	case "HEADER":
		return nonNil(m.header)
	case "TEXT":
		return nonNil(m.body)
	}
	not := s.text == "HEADER.FIELDS.NOT"
	var out []byte
	for i := range m.fields {
		f := &m.fields[i]
		match := false
		for _, name := range s.fields {
			if strings.EqualFold(f.name, name) {
				match = true
				break
			}
		}
		if match == not {
			continue
		}
		out = append(out, f.raw...)
		if !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, '\r', '\n')
		}
	}
	return append(out, '\r', '\n')
}

// nonNil returns b, or an empty slice for nil: a section that exists is
// never NIL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
