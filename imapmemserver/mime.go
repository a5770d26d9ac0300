package imapmemserver

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/imapclient-go/imapclient/imap"
)

// This file holds the server's MIME parser: a message is parsed once, when
// it is stored, into a tree of parts that FETCH (ENVELOPE, BODYSTRUCTURE,
// BODY[section]) and SEARCH read. The parser never fails: whatever the
// input, it yields a tree. Where RFC 2045/2046/5322 leave a choice, or the
// input breaks them, it does what Dovecot does, since the client's
// behaviour suite runs against both servers.

// maxMIMEDepth bounds the nesting of multipart and message/rfc822 parts.
// Deeper containers are not opened: a multipart gets one empty text/plain
// part, and a message/rfc822 is described as application/octet-stream.
const maxMIMEDepth = 32

// parsedMessage is a stored message, parsed. It is immutable once made, and
// safe for concurrent use.
type parsedMessage struct {
	// raw is the message with every bare LF turned into CRLF, as Dovecot
	// serves and counts it (BODY[] and the sizes in BODYSTRUCTURE).
	raw  []byte
	root *mimePart

	// Decoded text for SEARCH, built on first use (search.go).
	searchOnce sync.Once
	search     *searchText
}

// headerField is one field of a header.
type headerField struct {
	name  string // the field name as sent, without trailing blanks
	raw   []byte // the whole field: name, colon, value, folded lines, line end
	value []byte // what follows the colon, folded lines included, without the final line end
}

// mimePart is an entity: the message itself, a body part, or the message
// held by a message/rfc822 part.
type mimePart struct {
	header []byte // the header, up to and including the blank line after it
	body   []byte
	fields []headerField

	// The media type as sent (Dovecot keeps the case): "" "" when the
	// Content-Type field is empty, subtype "" when it has no slash.
	mediaType, subtype string
	params             []imap.Param

	children []*mimePart // multipart: at least one
	message  *mimePart   // message/rfc822 and message/global: the encapsulated message
	opaque   bool        // a message part below maxMIMEDepth, left unparsed
}

// parseMessage parses a message. It never fails: a malformed header, a
// missing blank line, a missing or wrong boundary, LF line ends or 8-bit
// header bytes all give a usable tree, as lenient as Dovecot's.
func parseMessage(raw []byte) *parsedMessage {
	raw = normalizeCRLF(raw)
	return &parsedMessage{raw: raw, root: parsePart(raw, 0, false)}
}

// normalizeCRLF returns data with every LF that does not follow a CR
// preceded by one. It returns data itself when there is none.
func normalizeCRLF(data []byte) []byte {
	bare := 0
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return data
	}
	out := make([]byte, 0, len(data)+bare)
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// parsePart parses an entity at the given nesting depth. A part of a
// multipart/digest has message/rfc822 as its default type.
func parsePart(data []byte, depth int, inDigest bool) *mimePart {
	p := &mimePart{}
	p.header, p.body = splitHeader(data)
	p.fields = parseFields(p.header)
	if ct, ok := p.field("Content-Type"); ok {
		p.mediaType, p.subtype, p.params = parseContentType(ct)
	} else if inDigest {
		p.mediaType, p.subtype = "message", "rfc822"
	} else {
		p.mediaType, p.subtype = "text", "plain"
	}
	switch {
	case p.isMultipart():
		if b := paramValue(p.params, "boundary"); b != "" && depth < maxMIMEDepth {
			digest := strings.EqualFold(p.subtype, "digest")
			for _, chunk := range splitMultipart(p.body, b) {
				c := parsePart(chunk.data, depth+1, digest)
				if chunk.cut > 0 && endsWithClose(c) {
					c.extend(chunk.cut)
				}
				p.children = append(p.children, c)
			}
		}
		if len(p.children) == 0 {
			// Dovecot shows a multipart without parts as holding one
			// empty text/plain part; IMAP requires at least one.
			p.children = []*mimePart{parsePart(nil, depth+1, false)}
		}
	case p.isMessage():
		if depth < maxMIMEDepth {
			p.message = parsePart(p.body, depth+1, false)
		} else {
			p.opaque = true
		}
	}
	return p
}

func (p *mimePart) isMultipart() bool { return strings.EqualFold(p.mediaType, "multipart") }

func (p *mimePart) isText() bool { return strings.EqualFold(p.mediaType, "text") }

func (p *mimePart) isMessage() bool {
	return strings.EqualFold(p.mediaType, "message") &&
		(strings.EqualFold(p.subtype, "rfc822") || strings.EqualFold(p.subtype, "global"))
}

// field returns the unfolded value of the first field with that name.
func (p *mimePart) field(name string) (string, bool) {
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, name) {
			return unfold(p.fields[i].value), true
		}
	}
	return "", false
}

