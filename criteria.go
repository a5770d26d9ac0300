package imapclient

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Criteria are search criteria for Search, Sort and Thread, built with
// methods that each add one search key (RFC 3501 section 6.4.4). Keys
// added one after the other must all match (IMAP's implicit AND). The zero
// value is empty and serves as the starting point; Criteria values are
// immutable, so one empty value can start many expressions:
//
//	var q imapclient.Criteria
//	crit := q.From("alice").Unseen().Since(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)).
//		Or(q.Subject("report"), q.Subject("Bericht für März"))
//	res, err := c.Search(ctx, crit, nil)
//
// sends UID SEARCH CHARSET UTF-8 FROM alice UNSEEN SINCE 01-Mar-2024 OR
// SUBJECT report SUBJECT {18+} (on a LITERAL+ server) with the 8-bit
// subject as a literal.
//
// Values (the strings given to From, Subject, Header, ...) are always sent
// as values: as an atom, a quoted string or a literal, whichever the
// grammar requires, so no value can break out of its argument, add a key
// or end the command line. Text with 8-bit characters goes as a literal
// and makes Search add CHARSET UTF-8 (see SearchOptions). A value holding
// NUL cannot be sent and is an error before anything is sent.
//
// Raw adds text in IMAP search syntax as it is; Key adds any key with
// values, for extensions this type does not model. Search, Sort and
// Thread also take IMAPClient's forms: a raw string and nested slices (see
// Client.Search).
//
// Errors in building (a NUL in a value, an invalid message set, a keyword
// that is not an atom) are kept in the value and reported by Search as an
// *InvalidCriteriaError before anything is sent.
type Criteria struct {
	keys  []critKey
	err   error
	needs []string // capabilities the keys need
}

// critKey is one search-key (single) or a run of tokens that may hold
// several (raw text, a slice in IMAPClient's style).
type critKey struct {
	toks   []node
	single bool
}

type nodeKind uint8

const (
	nText  nodeKind = iota // validated ASCII text sent as it is: keywords, atoms, dates, set strings
	nRaw                   // the caller's raw criteria text (validated)
	nStr                   // a value: atom, quoted or literal as needed; transcoded to the charset
	nBytes                 // a value given as bytes: sent as given
	nNum                   // a number
	nSet                   // a message set
	nGroup                 // a parenthesised list of kids
)

// node is one token of criteria.
type node struct {
	kind nodeKind
	s    string
	n    uint64
	set  imap.NumSet
	kids []node
	lit  bool // force a literal (bytes that are not UTF-8 text)
}

// maxCriteriaDepth bounds the nesting of slices in IMAPClient's style (a
// []any can hold itself).
const maxCriteriaDepth = 64

// Err returns the first error met while building the criteria, or nil.
func (c Criteria) Err() error { return c.err }

// IsEmpty reports whether no key was added.
func (c Criteria) IsEmpty() bool { return len(c.keys) == 0 }

func (c Criteria) add(single bool, toks ...node) Criteria {
	c.keys = append(slices.Clip(c.keys), critKey{toks: toks, single: single})
	return c
}

func (c Criteria) fail(format string, args ...any) Criteria {
	if c.err == nil {
		c.err = &InvalidCriteriaError{Msg: fmt.Sprintf(format, args...)}
	}
	return c
}

func (c Criteria) need(capName string) Criteria {
	if !slices.Contains(c.needs, capName) {
		c.needs = append(slices.Clip(c.needs), capName)
	}
	return c
}

func text(s string) node { return node{kind: nText, s: s} }

// valueNode checks a value string.
func valueNode(key, v string) (node, error) {
	if strings.IndexByte(v, 0) >= 0 {
		return node{}, &InvalidCriteriaError{Msg: fmt.Sprintf("%s: a value cannot hold NUL", key)}
	}
	return node{kind: nStr, s: v}, nil
}

func (c Criteria) keyValue(key, v string) Criteria {
	n, err := valueNode(key, v)
	if err != nil {
		return c.merge(Criteria{err: err})
	}
	return c.add(true, text(key), n)
}

// Flag keys without arguments (RFC 3501 section 6.4.4).

// All matches every message in the folder (ALL).
func (c Criteria) All() Criteria { return c.add(true, text("ALL")) }

// Answered matches messages with \Answered (ANSWERED).
func (c Criteria) Answered() Criteria { return c.add(true, text("ANSWERED")) }

