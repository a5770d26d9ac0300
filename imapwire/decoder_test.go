package imapwire

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/imapclient-go/imapclient/imap"
)

func status(t imap.StatusType, code, arg, text string) *imap.StatusResponse {
	return &imap.StatusResponse{Type: t, Code: code, CodeArg: arg, Text: text}
}

func untagged(name string, data any) *Response {
	return &Response{Kind: Untagged, Name: name, Data: data}
}

func untaggedStatus(t imap.StatusType, code, arg, text string) *Response {
	return &Response{Kind: Untagged, Name: string(t), Status: status(t, code, arg, text)}
}

func tagged(tag string, t imap.StatusType, code, arg, text string) *Response {
	return &Response{Kind: Tagged, Tag: tag, Name: string(t), Status: status(t, code, arg, text)}
}

func numbered(n uint32, name string) *Response {
	return &Response{Kind: Untagged, Name: name, Num: n, Data: &RawData{}}
}

func cont(text string) *Response { return &Response{Kind: Continuation, Text: text} }

func list(attrs []string, delim rune, name, ext string) *ListData {
	return &ListData{Attrs: attrs, Delim: delim, Mailbox: name, Extended: ext}
}

var decodeTests = []struct {
	name string
	in   string
	want []*Response
}{
	{"greeting OK", "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.\r\n",
		[]*Response{untaggedStatus("OK", "CAPABILITY", "IMAP4rev1 SASL-IR AUTH=PLAIN", "Dovecot ready.")}},
	{"greeting PREAUTH", "* PREAUTH [CAPABILITY IMAP4rev2] Logged in as alice\r\n",
		[]*Response{untaggedStatus("PREAUTH", "CAPABILITY", "IMAP4rev2", "Logged in as alice")}},
	{"greeting BYE", "* BYE Too many connections\r\n",
		[]*Response{untaggedStatus("BYE", "", "", "Too many connections")}},
	{"tagged", "a1 OK [READ-WRITE] Select completed.\r\na2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\na3 BAD Error in IMAP command\r\n",
		[]*Response{tagged("a1", "OK", "READ-WRITE", "", "Select completed."),
			tagged("a2", "NO", "AUTHENTICATIONFAILED", "", "Authentication failed."),
			tagged("a3", "BAD", "", "", "Error in IMAP command")}},
	{"codes", "* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted.\r\n* OK [UIDNEXT 5] Predicted\r\na4 OK [APPENDUID 1 2] Append completed.\r\n* NO [ALERT]\r\n",
		[]*Response{untaggedStatus("OK", "PERMANENTFLAGS", `(\Seen \*)`, "Flags permitted."),
			untaggedStatus("OK", "UIDNEXT", "5", "Predicted"),
			tagged("a4", "OK", "APPENDUID", "1 2", "Append completed."),
			untaggedStatus("NO", "ALERT", "", "")}},
	{"no text", "a OK\r\nb OK \r\nc NO\n", []*Response{tagged("a", "OK", "", "", ""), tagged("b", "OK", "", "", ""), tagged("c", "NO", "", "", "")}},
	{"code with bracket in list", "* OK [BADCHARSET (UTF-8 \"US ASCII\")] x\r\n",
		[]*Response{untaggedStatus("OK", "BADCHARSET", `(UTF-8 "US ASCII")`, "x")}},
	{"capability", "* CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN \r\n* CAPABILITY\r\n* ENABLED CONDSTORE QRESYNC\r\n",
		[]*Response{untagged("CAPABILITY", []string{"IMAP4rev1", "LITERAL+", "IDLE", "AUTH=PLAIN"}),
			untagged("CAPABILITY", []string(nil)), untagged("ENABLED", []string{"CONDSTORE", "QRESYNC"})}},
	{"flags", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n* FLAGS ()\r\n",
		[]*Response{untagged("FLAGS", []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, "$Forwarded"}),
			untagged("FLAGS", []string{})}},
	{"list", "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\Noselect \\HasChildren) NIL \"\"\r\n* LSUB () \".\" \"Archive.2024\"\r\n",
		[]*Response{untagged("LIST", list([]string{`\HasNoChildren`}, '/', "INBOX", "")),
			untagged("LIST", list([]string{`\Noselect`, `\HasChildren`}, 0, "", "")),
			untagged("LSUB", list([]string{}, '.', "Archive.2024", ""))}},
	{"list escapes and literal", "* LIST () \"/\" \"Quoted \\\"name\\\" \\\\ x\"\r\n* LIST () \"\\\\\" Foo\\Bar\r\n* LIST () \"/\" {11}\r\nLiteral Box\r\n",
		[]*Response{untagged("LIST", list([]string{}, '/', `Quoted "name" \ x`, "")),
			untagged("LIST", list([]string{}, '\\', `Foo\Bar`, "")),
			untagged("LIST", list([]string{}, '/', "Literal Box", ""))}},
	{"list extended", "* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n* XLIST (\\Inbox) \"/\" \"[Gmail]/All Mail\"\r\n* LIST () \"/\" &AMk-t&AOk-\r\n",
		[]*Response{untagged("LIST", list([]string{`\Subscribed`}, '/', "Foo", `("CHILDINFO" ("SUBSCRIBED"))`)),
			untagged("XLIST", list([]string{`\Inbox`}, '/', "[Gmail]/All Mail", "")),
			untagged("LIST", list([]string{}, '/', "&AMk-t&AOk-", ""))}},
	{"status", "* STATUS INBOX (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 9223372036854775000)\r\n* STATUS \"Sent Items\" (MESSAGES 2) \r\n* STATUS {5}\r\nA (b) ()\r\n",
		[]*Response{untagged("STATUS", &StatusData{Mailbox: "INBOX", Items: map[string]uint64{"MESSAGES": 231, "UIDNEXT": 44292, "HIGHESTMODSEQ": 9223372036854775000}}),
			untagged("STATUS", &StatusData{Mailbox: "Sent Items", Items: map[string]uint64{"MESSAGES": 2}}),
			untagged("STATUS", &StatusData{Mailbox: "A (b)", Items: map[string]uint64{}})}},
	{"search sort", "* SEARCH 2 84 882\r\n* SEARCH\r\n* SEARCH 2 5 (MODSEQ 917162500)\r\n* SEARCH 1 2 \r\n* SORT 5 3 4\r\n",
		[]*Response{untagged("SEARCH", &SearchData{Nums: []uint32{2, 84, 882}}), untagged("SEARCH", &SearchData{}),
			untagged("SEARCH", &SearchData{Nums: []uint32{2, 5}, ModSeq: 917162500}),
			untagged("SEARCH", &SearchData{Nums: []uint32{1, 2}}), untagged("SORT", &SearchData{Nums: []uint32{5, 3, 4}})}},
	{"id", "* ID NIL\r\n* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\" NIL)\r\n",
		[]*Response{untagged("ID", map[string]string(nil)),
			untagged("ID", map[string]string{"name": "GImap", "vendor": "Google, Inc.", "support-url": ""})}},
	{"namespace", "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n" +
		"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) ((\"user.\" \".\")) ((\"Public Folders/\" \"/\")(\"#news.\" NIL))\r\n",
		[]*Response{untagged("NAMESPACE", &NamespaceData{Personal: []Namespace{{"", '/'}}}),
			untagged("NAMESPACE", &NamespaceData{Personal: []Namespace{{"", '/'}}, Other: []Namespace{{"user.", '.'}},
				Shared: []Namespace{{"Public Folders/", '/'}, {"#news.", 0}}})}},
	{"exists recent expunge", "* 23 EXISTS\r\n* 1 RECENT\r\n* 44 EXPUNGE\r\n",
		[]*Response{numbered(23, "EXISTS"), numbered(1, "RECENT"), numbered(44, "EXPUNGE")}},
	{"continuation", "+ Ready for literal data\r\n+\r\n+ \r\n+ dGVzdA==\r\n",
		[]*Response{cont("Ready for literal data"), cont(""), cont(""), cont("dGVzdA==")}},
	{"unknown raw", "* QUOTA \"\" (STORAGE 10 512)\r\n* METADATA INBOX (/private/comment {5}\r\nhello)\r\n* 3 XFOO bar\r\n",
		[]*Response{untagged("QUOTA", &RawData{Bytes: []byte(`"" (STORAGE 10 512)`)}),
			untagged("METADATA", &RawData{Bytes: []byte("INBOX (/private/comment {5}\r\nhello)")}),
			{Kind: Untagged, Name: "XFOO", Num: 3, Data: &RawData{Bytes: []byte("bar")}}}},
	{"case-insensitive", "* ok [alert] going down\r\n* list (\\noselect) nil \"\"\r\n* namespace nil nil nil\r\n* search 1 (modseq 7)\r\n* 2 exists\r\ntag1 no [trycreate] no such mailbox\r\n* id nIl\r\n",
		[]*Response{untaggedStatus("OK", "ALERT", "", "going down"), untagged("LIST", list([]string{`\noselect`}, 0, "", "")),
			untagged("NAMESPACE", &NamespaceData{}), untagged("SEARCH", &SearchData{Nums: []uint32{1}, ModSeq: 7}),
			numbered(2, "EXISTS"), tagged("tag1", "NO", "TRYCREATE", "", "no such mailbox"), untagged("ID", map[string]string(nil))}},
	{"bare LF", "* OK hi\n* 3 EXISTS\n", []*Response{untaggedStatus("OK", "", "", "hi"), numbered(3, "EXISTS")}},
}

