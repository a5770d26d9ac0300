package sasl

import (
	"strings"
	"unicode/utf8"
)

// saslPrep prepares a user name or password for SCRAM (RFC 5802 sections
// 2.2 and 5.1) following SASLprep (RFC 4013) pragmatically, with the standard
// library only:
//
//   - Mapping (RFC 4013 section 2.1) is done in full: non-ASCII space
//     characters (RFC 3454 table C.1.2) become U+0020 and the characters
//     "commonly mapped to nothing" (table B.1) are removed.
//   - Normalisation with Unicode form KC (RFC 4013 section 2.2) is NOT
//     done. ASCII strings are unaffected; other strings must already be in
//     form KC (for most text, NFC and NFKC coincide), or the server, which
//     normalises, will derive different keys and authentication fails.
//   - Prohibited output (RFC 4013 section 2.3) is rejected: ASCII and
//     non-ASCII control characters, private use code points,
//     non-characters, characters inappropriate for plain text or canonical
//     representation, display-changing characters and tagging characters
//     (tables C.2 to C.9). Invalid UTF-8 is rejected too, which also
//     excludes surrogates (table C.5).
//   - The bidirectional check (RFC 3454 section 6) and the unassigned code
//     point check (RFC 4013 section 2.5) are not done.
//
// On failure it returns a description of the problem as its second
// result; the description never includes s.
func saslPrep(s string) (string, string) {
	if isPrintableASCII(s) {
		return s, ""
	}
	if !utf8.ValidString(s) {
		return "", "is not valid UTF-8"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case mappedToNothing(r):
			continue
		case nonASCIISpace(r):
			b.WriteByte(' ')
			continue
		case prohibited(r):
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				return "", "contains a control character"
			}
			return "", "contains a character prohibited by SASLprep"
		}
		b.WriteRune(r)
	}
	return b.String(), ""
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// mappedToNothing reports whether r is in RFC 3454 table B.1.
func mappedToNothing(r rune) bool {
	switch r {
	case 0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D,
		0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return true
	}
	return r >= 0xFE00 && r <= 0xFE0F
}

// nonASCIISpace reports whether r is in RFC 3454 table C.1.2.
func nonASCIISpace(r rune) bool {
	switch r {
	case 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200B
}

// prohibited reports whether r is in one of RFC 3454 tables C.2.1 to C.9
// (C.1.2 and the members of C.2.2 that are also in B.1 are mapped before
// this check and never reach it).
func prohibited(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f: // C.2.1
		return true
	case r >= 0x80 && r <= 0x9f: // C.2.2
		return true
	case r >= 0xE000 && r <= 0xF8FF, // C.3
		r >= 0xF0000 && r <= 0xFFFFD,
		r >= 0x100000 && r <= 0x10FFFD:
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // C.4
		return true
	case r >= 0xFFF9 && r <= 0xFFFD: // C.2.2, C.6
		return true
	case r >= 0x2FF0 && r <= 0x2FFB: // C.7
		return true
	case r >= 0x2028 && r <= 0x202E, // C.2.2, C.8
		r >= 0x2060 && r <= 0x2063,
		r >= 0x206A && r <= 0x206F,
		r == 0x200E, r == 0x200F, r == 0x0340, r == 0x0341:
		return true
	case r == 0x06DD, r == 0x070F, r == 0x180E: // C.2.2
		return true
	case r >= 0x1D173 && r <= 0x1D17A: // C.2.2
		return true
	case r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}
