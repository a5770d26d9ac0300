package imapwire

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
)

// wire returns the bytes a writer sends for cmd, literals inlined.
func wire(cmd *Command) []byte {
	var b bytes.Buffer
	for _, c := range cmd.Chunks {
		b.Write(c.Text)
		if c.LiteralReader != nil {
			io.Copy(&b, io.LimitReader(c.LiteralReader, c.LiteralSize))
		} else {
			b.Write(c.Literal)
		}
	}
	return b.Bytes()
}

// encodeArg encodes one argument with f and returns the command's bytes
// after "A1 X ".
func encodeArg(opts EncoderOptions, f func(*Encoder)) ([]byte, *Command, error) {
	e := NewEncoder(opts)
	e.Begin("A1", "X").SP()
	f(e)
	cmd, err := e.Finish()
	if err != nil {
		return nil, nil, err
	}
	return wire(cmd)[len("A1 X "):], cmd, nil
}

// roundTrip encodes s with String (or AString) and decodes the bytes as
// the mailbox name of a LIST response.
func roundTrip(opts EncoderOptions, s string, astring bool) (string, error) {
	arg, _, err := encodeArg(opts, func(e *Encoder) {
		if astring {
			e.AString(s)
		} else {
			e.String(s)
		}
	})
	if err != nil {
		return "", err
	}
	d := NewDecoder(bytes.NewReader(append([]byte(`* LIST () "/" `), arg...)), nil)
	r, err := d.ReadResponse()
	if err != nil {
		return "", err
	}
	if _, err := d.ReadResponse(); err != io.EOF {
		return "", errors.New("trailing data after the response")
	}
	return r.Data.(*ListData).Mailbox, nil
}

func TestStringForms(t *testing.T) {
	long := strings.Repeat("a b", 400)
	utf8 := EncoderOptions{UTF8: true}
	tests := []struct {
		opts    EncoderOptions
		in      string
		text    string // the argument's text, after "A1 X "
		literal string // literal data, if any
		sync    bool
	}{
		{in: "INBOX", text: "INBOX\r\n"},
		{in: "a]b", text: "a]b\r\n"},
		{in: "Sent Items", text: `"Sent Items"` + "\r\n"},
		{in: "", text: `""` + "\r\n"},
		{in: "NIL", text: `"NIL"` + "\r\n"},
		{in: "nil", text: `"nil"` + "\r\n"},
		{in: "a%b*", text: `"a%b*"` + "\r\n"},
		{in: `say "hi" \o/`, text: `"say \"hi\" \\o/"` + "\r\n"},
		{in: "{5}", text: `"{5}"` + "\r\n"},
		{in: "two\r\nlines", text: "{10}\r\n", literal: "two\r\nlines", sync: true},
		{in: "lf\n", text: "{3}\r\n", literal: "lf\n", sync: true},
		{in: "café", text: "{5}\r\n", literal: "café", sync: true},
		{opts: utf8, in: "café", text: `"café"` + "\r\n"},
		{opts: utf8, in: "a\rb", text: "{3}\r\n", literal: "a\rb", sync: true},
		{in: long, text: "{1200}\r\n", literal: long, sync: true},
		{opts: EncoderOptions{MaxQuoted: 10}, in: "12345 7890", text: `"12345 7890"` + "\r\n"},
		{opts: EncoderOptions{MaxQuoted: 10}, in: "12345 78901", text: "{11}\r\n", literal: "12345 78901", sync: true},
		{opts: EncoderOptions{LiteralPlus: true}, in: "a\nb", text: "{3+}\r\n", literal: "a\nb"},
		{opts: EncoderOptions{LiteralMinus: true}, in: "a\nb", text: "{3+}\r\n", literal: "a\nb"},
	}
	for _, tc := range tests {
		_, cmd, err := encodeArg(tc.opts, func(e *Encoder) { e.AString(tc.in) })
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		first := cmd.Chunks[0]
		if got := string(first.Text[len("A1 X "):]); got != tc.text {
			t.Errorf("%q %+v: text %q, want %q", tc.in, tc.opts, got, tc.text)
		}
		if string(first.Literal) != tc.literal || first.Sync != tc.sync || first.HasLiteral() != (tc.literal != "") {
			t.Errorf("%q %+v: literal %q sync %v", tc.in, tc.opts, first.Literal, first.Sync)
		}
		if tc.literal != "" && (len(cmd.Chunks) != 2 || string(cmd.Chunks[1].Text) != "\r\n" || first.LiteralSize != int64(len(tc.literal))) {
			t.Errorf("%q: chunks %+v", tc.in, cmd.Chunks)
		}
	}
	for _, s := range []string{"a\x00b", "\x00", strings.Repeat("x", 2000) + "\x00"} {
		if _, _, err := encodeArg(EncoderOptions{}, func(e *Encoder) { e.String(s) }); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%q: %v, want ErrInvalidArgument", s, err)
		}
	}
}