func TestReadResponse(t *testing.T) {
	for _, tc := range decodeTests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tc.in), nil)
			for i, want := range tc.want {
				r, err := d.ReadResponse()
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				if got, want := describeResponse(r), describeResponse(want); got != want {
					t.Errorf("response %d:\n got %s\nwant %s", i, got, want)
				}
			}
			if _, err := d.ReadResponse(); err != io.EOF {
				t.Fatalf("after the last response: %v, want io.EOF", err)
			}
		})
	}
}

// TestReadResponseCutAnyway decodes every transcript through readers that
// cut the stream differently, with limits that stream large literals: the
// results must not depend on how the bytes arrive.
func TestReadResponseCutAnyway(t *testing.T) {
	limits := []*Limits{nil, {InlineLiteral: 8, ReadBufferSize: 16}, {InlineLiteral: 64, ReadBufferSize: 32, MaxLine: 1000}}
	readers := map[string]func(string) io.Reader{
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":     func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
		"data+err": func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) },
		"chunk 5":  func(s string) io.Reader { return &stutterReader{data: []byte(s), chunk: 5} },
	}
	in := allTranscripts()
	for li, lim := range limits {
		for _, o := range []sumOpts{allOpts, {prefix: 3, readSize: 2}, {prefix: -1, readSize: 64 << 10}} {
			want := summarize(NewDecoder(strings.NewReader(in), lim), o)
			if strings.Count(want, "\n") < 100 {
				t.Fatalf("summary too short:\n%s", want)
			}
			for name, mk := range readers {
				if got := summarize(NewDecoder(mk(in), lim), o); got != want {
					t.Errorf("limits %d, %s reader, opts %+v:\n%s", li, name, o, firstDiff(got, want))
				}
			}
		}
	}
}

