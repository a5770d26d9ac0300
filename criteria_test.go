package imapclient

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// wire encodes "A1 SEARCH" with the criteria as Search would and returns
// the exact bytes, with literal data inline, and the chunks.
func wire(t *testing.T, crit any, charset string, m utf8Modes, eo imapwire.EncoderOptions) (string, []imapwire.Chunk, error) {
	t.Helper()
	c, err := criteriaOf(crit)
	if err != nil {
		return "", nil, err
	}
	p, err := prepareCriteria(c, charset, m, false)
	if err != nil {
		return "", nil, err
	}
	e := imapwire.NewEncoder(eo)
	e.Begin("A1", "SEARCH")
	if p.charset != "" {
		e.SP().Raw("CHARSET").SP().Atom(p.charset)
	}
	e.SP()
	writeNodes(e, p.toks)
	cmd, err := e.Finish()
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	for i, ch := range cmd.Chunks {
		text := string(ch.Text)
		// CR and LF in command text only end a literal marker or the line.
		body := strings.TrimSuffix(text, "\r\n")
		if strings.ContainsAny(body, "\r\n\x00") {
			t.Fatalf("chunk %d text %q holds CR, LF or NUL", i, text)
		}
		if ch.HasLiteral() != strings.HasSuffix(body, "}") {
			t.Fatalf("chunk %d: literal %v but text %q", i, ch.HasLiteral(), text)
		}
		b.WriteString(text)
		b.Write(ch.Literal)
	}
	return b.String(), cmd.Chunks, nil
}

var plain = imapwire.EncoderOptions{}

