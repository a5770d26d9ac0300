package imapwire

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// TracePartial is the literal argument of Decoder.Trace for the first part
// of a long SEARCH or SORT line that the decoder parses while it arrives
// (see streamSearch): frame is that part, without CRLF, and the frame that
// ends the line is traced as usual.
const TracePartial = -2

// searchSlot keeps the growing number list of the last long SEARCH or
// SORT line between uses, so that a client searching a large mailbox again
// and again neither regrows the list by doubling nor clears it each time:
// the result is one exact copy (see doneSearch). A sync.Pool alone missed
// one search in four against Dovecot, each miss costing 2 MB of regrowth:
// a Put lands in the P's private entry, which a Get on another P cannot
// take (the goroutine often wakes on another P after waiting for the
// server), and a collection empties the pool. The slot holds one list of
// at most maxSlotSearch numbers (1 MiB) for the process; others, and a
// list the slot already had, go to searchScratch, the pool, whose content
// the collector drops when nobody uses it.
var (
	searchSlot    atomic.Pointer[[]uint32]
	searchScratch sync.Pool
)

// maxSlotSearch bounds the list searchSlot keeps.
const maxSlotSearch = 1 << 18

// getSearchScratch returns an empty list to gather numbers in.
func getSearchScratch() []uint32 {
	if s := searchSlot.Swap(nil); s != nil {
		return (*s)[:0]
	}
	if s, ok := searchScratch.Get().(*[]uint32); ok {
		return (*s)[:0]
	}
	return make([]uint32, 0, 16<<10)
}

// putSearchScratch keeps nums, whose numbers have been copied out, for the
// next long line.
func putSearchScratch(nums []uint32) {
	nums = nums[:0]
	switch {
	case cap(nums) <= maxSlotSearch:
		if old := searchSlot.Swap(&nums); old != nil {
			searchScratch.Put(old)
		}
	case cap(nums) <= maxPooledSearch:
		searchScratch.Put(&nums)
	}
}

// searchBufSlot keeps one read buffer grown by streamSearch (see
// searchReadGrowth) between uses: Release puts it there instead of
// dropping it, so repeated searches do not allocate 256 KiB each. Nothing
// can refer to the buffer then (values in it are valid only until the next
// call on the decoder), and what it holds is overwritten before it is read.
var searchBufSlot atomic.Pointer[[]byte]

// grownReadBuf returns a read buffer of size bytes for streamSearch.
func grownReadBuf(size int) []byte {
	if b := searchBufSlot.Swap(nil); b != nil && len(*b) == size {
		return *b
	}
	return make([]byte, size)
}

// searchReadGrowth is how many times Limits.ReadBufferSize the read buffer
// grows to for the rest of a long SEARCH or SORT line once streamSearch
// has it: the line is then known to be long, and reads of 256 KiB instead
// of 16 KiB (the default size) took a 100,000-id UID SEARCH ALL from
// Dovecot on loopback in about 4% less wall time (bench/, 40 runs each,
// the order rotating). The buffer grows to this size at most, not to the
// line's size, and Release keeps it in searchBufSlot for the next.
const searchReadGrowth = 16

// maxPooledSearch bounds the lists kept in searchScratch (4 MiB).
const maxPooledSearch = 1 << 20

// streamSearch keeps a long "* SEARCH" or "* SORT" line (one number per
// message: 600 KB for 100,000 messages) from having to fit in the buffer:
// it parses the complete numbers that arrived so far into d.searchAcc and
// drops their bytes, keeping the line's start, so the buffer need not grow
// and the parsing overlaps the transfer. parseSearch appends what it reads
// to d.searchAcc. It stops at anything but a plain number (such as
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
	if d.searchAcc == nil {
		d.searchAcc = getSearchScratch()
	}
	acc := d.searchAcc
	seg := b[:last+1] // ends with the space that ends its last number
	if cap(acc)-len(acc) < len(seg)/8 {
		// More than doubled when little room is left: append's growth
		// by a quarter for large slices allocated and copied about 2 MB
		// for the 400 KB of a first 100,000-number line.
		acc = slices.Grow(acc, 2*cap(acc)-len(acc))
	}
	q, acc := scanNums(seg, p, acc)
	d.searchAcc = acc
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
	if size := searchReadGrowth * d.lim.ReadBufferSize; len(d.buf) < size {
		// The rest of the line in large reads (see searchReadGrowth).
		nb := grownReadBuf(size)
		d.wr = copy(nb, d.buf[d.rd:d.wr])
		d.rd = 0
		d.buf = nb
	}
	return true
}

// scanNums appends to acc the numbers of seg after seg[q], a space: each
// number followed by a single space, seg ending with one. It returns the
// position of the space before the first number it did not take (len(seg)
// - 1 when it took them all) and acc. It stops at anything but a number
// of at most 10 digits that fits in 32 bits (such as "(MODSEQ" or a
// second space), which parseSearch then judges. acc holds the numbers
// before seg's, if any: after runMin numbers each one more than the one
// before it, scanRun reads the rest of the run.
func scanNums(seg []byte, q int, acc []uint32) (int, []uint32) {
	last := len(seg) - 1
	run := 0
	for q < last {
		// Up to 7 digits and their space in one 8-byte word.
		if q+9 <= len(seg) {
			l, v := digits8(binary.LittleEndian.Uint64(seg[q+1 : q+9]))
			if uint(l-1) < 7 && seg[q+1+l] == ' ' {
				if n := len(acc); n > 0 {
					// run+1 when v follows the number before, else 0,
					// without a branch: results with short runs mix
					// the two at random, and a mispredicted branch
					// per number cost half of this loop's time.
					run = (run + 1) * int((uint64(acc[n-1]+1-v)-1)>>63)
				}
				acc = append(acc, v)
				q += 1 + l
				if run >= runMin {
					q, acc = scanRun(seg, q, l, acc)
					run = 0
				}
				continue
			}
		}
		run = 0
		j, v := q+1, uint64(0)
		for ; ; j++ {
			c := seg[j] - '0'
			if c > 9 {
				break
			}
			v = v*10 + uint64(c)
		}
		// At most 10 digits (v cannot wrap), a value that fits in 32
		// bits and a single space after it.
		if j == q+1 || j-q > 11 || v > 0xFFFFFFFF || seg[j] != ' ' {
			break
		}
		acc = append(acc, uint32(v))
		q = j
	}
	return q, acc
}

