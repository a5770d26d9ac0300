package imapmemserver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// searchMsg is what a SEARCH key looks at in one message.
type searchMsg struct {
	seq, uid     uint32
	flags        []string // system flags, keywords, and \Recent when the message is recent
	internalDate time.Time
	size         int64 // RFC822.SIZE
	modseq       uint64
	msg          *parsedMessage
}

// matcher reports whether a message matches compiled search criteria.
// maxSeq and maxUID are the values of "*" in sequence sets (the number of
// messages and the highest UID in the mailbox).
type matcher func(m *searchMsg, maxSeq, maxUID uint32) bool

// errBadCharset is wrapped by the error compileSearch returns for a
// CHARSET it does not support: answer NO [BADCHARSET (searchCharsets)].
var errBadCharset = errors.New("unsupported search charset")

// searchCharsets are the charsets named in the BADCHARSET response code.
// compileSearch also accepts every other charset golang.org/x/text knows
// (ISO-8859-1, KOI8-R, ...), as Dovecot does.
var searchCharsets = []string{"US-ASCII", "UTF-8"}

// maxSearchDepth bounds the nesting of NOT, OR and parentheses.
const maxSearchDepth = 100

// compileSearch compiles SEARCH criteria: args are the search keys after
// the optional "CHARSET x", which the caller passes as charset ("" when
// absent). Every RFC 3501 key is supported, with MODSEQ (RFC 7162). The
// keys of a list, and of the top level, must all match.
//
// String keys (BCC, BODY, CC, FROM, HEADER, SUBJECT, TEXT, TO) match a
// case-insensitive substring of the decoded text: header values with their
// RFC 2047 encoded words decoded, text parts with their transfer encoding
// and charset undone. BODY looks at the text parts, TEXT at them and every
// header (field names included); an empty string matches every message,
// or with HEADER and the address and subject keys, the messages that have
// the field. Dates compare by date alone: BEFORE, ON and SINCE the
// internal date in its own zone, SENT* the Date header in its own zone (a
// message without one, or with one that cannot be parsed, counts as sent
// on 1-Jan-1970, as in Dovecot).
//
// The strings of criteria in another charset are converted to UTF-8
// first. A charset that golang.org/x/text does not know, or a string
// that is not valid in it, gives an error wrapping errBadCharset (answer
// NO [BADCHARSET]); any other error is a syntax error (answer BAD).
func compileSearch(args []imapwire.Value, charset string) (matcher, error) {
	if charset != "" && !strings.EqualFold(charset, "UTF-8") && !strings.EqualFold(charset, "US-ASCII") {
		e := lookupCharset(charset)
		if e == nil {
			return nil, fmt.Errorf("%w %q", errBadCharset, charset)
		}
		var err error
		if args, err = searchArgsToUTF8(args, e); err != nil {
			return nil, fmt.Errorf("%w %q: %v", errBadCharset, charset, err)
		}
	}
	if len(args) == 0 {
		return nil, errors.New("missing search criteria")
	}
	c := &searchCompiler{}
	return c.all(args, 0)
}

// searchArgsToUTF8 returns a copy of args with the content of every
// string (quoted or literal) converted from e to UTF-8. Atoms are left as
// they are: search keys and ASCII values.
func searchArgsToUTF8(args []imapwire.Value, e encoding.Encoding) ([]imapwire.Value, error) {
	out := make([]imapwire.Value, len(args))
	for i, v := range args {
		switch v.Kind {
		case imapwire.ValueString:
			s, err := e.NewDecoder().Bytes(v.Str)
			if err != nil {
				return nil, err
			}
			v.Str = s
		case imapwire.ValueList:
			l, err := searchArgsToUTF8(v.List, e)
			if err != nil {
				return nil, err
			}
			v.List = l
		}
		out[i] = v
	}
	return out, nil
}

type searchCompiler struct{}

// all compiles a list of keys that must all match.
func (c *searchCompiler) all(args []imapwire.Value, depth int) (matcher, error) {
	var ms []matcher
	for len(args) > 0 {
		m, rest, err := c.key(args, depth)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
		args = rest
	}
	if len(ms) == 1 {
		return ms[0], nil
	}
	return func(msg *searchMsg, maxSeq, maxUID uint32) bool {
		for _, m := range ms {
			if !m(msg, maxSeq, maxUID) {
				return false
			}
		}
		return true
	}, nil
}

