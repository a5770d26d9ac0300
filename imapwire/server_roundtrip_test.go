package imapwire_test

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func srvEnvelope(subject string) *imap.Envelope {
	return &imap.Envelope{
		Date:    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
		Subject: subject,
		From:    []imap.Address{{Name: "Terry \"T\" Gray", Mailbox: "gray", Host: "cac.washington.edu"}},
		Sender:  []imap.Address{{ADL: "@relay", Mailbox: "gray", Host: "cac.washington.edu"}},
		To: []imap.Address{{Mailbox: "undisclosed-recipients"}, {Name: "R\xc3\xa9my", Mailbox: "r", Host: "x.org"},
			{}},
		MessageID: "<B27397-0100000@cac.washington.edu>",
	}
}

func srvText(sub string, ext bool) *imap.BodyStructure {
	return &imap.BodyStructure{Type: "TEXT", Subtype: sub, Params: []imap.Param{{Name: "CHARSET", Value: "utf-8"}},
		Encoding: "quoted-printable", Size: 3028, Lines: 92, Extended: ext}
}

// srvTree is a message with every kind of part: multipart, text, a
// message/rfc822 holding a multipart, inside another message/rfc822, and
// an attachment with disposition, language and location.
func srvTree() *imap.BodyStructure {
	html := srvText("html", true)
	html.Language = []string{"en", "de"}
	html.Location = "http://example.com/x"
	html.MD5 = "Q2hlY2sgSW50ZWdyaXR5IQ=="
	alt := &imap.BodyStructure{Type: "multipart", Subtype: "alternative", Parts: []*imap.BodyStructure{srvText("plain", false), html},
		Params: []imap.Param{{Name: "boundary", Value: "b2"}}, Extended: true}
	inner := &imap.BodyStructure{Type: "message", Subtype: "rfc822", Encoding: "7bit", Size: 4000, Lines: 120,
		Envelope: srvEnvelope("inner \xe2\x98\x83"), Body: alt, Extended: true, Disposition: "inline"}
	outer := &imap.BodyStructure{Type: "MESSAGE", Subtype: "RFC822", Encoding: "7bit", Size: 5000, Lines: 150,
		Envelope: srvEnvelope(""), Body: inner}
	pdf := &imap.BodyStructure{Type: "application", Subtype: "pdf", Params: []imap.Param{{Name: "name", Value: "r\xc3\xa9sum\xc3\xa9.pdf"}},
		ID: "<id1@x>", Description: "a \"CV\"", Encoding: "base64", Size: 12345, Extended: true,
		Disposition: "attachment", DispositionParams: []imap.Param{{Name: "filename", Value: "cv.pdf"}, {Name: "size", Value: "12345"}}}
	bare := &imap.BodyStructure{Type: "message", Subtype: "rfc822", Encoding: "", Size: 10}
	return &imap.BodyStructure{Type: "multipart", Subtype: "mixed", Parts: []*imap.BodyStructure{srvText("plain", true), outer, pdf, bare},
		Params: []imap.Param{{Name: "boundary", Value: "----=_Part 1"}}, Extended: true, Language: []string{"fr"}}
}

// srvStripExt returns b as BODY (no extension data) describes it.
func srvStripExt(b *imap.BodyStructure) *imap.BodyStructure {
	c := *b
	c.Extended, c.MD5, c.Disposition, c.DispositionParams, c.Language, c.Location = false, "", "", nil, nil, ""
	if len(c.Parts) > 0 {
		c.Params = nil
		c.Parts = nil
		for _, p := range b.Parts {
			c.Parts = append(c.Parts, srvStripExt(p))
		}
	}
	if c.Body != nil {
		c.Body = srvStripExt(c.Body)
	}
	return &c
}

func srvNormItem(it imapwire.FetchItem) imapwire.FetchItem {
	if len(it.Strings) == 0 {
		it.Strings = nil
	}
	if len(it.Literal) == 0 {
		it.Literal = nil
	}
	it.Reader = nil
	return it
}

