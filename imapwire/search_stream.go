package imapwire

import (
	"bytes"
	"slices"
)

// TracePartial is the literal argument of Decoder.Trace for the first part
// of a long SEARCH or SORT line that the decoder parses while it arrives
// (see streamSearch): frame is that part, without CRLF, and the frame that
// ends the line is traced as usual.
const TracePartial = -2

// streamSearch keeps a long "* SEARCH" or "* SORT" line (one number per
// message: 600 KB for 100,000 messages) from having to fit in the buffer:
// it parses the complete numbers that arrived so far into d.searchAcc and
// drops their bytes, keeping the line's start, so the buffer need not grow
// and the parsing overlaps the transfer. parseSearch prepends d.searchAcc
// to what it reads. It stops at anything but a plain number (such as
// "(MODSEQ"), which parseSearch then judges, and reports whether it
// dropped anything. The state lives in the decoder and the buffer, so a
// read interrupted by a timeout resumes. d.streamed counts the dropped
// bytes against Limits.MaxLine and d.head keeps the line's start for
// errors; setFrame hands both to the frame (frameOff, frameHead).
func (d *Decoder) streamSearch() bool {
	b := d.buf[d.rd:d.wr]
	p := searchPrefix(b)
	if p == 0 {
		return false
	}
	// Only complete numbers: each is followed by a space.
	last := bytes.LastIndexByte(b, ' ')
	if last <= p {
		return false
	}
	// Room for every number before the last space, doubling: append's
	// gentler growth for large slices would copy the numbers many times.
	if k := bytes.Count(b[p:last], []byte{' '}); cap(d.searchAcc)-len(d.searchAcc) < k {
		acc := make([]uint32, len(d.searchAcc), max(2*cap(d.searchAcc), len(d.searchAcc)+k, 4096))
		copy(acc, d.searchAcc)
		d.searchAcc = acc
	}
	q := p // b[q] is the space before the next number
	for q < last {
		j, v := q+1, uint64(0)
		for ; j < last && b[j] >= '0' && b[j] <= '9' && j-q <= 10; j++ {
			v = v*10 + uint64(b[j]-'0')
		}
		if j == q+1 || b[j] != ' ' || v > 0xFFFFFFFF {
			break // not a plain number: left to parseSearch
		}
		d.searchAcc = append(d.searchAcc, uint32(v))
		q = j
	}
	if q == p {
		return false
	}
	if d.streamed == 0 {
		d.head = append(make([]byte, 0, maxErrLine), b[:p]...)
		if d.Trace != nil {
			d.Trace(b[:q], TracePartial)
		}
	}
	// Errors in the line show its start (SyntaxError.Line) as if it had
	// been read whole: keep what is dropped of it.
	if room := maxErrLine - len(d.head); room > 0 {
		d.head = append(d.head, b[p:p+min(room, q-p)]...)
	}
	d.streamed += int64(q - p)
	n := copy(b[p:], b[q:])
	d.wr = d.rd + p + n
	return true
}

// searchPrefix returns the length of "* SEARCH" or "* SORT" (any case)
// when b starts with it and a space, else 0.
func searchPrefix(b []byte) int {
	for _, name := range [...]string{"SEARCH", "SORT"} {
		p := 2 + len(name)
		if len(b) > p && b[0] == '*' && b[1] == ' ' && b[p] == ' ' && bytes.EqualFold(b[2:p], []byte(name)) {
			return p
		}
	}
	return 0
}

// takeSearch returns the numbers streamSearch gathered for the current
// line, with room for n more.
func (d *Decoder) takeSearch(n int) []uint32 {
	acc := d.searchAcc
	d.searchAcc = nil
	return slices.Grow(acc, n)
}