func TestLiteralMinusLimit(t *testing.T) {
	opts := EncoderOptions{LiteralMinus: true}
	for _, n := range []int{4096, 4097} {
		data := bytes.Repeat([]byte("x"), n)
		_, cmd, err := encodeArg(opts, func(e *Encoder) { e.Literal(data) })
		if err != nil {
			t.Fatal(err)
		}
		c := cmd.Chunks[0]
		nonSync := bytes.HasSuffix(c.Text, []byte("+}\r\n"))
		if nonSync != (n <= 4096) || c.Sync == nonSync {
			t.Errorf("%d bytes: %q sync=%v", n, c.Text, c.Sync)
		}
	}
}

func TestCommandChunks(t *testing.T) {
	msg := "From: a@b\r\n\r\nhi\r\n"
	e := NewEncoder(EncoderOptions{})
	cmd, err := e.Begin("A7", "APPEND").SP().AString("Sent Items").SP().Byte('(').Flag(`\Seen`).SP().Flag("$Label1").Byte(')').
		SP().Literal([]byte(msg)).SP().Literal8([]byte("\x00bin")).SP().LiteralReader(strings.NewReader("streamed"), 8).Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`A7 APPEND "Sent Items" (\Seen $Label1) {17}` + "\r\n", " ~{4}\r\n", " {8}\r\n", "\r\n"}
	if len(cmd.Chunks) != len(want) {
		t.Fatalf("%d chunks", len(cmd.Chunks))
	}
	for i, c := range cmd.Chunks {
		if string(c.Text) != want[i] {
			t.Errorf("chunk %d: %q, want %q", i, c.Text, want[i])
		}
		if last := i == len(want)-1; c.Sync == last || c.HasLiteral() == last {
			t.Errorf("chunk %d: sync %v literal %v", i, c.Sync, c.HasLiteral())
		}
	}
	if cmd.Tag != "A7" || cmd.Name != "APPEND" || string(cmd.Chunks[0].Literal) != msg || cmd.Chunks[2].LiteralSize != 8 || cmd.Chunks[2].LiteralReader == nil {
		t.Errorf("%+v", cmd)
	}
	if got := string(wire(cmd)); got != want[0]+msg+want[1]+"\x00bin"+want[2]+"streamed"+want[3] {
		t.Errorf("%q", got)
	}
	// LITERAL+ makes every literal non-synchronising, literal8 included.
	e.SetOptions(EncoderOptions{LiteralPlus: true})
	cmd, _ = e.Begin("A8", "APPEND").SP().Atom("INBOX").SP().Literal8([]byte("x")).Finish()
	if string(cmd.Chunks[0].Text) != "A8 APPEND INBOX ~{1+}\r\n" || cmd.Chunks[0].Sync || !e.Options().LiteralPlus || e.Options().MaxQuoted != 1024 {
		t.Errorf("%q", cmd.Chunks[0].Text)
	}
}

