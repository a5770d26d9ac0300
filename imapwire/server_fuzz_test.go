package imapwire_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

var srvFuzzSeeds = []string{
	"a001 LOGIN \"joe\" {6}\r\nsecret\r\n",
	"A4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)\r\n",
	"A5 FETCH 1 BODY[HEADER.FIELDS ({5+}\r\nX-Bar \"a]b\")]<0.10>\r\n",
	"A7 UID SEARCH CHARSET UTF-8 OR (FROM \"alice\" NOT SEEN) (SUBJECT {6}\r\nna\xc3\xafve)\r\n",
	"A9 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {5+}\r\nhello ~{3}\r\na\x00b\r\n",
	"B3 UID STORE 1:3,5 +FLAGS.SILENT (\\Deleted)\r\nA1 IDLE\r\nDONE\r\n",
	"A2 AUTHENTICATE PLAIN\r\nAGJvYgBwdw==\r\n",
	"A1 FETCH 1 (FLAGS)) {5+}\r\nhello {3}\r\nZ NOOP\r\n",
	"A1 SEARCH ((((((((((((a))))))))))))\r\n\r\n \r\n+x\r\n",
	"A1 LOGIN {300+}\r\n" + strings.Repeat("x", 300) + "\r\n",
	"0 \xbf\n0 n\xbf\n",
}

// FuzzCommandDecoder feeds arbitrary bytes to the CommandDecoder with small
// limits: it must never panic, must always make progress (one command per
// line at most), and what it returns must be well formed.
func FuzzCommandDecoder(f *testing.F) {
	for _, s := range srvFuzzSeeds {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var r io.Reader = bytes.NewReader(data)
		if mode&1 != 0 {
			r = iotest.OneByteReader(r)
		}
		lim := &imapwire.Limits{MaxLine: 200, MaxLiteral: 256, MaxDepth: 6, ReadBufferSize: 16}
		dec := imapwire.NewCommandDecoder(r, lim)
		refused := errors.New("refused")
		dec.OnLiteral = func(size int64, nonSync bool) error {
			if size > 256 {
				t.Fatalf("OnLiteral called for %d bytes, over MaxLiteral", size)
			}
			if mode&2 != 0 && size%3 == 1 {
				return refused
			}
			return nil
		}
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("no progress")
			}
			cmd, err := dec.ReadCommand()
			if cmd == nil {
				if err == nil {
					t.Fatal("nil command without error")
				}
				return
			}
			if err != nil {
				if !imapwire.IsRecoverable(err) && err != refused {
					t.Fatalf("recoverable error of unexpected type: %v", err)
				}
				if cmd.Args != nil {
					t.Fatal("arguments with an error")
				}
				continue
			}
			if cmd.Tag == "" || cmd.Name == "" || cmd.Name != strings.ToUpper(cmd.Name) {
				t.Fatalf("bad command %+v", cmd)
			}
			srvCheckValues(t, cmd.Args, 0)
			if cmd.Name == "IDLE" {
				if _, err := dec.ReadLine(); err != nil && !imapwire.IsRecoverable(err) {
					return
				}
			}
		}
	})
}

func srvCheckValues(t *testing.T, vs []imapwire.Value, depth int) {
	if depth > 6 {
		t.Fatal("nesting over MaxDepth")
	}
	for _, v := range vs {
		switch v.Kind {
		case imapwire.ValueAtom, imapwire.ValueNumber, imapwire.ValueNIL:
			if v.Atom == "" || strings.ContainsAny(v.Atom, "\r\n\x00") {
				t.Fatalf("bad atom %q", v.Atom)
			}
		case imapwire.ValueString:
			if v.Str == nil || len(v.Str) > 256 || (!v.Literal && bytes.ContainsAny(v.Str, "\r\n\x00")) {
				t.Fatalf("bad string %q", v.Str)
			}
		case imapwire.ValueList:
			srvCheckValues(t, v.List, depth+1)
		default:
			t.Fatalf("bad kind %v", v.Kind)
		}
	}
}

