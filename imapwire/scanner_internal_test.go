package imapwire

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestQuoteStop checks the word-at-a-time scan against a byte loop: every
// length up to three words, the stop byte at every position, bytes next to
// the stop values (and high-bit bytes) everywhere else, and two stop bytes
// in one word, where the first must win.
func TestQuoteStop(t *testing.T) {
	slow := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' || c == '\r' || c == '\n' {
				return i
			}
		}
		return len(b)
	}
	check := func(b []byte) {
		t.Helper()
		if got, want := quoteStop(b), slow(b); got != want {
			t.Fatalf("quoteStop(%q) = %d, want %d", b, got, want)
		}
	}
	fillers := []byte{'a', '!', '#', '[', ']', '\t', '\v', 0, 0x7f, 0x80, 0xa2, 0xdc, 0x8a, 0x8d, 0xff, 0x0c, 0x0e, 0x01}
	stops := []byte{'"', '\\', '\r', '\n'}
	for l := 0; l <= 24; l++ {
		for _, f := range fillers {
			b := bytes.Repeat([]byte{f}, l)
			check(b)
			for p := range l {
				for _, s := range stops {
					b[p] = s
					check(b)
					for q := p + 1; q < l; q++ { // a second stop after it
						b[q] = stops[(q+int(s))%len(stops)]
						check(b)
						b[q] = f
					}
					b[p] = f
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'"', '\\', '\r', '\n', 'x', 0x21, 0x23, 0x5b, 0x5d, 0x09, 0x0b, 0x80, 0xa3, 0xdd, 0x0a ^ 0x80, 0x22 ^ 0x80, 0}
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		check(b)
	}
}
