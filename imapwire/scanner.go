package imapwire

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// syntaxErr builds a *SyntaxError at the parser's position.
func (d *Decoder) syntaxErr(msg string) error {
	line := d.buf[d.fs:d.fe]
	if d.frameHead != nil { // a SEARCH line parsed while it arrived
		line = append(d.frameHead[:len(d.frameHead):len(d.frameHead)], line[searchPrefix(line):]...)
	}
	if len(line) > maxErrLine {
		line = line[:maxErrLine]
	}
	return &SyntaxError{Msg: msg, Offset: d.pos - d.fs + int(d.frameOff), Line: string(line)}
}

// maxErrLine is the most of a line a SyntaxError shows.
const maxErrLine = 120

// peek returns the byte at the parser's position, or 0 at the end of the
// frame.
func (d *Decoder) peek() byte {
	if d.pos < d.fe {
		return d.buf[d.pos]
	}
	return 0
}

func (d *Decoder) expect(c byte) error {
	if d.pos < d.fe && d.buf[d.pos] == c {
		d.pos++
		return nil
	}
	return d.syntaxErr("expected " + strconv.QuoteRune(rune(c)))
}

func (d *Decoder) sp() error { return d.expect(' ') }

// atEOL reports whether the parser is at the CRLF that ends the frame.
func (d *Decoder) atEOL() bool {
	c := d.peek()
	return c == '\r' || c == '\n' || d.pos >= d.fe
}

// eol consumes the final CRLF (or a bare LF) of the response.
func (d *Decoder) eol() error {
	if d.pos < d.fe && d.buf[d.pos] == '\r' {
		d.pos++
	}
	if d.pos < d.fe && d.buf[d.pos] == '\n' {
		d.pos++
	}
	if d.pos != d.fe || d.lit >= 0 {
		return d.syntaxErr("expected end of line")
	}
	d.inResp = false
	return nil
}

// isAtomChar reports whether c may appear in an atom as servers send it:
// anything printable but the atom-specials "(){ %\"" and "]" (RFC 3501
// section 9). '*', '%' and '\' are let through for flags such as "\*".
func isAtomChar(c byte) bool {
	return atomChars[c]
}

var atomChars = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range []byte(`(){ "]`) {
		t[c] = false
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true // 8-bit in atoms: tolerated from servers (UTF-8 flags)
	}
	return
}()

// atom reads an atom. The result points into the buffer.
func (d *Decoder) atom() ([]byte, error) {
	start := d.pos
	for d.pos < d.fe && atomChars[d.buf[d.pos]] {
		d.pos++
	}
	if d.pos == start {
		return nil, d.syntaxErr("expected atom")
	}
	return d.buf[start:d.pos], nil
}

// astringAtom reads an atom that may contain ']' (ASTRING-CHAR).
func (d *Decoder) astringAtom() ([]byte, error) {
	start := d.pos
	for d.pos < d.fe && (atomChars[d.buf[d.pos]] || d.buf[d.pos] == ']') {
		d.pos++
	}
	if d.pos == start {
		return nil, d.syntaxErr("expected atom")
	}
	return d.buf[start:d.pos], nil
}

// number reads a 32-bit number (RFC 3501 nz-number and number).
func (d *Decoder) number() (uint32, error) {
	n, err := d.number64()
	if err != nil {
		return 0, err
	}
	if n > 0xffffffff {
		return 0, d.syntaxErr("number exceeds 32 bits")
	}
	return uint32(n), nil
}

// number64 reads a number of up to 63 bits (RFC 9051 number64).
func (d *Decoder) number64() (uint64, error) {
	start := d.pos
	var n uint64
	for d.pos < d.fe {
		c := d.buf[d.pos]
		if c < '0' || c > '9' {
			break
		}
		if n > (1<<63-1-9)/10 {
			return 0, d.syntaxErr("number exceeds 63 bits")
		}
		n = n*10 + uint64(c-'0')
		d.pos++
	}
	if d.pos == start {
		return 0, d.syntaxErr("expected number")
	}
	return n, nil
}

