package imapwire

import (
	"bytes"
)

// The untagged responses of QUOTA (RFC 2087, RFC 9208) and ACL (RFC 4314)
// reach the session layer as *RawData: the bytes after the keyword. The
// functions here parse those bytes. Mailbox names are returned as sent
// (modified UTF-7 unless UTF8=ACCEPT is on); quota root names, identifiers
// and rights are plain strings.

// QuotaResource is one resource of a QUOTA response: its name ("STORAGE",
// "MESSAGE", ...), current usage and limit. STORAGE counts units of 1024
// octets (RFC 9208 section 5.1).
type QuotaResource struct {
	Name         string
	Usage, Limit int64
}

// QuotaData is the payload of QUOTA (RFC 9208 section 7.1, RFC 2087
// section 5.1): a quota root and its resources.
type QuotaData struct {
	Root      string
	Resources []QuotaResource
}

// QuotaRootData is the payload of QUOTAROOT (RFC 9208 section 7.2, RFC
// 2087 section 5.2): a mailbox and the quota roots it belongs to (none
// when it has no quota).
type QuotaRootData struct {
	Mailbox string
	Roots   []string
}

// ACLEntry is one identifier and its rights in an ACL response.
type ACLEntry struct {
	Identifier, Rights string
}

// ACLData is the payload of ACL (RFC 4314 section 3.6): a mailbox and its
// access control list.
type ACLData struct {
	Mailbox string
	Entries []ACLEntry
}

// MyRightsData is the payload of MYRIGHTS (RFC 4314 section 3.8).
type MyRightsData struct {
	Mailbox, Rights string
}

// ListRightsData is the payload of LISTRIGHTS (RFC 4314 section 3.7): the
// rights always granted to the identifier (Required) and the groups of
// rights that may be granted (Optional).
type ListRightsData struct {
	Mailbox, Identifier, Required string
	Optional                      []string
}

// ParseQuota parses the bytes after "QUOTA":
//
//	quota-root-name SP "(" [quota-resource *(SP quota-resource)] ")"
//	quota-resource  = resource-name SP resource-usage SP resource-limit
func ParseQuota(raw []byte) (*QuotaData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	root, err := d.rawAString()
	if err != nil {
		return nil, err
	}
	q := &QuotaData{Root: string(root)}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	for d.peek() != ')' {
		if len(q.Resources) > 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		name, err := d.atom()
		if err != nil {
			return nil, err
		}
		res := QuotaResource{Name: upper(name)}
		if err := d.sp(); err != nil {
			return nil, err
		}
		usage, err := d.number64()
		if err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
		limit, err := d.number64()
		if err != nil {
			return nil, err
		}
		res.Usage, res.Limit = int64(usage), int64(limit)
		q.Resources = append(q.Resources, res)
	}
	d.pos++
	return q, d.rawEnd()
}

// ParseQuotaRoot parses the bytes after "QUOTAROOT":
//
//	mailbox *(SP quota-root-name)
func ParseQuotaRoot(raw []byte) (*QuotaRootData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	mbox, err := d.rawAString()
	if err != nil {
		return nil, err
	}
	q := &QuotaRootData{Mailbox: string(mbox)}
	for d.peek() == ' ' {
		d.pos++
		if d.atEOL() {
			break // trailing space
		}
		root, err := d.rawAString()
		if err != nil {
			return nil, err
		}
		q.Roots = append(q.Roots, string(root))
	}
	return q, d.rawEnd()
}

// ParseACL parses the bytes after "ACL":
//
//	mailbox *(SP identifier SP rights)
func ParseACL(raw []byte) (*ACLData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	mbox, err := d.rawAString()
	if err != nil {
		return nil, err
	}
	a := &ACLData{Mailbox: string(mbox)}
	for d.peek() == ' ' {
		d.pos++
		if d.atEOL() {
			break
		}
		// Values point into the buffer, which a large literal may
		// refill: convert each at once.
		id, err := d.rawAString()
		if err != nil {
			return nil, err
		}
		e := ACLEntry{Identifier: string(id)}
		if err := d.sp(); err != nil {
			return nil, err
		}
		rights, err := d.rawAString()
		if err != nil {
			return nil, err
		}
		e.Rights = string(rights)
		a.Entries = append(a.Entries, e)
	}
	return a, d.rawEnd()
}

// ParseMyRights parses the bytes after "MYRIGHTS":
//
//	mailbox SP rights
func ParseMyRights(raw []byte) (*MyRightsData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	mbox, err := d.rawAString()
	if err != nil {
		return nil, err
	}
	m := &MyRightsData{Mailbox: string(mbox)}
	if err := d.sp(); err != nil {
		return nil, err
	}
	rights, err := d.rawAString()
	if err != nil {
		return nil, err
	}
	m.Rights = string(rights)
	return m, d.rawEnd()
}

// ParseListRights parses the bytes after "LISTRIGHTS":
//
//	mailbox SP identifier SP rights *(SP rights)
func ParseListRights(raw []byte) (*ListRightsData, error) {
	d, err := rawDecoder(raw)
	if err != nil {
		return nil, err
	}
	var fields [3]string
	for i := range fields {
		if i > 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		v, err := d.rawAString()
		if err != nil {
			return nil, err
		}
		fields[i] = string(v)
	}
	l := &ListRightsData{Mailbox: fields[0], Identifier: fields[1], Required: fields[2]}
	for d.peek() == ' ' {
		d.pos++
		if d.atEOL() {
			break
		}
		r, err := d.rawAString()
		if err != nil {
			return nil, err
		}
		l.Optional = append(l.Optional, string(r))
	}
	return l, d.rawEnd()
}

// rawDecoder returns a decoder positioned at the start of raw, a response
// payload without its final CRLF. Literals inside raw are framed as in a
// live response; large ones are read in bounded chunks.
func rawDecoder(raw []byte) (*Decoder, error) {
	buf := make([]byte, 0, len(raw)+2)
	buf = append(append(buf, raw...), '\r', '\n')
	size := len(buf) + 1
	if size > DefaultReadBufferSize {
		size = DefaultReadBufferSize
	}
	d := NewDecoder(bytes.NewReader(buf), &Limits{ReadBufferSize: size})
	if err := d.readFrame(); err != nil {
		return nil, err
	}
	d.inResp = true
	return d, nil
}

// rawEnd checks that the payload is fully consumed, tolerating trailing
// spaces as some servers send them.
func (d *Decoder) rawEnd() error {
	if err := d.afterLiteral(); err != nil {
		return err
	}
	for d.peek() == ' ' {
		d.pos++
	}
	return d.eol()
}

// rawAString reads an astring. Unlike astring it reads an atom that
// starts with '~' ("~/Mail/saved", RFC 4314 section 3.7) as an atom: only
// "~{" starts a literal8.
func (d *Decoder) rawAString() ([]byte, error) {
	if d.peek() == '~' && (d.pos+1 >= d.fe || d.buf[d.pos+1] != '{') {
		return d.astringAtom()
	}
	return d.astring()
}
