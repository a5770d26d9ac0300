package imapwire

import (
	"io"
	"strings"
	"testing"
)

func TestSmoke(t *testing.T) {
	in := "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n" +
		"* CAPABILITY IMAP4rev1 IDLE\r\n" +
		"* LIST (\\HasNoChildren) \"/\" {5}\r\nab cd\r\n" +
		"* 3 FETCH (UID 7 FLAGS (\\Seen) BODY[] {11}\r\nhello world ENVELOPE (NIL \"subj\" ((\"A\" NIL \"a\" \"x.org\")) NIL NIL NIL NIL NIL NIL \"<id>\"))\r\n" +
		"* 4 FETCH (BODY[] {40}\r\n0123456789012345678901234567890123456789 UID 8)\r\n" +
		"A1 OK [READ-WRITE] done\r\n"
	lim := &Limits{InlineLiteral: 20}
	d := NewDecoder(strings.NewReader(in), lim)
	r, err := d.ReadResponse()
	if err != nil || r.Status.Code != "CAPABILITY" || r.Status.Text != "Dovecot ready." {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = d.ReadResponse()
	if err != nil || len(r.Data.([]string)) != 2 {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = d.ReadResponse()
	if err != nil || r.Data.(*ListData).Mailbox != "ab cd" || r.Data.(*ListData).Delim != '/' {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = d.ReadResponse()
	if err != nil || r.Name != "FETCH" || r.Num != 3 {
		t.Fatalf("%+v %v", r, err)
	}
	items, err := d.ReadAllFetchItems()
	if err != nil || len(items) != 4 || string(items[2].Literal) != "hello world" || items[3].Envelope.Subject != "subj" || items[3].Envelope.From[0].Host != "x.org" {
		t.Fatalf("%+v %v", items, err)
	}
	r, err = d.ReadResponse()
	if err != nil || r.Num != 4 {
		t.Fatalf("%+v %v", r, err)
	}
	var it FetchItem
	ok, err := d.NextFetchItem(&it)
	if !ok || err != nil || it.Reader == nil || it.Size != 40 {
		t.Fatalf("%+v %v", it, err)
	}
	b, _ := io.ReadAll(it.Reader)
	if len(b) != 40 {
		t.Fatal(len(b))
	}
	ok, err = d.NextFetchItem(&it)
	if !ok || err != nil || it.Name != "UID" || it.Num != 8 {
		t.Fatalf("%+v %v", it, err)
	}
	ok, err = d.NextFetchItem(&it)
	if ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	r, err = d.ReadResponse()
	if err != nil || r.Kind != Tagged || r.Tag != "A1" || r.Status.Code != "READ-WRITE" {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err = d.ReadResponse(); err != io.EOF {
		t.Fatal(err)
	}
}