// runMin is how many numbers in a row, each one more than the one before,
// make scanNums expect more of them (see scanRun). Results are mostly such
// runs (UIDs are given in order and in steps of one, and stay so until
// messages are expunged). With 4, numbers in steps of one or two at
// random took a third longer than without scanRun (it started often and
// soon stopped); with 8 or 16 as long as without it.
const runMin = 8

// scanRun goes on from seg[q], the space after the last number in acc
// (l digits, right before it), while seg holds the next numbers in steps
// of one, as scanNums would read them:
// instead of reading each number, it compares the bytes with the text it
// expects (the number's digits and the space after them) in one 8-byte
// word, and counts that text up, which doubled the speed of reading
// 100,000 consecutive UIDs. It returns the space before the first number
// it did not take, and acc.
func scanRun(seg []byte, q, l int, acc []uint32) (int, []uint32) {
	next := acc[len(acc)-1] + 1
	// The text expected next: that of the number before counted up, or
	// made afresh when it ends in 9.
	step := l + 1
	mask := uint64(1)<<(8*step) - 1
	want := binary.LittleEndian.Uint64(seg[q-l:q-l+8])&mask + uint64(1)<<(8*(l-1))
	if next%10 == 0 {
		want, mask, step = runText(next)
	}
	for ; mask != 0; want, mask, step = runText(next) {
		unit := uint64(1) << (8 * (step - 2)) // the last digit's byte
		d := next % 10
		for {
			if q+9 > len(seg) || binary.LittleEndian.Uint64(seg[q+1:q+9])&mask != want {
				return q, acc
			}
			acc = append(acc, next)
			next++
			q += step
			if d < 9 {
				d++
				want += unit
				continue
			}
			// From ...9 to ...0: the tens digit counts up, unless it is
			// a 9 too (or there is none): then the text is made afresh.
			if step < 3 || want>>(8*(step-3))&0xFF == '9' {
				break
			}
			d = 0
			want = want - 9*unit + unit>>8
		}
	}
	return q, acc
}

// runText returns the text of n and a space as the little-endian word
// scanRun compares, the mask of its bytes and its length; mask 0 when n
// has more than 7 digits (the text would not fit in the word).
func runText(n uint32) (want, mask uint64, step int) {
	if n >= 10_000_000 {
		return 0, 0, 0
	}
	var b [8]byte
	i := len(b) - 1
	b[i] = ' '
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	step = len(b) - i
	want = binary.LittleEndian.Uint64(b[:]) >> (8 * i)
	return want, 1<<(8*step) - 1, step
}

// digits8 reads the digits at the start of x, 8 bytes of a line with the
// first in the lowest byte, in a few word operations instead of a
// multiply per digit: it returns how many bytes from the start are ASCII
// digits (0 to 8) and, when that is 1 to 7, their value. Small enough to
// be inlined, so that scanNums's loop keeps its state in registers (the
// call it replaced cost a quarter of the loop's time in spills).
func digits8(x uint64) (n int, v uint32) {
	const hi = 0x8080808080808080
	a := x &^ hi
	// A byte's top bit: set when it is not an ASCII digit. Adding to
	// 7-bit bytes never carries into the next byte.
	notDigit := (x | ^(a + 0x5050505050505050) | (a + 0x4646464646464646)) & hi
	n = bits.TrailingZeros64(notDigit) >> 3
	// The digits as values 0-9, moved up to the top n bytes (the first
	// digit, the most significant, in the lowest of them), zero bytes
	// below (leading zeros); then adjacent bytes combine into pairs of
	// digits, pairs into fours, fours into the value.
	d := (x & 0x0F0F0F0F0F0F0F0F) << (64 - 8*n)
	d = (d*10 + d>>8) & 0x00FF00FF00FF00FF
	d = (d*100 + d>>16) & 0x0000FFFF0000FFFF
	return n, uint32(d*10000 + d>>32)
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

// takeSearch returns the list the numbers of the current line go to: the
// ones streamSearch gathered, with room for n more, or a new list of
// capacity n when the line came whole.
func (d *Decoder) takeSearch(n int) []uint32 {
	if d.searchAcc == nil {
		return make([]uint32, 0, n)
	}
	acc := d.searchAcc
	d.searchAcc = nil
	return slices.Grow(acc, n)
}

// doneSearch returns the caller's copy of nums, the complete list of a
// line: when the list is the gathering scratch (streamed is true), an
// exact copy, and the scratch is kept for the next line (putSearchScratch).
func doneSearch(nums []uint32, streamed bool) []uint32 {
	if !streamed {
		return nums
	}
	out := make([]uint32, len(nums))
	copy(out, nums)
	putSearchScratch(nums)
	return out
}
