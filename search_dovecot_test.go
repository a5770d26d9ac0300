package imapclient_test

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/mutf7"
)

// searchMsg is one message of the search fixture.
type searchMsg struct {
	from, subject, body string
	day                 int // days after 2024-01-01: Date header and internal date
	flags               []string
	inReplyTo           int // 1-based index of the parent in the fixture, or 0
	refs                []int
}

var searchFixture = []searchMsg{
	{from: "Alice <alice@example.com>", subject: "Quarterly report", body: "numbers", day: 9, flags: []string{`\Seen`}},
	{from: "Bob <bob@example.com>", subject: "Re: Quarterly report", body: "thanks", day: 10, flags: []string{`\Seen`, `\Answered`}, inReplyTo: 1, refs: []int{1}},
	{from: "Carol <carol@example.com>", subject: mime.BEncoding.Encode("UTF-8", "Café au lait ☕"), body: "coffee?", day: 31},
	{from: "Dave <dave@example.com>", subject: mime.QEncoding.Encode("UTF-8", "Grüße aus München"), body: "hallo", day: 45, flags: []string{`\Flagged`}},
	{from: "Alice <alice@example.com>", subject: "Large attachment", body: strings.Repeat("0123456789abcdef\r\n", 1200), day: 60, flags: []string{"$Work"}},
	{from: "Bob <bob@example.com>", subject: "Re: Re: Quarterly report", body: "more", day: 64, inReplyTo: 2, refs: []int{1, 2}},
	{from: "Eve <eve@example.com>", subject: "Draft notes", body: "tbd", day: 69, flags: []string{`\Draft`}},
	{from: "Carol <carol@example.com>", subject: "Lunch?", body: "at noon", day: 91, flags: []string{`\Deleted`}},
	{from: "Alice <alice@example.com>", subject: mime.BEncoding.Encode("UTF-8", "Re: Café au lait ☕"), body: "yes", day: 92, flags: []string{`\Seen`}, inReplyTo: 3, refs: []int{3}},
	{from: mime.QEncoding.Encode("UTF-8", "Zoë") + " <zoe@example.com>", subject: mime.QEncoding.Encode("UTF-8", "Ünïcödé test"), body: "a naïve café text", day: 121},
}

func fixtureDate(m searchMsg) time.Time {
	return time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, m.day)
}

