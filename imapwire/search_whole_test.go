package imapwire

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// searchOutcome is what reading one SEARCH response gave: its numbers and
// MODSEQ, or its error.
type searchOutcome struct {
	nums   []uint32
	modSeq uint64
	err    error
}

func readSearchOutcome(d *Decoder) searchOutcome {
	for {
		r, err := d.ReadResponse()
		if err != nil && isTimeout(err) {
			continue // stutterReader's timeouts: the read resumes
		}
		if err != nil {
			return searchOutcome{err: err}
		}
		sd, ok := r.Data.(*SearchData)
		if !ok {
			return searchOutcome{err: errors.New("not SEARCH data")}
		}
		return searchOutcome{nums: sd.Nums, modSeq: sd.ModSeq}
	}
}

// sameOutcome compares two outcomes: the same numbers and MODSEQ, or the
// same kind of error at the same offset with the same message.
func sameOutcome(a, b searchOutcome) bool {
	if (a.err == nil) != (b.err == nil) {
		return false
	}
	if a.err == nil {
		return slices.Equal(a.nums, b.nums) && a.modSeq == b.modSeq
	}
	var sa, sb *SyntaxError
	if errors.As(a.err, &sa) && errors.As(b.err, &sb) {
		return sa.Offset == sb.Offset && sa.Msg == sb.Msg && sa.Line == sb.Line
	}
	var la, lb *LimitError
	return errors.As(a.err, &la) && errors.As(b.err, &lb)
}

// TestSearchStreamingMatchesWhole checks that a long SEARCH line parsed
// while it arrives gives what the same line read whole gives: the numbers,
// or the error at the same offset with the same start of the line shown,
// wherever in the line something other than a plain number appears (in a
// part parsed early, at a part's edge, or in the last part), with every
// read size and with a timeout before every read. The next response then
// reads cleanly: nothing of the line is carried over.
func TestSearchStreamingMatchesWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	odd := []string{"  7", " 12x", " 4294967296", " 4294967295", " 00000000001", " 007", " (MODSEQ 77)", " (MODSEQ 1", " (FOO 1)", " 99999999999", " -1"}
	// line makes n numbers, insert before the one at index at: random
	// ones, or with from > 0 a run counting up from it (see scanRun).
	line := func(n int, insert string, at int, from uint32) string {
		var b strings.Builder
		b.WriteString("* SEARCH")
		for i := range n {
			if i == at {
				b.WriteString(insert)
			}
			v := rng.Uint32() >> rng.IntN(32)
			if from > 0 {
				v = from + uint32(i)
			}
			b.WriteString(" " + uitoa(v))
		}
		return b.String()
	}
	var lines []string
	for i := range 40 {
		from := []uint32{0, 1, 9_998_000}[i%3]
		lines = append(lines, line(3000+rng.IntN(2000), odd[rng.IntN(len(odd))], rng.IntN(5000), from))
	}
	for at := range 24 { // near the line's start, which errors show
		lines = append(lines, line(3000, odd[at%2], at, uint32(at%2)))
	}
	// A part of a few numbers and then no space for long: errors show
	// the line's start as it was sent.
	for _, o := range odd {
		lines = append(lines, line(12, o, 9, 0)+" "+strings.Repeat("7", 3000)+" 5")
	}
	lines = append(lines, line(4000, "", -1, 0)+" (MODSEQ 12345)", line(4000, "", -1, 1)+" ", line(4000, "", -1, 5))
	for li, l := range lines {
		in := l + "\r\n* SEARCH 5 6\r\n"
		want := readSearchOutcome(NewDecoder(strings.NewReader(in), &Limits{ReadBufferSize: len(in)}))
		for _, chunk := range []int{1, 97, 1500, len(in)} {
			for _, every := range []bool{false, true} {
				if every && chunk == 1 {
					continue // 60,000 timeouts add nothing
				}
				d := NewDecoder(&stutterReader{data: []byte(in), chunk: chunk, every: every}, &Limits{ReadBufferSize: 64})
				if got := readSearchOutcome(d); !sameOutcome(got, want) {
					t.Fatalf("line %d (%.60q...), chunk %d, timeouts %v: got %d numbers, %v; want %d numbers, %v",
						li, l, chunk, every, len(got.nums), got.err, len(want.nums), want.err)
				}
				if next := readSearchOutcome(d); next.err != nil || !slices.Equal(next.nums, []uint32{5, 6}) {
					t.Fatalf("line %d, chunk %d: next response %v, %v", li, chunk, next.nums, next.err)
				}
			}
		}
	}
}
