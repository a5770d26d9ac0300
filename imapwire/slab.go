package imapwire

import (
	"unsafe"

	"github.com/imapclient-go/imapclient/imap"
)

// Slabs: the many small values of a FETCH stream (body structure nodes
// and fields, envelopes, addresses, parameter lists, dates) are carved
// out of shared chunks instead of being allocated one by one: a metadata
// FETCH makes half as many allocations. A chunk hands out each element
// once and is never rewritten, so a string made from its bytes stays
// immutable; a value the caller keeps keeps its chunk alive (a few KiB at
// most). Release drops the current chunks with the buffer.
const (
	slabChunk     = 4 << 10 // bytes per string chunk
	slabMaxString = 512     // longer strings get their own allocation
	paramChunk    = 63      // parameters per chunk (2 KiB with its header)
)

// keep returns b as a string: a common constant when it is one (str8),
// else bytes in the string slab.
func (d *Decoder) keep(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n <= 16 {
		if s, ok := commonString(b); ok {
			return s
		}
	}
	if n > slabMaxString {
		return string(b)
	}
	if cap(d.slab)-len(d.slab) < n {
		d.slab = make([]byte, 0, slabChunk)
	}
	start := len(d.slab)
	d.slab = append(d.slab, b...)
	return unsafe.String(&d.slab[start], n)
}

// keepParams returns a copy of ps (at least one) in the parameter slab,
// capped so that appending to it never writes into a neighbour.
func (d *Decoder) keepParams(ps []imap.Param) []imap.Param {
	n := len(ps)
	if n > paramChunk/2 {
		return append([]imap.Param(nil), ps...)
	}
	if cap(d.pslab)-len(d.pslab) < n {
		d.pslab = make([]imap.Param, 0, paramChunk)
	}
	start := len(d.pslab)
	d.pslab = append(d.pslab, ps...)
	return d.pslab[start:len(d.pslab):len(d.pslab)]
}

// Chunk sizes of the slabs of body structure nodes, part lists, envelopes
// and addresses. A chunk of values with pointers that is over 512 bytes
// carries an 8-byte header, so the counts are chosen for chunk+8 to fill
// a size class (3200, 512, 3200 and 4096 bytes): 2-4% slack.
const (
	nodeChunk    = 12 // 256 bytes each
	partsChunk   = 64 // 8 bytes each, no header
	envChunk     = 15 // 208 bytes each
	addrChunk    = 63 // 64 bytes each
	maxSlabAddrs = 16 // longer address lists get their own array
	maxSlabParts = partsChunk / 4
)

// newNode returns a zero body structure node from the node slab.
func (d *Decoder) newNode() *imap.BodyStructure {
	if len(d.nodes) == 0 {
		d.nodes = make([]imap.BodyStructure, nodeChunk)
	}
	b := &d.nodes[0]
	d.nodes = d.nodes[1:]
	return b
}

// newEnvelope returns a zero envelope from the envelope slab.
func (d *Decoder) newEnvelope() *imap.Envelope {
	if len(d.envs) == 0 {
		d.envs = make([]imap.Envelope, envChunk)
	}
	e := &d.envs[0]
	d.envs = d.envs[1:]
	return e
}

// keepParts returns a copy of parts in the part list slab, capped.
func (d *Decoder) keepParts(parts []*imap.BodyStructure) []*imap.BodyStructure {
	n := len(parts)
	if n > maxSlabParts {
		return append([]*imap.BodyStructure(nil), parts...)
	}
	if cap(d.partSlab)-len(d.partSlab) < n {
		d.partSlab = make([]*imap.BodyStructure, 0, partsChunk)
	}
	start := len(d.partSlab)
	d.partSlab = append(d.partSlab, parts...)
	return d.partSlab[start:len(d.partSlab):len(d.partSlab)]
}

// newAddrs returns n zero addresses from the address slab, capped.
func (d *Decoder) newAddrs(n int) []imap.Address {
	if n > maxSlabAddrs {
		return make([]imap.Address, n)
	}
	if len(d.addrs) < n {
		d.addrs = make([]imap.Address, addrChunk)
	}
	a := d.addrs[:n:n]
	d.addrs = d.addrs[n:]
	return a
}

// keepLower is keep of b in lower case (dispositions: "attachment",
// "inline").
func (d *Decoder) keepLower(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			lower := make([]byte, len(b)) // rare: servers send them lower-case
			for i, c := range b {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				lower[i] = c
			}
			return d.keep(lower)
		}
	}
	return d.keep(b)
}