func TestResponseRoundTripFetch(t *testing.T) {
	tree := srvTree()
	items := []imapwire.FetchItem{
		{Name: "UID", Num: 4294967295},
		{Name: "FLAGS", Strings: []string{`\Seen`, "$Forwarded"}},
		{Name: "FLAGS"},
		{Name: "INTERNALDATE", Text: "17-Jul-1996 02:44:25 -0700"},
		{Name: "RFC822.SIZE", Num: 44827},
		{Name: "MODSEQ", Num: 1 << 62},
		{Name: "ENVELOPE", Envelope: srvEnvelope("Re: \"quoted\" \xc3\xa9\r\n line")},
		{Name: "ENVELOPE", Envelope: &imap.Envelope{}},
		{Name: "BODYSTRUCTURE", Body: tree},
		{Name: "BODY", Body: srvStripExt(tree)},
		{Name: "BODYSTRUCTURE", Body: srvText("plain", false)},
		{Name: "BODY", Section: "HEADER.FIELDS (SUBJECT FROM)", HasSection: true, Literal: []byte("Subject: x\r\n\r\n"), Size: 14},
		{Name: "BODY", Section: "1.2", HasSection: true, Origin: 100, Literal: []byte{}},
		{Name: "BODY", Section: "TEXT", HasSection: true, Nil: true},
		{Name: "BINARY", Section: "2", HasSection: true, Literal: []byte("a\x00b"), Size: 3},
		{Name: "BINARY.SIZE", Section: "2", HasSection: true, Num: 3},
		{Name: "RFC822.HEADER", Literal: []byte("From: a\r\n"), Size: 9},
		{Name: "X-GM-LABELS", Strings: []string{`\Inbox`, "My Label", "NIL", "a]"}},
		{Name: "X-GM-MSGID", Num: 1278455344230334865},
		{Name: "EMAILID", Text: "M6d99ac3275bb4e"},
		{Name: "THREADID"},
		{Name: "SAVEDATE"},
		{Name: "PREVIEW", Text: "Hello \"world\""},
		{Name: "X-UNKNOWN", Raw: []byte(`(1 "two" NIL)`)},
	}
	for i := range items {
		if !items[i].HasSection {
			items[i].Origin = -1
		}
	}
	r, d := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.WriteFetch(12, items) })
	if r.Name != "FETCH" || r.Num != 12 {
		t.Fatalf("%+v", r)
	}
	got, err := d.ReadAllFetchItems()
	if err != nil || len(got) != len(items) {
		t.Fatalf("%d items, %v", len(got), err)
	}
	for i := range items {
		if g, w := srvNormItem(got[i]), srvNormItem(items[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("item %d %s:\n got %+v\nwant %+v", i, w.Name, g, w)
		}
	}
	if len(tree.Parts[1].Body.Body.Parts) != 2 || got[8].Body.Parts[1].Body.Body.Parts[1].Language[1] != "de" {
		t.Error("nested rfc822 lost")
	}
}

// Large sections are streamed by the encoder and reach the client as a
// Reader.
func TestResponseRoundTripLargeSection(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	r, d := srvParse(t, &imapwire.Limits{InlineLiteral: 64}, func(e *imapwire.ResponseEncoder) error {
		return e.Fetch(1).BodySectionReader("", -1, bytes.NewReader(big), int64(len(big))).
			BodySection("1", 0, big).UID(9).End()
	})
	var it imapwire.FetchItem
	for i, section := range []string{"", "1"} {
		if ok, err := r.NextFetchItem(&it); !ok || err != nil || it.Section != section || it.Reader == nil || it.Size != int64(len(big)) {
			t.Fatalf("%d: %+v %v", i, it, err)
		}
		if data, err := io.ReadAll(it.Reader); err != nil || !bytes.Equal(data, big) {
			t.Fatalf("%d: %d bytes, %v", i, len(data), err)
		}
	}
	if ok, err := d.NextFetchItem(&it); !ok || err != nil || it.Name != "UID" || it.Num != 9 {
		t.Fatalf("%+v %v", it, err)
	}
}

