package imapwire

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
)

// readFetch reads one FETCH response with ReadAllFetchItems.
func readFetch(t *testing.T, d *Decoder) []FetchItem {
	t.Helper()
	r, err := d.ReadResponse()
	if err != nil || r.Name != "FETCH" {
		t.Fatalf("ReadResponse: %v %v", r, err)
	}
	items, err := d.ReadAllFetchItems()
	if err != nil {
		t.Fatalf("ReadAllFetchItems: %v", err)
	}
	return items
}

func checkItems(t *testing.T, got, want []FetchItem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		g, w := describeItem(&got[i], got[i].Literal), describeItem(&want[i], want[i].Literal)
		if g != w {
			t.Errorf("item %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

const noOrigin = -1

var fetchTests = []struct {
	name string
	in   string
	want []FetchItem
}{
	{"metadata", "* 12 FETCH (UID 4827 FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 MODSEQ (12121231000))\r\n",
		[]FetchItem{{Name: "UID", Num: 4827, Origin: noOrigin}, {Name: "FLAGS", Strings: []string{`\Seen`, "$Forwarded"}, Origin: noOrigin},
			{Name: "INTERNALDATE", Text: "17-Jul-1996 02:44:25 -0700", Origin: noOrigin}, {Name: "RFC822.SIZE", Num: 4286, Origin: noOrigin},
			{Name: "MODSEQ", Num: 12121231000, Origin: noOrigin}}},
	{"gmail", "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334866 X-GM-LABELS (\\Important \\Sent \"Muy Importante\" foo) FLAGS ())\r\n",
		[]FetchItem{{Name: "X-GM-THRID", Num: 1278455344230334865, Origin: noOrigin}, {Name: "X-GM-MSGID", Num: 1278455344230334866, Origin: noOrigin},
			{Name: "X-GM-LABELS", Strings: []string{`\Important`, `\Sent`, "Muy Importante", "foo"}, Origin: noOrigin}, {Name: "FLAGS", Origin: noOrigin}}},
	{"objectid preview", "* 2 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) PREVIEW \"Hello, this is\" SAVEDATE \"01-Jan-2024 10:00:00 +0000\")\r\n",
		[]FetchItem{{Name: "EMAILID", Text: "M6d99ac3275bb4e", Origin: noOrigin}, {Name: "THREADID", Text: "T64b478a75b7ea9", Origin: noOrigin},
			{Name: "PREVIEW", Text: "Hello, this is", Origin: noOrigin}, {Name: "SAVEDATE", Text: "01-Jan-2024 10:00:00 +0000", Origin: noOrigin}}},
	{"nils", "* 3 FETCH (THREADID NIL PREVIEW NIL SAVEDATE nil BODY[1] NIL BINARY[2] nil)\r\n",
		[]FetchItem{{Name: "THREADID", Origin: noOrigin}, {Name: "PREVIEW", Origin: noOrigin}, {Name: "SAVEDATE", Origin: noOrigin},
			{Name: "BODY", Section: "1", HasSection: true, Nil: true, Origin: noOrigin},
			{Name: "BINARY", Section: "2", HasSection: true, Nil: true, Origin: noOrigin}}},
	{"sections", "* 6 FETCH (BODY[] {5}\r\nhello BODY[HEADER.FIELDS (SUBJECT FROM)] " + lit("Subject: hi\r\nFrom: a@example.org\r\n\r\n") +
		" BODY[1.2]<0> {10}\r\n0123456789 BINARY[1] ~{4}\r\n\x00\x01\x02\x03 BINARY.SIZE[1] 1234 RFC822 {3}\r\nabc RFC822.HEADER {2}\r\n\r\n RFC822.TEXT \"t\" BODY[TEXT] \"\")\r\n",
		[]FetchItem{{Name: "BODY", HasSection: true, Literal: []byte("hello"), Size: 5, Origin: noOrigin},
			{Name: "BODY", Section: "HEADER.FIELDS (SUBJECT FROM)", HasSection: true, Literal: []byte("Subject: hi\r\nFrom: a@example.org\r\n\r\n"), Size: 36, Origin: noOrigin},
			{Name: "BODY", Section: "1.2", HasSection: true, Origin: 0, Literal: []byte("0123456789"), Size: 10},
			{Name: "BINARY", Section: "1", HasSection: true, Literal: []byte{0, 1, 2, 3}, Size: 4, Origin: noOrigin},
			{Name: "BINARY.SIZE", Section: "1", HasSection: true, Num: 1234, Origin: noOrigin},
			{Name: "RFC822", Literal: []byte("abc"), Size: 3, Origin: noOrigin}, {Name: "RFC822.HEADER", Literal: []byte("\r\n"), Size: 2, Origin: noOrigin},
			{Name: "RFC822.TEXT", Literal: []byte("t"), Size: 1, Origin: noOrigin}, {Name: "BODY", Section: "TEXT", HasSection: true, Origin: noOrigin}}},
	{"unknown items", "* 3 FETCH (X-UNKNOWN (a \"b c\" (d)) X-NUM 42 X-LIT {3}\r\nabc X-SECT[1] \"v\" UID 2)\r\n",
		[]FetchItem{{Name: "X-UNKNOWN", Raw: []byte(`(a "b c" (d))`), Origin: noOrigin}, {Name: "X-NUM", Raw: []byte("42"), Origin: noOrigin},
			{Name: "X-LIT", Raw: []byte("{3}\r\nabc"), Origin: noOrigin}, {Name: "X-SECT", Section: "1", HasSection: true, Raw: []byte(`"v"`), Origin: noOrigin},
			{Name: "UID", Num: 2, Origin: noOrigin}}},
	{"lower case", "* 4 fetch (uid 9 flags (\\seen) body[] nil x-gm-labels ())\r\n",
		[]FetchItem{{Name: "UID", Num: 9, Origin: noOrigin}, {Name: "FLAGS", Strings: []string{`\seen`}, Origin: noOrigin},
			{Name: "BODY", HasSection: true, Nil: true, Origin: noOrigin}, {Name: "X-GM-LABELS", Origin: noOrigin}}},
	{"empty", "* 5 FETCH ()\r\n", nil},
}

func TestFetchItems(t *testing.T) {
	for _, tc := range fetchTests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tc.in), nil)
			checkItems(t, readFetch(t, d), tc.want)
			if _, err := d.ReadResponse(); err != io.EOF {
				t.Fatal(err)
			}
		})
	}
}

