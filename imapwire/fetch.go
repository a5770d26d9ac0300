package imapwire

import (
	"io"

	"github.com/imapclient-go/imapclient/imap"
)

const (
	fetchNone  = iota // not in a FETCH response
	fetchOpen         // before "("
	fetchItems        // between items
)

// FetchItem is one data item of a FETCH response (RFC 3501 section 7.4.2).
// NextFetchItem fills it; which fields are set depends on Name.
type FetchItem struct {
	// Name is the item's name, upper-cased, without a section: "UID",
	// "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE",
	// "BODY" (both the structure without extensions and BODY[...]),
	// "BINARY", "BINARY.SIZE", "RFC822", "RFC822.HEADER", "RFC822.TEXT",
	// "MODSEQ", "X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS", "EMAILID",
	// "THREADID", "PREVIEW", "SAVEDATE", or any other name.
	Name string
	// Section is the text between the brackets of BODY[...], BINARY[...]
	// and BINARY.SIZE[...], as sent ("HEADER.FIELDS (SUBJECT)", "1.2", "").
	// HasSection tells BODY[] from BODY.
	Section    string
	HasSection bool
	// Origin is the <origin> of a partial section, or -1.
	Origin int64

	// Num holds numbers: UID, RFC822.SIZE, MODSEQ, X-GM-MSGID, X-GM-THRID,
	// BINARY.SIZE.
	Num uint64
	// Strings holds FLAGS and X-GM-LABELS.
	Strings []string
	// Text holds INTERNALDATE, SAVEDATE, EMAILID, THREADID and PREVIEW (the
	// raw value; "" for NIL).
	Text string
	// Envelope holds ENVELOPE.
	Envelope *imap.Envelope
	// Body holds BODYSTRUCTURE and BODY (without section).
	Body *imap.BodyStructure

	// Literal holds the data of a body section (BODY[...], BINARY[...],
	// RFC822*) that fitted in the decoder's buffer. It points into the
	// buffer: valid until the next call on the decoder.
	Literal []byte
	// Reader streams the data of a large body section from the connection.
	// Read it before the next call on the decoder; what is left unread is
	// discarded then. A Read that fails with a timeout can be retried.
	Reader io.Reader
	// Size is the length of the section's data (Literal or Reader).
	Size int64
	// Nil reports that the section was NIL.
	Nil bool

	// Raw holds the value of an item this package does not model, as sent.
	Raw []byte
}

func (it *FetchItem) reset() {
	// Strings is not reused: callers keep it (flags, labels) as it is.
	*it = FetchItem{Origin: -1}
}

// NextFetchItem reads the next data item of the FETCH response that
// ReadResponse returned last into it. It returns false at the end of the
// response. Items are parsed lazily, so a large body section reaches the
// caller as it.Reader without being buffered.
//
// After an error with a Timeout method that reports true, call it again to
// resume (see ReadResponse for the one case that cannot be resumed).
func (d *Decoder) NextFetchItem(it *FetchItem) (bool, error) {
	if d.pending != nil {
		// An earlier error whose skip a timeout cut short.
		d.fetch = fetchNone
		if err := d.skipResponse(); err != nil {
			return false, err
		}
		err := d.pending
		d.pending = nil
		return false, err
	}
	if d.fetch == fetchNone {
		return false, nil
	}
	ok, err := d.nextFetchItem(it)
	if err != nil {
		if !isTimeout(err) {
			d.fetch = fetchNone
		}
		if IsRecoverable(err) {
			if serr := d.skipResponse(); serr != nil {
				d.pending = err
				return false, serr
			}
		}
		return false, err
	}
	return ok, nil
}

// NextFetchItem is Decoder.NextFetchItem for the response r, which must be
// the decoder's latest.
func (r *Response) NextFetchItem(it *FetchItem) (bool, error) {
	return r.d.NextFetchItem(it)
}

func (d *Decoder) nextFetchItem(it *FetchItem) (bool, error) {
	if err := d.afterLiteral(); err != nil {
		return false, err
	}
	if d.fetch == fetchOpen {
		if err := d.expect('('); err != nil {
			return false, err
		}
		d.fetch = fetchItems
	} else if d.peek() == ' ' {
		d.pos++
	}
	if d.peek() == ')' {
		d.pos++
		d.fetch = fetchNone
		return false, d.eol()
	}
	it.reset()
	start := d.pos
	for d.pos < d.fe {
		c := d.buf[d.pos]
		if c == ' ' || c == '[' || c == '(' || c == ')' || c == '\r' || c == '\n' {
			break
		}
		d.pos++
	}
	if d.pos == start {
		return false, d.syntaxErr("expected FETCH item name")
	}
	it.Name = fetchName(d.buf[start:d.pos])
	if d.peek() == '[' {
		if err := d.section(it); err != nil {
			return false, err
		}
	}
	if err := d.sp(); err != nil {
		return false, err
	}
	return true, d.fetchValue(it)
}