// firstDiff shows the first line where two summaries differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i) + ":\n got " + gl + "\nwant " + wl
		}
	}
	return "(equal)"
}

func TestMalformedIsRecoverable(t *testing.T) {
	bad := []string{
		"* LIST (\\Noselect \"/\" x\r\n",
		"* FLAGS \\Seen\r\n",
		"* STATUS INBOX (MESSAGES x)\r\n",
		"* STATUS INBOX (MESSAGES 1) junk\r\n",
		"* SEARCH 1 a\r\n",
		"* SEARCH 1 (FOO 2)\r\n",
		"A1 MAYBE something\r\n",
		"\r\n",
		"*\r\n",
		"* 4294967296 EXISTS\r\n",
		"* LIST () \"/\" \"unterminated\r\n",
		"* LIST () \"/\" \"a\rb\"\r\n",
		"* LIST () \"/\" \"abcdefghij\rklmnop\"\r\n",
		"* LIST () \"/\" \"a\\\rb\"\r\n",
		"* LIST () \"//\" INBOX\r\n",
		"* LIST () \"/\" {3}\r\nabcd\r\n",
		"* OK [UNTERMINATED code\r\n",
		"* OK [] empty code\r\n",
		"* ID (\"a\")\r\n",
		"* NAMESPACE ((\"\" \"/\")\r\n",
		"* NAMESPACE ((\"\" \"/\" (((((((((x)))))))))) NIL NIL\r\n",
		"* LIST () \"/\" {99999999999999999999}\r\n",
		"* STATUS INBOX (HIGHESTMODSEQ 99999999999999999999)\r\n",
	}
	for _, in := range bad {
		next := "a1 OK [UIDNEXT 7] done\r\n"
		d := NewDecoder(strings.NewReader(in+next), &Limits{MaxDepth: 8})
		r, err := d.ReadResponse()
		if err == nil {
			t.Errorf("%q: no error, got %s", in, describeResponse(r))
			continue
		}
		var se *SyntaxError
		var le *LimitError
		if !errors.As(err, &se) && !errors.As(err, &le) || !IsRecoverable(err) {
			t.Errorf("%q: %v (%T), want a recoverable *SyntaxError or *LimitError", in, err, err)
			continue
		}
		r, err = d.ReadResponse()
		if err != nil || r.Tag != "a1" || r.Status.CodeArg != "7" {
			t.Errorf("%q: next response: %v %v", in, r, err)
		}
	}
}