// key compiles the key at args[0] and returns the arguments after it.
func (c *searchCompiler) key(args []imapwire.Value, depth int) (matcher, []imapwire.Value, error) {
	if depth > maxSearchDepth {
		return nil, nil, errors.New("search criteria nested too deeply")
	}
	v := &args[0]
	args = args[1:]
	switch v.Kind {
	case imapwire.ValueList:
		if len(v.List) == 0 {
			return nil, nil, errors.New("empty parenthesised search key")
		}
		m, err := c.all(v.List, depth+1)
		return m, args, err
	case imapwire.ValueNumber:
		set, err := parseSearchSet(v.Atom)
		if err != nil {
			return nil, nil, err
		}
		return seqMatcher(set), args, nil
	case imapwire.ValueAtom:
	default:
		return nil, nil, fmt.Errorf("unexpected %s in search criteria", v.Kind)
	}
	name := strings.ToUpper(v.Atom)
	if flag, ok := flagKeys[name]; ok {
		return flagMatcher(flag, true), args, nil
	}
	if flag, ok := unflagKeys[name]; ok {
		return flagMatcher(flag, false), args, nil
	}
	switch name {
	case "ALL":
		return func(*searchMsg, uint32, uint32) bool { return true }, args, nil
	case "NEW":
		return func(m *searchMsg, _, _ uint32) bool {
			return searchHasFlag(m.flags, `\Recent`) && !searchHasFlag(m.flags, `\Seen`)
		}, args, nil
	case "OLD":
		return flagMatcher(`\Recent`, false), args, nil
	case "NOT":
		if len(args) == 0 {
			return nil, nil, errors.New("NOT needs a search key")
		}
		m, rest, err := c.key(args, depth+1)
		if err != nil {
			return nil, nil, err
		}
		return func(msg *searchMsg, maxSeq, maxUID uint32) bool { return !m(msg, maxSeq, maxUID) }, rest, nil
	case "OR":
		if len(args) == 0 {
			return nil, nil, errors.New("OR needs two search keys")
		}
		a, rest, err := c.key(args, depth+1)
		if err != nil {
			return nil, nil, err
		}
		if len(rest) == 0 {
			return nil, nil, errors.New("OR needs two search keys")
		}
		b, rest, err := c.key(rest, depth+1)
		if err != nil {
			return nil, nil, err
		}
		return func(msg *searchMsg, maxSeq, maxUID uint32) bool {
			return a(msg, maxSeq, maxUID) || b(msg, maxSeq, maxUID)
		}, rest, nil
	case "KEYWORD", "UNKEYWORD":
		flag, rest, err := stringArg(name, args)
		if err != nil {
			return nil, nil, err
		}
		return flagMatcher(flag, name == "KEYWORD"), rest, nil
	case "LARGER", "SMALLER":
		n, rest, err := numberArg(name, args)
		if err != nil {
			return nil, nil, err
		}
		if name == "LARGER" {
			return func(m *searchMsg, _, _ uint32) bool { return m.size >= 0 && uint64(m.size) > n }, rest, nil
		}
		return func(m *searchMsg, _, _ uint32) bool { return m.size < 0 || uint64(m.size) < n }, rest, nil
	case "UID":
		if len(args) == 0 || (args[0].Kind != imapwire.ValueAtom && args[0].Kind != imapwire.ValueNumber) {
			return nil, nil, errors.New("UID needs a sequence set")
		}
		set, err := parseSearchSet(args[0].Atom)
		if err != nil {
			return nil, nil, err
		}
		return func(m *searchMsg, _, maxUID uint32) bool { return setContains(set, m.uid, maxUID) }, args[1:], nil
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		return dateKey(name, args)
	case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO":
		s, rest, err := stringArg(name, args)
		if err != nil {
			return nil, nil, err
		}
		return textMatcher(name, s), rest, nil
	case "HEADER":
		field, rest, err := stringArg(name, args)
		if err != nil {
			return nil, nil, err
		}
		s, rest, err := stringArg(name, rest)
		if err != nil {
			return nil, nil, err
		}
		return headerMatcher(field, s), rest, nil
	case "MODSEQ":
		return modseqKey(args)
	}
	if set, err := parseSearchSet(v.Atom); err == nil {
		return seqMatcher(set), args, nil
	}
	return nil, nil, fmt.Errorf("unknown search key %q", v.Atom)
}

