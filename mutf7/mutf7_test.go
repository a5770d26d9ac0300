package mutf7

import (
	"errors"
	"strings"
	"testing"
)

// codecTests holds pairs of UTF-8 strings and their canonical modified
// UTF-7 encodings. Every entry must round-trip in both directions.
var codecTests = []struct {
	name    string
	decoded string
	encoded string
}{
	{"empty", "", ""},
	{"plain ASCII", "INBOX", "INBOX"},
	{"all printable except amp", " !\"#$%'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~", " !\"#$%'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"},
	{"RFC 3501 example", "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
	{"ampersand in text", "Stuff & Things", "Stuff &- Things"},
	{"lone ampersand", "&", "&-"},
	{"double ampersand", "&&", "&-&-"},
	{"ampersand dash", "&-", "&--"},
	{"tab", "\t", "&AAk-"},
	{"DEL", "\x7f", "&AH8-"},
	{"NUL", "\x00", "&AAA-"},
	{"tab between letters", "a\tb", "a&AAk-b"},
	{"emoji surrogate pair", "📧", "&2D3c5w-"},
	{"emoji with text", "🎉 Party 📧", "&2DzfiQ- Party &2D3c5w-"},
	{"umlaut ue", "Entwürfe", "Entw&APw-rfe"},
	{"umlaut oe", "Gelöschte Elemente", "Gel&APY-schte Elemente"},
	{"French", "Réponses/Brouillons", "R&AOk-ponses/Brouillons"},
	{"Cyrillic", "Привет", "&BB8EQAQ4BDIENQRC-"},
	{"euro sign", "€", "&IKw-"},
	{"U+FFFF", "\uffff", "&,,8-"},
	{"mixed accents and ampersand", "Ünïcödé & ASCII", "&ANw-n&AO8-c&APY-d&AOk- &- ASCII"},
	{"ampersand between CJK", "日本&語", "&ZeVnLA-&-&ip4-"},
	{"ampersand between runs", "é&é", "&AOk-&-&AOk-"},
	{"CJK with spaced ampersand", "中文 & 日本語", "&Ti1lhw- &- &ZeVnLIqe-"},
	{"mixed everything", "x📧y&z\x7f", "x&2D3c5w-y&-z&AH8-"},
}

func TestEncode(t *testing.T) {
	for _, tt := range codecTests {
		if got := Encode(tt.decoded); got != tt.encoded {
			t.Errorf("%s: Encode(%q) = %q, want %q", tt.name, tt.decoded, got, tt.encoded)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range codecTests {
		got, err := Decode(tt.encoded)
		if err != nil {
			t.Errorf("%s: Decode(%q) error: %v", tt.name, tt.encoded, err)
			continue
		}
		if got != tt.decoded {
			t.Errorf("%s: Decode(%q) = %q, want %q", tt.name, tt.encoded, got, tt.decoded)
		}
		if !Valid(tt.encoded) {
			t.Errorf("%s: Valid(%q) = false, want true", tt.name, tt.encoded)
		}
		if got := DecodeLenient(tt.encoded); got != tt.decoded {
			t.Errorf("%s: DecodeLenient(%q) = %q, want %q", tt.name, tt.encoded, got, tt.decoded)
		}
	}
}

func TestEncodeInvalidUTF8(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"\xff", "&,,0-"},
		{"a\xffb", "a&,,0-b"},
		{"\xff\xfe", "&,,3,,Q-"},
		{"\xc3", "&,,0-"},              // truncated sequence
		{"\xed\xa0\xbd", "&,,3,,f,9-"}, // UTF-8 encoded surrogate: 3 bad bytes
		{"\xc3\xa9\xff", "&AOn,,Q-"},   // é then a bad byte
		{"\xff&\xff", "&,,0-&-&,,0-"},
	}
	for _, tt := range tests {
		got := Encode(tt.in)
		if got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		want := string([]rune(tt.in)) // each bad byte becomes U+FFFD
		if dec, err := Decode(got); err != nil || dec != want {
			t.Errorf("Decode(Encode(%q)) = %q, %v; want %q, nil", tt.in, dec, err, want)
		}
	}
}

// decodeErrorTests lists malformed input for the strict decoder, with
// the expected error offset and a substring of the expected reason.
var decodeErrorTests = []struct {
	name   string
	in     string
	offset int
	reason string
}{
	// Raw bytes outside 0x20-0x7e.
	{"raw tab", "a\tb", 1, "outside printable"},
	{"raw DEL", "\x7f", 0, "outside printable"},
	{"raw NUL", "ab\x00", 2, "outside printable"},
	{"raw UTF-8", "caf\xc3\xa9", 3, "outside printable"},
	{"raw byte after run", "&AOk-\x80", 5, "outside printable"},
	// Unterminated runs.
	{"lone ampersand", "&", 0, "unterminated"},
	{"trailing ampersand", "abc&", 3, "unterminated"},
	{"run without dash", "&AOk", 0, "unterminated"},
	{"RFC example without dash", "~peter/&U,BTFw", 7, "unterminated"},
	// Bad base64 characters.
	{"slash", "&AO/-", 3, "base64"},
	{"asterisk", "&AO*-", 3, "base64"},
	{"padding", "&AOk=-", 4, "base64"},
	{"space in run", "&AO k-", 3, "base64"},
	{"ampersand in run", "&AO&-", 3, "base64"},
	{"high byte in run", "&AO\x80-", 3, "base64"},
	// Leftover bits and partial code units.
	{"non-zero padding bits", "&AOl-", 4, "padding bits"},
	{"non-zero padding bits 4", "&2D3c5x-", 7, "padding bits"},
	{"one char", "&A-", 2, "partial"},
	{"two chars", "&AO-", 3, "partial"},
	{"extra char", "&AOkA-", 5, "partial"},
	{"extra two chars", "&AOkAA-", 6, "partial"},
	// Unpaired surrogates.
	{"lone high surrogate", "&2D0-", 4, "unpaired high"},
	{"high then high", "&2D3YPQ-", 6, "unpaired high"},
	{"high then BMP", "&2D0A6Q-", 6, "unpaired high"},
	{"lone low surrogate", "&3Oc-", 3, "unpaired low"},
	{"BMP then low", "&AOnc5w-", 6, "unpaired low"},
	{"split pair across runs", "&2D0-&3Oc-", 4, "unpaired high"},
	// Printable ASCII that must represent itself.
	{"encoded a", "&AGE-", 3, "printable"},
	{"encoded ampersand", "&ACY-", 3, "printable"},
	{"encoded space", "&ACA-", 3, "printable"},
	{"encoded tilde", "&AH4-", 3, "printable"},
	{"encoded a after e-acute", "&AOkAYQ-", 6, "printable"},
	// Adjacent encoded runs that should have been merged.
	{"adjacent runs", "&AOk-&AOk-", 5, "adjacent"},
	{"adjacent CJK runs", "&ZeVnLA-&ip4-", 8, "adjacent"},
	{"adjacent runs after text", "x&AAA-&AAA-y", 6, "adjacent"},
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range decodeErrorTests {
		got, err := Decode(tt.in)
		if err == nil {
			t.Errorf("%s: Decode(%q) = %q, nil; want error", tt.name, tt.in, got)
			continue
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: Decode(%q) error %T, want *DecodeError", tt.name, tt.in, err)
			continue
		}
		if de.Offset != tt.offset {
			t.Errorf("%s: Decode(%q) offset = %d, want %d (%v)", tt.name, tt.in, de.Offset, tt.offset, err)
		}
		if !strings.Contains(de.Reason, tt.reason) {
			t.Errorf("%s: Decode(%q) reason = %q, want it to contain %q", tt.name, tt.in, de.Reason, tt.reason)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "mutf7: ") {
			t.Errorf("%s: error message %q lacks \"mutf7: \" prefix", tt.name, msg)
		}
		if Valid(tt.in) {
			t.Errorf("%s: Valid(%q) = true, want false", tt.name, tt.in)
		}
		if got := DecodeLenient(tt.in); got != tt.in {
			t.Errorf("%s: DecodeLenient(%q) = %q, want input unchanged", tt.name, tt.in, got)
		}
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	err := &DecodeError{Offset: 7, Reason: "unterminated \"&\" run"}
	want := `mutf7: unterminated "&" run at offset 7`
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestDecodeAcceptsSeparatedRuns(t *testing.T) {
	// A run followed by "&-" and then another run is canonical.
	for _, in := range []string{"&AOk-&-&AOk-", "&AOk-a&AOk-", "&AOk--&AOk-"} {
		if !Valid(in) {
			t.Errorf("Valid(%q) = false, want true", in)
		}
	}
}

func TestNoAllocASCII(t *testing.T) {
	s := "INBOX/Sent Items/2024 ~archive"
	if n := testing.AllocsPerRun(100, func() {
		if Encode(s) != s {
			t.Fatal("Encode changed pure ASCII input")
		}
	}); n != 0 {
		t.Errorf("Encode of pure ASCII allocated %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if d, err := Decode(s); err != nil || d != s {
			t.Fatal("Decode changed pure ASCII input")
		}
	}); n != 0 {
		t.Errorf("Decode of pure ASCII allocated %v times, want 0", n)
	}
}

func TestEncodeAllBMP(t *testing.T) {
	// Every non-surrogate BMP code point must round-trip on its own and
	// inside text.
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xd800 && r < 0xe000 {
			continue
		}
		s := "a" + string(r) + "b" + string(r) + string(r)
		enc := Encode(s)
		dec, err := Decode(enc)
		if err != nil || dec != s {
			t.Fatalf("Decode(Encode(%q)) = %q, %v (encoded %q)", s, dec, err, enc)
		}
	}
}

var benchInputs = []struct {
	name, s string
}{
	{"ASCII", "INBOX/Archive/2024/Projects/imapclient"},
	{"Ampersand", "Stuff & Things & More Stuff"},
	{"Latin", "Gelöschte Elemente/Entwürfe/Réponses"},
	{"CJK", "~peter/mail/台北/日本語/中文邮件"},
	{"Emoji", "📧 Inbox 🎉 Party 📁 Files"},
}

func BenchmarkEncode(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.s)))
			for b.Loop() {
				Encode(in.s)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, in := range benchInputs {
		enc := Encode(in.s)
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if _, err := Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
