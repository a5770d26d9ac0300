package imapclient

// RFC 2047 encoded words in header values, and the charsets they name.

import (
	"encoding/base64"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// DecodeHeader decodes the RFC 2047 encoded words in a header value, such
// as "=?ISO-8859-1?Q?Caf=E9?=", in any charset golang.org/x/text knows
// (WHATWG labels first, so ISO-8859-1 is read as its superset
// Windows-1252, then IANA names). Both the B and Q encodings are
// accepted, in either case. Whitespace between adjacent encoded words is
// dropped (RFC 2047 section 6.2), and adjacent words in the same charset
// are joined before conversion, so a character split over two words
// survives. A malformed word, or one in an unknown charset, is left as
// it is; decoding never fails.
func DecodeHeader(s string) string {
	if !hasEncodedWord(s) {
		return s
	}
	if strings.HasPrefix(s, "=?") {
		// The common case: one encoded word and nothing else.
		if v, ok := decodeUTF8Word(s); ok {
			return v
		}
		if cs, data, end, ok := encodedWord(s, 0); ok && end == len(s) {
			return convertCharset(cs, data)
		}
	}
	var out strings.Builder
	var run []byte  // bytes of adjacent encoded words in one charset
	runCS := ""     // charset of run; "" when no run is open
	last, i := 0, 0 // s[last:] is not yet written
	flush := func() {
		if runCS != "" {
			out.WriteString(convertCharset(runCS, run))
			run, runCS = run[:0], ""
		}
	}
	for {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		start := i + j
		cs, data, end, ok := encodedWord(s, start)
		if !ok {
			i = start + 2
			continue
		}
		gap := s[last:start]
		switch {
		case runCS != "" && isLWSP(gap) && strings.EqualFold(cs, runCS):
			run = append(run, data...)
		case runCS != "" && isLWSP(gap):
			flush()
			runCS, run = cs, append(run[:0], data...)
		default:
			flush()
			out.WriteString(gap)
			runCS, run = cs, append(run[:0], data...)
		}
		last, i = end, end
	}
	flush()
	out.WriteString(s[last:])
	return out.String()
}

// encodedWord parses "=?charset?E?text?=" at s[start:]. It returns the
// charset (without an RFC 2231 language suffix), the decoded bytes and
// the end offset, or ok == false when the word is malformed or its
// charset unknown.
func encodedWord(s string, start int) (charset string, data []byte, end int, ok bool) {
	p := start + 2
	q := strings.IndexByte(s[p:], '?')
	if q <= 0 {
		return "", nil, 0, false
	}
	charset = s[p : p+q]
	if strings.ContainsAny(charset, " \t\r\n=") {
		return "", nil, 0, false
	}
	if k := strings.IndexByte(charset, '*'); k >= 0 {
		charset = charset[:k] // RFC 2231 section 5: charset*language
	}
	p += q + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	p += 2
	e := strings.Index(s[p:], "?=")
	if e < 0 {
		return "", nil, 0, false
	}
	text := s[p : p+e]
	if strings.ContainsAny(text, "\r\n") || lookupCharset(charset) == nil {
		return "", nil, 0, false
	}
	switch enc {
	case 'b':
		data, ok = decodeB(text)
	case 'q':
		data, ok = decodeQ(text), true
	}
	return charset, data, p + e + 2, ok
}

// decodeUTF8Word decodes s when it is exactly one short encoded word in
// UTF-8 or US-ASCII whose text decodes cleanly to valid UTF-8, with one
// allocation (the result); ok is false otherwise, and the general path
// (encodedWord, convertCharset) takes it, with the same result where both
// apply.
func decodeUTF8Word(s string) (string, bool) {
	p := strings.IndexByte(s[2:], '?') + 2
	if p < 2 || p+5 > len(s) || s[p+2] != '?' || !strings.HasSuffix(s, "?=") {
		return "", false
	}
	if cs := s[2:p]; !asciiEqualFold(cs, "utf-8") && !asciiEqualFold(cs, "us-ascii") {
		return "", false
	}
	text := s[p+3 : len(s)-2]
	var buf [128]byte
	if len(text) > len(buf) {
		return "", false
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '?', '\r', '\n', ' ', '\t': // a byte loop: ContainsAny builds a set per call
			return "", false
		}
	}
	var n int
	switch s[p+1] | 0x20 {
	case 'b':
		var err error
		if n, err = base64.StdEncoding.Decode(buf[:], []byte(text)); err != nil {
			return "", false
		}
	case 'q':
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '_':
				c = ' '
			case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
				c = unhex(text[i+1])<<4 | unhex(text[i+2])
				i += 2
			}
			buf[n] = c
			n++
		}
	default:
		return "", false
	}
	if !utf8.Valid(buf[:n]) {
		return "", false
	}
	return string(buf[:n]), true
}

func decodeB(text string) ([]byte, bool) {
	text = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, text)
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b, true
	}
	// Some mailers leave out the padding.
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err == nil {
		return b, true
	}
	return nil, false
}

// decodeQ decodes the Q encoding (RFC 2047 section 4.2) leniently: an
// "=" not followed by two hex digits stays as it is.
func decodeQ(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isLWSP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// utf8Charset stands for UTF-8 and ASCII, which need no conversion.
var utf8Charset encoding.Encoding = encoding.Nop

// charsets caches the charsets found by lookupCharset. Only known names
// are kept, so the cache is bounded by the aliases golang.org/x/text
// knows, whatever a server sends.
var charsets sync.Map // lower-case name -> encoding.Encoding

// lookupCharset finds the decoder for a MIME charset name, or nil.
func lookupCharset(name string) encoding.Encoding {
	// The common names first, without allocating a lower-case copy.
	if asciiEqualFold(name, "utf-8") || asciiEqualFold(name, "us-ascii") {
		return utf8Charset
	}
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return utf8Charset
	case "":
		return nil
	}
	if e, ok := charsets.Load(n); ok {
		return e.(encoding.Encoding)
	}
	if e, err := htmlindex.Get(n); err == nil && e != nil {
		charsets.Store(n, e)
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(n); err == nil && e != nil {
			charsets.Store(n, e)
			return e
		}
	}
	return nil
}

// convertCharset converts text in a known charset to UTF-8. Invalid
// sequences become U+FFFD.
func convertCharset(charset string, b []byte) string {
	e := lookupCharset(charset)
	if e == utf8Charset || e == nil {
		if utf8.Valid(b) {
			return string(b)
		}
		if n := strings.ToLower(charset); n == "us-ascii" || n == "ascii" {
			// 8-bit data labelled ASCII is usually Windows-1252.
			if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
				return string(s)
			}
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}