// isNIL reports whether NIL (any case) is at the position, and consumes it.
func (d *Decoder) isNIL() bool {
	if d.pos+3 <= d.fe {
		b := d.buf[d.pos : d.pos+3]
		if (b[0]|0x20) == 'n' && (b[1]|0x20) == 'i' && (b[2]|0x20) == 'l' {
			if d.pos+3 == d.fe || !atomChars[d.buf[d.pos+3]] {
				d.pos += 3
				return true
			}
		}
	}
	return false
}

// str reads a quoted string or a literal. Small values point into the
// buffer; a large literal is read into fresh memory (bounded by MaxLiteral).
func (d *Decoder) str() ([]byte, error) {
	switch d.peek() {
	case '"':
		return d.quoted()
	case '{', '~':
		v, stream, err := d.literal()
		if err != nil || stream == nil {
			return v, err
		}
		if d.rawStart >= 0 { // collecting an unknown FETCH item
			d.raw = append(d.raw, d.buf[d.rawStart:d.fe]...)
		}
		if v, err = d.readLiteral(stream); err != nil {
			return nil, d.lost(err)
		}
		if err = d.resume(); err != nil {
			return nil, d.lost(err)
		}
		if d.rawStart >= 0 {
			d.raw = append(d.raw, v...)
			d.rawStart = d.pos
		}
		return v, nil
	}
	return nil, d.syntaxErr("expected string")
}

// quoted reads a quoted string, removing its escapes.
func (d *Decoder) quoted() ([]byte, error) {
	d.pos++ // opening quote
	start := d.pos
	// One pass for the common case, a string without escapes.
	rest := d.buf[start:d.fe]
	if i := quoteStop(rest); i < len(rest) && rest[i] == '"' {
		d.pos += i + 1
		return rest[:i:i], nil
	}
	// Escapes, or an error: the careful loop.
	var out []byte
	for p := start; p < d.fe; p++ {
		c := d.buf[p]
		switch c {
		case '"':
			d.pos = p + 1
			return out, nil
		case '\\':
			p++
			if p >= d.fe {
				break
			}
			if c = d.buf[p]; c == '\r' || c == '\n' {
				d.pos = p
				return nil, d.syntaxErr("line break in quoted string")
			}
		case '\r', '\n':
			d.pos = p
			return nil, d.syntaxErr("line break in quoted string")
		}
		out = append(out, c)
	}
	return nil, d.syntaxErr("unterminated quoted string")
}

