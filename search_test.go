package imapclient_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// scripted returns a client talking to a scripted server that greets
// with PREAUTH and caps, and with INBOX selected by a raw SELECT (A1); the
// test's own exchanges start at A2.
func scripted(t *testing.T, caps string, script ...fakeserver.Step) *imapclient.Client {
	t.Helper()
	steps := append([]fakeserver.Step{
		fakeserver.S("* PREAUTH [CAPABILITY IMAP4rev1 " + caps + "] ready"),
		fakeserver.C("A1 SELECT INBOX"),
		fakeserver.S("* 9 EXISTS"),
		fakeserver.S("A1 OK [READ-WRITE] selected"),
	}, script...)
	nc := fakeserver.Start(t, steps...)
	c, err := imapclient.New(ctxT(t), nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	err = c.Do(ctxT(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctxT(t), "SELECT", func(e *imapwire.Encoder) { e.SP().Atom("INBOX") }, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchMergesResponses(t *testing.T) {
	c := scripted(t, "CONDSTORE",
		fakeserver.C("A2 UID SEARCH MODSEQ 5 UNSEEN"),
		fakeserver.S("* SEARCH 1 2 (MODSEQ 7)"),
		fakeserver.S("* 10 EXISTS"),
		fakeserver.S("* SEARCH 3 (MODSEQ 9)"),
		fakeserver.S("* SEARCH"),
		fakeserver.S("A2 OK done"),
		fakeserver.C("A3 SEARCH UNSEEN"),
		fakeserver.S("* SEARCH"),
		fakeserver.S("A3 OK done"),
	)
	var q imapclient.Criteria
	res, err := c.Search(ctxT(t), q.ModSeq(5).Unseen(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.IDs) != "[1 2 3]" || res.ModSeq != 9 {
		t.Fatalf("result %+v", res)
	}
	c.SetUseUID(false)
	res, err = c.Search(ctxT(t), "UNSEEN", nil)
	if err != nil || len(res.IDs) != 0 || res.ModSeq != 0 {
		t.Fatalf("empty result %+v %v", res, err)
	}
}

func TestSearchServerBAD(t *testing.T) {
	c := scripted(t, "",
		fakeserver.C("A2 UID SEARCH FOO"),
		fakeserver.S("A2 BAD Error in IMAP command UID SEARCH: Unknown argument FOO"),
		fakeserver.C("A3 UID SEARCH CHARSET UTF-8 SUBJECT {2}"),
		fakeserver.S("A3 NO [BADCHARSET (US-ASCII)] charset not supported"),
		fakeserver.C("A4 UID SEARCH DELETED"),
		fakeserver.S("A4 NO mailbox gone"),
	)
	_, err := c.Search(ctxT(t), "FOO", nil)
	var ice *imapclient.InvalidCriteriaError
	var se *imapclient.ServerError
	if !errors.As(err, &ice) || ice.Msg != "Error in IMAP command UID SEARCH: Unknown argument FOO" ||
		!errors.As(err, &se) || !errors.Is(err, imap.ErrBad) {
		t.Fatalf("BAD gave %#v", err)
	}
	// A refused literal: the server answers instead of "+".
	var q imapclient.Criteria
	if _, err := c.Search(ctxT(t), q.Subject("ü"), nil); !errors.As(err, &ice) || !errors.As(err, &se) || se.Response.Code != "BADCHARSET" {
		t.Fatalf("BADCHARSET gave %v", err)
	}
	_, err = c.Search(ctxT(t), q.Deleted(), nil)
	if errors.As(err, &ice) || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("NO gave %v", err)
	}
}

// TestSearchSyncLiterals follows 8-bit values at the edges of nested
// groups over synchronising literals: each literal waits for "+", and the
// parentheses are outside the literal data.
func TestSearchSyncLiterals(t *testing.T) {
	c := scripted(t, "",
		fakeserver.C("A2 UID SEARCH CHARSET UTF-8 OR (SUBJECT {5}"),
		fakeserver.S("+ go ahead"),
		fakeserver.CBytes("café"),
		fakeserver.C(") (NOT (FROM {4}"),
		fakeserver.S("+ go ahead"),
		fakeserver.CBytes("zoë"),
		fakeserver.C("))"),
		fakeserver.S("* SEARCH 4"),
		fakeserver.S("A2 OK done"),
	)
	res, err := c.Search(ctxT(t), []any{"OR", []any{"SUBJECT", "café"}, []any{"NOT", []any{"FROM", "zoë"}}}, nil)
	if err != nil || fmt.Sprint(res.IDs) != "[4]" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestSearchInjectionOnTheWire(t *testing.T) {
	c := scripted(t, "LITERAL+",
		fakeserver.C("A2 UID SEARCH SUBJECT {18+}"),
		fakeserver.CBytes("x\r\nA3 DELETE INBOX"),
		fakeserver.C(""),
		fakeserver.S("* SEARCH"),
		fakeserver.S("A2 OK done"),
	)
	var q imapclient.Criteria
	if _, err := c.Search(ctxT(t), q.Subject("x\r\nA3 DELETE INBOX"), nil); err != nil {
		t.Fatal(err)
	}
	// Refused before anything is sent: the script expects nothing more.
	for _, crit := range []any{"UNSEEN\r\nA3 LOGOUT", q.Subject("a\x00"), nil, "", []any{}} {
		var ice *imapclient.InvalidCriteriaError
		if _, err := c.Search(ctxT(t), crit, nil); !errors.As(err, &ice) {
			t.Errorf("%q: %v", crit, err)
		}
	}
}

func TestSearchStateAndCaps(t *testing.T) {
	nc := fakeserver.Start(t, fakeserver.S("* PREAUTH [CAPABILITY IMAP4rev1] ready"))
	c, err := imapclient.New(ctxT(t), nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ise *imapclient.IllegalStateError
	if _, err := c.Search(ctxT(t), "ALL", nil); !errors.As(err, &ise) {
		t.Fatalf("Search without a selected folder: %v", err)
	}
	c = scripted(t, "")
	var q imapclient.Criteria
	var ce *imapclient.CapabilityError
	if _, err := c.Search(ctxT(t), q.ModSeq(1), nil); !errors.As(err, &ce) || ce.Capability != "CONDSTORE" {
		t.Fatalf("MODSEQ without CONDSTORE: %v", err)
	}
	if _, err := c.GmailSearch(ctxT(t), "in:inbox", nil); !errors.As(err, &ce) || ce.Capability != "X-GM-EXT-1" {
		t.Fatalf("GmailSearch without X-GM-EXT-1: %v", err)
	}
	if _, err := c.Sort(ctxT(t), []string{"DATE"}, "ALL", nil); !errors.As(err, &ce) || ce.Capability != "SORT" {
		t.Fatalf("Sort without SORT: %v", err)
	}
	if _, err := c.Thread(ctxT(t), "", "ALL", nil); !errors.As(err, &ce) || ce.Capability != "THREAD=REFERENCES" {
		t.Fatalf("Thread without THREAD=REFERENCES: %v", err)
	}
}

// TestGmailSearchTranscript replays Gmail's answers to X-GM-RAW.
func TestGmailSearchTranscript(t *testing.T) {
	c := scripted(t, "X-GM-EXT-1 LITERAL+ UIDPLUS",
		fakeserver.C(`A2 UID SEARCH X-GM-RAW "has:attachment in:unread"`),
		fakeserver.S("* SEARCH 41 43 44"),
		fakeserver.S("A2 OK SEARCH completed (Success)"),
		fakeserver.C("A3 UID SEARCH CHARSET UTF-8 X-GM-RAW {13+}"),
		fakeserver.CBytes("subject:café"),
		fakeserver.C(""),
		fakeserver.S("* SEARCH 7"),
		fakeserver.S("A3 OK SEARCH completed (Success)"),
		fakeserver.C(`A4 UID SEARCH X-GM-RAW "in:inbox) OR (ALL"`),
		fakeserver.S("* SEARCH"),
		fakeserver.S("A4 OK SEARCH completed (Success)"),
		fakeserver.C(`A5 UID SEARCH X-GM-RAW has:`),
		fakeserver.S("A5 BAD Could not parse command"),
	)
	res, err := c.GmailSearch(ctxT(t), "has:attachment in:unread", nil)
	if err != nil || fmt.Sprint(res.IDs) != "[41 43 44]" {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = c.GmailSearch(ctxT(t), "subject:café", nil)
	if err != nil || fmt.Sprint(res.IDs) != "[7]" {
		t.Fatalf("%+v %v", res, err)
	}
	// The query is one value, whatever it holds.
	if _, err := c.GmailSearch(ctxT(t), "in:inbox) OR (ALL", nil); err != nil {
		t.Fatal(err)
	}
	var ice *imapclient.InvalidCriteriaError
	if _, err := c.GmailSearch(ctxT(t), "has:", nil); !errors.As(err, &ice) || ice.Msg != "Could not parse command" {
		t.Fatalf("BAD gave %v", err)
	}
	if _, err := c.GmailSearch(ctxT(t), "", nil); !errors.As(err, &ice) {
		t.Fatalf("empty query gave %v", err)
	}
}

func TestSortTranscript(t *testing.T) {
	c := scripted(t, "SORT LITERAL+",
		fakeserver.C("A2 UID SORT (REVERSE DATE SUBJECT) UTF-8 UNSEEN"),
		fakeserver.S("* SORT 5 3 4"),
		fakeserver.S("A2 OK Sort completed"),
		fakeserver.C("A3 SORT (ARRIVAL) ISO-8859-1 SUBJECT {4+}"),
		fakeserver.CBytes("caf\xe9"),
		fakeserver.C(""),
		fakeserver.S("* SORT 2 1"),
		fakeserver.S("A3 OK Sort completed"),
	)
	res, err := c.Sort(ctxT(t), []string{"reverse date", "SUBJECT"}, "UNSEEN", nil)
	if err != nil || fmt.Sprint(res.IDs) != "[5 3 4]" {
		t.Fatalf("%+v %v", res, err)
	}
	c.SetUseUID(false)
	var q imapclient.Criteria
	res, err = c.Sort(ctxT(t), []string{"ARRIVAL"}, q.Subject("café"), &imapclient.SearchOptions{Charset: "ISO-8859-1"})
	if err != nil || fmt.Sprint(res.IDs) != "[2 1]" {
		t.Fatalf("%+v %v", res, err)
	}
	var ce *imapclient.CapabilityError
	if _, err := c.Sort(ctxT(t), []string{"DISPLAYFROM"}, "ALL", nil); !errors.As(err, &ce) || ce.Capability != "SORT=DISPLAY" {
		t.Fatalf("DISPLAYFROM without SORT=DISPLAY: %v", err)
	}
}

func TestThreadTranscript(t *testing.T) {
	c := scripted(t, "THREAD=REFERENCES THREAD=ORDEREDSUBJECT",
		fakeserver.C("A2 UID THREAD REFERENCES UTF-8 ALL"),
		fakeserver.S("* THREAD (2)(3 6 (4 23)(44 7 96))"),
		fakeserver.S("A2 OK Thread completed"),
		fakeserver.C("A3 THREAD ORDEREDSUBJECT UTF-8 UNDELETED"),
		fakeserver.S("* THREAD"),
		fakeserver.S("A3 OK Thread completed"),
		fakeserver.C("A4 THREAD REFERENCES UTF-8 ALL"),
		fakeserver.S("* THREAD (1 (2)"),
		fakeserver.S("A4 OK Thread completed"),
		fakeserver.C("A5 NOOP"),
		fakeserver.S("A5 OK done"),
	)
	ts, err := c.Thread(ctxT(t), "", "ALL", nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, th := range ts {
		b.WriteString(th.String())
	}
	if b.String() != "(2)(3 6 (4 23)(44 7 96))" || ts[1].Children[0].Children[1].ID != 44 {
		t.Fatalf("threads %s", b.String())
	}
	c.SetUseUID(false)
	var q imapclient.Criteria
	ts, err = c.Thread(ctxT(t), "orderedsubject", q.Undeleted(), nil)
	if err != nil || len(ts) != 0 {
		t.Fatalf("%v %v", ts, err)
	}
	// A malformed THREAD response is an error, and the connection stays
	// usable.
	var pe *imapclient.ProtocolError
	if _, err := c.Thread(ctxT(t), "REFERENCES", "ALL", nil); !errors.As(err, &pe) {
		t.Fatalf("malformed THREAD gave %v", err)
	}
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var ce *imapclient.CapabilityError
	if _, err := c.Thread(ctxT(t), "X-NEW", "ALL", nil); !errors.As(err, &ce) || ce.Capability != "THREAD=X-NEW" {
		t.Fatalf("unknown algorithm: %v", err)
	}
}

// searchLine is "* SEARCH 1 2 ... n\r\n".
func searchLine(n int) []byte {
	b := make([]byte, 0, 8*n+16)
	b = append(b, "* SEARCH"...)
	for i := 1; i <= n; i++ {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return append(b, "\r\n"...)
}

// TestSearchMillionIDs checks that a SEARCH of 1,000,000 ids (a 6.9 MB
// line) decodes within the default limits, and comes through the client.
func TestSearchMillionIDs(t *testing.T) {
	const n = 1000000
	line := searchLine(n)
	d := imapwire.NewDecoder(bytes.NewReader(line), nil)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	sd := r.Data.(*imapwire.SearchData)
	if len(sd.Nums) != n || sd.Nums[n-1] != n {
		t.Fatalf("%d ids", len(sd.Nums))
	}
	c := scripted(t, "",
		fakeserver.C("A2 UID SEARCH ALL"),
		fakeserver.SRaw(line),
		fakeserver.SRaw(searchLine(3)),
		fakeserver.S("A2 OK done"),
	)
	start := time.Now()
	res, err := c.Search(ctxT(t), "ALL", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.IDs) != n+3 || res.IDs[n-1] != n || res.IDs[n] != 1 {
		t.Fatalf("%d ids", len(res.IDs))
	}
	t.Logf("1,000,003 ids through the client in %v", time.Since(start))
}

func BenchmarkSearchParse(b *testing.B) {
	const n = 1000000
	line := searchLine(n)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		d := imapwire.NewDecoder(bytes.NewReader(line), nil)
		r, err := d.ReadResponse()
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Data.(*imapwire.SearchData).Nums) != n {
			b.Fatal("short")
		}
	}
}