func TestSyntaxErrorDetails(t *testing.T) {
	d := NewDecoder(strings.NewReader("* SEARCH 1 2 x\r\n"), nil)
	_, err := d.ReadResponse()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 13 || se.Line != "* SEARCH 1 2 x\r\n" || se.Msg == "" {
		t.Fatalf("%#v", err)
	}
	if !strings.Contains(se.Error(), "offset 13") {
		t.Error(se.Error())
	}
}

func TestMaxLine(t *testing.T) {
	next := "* OK next\r\n"
	long := "* OK " + strings.Repeat("x", 200) + "\r\n"
	withLit := "* LIST () \"/\" " + strings.Repeat("y", 100) + " {20}\r\n" + "\r\n* OK fake\r\n\r\n{5}\r\n" + " and {3}\r\nabc more\r\n"
	exact := "* OK " + strings.Repeat("z", 64-7) + "\r\n" // 64 bytes: fits
	for name, in := range map[string]string{"plain": long, "literal": withLit, "bare LF": "* OK " + strings.Repeat("x", 99) + "\n"} {
		for _, mk := range []func(string) io.Reader{
			func(s string) io.Reader { return strings.NewReader(s) },
			func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		} {
			d := NewDecoder(mk(exact+in+next), &Limits{MaxLine: 64, ReadBufferSize: 512})
			if r, err := d.ReadResponse(); err != nil || len(r.Status.Text) != 57 {
				t.Fatalf("%s: line of exactly MaxLine: %v %v", name, r, err)
			}
			_, err := d.ReadResponse()
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxLine" || le.Max != 64 || !IsRecoverable(err) {
				t.Fatalf("%s: %v, want MaxLine error", name, err)
			}
			r, err := d.ReadResponse()
			if err != nil || r.Status.Text != "next" {
				t.Fatalf("%s: after the long line: %v %v", name, r, err)
			}
		}
	}
}

func TestMaxLiteral(t *testing.T) {
	lim := &Limits{InlineLiteral: 16, MaxLiteral: 32}
	name20 := strings.Repeat("n", 20)
	in := "* LIST () \"/\" {40}\r\n" + strings.Repeat("x", 40) + "\r\n" +
		"* LIST () \"/\" " + lit(name20) + "\r\n" +
		"* XUNKNOWN {33}\r\n" + strings.Repeat("u", 33) + "\r\n" +
		"* XUNKNOWN a " + lit(name20) + " b\r\n* OK next\r\n"
	d := NewDecoder(strings.NewReader(in), lim)
	var le *LimitError
	if _, err := d.ReadResponse(); !errors.As(err, &le) || le.Limit != "MaxLiteral" || le.Max != 32 {
		t.Fatalf("%v, want MaxLiteral", err)
	}
	r, err := d.ReadResponse()
	if err != nil || r.Data.(*ListData).Mailbox != name20 {
		t.Fatalf("literal between InlineLiteral and MaxLiteral: %v %v", r, err)
	}
	if _, err := d.ReadResponse(); !errors.As(err, &le) || le.Limit != "MaxLiteral" {
		t.Fatalf("%v, want MaxLiteral", err)
	}
	r, err = d.ReadResponse()
	if err != nil || string(r.Data.(*RawData).Bytes) != "a {20}\r\n"+name20+" b" {
		t.Fatalf("%v %v", r, err)
	}
	if r, err = d.ReadResponse(); err != nil || r.Status.Text != "next" {
		t.Fatalf("%v %v", r, err)
	}
}