var flagKeys = map[string]string{
	"ANSWERED": `\Answered`, "DELETED": `\Deleted`, "DRAFT": `\Draft`,
	"FLAGGED": `\Flagged`, "RECENT": `\Recent`, "SEEN": `\Seen`,
}

var unflagKeys = map[string]string{
	"UNANSWERED": `\Answered`, "UNDELETED": `\Deleted`, "UNDRAFT": `\Draft`,
	"UNFLAGGED": `\Flagged`, "UNSEEN": `\Seen`,
}

func searchHasFlag(flags []string, flag string) bool {
	for _, f := range flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}

func flagMatcher(flag string, want bool) matcher {
	return func(m *searchMsg, _, _ uint32) bool { return searchHasFlag(m.flags, flag) == want }
}

func seqMatcher(set imap.NumSet) matcher {
	return func(m *searchMsg, maxSeq, _ uint32) bool { return setContains(set, m.seq, maxSeq) }
}

// setContains reports whether n is in set, "*" being max. As RFC 3501
// says, "*" is the largest number in use, so "10:*" holds it even when it
// is below 10.
func setContains(set imap.NumSet, n, max uint32) bool {
	for _, r := range set {
		lo, hi := r.Start, r.Stop
		if lo == imap.Star {
			lo = max
		}
		if hi == imap.Star {
			hi = max
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if n >= lo && n <= hi && n != 0 {
			return true
		}
	}
	return false
}

// parseSearchSet parses a sequence set in strict IMAP syntax (RFC 3501
// sequence-set): numbers from 1 and "*", ranges with ":", commas.
func parseSearchSet(s string) (imap.NumSet, error) {
	if s == "" {
		return nil, errors.New("empty sequence set")
	}
	var set imap.NumSet
	for _, elem := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(elem, ":")
		lo, err := parseSetNumber(a)
		if err != nil {
			return nil, fmt.Errorf("invalid sequence set %q: %v", s, err)
		}
		hi := lo
		if isRange {
			if hi, err = parseSetNumber(b); err != nil {
				return nil, fmt.Errorf("invalid sequence set %q: %v", s, err)
			}
		}
		set = append(set, imap.Range{Start: lo, Stop: hi})
	}
	return set, nil
}

func parseSetNumber(s string) (uint32, error) {
	if s == "*" {
		return imap.Star, nil
	}
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, errors.New("not a number")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("not a 32-bit number")
	}
	return uint32(n), nil
}

// stringArg returns the astring argument of key.
func stringArg(key string, args []imapwire.Value) (string, []imapwire.Value, error) {
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%s needs an argument", key)
	}
	s, ok := args[0].AString()
	if !ok {
		return "", nil, fmt.Errorf("%s needs a string, not a list", key)
	}
	return s, args[1:], nil
}

// numberArg returns the number argument of key (a number, or a string of
// digits).
func numberArg(key string, args []imapwire.Value) (uint64, []imapwire.Value, error) {
	if len(args) == 0 {
		return 0, nil, fmt.Errorf("%s needs a number", key)
	}
	v := &args[0]
	if v.Kind == imapwire.ValueNumber {
		return v.Num, args[1:], nil
	}
	if v.Kind == imapwire.ValueString {
		if n, err := strconv.ParseUint(string(v.Str), 10, 63); err == nil && len(v.Str) > 0 && v.Str[0] != '+' {
			return n, args[1:], nil
		}
	}
	return 0, nil, fmt.Errorf("%s needs a number", key)
}

