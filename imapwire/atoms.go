package imapwire

// IsAtom reports whether s can be sent as an atom: non-empty, 7-bit
// printable, and free of atom-specials "(){ %*\"\\]" (RFC 3501 section 9).
func IsAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !sendAtomChars[s[i]] {
			return false
		}
	}
	return true
}

// isAStringAtom reports whether s can be sent as an astring atom: as IsAtom
// but ']' is allowed (ASTRING-CHAR). "NIL" is sent quoted, so a name is
// never mistaken for NIL by a lenient server.
func isAStringAtom(s string) bool {
	if s == "" || len(s) == 3 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'i' && (s[2]|0x20) == 'l' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !sendAtomChars[c] && c != ']' {
			return false
		}
	}
	return true
}

var sendAtomChars = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range []byte(`(){ %*"\]`) {
		t[c] = false
	}
	return
}()

// validTag reports whether s is a valid command tag: an astring atom
// without '+' (RFC 3501 section 9, "tag").
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || !sendAtomChars[c] {
			return false
		}
	}
	return true
}