func TestEOF(t *testing.T) {
	for _, in := range []string{"", "* OK hi\r\n", "* OK hi\r\n* 2 EXISTS\r\n"} {
		d := NewDecoder(strings.NewReader(in), nil)
		for {
			_, err := d.ReadResponse()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: %v, want io.EOF at the end", in, err)
			}
		}
		if _, err := d.ReadResponse(); err != io.EOF {
			t.Fatalf("%q: io.EOF is not sticky: %v", in, err)
		}
	}
	cuts := []string{"* OK hel", "* LIST () \"/\" {10}\r\nabc", "* LIST () \"/\" {10}\r\n0123456789", "* OK " + strings.Repeat("x", 300), "* OK x\r", "* 1 FETCH (UID 1"}
	for _, in := range cuts {
		for _, lim := range []*Limits{nil, {MaxLine: 100, InlineLiteral: 4}} {
			d := NewDecoder(strings.NewReader(in), lim)
			var err error
			for i := 0; err == nil && i < 10; i++ {
				var r *Response
				if r, err = d.ReadResponse(); err == nil && r.Name == "FETCH" {
					_, err = d.ReadAllFetchItems()
				}
			}
			if !errors.Is(err, ErrUnexpectedEOF) || IsRecoverable(err) {
				t.Errorf("%q: %v, want ErrUnexpectedEOF", in, err)
			}
			if _, err2 := d.ReadResponse(); !errors.Is(err2, ErrUnexpectedEOF) {
				t.Errorf("%q: error not sticky: %v", in, err2)
			}
		}
	}
}

func TestDepthDoesNotLeak(t *testing.T) {
	deep := "* 1 FETCH (BODYSTRUCTURE " + strings.Repeat("(", 10) + "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1" + strings.Repeat(")", 10) + ")\r\n"
	ok := "* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\"))\r\n"
	d := NewDecoder(strings.NewReader(strings.Repeat(deep, 20)+ok), &Limits{MaxDepth: 4})
	for i := 0; i < 20; i++ {
		if _, err := d.ReadResponse(); err != nil {
			t.Fatal(err)
		}
		var le *LimitError
		if _, err := d.ReadAllFetchItems(); !errors.As(err, &le) || le.Limit != "MaxDepth" {
			t.Fatalf("%d: %v", i, err)
		}
	}
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	items, err := d.ReadAllFetchItems()
	if err != nil || len(items) != 1 || items[0].Body.Parts[0].Subtype != "plain" {
		t.Fatalf("after 20 depth errors: %v %v", items, err)
	}
}

func TestBufferedAndReset(t *testing.T) {
	d := NewDecoder(strings.NewReader("a1 OK Begin TLS\r\nINJECTED\r\n"), nil)
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	if d.Buffered() != len("INJECTED\r\n") {
		t.Fatalf("Buffered = %d", d.Buffered())
	}
	d.Reset(strings.NewReader("* OK over TLS\r\n"))
	if d.Buffered() != 0 {
		t.Fatal("Reset kept buffered bytes")
	}
	if r, err := d.ReadResponse(); err != nil || r.Status.Text != "over TLS" {
		t.Fatalf("%v %v", r, err)
	}
}

func TestTrace(t *testing.T) {
	d := NewDecoder(strings.NewReader("* 1 FETCH (BODY[] {20}\r\n01234567890123456789)\r\n"), &Limits{InlineLiteral: 4})
	var frames []string
	d.Trace = func(frame []byte, lit int64) { frames = append(frames, string(frame)+"|"+strconv.FormatInt(lit, 10)) }
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadAllFetchItems(); err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || frames[0] != "* 1 FETCH (BODY[] {20}\r\n|20" || frames[1] != ")\r\n|-1" {
		t.Fatalf("%q", frames)
	}
}
