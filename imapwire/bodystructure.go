package imapwire

import (
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// nstr reads an nstring as a Go string ("" for NIL).
func (d *Decoder) nstr() (string, error) {
	v, err := d.nstring()
	return str8(v), err
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

// envelope reads an envelope (RFC 3501 section 9, "envelope").
func (d *Decoder) envelope() (*imap.Envelope, error) {
	if err := d.expect('('); err != nil {
		return nil, err
	}
	env := &imap.Envelope{}
	var err error
	if env.Date, err = d.nstr(); err != nil {
		return nil, err
	}
	if err = d.sp(); err != nil {
		return nil, err
	}
	if env.Subject, err = d.nstr(); err != nil {
		return nil, err
	}
	for _, dst := range []*[]imap.Address{&env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc} {
		if err = d.sp(); err != nil {
			return nil, err
		}
		if *dst, err = d.addressList(); err != nil {
			return nil, err
		}
	}
	if err = d.sp(); err != nil {
		return nil, err
	}
	if env.InReplyTo, err = d.nstr(); err != nil {
		return nil, err
	}
	if err = d.sp(); err != nil {
		return nil, err
	}
	if env.MessageID, err = d.nstr(); err != nil {
		return nil, err
	}
	return env, d.expect(')')
}

func (d *Decoder) addressList() ([]imap.Address, error) {
	if d.isNIL() {
		return nil, nil
	}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	list := make([]imap.Address, 0, 1)
	for d.peek() == '(' {
		d.pos++
		var a imap.Address
		var err error
		for i, dst := range []*string{&a.Name, &a.ADL, &a.Mailbox, &a.Host} {
			if i > 0 {
				if err = d.sp(); err != nil {
					return nil, err
				}
			}
			if *dst, err = d.nstr(); err != nil {
				return nil, err
			}
		}
		if err = d.expect(')'); err != nil {
			return nil, err
		}
		list = append(list, a)
		d.spOpt()
	}
	return list, d.expect(')')
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
	b := &imap.BodyStructure{}
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
	for d.peek() == '(' {
		part, err := d.body(true)
		if err != nil {
			return err
		}
		b.Parts = append(b.Parts, part)
		d.spOpt()
	}
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
		b.Disposition = strings.ToLower(string(v))
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
			b.Language = append(b.Language, string(v))
		}
		d.pos++
	} else {
		v, err := d.nstring()
		if err != nil {
			return err
		}
		if v != nil {
			b.Language = []string{string(v)}
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
	var ps []imap.Param
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
		name := str8(k) // before the value: a large literal reuses the buffer
		if err = d.sp(); err != nil {
			return nil, err
		}
		v, err := d.nstring() // NIL values appear in the wild
		if err != nil {
			return nil, err
		}
		ps = append(ps, imap.Param{Name: name, Value: str8(v)})
	}
	d.pos++
	return ps, nil
}

func (d *Decoder) numberOrNIL() (uint32, error) {
	if d.isNIL() {
		return 0, nil
	}
	return d.number()
}