func fixtureText(i int, m searchMsg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: Team <team@example.com>\r\nSubject: %s\r\n", m.from, m.subject)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <m%d@search.test>\r\n", fixtureDate(m).Format(time.RFC1123Z), i+1)
	if m.inReplyTo > 0 {
		fmt.Fprintf(&b, "In-Reply-To: <m%d@search.test>\r\n", m.inReplyTo)
	}
	if len(m.refs) > 0 {
		b.WriteString("References:")
		for _, r := range m.refs {
			fmt.Fprintf(&b, " <m%d@search.test>", r)
		}
		b.WriteString("\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(m.body + "\r\n")
	return b.String()
}

// searchFolder creates a folder holding the fixture, selected, in which
// UIDs are sequence numbers plus one (a first message was expunged) so
// that the UID switch shows.
func searchFolder(t *testing.T, c *imapclient.Client) string {
	t.Helper()
	ctx := ctxT(t)
	folder := tempFolder(t, c, "search ü")
	seed(t, c, folder, []string{`\Deleted`}, testMessage("x@example.com", "y@example.com", "expunged", "gone"))
	if _, err := c.SelectFolder(ctx, folder, false); err != nil {
		t.Fatal(err)
	}
	raw(t, c, "EXPUNGE", nil)
	for i, m := range searchFixture {
		raw(t, c, "APPEND", func(e *imapwire.Encoder) {
			e.SP().AString(mutf7.Encode(folder)).SP().Byte('(')
			for j, f := range m.flags {
				if j > 0 {
					e.SP()
				}
				e.Flag(f)
			}
			e.Byte(')').SP().String(imap.FormatDateTime(fixtureDate(m))).SP().Literal([]byte(fixtureText(i, m)))
		})
	}
	raw(t, c, "NOOP", nil)
	return folder
}

// want returns the UIDs (seq+1) of the fixture messages that pred selects.
func want(pred func(i int, m searchMsg) bool) []uint32 {
	var out []uint32
	for i, m := range searchFixture {
		if pred(i, m) {
			out = append(out, uint32(i)+2)
		}
	}
	return out
}

func hasFlag(m searchMsg, f string) bool { return slices.Contains(m.flags, f) }

func idx(ns ...int) func(i int, m searchMsg) bool {
	return func(i int, _ searchMsg) bool { return slices.Contains(ns, i+1) }
}

func TestServerSearch(t *testing.T) {
	c, s := serverLoggedIn(t)
	searchFolder(t, c)
	ctx := ctxT(t)
	var q imapclient.Criteria
	day := func(n int) time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	tests := []struct {
		name string
		crit any
		want []uint32
	}{
		{"all", q.All(), want(func(int, searchMsg) bool { return true })},
		{"unseen", q.Unseen(), want(func(_ int, m searchMsg) bool { return !hasFlag(m, `\Seen`) })},
		{"raw unseen", "UNSEEN", want(func(_ int, m searchMsg) bool { return !hasFlag(m, `\Seen`) })},
		{"seen answered", q.Seen().Answered(), want(idx(2))},
		{"flagged", q.Flag(imapclient.Flagged), want(idx(4))},
		{"draft", q.Draft(), want(idx(7))},
		{"deleted", q.Deleted(), want(idx(8))},
		{"keyword", q.Keyword("$Work"), want(idx(5))},
		{"not keyword", q.NoFlag("$Work").Undeleted().Undraft(), want(idx(1, 2, 3, 4, 6, 9, 10))},
		{"from", q.From("alice"), want(idx(1, 5, 9))},
		{"since", q.Since(day(91)), want(idx(8, 9, 10))},
		{"before", q.Before(day(31)), want(idx(1, 2))},
		{"on", q.On(day(45)), want(idx(4))},
		{"sent range", q.SentSince(day(60)).SentBefore(day(70)), want(idx(5, 6, 7))},
		{"larger", q.Larger(10000), want(idx(5))},
		{"smaller", q.Smaller(10000).From("bob"), want(idx(2, 6))},
		{"header", q.Header("In-Reply-To", "m1@search.test"), want(idx(2))},
		{"text", q.Text("numbers"), want(idx(1))},
		{"uid set", q.UID(imapclient.IDs{2, 3, 4}).Unseen(), want(idx(3))},
		{"uid set 2", q.UID(imapclient.SetString("5:*")).Seen(), want(idx(9))},
		{"seq set", q.Seq(imapclient.SetString("1:2")), want(idx(1, 2))},
		{"nested or/not", q.Or(q.From("alice").Seen(), q.Not(q.Or(q.From("bob"), q.Or(q.From("carol"), q.From("alice"))))),
			want(idx(1, 4, 7, 9, 10))},
		{"not group", q.Not(q.From("alice").Seen()).Not(q.Deleted()), want(idx(2, 3, 4, 5, 6, 7, 10))},
		{"non-ascii subject", q.Subject("café"), want(idx(3, 9))},
		{"non-ascii subject 2", q.Subject("München"), want(idx(4))},
		{"non-ascii body", q.Body("naïve"), want(idx(10))},
		{"non-ascii from", q.From("Zoë"), want(idx(10))},
		{"non-ascii in nested groups (slice)", []any{"OR", []any{"SUBJECT", "café"}, []any{"NOT", []any{"FROM", "zoë"}}},
			want(func(i int, _ searchMsg) bool { return i+1 != 10 })},
		{"non-ascii or (builder)", q.Or(q.Subject("Grüße").Seen(), q.Subject("Ünïcödé")), want(idx(10))},
		{"slice dates and ints", []any{"SINCE", day(60), "LARGER", 1000}, want(idx(5))},
		{"slice with raw-looking value", []any{"SUBJECT", "report) (ALL"}, nil},
		{"mixed raw and values", q.Raw("NOT SEEN").Subject("ü"), want(idx(4, 10))},
		// Quirk: Cyrus compares without diacritics, "ü" matches "u" too
		// (TestCyrusQuirkSearchIgnoresDiacritics).
		{"mixed raw and values (ASCII)", q.Raw("NOT SEEN").Subject("ünïcödé"), want(idx(10))},
		{"injection attempt", q.Subject("x\r\nA999 DELETE INBOX"), nil},
	}
	for _, uid := range []bool{true, false} {
		c.SetUseUID(uid)
		for _, tt := range tests {
			if s.Target == testrig.TargetCyrus && tt.name == "mixed raw and values" {
				tt.want = want(idx(3, 4, 6, 8, 10)) // every unseen subject with a "u"
			}
			res, err := c.Search(ctx, tt.crit, nil)
			if err != nil {
				t.Errorf("uid=%v %s: %v", uid, tt.name, err)
				continue
			}
			exp := tt.want
			if !uid {
				exp = nil
				for _, u := range tt.want {
					exp = append(exp, u-1)
				}
			}
			if !slices.Equal(res.IDs, exp) {
				t.Errorf("uid=%v %s: got %v, want %v", uid, tt.name, res.IDs, exp)
			}
		}
	}
	c.SetUseUID(true)

	// A charset other than UTF-8, converted by the client.
	res, err := c.Search(ctx, q.Subject("café"), &imapclient.SearchOptions{Charset: "ISO-8859-1"})
	if err != nil || !slices.Equal(res.IDs, want(idx(3, 9))) {
		t.Errorf("ISO-8859-1: %v %v", res, err)
	}
	// The server's BAD and BADCHARSET are InvalidCriteriaErrors.
	var ice *imapclient.InvalidCriteriaError
	var se *imapclient.ServerError
	if _, err := c.Search(ctx, "FOO BAR", nil); !errors.As(err, &ice) || !errors.As(err, &se) || ice.Msg == "" {
		t.Errorf("bad criteria: %v", err)
	} else {
		t.Logf("%s: %q", s.Name, ice.Msg)
	}
	if _, err := c.Search(ctx, q.Subject("x"), &imapclient.SearchOptions{Charset: "X-NO-SUCH-CHARSET"}); !errors.As(err, &ice) {
		t.Errorf("unknown charset: %v", err)
	}
	if _, err := c.Search(ctx, nil, nil); !errors.As(err, &ice) {
		t.Errorf("no criteria: %v", err)
	}
	var ce *imapclient.CapabilityError
	if _, err := c.GmailSearch(ctx, "in:inbox", nil); !errors.As(err, &ce) {
		t.Errorf("GmailSearch on %s: %v", s.Name, err)
	}
	// The injection attempt did nothing: INBOX is still there.
	if ok, err := c.FolderExists(ctx, "INBOX"); err != nil || !ok {
		t.Errorf("INBOX: %v %v", ok, err)
	}
}

func TestServerSearchModSeq(t *testing.T) {
	c, s := serverLoggedIn(t)
	testrig.RequireFeature(t, s, "condstore")
	ctx := ctxT(t)
	if _, err := c.Enable(ctx, "CONDSTORE"); err != nil {
		t.Fatal(err)
	}
	searchFolder(t, c)
	var q imapclient.Criteria
	all, err := c.Search(ctx, q.ModSeq(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.IDs) != len(searchFixture) || all.ModSeq == 0 {
		t.Fatalf("MODSEQ 1: %+v", all)
	}
	raw(t, c, "UID STORE", func(e *imapwire.Encoder) { e.SP().Raw("5 +FLAGS.SILENT (\\Seen)") })
	changed, err := c.Search(ctx, q.ModSeq(all.ModSeq+1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed.IDs, []uint32{5}) || changed.ModSeq <= all.ModSeq {
		t.Fatalf("after STORE: %+v (before %d)", changed, all.ModSeq)
	}
	// Without MODSEQ in the criteria there is none in the result.
	res, err := c.Search(ctx, q.Seen(), nil)
	if err != nil || res.ModSeq != 0 {
		t.Fatalf("plain search: %+v %v", res, err)
	}
	// And with sequence numbers.
	c.SetUseUID(false)
	changed, err = c.Search(ctx, []any{"MODSEQ", all.ModSeq + 1}, nil)
	if err != nil || !slices.Equal(changed.IDs, []uint32{4}) {
		t.Fatalf("seq: %+v %v", changed, err)
	}
}

func TestServerSort(t *testing.T) {
	c, s := serverLoggedIn(t)
	testrig.RequireFeature(t, s, "sort")
	searchFolder(t, c)
	ctx := ctxT(t)
	res, err := c.Sort(ctx, []string{"REVERSE DATE"}, "ALL", nil)
	if err != nil {
		t.Fatal(err)
	}
	exp := want(func(int, searchMsg) bool { return true })
	slices.Reverse(exp)
	if !slices.Equal(res.IDs, exp) {
		t.Errorf("REVERSE DATE: %v, want %v", res.IDs, exp)
	}
	res, err = c.Sort(ctx, []string{"SIZE"}, "ALL", nil)
	if err != nil || res.IDs[len(res.IDs)-1] != 6 {
		t.Errorf("SIZE: %v %v", res, err)
	}
	var q imapclient.Criteria
	res, err = c.Sort(ctx, []string{"REVERSE", "ARRIVAL"}, q.Subject("café"), nil)
	if err != nil || !slices.Equal(res.IDs, []uint32{10, 4}) {
		t.Errorf("non-ASCII criteria: %v %v", res, err)
	}
	c.SetUseUID(false)
	res, err = c.Sort(ctx, []string{"DATE"}, []any{"FROM", "bob"}, nil)
	if err != nil || !slices.Equal(res.IDs, []uint32{2, 6}) {
		t.Errorf("seq: %v %v", res, err)
	}
	var ice *imapclient.InvalidCriteriaError
	if _, err := c.Sort(ctx, []string{"NOSUCHKEY"}, "ALL", nil); !errors.As(err, &ice) {
		t.Errorf("bad sort key: %v", err)
	}
}

func TestServerThread(t *testing.T) {
	c, s := serverLoggedIn(t)
	testrig.RequireFeature(t, s, "thread")
	searchFolder(t, c)
	ctx := ctxT(t)
	forest := func(ts []*imapclient.Thread) string {
		var b strings.Builder
		for _, th := range ts {
			b.WriteString(th.String())
		}
		return b.String()
	}
	ts, err := c.Thread(ctx, "", "ALL", nil)
	if err != nil {
		t.Fatal(err)
	}
	// UIDs: 1 → 2 → 6 and 3 → 9 reply chains (+1 for the UID offset).
	if got := forest(ts); got != "(2 3 7)(4 10)(5)(6)(8)(9)(11)" {
		t.Errorf("REFERENCES: %s", got)
	}
	c.SetUseUID(false)
	var q imapclient.Criteria
	ts, err = c.Thread(ctx, "REFERENCES", q.Undeleted().Not(q.Subject("Grüße")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := forest(ts); got != "(1 2 6)(3 9)(5)(7)(10)" {
		t.Errorf("REFERENCES with criteria, seq: %s", got)
	}
	ts, err = c.Thread(ctx, "orderedsubject", q.Subject("quarterly"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := forest(ts); got != "(1 (2)(6))" {
		t.Errorf("ORDEREDSUBJECT: %s", got)
	}
	var ce *imapclient.CapabilityError
	if _, err := c.Thread(ctx, "X-NOPE", "ALL", nil); !errors.As(err, &ce) {
		t.Errorf("unknown algorithm: %v", err)
	}
}
