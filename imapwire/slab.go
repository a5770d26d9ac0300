package imapwire

import (
	"bytes"
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

// slabTake returns n zero elements (n at most chunk) from *slab, capped so
// that appending to them never writes into a neighbour, starting a new
// chunk when the current one has fewer left.
func slabTake[T any](slab *[]T, n, chunk int) []T {
	if len(*slab) < n {
		*slab = make([]T, chunk)
	}
	a := (*slab)[:n:n]
	*slab = (*slab)[n:]
	return a
}

// newNode returns a zero body structure node from the node slab.
func (d *Decoder) newNode() *imap.BodyStructure { return &slabTake(&d.nodes, 1, nodeChunk)[0] }

// newEnvelope returns a zero envelope from the envelope slab.
func (d *Decoder) newEnvelope() *imap.Envelope { return &slabTake(&d.envs, 1, envChunk)[0] }

// keepParams returns a copy of ps (at least one) in the parameter slab.
func (d *Decoder) keepParams(ps []imap.Param) []imap.Param {
	if len(ps) > paramChunk/2 {
		return append([]imap.Param(nil), ps...)
	}
	a := slabTake(&d.pslab, len(ps), paramChunk)
	copy(a, ps)
	return a
}

// keepParts returns a copy of parts in the part list slab.
func (d *Decoder) keepParts(parts []*imap.BodyStructure) []*imap.BodyStructure {
	if len(parts) > maxSlabParts {
		return append([]*imap.BodyStructure(nil), parts...)
	}
	a := slabTake(&d.partSlab, len(parts), partsChunk)
	copy(a, parts)
	return a
}

// newAddrs returns n zero addresses from the address slab.
func (d *Decoder) newAddrs(n int) []imap.Address {
	if n > maxSlabAddrs {
		return make([]imap.Address, n)
	}
	return slabTake(&d.addrs, n, addrChunk)
}

// keepLower is keep of b in lower case (dispositions: "attachment",
// "inline"); b is copied only when it may have upper-case letters.
func (d *Decoder) keepLower(b []byte) string {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			return d.keep(bytes.ToLower(b))
		}
	}
	return d.keep(b)
}