// FuzzCommandRoundTrip checks that whatever strings the client-side Encoder
// accepts, the CommandDecoder reads back unchanged, whatever form (atom,
// quoted, literal, LITERAL+, LITERAL-, UTF-8) the Encoder picked.
func FuzzCommandRoundTrip(f *testing.F) {
	for _, a := range srvNames {
		f.Add(a, "pass \"w\\rd\"", uint8(0))
	}
	f.Add("a[1", "b]2", uint8(1))
	f.Add("x y", "{5}\r\n", uint8(2))
	f.Add("\xff\xfe", "\"", uint8(3))
	f.Fuzz(func(t *testing.T, a, b string, mode uint8) {
		opts := srvEncoderOpts[int(mode)%len(srvEncoderOpts)]
		srvEncoderCases(t, opts, a, b)
	})
}

// srvLiteralEnd matches text that ends like a literal announcement.
var srvLiteralEnd = regexp.MustCompile(`\{[0-9]{1,18}[+-]?\}$`)

// FuzzResponseRoundTrip checks that responses the ResponseEncoder writes
// with arbitrary strings are read back unchanged by the client-side
// Decoder, or refused by the encoder.
func FuzzResponseRoundTrip(f *testing.F) {
	for _, a := range srvNames {
		f.Add(a, "b", false)
	}
	f.Add("[ALERT] x", "", true)
	f.Add("\xc3\xa9", "x\r\ny", true)
	f.Add("{0}", "0", true)
	f.Add("x {12+}", "{3}", false)
	f.Fuzz(func(t *testing.T, a, b string, utf8 bool) {
		var buf bytes.Buffer
		e := imapwire.NewResponseEncoder(&buf)
		e.UTF8 = utf8
		ld := &imapwire.ListData{Attrs: []string{`\Noselect`}, Delim: '/', Mailbox: a}
		sd := &imapwire.StatusData{Mailbox: b, Items: map[string]uint64{"UNSEEN": 3}}
		id := map[string]string{a: b, "name": a}
		env := &imap.Envelope{Subject: a, From: []imap.Address{{Name: b, Mailbox: "x", Host: "y"}}, MessageID: b}
		st := &imap.StatusResponse{Type: imap.StatusNO, Code: "ALERT", Text: a}
		items := []imapwire.FetchItem{
			{Name: "ENVELOPE", Envelope: env, Origin: -1},
			{Name: "BODY", HasSection: true, Section: "1", Origin: 7, Literal: []byte(b), Size: int64(len(b))},
			{Name: "X-GM-LABELS", Strings: []string{a, b}, Origin: -1},
		}
		for _, w := range []func() error{
			func() error { return e.WriteList("LIST", ld) },
			func() error { return e.WriteStatus(sd) },
			func() error { return e.WriteID(id) },
			func() error { return e.WriteFetch(1, items) },
		} {
			if err := w(); err != nil {
				t.Fatal(err)
			}
		}
		stErr := e.StatusResponse("A1", st)
		if (stErr != nil) != (strings.ContainsAny(a, "\r\n\x00") || srvLiteralEnd.MatchString(a)) {
			t.Fatalf("status text %q: %v", a, stErr)
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		d := imapwire.NewDecoder(&buf, &imapwire.Limits{InlineLiteral: 16})
		next := func(name string) *imapwire.Response {
			r, err := d.ReadResponse()
			if err != nil || r.Name != name {
				t.Fatalf("%s: %+v %v in %q", name, r, err, buf.String())
			}
			return r
		}
		if r := next("LIST"); !reflect.DeepEqual(r.Data, ld) {
			t.Fatalf("LIST: %+v", r.Data)
		}
		if r := next("STATUS"); !reflect.DeepEqual(r.Data, sd) {
			t.Fatalf("STATUS: %+v", r.Data)
		}
		if r := next("ID"); !reflect.DeepEqual(r.Data, id) {
			t.Fatalf("ID: %+v", r.Data)
		}
		next("FETCH")
		got, err := d.ReadAllFetchItems()
		if err != nil || len(got) != len(items) {
			t.Fatalf("FETCH: %v %v", got, err)
		}
		for i := range items {
			if g, w := srvNormItem(got[i]), srvNormItem(items[i]); !reflect.DeepEqual(g, w) {
				t.Fatalf("item %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		if stErr == nil {
			if r := next("NO"); *r.Status != *st {
				t.Fatalf("status: %+v", r.Status)
			}
		}
		if _, err := d.ReadResponse(); err != io.EOF {
			t.Fatal("trailing data", err)
		}
	})
}