// fieldValue is field without the presence flag.
func (p *mimePart) fieldValue(name string) string {
	v, _ := p.field(name)
	return v
}

// unfold returns a field value on one line: CR, LF and NUL removed (the
// blanks of folded lines stay), leading and trailing blanks trimmed, as
// Dovecot sends it in ENVELOPE and BODYSTRUCTURE.
func unfold(v []byte) string {
	if bytes.IndexAny(v, "\r\n\x00") >= 0 {
		v = bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == 0 {
				return -1
			}
			return r
		}, v)
	}
	return string(bytes.Trim(v, " \t"))
}

// splitHeader cuts an entity at the first empty line. The header keeps the
// empty line; without one, everything is header and the body is empty
// (Dovecot reads a line without a colon as a header line too).
func splitHeader(data []byte) (header, body []byte) {
	i := 0
	for i < len(data) {
		if data[i] == '\n' {
			return data[:i+1], data[i+1:]
		}
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			return data[:i+2], data[i+2:]
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return data, data[len(data):]
}

// parseFields splits a header into fields. A line starting with a blank
// continues the field before it (a leading one starts a field of its own);
// a line without a colon is a field whose name is the whole line, as in
// Dovecot. The blank line that ends the header ends the fields.
func parseFields(header []byte) []headerField {
	var fields []headerField
	start, valStart := -1, 0 // the field being read
	name := ""
	flush := func(end int) {
		if start >= 0 {
			fields = append(fields, headerField{
				name:  name,
				raw:   header[start:end],
				value: bytes.TrimRight(header[valStart:end], "\r\n"),
			})
		}
		start = -1
	}
	pos := 0
	for pos < len(header) {
		end := len(header)
		if i := bytes.IndexByte(header[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		content := bytes.TrimRight(header[pos:end], "\r\n")
		if len(content) == 0 {
			break // the blank line
		}
		if start >= 0 && (content[0] == ' ' || content[0] == '\t') {
			pos = end
			continue
		}
		flush(pos)
		start = pos
		if c := bytes.IndexByte(content, ':'); c >= 0 {
			name = string(bytes.TrimRight(content[:c], " \t"))
			valStart = pos + c + 1
		} else {
			name = string(bytes.Trim(content, " \t"))
			valStart = pos + len(content)
		}
		pos = end
	}
	flush(pos)
	return fields
}

// bodyChunk is a body part of a multipart: its data, and the length of
// the line break cut off its end (the one before the next delimiter).
type bodyChunk struct {
	data []byte
	cut  int
}

// splitMultipart returns the body parts of a multipart body: what lies
// between the delimiter lines "--boundary", each without the line break
// before the next delimiter, up to the close delimiter "--boundary--" or
// the end of the body. A delimiter line may end in blanks (transport
// padding) and a close delimiter in anything; a line that only starts
// with the delimiter ("--boundaryX") is content, so a nested multipart
// whose boundary extends its parent's is still found.
func splitMultipart(body []byte, boundary string) []bodyChunk {
	delim := []byte("--" + boundary)
	var parts []bodyChunk
	start := -1 // start of the current part; -1 in the preamble
	for pos := 0; pos < len(body); {
		eol := bytes.IndexByte(body[pos:], '\n')
		next := len(body)
		if eol >= 0 {
			next = pos + eol + 1
		}
		line := bytes.TrimRight(body[pos:next], "\r\n")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			closing := bytes.HasPrefix(rest, []byte("--"))
			if closing || len(bytes.Trim(rest, " \t")) == 0 {
				if start >= 0 {
					end := trimLineBreak(body, start, pos)
					parts = append(parts, bodyChunk{body[start:end], pos - end})
				}
				if closing {
					return parts
				}
				start = next
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, bodyChunk{data: body[start:]})
	}
	return parts
}

// endsWithClose reports whether an entity ends with the close delimiter
// of a multipart it is, or of the message it holds, with no line break
// after it. Dovecot's parser reads the line break after such a delimiter
// as part of it, so that the enclosing part keeps it: such an entity is
// extended by the line break splitMultipart cut.
func endsWithClose(p *mimePart) bool {
	for p.message != nil {
		p = p.message
	}
	b := paramValue(p.params, "boundary")
	if !p.isMultipart() || b == "" {
		return false
	}
	last := p.body[bytes.LastIndexByte(p.body, '\n')+1:]
	return bytes.HasPrefix(last, []byte("--"+b+"--"))
}

// extend grows the body of p, and of the messages it holds, by n bytes:
// they all end at the same place, and the bytes follow in memory.
func (p *mimePart) extend(n int) {
	for ; p != nil; p = p.message {
		p.body = p.body[:len(p.body)+n]
	}
}

// trimLineBreak returns end moved back over the line break just before it,
// but not before start: that line break belongs to the delimiter.
func trimLineBreak(body []byte, start, end int) int {
	if end > start && body[end-1] == '\n' {
		end--
		if end > start && body[end-1] == '\r' {
			end--
		}
	}
	return end
}

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

// envelope returns the message's ENVELOPE (RFC 3501 section 7.4.2).
func (p *parsedMessage) envelope() *imap.Envelope { return p.root.envelope() }

// envelope computes the ENVELOPE of an entity's header as Dovecot does:
// the date, subject, In-Reply-To and Message-ID unfolded but otherwise as
// sent (encoded words stay encoded); addresses parsed leniently
// (parseAddressList); Sender and Reply-To, when missing or empty, set to
// From.
func (p *mimePart) envelope() *imap.Envelope {
	env := &imap.Envelope{
		Date:      p.fieldValue("Date"),
		Subject:   p.fieldValue("Subject"),
		From:      parseAddressList(p.fieldValue("From")),
		Sender:    parseAddressList(p.fieldValue("Sender")),
		ReplyTo:   parseAddressList(p.fieldValue("Reply-To")),
		To:        parseAddressList(p.fieldValue("To")),
		Cc:        parseAddressList(p.fieldValue("Cc")),
		Bcc:       parseAddressList(p.fieldValue("Bcc")),
		InReplyTo: p.fieldValue("In-Reply-To"),
		MessageID: p.fieldValue("Message-ID"),
	}
	if len(env.Sender) == 0 && len(env.From) > 0 {
		env.Sender = append([]imap.Address(nil), env.From...)
	}
	if len(env.ReplyTo) == 0 && len(env.From) > 0 {
		env.ReplyTo = append([]imap.Address(nil), env.From...)
	}
	return env
}

// addrToken is a lexical token of an address list (RFC 5322 section 3.2).
type addrToken struct {
	kind  byte   // 'a' atom, 'q' quoted string, 'l' domain literal, 'c' comment, or the special itself
	text  string // atom, unquoted string, literal with its brackets, comment text
	space bool   // blanks or a comment came before it
}

// tokenizeAddresses splits an unfolded address list into tokens. It never
// fails: an unterminated quoted string, comment or literal ends at the end
// of the text; a stray special is a token of its own.
func tokenizeAddresses(s string) []addrToken {
	var toks []addrToken
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = true
			i++
		case c == '(':
			end := skipComment(s, i)
			text := s[i+1 : end]
			text = strings.TrimSuffix(text, ")")
			toks = append(toks, addrToken{kind: 'c', text: unescape(text), space: space})
			space = true
			i = end
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				if s[j] != '\r' && s[j] != '\n' {
					b.WriteByte(s[j])
				}
			}
			toks = append(toks, addrToken{kind: 'q', text: b.String(), space: space})
			space = false
			i = min(j+1, len(s))
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			end := len(s)
			if j >= 0 {
				end = i + j + 1
			}
			toks = append(toks, addrToken{kind: 'l', text: s[i:end], space: space})
			space = false
			i = end
		case strings.IndexByte("<>:;@,.]\\)", c) >= 0:
			toks = append(toks, addrToken{kind: c, text: s[i : i+1], space: space})
			space = false
			i++
		default:
			j := i
			for j < len(s) && isAtomByte(s[j]) {
				j++
			}
			if j == i { // a control character
				i++
				continue
			}
			toks = append(toks, addrToken{kind: 'a', text: s[i:j], space: space})
			space = false
			i = j
		}
	}
	return toks
}

