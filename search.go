package imapclient

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// SearchOptions are the options of Search, GmailSearch, Sort and Thread.
// A nil *SearchOptions means the defaults.
type SearchOptions struct {
	// Charset is the character set of the strings in the criteria (the
	// CHARSET argument, RFC 3501 section 6.4.4, RFC 5256 section 3).
	//
	// "" means automatic: SEARCH carries no CHARSET when every value is
	// ASCII and CHARSET UTF-8 otherwise; SORT and THREAD, whose charset is
	// mandatory, always carry UTF-8. Once UTF8=ACCEPT is enabled, SEARCH
	// carries no CHARSET and SORT and THREAD carry UTF-8 (RFC 6855
	// section 3), and another charset is refused.
	//
	// Another name (such as "ISO-8859-1") is sent as given, and the string
	// values, which are Go (UTF-8) strings, are converted to it; a value
	// it cannot represent, or a charset Go does not know when a value is
	// not ASCII, is an error before anything is sent. Values given as
	// []byte in a slice are sent unconverted.
	Charset string
}

func (o *SearchOptions) charset() string {
	if o == nil {
		return ""
	}
	return o.Charset
}

// SearchResult is the answer to Search and Sort.
type SearchResult struct {
	// IDs are the matching messages: UIDs, or sequence numbers after
	// SetUseUID(false). Search returns them in the server's order
	// (ascending in practice); Sort in the requested order.
	IDs []uint32
	// ModSeq is the highest mod-sequence of the matching messages, which
	// a CONDSTORE server returns when the criteria hold MODSEQ (RFC 7162
	// section 3.1.5); 0 otherwise.
	ModSeq uint64
}

// Search returns the messages that match the criteria (RFC 3501 section
// 6.4.4; UID SEARCH unless SetUseUID(false)). A folder must be selected.
//
// criteria is one of:
//
//   - Criteria, built with its methods: every value is sent as a value,
//     quoted or as a literal as the grammar requires.
//
//   - A string: IMAPClient's raw criteria, sent as it is, such as
//     "UNSEEN" or `FROM "alice" SINCE 1-Feb-2024`. The caller quotes the
//     values in it; it may not hold CR, LF, NUL, literals, unbalanced
//     parentheses or (unless UTF8=ACCEPT is enabled) 8-bit characters:
//     put such text in a value instead (see Criteria.Raw).
//
//   - A slice in IMAPClient's style, such as
//     []any{"FROM", "alice", "SINCE", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}
//     or []any{"OR", []any{"FROM", "a"}, []any{"FROM", "b"}}. Its elements:
//     a string that is an atom (letters, digits, "-", "$", ...) is sent
//     as it is, which suits key names and simple values alike; a sequence
//     set with "*" ("1:*") as it is; any other string as a value (quoted,
//     or a literal when it holds CR, LF or 8-bit text: so unlike a raw
//     string it can never add a key or break the line); ints as numbers;
//     time.Time as a date (DD-Mon-YYYY, the date in its own location); a
//     MessageSet as a set; a nested slice as a parenthesised group (up to
//     64 levels); a Criteria as its keys (parenthesised when there are
//     several); []byte as a value sent unconverted.
//
// Values with 8-bit text add CHARSET UTF-8 (see SearchOptions.Charset).
// Empty criteria are an *InvalidCriteriaError before anything is sent; so
// is a server's BAD (or NO [BADCHARSET]), which carries the server's text
// in Msg and unwraps to the *ServerError. Message sets inside criteria
// are not split over several commands.
//
// Several SEARCH responses are merged. A result of millions of ids is
// parsed straight from the read buffer, without a line length limit
// other than imapwire.Limits.MaxLine (64 MiB by default, some 8 million
// ids).
func (c *Client) Search(ctx context.Context, criteria any, opts *SearchOptions) (*SearchResult, error) {
	crit, err := criteriaOf(criteria)
	if err != nil {
		return nil, err
	}
	return c.search(ctx, crit, opts)
}

