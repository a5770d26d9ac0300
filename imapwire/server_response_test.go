package imapwire_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// srvEncode runs write against a fresh encoder and returns the bytes.
func srvEncode(t *testing.T, write func(e *imapwire.ResponseEncoder) error) string {
	t.Helper()
	var buf bytes.Buffer
	e := imapwire.NewResponseEncoder(&buf)
	if err := write(e); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestResponseEncoderGolden(t *testing.T) {
	tests := []struct {
		write func(e *imapwire.ResponseEncoder) error
		want  string
	}{
		{func(e *imapwire.ResponseEncoder) error {
			return e.StatusResponse("A1", &imap.StatusResponse{Type: imap.StatusOK, Code: "READ-WRITE", Text: "SELECT completed"})
		}, "A1 OK [READ-WRITE] SELECT completed\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.StatusResponse("", &imap.StatusResponse{Type: imap.StatusOK, Code: "PERMANENTFLAGS", CodeArg: `(\Seen \*)`, Text: "ok"})
		}, "* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.StatusResponse("", &imap.StatusResponse{Type: imap.StatusBYE, Text: "bye"})
		}, "* BYE bye\r\n"},
		{func(e *imapwire.ResponseEncoder) error { return e.Continuation("Ready") }, "+ Ready\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteCapability([]string{"IMAP4rev1", "LITERAL+", "AUTH=PLAIN"})
		},
			"* CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN\r\n"},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteFlags([]string{`\Seen`, "$Junk"}) }, "* FLAGS (\\Seen $Junk)\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteList("LIST", &imapwire.ListData{Attrs: []string{`\HasNoChildren`}, Delim: '/', Mailbox: "a b"})
		}, "* LIST (\\HasNoChildren) \"/\" \"a b\"\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteStatus(&imapwire.StatusData{Mailbox: "INBOX", Items: map[string]uint64{"UIDNEXT": 4, "X-A": 1, "MESSAGES": 3}})
		}, "* STATUS INBOX (MESSAGES 3 UIDNEXT 4 X-A 1)\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteSearch(&imapwire.SearchData{Nums: []uint32{2, 5}, ModSeq: 9})
		},
			"* SEARCH 2 5 (MODSEQ 9)\r\n"},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteExists(23) }, "* 23 EXISTS\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.Fetch(3).UID(7).Flags(nil).RFC822Size(11).ModSeq(5).BodySection("HEADER", -1, []byte("a\r\n")).
				BodySection("", 0, nil).End()
		}, "* 3 FETCH (UID 7 FLAGS () RFC822.SIZE 11 MODSEQ (5) BODY[HEADER] {3}\r\na\r\n BODY[]<0> NIL)\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.Untagged().Atom("X").SP().String("\xc3\xa9").SP().AString("NIL").SP().NString(nil).End()
		}, "* X {2}\r\n\xc3\xa9 \"NIL\" NIL\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			return e.Untagged().Atom("X").SP().Literal([]byte("{3}")).End() // literal data may end so
		}, "* X {3}\r\n{3}\r\n"},
		{func(e *imapwire.ResponseEncoder) error {
			e.UTF8 = true
			return e.Untagged().String("\xc3\xa9").SP().String("\xff").SP().List(2, func(i int) { e.Number(uint32(i)) }).End()
		}, "* \"\xc3\xa9\" {1}\r\n\xff (0 1)\r\n"},
	}
	for i, tt := range tests {
		if got := srvEncode(t, tt.write); got != tt.want {
			t.Errorf("%d: got %q want %q", i, got, tt.want)
		}
	}
}