// Unanswered matches messages without \Answered (UNANSWERED).
func (c Criteria) Unanswered() Criteria { return c.add(true, text("UNANSWERED")) }

// Deleted matches messages with \Deleted (DELETED).
func (c Criteria) Deleted() Criteria { return c.add(true, text("DELETED")) }

// Undeleted matches messages without \Deleted (UNDELETED).
func (c Criteria) Undeleted() Criteria { return c.add(true, text("UNDELETED")) }

// Draft matches messages with \Draft (DRAFT).
func (c Criteria) Draft() Criteria { return c.add(true, text("DRAFT")) }

// Undraft matches messages without \Draft (UNDRAFT).
func (c Criteria) Undraft() Criteria { return c.add(true, text("UNDRAFT")) }

// Flagged matches messages with \Flagged (FLAGGED).
func (c Criteria) Flagged() Criteria { return c.add(true, text("FLAGGED")) }

// Unflagged matches messages without \Flagged (UNFLAGGED).
func (c Criteria) Unflagged() Criteria { return c.add(true, text("UNFLAGGED")) }

// Seen matches messages with \Seen (SEEN).
func (c Criteria) Seen() Criteria { return c.add(true, text("SEEN")) }

// Unseen matches messages without \Seen (UNSEEN).
func (c Criteria) Unseen() Criteria { return c.add(true, text("UNSEEN")) }

// Recent matches messages with \Recent (RECENT; IMAP4rev2 dropped it).
func (c Criteria) Recent() Criteria { return c.add(true, text("RECENT")) }

// New matches messages that are recent and unseen (NEW).
func (c Criteria) New() Criteria { return c.add(true, text("NEW")) }

// Old matches messages without \Recent (OLD).
func (c Criteria) Old() Criteria { return c.add(true, text("OLD")) }

// Keyword matches messages with the keyword flag kw (KEYWORD), such as
// "$Forwarded". kw must be an atom.
func (c Criteria) Keyword(kw string) Criteria {
	if !imapwire.IsAtom(kw) {
		return c.fail("KEYWORD: %q is not a valid keyword", kw)
	}
	return c.add(true, text("KEYWORD"), text(kw))
}

// Unkeyword matches messages without the keyword flag kw (UNKEYWORD).
func (c Criteria) Unkeyword(kw string) Criteria {
	if !imapwire.IsAtom(kw) {
		return c.fail("UNKEYWORD: %q is not a valid keyword", kw)
	}
	return c.add(true, text("UNKEYWORD"), text(kw))
}

var flagKeys = map[string][2]string{
	strings.ToLower(imap.FlagSeen):     {"SEEN", "UNSEEN"},
	strings.ToLower(imap.FlagAnswered): {"ANSWERED", "UNANSWERED"},
	strings.ToLower(imap.FlagFlagged):  {"FLAGGED", "UNFLAGGED"},
	strings.ToLower(imap.FlagDeleted):  {"DELETED", "UNDELETED"},
	strings.ToLower(imap.FlagDraft):    {"DRAFT", "UNDRAFT"},
	strings.ToLower(imap.FlagRecent):   {"RECENT", "OLD"},
}