// isAtomByte reports whether c may be part of an atom: anything but
// blanks, controls and specials. 8-bit bytes (UTF-8 names) may.
func isAtomByte(c byte) bool {
	return c > ' ' && c != 0x7f && strings.IndexByte("()<>[]:;@\\,.\"", c) < 0
}

// unescape removes the backslashes of quoted pairs.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Placeholders Dovecot puts in the envelope for a missing local part or
// domain (they also keep such an address from looking like a group marker).
const (
	missingMailbox = "MISSING_MAILBOX"
	missingDomain  = "MISSING_DOMAIN"
)

// parseAddressList parses an address list for the envelope: display names
// and group names as sent (RFC 2047 encoded words stay encoded, quoted
// strings are unquoted, words joined by single spaces), a comment serving
// as the name of a bare addr-spec ("jdoe@example.org (John Doe)"), a
// source route in ADL, groups as start and end markers. It is lenient: a
// missing local part or domain gets Dovecot's placeholder, an unterminated
// angle address or group is closed at the end, stray characters are
// skipped, empty list elements are dropped. It returns nil when nothing
// usable is found.
func parseAddressList(s string) []imap.Address {
	toks := tokenizeAddresses(s)
	var out []imap.Address
	i := 0
	for i < len(toks) {
		if k := toks[i].kind; k == ',' || k == ';' || k == '>' || k == ')' || k == ']' || k == '\\' || k == 'c' {
			i++
			continue
		}
		j := i
		for j < len(toks) && !strings.ContainsRune(":<,;", rune(toks[j].kind)) {
			j++
		}
		if j < len(toks) && toks[j].kind == ':' {
			name := phrase(toks[i:j])
			if name != "" {
				out = append(out, imap.Address{Mailbox: name})
			}
			i = j + 1
			for i < len(toks) && toks[i].kind != ';' {
				if k := toks[i].kind; k == ',' || k == 'c' || k == ':' || k == '>' {
					i++
					continue
				}
				var a imap.Address
				a, i = parseMailbox(toks, i)
				out = append(out, a)
			}
			if i < len(toks) {
				i++ // ';'
			}
			if name != "" {
				out = append(out, imap.Address{})
			}
			continue
		}
		var a imap.Address
		a, i = parseMailbox(toks, i)
		out = append(out, a)
	}
	return out
}

