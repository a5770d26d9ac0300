package imapwire

import (
	"bytes"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// Kind tells tagged, untagged and continuation responses apart.
type Kind uint8

// Response kinds (RFC 3501 section 2.2.2).
const (
	Untagged     Kind = iota // "* ..."
	Tagged                   // "A1 OK ..."
	Continuation             // "+ ..."
)

// Response is one server response. Which fields are set depends on Kind
// and Name.
type Response struct {
	Kind Kind
	// Tag is the command tag of a tagged response.
	Tag string
	// Name is the response's keyword, upper-cased: "OK", "NO", "BAD",
	// "PREAUTH", "BYE", "CAPABILITY", "FLAGS", "LIST", "LSUB", "STATUS",
	// "SEARCH", "SORT", "ENABLED", "ID", "NAMESPACE", "EXISTS", "RECENT",
	// "EXPUNGE", "FETCH", or any other keyword a server sends.
	Name string
	// Num is the number before EXISTS, RECENT, EXPUNGE and FETCH.
	Num uint32
	// Status is set for tagged responses and untagged OK, NO, BAD, PREAUTH
	// and BYE.
	Status *imap.StatusResponse
	// Text is the text of a continuation request ("+ text"): for SASL, the
	// base64 challenge.
	Text string
	// Data is the parsed payload of untagged data:
	//
	//	CAPABILITY, ENABLED   []string
	//	FLAGS                 []string
	//	LIST, LSUB, XLIST     *ListData
	//	STATUS                *StatusData
	//	SEARCH, SORT          *SearchData
	//	ID                    map[string]string (nil for NIL)
	//	NAMESPACE             *NamespaceData
	//	FETCH                 nil: read the items with NextFetchItem
	//	anything else         *RawData
	Data any

	d *Decoder
}

// ListData is the payload of LIST, LSUB and XLIST (RFC 3501 section 7.2.2).
type ListData struct {
	Attrs []string
	// Delim is the hierarchy delimiter, or 0 when the server sent NIL.
	Delim rune
	// Mailbox is the name as sent: modified UTF-7 unless UTF8=ACCEPT is on.
	Mailbox string
	// Extended holds extended data items (RFC 5258) as raw text.
	Extended string
}

// StatusData is the payload of STATUS (RFC 3501 section 7.2.4).
type StatusData struct {
	Mailbox string // as sent
	// Items maps upper-cased item names to their values.
	Items map[string]uint64
	// Raw holds the items whose value is not a number, upper-cased, with
	// the value as sent: "MAILBOXID" "(F2212ea87)" (RFC 8474 section 4.2),
	// "APPENDLIMIT" "NIL" (RFC 7889 section 4). Nil when there are none.
	Raw map[string]string
}

// SearchData is the payload of SEARCH and SORT (RFC 3501 section 7.2.5,
// RFC 5256), with the MODSEQ of RFC 7162 section 3.1.5 when present.
type SearchData struct {
	Nums   []uint32
	ModSeq uint64
}

// Namespace is one namespace of NAMESPACE (RFC 2342).
type Namespace struct {
	Prefix string
	Delim  rune // 0 for NIL
}

// NamespaceData is the payload of NAMESPACE (RFC 2342 section 5).
type NamespaceData struct {
	Personal, Other, Shared []Namespace
}

// RawData is an untagged response this package does not model: its bytes
// after the keyword, literals included, without the final CRLF.
type RawData struct {
	Bytes []byte
}

// ReadResponse reads the next response. The previous response is finished
// first: unread FETCH items and literals are discarded.
//
// A *SyntaxError or *LimitError means one response was skipped and the
// decoder can go on (see IsRecoverable); any other error comes from the
// stream and is final. io.EOF is returned when the stream ends between
// responses.
//
// An error with a Timeout method that reports true (a read deadline, a
// cancelled read) is not final: the decoder keeps what it read, and calling
// again resumes. The one place a timeout cannot be resumed is while a
// literal over Limits.InlineLiteral that is not a FETCH body section (a
// huge mailbox name, envelope field or unknown response) is being read
// into memory: the next call then skips the rest of that response and
// reports a *LimitError for "InlineLiteral".
func (d *Decoder) ReadResponse() (*Response, error) {
	r := new(Response)
	if err := d.ReadResponseInto(r); err != nil {
		return nil, err
	}
	return r, nil
}

// ReadResponseInto is ReadResponse reading into r, which it overwrites
// (also on error). A loop that is done with each response before it reads
// the next, such as a reader of a long FETCH stream, reuses one Response
// instead of allocating one per message.
func (d *Decoder) ReadResponseInto(r *Response) error {
	if d.inResp {
		if err := d.skipResponse(); err != nil {
			return err
		}
	}
	if err := d.pending; err != nil {
		d.pending = nil
		return err
	}
	if err := d.readFrame(); err != nil {
		return err
	}
	d.inResp = true
	*r = Response{d: d}
	if err := d.parseResponse(r); err != nil {
		if !IsRecoverable(err) {
			return err // a timeout here set d.pending (see lost)
		}
		if serr := d.skipResponse(); serr != nil {
			d.pending = err // reported once the skip is done
			return serr
		}
		return err
	}
	return nil
}

func (d *Decoder) parseResponse(r *Response) error {
	switch d.peek() {
	case '+':
		r.Kind = Continuation
		d.pos++
		if d.peek() == ' ' {
			d.pos++
		}
		r.Text = string(d.restOfLine())
		return d.eol()
	case '*':
		r.Kind = Untagged
		d.pos++
		if err := d.sp(); err != nil {
			return err
		}
		return d.parseUntagged(r)
	}
	r.Kind = Tagged
	tag, err := d.atom()
	if err != nil {
		return err
	}
	r.Tag = string(tag)
	if err := d.sp(); err != nil {
		return err
	}
	name, err := d.atom()
	if err != nil {
		return err
	}
	r.Name = upper(name)
	switch imap.StatusType(r.Name) {
	case imap.StatusOK, imap.StatusNO, imap.StatusBAD:
	default:
		return d.syntaxErr("tagged response is not OK, NO or BAD")
	}
	return d.parseStatus(r)
}

func (d *Decoder) parseUntagged(r *Response) error {
	if c := d.peek(); c >= '0' && c <= '9' {
		n, err := d.number()
		if err != nil {
			return err
		}
		r.Num = n
		if err := d.sp(); err != nil {
			return err
		}
		name, err := d.atom()
		if err != nil {
			return err
		}
		r.Name = upper(name)
		if r.Name == "FETCH" {
			if err := d.sp(); err != nil {
				return err
			}
			d.fetch = fetchOpen
			return nil
		}
		return d.parseRaw(r)
	}
	name, err := d.atom()
	if err != nil {
		return err
	}
	r.Name = upper(name)
	switch r.Name {
	case "OK", "NO", "BAD", "PREAUTH", "BYE":
		return d.parseStatus(r)
	case "CAPABILITY", "ENABLED":
		return d.parseAtomsToEOL(r)
	case "FLAGS":
		return d.parseFlagsResp(r)
	case "LIST", "LSUB", "XLIST":
		return d.parseList(r)
	case "STATUS":
		return d.parseStatusData(r)
	case "SEARCH", "SORT":
		return d.parseSearch(r)
	case "ID":
		return d.parseID(r)
	case "NAMESPACE":
		return d.parseNamespace(r)
	}
	return d.parseRaw(r)
}

// parseStatus reads resp-text: an optional [code] and text.
func (d *Decoder) parseStatus(r *Response) error {
	st := &imap.StatusResponse{Type: imap.StatusType(r.Name)}
	r.Status = st
	if d.peek() == ' ' {
		d.pos++
	}
	if d.peek() == '[' {
		d.pos++
		code, err := d.atom()
		if err != nil {
			return err
		}
		st.Code = upper(code)
		if d.peek() == ' ' {
			d.pos++
			start, depth := d.pos, 0
		scan:
			for ; d.pos < d.fe; d.pos++ {
				switch d.buf[d.pos] {
				case '(':
					depth++
				case ')':
					depth--
				case ']':
					if depth <= 0 {
						break scan
					}
				case '\r', '\n':
					return d.syntaxErr("unterminated response code")
				}
			}
			st.CodeArg = string(d.buf[start:d.pos])
		}
		if err := d.expect(']'); err != nil {
			return err
		}
		if d.peek() == ' ' {
			d.pos++
		}
	}
	st.Text = string(d.restOfLine())
	return d.eol()
}

// parseAtomsToEOL reads space-separated atoms up to the end of the line.
func (d *Decoder) parseAtomsToEOL(r *Response) error {
	var list []string
	for d.peek() == ' ' {
		d.pos++
		if d.atEOL() {
			break // a trailing space, as some servers send
		}
		a, err := d.atom()
		if err != nil {
			return err
		}
		list = append(list, string(a))
	}
	r.Data = list
	return d.eol()
}

func (d *Decoder) parseFlagsResp(r *Response) error {
	if err := d.sp(); err != nil {
		return err
	}
	flags, err := d.flagList()
	if err != nil {
		return err
	}
	r.Data = flags
	return d.eol()
}

// flagList reads "(" [flag *(SP flag)] ")".
func (d *Decoder) flagList() ([]string, error) {
	if err := d.expect('('); err != nil {
		return nil, err
	}
	// The flags gather in a scratch slice (lists do not nest) and are
	// copied to one of their final size: an empty list is empty, not nil.
	flags := d.fscratch[:0]
	for d.peek() != ')' {
		if len(flags) > 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		a, err := d.atom()
		if err != nil {
			return nil, err
		}
		flags = append(flags, str8(a))
	}
	d.pos++
	out := append(make([]string, 0, len(flags)), flags...)
	clear(flags)
	d.fscratch = flags[:0]
	return out, nil
}

// parseRaw keeps the rest of the response as bytes, reading any large
// literals into memory.
func (d *Decoder) parseRaw(r *Response) error {
	if d.peek() == ' ' {
		d.pos++
	}
	var raw []byte
	for {
		raw = append(raw, d.buf[d.pos:d.fe]...)
		d.pos = d.fe
		if d.lit < 0 {
			break
		}
		lit, err := d.readLargeLiteral()
		if err != nil {
			return d.lost(err)
		}
		raw = append(raw, lit...)
		if err := d.resume(); err != nil {
			return d.lost(err)
		}
	}
	raw = bytes.TrimRight(raw, "\r\n")
	r.Data = &RawData{Bytes: raw}
	d.inResp = false
	return nil
}

func upper(b []byte) string {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return strings.ToUpper(string(b))
		}
	}
	return str8u(b)
}

// str8u converts an upper-case keyword, reusing the common ones.
func str8u(b []byte) string {
	switch string(b) {
	case "FETCH":
		return "FETCH"
	case "OK":
		return "OK"
	case "EXISTS":
		return "EXISTS"
	case "EXPUNGE":
		return "EXPUNGE"
	case "UID":
		return "UID"
	case "FLAGS":
		return "FLAGS"
	}
	return string(b)
}