// GmailSearch searches with Gmail's search syntax (X-GM-RAW), such as
// "has:attachment in:unread" (IMAPClient's gmail_search). It needs the
// X-GM-EXT-1 capability: elsewhere it is a *CapabilityError and nothing
// is sent. The query is always sent as one value; 8-bit queries add
// CHARSET UTF-8.
func (c *Client) GmailSearch(ctx context.Context, query string, opts *SearchOptions) (*SearchResult, error) {
	if query == "" {
		return nil, &InvalidCriteriaError{Msg: "empty Gmail query"}
	}
	crit, err := criteriaOf(Criteria{}.GmailRaw(query))
	if err != nil {
		return nil, err
	}
	return c.search(ctx, crit, opts)
}

func (c *Client) search(ctx context.Context, crit Criteria, opts *SearchOptions) (*SearchResult, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	cmd := c.uidCmd("SEARCH")
	if err := c.requireSelected(cmd, false); err != nil {
		return nil, err
	}
	if err := c.requireCaps(ctx, cmd, crit.needs); err != nil {
		return nil, err
	}
	p, err := prepareCriteria(crit, opts.charset(), c.utf8Modes(), false)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{}
	_, err = c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		if p.charset != "" {
			e.SP().Raw("CHARSET").SP().Atom(p.charset)
		}
		e.SP()
		writeNodes(e, p.toks)
	}, searchHandler("SEARCH", res))
	if err != nil {
		return nil, criteriaError(err)
	}
	return res, nil
}

// requireCaps checks the capabilities criteria need.
func (c *Client) requireCaps(ctx context.Context, cmd string, needs []string) error {
	for _, n := range needs {
		if err := c.requireCap(ctx, n, cmd); err != nil {
			return err
		}
	}
	return nil
}

// searchHandler collects SEARCH or SORT responses (RFC 3501 section
// 7.2.5, RFC 5256 section 4) into res, merging several.
func searchHandler(name string, res *SearchResult) imapconn.Handler {
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != name || r.Kind != imapwire.Untagged {
			return false, nil
		}
		sd, ok := r.Data.(*imapwire.SearchData)
		if !ok {
			return true, &ProtocolError{Msg: name + " response without data"}
		}
		if res.IDs == nil {
			res.IDs = sd.Nums
		} else {
			res.IDs = append(res.IDs, sd.Nums...)
		}
		res.ModSeq = max(res.ModSeq, sd.ModSeq)
		return true, nil
	}
}

// criteriaError turns the server's rejection of the criteria into an
// *InvalidCriteriaError.
func criteriaError(err error) error {
	var se *ServerError
	if errors.As(err, &se) && (se.Response.Type == imap.StatusBAD || se.Response.Code == imap.CodeBadCharset) {
		return &InvalidCriteriaError{Msg: se.Response.Text, Err: err}
	}
	if errors.Is(err, imapwire.ErrInvalidArgument) {
		return &InvalidCriteriaError{Msg: "cannot be encoded", Err: err}
	}
	return err
}

// utf8Modes tells how the connection carries 8-bit text: accept is
// UTF8=ACCEPT enabled (RFC 6855); wire is 8-bit allowed in quoted strings
// (UTF8=ACCEPT or IMAP4rev2).
type utf8Modes struct{ accept, wire bool }

func (c *Client) utf8Modes() utf8Modes {
	en := c.conn.Enabled()
	accept := en.Has(imap.CapUTF8Accept)
	return utf8Modes{accept: accept, wire: accept || en.Has(imap.CapIMAP4rev2)}
}

// preparedCriteria are criteria ready to write: the CHARSET to send (""
// for none) and the tokens, converted to that charset.
type preparedCriteria struct {
	charset string
	toks    []node
}

