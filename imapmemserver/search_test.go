package imapmemserver

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// searchQueries are SEARCH criteria run over testMessages (sequence
// number = UID = position, every message \Recent and nothing else, as
// just appended). want is Dovecot 2.3's answer, unless dovecot is set:
// then want is ours and dovecot Dovecot's, where we chose to differ.
var searchQueries = []struct{ query, want, dovecot string }{
	{"ALL", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"BODY noon", "2 4", ""},
	{"BODY cafe", "2", ""},
	{"TEXT content-type", "1 2 3 4 5 8 10 11 12 13 14 17 18 20 21 22 23 27 28", ""},
	{"BODY content-type", "", ""},
	{"TEXT carol", "2 4", ""},
	{"BODY carol", "", ""},
	{"SUBJECT \"\"", "1 2 3 4 5 7 8 9 15 16 18 19 22 24 25 26 27 28", ""},
	{"HEADER Subject \"\"", "1 2 3 4 5 7 8 9 15 16 18 19 22 24 25 26 27 28", ""},
	{"HEADER Content-Type multipart", "2 3 4 8 10 13 14 17 18 23 28", ""},
	{"FROM example.com", "2 3 4 8 9 10 11 12 13 14 15 16 17 18 20 21 22 23 24 25 26", ""},
	{"FROM \"Fred Foobar\"", "1", ""},
	{"TO \"A Group\"", "6", ""},
	{"TO undisclosed", "16", ""},
	{"CC dave", "2", ""},
	{"BCC localonly", "6", ""},
	{"BCC \"John Doe\"", "6", ""},
	{"SUBJECT \"understand the\"", "5", ""},
	{"SUBJECT \"lunch plans\"", "2", ""},
	{"SUBJECT fwd", "4", ""},
	{"SENTBEFORE 1-Jan-2000", "1 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25", "1 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24"},
	{"SENTSINCE 1-Jan-2024", "2 3 4 5 27 28", "2 3 4 5 6 25 27 28"},
	{"SENTON 3-Jan-2024", "3", ""},
	{"SENTON 13-Feb-1969", "6 25", ""},
	{"NOT SENTON 3-Jan-2024", "1 2 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"OR SUBJECT lunch SUBJECT report", "2 3 4", ""},
	{"OR SUBJECT lunch NOT FROM ann", "1 2 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"NOT OR FROM ann FROM x@example.com", "1 5 6 7 8 19 27 28", ""},
	{"(OR 1 2) (OR 2 3)", "2", ""},
	{"2:4,*", "2 3 4 28", ""},
	{"*:20", "20 21 22 23 24 25 26 27 28", ""},
	{"UID 3,5:7", "3 5 6 7", ""},
	{"LARGER 300", "1 2 3 4 5 6 18 19 23 27 28", ""},
	{"SMALLER 100", "7 9 10 12 15 22 24 25 26", ""},
	{"NOT LARGER 300 NOT SMALLER 100", "8 11 13 14 16 17 20 21", ""},
	{"BODY \"r1\"", "23", ""},
	{"BODY inner", "17 18 21", ""},
	{"TEXT inner", "4 17 18 21", ""},
	{"BODY \"AAAA\"", "", ""},
	{"BODY \"flowed\"", "", ""},
	{"TEXT \"format=flowed\"", "2 11 28", ""},
	{"HEADER Content-Language en", "3", ""},
	{"HEADER message-id \"<\"", "1 2 3 6 19 27 28", ""},
	{"TEXT \"very long name\"", "", ""},
	{"BODY \"not a message\"", "13", ""},
	{"BODY \"one\"", "8 13", ""},
	{"BODY \"line two\"", "8", ""},
	{"BODY \"Hello there\"", "", ""},
	{"TEXT \"Hello there\"", "9", ""},
	{"TEXT \"no boundary\"", "", ""},
	{"BODY \"no boundary\"", "", ""},
	{"RECENT", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"NEW", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"OLD", "", ""},
	{"SEEN", "", ""},
	{"UNSEEN", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28", ""},
	{"FROM \"MISSING\"", "", "19"},
	{"TEXT \"=?utf-8\"", "", ""},
	{"SUBJECT \"=?\"", "", ""},
	{"BODY \"<p>\"", "2 28", ""},
	{"CHARSET UTF-8 BODY {7+}\r\ngrüsse", "", ""},
	{"CHARSET UTF-8 BODY {7+}\r\nGRÜSSE", "", ""},
	{"CHARSET UTF-8 BODY {5+}\r\nCAFÉ", "2", ""},
	{"CHARSET UTF-8 FROM {7+}\r\nmüller", "5", ""},
	{"CHARSET UTF-8 TO {6+}\r\nANDRÉ", "5", ""},
	{"CHARSET UTF-8 TEXT {5+}\r\nköln", "5", ""},
	{"CHARSET UTF-8 TO {5+}\r\njörg", "", ""},
	{"CHARSET UTF-8 SUBJECT {2+}\r\né", "19 27", ""},
	{"CHARSET UTF-8 BODY {7+}\r\ngrüße", "5 27", ""},
	{"CHARSET UTF-8 TEXT {3+}\r\n€", "", ""},
	{"CHARSET UTF-8 TEXT {5+}\r\nJörg", "5", ""},
	{"CHARSET UTF-8 BODY {5+}\r\ncafé", "2", ""},
	{"CHARSET UTF-8 BODY {4+}\r\ncafe", "2", ""},
	{"CHARSET UTF-8 BODY {4+}\r\nCAFE", "2", ""},
	{"CHARSET UTF-8 BODY {8+}\r\nmünchen", "27", ""},
	{"CHARSET UTF-8 SUBJECT {31+}\r\nréunion de l'équipe – lundi", "27", ""},
	{"CHARSET UTF-8 FROM {7+}\r\nélodie", "27", ""},
	{"CHARSET ISO-8859-1 BODY {4+}\r\ncaf\xe9", "2", ""},
	{"CHARSET KOI8-R SUBJECT {6+}\r\n\xf0\xd2\xc9\xd7\xc5\xd4", "", ""},
	{"BODY photos", "28", ""},
	{"TEXT \"dot.png\"", "28", ""},
	{"BODY \"dot.png\"", "", ""},
	{"SENTSINCE 1-Jan-2025", "", "6 25"},
	{"SENTBEFORE 2-Jan-1970", "6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25", "7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24"},
	{"SENTON 13-Feb-2023", "26", ""},
	{"SENTON 9-Jan-2024", "28", ""},
	{"SENTON 10-Jan-2024", "", ""},
}

// Where we differ from Dovecot above:
//   - Dates before 1970 (corpus 06groups, 28olddate: 13-Feb-1969) are
//     dates like others; Dovecot cannot store them and uses the internal
//     date instead.
//   - FROM, TO, CC and BCC search the decoded header text; Dovecot searches
//     the addresses as it re-renders them, with its MISSING_MAILBOX
//     placeholders.

func TestSearchCorpus(t *testing.T) {
	now := time.Now()
	msgs := make([]*searchMsg, len(testMessages))
	for i, m := range testMessages {
		p := parseMessage([]byte(m.raw))
		msgs[i] = &searchMsg{seq: uint32(i + 1), uid: uint32(i + 1), flags: []string{`\Recent`},
			internalDate: now, size: int64(len(p.raw)), modseq: 1, msg: p}
	}
	for _, q := range searchQueries {
		if got := runSearch(t, q.query, msgs); got != q.want {
			t.Errorf("SEARCH %q\n got %q\nwant %q", q.query, got, q.want)
		}
	}
}

// runSearch compiles query and returns the sequence numbers of the
// matching messages, space-separated.
func runSearch(t *testing.T, query string, msgs []*searchMsg) string {
	t.Helper()
	args, charset, ok := searchArgs(query)
	if !ok {
		t.Fatalf("SEARCH %q does not tokenise", query)
	}
	m, err := compileSearch(args, charset)
	if err != nil {
		t.Fatalf("SEARCH %q: %v", query, err)
	}
	var maxUID uint32
	for _, msg := range msgs {
		maxUID = max(maxUID, msg.uid)
	}
	var got []string
	for _, msg := range msgs {
		if m(msg, uint32(len(msgs)), maxUID) {
			got = append(got, strconv.Itoa(int(msg.seq)))
		}
	}
	return strings.Join(got, " ")
}

// keyTestMessages are five messages with varied flags, dates, sizes, UIDs
// and mod-sequences, for TestSearchKeys.
func keyTestMessages() []*searchMsg {
	pst := time.FixedZone("PST", -8*3600)
	cet := time.FixedZone("CET", 3600)
	mk := func(hdr, body string) *parsedMessage {
		return parseMessage([]byte(strings.ReplaceAll(hdr, "\n", "\r\n") + "\r\n" + body))
	}
	return []*searchMsg{
		{seq: 1, uid: 10, flags: []string{`\Seen`, `\Answered`}, size: 100, modseq: 5,
			internalDate: time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC),
			msg: mk("From: Alice <alice@example.com>\nTo: bob@example.org\nCc: carol@example.net\n"+
				"Bcc: dave@example.com\nSubject: Hello World\nDate: Wed, 31 Jan 2024 23:00:00 -0500\nX-Priority: 1\n",
				"First body\r\n")},
		// 23:30 PST on 2 Feb is 3 Feb in UTC: its date is 2 Feb.
		{seq: 2, uid: 20, flags: []string{`\Flagged`, `\Deleted`, "$Work"}, size: 2000, modseq: 10,
			internalDate: time.Date(2024, 2, 2, 23, 30, 0, 0, pst),
			msg: mk("From: bob@example.org\nTo: alice@example.com\nSubject: Re: hello\nDate: 2 Feb 2024 10:00 +0000\n",
				"Second\r\n")},
		// 00:30 CET on 3 Feb is 2 Feb in UTC: its date is 3 Feb.
		{seq: 3, uid: 30, flags: []string{`\Draft`, `\Recent`}, size: 50, modseq: 15,
			internalDate: time.Date(2024, 2, 3, 0, 30, 0, 0, cet),
			msg:          mk("From: carol@example.net\nSubject: draft\nDate: Sat, 3 Feb 2024 00:10:00 +0100\n", "Draft text\r\n")},
		{seq: 4, uid: 40, flags: []string{`\Recent`, `\Seen`}, size: 5000, modseq: 20,
			internalDate: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
			msg:          mk("From: dave@example.com\nSubject: no date\n", "Fourth\r\n")},
		{seq: 5, uid: 50, size: 300, modseq: 25,
			internalDate: time.Date(2024, 3, 2, 9, 0, 0, 0, time.UTC),
			msg: mk("From: eve@example.com\nSubject: =?UTF-8?Q?=C3=9Cbung?=\nDate: Sat, 2 Mar 2024 09:00:00 +0000\n",
				"F\u00fcnf\r\n")},
	}
}

func TestSearchKeys(t *testing.T) {
	msgs := keyTestMessages()
	for _, tc := range []struct{ query, want string }{
		{"ALL", "1 2 3 4 5"},
		{"ANSWERED", "1"},
		{"UNANSWERED", "2 3 4 5"},
		{"DELETED", "2"},
		{"UNDELETED", "1 3 4 5"},
		{"DRAFT", "3"},
		{"UNDRAFT", "1 2 4 5"},
		{"FLAGGED", "2"},
		{"UNFLAGGED", "1 3 4 5"},
		{"SEEN", "1 4"},
		{"UNSEEN", "2 3 5"},
		{"seen", "1 4"},
		{"RECENT", "3 4"},
		{"NEW", "3"},
		{"OLD", "1 2 5"},
		{"KEYWORD $work", "2"},
		{"UNKEYWORD $Work", "1 3 4 5"},
		{"KEYWORD \\Seen", "1 4"},
		{"LARGER 300", "2 4"},
		{"LARGER \"299\"", "2 4 5"},
		{"SMALLER 100", "3"},
		{"NOT SMALLER 100 NOT LARGER 300", "1 5"},
		{"BEFORE 2-Feb-2024", "1"},
		{"ON 2-Feb-2024", "2"},
		{"ON 3-Feb-2024", "3"},
		{"ON \"03-feb-2024\"", "3"},
		{"SINCE 3-Feb-2024", "3 4 5"},
		{"SINCE 1-Jan-2025", ""},
		{"SENTBEFORE 1-Feb-2024", "1 4"},
		{"SENTON 31-Jan-2024", "1"},
		{"SENTON 3-Feb-2024", "3"},
		{"SENTSINCE 2-Feb-2024", "2 3 5"},
		{"SENTON 1-Jan-1970", "4"},
		{"FROM alice", "1"},
		{"FROM \"Alice <alice@\"", "1"},
		{"TO ALICE", "2"},
		{"CC carol", "1"},
		{"BCC DAVE", "1"},
		{"SUBJECT hello", "1 2"},
		{"SUBJECT \u00fcbung", "5"},
		{"SUBJECT \"\"", "1 2 3 4 5"},
		{"HEADER X-Priority 1", "1"},
		{"HEADER x-priority \"\"", "1"},
		{"HEADER Date \"\"", "1 2 3 5"},
		{"BODY second", "2"},
		{"BODY \"F\u00dcNF\"", "5"},
		{"BODY \"\"", "1 2 3 4 5"},
		{"TEXT hello", "1 2"},
		{"TEXT x-priority", "1"},
		{"TEXT text", "3"},
		{"UID 20:40", "2 3 4"},
		{"UID 45:*", "5"},
		{"UID *", "5"},
		{"UID 60:*", "5"},
		{"UID 60", ""},
		{"UID 10,30,50", "1 3 5"},
		{"2:*", "2 3 4 5"},
		{"*", "5"},
		{"*:3", "3 4 5"},
		{"1,3,5", "1 3 5"},
		{"4:2", "2 3 4"},
		{"7:*", "5"},
		{"2", "2"},
		{"(SEEN ANSWERED)", "1"},
		{"SEEN ANSWERED", "1"},
		{"OR SEEN DELETED", "1 2 4"},
		{"NOT (OR SEEN DELETED)", "3 5"},
		{"NOT OR SEEN DELETED", "3 5"},
		{"OR (SEEN FLAGGED) OR DRAFT 5", "3 5"},
		{"OR OR SEEN DRAFT OR DELETED 5", "1 2 3 4 5"},
		{"NOT NOT SEEN", "1 4"},
		{"NOT 2:*", "1"},
		{"(((UID 10:30) (NOT 1)))", "2 3"},
		{"MODSEQ 15", "3 4 5"},
		{"MODSEQ \"/flags/\\\\draft\" all 20", "4 5"},
		{"MODSEQ 15 NOT MODSEQ 25", "3 4"},
		{"CHARSET US-ASCII SUBJECT hello", "1 2"},
		{"CHARSET utf-8 FROM {5+}\r\nALICE", "1"},
	} {
		if got := runSearch(t, tc.query, msgs); got != tc.want {
			t.Errorf("SEARCH %q: got %q, want %q", tc.query, got, tc.want)
		}
	}
}

func TestSearchErrors(t *testing.T) {
	for _, q := range []string{
		"", "FOO", "()", "NOT", "OR SEEN", "OR", "KEYWORD", "KEYWORD (a)", "LARGER", "LARGER abc",
		"LARGER -1", "SMALLER (1)", "BEFORE", "BEFORE 1-Foo-2024", "ON 31-Feb-2024", "SINCE 2024-02-01",
		"SENTON 1-Feb-24", "UID", "UID x", "UID 0", "UID 1:0", "UID \"1\"", "0", "1,,2", "1:",
		"HEADER Subject", "HEADER", "FROM", "SUBJECT (x)", "MODSEQ", "MODSEQ x", "MODSEQ \"/flags/x\" 5",
		"MODSEQ \"/flags/x\" foo 5", "\"SEEN\"", "SEEN (FOO)", "UID 4294967296",
		strings.Repeat("NOT ", 200) + "SEEN", strings.Repeat("(", 150) + "SEEN" + strings.Repeat(")", 150),
	} {
		args, charset, ok := searchArgs(q)
		if !ok {
			continue // the tokeniser already refuses it
		}
		m, err := compileSearch(args, charset)
		if err == nil || m != nil {
			t.Errorf("SEARCH %q: no error", q)
		} else if errors.Is(err, errBadCharset) {
			t.Errorf("SEARCH %q: %v is not a syntax error", q, err)
		}
	}
	for _, cs := range []string{"X-NO-SUCH-CHARSET", "x"} {
		args, _, _ := searchArgs("ALL")
		if _, err := compileSearch(args, cs); !errors.Is(err, errBadCharset) {
			t.Errorf("CHARSET %s: %v, want errBadCharset", cs, err)
		}
	}
	for _, cs := range []string{"", "UTF-8", "utf-8", "US-ASCII", "us-ascii", "ISO-8859-1", "KOI8-R"} {
		args, _, _ := searchArgs("ALL")
		if _, err := compileSearch(args, cs); err != nil {
			t.Errorf("CHARSET %q: %v", cs, err)
		}
	}
}

// TestSearchEmptyMailbox checks "*" when there are no messages: it names
// none.
func TestSearchSetContains(t *testing.T) {
	for _, tc := range []struct {
		set    string
		n, max uint32
		want   bool
	}{
		{"*", 5, 5, true},
		{"*", 4, 5, false},
		{"*", 1, 0, false},
		{"1:*", 3, 0, false},
		{"10:*", 5, 5, true},
		{"10:*", 4, 5, false},
		{"3:1", 2, 5, true},
		{"4294967295", 4294967295, 5, true},
	} {
		set, err := parseSearchSet(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := setContains(set, tc.n, tc.max); got != tc.want {
			t.Errorf("%s contains %d (max %d) = %v", tc.set, tc.n, tc.max, got)
		}
	}
}

// TestSearchConcurrent runs searches on the same messages from several
// goroutines: the decoded text is computed once, without a race.
func TestSearchConcurrent(t *testing.T) {
	var msgs []*searchMsg
	for i, m := range testMessages {
		msgs = append(msgs, &searchMsg{seq: uint32(i + 1), uid: uint32(i + 1), msg: parseMessage([]byte(m.raw))})
	}
	args, _, _ := searchArgs("OR TEXT noon SENTSINCE 1-Jan-2024")
	m, err := compileSearch(args, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	counts := make([]int, 8)
	for g := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, msg := range msgs {
				if m(msg, uint32(len(msgs)), uint32(len(msgs))) {
					counts[g]++
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range counts {
		if c != counts[0] || c == 0 {
			t.Fatalf("counts %v", counts)
		}
	}
}

func TestParseMessageDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Mon, 7 Feb 1994 21:52:25 -0800 (PST)", "1994-02-07 21:52:25 -0800"},
		{"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n -0330 (Newfoundland Time)", "1969-02-13 23:32:00 -0330"},
		{"13 Feb 2023 23:32 +0000", "2023-02-13 23:32:00 +0000"},
		{"Tue, 02 Jan 24 10:00:00 +0100", "2024-01-02 10:00:00 +0100"},
		{"Tue, 2 Jan 2024 10:00:00 GMT", "2024-01-02 10:00:00 +0000"},
		{"Tue, 2 Jan 2024 10:00:00 +0000 (UTC)", "2024-01-02 10:00:00 +0000"},
		{"Tue, 2 Jan 2024 10:00:00 +0100 CET", "2024-01-02 10:00:00 +0100"},
		{"Tue Jan  2 10:00:00 2024", "2024-01-02 10:00:00 +0000"},
		{"garbage", ""},
		{"", ""},
	} {
		got, ok := parseMessageDate(unfold([]byte(tc.in)))
		s := ""
		if ok {
			s = got.Format("2006-01-02 15:04:05 -0700")
		}
		if s != tc.want {
			t.Errorf("parseMessageDate(%q) = %q, want %q", tc.in, s, tc.want)
		}
	}
}

func TestSearchDecoding(t *testing.T) {
	for _, tc := range []struct {
		fn       func(string) string
		in, want string
	}{
		{decodeHeader, "=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\u00e9 Pirard"},
		{decodeHeader, "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=", "\u00e9\u00e9"},
		{decodeHeader, "=?KOI8-R?B?8NLJ18XU?=", "\u041f\u0440\u0438\u0432\u0435\u0442"},
		{decodeHeader, "=?x-unknown?Q?a?= b", "=?x-unknown?Q?a?= b"},
		{decodeHeader, "=?UTF-8?Q?broken", "=?UTF-8?Q?broken"},
		{func(s string) string { return string(decodeQP([]byte(s))) }, "a=3Db=\r\nc=ZZ=", "a=bc=ZZ="},
		{func(s string) string { return string(decodeBase64([]byte(s))) }, "aGVs\r\nbG8=\r\n", "hello"},
		{func(s string) string { return string(decodeBase64([]byte(s))) }, "aGVsbG8", "hello"},
		{func(s string) string { return string(decodeBase64([]byte(s))) }, "a!G@V#s", "hel"},
		{func(s string) string { return string(toUTF8("windows-1252", []byte(s))) }, "\x80", "\u20ac"},
		{func(s string) string { return string(toUTF8("nonsense", []byte(s))) }, "\x80", "\x80"},
		{foldText, "GR\u00dcSSE Stra\u00dfe", "gru\u0308sse stra\u00dfe"},
		{foldText, "\u212a", "k"},
	} {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}