// literal reads a literal. A small one is returned in place; for a large
// one, stream is non-nil and the caller must read it or call
// readLargeLiteral.
func (d *Decoder) literal() (v []byte, stream *literalReader, err error) {
	if d.peek() == '~' {
		d.pos++ // literal8 (RFC 3516)
	}
	if err := d.expect('{'); err != nil {
		return nil, nil, err
	}
	n, err := d.number64()
	if err != nil {
		return nil, nil, err
	}
	if c := d.peek(); c == '+' || c == '-' {
		d.pos++
	}
	if err := d.expect('}'); err != nil {
		return nil, nil, err
	}
	if d.peek() == '\r' {
		d.pos++
	}
	if err := d.expect('\n'); err != nil {
		return nil, nil, err
	}
	if d.pos == d.fe && d.lit >= 0 {
		if int64(n) != d.lit {
			return nil, nil, d.syntaxErr("literal size mismatch")
		}
		return nil, d.takeLargeLiteral(), nil
	}
	if uint64(d.fe-d.pos) < n {
		return nil, nil, d.syntaxErr("literal runs past the frame")
	}
	v = d.buf[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return v, nil, nil
}

// nstring reads a string or NIL (nil result, no error).
func (d *Decoder) nstring() ([]byte, error) {
	if d.isNIL() {
		return nil, nil
	}
	return d.str()
}

// astring reads an atom (with ']' allowed) or a string.
func (d *Decoder) astring() ([]byte, error) {
	if d.atString() {
		return d.str()
	}
	return d.astringAtom()
}

// atString reports whether a quoted string or a literal starts at the
// position. '~' is an atom character: only "~{" starts a literal8.
func (d *Decoder) atString() bool {
	switch d.peek() {
	case '"', '{':
		return true
	case '~':
		return d.pos+1 < d.fe && d.buf[d.pos+1] == '{'
	}
	return false
}

// afterLiteral reads the next frame when a large literal was consumed.
// Callers that may follow a large literal call it before parsing on.
func (d *Decoder) afterLiteral() error {
	if d.needFrame {
		return d.resume()
	}
	return nil
}

// restOfLine returns the text up to the end of the line, without CRLF.
func (d *Decoder) restOfLine() []byte {
	end := d.fe
	if d.lit >= 0 {
		end = d.fe // the text includes a literal marker: keep it as text
	}
	if end > d.pos && d.buf[end-1] == '\n' {
		end--
	}
	if end > d.pos && d.buf[end-1] == '\r' {
		end--
	}
	v := d.buf[d.pos:end]
	d.pos = end
	return v
}

// str8 converts wire bytes to a Go string, reusing common constants.
func str8(b []byte) string {
	if n := len(b); n > 0 && n <= 16 {
		if s, ok := commonString(b); ok {
			return s
		}
	}
	return string(b)
}

// commonString returns the constant equal to b (1 to 16 bytes) when it is
// one of the common strings.
func commonString(b []byte) (string, bool) {
	// A small hash table in front of the map: most values of body
	// structures are among the common strings.
	e := &commonTable[commonHash(b)]
	if e[0] == string(b) {
		return e[0], true
	}
	if e[1] == string(b) {
		return e[1], true
	}
	if len(commonOverflow) > 0 {
		if s, ok := commonOverflow[string(b)]; ok {
			return s, true
		}
	}
	return "", false
}

func commonHash(b []byte) uint8 {
	n := len(b)
	return uint8(uint(n)*7 + uint(b[0])*31 + uint(b[n-1])*131 + uint(b[n/2])*17)
}

// commonTable holds the common strings by commonHash, two to a bucket;
// commonOverflow the few that did not fit.
var commonTable, commonOverflow = func() (t [256][2]string, over map[string]string) {
	for s := range common {
		e := &t[commonHash([]byte(s))]
		switch {
		case e[0] == "":
			e[0] = s
		case e[1] == "":
			e[1] = s
		default:
			if over == nil {
				over = map[string]string{}
			}
			over[s] = s
		}
	}
	return
}()

var common = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`, `\*`,
		"TEXT", "text", "PLAIN", "plain", "HTML", "html", "MULTIPART", "multipart",
		"MIXED", "mixed", "ALTERNATIVE", "alternative", "RELATED", "related",
		"APPLICATION", "application", "IMAGE", "image", "MESSAGE", "message",
		"RFC822", "rfc822", "OCTET-STREAM", "octet-stream", "PDF", "pdf",
		"JPEG", "jpeg", "PNG", "png", "7BIT", "7bit", "8BIT", "8bit",
		"BASE64", "base64", "QUOTED-PRINTABLE", "quoted-printable",
		"CHARSET", "charset", "UTF-8", "utf-8", "us-ascii", "US-ASCII",
		"iso-8859-1", "ISO-8859-1", "BOUNDARY", "boundary", "NAME", "name",
		"FILENAME", "filename", "ATTACHMENT", "attachment", "INLINE", "inline",
		"format", "flowed", "FORMAT", "FLOWED",
	} {
		m[s] = s
	}
	return m
}()

// quoteStop returns the index of the first '"', '\\', '\r' or '\n' in b, or
// len(b). Quoted strings are short (a metadata FETCH averages 15 bytes
// over 38 of them per message), too short for four bytes.IndexByte
// calls; this looks at 8 bytes per step instead of one.
func quoteStop(b []byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// A zero byte in y sets its top bit in (y-lo)&^y; the lowest such
		// bit is exact (a false one can only sit above a true one).
		q, e, r, n := x^(lo*'"'), x^(lo*'\\'), x^(lo*'\r'), x^(lo*'\n')
		if m := ((q-lo)&^q | (e-lo)&^e | (r-lo)&^r | (n-lo)&^n) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c == '\r' || c == '\n' {
			break
		}
	}
	return i
}