// section reads "[section]" and an optional "<origin>".
func (d *Decoder) section(it *FetchItem) error {
	d.pos++
	start, depth := d.pos, 0
	for ; d.pos < d.fe; d.pos++ {
		c := d.buf[d.pos]
		if c == '(' {
			depth++
		} else if c == ')' {
			depth--
		} else if c == ']' && depth <= 0 {
			break
		} else if c == '\r' || c == '\n' {
			return d.syntaxErr("unterminated section")
		}
	}
	it.Section = string(d.buf[start:d.pos])
	it.HasSection = true
	if err := d.expect(']'); err != nil {
		return err
	}
	if d.peek() == '<' {
		d.pos++
		n, err := d.number64()
		if err != nil {
			return err
		}
		it.Origin = int64(n)
		return d.expect('>')
	}
	return nil
}

func (d *Decoder) fetchValue(it *FetchItem) error {
	var err error
	switch it.Name {
	case "UID":
		// uniqueid is a 32-bit nz-number (RFC 3501 section 9): a larger
		// one must not be truncated into another message's UID.
		var n uint32
		n, err = d.number()
		it.Num = uint64(n)
	case "RFC822.SIZE", "X-GM-MSGID", "X-GM-THRID", "BINARY.SIZE":
		it.Num, err = d.number64()
	case "MODSEQ":
		if err = d.expect('('); err != nil {
			return err
		}
		if it.Num, err = d.number64(); err != nil {
			return err
		}
		err = d.expect(')')
	case "FLAGS":
		it.Strings, err = d.flagList()
	case "X-GM-LABELS":
		it.Strings, err = d.astringList(it.Strings)
	case "INTERNALDATE", "SAVEDATE", "PREVIEW":
		var v []byte
		v, err = d.nstring()
		it.Text = d.keep(v)
	case "EMAILID", "THREADID":
		if d.isNIL() {
			return nil
		}
		if err = d.expect('('); err != nil {
			return err
		}
		var v []byte
		if v, err = d.astringAtom(); err != nil {
			return err
		}
		it.Text = string(v)
		err = d.expect(')')
	case "ENVELOPE":
		it.Envelope, err = d.envelope()
	case "BODYSTRUCTURE":
		it.Body, err = d.body(true)
	case "BODY", "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		if it.Name == "BODY" && !it.HasSection {
			it.Body, err = d.body(false)
			return err
		}
		err = d.sectionData(it)
	default:
		// A large literal inside the value starts a new frame: str
		// collects what precedes it into d.raw.
		d.raw, d.rawStart = d.raw[:0], d.pos
		err = d.skipValue()
		if err == nil {
			it.Raw = append(append([]byte(nil), d.raw...), d.buf[d.rawStart:d.pos]...)
		}
		d.rawStart = -1
	}
	return err
}

// sectionData reads an nstring body section, streaming large literals.
func (d *Decoder) sectionData(it *FetchItem) error {
	switch d.peek() {
	case '{', '~':
		v, stream, err := d.literal()
		if err != nil {
			return err
		}
		if stream != nil {
			it.Reader = stream
			it.Size = stream.n
			return nil
		}
		it.Literal, it.Size = v, int64(len(v))
		return nil
	}
	if d.isNIL() {
		it.Nil = true
		return nil
	}
	v, err := d.str()
	it.Literal, it.Size = v, int64(len(v))
	return err
}

// astringList reads "(" [astring *(SP astring)] ")".
func (d *Decoder) astringList(dst []string) ([]string, error) {
	if err := d.expect('('); err != nil {
		return nil, err
	}
	dst = dst[:0]
	for d.peek() != ')' {
		if len(dst) > 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		v, err := d.astring()
		if err != nil {
			return nil, err
		}
		dst = append(dst, string(v))
	}
	d.pos++
	return dst, nil
}

func fetchName(b []byte) string {
	switch string(b) {
	case "UID":
		return "UID"
	case "FLAGS":
		return "FLAGS"
	case "ENVELOPE":
		return "ENVELOPE"
	case "BODYSTRUCTURE":
		return "BODYSTRUCTURE"
	case "BODY":
		return "BODY"
	case "RFC822.SIZE":
		return "RFC822.SIZE"
	case "INTERNALDATE":
		return "INTERNALDATE"
	case "MODSEQ":
		return "MODSEQ"
	case "BINARY":
		return "BINARY"
	}
	return upper(b)
}

// ReadAllFetchItems reads every remaining item of the current FETCH
// response, reading large sections into memory (bounded by MaxLiteral),
// and returns copies that stay valid after later calls. A timeout while it
// reads a large section loses the response as described in ReadResponse:
// the next call reports a *LimitError for "InlineLiteral".
func (d *Decoder) ReadAllFetchItems() ([]FetchItem, error) {
	var items []FetchItem
	for {
		var it FetchItem
		ok, err := d.NextFetchItem(&it)
		if err != nil || !ok {
			return items, err
		}
		if it.Reader != nil {
			if it.Size > d.lim.MaxLiteral {
				d.fetch = fetchNone
				_ = d.skipResponse()
				return items, &LimitError{Limit: "MaxLiteral", Max: d.lim.MaxLiteral}
			}
			buf, err := io.ReadAll(it.Reader)
			if err != nil {
				return items, d.lost(err)
			}
			it.Literal, it.Reader = buf, nil
		} else if it.Literal != nil {
			it.Literal = append([]byte(nil), it.Literal...)
		}
		items = append(items, it) // Strings is never reused: no copy

	}
}
