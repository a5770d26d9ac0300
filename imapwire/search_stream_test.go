package imapwire

import (
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// searchNums reads one response from in and returns its SEARCH data.
func searchNums(t *testing.T, d *Decoder) *SearchData {
	t.Helper()
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatalf("ReadResponse: %v", err)
	}
	sd, ok := r.Data.(*SearchData)
	if !ok {
		t.Fatalf("%s: data %T", r.Name, r.Data)
	}
	return sd
}

// TestSearchStreaming checks that a SEARCH line longer than the read
// buffer is parsed while it arrives, to the same result as a whole line,
// with the buffer grown to searchReadGrowth times its size and no more
// (the line is 50 times that), whatever the read sizes.
func TestSearchStreaming(t *testing.T) {
	var want []uint32
	var line strings.Builder
	line.WriteString("* SEARCH")
	for i := uint32(1); i <= 20000; i++ {
		n := i * 214748 // up to 10 digits
		want = append(want, n)
		line.WriteString(" " + uitoa(n))
	}
	in := line.String() + " (MODSEQ 12345)\r\n* OK next\r\n"
	whole := searchNums(t, NewDecoder(strings.NewReader(in), &Limits{ReadBufferSize: len(in) + 100}))
	if !slices.Equal(whole.Nums, want) || whole.ModSeq != 12345 {
		t.Fatalf("whole line: %d numbers, modseq %d", len(whole.Nums), whole.ModSeq)
	}
	for _, chunk := range []int{1, 7, 4096, len(in)} {
		var partial, final int
		d := NewDecoder(&stutterReader{data: []byte(in), chunk: chunk}, &Limits{ReadBufferSize: 256})
		d.Trace = func(frame []byte, lit int64) {
			switch {
			case lit == TracePartial:
				partial++
				if !strings.HasPrefix(string(frame), "* SEARCH 214748 ") || strings.ContainsAny(string(frame), "\r\n") {
					t.Errorf("partial frame %.40q", frame)
				}
			case strings.HasPrefix(string(frame), "* SEARCH"):
				final++
			}
		}
		got := searchNums(t, d)
		if !slices.Equal(got.Nums, want) || got.ModSeq != 12345 {
			t.Fatalf("chunk %d: %d numbers (want %d), modseq %d", chunk, len(got.Nums), len(want), got.ModSeq)
		}
		if len(d.buf) != 256*searchReadGrowth {
			t.Errorf("chunk %d: the buffer is %d bytes, want %d", chunk, len(d.buf), 256*searchReadGrowth)
		}
		if partial != 1 || final != 1 {
			t.Errorf("chunk %d: traced %d partial and %d final frames, want 1 and 1", chunk, partial, final)
		}
		if r, err := d.ReadResponse(); err != nil || r.Status == nil || r.Status.Text != "next" {
			t.Fatalf("chunk %d: next response %+v, %v", chunk, r, err)
		}
	}
}

// TestSearchStreamingErrors: a bad number in the middle of a streamed line
// is the same syntax error as in a whole line, a streamed line over
// MaxLine is a LimitError, and the decoder goes on with the next response
// either way, with nothing carried over.
func TestSearchStreamingErrors(t *testing.T) {
	long := "* SEARCH" + strings.Repeat(" 1234567", 200)
	cases := map[string]struct {
		line  string
		limit bool
	}{
		"beyond 32 bits": {line: long + " 4294967296" + strings.Repeat(" 7", 10)},
		"garbage":        {line: long + " 12x" + strings.Repeat(" 7", 10)},
		"double space":   {line: long + "  7"},
		"over MaxLine":   {line: long + strings.Repeat(" 7", 2000), limit: true},
	}
	for name, tc := range cases {
		in := tc.line + "\r\n* SEARCH 5 6\r\n"
		for _, chunk := range []int{1, 100, len(in)} {
			d := NewDecoder(iotest.HalfReader(&stutterReader{data: []byte(in), chunk: chunk}), &Limits{ReadBufferSize: 128, MaxLine: 4000})
			_, err := d.ReadResponse()
			var le *LimitError
			var se *SyntaxError
			if tc.limit && !errors.As(err, &le) || !tc.limit && !errors.As(err, &se) {
				t.Errorf("%s, chunk %d: error %v", name, chunk, err)
			}
			if got := searchNums(t, d); !slices.Equal(got.Nums, []uint32{5, 6}) {
				t.Errorf("%s, chunk %d: next SEARCH %v", name, chunk, got.Nums)
			}
		}
	}
}

