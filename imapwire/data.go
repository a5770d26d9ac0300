package imapwire

import (
	"bytes"
	"unicode/utf8"
)

// parseList reads LIST/LSUB/XLIST data (RFC 3501 section 7.2.2, RFC 5258
// section 6 for extended items).
func (d *Decoder) parseList(r *Response) error {
	if err := d.sp(); err != nil {
		return err
	}
	attrs, err := d.flagList()
	if err != nil {
		return err
	}
	ld := &ListData{Attrs: attrs}
	if err := d.sp(); err != nil {
		return err
	}
	if !d.isNIL() {
		delim, err := d.str()
		if err != nil {
			return err
		}
		rn, size := utf8.DecodeRune(delim)
		if size != len(delim) || rn == utf8.RuneError {
			return d.syntaxErr("hierarchy delimiter is not one character")
		}
		ld.Delim = rn
	}
	if err := d.sp(); err != nil {
		return err
	}
	name, err := d.astring()
	if err != nil {
		return err
	}
	ld.Mailbox = string(name)
	if d.peek() == ' ' {
		d.pos++
		ld.Extended = string(d.restOfLine())
	}
	r.Data = ld
	return d.eol()
}

// parseStatusData reads STATUS data (RFC 3501 section 7.2.4).
func (d *Decoder) parseStatusData(r *Response) error {
	if err := d.sp(); err != nil {
		return err
	}
	name, err := d.astring()
	if err != nil {
		return err
	}
	sd := &StatusData{Mailbox: string(name), Items: make(map[string]uint64, 6)}
	if err := d.sp(); err != nil {
		return err
	}
	if err := d.expect('('); err != nil {
		return err
	}
	for d.peek() != ')' {
		if len(sd.Items)+len(sd.Raw) > 0 {
			if err := d.sp(); err != nil {
				return err
			}
		}
		item, err := d.atom()
		if err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		if start := d.pos; d.peek() == '(' || d.isNIL() {
			// MAILBOXID (objectid) of RFC 8474 section 4.2, APPENDLIMIT
			// NIL of RFC 7889 section 4: kept as sent.
			if d.peek() == '(' {
				if err := d.skipValue(); err != nil {
					return err
				}
			}
			if sd.Raw == nil {
				sd.Raw = make(map[string]string, 1)
			}
			sd.Raw[upper(item)] = string(d.buf[start:d.pos])
			continue
		}
		v, err := d.number64()
		if err != nil {
			return err
		}
		sd.Items[upper(item)] = v
	}
	d.pos++
	if d.peek() == ' ' { // some servers add a trailing space
		d.pos++
	}
	r.Data = sd
	return d.eol()
}

// parseSearch reads SEARCH or SORT data, with an optional "(MODSEQ n)"
// (RFC 7162 section 3.1.5).
func (d *Decoder) parseSearch(r *Response) error {
	sd := &SearchData{}
	// One number after each space, at most, after those parsed while the
	// line arrived.
	streamed := d.searchAcc != nil
	sd.Nums = d.takeSearch(bytes.Count(d.buf[d.pos:d.fe], []byte{' '}))
	buf := d.buf[:d.fe]
	// The plain numbers up to the line's last space in one go (see
	// scanNums), the rest (the last number, "(MODSEQ", anything it
	// stops at) one by one below.
	if end := bytes.LastIndexByte(buf[d.pos:], ' '); end > 0 && buf[d.pos] == ' ' {
		var q int
		q, sd.Nums = scanNums(buf[d.pos:d.pos+end+1], 0, sd.Nums)
		d.pos += q
	}
	for d.peek() == ' ' {
		d.pos++
		switch c := d.peek(); {
		case c >= '0' && c <= '9':
			n, err := d.number()
			if err != nil {
				return err
			}
			sd.Nums = append(sd.Nums, n)
		case c == '(':
			d.pos++
			kw, err := d.atom()
			if err != nil {
				return err
			}
			if upper(kw) != "MODSEQ" {
				return d.syntaxErr("unknown search modifier")
			}
			if err := d.sp(); err != nil {
				return err
			}
			if sd.ModSeq, err = d.number64(); err != nil {
				return err
			}
			if err := d.expect(')'); err != nil {
				return err
			}
		case d.atEOL():
			// trailing space
		default:
			return d.syntaxErr("expected number")
		}
	}
	sd.Nums = doneSearch(sd.Nums, streamed)
	if len(sd.Nums) == 0 {
		sd.Nums = nil
	}
	r.Data = sd
	return d.eol()
}

// parseID reads ID data (RFC 2971 section 3.2): NIL or a list of
// field-value pairs.
func (d *Decoder) parseID(r *Response) error {
	if err := d.sp(); err != nil {
		return err
	}
	if d.isNIL() {
		r.Data = map[string]string(nil)
		return d.eol()
	}
	if err := d.expect('('); err != nil {
		return err
	}
	m := map[string]string{}
	first := true
	for d.peek() != ')' {
		if !first {
			if err := d.sp(); err != nil {
				return err
			}
		}
		first = false
		k, err := d.str()
		if err != nil {
			return err
		}
		key := string(k)
		if err := d.sp(); err != nil {
			return err
		}
		v, err := d.nstring()
		if err != nil {
			return err
		}
		m[key] = string(v)
	}
	d.pos++
	r.Data = m
	return d.eol()
}

// parseNamespace reads NAMESPACE data (RFC 2342 section 5).
func (d *Decoder) parseNamespace(r *Response) error {
	nd := &NamespaceData{}
	for _, dst := range []*[]Namespace{&nd.Personal, &nd.Other, &nd.Shared} {
		if err := d.sp(); err != nil {
			return err
		}
		if d.isNIL() {
			continue
		}
		if err := d.expect('('); err != nil {
			return err
		}
		for d.peek() == '(' {
			d.pos++
			prefix, err := d.str()
			if err != nil {
				return err
			}
			ns := Namespace{Prefix: string(prefix)}
			if err := d.sp(); err != nil {
				return err
			}
			if !d.isNIL() {
				delim, err := d.str()
				if err != nil {
					return err
				}
				ns.Delim, _ = utf8.DecodeRune(delim)
			}
			// Namespace response extensions (RFC 2342 section 5): skipped.
			for d.peek() == ' ' {
				d.pos++
				if err := d.skipValue(); err != nil {
					return err
				}
			}
			if err := d.expect(')'); err != nil {
				return err
			}
			*dst = append(*dst, ns)
			if d.peek() == ' ' { // tolerated between namespaces
				d.pos++
			}
		}
		if err := d.expect(')'); err != nil {
			return err
		}
	}
	r.Data = nd
	return d.eol()
}

// skipValue skips one value of any kind: atom, number, string, NIL or a
// parenthesised list of values.
func (d *Decoder) skipValue() error {
	if d.atString() {
		_, err := d.str()
		return err
	}
	switch d.peek() {
	case '(':
		d.depth++
		defer func() { d.depth-- }()
		if d.depth > d.lim.MaxDepth {
			return &LimitError{Limit: "MaxDepth", Max: int64(d.lim.MaxDepth)}
		}
		d.pos++
		first := true
		for d.peek() != ')' {
			if !first {
				if err := d.sp(); err != nil {
					return err
				}
			}
			first = false
			if err := d.skipValue(); err != nil {
				return err
			}
		}
		d.pos++
		return nil
	}
	_, err := d.astringAtom()
	return err
}