// parseSearchDate parses an IMAP date ("1-Feb-1994", "01-feb-1994"),
// returned as midnight UTC of that day.
func parseSearchDate(s string) (time.Time, bool) {
	d, rest, ok1 := strings.Cut(s, "-")
	mon, y, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || len(d) < 1 || len(d) > 2 || len(mon) != 3 || len(y) != 4 {
		return time.Time{}, false
	}
	day, err1 := strconv.Atoi(d)
	year, err2 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || d[0] == '+' || y[0] == '+' || y[0] == '-' {
		return time.Time{}, false
	}
	month := 0
	for i, name := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.EqualFold(mon, name) {
			month = i + 1
		}
	}
	if month == 0 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31-Feb
	}
	return t, true
}

// dayOf returns midnight UTC of t's date in t's own location.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dateKey(name string, args []imapwire.Value) (matcher, []imapwire.Value, error) {
	s, rest, err := stringArg(name, args)
	if err != nil {
		return nil, nil, err
	}
	day, ok := parseSearchDate(s)
	if !ok {
		return nil, nil, fmt.Errorf("%s: invalid date %q", name, s)
	}
	var cmp func(d time.Time) bool
	switch strings.TrimPrefix(name, "SENT") {
	case "BEFORE":
		cmp = func(d time.Time) bool { return d.Before(day) }
	case "ON":
		cmp = func(d time.Time) bool { return d.Equal(day) }
	default: // SINCE
		cmp = func(d time.Time) bool { return !d.Before(day) }
	}
	if strings.HasPrefix(name, "SENT") {
		return func(m *searchMsg, _, _ uint32) bool {
			if m.msg == nil {
				return false
			}
			return cmp(m.msg.searchData().sent)
		}, rest, nil
	}
	return func(m *searchMsg, _, _ uint32) bool { return cmp(dayOf(m.internalDate)) }, rest, nil
}

// modseqKey compiles MODSEQ [entry-name entry-type-req] mod-sequence-valzer
// (RFC 7162 section 3.1.5). The entry is accepted and ignored: a message
// has one mod-sequence here.
func modseqKey(args []imapwire.Value) (matcher, []imapwire.Value, error) {
	if len(args) > 0 && args[0].Kind == imapwire.ValueString {
		if len(args) < 2 {
			return nil, nil, errors.New("MODSEQ: missing entry type")
		}
		switch strings.ToLower(args[1].Atom) {
		case "priv", "shared", "all":
		default:
			return nil, nil, errors.New("MODSEQ: entry type must be priv, shared or all")
		}
		if args[1].Kind != imapwire.ValueAtom {
			return nil, nil, errors.New("MODSEQ: entry type must be priv, shared or all")
		}
		args = args[2:]
	}
	if len(args) == 0 || args[0].Kind != imapwire.ValueNumber {
		return nil, nil, errors.New("MODSEQ needs a number")
	}
	n := args[0].Num
	return func(m *searchMsg, _, _ uint32) bool { return m.modseq >= n }, args[1:], nil
}

// textMatcher compiles BCC, BODY, CC, FROM, SUBJECT, TEXT and TO.
func textMatcher(key, s string) matcher {
	switch key {
	case "BODY", "TEXT":
		needle := foldText(s)
		return func(m *searchMsg, _, _ uint32) bool {
			if m.msg == nil {
				return needle == ""
			}
			st := m.msg.searchData()
			if strings.Contains(st.body, needle) {
				return true
			}
			return key == "TEXT" && strings.Contains(st.headers, needle)
		}
	}
	field := map[string]string{"BCC": "Bcc", "CC": "Cc", "FROM": "From", "SUBJECT": "Subject", "TO": "To"}[key]
	return headerMatcher(field, s)
}

// headerMatcher compiles HEADER field string: a field of that name whose
// decoded value holds the string. An empty string matches a message that
// has the field.
func headerMatcher(field, s string) matcher {
	needle := foldText(s)
	return func(m *searchMsg, _, _ uint32) bool {
		if m.msg == nil {
			return false
		}
		for _, f := range m.msg.searchData().fields {
			if strings.EqualFold(f.name, field) && strings.Contains(f.value, needle) {
				return true
			}
		}
		return false
	}
}