// srvWire returns the bytes a client sends for cmd and which literals are
// synchronising.
func srvWire(cmd *imapwire.Command) (string, []bool) {
	var b bytes.Buffer
	var syncs []bool
	for _, ch := range cmd.Chunks {
		b.Write(ch.Text)
		if ch.HasLiteral() {
			syncs = append(syncs, ch.Sync)
			if ch.LiteralReader != nil {
				io.CopyN(&b, ch.LiteralReader, ch.LiteralSize)
			} else {
				b.Write(ch.Literal)
			}
		}
	}
	return b.String(), syncs
}

// srvRoundTrip decodes the command the client-side Encoder built.
func srvRoundTrip(t testing.TB, cmd *imapwire.Command) *imapwire.ClientCommand {
	t.Helper()
	wire, syncs := srvWire(cmd)
	dec := imapwire.NewCommandDecoder(strings.NewReader(wire), &imapwire.Limits{ReadBufferSize: 64})
	var got []bool
	dec.OnLiteral = func(_ int64, nonSync bool) error { got = append(got, !nonSync); return nil }
	c, err := dec.ReadCommand()
	if err != nil {
		t.Fatalf("%q: %v", wire, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(syncs) || c.Tag != cmd.Tag || c.Name != strings.ToUpper(cmd.Name) {
		t.Fatalf("%q: %+v, literals %v want %v", wire, c, got, syncs)
	}
	if _, err := dec.ReadCommand(); err != io.EOF {
		t.Fatalf("%q: trailing data: %v", wire, err)
	}
	return c
}

// Expected argument forms for srvMatch: a string is any astring form;
// srvStr must be a string (quoted or literal); srvAtom an atom or number
// with that exact text; imap.NumSet an atom parsing to that set; []any a
// list.
type (
	srvStr  string
	srvAtom string
)

func srvMatch(v imapwire.Value, want any) bool {
	switch w := want.(type) {
	case string:
		s, ok := v.AString()
		return ok && s == w
	case srvStr:
		return v.Kind == imapwire.ValueString && string(v.Str) == string(w)
	case srvAtom:
		return (v.Kind == imapwire.ValueAtom || v.Kind == imapwire.ValueNumber) && v.Atom == string(w)
	case imap.NumSet:
		set, err := imap.ParseNumSet(v.Atom)
		return v.Kind != imapwire.ValueString && err == nil && set.String() == w.String()
	case nil:
		return v.Kind == imapwire.ValueNIL
	case []any:
		if v.Kind != imapwire.ValueList || len(v.List) != len(w) {
			return false
		}
		for i := range w {
			if !srvMatch(v.List[i], w[i]) {
				return false
			}
		}
		return true
	}
	panic(fmt.Sprintf("bad expectation %T", want))
}

func srvExpect(t testing.TB, c *imapwire.ClientCommand, want ...any) {
	t.Helper()
	if !srvMatch(imapwire.Value{Kind: imapwire.ValueList, List: c.Args}, want) {
		t.Fatalf("%s %s: got %s, want %v", c.Tag, c.Name, imapwire.FormatValues(c.Args), want)
	}
}

// srvEncoderCases builds commands with the client-side Encoder from a and b
// and checks that the CommandDecoder reads back the same arguments. It
// skips commands the Encoder refuses (NUL in a string).
func srvEncoderCases(t testing.TB, opts imapwire.EncoderOptions, a, b string) {
	t.Helper()
	e := imapwire.NewEncoder(opts)
	set := imap.MustParseNumSet("1:3,7,9:*")
	cases := []struct {
		build func() *imapwire.Encoder
		want  []any
	}{
		{func() *imapwire.Encoder {
			return e.Begin("A1", "LOGIN").SP().AString(a).SP().BeginSecret().String(b).EndSecret()
		}, []any{a, srvStr(b)}},
		{func() *imapwire.Encoder { return e.Begin("A2", "RENAME").SP().AString(a).SP().AString(b) }, []any{a, b}},
		{func() *imapwire.Encoder {
			return e.Begin("A3", "select").SP().AString(a).SP().Byte('(').Atom("CONDSTORE").Byte(')')
		}, []any{a, []any{srvAtom("CONDSTORE")}}},
		{func() *imapwire.Encoder {
			return e.Begin("A4", "UID FETCH").SP().NumSet(set).SP().Raw("(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)")
		}, []any{set, []any{srvAtom("FLAGS"), srvAtom("BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>")}}},
		{func() *imapwire.Encoder {
			return e.Begin("A5", "UID SEARCH").SP().Raw("CHARSET UTF-8 OR (FROM").SP().String(a).
				Raw(") (NOT SUBJECT ").String(b).Raw(") SINCE 1-Feb-1994")
		}, []any{srvAtom("CHARSET"), srvAtom("UTF-8"), srvAtom("OR"), []any{srvAtom("FROM"), srvStr(a)},
			[]any{srvAtom("NOT"), srvAtom("SUBJECT"), srvStr(b)}, srvAtom("SINCE"), srvAtom("1-Feb-1994")}},
		{func() *imapwire.Encoder {
			return e.Begin("A6", "APPEND").SP().AString(a).SP().Byte('(').Flag(`\Seen`).SP().Flag("$Junk").Byte(')').
				SP().String("17-Jul-1996 02:44:25 -0700").SP().Literal([]byte(b))
		}, []any{a, []any{srvAtom(`\Seen`), srvAtom("$Junk")}, srvStr("17-Jul-1996 02:44:25 -0700"), srvStr(b)}},
		{func() *imapwire.Encoder {
			return e.Begin("A7", "APPEND").SP().AString(a).SP().LiteralReader(strings.NewReader(b), int64(len(b))).
				SP().Literal8([]byte(a))
		}, []any{a, srvStr(b), srvStr(a)}},
		{func() *imapwire.Encoder {
			return e.Begin("A8", "UID STORE").SP().NumSet(set).SP().Atom("+FLAGS.SILENT").SP().Byte('(').Flag(`\Deleted`).Byte(')')
		}, []any{set, srvAtom("+FLAGS.SILENT"), []any{srvAtom(`\Deleted`)}}},
		{func() *imapwire.Encoder {
			return e.Begin("A9", "ID").SP().Byte('(').String("name").SP().String(a).SP().String("os").SP().NString(nil).Byte(')')
		}, []any{[]any{srvStr("name"), srvStr(a), srvStr("os"), nil}}},
		{func() *imapwire.Encoder {
			return e.Begin("B1", "STATUS").SP().AString(b).SP().Raw("(MESSAGES UIDNEXT)")
		}, []any{b, []any{srvAtom("MESSAGES"), srvAtom("UIDNEXT")}}},
	}
	for _, c := range cases {
		cmd, err := c.build().Finish()
		if err != nil {
			if !strings.ContainsRune(a+b, 0) {
				t.Fatalf("encoder refused %q %q: %v", a, b, err)
			}
			continue
		}
		srvExpect(t, srvRoundTrip(t, cmd), c.want...)
	}
}

var srvEncoderOpts = []imapwire.EncoderOptions{{}, {LiteralPlus: true}, {LiteralMinus: true}, {UTF8: true}, {MaxQuoted: 4}}

func TestCommandRoundTripFromEncoder(t *testing.T) {
	for _, opts := range srvEncoderOpts {
		for _, a := range srvNames {
			srvEncoderCases(t, opts, a, "pass \"w\\rd\"")
			srvEncoderCases(t, opts, "joe", a)
		}
		srvEncoderCases(t, opts, "a[1", "b]2")
		srvEncoderCases(t, opts, strings.Repeat("x", 5000), "Subject: x\r\n\r\nbody\r\n")
	}
}