func TestResponseEncoderRefusesInvalid(t *testing.T) {
	var buf bytes.Buffer
	e := imapwire.NewResponseEncoder(&buf)
	bad := []func() error{
		func() error { return e.Untagged().Atom("a b").End() },
		func() error { return e.Tagged("a+b").Raw("OK").End() },
		func() error { return e.Continuation("x\r\ny") },
		func() error { return e.StatusResponse("A1", &imap.StatusResponse{Type: imap.StatusOK, Text: "a\nb"}) },
		func() error {
			return e.StatusResponse("A1", &imap.StatusResponse{Type: imap.StatusOK, Text: "[ALERT] x"})
		},
		func() error { return e.StatusResponse("A1", &imap.StatusResponse{Type: imap.StatusBYE}) },
		func() error { return e.StatusResponse("A1", &imap.StatusResponse{Type: "MAYBE"}) },
		func() error {
			return e.StatusResponse("", &imap.StatusResponse{Type: imap.StatusOK, Code: "X", CodeArg: "a]b"})
		},
		func() error { return e.StatusResponse("", &imap.StatusResponse{Type: imap.StatusOK, CodeArg: "1"}) },
		func() error { return e.WriteFlags([]string{"a b"}) },
		func() error { return e.WriteCapability([]string{"IMAP4rev1\r\nA1 OK"}) },
		func() error { return e.Fetch(1).Item("BODY[x]y]").Number(1).End() },
		func() error { return e.Fetch(1).BodySection("HEADER\r\n", -1, nil).End() },
		func() error { return e.Fetch(1).Envelope(nil).End() },
		func() error { return e.Fetch(1).BodyStructure(nil).End() },
		func() error {
			return e.Fetch(1).WriteItem(&imapwire.FetchItem{Name: "X-RAW", Raw: []byte("a\nb")}).End()
		},
		func() error { return e.Untagged().Raw("x").LiteralReader(nil, -1, false).End() },
		func() error { return e.End() },
		func() error { return e.StatusResponse("A1", nil) },
		func() error {
			return e.StatusResponse("A1", &imap.StatusResponse{Type: imap.StatusNO, Text: "size {10}"})
		},
		func() error { return e.Continuation("{5+}") },
		func() error { return e.WriteList("LIST", &imapwire.ListData{Mailbox: "x", Extended: "{2}"}) },
		func() error { return e.Untagged().Literal([]byte("x")).Raw(" {1}").End() },
	}
	for i, f := range bad {
		if err := f(); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("%d: %v", i, err)
		}
	}
	// A cyclic body structure is an error, not a hang.
	cyc := &imap.BodyStructure{Type: "message", Subtype: "rfc822", Envelope: &imap.Envelope{}}
	cyc.Body = cyc
	if err := e.Fetch(1).Body(cyc).End(); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Error(err)
	}
	// Nothing of the refused responses was written; the encoder works on.
	if err := e.WriteExists(1); err != nil {
		t.Fatal(err)
	}
	if e.Flush(); buf.String() != "* 1 EXISTS\r\n" {
		t.Fatalf("%q", buf.String())
	}
}

type srvFailWriter struct{ n int }

func (w *srvFailWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("broken pipe")
	}
	return len(p), nil
}

func TestResponseEncoderStreamErrors(t *testing.T) {
	// A literal reader that ends early leaves the stream out of step.
	var buf bytes.Buffer
	e := imapwire.NewResponseEncoder(&buf)
	err := e.Fetch(1).BodySectionReader("", -1, strings.NewReader("short"), 10).End()
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || e.WriteExists(1) == nil || e.Flush() == nil {
		t.Fatal(err)
	}
	// An invalid value after a streamed literal abandons the response.
	e = imapwire.NewResponseEncoder(&buf)
	err = e.Fetch(1).BodySectionReader("", -1, strings.NewReader("12345"), 5).Flags([]string{"a b"}).End()
	if !errors.Is(err, imapwire.ErrInvalidArgument) || e.Err() == nil || e.WriteExists(1) == nil {
		t.Fatal(err, e.Err())
	}
	// Write errors are sticky; Reset clears them.
	e = imapwire.NewResponseEncoder(&srvFailWriter{n: 5})
	e.WriteExists(1)
	if e.Flush() == nil || e.WriteExists(2) == nil {
		t.Fatal("write error lost")
	}
	buf.Reset()
	e.Reset(&buf)
	if e.WriteExists(3) != nil || e.Flush() != nil || buf.String() != "* 3 EXISTS\r\n" {
		t.Fatalf("%q", buf.String())
	}
}

// srvParse reads one response written by write with the client's Decoder.
func srvParse(t *testing.T, lim *imapwire.Limits, write func(e *imapwire.ResponseEncoder) error) (*imapwire.Response, *imapwire.Decoder) {
	t.Helper()
	wire := srvEncode(t, write)
	d := imapwire.NewDecoder(strings.NewReader(wire), lim)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatalf("%q: %v", wire, err)
	}
	return r, d
}

// srvNames are mailbox names that need every form: atom, quoted, literal.
var srvNames = []string{"INBOX", "a b", `q"b\s`, "NIL", "nil", "", "[Gmail]/All Mail", "a]b", "%*",
	"\xc3\xa4\xc3\xb6", "x\r\ny", "nul\x00", strings.Repeat("long", 400), "&AOQ-"}