// Flag matches messages with the flag: a system flag (`\Seen`, any case)
// becomes its key (SEEN), anything else is a keyword (KEYWORD flag).
func (c Criteria) Flag(flag string) Criteria {
	if k, ok := flagKeys[strings.ToLower(flag)]; ok {
		return c.add(true, text(k[0]))
	}
	if strings.HasPrefix(flag, `\`) {
		return c.fail("%q is not a system flag a search can name", flag)
	}
	return c.Keyword(flag)
}

// NoFlag matches messages without the flag: UNSEEN for `\Seen`, OLD for
// `\Recent`, UNKEYWORD for a keyword.
func (c Criteria) NoFlag(flag string) Criteria {
	if k, ok := flagKeys[strings.ToLower(flag)]; ok {
		return c.add(true, text(k[1]))
	}
	if strings.HasPrefix(flag, `\`) {
		return c.fail("%q is not a system flag a search can name", flag)
	}
	return c.Unkeyword(flag)
}

// Header fields and text.

// From matches messages whose From header contains s (FROM).
func (c Criteria) From(s string) Criteria { return c.keyValue("FROM", s) }

// To matches messages whose To header contains s (TO).
func (c Criteria) To(s string) Criteria { return c.keyValue("TO", s) }

// Cc matches messages whose Cc header contains s (CC).
func (c Criteria) Cc(s string) Criteria { return c.keyValue("CC", s) }

// Bcc matches messages whose Bcc header contains s (BCC).
func (c Criteria) Bcc(s string) Criteria { return c.keyValue("BCC", s) }

// Subject matches messages whose Subject contains s (SUBJECT).
func (c Criteria) Subject(s string) Criteria { return c.keyValue("SUBJECT", s) }

// Body matches messages whose body contains s (BODY).
func (c Criteria) Body(s string) Criteria { return c.keyValue("BODY", s) }

// Text matches messages whose header or body contains s (TEXT).
func (c Criteria) Text(s string) Criteria { return c.keyValue("TEXT", s) }

// Header matches messages with the header field name whose value
// contains value (HEADER); an empty value matches every message that has
// the field.
func (c Criteria) Header(name, value string) Criteria {
	if name == "" || strings.ContainsAny(name, ": \t\r\n\x00") {
		return c.fail("HEADER: %q is not a header field name", name)
	}
	vn, err := valueNode("HEADER", value)
	if err != nil {
		return c.merge(Criteria{err: err})
	}
	return c.add(true, text("HEADER"), node{kind: nStr, s: name}, vn)
}

// Dates. IMAP compares dates only, without time or zone (RFC 3501 section
// 6.4.4): the date of t in t's own location is sent, as DD-Mon-YYYY.

// Since matches messages whose internal date is on or after t's date.
func (c Criteria) Since(t time.Time) Criteria { return c.date("SINCE", t) }

// Before matches messages whose internal date is before t's date.
func (c Criteria) Before(t time.Time) Criteria { return c.date("BEFORE", t) }

// On matches messages whose internal date is t's date.
func (c Criteria) On(t time.Time) Criteria { return c.date("ON", t) }

// SentSince matches messages whose Date header is on or after t's date.
func (c Criteria) SentSince(t time.Time) Criteria { return c.date("SENTSINCE", t) }

// SentBefore matches messages whose Date header is before t's date.
func (c Criteria) SentBefore(t time.Time) Criteria { return c.date("SENTBEFORE", t) }

// SentOn matches messages whose Date header is t's date.
func (c Criteria) SentOn(t time.Time) Criteria { return c.date("SENTON", t) }

func (c Criteria) date(key string, t time.Time) Criteria {
	d, err := searchDate(t)
	if err != nil {
		return c.fail("%s: %v", key, err)
	}
	return c.add(true, text(key), text(d))
}

// searchDateLayout is RFC 3501's date with a two-digit day, as IMAPClient
// sends it.
const searchDateLayout = "02-Jan-2006"

func searchDate(t time.Time) (string, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("year %d cannot be sent (IMAP dates have four digits)", y)
	}
	return t.Format(searchDateLayout), nil
}

// Larger matches messages larger than n bytes (LARGER).
func (c Criteria) Larger(n int64) Criteria { return c.size("LARGER", n) }

// Smaller matches messages smaller than n bytes (SMALLER).
func (c Criteria) Smaller(n int64) Criteria { return c.size("SMALLER", n) }

func (c Criteria) size(key string, n int64) Criteria {
	if n < 0 {
		return c.fail("%s: negative size %d", key, n)
	}
	return c.add(true, text(key), node{kind: nNum, n: uint64(n)})
}

// UID matches the messages whose UIDs are in ms (UID set), whatever the
// client's UID switch. The set is sent as given: criteria sets are not
// split over several commands.
func (c Criteria) UID(ms MessageSet) Criteria {
	set, err := numSet("UID", ms)
	if err != nil {
		return c.fail("%v", err)
	}
	return c.add(true, text("UID"), node{kind: nSet, set: set})
}

// Seq matches the messages whose sequence numbers are in ms (a bare
// sequence set), whatever the client's UID switch.
func (c Criteria) Seq(ms MessageSet) Criteria {
	set, err := numSet("sequence set", ms)
	if err != nil {
		return c.fail("%v", err)
	}
	return c.add(true, node{kind: nSet, set: set})
}

// ModSeq matches messages whose mod-sequence is n or higher (MODSEQ, RFC
// 7162 section 3.1.5). It needs CONDSTORE; the result then carries the
// highest mod-sequence of the matches in SearchResult.ModSeq.
func (c Criteria) ModSeq(n uint64) Criteria {
	return c.need(imap.CapCondStore).add(true, text("MODSEQ"), node{kind: nNum, n: n})
}

// GmailRaw matches messages with Gmail's search syntax (X-GM-RAW); it
// needs X-GM-EXT-1. See also Client.GmailSearch.
func (c Criteria) GmailRaw(query string) Criteria {
	return c.need(imap.CapGmailExt).keyValue("X-GM-RAW", query)
}

// Combinators.

// Not matches messages that do not match x (NOT). Several keys in x are
// put in parentheses.
func (c Criteria) Not(x Criteria) Criteria {
	c = c.merge(x)
	if x.IsEmpty() {
		return c.fail("NOT of empty criteria")
	}
	return c.add(true, append([]node{text("NOT")}, x.operand()...)...)
}

// Or matches messages that match a or b (OR). Several keys in a or b are
// put in parentheses.
func (c Criteria) Or(a, b Criteria) Criteria {
	c = c.merge(a).merge(b)
	if a.IsEmpty() || b.IsEmpty() {
		return c.fail("OR of empty criteria")
	}
	toks := append([]node{text("OR")}, a.operand()...)
	return c.add(true, append(toks, b.operand()...)...)
}

// And adds the keys of every x: all must match. As an operand of Not or
// Or the result is put in parentheses, as a group.
func (c Criteria) And(xs ...Criteria) Criteria {
	for _, x := range xs {
		c = c.merge(x)
		c.keys = append(slices.Clip(c.keys), x.keys...)
	}
	return c
}

// Key adds a search key with arguments, for keys this type has no method
// for, such as Key("OLDER", 3600) (RFC 5032) or Key("SAVEDBEFORE", t).
// name must be an atom; the arguments are converted as in IMAPClient's
// slices (see Client.Search): strings are values, ints numbers,
// time.Time dates, MessageSets sets and slices groups.
func (c Criteria) Key(name string, args ...any) Criteria {
	if !imapwire.IsAtom(name) {
		return c.fail("%q is not a valid search key name", name)
	}
	var cv converter
	toks := []node{text(strings.ToUpper(name))}
	for _, a := range args {
		ns, err := cv.item(a, 1, true)
		if err != nil {
			return c.fail("%s: %s", name, critMsg(err))
		}
		toks = append(toks, ns...)
	}
	for _, n := range cv.needs {
		c = c.need(n)
	}
	return c.add(true, toks...)
}

// Raw adds criteria text in IMAP search syntax, sent as it is, such as
// Raw(`FROM "alice" SINCE 1-Feb-2024`). It is IMAPClient's criteria string:
// the caller is responsible for quoting values in it. To keep the command
// line intact it is refused when it holds CR, LF or NUL, a literal ("{"
// outside a quoted string), unbalanced parentheses or quotes, or 8-bit
// characters (unless UTF8=ACCEPT is enabled); pass text as values
// (Subject, Text, ...) instead, which are quoted and sent as literals as
// needed.
func (c Criteria) Raw(s string) Criteria {
	if err := checkRaw(s); err != nil {
		return c.fail("raw criteria %q: %v", s, err)
	}
	s = strings.Trim(s, " ")
	if s == "" {
		return c
	}
	return c.add(false, node{kind: nRaw, s: s})
}

// checkRaw validates raw criteria text, independently of the connection.
func checkRaw(s string) error {
	depth, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\r' || ch == '\n' || ch == 0:
			return fmt.Errorf("CR, LF or NUL at offset %d", i)
		case inQuote && ch == '\\':
			i++
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '{':
			return fmt.Errorf("a literal at offset %d: give the value with a method or in a slice", i)
		case ch == '(':
			depth++
		case ch == ')':
			if depth--; depth < 0 {
				return fmt.Errorf("unbalanced ) at offset %d", i)
			}
		}
	}
	if inQuote {
		return fmt.Errorf("unterminated quoted string")
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced (")
	}
	return nil
}

// merge takes over x's error and needs.
func (c Criteria) merge(x Criteria) Criteria {
	if c.err == nil {
		c.err = x.err
	}
	for _, n := range x.needs {
		c = c.need(n)
	}
	return c
}

// operand returns the tokens of c as one search-key: in parentheses unless
// it is one key already.
func (c Criteria) operand() []node {
	if len(c.keys) == 1 && c.keys[0].single {
		return c.keys[0].toks
	}
	return []node{{kind: nGroup, kids: c.flat()}}
}

// flat returns every token of every key in order.
func (c Criteria) flat() []node {
	var out []node
	for _, k := range c.keys {
		out = append(out, k.toks...)
	}
	return out
}
