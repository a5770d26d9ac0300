package imapwire

import (
	"github.com/imapclient-go/imapclient/imap"
)

// ESearchData is the payload of ESEARCH (RFC 4731 section 3.1, RFC 9051
// section 7.3.4): the answer to a SEARCH with RETURN options. ESEARCH
// reaches the session layer as *RawData; ParseESearch decodes its bytes.
type ESearchData struct {
	// Tag is the tag of the command the response answers (the search
	// correlator), or "" when the server sent none.
	Tag string
	// UID is true when the numbers are UIDs (the answer to UID SEARCH).
	UID bool
	// Min and Max are the lowest and highest matching number (MIN and
	// MAX); 0 when not returned (no match, or not asked for).
	Min, Max uint32
	// Count is the number of matches (COUNT); 0 when not returned.
	Count uint32
	// All is the set of matches (ALL) in the server's compact form, never
	// expanded; nil when not returned.
	All imap.NumSet
	// ModSeq is the highest mod-sequence of the matches (MODSEQ, RFC 7162
	// section 3.1.5); 0 when not returned.
	ModSeq uint64
	// Returned lists the names of the return data items in the order they
	// came, upper-cased: "MIN", "COUNT", ... It tells a COUNT of 0 from no
	// COUNT at all.
	Returned []string
	// Extra holds return data of extensions this parser does not model
	// (PARTIAL of RFC 9394, ADDTO of RFC 5267, ...), in the order they
	// came, with the value as raw text.
	Extra []ESearchItem
}

// ESearchItem is one return data item ESearchData does not model.
type ESearchItem struct {
	Name  string // upper-cased
	Value string // as sent; "" when it held a large literal
}

// Has reports whether the item name (upper-case) was returned.
func (e *ESearchData) Has(name string) bool {
	for _, n := range e.Returned {
		if n == name {
			return true
		}
	}
	return false
}

// ParseESearch parses the bytes after "ESEARCH" (RFC 4731 section 3.1,
// RFC 4466 section 2.6.2, RFC 7162 section 3.1.5):
//
//	esearch-response = [search-correlator] [SP "UID"] *(SP search-return-data)
//	search-correlator = "(" "TAG" SP tag-string ")"
//	search-return-data = "MIN" SP nz-number / "MAX" SP nz-number /
//	                     "ALL" SP sequence-set / "COUNT" SP number /
//	                     "MODSEQ" SP mod-sequence-value / search-ret-data-ext
//
// The leading space is optional (the session layer strips it). Other
// items of the correlator (MAILBOX and UIDVALIDITY of RFC 7377) are
// skipped. A malformed response is a *SyntaxError.
func ParseESearch(raw []byte) (*ESearchData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	es := &ESearchData{}
	if d.peek() == ' ' {
		d.pos++
	}
	if d.peek() == '(' {
		if err := d.esearchCorrelator(es); err != nil {
			return nil, err
		}
	}
	first := true
	for !d.atEOL() {
		if !first || d.peek() == ' ' {
			if err := d.sp(); err != nil {
				return nil, err
			}
			if d.atEOL() {
				break // trailing space
			}
		}
		first = false
		name, err := d.atom()
		if err != nil {
			return nil, err
		}
		kw := upper(name)
		if kw == "UID" && len(es.Returned) == 0 && len(es.Extra) == 0 && !es.UID {
			es.UID = true
			continue
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
		if err := d.esearchItem(es, kw); err != nil {
			return nil, err
		}
	}
	return es, d.rawEnd()
}

// esearchCorrelator reads "(" "TAG" SP tag-string *(SP name SP value) ")".
func (d *Decoder) esearchCorrelator(es *ESearchData) error {
	d.pos++
	for i := 0; d.peek() != ')'; i++ {
		if i > 0 {
			if err := d.sp(); err != nil {
				return err
			}
		}
		name, err := d.atom()
		if err != nil {
			return err
		}
		kw := upper(name)
		if err := d.sp(); err != nil {
			return err
		}
		if kw == "TAG" {
			tag, err := d.astring()
			if err != nil {
				return err
			}
			es.Tag = string(tag)
			continue
		}
		if err := d.skipValue(); err != nil {
			return err
		}
	}
	d.pos++
	return nil
}

// esearchItem reads the value of one return data item named kw.
func (d *Decoder) esearchItem(es *ESearchData, kw string) error {
	var err error
	switch kw {
	case "MIN":
		es.Min, err = d.nzNumber()
	case "MAX":
		es.Max, err = d.nzNumber()
	case "COUNT":
		es.Count, err = d.number()
	case "MODSEQ":
		es.ModSeq, err = d.number64()
	case "ALL":
		es.All, err = d.sequenceSet()
	default:
		fs, start := d.fs, d.pos
		if err := d.skipValue(); err != nil {
			return err
		}
		it := ESearchItem{Name: kw}
		if d.fs == fs && d.pos >= start {
			it.Value = string(d.buf[start:d.pos])
		}
		es.Extra = append(es.Extra, it)
		return nil
	}
	if err != nil {
		return err
	}
	es.Returned = append(es.Returned, kw)
	return nil
}

// nzNumber reads a number that must not be zero (RFC 3501 nz-number).
func (d *Decoder) nzNumber() (uint32, error) {
	n, err := d.number()
	if err == nil && n == 0 {
		return 0, d.syntaxErr("expected a number other than 0")
	}
	return n, err
}

// sequenceSet reads a sequence-set of numbers and "*" (RFC 3501 section 9).
func (d *Decoder) sequenceSet() (imap.NumSet, error) {
	start := d.pos
	for d.pos < d.fe {
		c := d.buf[d.pos]
		if (c < '0' || c > '9') && c != ':' && c != ',' && c != '*' {
			break
		}
		d.pos++
	}
	if d.pos == start {
		return nil, d.syntaxErr("expected sequence set")
	}
	set, err := imap.ParseNumSet(string(d.buf[start:d.pos]))
	if err != nil {
		d.pos = start
		return nil, d.syntaxErr("invalid sequence set")
	}
	return set, nil
}
