package imapmemserver

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/unicode/norm"
)

// This file holds the decoded, case-folded text of a message that SEARCH's
// string keys match against (search.go): transfer encodings, charsets and
// RFC 2047 encoded words undone, and the Date header parsed.

// searchText is a message's text as SEARCH reads it, case-folded.
type searchText struct {
	fields  []searchField // the message's header fields, decoded
	headers string        // every header of every part, decoded, field names included
	body    string        // the text parts, decoded
	sent    time.Time     // the Date header's date (midnight UTC)
}

type searchField struct{ name, value string }

// searchData returns the message's decoded text, computing it on first use.
func (p *parsedMessage) searchData() *searchText {
	p.searchOnce.Do(func() { p.search = buildSearchText(p.root) })
	return p.search
}

func buildSearchText(root *mimePart) *searchText {
	st := &searchText{}
	for i := range root.fields {
		f := &root.fields[i]
		st.fields = append(st.fields, searchField{name: f.name, value: foldText(decodeHeader(unfold(f.value)))})
	}
	var headers, body strings.Builder
	collectText(root, &headers, &body)
	st.headers = foldText(headers.String())
	st.body = foldText(body.String())
	st.sent = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC) // Dovecot's date for none
	if t, ok := parseMessageDate(root.fieldValue("Date")); ok {
		st.sent = dayOf(t)
	}
	return st
}

// collectText appends the decoded headers and text bodies of a part and
// the parts below it.
func collectText(p *mimePart, headers, body *strings.Builder) {
	for i := range p.fields {
		f := &p.fields[i]
		headers.WriteString(f.name)
		headers.WriteString(": ")
		headers.WriteString(decodeHeader(unfold(f.value)))
		headers.WriteByte('\n')
	}
	switch {
	case len(p.children) > 0:
		for _, c := range p.children {
			collectText(c, headers, body)
		}
	case p.message != nil:
		collectText(p.message, headers, body)
	case p.isText():
		body.Write(decodeBody(p))
		body.WriteByte('\n')
	}
}

// decodeBody undoes a text part's transfer encoding and converts it from
// its charset to UTF-8, leniently: what cannot be decoded stays as it is.
func decodeBody(p *mimePart) []byte {
	data := p.body
	switch strings.ToLower(p.fieldValue("Content-Transfer-Encoding")) {
	case "base64":
		data = decodeBase64(data)
	case "quoted-printable":
		data = decodeQP(data)
	}
	return toUTF8(paramValue(p.params, "charset"), data)
}

// decodeBase64 decodes base64 leniently: characters outside the alphabet
// are skipped, and a truncated last group is decoded as far as it goes.
func decodeBase64(data []byte) []byte {
	clean := make([]byte, 0, len(data))
	for _, c := range data {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// decodeQP decodes quoted-printable leniently: "=" before a line break is
// a soft break, "=XX" an octet, any other "=" stays.
func decodeQP(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		rest := data[i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			i += 2
		case bytes.HasPrefix(rest, []byte("\n")):
			i++
		case len(rest) >= 2 && unhex(rest[0]) >= 0 && unhex(rest[1]) >= 0:
			out = append(out, byte(unhex(rest[0])<<4|unhex(rest[1])))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// lookupCharset returns the decoder of a charset golang.org/x/text knows
// (WHATWG labels first, then IANA names), or nil.
func lookupCharset(name string) encoding.Encoding {
	name = strings.TrimSpace(name)
	if e, err := htmlindex.Get(name); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.MIME.Encoding(name); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.IANA.Encoding(name); err == nil && e != nil {
		return e
	}
	return nil
}

// toUTF8 converts data from charset to UTF-8; US-ASCII, UTF-8, unknown
// charsets and data that fails to convert are returned unchanged.
func toUTF8(charset string, data []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "us-ascii", "ascii", "utf-8", "utf8":
		return data
	}
	e := lookupCharset(charset)
	if e == nil {
		return data
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}

// wordDecoder decodes RFC 2047 encoded words in any charset x/text knows.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		e := lookupCharset(charset)
		if e == nil {
			return nil, fmt.Errorf("unknown charset %q", charset)
		}
		return e.NewDecoder().Reader(input), nil
	},
}

// decodeHeader decodes the encoded words of a header value; on failure the
// value is returned as it is.
func decodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// foldText prepares text for case-insensitive substring matching as
// Dovecot's i;unicode-casemap comparator does (RFC 5051): compatibility
// decomposition, then a simple per-character case mapping. So "CAFÉ"
// finds "café", and, as in Dovecot, "cafe" finds it too (the accent is a
// separate combining character); "ß" does not become "ss".
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune {
		return unicode.ToLower(unicode.ToUpper(r))
	}, norm.NFKD.String(s))
}

// parseMessageDate parses a Date header leniently: comments and extra
// blanks are dropped, the weekday and seconds are optional, the year may
// have two digits, and the zone may be numeric, a name, or missing.
func parseMessageDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(stripComments(s)), " ")
	if i := strings.IndexByte(s, ','); i >= 0 && i < 10 {
		s = strings.TrimSpace(s[i+1:])
	}
	for _, layout := range []string{
		"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04 MST",
		"2 Jan 06 15:04:05 -0700", "2 Jan 06 15:04 -0700",
		"2 Jan 06 15:04:05 MST", "2 Jan 06 15:04 MST",
		"2 Jan 2006 15:04:05", "2 Jan 2006 15:04", "2 Jan 2006",
		"Jan 2 15:04:05 2006", "Mon Jan 2 15:04:05 2006",
		"2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05 -0700",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	// A zone name time.Parse does not know ("+0000 GMT" or "EST5EDT"):
	// drop the last word and try again once.
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Count(s, " ") >= 4 {
		return parseMessageDate(s[:i])
	}
	return time.Time{}, false
}
