package main

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/imapclient-go/imapclient/imap"
)

func TestSplitCommands(t *testing.T) {
	got := splitCommands(`select INBOX; search SUBJECT "a;b" ;; raw X 'c;d'; # a comment`)
	want := []string{"select INBOX", `search SUBJECT "a;b"`, "raw X 'c;d'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitCommands = %q, want %q", got, want)
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		`select "Reports & Plans"`:   {"select", "Reports & Plans"},
		`a "b \"c\" \\d" 'e "f' g`:   {"a", `b "c" \d`, `e "f`, "g"},
		`x"y z"w  `:                  {"xy zw"},
		`flags add 1 \Seen \Flagged`: {"flags", "add", "1", `\Seen`, `\Flagged`},
		`""`:                         {""},
	} {
		got, err := splitWords(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`"open`, `'open`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) succeeded", bad)
		}
	}
	for _, w := range []string{"INBOX", "Reports & Plans", `a"b`, `back\slash`, "日本語", ""} {
		got, err := splitWords(quoteWord(w))
		if err != nil || len(got) != 1 || got[0] != w {
			t.Errorf("quoteWord(%q) = %s does not split back: %q %v", w, quoteWord(w), got, err)
		}
	}
}

func TestSplitFetchItems(t *testing.T) {
	got := splitFetchItems(` (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]  UID BODY[1]<0.10>) `)
	want := []string{"FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "UID", "BODY[1]<0.10>"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitFetchItems = %q, want %q", got, want)
	}
}

func TestCriteria(t *testing.T) {
	if c, err := criteria(""); err != nil || c != "ALL" {
		t.Errorf("empty criteria: %v %v", c, err)
	}
	if c, err := criteria(`FROM "bob" UNSEEN`); err != nil || c != `FROM "bob" UNSEEN` {
		t.Errorf("ASCII criteria: %v %v", c, err)
	}
	c, err := criteria(`OR SUBJECT "Übersicht für März" (FROM bob TEXT 日本) UNSEEN`)
	want := []any{"OR", "SUBJECT", "Übersicht für März", []any{"FROM", "bob", "TEXT", "日本"}, "UNSEEN"}
	if err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("8-bit criteria = %#v, %v; want %#v", c, err, want)
	}
	for _, bad := range []string{`SUBJECT "ü`, `(SUBJECT ü`, `SUBJECT ü)`} {
		if _, err := criteria(bad); err == nil {
			t.Errorf("criteria(%q) succeeded", bad)
		}
	}
}

func TestMboxrd(t *testing.T) {
	long := strings.Repeat("x", 70000)
	msg := "Subject: hi\r\nFrom: a@b\r\n\r\nFrom here\r\n>From there\r\n>>From  far\r\nFromage\r\n" + long + "\r\nend"
	var out bytes.Buffer
	n, err := writeMboxrd(&out, strings.NewReader(msg), "Status: RO\n")
	if err != nil || n != int64(len(msg)) {
		t.Fatalf("writeMboxrd: %d %v", n, err)
	}
	want := "Subject: hi\nFrom: a@b\nStatus: RO\n\n>From here\n>>From there\n>>>From  far\nFromage\n" + long + "\nend\n\n"
	if out.String() != want {
		t.Errorf("mboxrd output differs:\n%q\nwant\n%q", trunc(out.String()), trunc(want))
	}
	// A CR at the edge of the reader's buffer, and a CR that ends no line.
	msg = strings.Repeat("y", 64<<10-1) + "\r\nnext\rline\r\n"
	out.Reset()
	writeMboxrd(&out, strings.NewReader(msg), "")
	if want := strings.Repeat("y", 64<<10-1) + "\nnext\rline\n\n"; out.String() != want {
		t.Errorf("CR handling: %q", trunc(out.String()))
	}
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:100] + "..." + s[len(s)-100:]
	}
	return s
}