func TestResponseRoundTripData(t *testing.T) {
	for _, name := range srvNames {
		for _, delim := range []rune{'/', '.', '\\', '"', 0} {
			ld := &imapwire.ListData{Attrs: []string{`\HasChildren`, `\Sent`}, Delim: delim, Mailbox: name}
			r, _ := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.WriteList("LSUB", ld) })
			if r.Name != "LSUB" || !reflect.DeepEqual(r.Data, ld) {
				t.Errorf("LIST %q: %+v", name, r.Data)
			}
		}
		sd := &imapwire.StatusData{Mailbox: name, Items: map[string]uint64{"MESSAGES": 1, "HIGHESTMODSEQ": 1 << 40}}
		r, _ := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.WriteStatus(sd) })
		if !reflect.DeepEqual(r.Data, sd) {
			t.Errorf("STATUS %q: %+v", name, r.Data)
		}
	}
	ld := &imapwire.ListData{Attrs: []string{}, Mailbox: "x", Extended: `("CHILDINFO" ("SUBSCRIBED"))`}
	r, _ := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.WriteList("LIST", ld) })
	if !reflect.DeepEqual(r.Data, ld) {
		t.Errorf("%+v", r.Data)
	}
	checks := []struct {
		write func(e *imapwire.ResponseEncoder) error
		name  string
		data  any
	}{
		{func(e *imapwire.ResponseEncoder) error { return e.WriteCapability([]string{"IMAP4rev1", "IDLE"}) },
			"CAPABILITY", []string{"IMAP4rev1", "IDLE"}},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteEnabled([]string{"CONDSTORE"}) }, "ENABLED", []string{"CONDSTORE"}},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteFlags([]string{`\Seen`, `\*`, "$Label"}) },
			"FLAGS", []string{`\Seen`, `\*`, "$Label"}},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteSearch(&imapwire.SearchData{Nums: []uint32{1, 4294967295}, ModSeq: 7})
		},
			"SEARCH", &imapwire.SearchData{Nums: []uint32{1, 4294967295}, ModSeq: 7}},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteSearch(&imapwire.SearchData{}) }, "SEARCH", &imapwire.SearchData{}},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteSort([]uint32{3, 1}) }, "SORT", &imapwire.SearchData{Nums: []uint32{3, 1}}},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteNamespace(&imapwire.NamespaceData{Personal: []imapwire.Namespace{{Prefix: "", Delim: '/'}},
				Shared: []imapwire.Namespace{{Prefix: "Shared \"x\"/", Delim: '/'}, {Prefix: "#news."}}})
		}, "NAMESPACE", &imapwire.NamespaceData{Personal: []imapwire.Namespace{{Prefix: "", Delim: '/'}},
			Shared: []imapwire.Namespace{{Prefix: "Shared \"x\"/", Delim: '/'}, {Prefix: "#news."}}}},
		{func(e *imapwire.ResponseEncoder) error {
			return e.WriteID(map[string]string{"name": "memserver", "version": "1.0", "os": "", "x": "a\r\nb"})
		}, "ID", map[string]string{"name": "memserver", "version": "1.0", "os": "", "x": "a\r\nb"}},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteID(nil) }, "ID", map[string]string(nil)},
	}
	for _, c := range checks {
		r, _ := srvParse(t, nil, c.write)
		if r.Name != c.name || !reflect.DeepEqual(r.Data, c.data) {
			t.Errorf("%s: %#v", c.name, r.Data)
		}
	}
	for _, c := range []struct {
		write func(e *imapwire.ResponseEncoder) error
		name  string
		num   uint32
	}{
		{func(e *imapwire.ResponseEncoder) error { return e.WriteExists(4294967295) }, "EXISTS", 4294967295},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteRecent(0) }, "RECENT", 0},
		{func(e *imapwire.ResponseEncoder) error { return e.WriteExpunge(3) }, "EXPUNGE", 3},
	} {
		r, _ := srvParse(t, nil, c.write)
		if r.Name != c.name || r.Num != c.num {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
}

func TestResponseRoundTripStatus(t *testing.T) {
	for _, tag := range []string{"", "A1"} {
		for _, st := range []imap.StatusResponse{
			{Type: imap.StatusOK, Text: "done"},
			{Type: imap.StatusNO, Code: "TRYCREATE", Text: "no such mailbox"},
			{Type: imap.StatusBAD, Code: "BADCHARSET", CodeArg: "(UTF-8 US-ASCII)", Text: "x [y] z"},
			{Type: imap.StatusOK, Code: "COPYUID", CodeArg: "38505 304,319:320 3956:3958"},
			{Type: imap.StatusOK, Code: "CAPABILITY", CodeArg: "IMAP4rev1 LITERAL+", Text: "hi \xc3\xa9"},
			{Type: imap.StatusPREAUTH, Text: "welcome"},
			{Type: imap.StatusBYE},
		} {
			if tag != "" && (st.Type == imap.StatusPREAUTH || st.Type == imap.StatusBYE) {
				continue
			}
			r, _ := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.StatusResponse(tag, &st) })
			if r.Tag != tag || !reflect.DeepEqual(*r.Status, st) {
				t.Errorf("%q %+v: %+v", tag, st, r.Status)
			}
		}
	}
	for _, text := range []string{"Ready", "", "dGVzdA==", "[ALERT] x"} {
		r, _ := srvParse(t, nil, func(e *imapwire.ResponseEncoder) error { return e.Continuation(text) })
		if r.Kind != imapwire.Continuation || r.Text != text {
			t.Errorf("%q: %+v", text, r)
		}
	}
}
