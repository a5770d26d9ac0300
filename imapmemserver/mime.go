package imapmemserver

import (
	"bytes"
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

	// Decoded text for SEARCH, built on first use (search_text.go).
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
