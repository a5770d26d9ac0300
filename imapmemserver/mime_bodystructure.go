package imapmemserver

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// This file reads the MIME fields of a parsed part (mime.go): Content-Type
// and Content-Disposition parameters, and BODYSTRUCTURE.

// parseContentType splits a Content-Type value into type, subtype and
// parameters, keeping their case. "garbage" gives "garbage" and "".
func parseContentType(v string) (typ, sub string, params []imap.Param) {
	head, rest, _ := strings.Cut(v, ";")
	head = strings.TrimSpace(stripComments(head))
	typ, sub, _ = strings.Cut(head, "/")
	typ = strings.TrimSpace(typ)
	sub = strings.TrimSpace(sub)
	if i := strings.IndexAny(sub, " \t"); i >= 0 {
		sub = sub[:i]
	}
	return typ, sub, parseParams(rest)
}

// parseDisposition splits a Content-Disposition value into its type and
// parameters.
func parseDisposition(v string) (string, []imap.Param) {
	head, rest, _ := strings.Cut(v, ";")
	return strings.TrimSpace(stripComments(head)), parseParams(rest)
}

// stripComments removes RFC 5322 comments (nested, with quoted pairs)
// outside quoted strings.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				if i+1 < len(s) {
					b.WriteByte(s[i+1])
				}
			}
			i++
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '"':
			quoted = !quoted
			b.WriteByte(c)
		case c == '(' && !quoted:
			depth++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseParams parses "; name=value; name="quoted value"" leniently: an
// unquoted value runs to the next semicolon, a parameter without "=" is
// dropped. RFC 2231 continuations are joined as Dovecot does: name*0 and
// name*1 give name; if a piece is extended (name*0*), the result is name*
// with the pieces' raw text; a single name* stays as it is.
func parseParams(s string) []imap.Param {
	type piece struct {
		name, base string
		idx        int // continuation number, -1 for none
		ext        bool
		value      string
	}
	var pieces []piece
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] == '(' {
			i = skipComment(s, i)
			continue
		}
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ';' {
			j++
		}
		name := strings.TrimSpace(stripComments(s[i:j]))
		if j >= len(s) || s[j] == ';' {
			i = j
			continue
		}
		j++ // '='
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		var value string
		if j < len(s) && s[j] == '"' {
			var b strings.Builder
			j++
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			value = b.String()
			for j < len(s) && s[j] != ';' {
				j++
			}
		} else {
			k := j
			for k < len(s) && s[k] != ';' {
				k++
			}
			value = strings.TrimSpace(stripComments(s[j:k]))
			j = k
		}
		i = j
		if name == "" {
			continue
		}
		pc := piece{name: name, base: name, idx: -1, value: value}
		if star := strings.IndexByte(name, '*'); star > 0 {
			tail := name[star+1:]
			ext := strings.HasSuffix(tail, "*")
			num := strings.TrimSuffix(tail, "*")
			if n, err := strconv.Atoi(num); err == nil && n >= 0 && num != "" && num[0] != '+' {
				pc.base, pc.idx, pc.ext = name[:star], n, ext
			}
		}
		pieces = append(pieces, pc)
	}
	// Group the continuations by name, each group where its first piece is.
	groups := map[string][]piece{}
	var out []imap.Param
	slot := map[string]int{} // group name -> its index in out
	for _, pc := range pieces {
		if pc.idx < 0 {
			out = append(out, imap.Param{Name: pc.name, Value: pc.value})
			continue
		}
		key := strings.ToLower(pc.base)
		if _, seen := slot[key]; !seen {
			slot[key] = len(out)
			out = append(out, imap.Param{Name: pc.base})
		}
		groups[key] = append(groups[key], pc)
	}
	for key, i := range slot {
		group := groups[key]
		sort.SliceStable(group, func(a, b int) bool { return group[a].idx < group[b].idx })
		var b strings.Builder
		ext := false
		for _, g := range group {
			b.WriteString(g.value)
			ext = ext || g.ext
		}
		if ext {
			out[i].Name += "*"
		}
		out[i].Value = b.String()
	}
	return out
}

// skipComment returns the index after the comment that starts at s[i].
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