func TestCriteriaEncoding(t *testing.T) {
	var q Criteria
	march := time.Date(2024, 3, 5, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		crit any
		want string
	}{
		{"raw string", "UNSEEN", "UNSEEN"},
		{"raw with quotes", `FROM "alice smith" SINCE 1-Feb-2024`, `FROM "alice smith" SINCE 1-Feb-2024`},
		{"builder flags", q.Unseen().Flagged().Undeleted(), "UNSEEN FLAGGED UNDELETED"},
		{"builder atom value", q.From("alice"), "FROM alice"},
		{"builder quoted value", q.Subject(`a "b" \c d`), `SUBJECT "a \"b\" \\c d"`},
		{"empty value", q.Subject(""), `SUBJECT ""`},
		{"NIL value quoted", q.From("NIL"), `FROM "NIL"`},
		{"header", q.Header("X-Spam-Flag", "YES").Header("List-Id", ""), `HEADER X-Spam-Flag YES HEADER List-Id ""`},
		{"dates", q.Since(march).SentBefore(march.AddDate(0, 0, 1)).On(march), "SINCE 05-Mar-2024 SENTBEFORE 06-Mar-2024 ON 05-Mar-2024"},
		{"date in its own zone", q.Since(march.In(time.FixedZone("+14", 14*3600))), "SINCE 06-Mar-2024"},
		{"sizes", q.Larger(1000).Smaller(1 << 40), "LARGER 1000 SMALLER 1099511627776"},
		{"uid set", q.UID(IDs{7, 1, 2, 3}), "UID 1:3,7"},
		{"seq set", q.Seq(SetString("2:*")), "2:*"},
		{"seq set dash", q.Seq(SetString("50-65")), "50:65"},
		{"keywords", q.Keyword("$Junk").Unkeyword("NonJunk"), "KEYWORD $Junk UNKEYWORD NonJunk"},
		{"flag mapping", q.Flag(`\seen`).NoFlag(imap.FlagRecent).Flag("$Forwarded").NoFlag("$Junk"), "SEEN OLD KEYWORD $Forwarded UNKEYWORD $Junk"},
		{"modseq", q.ModSeq(620162338), "MODSEQ 620162338"},
		{"not single", q.Not(q.Seen()), "NOT SEEN"},
		{"not group", q.Not(q.Seen().From("bob")), "NOT (SEEN FROM bob)"},
		{"not raw", q.Not(q.Raw("SEEN")), "NOT (SEEN)"},
		{"or", q.Or(q.From("a"), q.From("b")), "OR FROM a FROM b"},
		{"or groups", q.Or(q.From("a").Unseen(), q.To("b")), "OR (FROM a UNSEEN) TO b"},
		{"nested or", q.Or(q.Or(q.From("a"), q.From("b")), q.Not(q.Or(q.To("c"), q.Cc("d")))), "OR OR FROM a FROM b NOT OR TO c CC d"},
		{"and", q.Unseen().And(q.From("a"), q.To("b").Bcc("c")), "UNSEEN FROM a TO b BCC c"},
		{"and as operand", q.Not(q.And(q.From("a"), q.To("b"))), "NOT (FROM a TO b)"},
		{"key", q.Key("older", 3600).Key("X-FOO", "a b", []any{"SEEN"}), `OLDER 3600 X-FOO "a b" (SEEN)`},
		{"key value atom-like", q.Key("SUBJECT", "1:*"), `SUBJECT "1:*"`},
		{"mixed raw and values", q.Raw("UNSEEN").Subject("hello world").Raw("NOT DELETED"), `UNSEEN SUBJECT "hello world" NOT DELETED`},
		{"slice simple", []any{"FROM", "alice", "SINCE", march}, "FROM alice SINCE 05-Mar-2024"},
		{"slice quoted", []any{"TEXT", "foo bar"}, `TEXT "foo bar"`},
		{"slice strings", []string{"NOT", "DELETED"}, "NOT DELETED"},
		{"slice ints", []any{"LARGER", 10, "SMALLER", uint64(1 << 33)}, "LARGER 10 SMALLER 8589934592"},
		{"slice nested or", []any{"OR", []any{"FROM", "a"}, []any{"FROM", "b"}}, "OR (FROM a) (FROM b)"},
		{"slice deep", []any{"NOT", []any{"OR", []any{[]any{"SEEN"}}, []any{"TO", "x y"}}}, `NOT (OR ((SEEN)) (TO "x y"))`},
		{"slice star set", []any{"UID", "1:*"}, "UID 1:*"},
		{"slice message set", []any{"UID", IDs{5, 6}, All}, "UID 5:6 1:*"},
		{"slice with criteria", []any{"OR", q.From("a").Seen(), q.To("b")}, "OR (FROM a SEEN) TO b"},
		{"slice criteria list", []Criteria{q.Seen(), q.From("x")}, "SEEN FROM x"},
		{"slice bytes", []any{"SUBJECT", []byte("x y")}, `SUBJECT "x y"`},
		{"value with parens", q.Subject("(x)"), `SUBJECT "(x)"`},
		{"value with brace", q.Subject("{5}"), `SUBJECT "{5}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := wire(t, tt.crit, "", utf8Modes{}, plain)
			if err != nil {
				t.Fatal(err)
			}
			if want := "A1 SEARCH " + tt.want + "\r\n"; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestCriteriaInjection(t *testing.T) {
	var q Criteria
	evil := "x\r\nA2 DELETE INBOX"
	for name, crit := range map[string]any{
		"builder": q.Subject(evil),
		"slice":   []any{"SUBJECT", evil},
		"key":     q.Key("SUBJECT", evil),
		"header":  q.Header("Subject", evil),
	} {
		t.Run(name, func(t *testing.T) {
			got, chunks, err := wire(t, crit, "", utf8Modes{}, plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(chunks) != 2 || string(chunks[0].Literal) != evil || !chunks[0].Sync || string(chunks[1].Text) != "\r\n" {
				t.Fatalf("value not sent as one synchronising literal: %q", got)
			}
			if !strings.HasSuffix(string(chunks[0].Text), " {18}\r\n") {
				t.Fatalf("literal marker: %q", chunks[0].Text)
			}
		})
	}
	// NUL is refused before anything is encoded.
	for name, crit := range map[string]any{
		"builder": q.Subject("a\x00b"),
		"slice":   []any{"SUBJECT", "a\x00b"},
		"bytes":   []any{"SUBJECT", []byte("a\x00b")},
		"header":  q.Header("X\x00", "v"),
		"raw":     "SUBJECT \"a\x00\"",
	} {
		_, _, err := wire(t, crit, "", utf8Modes{}, plain)
		var ice *InvalidCriteriaError
		if !errors.As(err, &ice) {
			t.Errorf("%s: NUL gave %v", name, err)
		}
	}
	// A raw string cannot break the line or open a literal.
	for _, raw := range []string{"UNSEEN\r\nA2 LOGOUT", "UNSEEN\n", "SUBJECT {5}", "SUBJECT {5+}", "(UNSEEN", "UNSEEN)", `SUBJECT "x`} {
		_, _, err := wire(t, raw, "", utf8Modes{}, plain)
		var ice *InvalidCriteriaError
		if !errors.As(err, &ice) {
			t.Errorf("raw %q accepted: %v", raw, err)
		}
	}
	// Inside quotes, braces and parentheses are text.
	if got, _, err := wire(t, `SUBJECT "{5}) \" ("`, "", utf8Modes{}, plain); err != nil || got != "A1 SEARCH SUBJECT \"{5}) \\\" (\"\r\n" {
		t.Errorf("quoted raw: %q %v", got, err)
	}
}

// TestCriteria8BitAtEdges checks IMAPClient's bug: 8-bit text at the edge
// of a nested list was sent with the ")" inside the literal.
func TestCriteria8BitAtEdges(t *testing.T) {
	crit := []any{"OR", []any{"SUBJECT", "café"}, []any{"NOT", []any{"FROM", "zoë"}}}
	got, chunks, err := wire(t, crit, "", utf8Modes{}, plain)
	if err != nil {
		t.Fatal(err)
	}
	want := "A1 SEARCH CHARSET UTF-8 OR (SUBJECT {5}\r\ncafé) (NOT (FROM {4}\r\nzoë))\r\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if len(chunks) != 3 || string(chunks[0].Literal) != "café" || string(chunks[1].Literal) != "zoë" ||
		string(chunks[1].Text) != ") (NOT (FROM {4}\r\n" || string(chunks[2].Text) != "))\r\n" {
		t.Fatalf("chunks %+v", chunks)
	}
	// The same with the builder and LITERAL+.
	var q Criteria
	got, _, err = wire(t, q.Or(q.Subject("ü").Seen(), q.Not(q.Text("日本"))), "", utf8Modes{}, imapwire.EncoderOptions{LiteralPlus: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "A1 SEARCH CHARSET UTF-8 OR (SUBJECT {2+}\r\nü SEEN) NOT TEXT {6+}\r\n日本\r\n"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestCriteriaCharset(t *testing.T) {
	var q Criteria
	cafe := q.Subject("café")
	tests := []struct {
		name    string
		crit    any
		charset string
		m       utf8Modes
		eo      imapwire.EncoderOptions
		want    string // "" means an error
	}{
		{"ascii: no charset", q.Subject("cafe"), "", utf8Modes{}, plain, "SUBJECT cafe"},
		{"8-bit: UTF-8", cafe, "", utf8Modes{}, plain, "CHARSET UTF-8 SUBJECT {5}\r\ncafé"},
		{"explicit ascii charset", q.Subject("cafe"), "US-ASCII", utf8Modes{}, plain, "CHARSET US-ASCII SUBJECT cafe"},
		{"ascii charset with 8-bit", cafe, "US-ASCII", utf8Modes{}, plain, ""},
		{"latin1 transcoded", cafe, "ISO-8859-1", utf8Modes{}, plain, "CHARSET ISO-8859-1 SUBJECT {4}\r\ncaf\xe9"},
		{"latin1 unrepresentable", q.Subject("日本"), "ISO-8859-1", utf8Modes{}, plain, ""},
		{"unknown charset, ascii", q.Subject("x"), "X-UNKNOWN", utf8Modes{}, plain, "CHARSET X-UNKNOWN SUBJECT x"},
		{"unknown charset, 8-bit", cafe, "X-UNKNOWN", utf8Modes{}, plain, ""},
		{"invalid charset name", cafe, "UTF-8 SEEN", utf8Modes{}, plain, ""},
		{"utf8 accept: no charset, quoted", cafe, "", utf8Modes{accept: true, wire: true}, imapwire.EncoderOptions{UTF8: true}, `SUBJECT "café"`},
		{"utf8 accept: other charset refused", cafe, "ISO-8859-1", utf8Modes{accept: true, wire: true}, imapwire.EncoderOptions{UTF8: true}, ""},
		{"raw 8-bit refused", "SUBJECT \"café\"", "", utf8Modes{}, plain, ""},
		{"raw 8-bit with utf8 accept", "SUBJECT \"café\"", "", utf8Modes{accept: true, wire: true}, imapwire.EncoderOptions{UTF8: true}, `SUBJECT "café"`},
		{"raw 8-bit on rev2", "SUBJECT \"café\"", "", utf8Modes{wire: true}, imapwire.EncoderOptions{UTF8: true}, `CHARSET UTF-8 SUBJECT "café"`},
		{"bytes sent unconverted", []any{"SUBJECT", []byte("caf\xe9")}, "ISO-8859-1", utf8Modes{}, plain, "CHARSET ISO-8859-1 SUBJECT {4}\r\ncaf\xe9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := wire(t, tt.crit, tt.charset, tt.m, tt.eo)
			if tt.want == "" {
				var ice *InvalidCriteriaError
				if !errors.As(err, &ice) {
					t.Fatalf("want an InvalidCriteriaError, got %q, %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := "A1 SEARCH " + tt.want + "\r\n"; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
	// SORT and THREAD always carry a charset.
	c, _ := criteriaOf("ALL")
	for _, m := range []utf8Modes{{}, {accept: true, wire: true}} {
		p, err := prepareCriteria(c, "", m, true)
		if err != nil || p.charset != "UTF-8" {
			t.Errorf("mandatory charset with %+v: %+v %v", m, p, err)
		}
	}
}

func TestCriteriaInvalid(t *testing.T) {
	var q Criteria
	loop := []any{"NOT", nil}
	loop[1] = loop
	deep := q.Seen()
	for range maxCriteriaDepth + 2 {
		deep = q.Not(deep.Seen())
	}
	for name, crit := range map[string]any{
		"nil":                     nil,
		"empty string":            "",
		"blank string":            "   ",
		"empty slice":             []any{},
		"empty criteria":          q,
		"nil pointer":             (*Criteria)(nil),
		"empty group":             []any{"NOT", []any{}},
		"nil item":                []any{"FROM", nil},
		"negative":                []any{"LARGER", -1},
		"builder negative":        q.Larger(-5),
		"bad type":                42,
		"bad item type":           []any{"FROM", 1.5},
		"bytes criteria":          []byte("UNSEEN"),
		"message set":             IDs{1, 2},
		"self reference":          loop,
		"deep builder":            deep,
		"bad keyword":             q.Keyword("a b"),
		"bad flag":                q.Flag(`\Bogus`),
		"bad key name":            q.Key("A B"),
		"bad header name":         q.Header("Sub: ject", "x"),
		"bad uid set":             q.UID(SetString("1:x")),
		"empty uid set":           q.UID(IDs{}),
		"zero id":                 q.UID(IDs{0}),
		"not of empty":            q.Not(q),
		"or of empty":             q.Or(q.Seen(), q),
		"error propagates":        q.Or(q.Seen(), q.Not(q.Keyword(""))),
		"year 10000":              q.Since(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"empty criteria in slice": []any{"NOT", q},
	} {
		_, _, err := wire(t, crit, "", utf8Modes{}, plain)
		var ice *InvalidCriteriaError
		if !errors.As(err, &ice) {
			t.Errorf("%s: got %v, want an InvalidCriteriaError", name, err)
		}
	}
}

func TestCriteriaImmutable(t *testing.T) {
	var q Criteria
	base := q.From("a").To("b").Cc("c") // cap may exceed len after appends
	x := base.Seen()
	y := base.Unseen()
	gx, _, _ := wire(t, x, "", utf8Modes{}, plain)
	gy, _, _ := wire(t, y, "", utf8Modes{}, plain)
	if gx != "A1 SEARCH FROM a TO b CC c SEEN\r\n" || gy != "A1 SEARCH FROM a TO b CC c UNSEEN\r\n" {
		t.Fatalf("shared state: %q %q", gx, gy)
	}
	if !q.IsEmpty() || base.Err() != nil {
		t.Fatal("zero value changed")
	}
	if n := q.ModSeq(1).GmailRaw("x").needs; len(n) != 2 || n[0] != imap.CapCondStore || n[1] != imap.CapGmailExt {
		t.Fatalf("needs %v", n)
	}
	c, err := criteriaOf([]any{"OR", q.ModSeq(5), "SEEN"})
	if err != nil || len(c.needs) != 1 {
		t.Fatalf("needs through a slice: %v %v", c.needs, err)
	}
}

func TestSortWords(t *testing.T) {
	words, needs, err := sortWords([]string{"reverse date", "SUBJECT", " DISPLAYFROM "})
	if err != nil || strings.Join(words, " ") != "REVERSE DATE SUBJECT DISPLAYFROM" || len(needs) != 1 || needs[0] != "SORT=DISPLAY" {
		t.Fatalf("%v %v %v", words, needs, err)
	}
	for _, bad := range [][]string{nil, {""}, {"DATE", "REVERSE"}, {"REVERSE REVERSE DATE"}, {"DA(TE"}, {"DATE\r\n"}} {
		var ice *InvalidCriteriaError
		if _, _, err := sortWords(bad); !errors.As(err, &ice) {
			t.Errorf("sortWords(%q) = %v", bad, err)
		}
	}
}

func TestCriteriaErrorMessages(t *testing.T) {
	var q Criteria
	for _, crit := range []any{
		[]any{"NOT", q.Keyword("a b")},
		q.Key("X", q.Keyword("a b")),
		[]any{"SUBJECT", "a\x00"},
	} {
		_, err := criteriaOf(crit)
		if err == nil || strings.Count(err.Error(), "invalid search criteria") != 1 {
			t.Errorf("%v", err)
		}
	}
}
