package mutf7

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// alphabet is the modified base64 alphabet of RFC 3501 section 5.1.3:
// standard base64 with ',' in place of '/'.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

// decodeTable maps a byte to its 6-bit value in alphabet, or 0xff.
var decodeTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// isPrintable reports whether c is printable US-ASCII (0x20 through 0x7e).
func isPrintable(c byte) bool { return c >= 0x20 && c <= 0x7e }

// isDirect reports whether c represents itself in modified UTF-7.
func isDirect(c byte) bool { return isPrintable(c) && c != '&' }

// Encode returns s, a UTF-8 string, encoded in modified UTF-7.
//
// Printable US-ASCII characters other than "&" are copied unchanged, "&"
// becomes "&-", and each maximal run of other characters (non-ASCII
// characters, control characters and DEL) is written as "&", the modified
// base64 encoding of its UTF-16BE code units, and "-". Characters outside
// the Basic Multilingual Plane are encoded as surrogate pairs.
//
// Each byte of s that is not part of a valid UTF-8 sequence is encoded as
// U+FFFD (the Unicode replacement character), so Encode never fails; such
// input does not survive a round trip through Decode unchanged.
//
// If s consists only of printable US-ASCII and contains no "&", Encode
// returns s itself without allocating.
func Encode(s string) string {
	i := 0
	for i < len(s) && isDirect(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2 + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if isDirect(c) {
			b.WriteByte(c)
			i++
			continue
		}
		if c == '&' {
			b.WriteString("&-")
			i++
			continue
		}
		b.WriteByte('&')
		e := encoder{b: &b}
		for i < len(s) && !isPrintable(s[i]) {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size // r is utf8.RuneError for an invalid byte
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				e.unit(uint32(r1))
				e.unit(uint32(r2))
			} else {
				e.unit(uint32(r))
			}
		}
		e.flush()
		b.WriteByte('-')
	}
	return b.String()
}

// encoder writes UTF-16 code units in modified base64.
type encoder struct {
	b     *strings.Builder
	bits  uint32 // pending bits, in the low nbits bits
	nbits uint   // number of pending bits, always < 6 between calls
}

// unit appends the 16-bit code unit u.
func (e *encoder) unit(u uint32) {
	e.bits = e.bits<<16 | u
	e.nbits += 16
	for e.nbits >= 6 {
		e.nbits -= 6
		e.b.WriteByte(alphabet[(e.bits>>e.nbits)&0x3f])
	}
	e.bits &= 1<<e.nbits - 1
}

// flush writes any pending bits, padded with zero bits.
func (e *encoder) flush() {
	if e.nbits > 0 {
		e.b.WriteByte(alphabet[(e.bits<<(6-e.nbits))&0x3f])
	}
}

// DecodeError describes malformed modified UTF-7 input.
type DecodeError struct {
	// Offset is the byte offset in the input at which the problem was
	// detected.
	Offset int
	// Reason describes the problem.
	Reason string
}

// Error returns a message of the form
// "mutf7: <reason> at offset <offset>".
func (e *DecodeError) Error() string {
	return "mutf7: " + e.Reason + " at offset " + strconv.Itoa(e.Offset)
}

func errAt(off int, reason string) error {
	return &DecodeError{Offset: off, Reason: reason}
}

// Decode decodes s from modified UTF-7 and returns it as a UTF-8 string.
//
// Decode is strict: it accepts only the canonical encoding that Encode
// produces, so that Encode(result) == s whenever the error is nil. It
// returns a *DecodeError if s contains a byte outside printable US-ASCII,
// an "&" run without a terminating "-", a character outside the modified
// base64 alphabet inside a run, non-zero padding bits or a partial UTF-16
// code unit at the end of a run, an unpaired surrogate, an encoded
// printable US-ASCII character (which RFC 3501 requires to represent
// itself), or an encoded run that immediately follows another encoded run
// (RFC 3501 requires such runs to be merged).
//
// If s consists only of printable US-ASCII and contains no "&", Decode
// returns s itself without allocating.
func Decode(s string) (string, error) {
	i := 0
	for i < len(s) && isDirect(s[i]) {
		i++
	}
	if i == len(s) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	b.WriteString(s[:i])
	lastRunEnd := -1 // offset just past the last encoded run's '-'
	for i < len(s) {
		c := s[i]
		if !isPrintable(c) {
			return "", errAt(i, "byte "+quoteByte(c)+" outside printable US-ASCII")
		}
		if c != '&' {
			b.WriteByte(c)
			i++
			continue
		}
		start := i
		i++
		if i == len(s) {
			return "", errAt(start, "unterminated \"&\" run")
		}
		if s[i] == '-' {
			b.WriteByte('&')
			i++
			continue
		}
		if start == lastRunEnd {
			return "", errAt(start, "encoded run adjacent to previous encoded run")
		}
		var (
			bits  uint32
			nbits uint
			hi    rune // pending high surrogate, or 0
		)
		for {
			if i == len(s) {
				return "", errAt(start, "unterminated \"&\" run")
			}
			c = s[i]
			if c == '-' {
				break
			}
			v := decodeTable[c]
			if v == 0xff {
				return "", errAt(i, "invalid modified base64 character "+quoteByte(c))
			}
			bits = bits<<6 | uint32(v)
			nbits += 6
			if nbits >= 16 {
				nbits -= 16
				u := rune(bits>>nbits) & 0xffff
				bits &= 1<<nbits - 1
				switch {
				case hi != 0:
					if !utf16.IsSurrogate(u) || u < 0xdc00 {
						return "", errAt(i, "unpaired high surrogate")
					}
					b.WriteRune(utf16.DecodeRune(hi, u))
					hi = 0
				case u >= 0xd800 && u < 0xdc00:
					hi = u
				case u >= 0xdc00 && u < 0xe000:
					return "", errAt(i, "unpaired low surrogate")
				case u >= 0x20 && u <= 0x7e:
					return "", errAt(i, "encoded printable US-ASCII character")
				default:
					b.WriteRune(u)
				}
			}
			i++
		}
		if nbits >= 6 {
			return "", errAt(i, "partial UTF-16 code unit at end of run")
		}
		if bits != 0 {
			return "", errAt(i, "non-zero padding bits at end of run")
		}
		if hi != 0 {
			return "", errAt(i, "unpaired high surrogate")
		}
		i++
		lastRunEnd = i
	}
	return b.String(), nil
}

// quoteByte formats c for an error message.
func quoteByte(c byte) string {
	const hex = "0123456789abcdef"
	return string([]byte{'0', 'x', hex[c>>4], hex[c&0xf]})
}

// DecodeLenient returns the result of Decode(s), or s unchanged if s is
// not valid modified UTF-7. It suits data such as LIST responses, where
// one malformed mailbox name must not fail the whole listing.
func DecodeLenient(s string) string {
	d, err := Decode(s)
	if err != nil {
		return s
	}
	return d
}

// Valid reports whether s is valid, canonical modified UTF-7, that is,
// whether Decode(s) succeeds.
func Valid(s string) bool {
	_, err := Decode(s)
	return err == nil
}
