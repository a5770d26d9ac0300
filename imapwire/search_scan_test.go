package imapwire

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// scanNumsRef is the plain reading scanNums must match: one digit at a
// time, stopping where scanNums stops.
func scanNumsRef(seg []byte, q int, acc []uint32) (int, []uint32) {
	for q < len(seg)-1 {
		j, v := q+1, uint64(0)
		for j < len(seg) && seg[j] >= '0' && seg[j] <= '9' && j-q <= 11 {
			v = v*10 + uint64(seg[j]-'0')
			j++
		}
		if j == q+1 || j-q > 11 || v > 0xFFFFFFFF || j == len(seg) || seg[j] != ' ' {
			break
		}
		acc = append(acc, uint32(v))
		q = j
	}
	return q, acc
}

// checkScan compares scanNums with scanNumsRef on seg (which must end
// with a space) after the numbers in prev.
func checkScan(t *testing.T, seg []byte, prev []uint32) {
	t.Helper()
	q1, a1 := scanNums(seg, 0, slices.Clone(prev))
	q2, a2 := scanNumsRef(seg, 0, slices.Clone(prev))
	if q1 != q2 || !slices.Equal(a1, a2) {
		i := 0
		for i < min(len(a1), len(a2)) && a1[i] == a2[i] {
			i++
		}
		t.Fatalf("%.80q after %v: stopped at %d with %d numbers, want %d with %d (first difference at %d)",
			seg, prev, q1, len(a1), q2, len(a2), i)
	}
}

// TestScanNums checks the number reader, with its fast path for runs of
// consecutive numbers (scanRun), against the plain one: runs that start
// and end anywhere, cross every change in the count of digits (9 to 10,
// 9999999 to 10000000, where the fast path stops) and the 32-bit limit,
// broken by gaps, repeats, steps back and tokens that are not plain
// numbers, and continuing the numbers of an earlier part.
func TestScanNums(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	starts := []uint32{0, 1, 5, 8, 95, 989, 9990, 99_995, 999_990, 9_999_985, 9_999_999, 99_999_990, 4_294_967_285}
	odd := []string{" x", "  ", " 007", " 00000000000", " (MODSEQ 5)", " 4294967296", " 12345678901", " 1a", " \r"}
	for range 3000 {
		var b strings.Builder
		b.WriteString(" ")
		v := starts[rng.IntN(len(starts))]
		for range rng.IntN(40) {
			switch k := rng.IntN(20); {
			case k == 0:
				b.WriteString(odd[rng.IntN(len(odd))][1:] + " ")
			case k < 3:
				v = starts[rng.IntN(len(starts))] // a jump
			case k < 5:
				v += uint32(rng.IntN(3)) // a gap, or a repeat
			}
			for range 1 + rng.IntN(30) { // a run
				b.WriteString(strconv.FormatUint(uint64(v), 10) + " ")
				v++
			}
			if rng.IntN(8) == 0 {
				v -= uint32(rng.IntN(3) + 1) // a step back
			}
		}
		seg := []byte(b.String())
		var prev []uint32
		if len(seg) > 2 && rng.IntN(2) == 0 {
			// As the next part of a line: the numbers before it.
			n, _ := strconv.ParseUint(strings.Fields(string(seg))[0], 10, 32)
			prev = []uint32{uint32(n) - uint32(rng.IntN(2)), 1}
			slices.Reverse(prev)
		}
		checkScan(t, seg, prev)
	}
	// Bytes of every kind, a space at the end as scanNums requires.
	for range 3000 {
		seg := make([]byte, 1+rng.IntN(40))
		for i := range seg {
			seg[i] = " 0123456789 9x"[rng.IntN(14)]
		}
		seg[0], seg[len(seg)-1] = ' ', ' '
		checkScan(t, seg, []uint32{uint32(rng.IntN(100))})
	}
}

// FuzzScanNums compares scanNums with scanNumsRef on any bytes after any
// number.
func FuzzScanNums(f *testing.F) {
	f.Add([]byte("1 2 3 4 5 6 7 8 9 10 11 12"), uint32(0))
	f.Add([]byte("9999995 9999996 9999997 9999998 9999999 10000000 10000001"), uint32(9999994))
	f.Add([]byte("5 6 7 8 9 10 11 x 12"), uint32(4))
	f.Fuzz(func(t *testing.T, data []byte, prev uint32) {
		seg := append(append([]byte{' '}, data...), ' ')
		checkScan(t, seg, []uint32{prev})
	})
}

// TestRunText checks the text scanRun expects for numbers of every length.
func TestRunText(t *testing.T) {
	for _, n := range []uint32{0, 7, 10, 99, 100, 123456, 9_999_999, 10_000_000, 4_294_967_295} {
		want, mask, step := runText(n)
		if n >= 10_000_000 {
			if mask != 0 {
				t.Errorf("%d: mask %x, want none", n, mask)
			}
			continue
		}
		text := strconv.FormatUint(uint64(n), 10) + " "
		var w [8]byte
		copy(w[:], text)
		if got := string(w[:step]); step != len(text) || got != text || want&^mask != 0 || mask>>(8*(step-1)) != 0xFF {
			t.Errorf("%d: %q, step %d, mask %x", n, got, step, mask)
		}
		for i := range step {
			if byte(want>>(8*i)) != text[i] {
				t.Errorf("%d: byte %d is %q, want %q", n, i, byte(want>>(8*i)), text[i])
			}
		}
	}
}

// TestScanRunWhole: scanRun alone reads a whole run, across every carry
// (9 to 10, 99 to 100, 1999 to 2000, ...), up to 9,999,999, the last
// number whose text and space fit in its word, whether the number before
// it ends in 9 or not.
func TestScanRunWhole(t *testing.T) {
	for _, start := range []uint32{1, 85, 995, 1985, 99_950, 999_000, 9_997_000, 9_999_999} {
		// The number before the run, which scanRun starts from.
		before := strconv.FormatUint(uint64(start-1), 10)
		var b strings.Builder
		b.WriteString(" " + before + " ")
		end := min(start+3000, 10_000_000)
		var want []uint32
		for v := start; v < end; v++ {
			b.WriteString(strconv.FormatUint(uint64(v), 10) + " ")
			want = append(want, v)
		}
		seg := []byte(b.String() + "10000000 ")
		q, got := scanRun(seg, 1+len(before), len(before), []uint32{start - 1})
		if !slices.Equal(got[1:], want) || q != len(seg)-len("10000000 ")-1 {
			t.Errorf("from %d: %d numbers to %d, stopped at %d of %d", start, len(got)-1, got[len(got)-1], q, len(seg))
		}
	}
}

// BenchmarkScanNums reads 100,000 numbers: consecutive ones, ones in steps
// of one or two at random (short runs, where scanRun must not cost time),
// and ones in steps of three.
func BenchmarkScanNums(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	steps := map[string]func() uint32{
		"consecutive": func() uint32 { return 1 },
		"mixed":       func() uint32 { return 1 + uint32(rng.IntN(3)/2) },
		"sparse":      func() uint32 { return 3 },
	}
	for _, name := range []string{"consecutive", "mixed", "sparse"} {
		seg := []byte{' '}
		v := uint32(0)
		for range 100000 {
			v += steps[name]()
			seg = strconv.AppendUint(seg, uint64(v), 10)
			seg = append(seg, ' ')
		}
		b.Run(name, func(b *testing.B) {
			acc := make([]uint32, 0, 100000)
			b.SetBytes(int64(len(seg)))
			for b.Loop() {
				_, acc = scanNums(seg, 0, acc[:0])
			}
		})
	}
}