// parseMailbox parses a name-addr or addr-spec at toks[i:], up to the next
// ',' or ';', and returns the address and the index after it.
func parseMailbox(toks []addrToken, i int) (imap.Address, int) {
	j := i
	for j < len(toks) && toks[j].kind != '<' && toks[j].kind != ',' && toks[j].kind != ';' {
		j++
	}
	if j < len(toks) && toks[j].kind == '<' {
		a := imap.Address{Name: phrase(toks[i:j])}
		k := j + 1
		for k < len(toks) && toks[k].kind != '>' && toks[k].kind != '<' {
			k++ // a route holds commas: "<@a,@b:user@host>"
		}
		if k == len(toks) || toks[k].kind == '<' { // unterminated: end at the next address
			k = j + 1
			for k < len(toks) && toks[k].kind != ',' && toks[k].kind != ';' {
				k++
			}
		}
		spec := toks[j+1 : k]
		for r := range spec {
			if spec[r].kind == ':' {
				a.ADL = joinTokens(spec[:r])
				spec = spec[r+1:]
				break
			}
		}
		a.Mailbox, a.Host = addrSpec(spec)
		for k < len(toks) && toks[k].kind != ',' && toks[k].kind != ';' {
			k++ // '>' and whatever junk follows up to the next address
		}
		return a, k
	}
	spec := toks[i:j]
	a := imap.Address{}
	a.Mailbox, a.Host = addrSpec(spec)
	for _, t := range spec {
		if t.kind == 'c' && strings.TrimSpace(t.text) != "" {
			a.Name = strings.TrimSpace(t.text)
		}
	}
	return a, j
}

// addrSpec returns the local part and domain of an addr-spec, with the
// placeholders for missing ones. Comments are ignored; words of the local
// part are joined with dots as written (a blank between words stays one).
func addrSpec(toks []addrToken) (mailbox, host string) {
	at := -1
	for i, t := range toks {
		if t.kind == '@' {
			at = i
			break
		}
	}
	local := toks
	if at >= 0 {
		local = toks[:at]
		var b strings.Builder
		for _, t := range toks[at+1:] {
			switch t.kind {
			case 'a', 'l', '.':
				b.WriteString(t.text)
			}
		}
		host = b.String()
	}
	mailbox = joinLocal(local)
	if mailbox == "" {
		mailbox = missingMailbox
	}
	if host == "" {
		host = missingDomain
	}
	return mailbox, host
}

// joinLocal joins the words and dots of a local part.
func joinLocal(toks []addrToken) string {
	var b strings.Builder
	prevDot := true
	for _, t := range toks {
		switch t.kind {
		case '.':
			b.WriteByte('.')
			prevDot = true
		case 'a', 'q':
			if t.space && !prevDot && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
			prevDot = false
		}
	}
	return b.String()
}

// phrase renders a display name: its words (atoms, unquoted strings, dots)
// with one blank wherever blanks or comments separated them.
func phrase(toks []addrToken) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case 'a', 'q', '.', 'l', '@':
			if t.space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
		}
	}
	return strings.TrimSpace(b.String())
}

// joinTokens renders a source route ("@a,@b") without blanks or comments.
func joinTokens(toks []addrToken) string {
	var b strings.Builder
	for _, t := range toks {
		if t.kind != 'c' {
			b.WriteString(t.text)
		}
	}
	return b.String()
}
