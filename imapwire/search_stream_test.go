package imapwire

import (
	"errors"
	"slices"
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
// without growing the buffer, whatever the read sizes.
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
		if len(d.buf) != 256 {
			t.Errorf("chunk %d: the buffer grew to %d bytes", chunk, len(d.buf))
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