// prepareCriteria decides the charset and converts the values. The
// charset is optional in SEARCH and mandatory in SORT and THREAD.
func prepareCriteria(crit Criteria, charset string, m utf8Modes, mandatory bool) (*preparedCriteria, error) {
	if crit.err != nil {
		return nil, crit.err
	}
	toks := crit.flat()
	if len(toks) == 0 {
		return nil, &InvalidCriteriaError{Msg: "no criteria specified"}
	}
	if charset != "" && !imapwire.IsAtom(charset) {
		return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("charset %q is not a valid charset name", charset)}
	}
	has8, err := scan8bit(toks, m.wire, 0)
	if err != nil {
		return nil, err
	}
	p := &preparedCriteria{toks: toks}
	switch {
	case m.accept:
		if charset != "" && !isUTF8Name(charset) {
			return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("charset %s cannot be used once UTF8=ACCEPT is enabled (RFC 6855 section 3)", charset)}
		}
		if mandatory {
			p.charset = "UTF-8"
		}
	case charset == "":
		if has8 || mandatory {
			p.charset = "UTF-8"
		}
	case isUTF8Name(charset):
		p.charset = charset
	case isASCIIName(charset):
		if has8 {
			return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("8-bit text cannot be sent with charset %s", charset)}
		}
		p.charset = charset
	default:
		p.charset = charset
		if has8 {
			if p.toks, err = transcode(toks, charset); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func isUTF8Name(s string) bool { return strings.EqualFold(s, "UTF-8") || strings.EqualFold(s, "UTF8") }

func isASCIIName(s string) bool {
	return strings.EqualFold(s, "US-ASCII") || strings.EqualFold(s, "ASCII")
}

// scan8bit reports whether any value holds 8-bit text. Raw text with
// 8-bit characters is an error unless the connection carries UTF-8 in
// quoted strings. It also bounds the nesting of groups.
func scan8bit(toks []node, wire bool, depth int) (bool, error) {
	if depth > maxCriteriaDepth {
		return false, &InvalidCriteriaError{Msg: fmt.Sprintf("criteria nested deeper than %d levels", maxCriteriaDepth)}
	}
	has8 := false
	for _, t := range toks {
		switch t.kind {
		case nStr, nBytes:
			has8 = has8 || !isASCII(t.s)
		case nRaw:
			if !isASCII(t.s) {
				if !wire {
					return false, &InvalidCriteriaError{Msg: fmt.Sprintf("raw criteria %q hold 8-bit text: give the text as a value (Criteria.Subject, Text, ... or in a slice) so it is sent as a literal with a charset", t.s)}
				}
				has8 = true
			}
		case nGroup:
			h, err := scan8bit(t.kids, wire, depth+1)
			if err != nil {
				return false, err
			}
			has8 = has8 || h
		}
	}
	return has8, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// transcode converts the string values to charset, returning new tokens.
func transcode(toks []node, charset string) ([]node, error) {
	enc, err := ianaindex.IANA.Encoding(charset)
	if err != nil || enc == nil {
		return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("charset %s is unknown, so 8-bit values cannot be converted to it", charset)}
	}
	out := make([]node, len(toks))
	for i, t := range toks {
		switch t.kind {
		case nStr:
			if !isASCII(t.s) {
				b, err := enc.NewEncoder().String(t.s)
				if err != nil {
					return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("value %q cannot be represented in %s", t.s, charset)}
				}
				t.s = b
				t.lit = !utf8.ValidString(b)
			}
		case nGroup:
			if t.kids, err = transcode(t.kids, charset); err != nil {
				return nil, err
			}
		}
		out[i] = t
	}
	return out, nil
}

// writeNodes writes tokens separated by spaces. Each value is written by
// the encoder in its own right (atom, quoted string or literal), so a
// parenthesis after a literal is never part of it.
func writeNodes(e *imapwire.Encoder, toks []node) {
	for i, t := range toks {
		if i > 0 {
			e.SP()
		}
		switch t.kind {
		case nText, nRaw:
			e.Raw(t.s)
		case nStr:
			if t.lit {
				e.Literal([]byte(t.s))
			} else {
				e.AString(t.s)
			}
		case nBytes:
			if utf8.ValidString(t.s) {
				e.String(t.s)
			} else {
				e.Literal([]byte(t.s))
			}
		case nNum:
			e.Number64(t.n)
		case nSet:
			e.NumSet(t.set)
		case nGroup:
			e.Byte('(')
			writeNodes(e, t.kids)
			e.Byte(')')
		}
	}
}

// criteriaOf converts what Search takes into Criteria. An empty result or
// a building error is an *InvalidCriteriaError.
func criteriaOf(v any) (Criteria, error) {
	var c Criteria
	switch x := v.(type) {
	case nil:
	case Criteria:
		c = x
	case *Criteria:
		if x != nil {
			c = *x
		}
	case string:
		c = c.Raw(x)
	case MessageSet:
		return c, &InvalidCriteriaError{Msg: fmt.Sprintf("a message set (%T) as criteria: use Criteria.UID or Criteria.Seq", v)}
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice || isBytes(v) {
			return c, &InvalidCriteriaError{Msg: fmt.Sprintf("criteria of type %T (want Criteria, a string or a slice)", v)}
		}
		var cv converter
		toks, err := cv.slice(rv, 0)
		if err != nil {
			return c, &InvalidCriteriaError{Msg: critMsg(err)}
		}
		if len(toks) > 0 {
			c = c.add(false, toks...)
		}
		for _, n := range cv.needs {
			c = c.need(n)
		}
	}
	if c.err != nil {
		return c, c.err
	}
	if c.IsEmpty() {
		return c, &InvalidCriteriaError{Msg: "no criteria specified"}
	}
	return c, nil
}