func TestEncoderValues(t *testing.T) {
	x := "x y"
	tests := []struct {
		f    func(*Encoder)
		want string // "" for an error matching ErrInvalidArgument
	}{
		{func(e *Encoder) { e.Atom("FLAGS") }, "FLAGS"},
		{func(e *Encoder) { e.Atom("a b") }, ""},
		{func(e *Encoder) { e.Atom("") }, ""},
		{func(e *Encoder) { e.Atom("a(b") }, ""},
		{func(e *Encoder) { e.Atom("é") }, ""},
		{func(e *Encoder) { e.Flag(`\Seen`) }, `\Seen`},
		{func(e *Encoder) { e.Flag("$Forwarded") }, "$Forwarded"},
		{func(e *Encoder) { e.Flag(`\`) }, ""},
		{func(e *Encoder) { e.Flag(`\*`) }, ""},
		{func(e *Encoder) { e.Flag(`\\Seen`) }, ""},
		{func(e *Encoder) { e.Flag("my flag") }, ""},
		{func(e *Encoder) { e.Flag("a\r\n") }, ""},
		{func(e *Encoder) { e.NString(nil) }, "NIL"},
		{func(e *Encoder) { e.NString(&x) }, `"x y"`},
		{func(e *Encoder) { e.Number(0).SP().Number(4294967295) }, "0 4294967295"},
		{func(e *Encoder) { e.Number64(18446744073709551615) }, "18446744073709551615"},
		{func(e *Encoder) { e.NumSet(imap.MustParseNumSet("1:3,5,7:*")) }, "1:3,5,7:*"},
		{func(e *Encoder) { e.NumSet(nil) }, ""},
		{func(e *Encoder) { e.Raw("BODY.PEEK[HEADER.FIELDS (SUBJECT)]") }, "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"},
		{func(e *Encoder) { e.Raw("a\r\nA2 LOGOUT") }, ""},
		{func(e *Encoder) { e.Raw("a\nb") }, ""},
		{func(e *Encoder) { e.Raw("a\x00") }, ""},
		{func(e *Encoder) { e.LiteralReader(strings.NewReader(""), -1) }, ""},
	}
	for i, tc := range tests {
		arg, _, err := encodeArg(EncoderOptions{}, tc.f)
		if tc.want == "" {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%d: %q %v, want ErrInvalidArgument", i, arg, err)
			}
			continue
		}
		if err != nil || string(arg) != tc.want+"\r\n" {
			t.Errorf("%d: %q %v, want %q", i, arg, err, tc.want)
		}
	}
}

func TestInvalidTag(t *testing.T) {
	e := NewEncoder(EncoderOptions{})
	for _, tag := range []string{"", "a b", "a+1", "a\r\n", "*", "a{1}", `a"`} {
		_, err := e.Begin(tag, "NOOP").Finish()
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("tag %q: %v", tag, err)
		}
	}
	if _, err := e.Begin("A1", "NOOP\r\n").Finish(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("name with CRLF: %v", err)
	}
	if _, err := e.Finish(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Finish without Begin: %v", err)
	}
	// The encoder is usable after errors.
	cmd, err := e.Begin("A2", "NOOP").Finish()
	if err != nil || string(cmd.Chunks[0].Text) != "A2 NOOP\r\n" || e.Err() != nil {
		t.Fatal(cmd, err)
	}
	e.Begin("A3", "X").Atom("a b")
	if !errors.Is(e.Err(), ErrInvalidArgument) {
		t.Error(e.Err())
	}
}

// secretText returns the bytes of every secret range of every chunk.
func secretText(cmd *Command) []string {
	var out []string
	for i, c := range cmd.Chunks {
		for _, s := range c.Secrets {
			out = append(out, string(rune('0'+i))+":"+string(c.Text[s[0]:s[1]]))
		}
	}
	return out
}

func TestSecrets(t *testing.T) {
	tests := []struct {
		name    string
		f       func(*Encoder)
		secrets string // chunk:text of each range
		literal []bool // SecretLiteral per chunk
	}{
		{"quoted", func(e *Encoder) { e.AString("user").SP().BeginSecret().String("hunter 2").EndSecret() },
			`0:"hunter 2"`, []bool{false}},
		{"atom", func(e *Encoder) { e.BeginSecret().AString("hunter2").EndSecret().SP().Atom("X") },
			`0:hunter2`, []bool{false}},
		{"literal", func(e *Encoder) { e.AString("user").SP().BeginSecret().String("pa\r\nss").EndSecret() },
			"0:{6}\r\n", []bool{true, false}},
		{"spans a literal", func(e *Encoder) {
			e.BeginSecret().Raw("x ").String("a\nb").Raw(" y").EndSecret().SP().Atom("Z")
		}, "0:x {3}\r\n|1: y", []bool{true, false}},
		{"two literals", func(e *Encoder) {
			e.Literal([]byte("public")).SP().BeginSecret().Literal([]byte("k1")).SP().Literal([]byte("k2")).EndSecret().SP().Literal([]byte("pub"))
		}, "1:{2}\r\n|2: {2}\r\n", []bool{false, true, true, false, false}},
		{"not closed", func(e *Encoder) { e.BeginSecret().Atom("token") }, "0:token", []bool{false}},
		{"empty", func(e *Encoder) { e.BeginSecret().EndSecret().Atom("x") }, "", []bool{false}},
	}
	for _, tc := range tests {
		e := NewEncoder(EncoderOptions{})
		e.Begin("A1", "LOGIN").SP()
		tc.f(e)
		cmd, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(secretText(cmd), "|"); got != tc.secrets {
			t.Errorf("%s: secrets %q, want %q", tc.name, got, tc.secrets)
		}
		if len(cmd.Chunks) != len(tc.literal) {
			t.Fatalf("%s: %d chunks", tc.name, len(cmd.Chunks))
		}
		for i, c := range cmd.Chunks {
			if c.SecretLiteral != tc.literal[i] {
				t.Errorf("%s: chunk %d SecretLiteral %v", tc.name, i, c.SecretLiteral)
			}
		}
	}
}

// randomString draws strings rich in what makes encoding hard.
func randomString(rng *rand.Rand) string {
	const alphabet = "aZ09 \"\\\r\n{}()[]%*~+-.\t/&"
	var b []byte
	n := rng.IntN(40)
	if rng.IntN(20) == 0 {
		n = 1000 + rng.IntN(2000)
	}
	for i := 0; i < n; i++ {
		switch k := rng.IntN(10); {
		case k < 7:
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		case k < 8:
			b = append(b, "é€𝄞"[rng.IntN(3)*2:][:2]...) // pieces of UTF-8, valid or not
		default:
			b = append(b, byte(1+rng.IntN(255)))
		}
	}
	return string(b)
}

var roundTripOptions = []EncoderOptions{{}, {UTF8: true}, {LiteralPlus: true}, {LiteralMinus: true, MaxQuoted: 8}}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		s := randomString(rng)
		for _, opts := range roundTripOptions {
			for _, astring := range []bool{false, true} {
				got, err := roundTrip(opts, s, astring)
				if err != nil || got != s {
					t.Fatalf("%q with %+v (astring %v): got %q, %v", s, opts, astring, got, err)
				}
			}
		}
	}
}