// paramValue returns the value of the named parameter, or "".
func paramValue(params []imap.Param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// bodyStructure returns the message's BODYSTRUCTURE (extended) or BODY
// (RFC 3501 section 7.4.2), as Dovecot computes it: media types, parameter
// names and values, encodings and dispositions keep the case they were
// sent in; a text part without a charset gets "charset" "us-ascii" after
// its other parameters; the encoding defaults to "7bit"; sizes are octets
// of the body as stored (with CRLF line ends) and lines count its LFs. A
// single-part message that is plain 7-bit US-ASCII text with no other
// MIME fields is shown in Dovecot's canonical lower-case form.
func (p *parsedMessage) bodyStructure(extended bool) *imap.BodyStructure {
	if p.root.plain7bit() {
		b := &imap.BodyStructure{
			Type: "text", Subtype: "plain",
			Params:   []imap.Param{{Name: "charset", Value: "us-ascii"}},
			Encoding: "7bit",
			Size:     clampSize(len(p.root.body)),
			Lines:    countLines(p.root.body),
			Extended: extended,
		}
		return b
	}
	return p.root.structure(extended)
}

// plain7bit reports whether the part is text/plain; charset=us-ascii, 7bit,
// with no other parameter and no Content-ID, -Description, -MD5,
// -Disposition, -Language or -Location: Dovecot stores such a message as a
// flag and shows the canonical BODYSTRUCTURE for it.
func (p *mimePart) plain7bit() bool {
	if !p.isText() || (p.subtype != "" && !strings.EqualFold(p.subtype, "plain")) {
		return false
	}
	switch len(p.params) {
	case 0:
	case 1:
		if !strings.EqualFold(p.params[0].Name, "charset") || !strings.EqualFold(p.params[0].Value, "us-ascii") {
			return false
		}
	default:
		return false
	}
	if cte, ok := p.field("Content-Transfer-Encoding"); ok && !strings.EqualFold(cte, "7bit") {
		return false
	}
	for _, name := range []string{"Content-ID", "Content-Description", "Content-MD5",
		"Content-Disposition", "Content-Language", "Content-Location"} {
		if _, ok := p.field(name); ok {
			return false
		}
	}
	return true
}

func (p *mimePart) structure(ext bool) *imap.BodyStructure {
	b := &imap.BodyStructure{Type: p.mediaType, Subtype: p.subtype, Extended: ext}
	if len(p.children) > 0 {
		b.Type = "multipart" // not sent: what a client reads back
		for _, c := range p.children {
			b.Parts = append(b.Parts, c.structure(ext))
		}
		if ext {
			b.Params = p.params
			p.extension(b)
		}
		return b
	}
	b.Params = p.params
	if p.opaque {
		b.Type, b.Subtype, b.Params = "application", "octet-stream", nil
	} else if p.isText() && !hasParam(p.params, "charset") {
		b.Params = append(b.Params[:len(b.Params):len(b.Params)], imap.Param{Name: "charset", Value: "us-ascii"})
	}
	b.ID = p.fieldValue("Content-ID")
	b.Description = p.fieldValue("Content-Description")
	b.Encoding = p.fieldValue("Content-Transfer-Encoding")
	if b.Encoding == "" {
		b.Encoding = "7bit"
	}
	b.Size = clampSize(len(p.body))
	switch {
	case p.message != nil:
		b.Envelope = p.message.envelope()
		b.Body = p.message.structure(ext)
		b.Lines = countLines(p.body)
	case p.isText():
		b.Lines = countLines(p.body)
	}
	if ext {
		b.MD5 = p.fieldValue("Content-MD5")
		p.extension(b)
	}
	return b
}

// extension fills the extension data both kinds of part share.
func (p *mimePart) extension(b *imap.BodyStructure) {
	if d, ok := p.field("Content-Disposition"); ok {
		b.Disposition, b.DispositionParams = parseDisposition(d)
		if b.Disposition == "" {
			b.DispositionParams = nil
		}
	}
	if l, ok := p.field("Content-Language"); ok {
		for _, tag := range strings.FieldsFunc(stripComments(l), func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t'
		}) {
			b.Language = append(b.Language, tag)
		}
	}
	b.Location = p.fieldValue("Content-Location")
}

func hasParam(params []imap.Param, name string) bool {
	for _, p := range params {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

func countLines(b []byte) uint32 {
	return clampSize(bytes.Count(b, []byte{'\n'}))
}

func clampSize(n int) uint32 {
	if uint64(n) > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(n)
}