func addr(name, mailbox, host string) imap.Address {
	return imap.Address{Name: name, Mailbox: mailbox, Host: host}
}

var envelopeTests = []struct {
	name string
	in   string
	want imap.Envelope
}{
	{"rfc3501", `("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>")`,
		imap.Envelope{Date: "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", Subject: "IMAP4rev1 WG mtg summary and minutes",
			From: []imap.Address{addr("Terry Gray", "gray", "cac.washington.edu")}, Sender: []imap.Address{addr("Terry Gray", "gray", "cac.washington.edu")},
			ReplyTo: []imap.Address{addr("Terry Gray", "gray", "cac.washington.edu")}, To: []imap.Address{addr("", "imap", "cac.washington.edu")},
			Cc:        []imap.Address{addr("", "minutes", "CNRI.Reston.VA.US"), addr("John Klensin", "KLENSIN", "MIT.EDU")},
			MessageID: "<B27397-0100000@cac.washington.edu>"}},
	{"groups", `(NIL "s" ((NIL NIL "team" NIL)("Ann" NIL "ann" "x.org") ("Bob" NIL "bob" "y.org")(NIL NIL NIL NIL)) NIL NIL ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)`,
		imap.Envelope{Subject: "s", From: []imap.Address{addr("", "team", ""), addr("Ann", "ann", "x.org"), addr("Bob", "bob", "y.org"), {}},
			To: []imap.Address{addr("", "undisclosed-recipients", ""), {}}}},
	{"all NIL", `(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, imap.Envelope{}},
	{"quoted specials", `("d" "=?UTF-8?Q?caf=C3=A9?= \"quoted\" \\ back" (("\"Smith, John\" (work)" "@route" "john.smith" "example.com")) NIL NIL NIL NIL NIL "<parent@x>" "<id@x>")`,
		imap.Envelope{Date: "d", Subject: `=?UTF-8?Q?caf=C3=A9?= "quoted" \ back`,
			From: []imap.Address{{Name: `"Smith, John" (work)`, ADL: "@route", Mailbox: "john.smith", Host: "example.com"}}, InReplyTo: "<parent@x>", MessageID: "<id@x>"}},
	{"literal subject", "(NIL " + lit("Line one\r\n two \"q\"") + " ((" + lit("Name") + " NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL)",
		imap.Envelope{Subject: "Line one\r\n two \"q\"", From: []imap.Address{addr("Name", "a", "b")}}},
	{"empty list", `(NIL NIL () NIL NIL NIL NIL NIL NIL NIL)`, imap.Envelope{From: []imap.Address{}}},
}

func TestEnvelope(t *testing.T) {
	for _, tc := range envelopeTests {
		d := NewDecoder(strings.NewReader("* 1 FETCH (ENVELOPE "+tc.in+")\r\n"), nil)
		items := readFetch(t, d)
		if len(items) != 1 || items[0].Envelope == nil {
			t.Fatalf("%s: %+v", tc.name, items)
		}
		if got, want := formatEnvelope(items[0].Envelope), formatEnvelope(&tc.want); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
	// Equal lists share one slice (read-only); different ones do not.
	d := NewDecoder(strings.NewReader("* 1 FETCH (ENVELOPE "+envelopeTests[0].in+")\r\n"), nil)
	got := readFetch(t, d)[0].Envelope
	same := func(a, b []imap.Address) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
	if !same(got.Sender, got.From) || !same(got.ReplyTo, got.From) || same(got.To, got.From) || same(got.Cc, got.To) {
		t.Errorf("list sharing: sender %v reply-to %v to %v cc %v", same(got.Sender, got.From), same(got.ReplyTo, got.From), same(got.To, got.From), same(got.Cc, got.To))
	}
	env := envelopeTests[1].want
	if !env.From[0].IsGroupStart() || !env.From[3].IsGroupEnd() || env.From[1].Addr() != "ann@x.org" {
		t.Error("group markers")
	}
}

func TestFetchStreaming(t *testing.T) {
	body1 := strings.Repeat("A", 100) + ")\r\n* 99 FETCH (UID 99)\r\n" // data that looks like protocol
	body2 := strings.Repeat("B", 50)
	in := "* 1 FETCH (UID 1 BODY[] " + lit(body1) + " FLAGS (\\Seen))\r\n" +
		"* 2 FETCH (BODY[1] " + lit(body2) + " BINARY[2] ~" + lit(body2) + " UID 2)\r\n" +
		"* 3 FETCH (BODY[] " + lit(body1) + ")\r\n" +
		"* 4 FETCH (RFC822 " + lit(body1) + ")\r\na1 OK done\r\n"
	d := NewDecoder(strings.NewReader(in), &Limits{InlineLiteral: 16, ReadBufferSize: 16})
	var it FetchItem
	r, err := d.ReadResponse()
	if err != nil || r.Num != 1 {
		t.Fatal(r, err)
	}
	if ok, err := r.NextFetchItem(&it); !ok || err != nil || it.Num != 1 {
		t.Fatal(ok, err)
	}
	if ok, err := r.NextFetchItem(&it); !ok || err != nil || it.Reader == nil || it.Size != int64(len(body1)) || it.Literal != nil {
		t.Fatal(ok, err, it)
	}
	part := make([]byte, 10)
	if _, err := io.ReadFull(it.Reader, part); err != nil || string(part) != "AAAAAAAAAA" {
		t.Fatal(err)
	}
	// Partly read: the rest is discarded by the next call.
	if ok, err := r.NextFetchItem(&it); !ok || err != nil || it.Name != "FLAGS" || it.Strings[0] != `\Seen` {
		t.Fatal(ok, err, it)
	}
	if ok, err := r.NextFetchItem(&it); ok || err != nil {
		t.Fatal(ok, err)
	}
	// Two streamed sections; the first not read at all, the second read
	// with a buffer larger than the decoder's (bypassing it).
	if r, err = d.ReadResponse(); err != nil || r.Num != 2 {
		t.Fatal(r, err)
	}
	if ok, err := d.NextFetchItem(&it); !ok || err != nil || it.Section != "1" || it.Reader == nil {
		t.Fatal(ok, err)
	}
	if ok, err := d.NextFetchItem(&it); !ok || err != nil || it.Name != "BINARY" || it.Size != 50 {
		t.Fatal(ok, err)
	}
	big := make([]byte, 1000)
	n, err := io.ReadAtLeast(it.Reader, big, 50)
	if err != nil || string(big[:n]) != body2 {
		t.Fatalf("%q %v", big[:n], err)
	}
	if n, err := it.Reader.Read(big); n != 0 || err != io.EOF {
		t.Fatal(n, err)
	}
	if ok, err := d.NextFetchItem(&it); !ok || err != nil || it.Num != 2 {
		t.Fatal(ok, err)
	}
	// Partly read, then straight to the next response.
	if r, err = d.ReadResponse(); err != nil || r.Num != 3 {
		t.Fatal(r, err)
	}
	if ok, err := d.NextFetchItem(&it); !ok || err != nil {
		t.Fatal(ok, err)
	}
	io.ReadFull(it.Reader, part)
	// Not read at all, not even the item.
	if r, err = d.ReadResponse(); err != nil || r.Num != 4 {
		t.Fatal(r, err)
	}
	if r, err = d.ReadResponse(); err != nil || r.Tag != "a1" {
		t.Fatal(r, err)
	}
	if _, err = d.ReadResponse(); err != io.EOF {
		t.Fatal(err)
	}
}

func TestReadAllFetchItemsCopies(t *testing.T) {
	in := "* 1 FETCH (BODY[1] {5}\r\nfirst X-GM-LABELS (a b) BODY[2] " + lit(strings.Repeat("L", 40)) + " X-Y (z))\r\n" +
		"* 2 FETCH (BODY[1] {5}\r\nOTHER X-GM-LABELS (c d) BODY[2] {5}\r\nxxxxx X-Y (w))\r\n"
	d := NewDecoder(strings.NewReader(in), &Limits{InlineLiteral: 16, ReadBufferSize: 16})
	first := readFetch(t, d)
	second := readFetch(t, d)
	if string(first[0].Literal) != "first" || first[1].Strings[1] != "b" || string(first[2].Literal) != strings.Repeat("L", 40) ||
		first[2].Reader != nil || string(first[3].Raw) != "(z)" {
		t.Fatalf("first response's items changed: %+v", first)
	}
	if string(second[0].Literal) != "OTHER" || second[1].Strings[0] != "c" {
		t.Fatalf("%+v", second)
	}
}

func TestFetchStringsNotShared(t *testing.T) {
	d := NewDecoder(strings.NewReader("* 1 FETCH (X-GM-LABELS (a b) FLAGS (\\Seen))\r\n* 2 FETCH (X-GM-LABELS (c d) FLAGS (\\Draft))\r\n"), nil)
	var it FetchItem
	var kept [][]string
	for i := 0; i < 2; i++ {
		if _, err := d.ReadResponse(); err != nil {
			t.Fatal(err)
		}
		for {
			ok, err := d.NextFetchItem(&it)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			kept = append(kept, it.Strings)
		}
	}
	if strings.Join(kept[0], ",") != "a,b" || kept[1][0] != `\Seen` || strings.Join(kept[2], ",") != "c,d" {
		t.Fatalf("%q", kept)
	}
}

func TestFetchErrors(t *testing.T) {
	big := strings.Repeat("z", 40)
	cases := []string{
		"* 1 FETCH (UID 1 BODY[] " + lit(big) + " FLAGS x)\r\n",
		"* 1 FETCH (UID x BODY[] " + lit(big) + " BODY[2] " + lit(big) + ")\r\n",
		"* 1 FETCH (BODY[1 {3}\r\nabc)\r\n",
		"* 1 FETCH (BODY[]<x> {3}\r\nabc)\r\n",
		"* 1 FETCH (MODSEQ 5)\r\n",
		"* 1 FETCH (EMAILID M1)\r\n",
		"* 1 FETCH UID 1\r\n",
		"* 1 FETCH (UID 1) junk\r\n",
		"* 1 FETCH (UID 1  FLAGS ())\r\n",
		"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (X-FOO ((((((((((a)))))))))))\r\n",
	}
	for _, in := range cases {
		d := NewDecoder(strings.NewReader(in+"* 2 FETCH (UID 2)\r\n"), &Limits{InlineLiteral: 16, MaxDepth: 8})
		if _, err := d.ReadResponse(); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		_, err := d.ReadAllFetchItems()
		if !IsRecoverable(err) {
			t.Errorf("%q: %v, want a recoverable error", in, err)
		}
		var it FetchItem
		if ok, err := d.NextFetchItem(&it); ok || err != nil {
			t.Errorf("%q: NextFetchItem after the error: %v %v", in, ok, err)
		}
		items := readFetch(t, d)
		if len(items) != 1 || items[0].Num != 2 {
			t.Errorf("%q: next response: %+v", in, items)
		}
	}
}

func TestReadAllFetchItemsMaxLiteral(t *testing.T) {
	in := "* 1 FETCH (UID 1 BODY[] " + lit(strings.Repeat("x", 100)) + " FLAGS ())\r\n* 2 FETCH (BODY[] " + lit(strings.Repeat("y", 30)) + ")\r\n"
	d := NewDecoder(strings.NewReader(in), &Limits{InlineLiteral: 16, MaxLiteral: 32})
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	items, err := d.ReadAllFetchItems()
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxLiteral" || len(items) != 1 {
		t.Fatalf("%v %v", items, err)
	}
	items = readFetch(t, d)
	if len(items) != 1 || len(items[0].Literal) != 30 {
		t.Fatalf("%+v", items)
	}
}

func TestNextFetchItemNotFetch(t *testing.T) {
	d := NewDecoder(strings.NewReader("* 3 EXISTS\r\n"), nil)
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	var it FetchItem
	if ok, err := d.NextFetchItem(&it); ok || err != nil {
		t.Fatal(ok, err)
	}
}