func TestMaildirNames(t *testing.T) {
	if got := maildirInfo([]string{`\Seen`, `\Flagged`, `\answered`, "$Forwarded", `\Draft`, `\Deleted`, `\Recent`, "x"}); got != "DFPRST" {
		t.Errorf("maildirInfo = %q", got)
	}
	m := &maildir{validity: 77}
	name := m.base(12, imapDate(t)) + ":2,S"
	if v, u, ok := parseMaildirName(name); !ok || v != 77 || u != 12 {
		t.Errorf("parseMaildirName(%q) = %d %d %v", name, v, u, ok)
	}
	for _, other := range []string{"1.2.host:2,S", "1.V1.imapsh", "1.VxU1.imapsh", "notes.txt"} {
		if _, _, ok := parseMaildirName(other); ok {
			t.Errorf("parseMaildirName(%q) accepted a foreign name", other)
		}
	}
	if got := safeFileName("Reports & Plans/2024"); got != "Reports & Plans_2024" {
		t.Errorf("safeFileName = %q", got)
	}
}

func imapDate(t *testing.T) time.Time {
	d, err := imap.ParseDateTime("06-May-2024 10:00:00 +0200")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAttachmentName(t *testing.T) {
	for _, c := range []struct {
		b    imap.BodyStructure
		want string
	}{
		{imap.BodyStructure{DispositionParams: []imap.Param{{Name: "filename", Value: "a.pdf"}}}, "a.pdf"},
		{imap.BodyStructure{DispositionParams: []imap.Param{{Name: "FILENAME*", Value: "UTF-8''Pr%C3%A4sentation.pdf"}}}, "Präsentation.pdf"},
		{imap.BodyStructure{DispositionParams: []imap.Param{{Name: "filename*0*", Value: "utf-8'de'M%C3%A4"}, {Name: "filename*1", Value: "rz.txt"}}}, "März.txt"},
		{imap.BodyStructure{Params: []imap.Param{{Name: "name", Value: "=?UTF-8?Q?caf=C3=A9.txt?="}}}, "café.txt"},
		{imap.BodyStructure{Params: []imap.Param{{Name: "charset", Value: "utf-8"}}}, ""},
	} {
		if got := attachmentName(&c.b); got != c.want {
			t.Errorf("attachmentName(%+v) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestToCRLF(t *testing.T) {
	if got := string(toCRLF([]byte("a\nb\r\nc\n"))); got != "a\r\nb\r\nc\r\n" {
		t.Errorf("toCRLF = %q", got)
	}
}

func TestCompletion(t *testing.T) {
	s := &shell{folders: []string{"INBOX", "Archive", "Reports & Plans", "Reports & Plans/2024", "日本語", "Entwürfe"}}
	var screen bytes.Buffer
	tm := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(nil), &screen}, "> ")
	complete := s.completer(tm)
	for _, c := range []struct{ line, want string }{
		{"sel", "select "},
		{"select Rep", `select "Reports & Plans`},
		{`select "Reports & Plans/`, `select "Reports & Plans/2024" `},
		{"select 日", "select 日本語 "},
		{"select inb", "select INBOX "},
		{"status Ent", "status Entwürfe "},
		{"copy 1:3 Ar", "copy 1:3 Archive "},
		{"select INBOX; fetch 1 FL", "select INBOX; fetch 1 FLAGS "},
		{"flags a", "flags add "},
		{"flags add 1 \\Fl", "flags add 1 \\Flagged "},
		{"trace o", "trace o"}, // on, off: listed
		{"help exp", "help exp"},
		{"help expu", "help expunge "},
		{"nosuch x", "nosuch x"},
		{"export INBOX /tmp/x --m", "export INBOX /tmp/x --m"},
	} {
		got, pos, ok := complete(c.line, len(c.line), '\t')
		if !ok || got != c.want || pos != len(c.want) {
			t.Errorf("complete(%q) = %q, %d, %v; want %q", c.line, got, pos, ok, c.want)
		}
	}
	if !strings.Contains(screen.String(), "on  off") || !strings.Contains(screen.String(), "export  expunge") {
		t.Errorf("ambiguous completions not listed: %q", screen.String())
	}
	if _, _, ok := complete("sel", 3, 'x'); ok {
		t.Errorf("a key other than Tab was taken")
	}
}
