package imapwire

import (
	"strconv"
	"strings"
)

// ValueKind tells the kinds of Value apart.
type ValueKind uint8

// Kinds of command arguments.
const (
	// ValueAtom is an atom: a keyword ("FLAGS", "+FLAGS.SILENT"), a flag
	// ("\Seen"), a sequence set ("1:*", "2,4:7"), a date ("1-Feb-1994"), an
	// unquoted mailbox name, or a FETCH attribute with its section
	// ("BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>").
	ValueAtom ValueKind = iota + 1
	// ValueNumber is an atom made only of digits that fits in 63 bits. Its
	// text is in Atom too, so a sequence set of one number or a mailbox
	// named "2024" can still be read as text.
	ValueNumber
	// ValueString is a quoted string or a literal.
	ValueString
	// ValueNIL is the atom NIL, in any case.
	ValueNIL
	// ValueList is a parenthesised list.
	ValueList
)

// String returns the kind's name.
func (k ValueKind) String() string {
	switch k {
	case ValueAtom:
		return "Atom"
	case ValueNumber:
		return "Number"
	case ValueString:
		return "String"
	case ValueNIL:
		return "NIL"
	case ValueList:
		return "List"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one argument of a client command, as a generic tree: IMAP's
// command grammar is regular enough that a server can tokenise every
// command the same way and interpret the arguments afterwards.
//
// Values own their memory: they stay valid after later calls on the
// CommandDecoder.
type Value struct {
	Kind ValueKind
	// Atom is the text of an atom, a number or NIL, exactly as sent.
	Atom string
	// Str is the content of a string (quoted string or literal).
	Str []byte
	// Num is the value of a number.
	Num uint64
	// List holds the elements of a list.
	List []Value
	// Literal reports that a string was sent as a literal; Binary that it
	// was a literal8 "~{N}" (RFC 3516), which may hold NUL bytes.
	Literal, Binary bool
}

// AString returns the value as an astring (RFC 3501 section 9): the text of
// an atom, number or NIL, or the content of a string. It reports false for
// a list.
func (v *Value) AString() (string, bool) {
	switch v.Kind {
	case ValueAtom, ValueNumber, ValueNIL:
		return v.Atom, true
	case ValueString:
		return string(v.Str), true
	}
	return "", false
}

// IsAtom reports whether v is an atom, number or NIL whose text equals
// name, compared case-insensitively (command keywords are
// case-insensitive).
func (v *Value) IsAtom(name string) bool {
	switch v.Kind {
	case ValueAtom, ValueNumber, ValueNIL:
		return strings.EqualFold(v.Atom, name)
	}
	return false
}

// String renders the value for debugging and tests: atoms, numbers and NIL
// as sent, strings Go-quoted (with a "~" before a literal8), lists in
// parentheses. It is not IMAP syntax, and it prints credentials as they
// are: do not log the arguments of LOGIN or AUTHENTICATE.
func (v Value) String() string {
	var b strings.Builder
	v.render(&b)
	return b.String()
}

func (v *Value) render(b *strings.Builder) {
	switch v.Kind {
	case ValueString:
		if v.Binary {
			b.WriteByte('~')
		}
		b.WriteString(strconv.Quote(string(v.Str)))
	case ValueList:
		b.WriteByte('(')
		for i := range v.List {
			if i > 0 {
				b.WriteByte(' ')
			}
			v.List[i].render(b)
		}
		b.WriteByte(')')
	default:
		b.WriteString(v.Atom)
	}
}

// FormatValues renders values with Value.String, separated by spaces.
func FormatValues(vs []Value) string {
	var b strings.Builder
	for i := range vs {
		if i > 0 {
			b.WriteByte(' ')
		}
		vs[i].render(&b)
	}
	return b.String()
}

// ClientCommand is one command read by a CommandDecoder.
type ClientCommand struct {
	// Tag is the command's tag.
	Tag string
	// Name is the command's name, upper-cased. The UID prefix is joined to
	// the command it applies to: "UID FETCH", "UID STORE", "UID EXPUNGE".
	Name string
	// Args are the arguments after the name.
	Args []Value
}

// atomValue classifies the text of an atom: NIL, a number or an atom.
func atomValue(text string) Value {
	if len(text) == 3 && strings.EqualFold(text, "NIL") {
		return Value{Kind: ValueNIL, Atom: text}
	}
	if n, ok := parseDigits(text); ok {
		return Value{Kind: ValueNumber, Atom: text, Num: n}
	}
	return Value{Kind: ValueAtom, Atom: text}
}

// parseDigits parses a non-empty run of ASCII digits of at most 63 bits.
func parseDigits(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || n > (1<<63-1-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