func uitoa(n uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestDigits8 compares the word-at-a-time digit reader with a byte loop and
// strconv on every length and on the bytes that border the digits
// (including bytes with the top bit set whose low 7 bits are digits).
func TestDigits8(t *testing.T) {
	check := func(w []byte) {
		t.Helper()
		n, v := digits8(binary.LittleEndian.Uint64(w))
		// The byte-by-byte answer.
		k := 0
		for k < len(w) && w[k] >= '0' && w[k] <= '9' {
			k++
		}
		if n != k {
			t.Fatalf("digits8(%q) counted %d digits, want %d", w, n, k)
		}
		if k < 1 || k > 7 {
			return // no value: scanNums reads it byte by byte
		}
		want, err := strconv.ParseUint(string(w[:k]), 10, 32)
		if err != nil || n != k || uint64(v) != want {
			t.Fatalf("digits8(%q) = %d, %d; want %d, %d", w, n, v, k, want)
		}
	}
	others := []byte{' ', '/', ':', 0, 0x7f, 0x80, 0xb0, 0xb9, 0xff, '\r', '('}
	for l := 0; l <= 8; l++ {
		for _, num := range []string{"0000000", "9999999", "1234567", "7654321", "1000000", "0000001"} {
			for _, after := range others {
				w := []byte(num[:min(l, 7)] + "01234567")[:8]
				if l < 8 {
					w[l] = after
				}
				check(w)
				// A stray byte followed by a space.
				if l < 7 {
					check([]byte(num[:l] + string([]byte{after}) + " 0123456")[:8])
				}
				// A stray byte inside the digits.
				if l > 1 {
					w2 := slices.Clone(w)
					w2[l/2] = after
					check(w2)
				}
			}
		}
	}
	for i := range 200000 {
		n := uint32(i) * 48271 % 10000000
		check([]byte(strconv.FormatUint(uint64(n), 10) + " 1234567")[:8])
	}
}

// TestSearchStreamingPooled checks that the lists of streamed SEARCH lines
// that share pooled scratch are independent: each result is its own copy,
// of exactly its numbers.
func TestSearchStreamingPooled(t *testing.T) {
	line := func(from, n uint32) (string, []uint32) {
		var b strings.Builder
		var want []uint32
		b.WriteString("* SEARCH")
		for i := from; i < from+n; i++ {
			want = append(want, i)
			b.WriteString(" " + uitoa(i))
		}
		return b.String() + "\r\n", want
	}
	in1, want1 := line(1, 30000)
	in2, want2 := line(500000, 20000)
	d := NewDecoder(strings.NewReader(in1+in2+in1), &Limits{ReadBufferSize: 512})
	got1 := searchNums(t, d).Nums
	got2 := searchNums(t, d).Nums
	got3 := searchNums(t, d).Nums
	if !slices.Equal(got1, want1) || !slices.Equal(got2, want2) || !slices.Equal(got3, want1) {
		t.Fatalf("lengths %d %d %d", len(got1), len(got2), len(got3))
	}
	if len(got1) != cap(got1) || len(got2) != cap(got2) {
		t.Errorf("capacities %d and %d for %d and %d numbers: not exact copies", cap(got1), cap(got2), len(got1), len(got2))
	}
	got1[0] = 7
	if got3[0] != 1 {
		t.Errorf("two results share their numbers")
	}
}

// TestSearchStreamingReuse: a connection that searches a large mailbox
// again and again, releasing its buffers after each call, allocates little
// more than each result once the first search has grown the scratch list
// (by more than doubling) and the read buffer, even when a collection runs
// between two searches and each search runs on a goroutine of its own (so
// on any P): both are kept in slots, not only in a sync.Pool, whose per-P
// private entries another P cannot take and whose content a collection
// drops.
func TestSearchStreamingReuse(t *testing.T) {
	var b strings.Builder
	b.WriteString("* SEARCH")
	for i := 1; i <= 50000; i++ {
		b.WriteString(" " + uitoa(uint32(i)))
	}
	b.WriteString("\r\n")
	line := b.String()
	r := strings.NewReader(line)
	d := NewDecoder(r, nil)
	search := func() {
		r.Reset(line)
		sd := searchNums(t, d)
		if len(sd.Nums) != 50000 || sd.Nums[49999] != 50000 {
			t.Fatalf("%d numbers", len(sd.Nums))
		}
		if !d.Release() {
			t.Fatal("Release kept the buffer")
		}
	}
	result := int64(50000 * 4)
	searchSlot.Store(nil) // as in a new process
	searchBufSlot.Store(nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	search() // grows the scratch list and the read buffer
	runtime.ReadMemStats(&after)
	// The result, the grown read buffer and a list grown by more than
	// doubling: append's growth by a quarter took 1.3 MB here.
	if got, limit := int64(after.TotalAlloc-before.TotalAlloc), 11*result/2; got > limit {
		t.Errorf("first search allocated %d bytes, want at most %d", got, limit)
	}
	for i := range 6 {
		if i%2 == 1 {
			runtime.GC()
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		done := make(chan struct{})
		go func() { defer close(done); search() }()
		<-done
		runtime.ReadMemStats(&after)
		got := int64(after.TotalAlloc - before.TotalAlloc)
		// The result, the 16 KiB read buffer, goroutine and small change.
		if limit := result + 48<<10; got > limit {
			t.Errorf("search %d allocated %d bytes, want at most %d (the result is %d)", i, got, limit, result)
		}
	}
}
