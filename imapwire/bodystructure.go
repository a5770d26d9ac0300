package imapwire

import (
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// nstr reads an nstring as a Go string ("" for NIL).
func (d *Decoder) nstr() (string, error) {
	v, err := d.nstring()
	return d.keep(v), err
}

// spOpt consumes one optional space: some servers omit the space between
// parenthesised elements.
func (d *Decoder) spOpt() {
	if d.peek() == ' ' {
		d.pos++
	}
}

func (d *Decoder) enter() error {
	if d.depth >= d.lim.MaxDepth {
		// No increment: the caller defers the decrement only on success.
		return &LimitError{Limit: "MaxDepth", Max: int64(d.lim.MaxDepth)}
	}
	d.depth++
	return nil
}

// envelope reads an envelope (RFC 3501 section 9, "envelope"). Its
// strings share one allocation: the fields are gathered in d.scratch and
// converted to a string once. The six address lists share one array, and
// a list equal to an earlier one (Sender and Reply-To usually repeat From)
// is that earlier list's slice: the lists are read-only.
func (d *Decoder) envelope() (*imap.Envelope, error) {
	if err := d.expect('('); err != nil {
		return nil, err
	}
	d.scratch, d.spans = d.scratch[:0], d.spans[:0]
	var f [4]span // date, subject, in-reply-to, message-id
	var lists [6]addrList
	var err error
	for i := 0; i < 10; i++ {
		if i > 0 {
			if err = d.sp(); err != nil {
				return nil, err
			}
		}
		switch {
		case i < 2:
			f[i], err = d.envField()
		case i < 8:
			mark := len(d.scratch)
			lists[i-2], err = d.addressList()
			if err == nil {
				d.dedupeList(lists[:i-1], mark)
			}
		default:
			f[i-6], err = d.envField()
		}
		if err != nil {
			return nil, err
		}
	}
	if err = d.expect(')'); err != nil {
		return nil, err
	}
	all := d.keep(d.scratch)
	str := func(s span) string { return all[s.start:s.end] }
	env := d.newEnvelope()
	*env = imap.Envelope{Date: str(f[0]), Subject: str(f[1]), InReplyTo: str(f[2]), MessageID: str(f[3])}
	total := 0
	for _, l := range lists {
		if l.alias < 0 {
			total += l.n
		}
	}
	arr := d.newAddrs(total) // one array for the six lists
	dsts := [6]*[]imap.Address{&env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc}
	for i, dst := range dsts {
		l := lists[i]
		switch {
		case l.isNil:
			continue
		case l.alias >= 0:
			*dst = *dsts[l.alias]
			continue
		case l.n == 0:
			*dst = []imap.Address{} // "()": empty, not NIL
			continue
		}
		addrs := arr[:l.n:l.n]
		arr = arr[l.n:]
		for j := range addrs {
			s := d.spans[l.first+4*j:]
			addrs[j] = imap.Address{Name: str(s[0]), ADL: str(s[1]), Mailbox: str(s[2]), Host: str(s[3])}
		}
		*dst = addrs
	}
	if cap(d.scratch) > 64<<10 {
		d.scratch = nil // do not keep the memory of a huge envelope
	}
	return env, nil
}

// dedupeList drops the text of the address list just read, the last of
// lists, when an earlier list holds the same addresses (Sender and
// Reply-To usually repeat From), and marks it as an alias of that list.
// mark is where the list's text starts in d.scratch.
func (d *Decoder) dedupeList(lists []addrList, mark int) {
	cur := &lists[len(lists)-1]
	cur.alias = -1
	if cur.isNil || cur.n == 0 {
		return
	}
	text := func(l addrList, k int) []byte {
		sp := d.spans[l.first+k]
		return d.scratch[sp.start:sp.end]
	}
	for i, prev := range lists[:len(lists)-1] {
		if prev.isNil || prev.n != cur.n || prev.alias >= 0 {
			continue
		}
		same := true
		for k := 0; k < 4*cur.n && same; k++ {
			same = string(text(prev, k)) == string(text(*cur, k))
		}
		if same {
			d.spans = d.spans[:cur.first]
			d.scratch = d.scratch[:mark]
			cur.first = prev.first
			cur.alias = i
			return
		}
	}
}

// span is a string gathered in d.scratch.
type span struct{ start, end int }

// addrList is an address list gathered in d.spans: n addresses of four
// spans each, from index first.
type addrList struct {
	first, n int
	alias    int // index of the earlier equal list, or -1
	isNil    bool
}

// envField reads an nstring into d.scratch.
func (d *Decoder) envField() (span, error) {
	v, err := d.nstring()
	if err != nil {
		return span{}, err
	}
	start := len(d.scratch)
	d.scratch = append(d.scratch, v...)
	return span{start, len(d.scratch)}, nil
}

func (d *Decoder) addressList() (addrList, error) {
	if d.isNIL() {
		return addrList{isNil: true}, nil
	}
	if err := d.expect('('); err != nil {
		return addrList{}, err
	}
	l := addrList{first: len(d.spans)}
	for d.peek() == '(' {
		d.pos++
		for i := 0; i < 4; i++ {
			if i > 0 {
				if err := d.sp(); err != nil {
					return addrList{}, err
				}
			}
			s, err := d.envField()
			if err != nil {
				return addrList{}, err
			}
			d.spans = append(d.spans, s)
		}
		if err := d.expect(')'); err != nil {
			return addrList{}, err
		}
		l.n++
		d.spOpt()
	}
	return l, d.expect(')')
}

// body reads a body structure (RFC 3501 section 9, "body"). extended is
// true for BODYSTRUCTURE; extension data is parsed whenever present.
func (d *Decoder) body(extended bool) (*imap.BodyStructure, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	if err := d.expect('('); err != nil {
		return nil, err
	}
	b := d.newNode()
	var err error
	if d.peek() == '(' {
		err = d.multipart(b)
	} else {
		err = d.onePart(b)
	}
	if err != nil {
		return nil, err
	}
	return b, d.expect(')')
}

func (d *Decoder) multipart(b *imap.BodyStructure) error {
	b.Type = "multipart"
	// The parts gather on d.parts, a stack shared by the nested calls, and
	// are copied to a slice of their final size.
	base := len(d.parts)
	defer func() {
		clear(d.parts[base:])
		d.parts = d.parts[:base]
	}()
	for d.peek() == '(' {
		part, err := d.body(true)
		if err != nil {
			return err
		}
		d.parts = append(d.parts, part)
		d.spOpt()
	}
	b.Parts = d.keepParts(d.parts[base:])
	var err error
	if b.Subtype, err = d.nstr(); err != nil {
		return err
	}
	if d.peek() != ' ' {
		return nil
	}
	d.pos++
	b.Extended = true
	if b.Params, err = d.params(); err != nil {
		return err
	}
	return d.bodyExtTail(b)
}

func (d *Decoder) onePart(b *imap.BodyStructure) error {
	var err error
	if b.Type, err = d.nstr(); err != nil {
		return err
	}
	if err = d.sp(); err != nil {
		return err
	}
	if b.Subtype, err = d.nstr(); err != nil {
		return err
	}
	if err = d.sp(); err != nil {
		return err
	}
	// body-fields
	if b.Params, err = d.params(); err != nil {
		return err
	}
	for _, dst := range []*string{&b.ID, &b.Description, &b.Encoding} {
		if err = d.sp(); err != nil {
			return err
		}
		if *dst, err = d.nstr(); err != nil {
			return err
		}
	}
	if err = d.sp(); err != nil {
		return err
	}
	if b.Size, err = d.numberOrNIL(); err != nil {
		return err
	}
	isMsg := strings.EqualFold(b.Type, "message") &&
		(strings.EqualFold(b.Subtype, "rfc822") || strings.EqualFold(b.Subtype, "global"))
	if isMsg && d.pos+1 < d.fe && d.buf[d.pos] == ' ' && d.buf[d.pos+1] == '(' {
		d.pos++
		if b.Envelope, err = d.envelope(); err != nil {
			return err
		}
		if err = d.sp(); err != nil {
			return err
		}
		if b.Body, err = d.body(true); err != nil {
			return err
		}
		if err = d.sp(); err != nil {
			return err
		}
		if b.Lines, err = d.numberOrNIL(); err != nil {
			return err
		}
	} else if strings.EqualFold(b.Type, "text") && d.peek() == ' ' {
		save := d.pos
		d.pos++
		if c := d.peek(); c >= '0' && c <= '9' {
			if b.Lines, err = d.number(); err != nil {
				return err
			}
		} else {
			d.pos = save // no lines field: lenient
		}
	}
	if d.peek() != ' ' {
		return nil
	}
	d.pos++
	b.Extended = true
	if b.MD5, err = d.nstr(); err != nil {
		return err
	}
	return d.bodyExtTail(b)
}

// bodyExtTail reads the optional disposition, language, location and
// extensions shared by both part kinds.
func (d *Decoder) bodyExtTail(b *imap.BodyStructure) error {
	if d.peek() != ' ' {
		return nil
	}
	d.pos++
	if !d.isNIL() {
		if err := d.expect('('); err != nil {
			return err
		}
		v, err := d.str()
		if err != nil {
			return err
		}
		b.Disposition = d.keepLower(v)
		if err = d.sp(); err != nil {
			return err
		}
		if b.DispositionParams, err = d.params(); err != nil {
			return err
		}
		if err = d.expect(')'); err != nil {
			return err
		}
	}
	if d.peek() != ' ' {
		return nil
	}
	d.pos++
	if d.peek() == '(' {
		d.pos++
		for d.peek() != ')' {
			d.spOpt()
			v, err := d.str()
			if err != nil {
				return err
			}
			b.Language = append(b.Language, d.keep(v))
		}
		d.pos++
	} else {
		v, err := d.nstring()
		if err != nil {
			return err
		}
		if v != nil {
			b.Language = []string{d.keep(v)}
		}
	}
	if d.peek() != ' ' {
		return nil
	}
	d.pos++
	var err error
	if b.Location, err = d.nstr(); err != nil {
		return err
	}
	for d.peek() == ' ' {
		d.pos++
		if err := d.skipValue(); err != nil {
			return err
		}
	}
	return nil
}

// params reads body-fld-param: NIL or "(" string SP string ... ")".
func (d *Decoder) params() ([]imap.Param, error) {
	if d.isNIL() {
		return nil, nil
	}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	ps := d.pscratch[:0] // scratch: params do not nest
	for d.peek() != ')' {
		if len(ps) > 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		name := d.keep(k) // before the value: a large literal reuses the buffer
		if err = d.sp(); err != nil {
			return nil, err
		}
		v, err := d.nstring() // NIL values appear in the wild
		if err != nil {
			return nil, err
		}
		ps = append(ps, imap.Param{Name: name, Value: d.keep(v)})
	}
	d.pos++
	d.pscratch = ps
	if len(ps) == 0 {
		return nil, nil
	}
	return d.keepParams(ps), nil
}

func (d *Decoder) numberOrNIL() (uint32, error) {
	if d.isNIL() {
		return 0, nil
	}
	return d.number()
}
