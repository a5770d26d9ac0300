package mutf7

import (
	"testing"
	"unicode/utf8"
)

// fuzzSeeds returns strings used to seed both fuzz targets.
func fuzzSeeds() []string {
	seeds := []string{
		"", "INBOX", "&", "&-", "&&", "-", "&--", "a-b&c",
		"\t", "\x7f", "\x00", "\xff", "\xc3", "\xed\xa0\xbd",
		"&A-", "&AO-", "&AOl-", "&AOk", "&AO/-", "&2D0-", "&3Oc-", "&AGE-",
		"&AOk-&AOk-", "&AOk-&-&AOk-", "&AOkA-", "&2D3YPQ-",
	}
	for _, tt := range codecTests {
		seeds = append(seeds, tt.decoded, tt.encoded)
	}
	for _, tt := range decodeErrorTests {
		seeds = append(seeds, tt.in)
	}
	return seeds
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := Encode(s)
		for i := 0; i < len(enc); i++ {
			if !isPrintable(enc[i]) {
				t.Fatalf("Encode(%q) = %q contains byte %#02x", s, enc, enc[i])
			}
		}
		// Invalid UTF-8 bytes are encoded as U+FFFD, one per byte, which
		// is exactly what the []rune conversion does.
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s))
		}
		dec, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(%q)) = %q: %v", s, enc, err)
		}
		if dec != want {
			t.Fatalf("Decode(Encode(%q)) = %q, want %q (encoded %q)", s, dec, want, enc)
		}
		if !Valid(enc) {
			t.Fatalf("Valid(Encode(%q)) = false (encoded %q)", s, enc)
		}
		if got := DecodeLenient(enc); got != want {
			t.Fatalf("DecodeLenient(Encode(%q)) = %q, want %q", s, got, want)
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := Decode(s)
		valid := Valid(s)
		lenient := DecodeLenient(s)
		if err != nil {
			de, ok := err.(*DecodeError)
			if !ok {
				t.Fatalf("Decode(%q) error %T, want *DecodeError", s, err)
			}
			if de.Offset < 0 || de.Offset >= len(s) {
				t.Fatalf("Decode(%q) error offset %d out of range", s, de.Offset)
			}
			if dec != "" || valid || lenient != s {
				t.Fatalf("Decode(%q) failed (%v) but dec=%q valid=%v lenient=%q", s, err, dec, valid, lenient)
			}
			return
		}
		if !utf8.ValidString(dec) {
			t.Fatalf("Decode(%q) = %q is not valid UTF-8", s, dec)
		}
		if !valid || lenient != dec {
			t.Fatalf("Decode(%q) succeeded but valid=%v lenient=%q", s, valid, lenient)
		}
		if enc := Encode(dec); enc != s {
			t.Fatalf("Encode(Decode(%q)) = %q, not canonical (decoded %q)", s, enc, dec)
		}
	})
}