// critMsg returns the message of err without a repeated prefix.
func critMsg(err error) string {
	var ice *InvalidCriteriaError
	if errors.As(err, &ice) && ice.Err == nil {
		return ice.Msg
	}
	return err.Error()
}

func isBytes(v any) bool {
	_, ok := v.([]byte)
	return ok
}

// converter turns IMAPClient-style items into tokens.
type converter struct {
	needs []string
}

// slice converts the elements of a slice ([]any, []string, []Criteria,
// ...) into tokens.
func (cv *converter) slice(rv reflect.Value, depth int) ([]node, error) {
	if depth >= maxCriteriaDepth {
		return nil, fmt.Errorf("criteria nested deeper than %d levels", maxCriteriaDepth)
	}
	var out []node
	for i := 0; i < rv.Len(); i++ {
		ns, err := cv.item(rv.Index(i).Interface(), depth, false)
		if err != nil {
			return nil, err
		}
		out = append(out, ns...)
	}
	return out, nil
}

// item converts one element. In a slice, a string that is an atom is sent
// as an atom (a key name such as "FROM", or a value that needs no quotes),
// a sequence set with "*" as it is, and anything else as a string value.
func (cv *converter) item(v any, depth int, value bool) ([]node, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("nil in criteria")
	case Criteria:
		if x.err != nil {
			return nil, x.err
		}
		if x.IsEmpty() {
			return nil, fmt.Errorf("empty Criteria in a slice")
		}
		cv.needs = append(cv.needs, x.needs...)
		return x.operand(), nil
	case MessageSet:
		set, err := x.NumSet()
		if err != nil {
			return nil, err
		}
		return []node{{kind: nSet, set: set}}, nil
	case string:
		if !value && imapwire.IsAtom(x) {
			return []node{text(x)}, nil
		}
		if !value && isStarSet(x) {
			return []node{text(x)}, nil
		}
		n, err := valueNode("value", x)
		if err != nil {
			return nil, err
		}
		return []node{n}, nil
	case []byte:
		if slices.Contains(x, 0) {
			return nil, fmt.Errorf("a value cannot hold NUL")
		}
		return []node{{kind: nBytes, s: string(x)}}, nil
	case time.Time:
		d, err := searchDate(x)
		if err != nil {
			return nil, err
		}
		return []node{text(d)}, nil
	case int:
		return num(int64(x))
	case int8:
		return num(int64(x))
	case int16:
		return num(int64(x))
	case int32:
		return num(int64(x))
	case int64:
		return num(x)
	case uint:
		return []node{{kind: nNum, n: uint64(x)}}, nil
	case uint8:
		return []node{{kind: nNum, n: uint64(x)}}, nil
	case uint16:
		return []node{{kind: nNum, n: uint64(x)}}, nil
	case uint32:
		return []node{{kind: nNum, n: uint64(x)}}, nil
	case uint64:
		return []node{{kind: nNum, n: x}}, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		kids, err := cv.slice(rv, depth+1)
		if err != nil {
			return nil, err
		}
		if len(kids) == 0 {
			return nil, fmt.Errorf("empty group in criteria")
		}
		return []node{{kind: nGroup, kids: kids}}, nil
	}
	return nil, fmt.Errorf("criteria item of type %T", v)
}

func num(n int64) ([]node, error) {
	if n < 0 {
		return nil, fmt.Errorf("negative number %d in criteria", n)
	}
	return []node{{kind: nNum, n: uint64(n)}}, nil
}

// isStarSet reports whether s is a sequence set that uses "*" ("1:*",
// "5,7:*"), which IMAPClient users pass as a plain string.
func isStarSet(s string) bool {
	if !strings.Contains(s, "*") || strings.Trim(s, "0123456789:,*") != "" {
		return false
	}
	_, err := imap.ParseNumSet(s)
	return err == nil
}
