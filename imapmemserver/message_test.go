package imapmemserver_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestSelectAndAppend(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	st := c.appendMsg("INBOX", `(\Seen $Work) "05-Mar-2024 10:00:00 +0100" `, message("first", "hello"))
	if !regexp.MustCompile(`^OK \[APPENDUID \d+ 1\] `).MatchString(st) {
		t.Fatalf("APPEND: %s", st)
	}
	// LITERAL+: no continuation request.
	msg := message("second", "world")
	c.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	c.expect(fmt.Sprintf("APPEND Nowhere {%d+}\r\n%s", len(msg), msg), "NO [TRYCREATE]")

	u := c.ok("SELECT INBOX")
	for _, want := range []string{
		`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Work)`,
		"* 2 EXISTS",
		"* 2 RECENT",
		"* OK [UNSEEN 2]",
		`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Work \*)]`,
		"* OK [UIDVALIDITY ",
		"* OK [UIDNEXT 3]",
		"* OK [HIGHESTMODSEQ ",
	} {
		mustHave(t, u, want)
	}
	_, st = c.do("EXAMINE INBOX")
	if !strings.HasPrefix(st, "OK [READ-ONLY]") {
		t.Fatalf("EXAMINE: %s", st)
	}
	_, st = c.do("SELECT INBOX")
	if !strings.HasPrefix(st, "OK [READ-WRITE]") {
		t.Fatalf("SELECT: %s", st)
	}
	c.expect("SELECT Nowhere", "NO [NONEXISTENT]")
	c.expect("FETCH 1 FLAGS", "BAD") // the failed SELECT left no mailbox selected
}

func TestFetch(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	body := "Line one\r\nLine two\r\n"
	c.appendMsg("INBOX", `(\Flagged) "05-Mar-2024 10:00:00 +0100" `, message("fetch me", body))
	c.ok("SELECT INBOX")

	u := c.ok("FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE)")
	mustHave(t, u, `* 1 FETCH (UID 1 FLAGS (\Flagged \Recent) INTERNALDATE "05-Mar-2024 10:00:00 +0100" RFC822.SIZE `)
	u = c.ok("FETCH 1 ENVELOPE")
	mustHave(t, u, `ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "fetch me" (("Bob" NIL "bob" "example.com"))`)
	u = c.ok("FETCH 1 BODYSTRUCTURE")
	mustHave(t, u, `BODYSTRUCTURE ("text" "plain"`)
	u = c.ok("FETCH 1 BODY")
	mustHave(t, u, `BODY ("text" "plain"`)
	u = c.ok("FETCH 1 ALL")
	mustHave(t, u, "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE")
	u = c.ok("FETCH 1 FULL")
	mustHave(t, u, "ENVELOPE", "BODY (")

	u = c.ok("FETCH 1 BODY.PEEK[HEADER.FIELDS (subject)]")
	mustHave(t, u, "BODY[HEADER.FIELDS (SUBJECT)] {21}\r\nSubject: fetch me\r\n\r\n")
	u = c.ok("FETCH 1 BODY.PEEK[TEXT]<5.3>")
	mustHave(t, u, "BODY[TEXT]<5> {3}\r\none)")
	u = c.ok("FETCH 1 BODY.PEEK[TEXT]<500.3>")
	mustHave(t, u, `BODY[TEXT]<500> {0}`)
	u = c.ok("FETCH 1 BODY.PEEK[9]")
	mustHave(t, u, "BODY[9] {0}")
	u = c.ok("FETCH 1 RFC822.HEADER")
	mustHave(t, u, "RFC822.HEADER {", "Subject: fetch me")
	u = c.ok("UID FETCH 1 FLAGS")
	mustHave(t, u, `* 1 FETCH (UID 1 FLAGS (\Flagged \Recent))`) // PEEK left \Seen alone

	// BODY[] sets \Seen and reports it.
	u = c.ok("FETCH 1 BODY[]")
	mustHave(t, u, "BODY[] {", "Line two", `FLAGS (\Flagged \Seen \Recent)`)
	u = c.ok("FETCH 1 RFC822.TEXT")
	mustHave(t, u, "RFC822.TEXT {22}\r\n"+body+"\r\n)")
	if has(u, "FLAGS") {
		t.Fatalf("FLAGS sent though \\Seen did not change: %q", u)
	}
	u = c.ok("FETCH 1 RFC822")
	mustHave(t, u, "RFC822 {", "Subject: fetch me")
	c.expect("FETCH 1 (BODY.PEEK[BOGUS])", "BAD")
	c.expect("FETCH 1 (BINARY[1])", "BAD")

	// CONDSTORE: MODSEQ and CHANGEDSINCE.
	u = c.ok("FETCH 1 (MODSEQ)")
	ms := regexp.MustCompile(`MODSEQ \((\d+)\)`).FindStringSubmatch(strings.Join(u, "\n"))
	if ms == nil {
		t.Fatalf("MODSEQ: %q", u)
	}
	u = c.ok("FETCH 1:* FLAGS (CHANGEDSINCE " + ms[1] + ")")
	if len(u) != 0 {
		t.Fatalf("CHANGEDSINCE: %q", u)
	}
	// "*" in a UID set beyond the last UID still names the last message.
	u = c.ok("UID FETCH 100:* UID")
	mustHave(t, u, "* 1 FETCH (UID 1)")
	u = c.ok("UID FETCH 100 UID")
	if len(u) != 0 {
		t.Fatalf("UID FETCH of a missing UID: %q", u)
	}
}

func TestStore(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	for i := range 3 {
		c.appendMsg("INBOX", "", message(fmt.Sprint("m", i), "x"))
	}
	c.ok("SELECT INBOX")
	u := c.ok(`STORE 1:2 +FLAGS (\Seen \Flagged)`)
	mustHave(t, u, `* 1 FETCH (FLAGS (\Seen \Flagged \Recent))`)
	mustHave(t, u, `* 2 FETCH (FLAGS (\Seen \Flagged \Recent))`)
	u = c.ok(`UID STORE 2 -FLAGS.SILENT (\Flagged)`)
	if len(u) != 0 {
		t.Fatalf(".SILENT: %q", u)
	}
	u = c.ok(`STORE * FLAGS ($Label1 \Answered)`)
	mustHave(t, u, `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Label1)`)
	mustHave(t, u, `* 3 FETCH (FLAGS (\Answered $Label1 \Recent))`)
	u = c.ok(`UID FETCH 1:* FLAGS`)
	mustHave(t, u, `* 2 FETCH (UID 2 FLAGS (\Seen \Recent))`)

	// CONDSTORE: MODSEQ in the answers once enabled, and UNCHANGEDSINCE.
	u = c.ok("ENABLE CONDSTORE")
	mustHave(t, u, "* ENABLED CONDSTORE")
	u = c.ok(`UID STORE 1 +FLAGS (\Draft)`)
	m := regexp.MustCompile(`\* 1 FETCH \(UID 1 FLAGS \([^)]*\) MODSEQ \((\d+)\)\)`).FindStringSubmatch(strings.Join(u, "\n"))
	if m == nil {
		t.Fatalf("STORE with CONDSTORE: %q", u)
	}
	_, st := c.do(`UID STORE 1:2 (UNCHANGEDSINCE 1) +FLAGS (\Deleted)`)
	if st != "OK [MODIFIED 1:2] Conditional STORE failed" {
		t.Fatalf("UNCHANGEDSINCE: %s", st)
	}
	u = c.ok(`STORE 1 (UNCHANGEDSINCE ` + m[1] + `) -FLAGS (\Draft)`)
	mustHave(t, u, "* 1 FETCH (FLAGS", "MODSEQ")
	// .SILENT leaves out FLAGS, not MODSEQ (RFC 7162 section 3.2).
	u = c.ok(`UID STORE 1 +FLAGS.SILENT (\Answered)`)
	if len(u) != 1 || !regexp.MustCompile(`^\* 1 FETCH \(UID 1 MODSEQ \(\d+\)\)$`).MatchString(u[0]) {
		t.Fatalf("STORE .SILENT with CONDSTORE: %q", u)
	}

	c.ok("EXAMINE INBOX")
	c.expect(`STORE 1 +FLAGS (\Seen)`, "NO")
}

func TestSearch(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	c.appendMsg("INBOX", `(\Seen)`, message("apples", "red fruit"))
	c.appendMsg("INBOX", "", message("pears", "green fruit"))
	c.appendMsg("INBOX", `(\Seen \Flagged)`, message("plums", "purple"))
	c.ok("SELECT INBOX")
	u := c.ok("SEARCH UNSEEN")
	mustHave(t, u, "* SEARCH 2")
	u = c.ok("UID SEARCH SEEN NOT FLAGGED")
	mustHave(t, u, "* SEARCH 1")
	u = c.ok(`SEARCH CHARSET UTF-8 SUBJECT "PL"`)
	mustHave(t, u, "* SEARCH 1 3")
	u = c.ok("SEARCH OR BODY red BODY purple")
	mustHave(t, u, "* SEARCH 1 3")
	u = c.ok("SEARCH 2:*")
	mustHave(t, u, "* SEARCH 2 3")
	u = c.ok("SEARCH SUBJECT nothing")
	mustHave(t, u, "* SEARCH")
	c.expect("SEARCH CHARSET X-NO-SUCH-CHARSET ALL", "NO [BADCHARSET")
	u = c.ok(`SEARCH CHARSET ISO-8859-1 SUBJECT "PL"`)
	mustHave(t, u, "* SEARCH 1 3")
	c.expect("SEARCH FROBNICATE", "BAD")

	// ESEARCH (RFC 4731).
	u = c.ok("UID SEARCH RETURN (MIN MAX COUNT ALL) BODY fruit")
	mustHave(t, u, `* ESEARCH (TAG "`, `") UID MIN 1 MAX 2 COUNT 2 ALL 1:2`)
	u = c.ok("SEARCH RETURN () ALL")
	mustHave(t, u, "ALL 1:3")
	u = c.ok("SEARCH RETURN (COUNT) SUBJECT none")
	mustHave(t, u, "COUNT 0")
	// MODSEQ in the criteria adds the highest MODSEQ to the answer.
	u = c.ok("SEARCH MODSEQ 1")
	if !regexp.MustCompile(`^\* SEARCH 1 2 3 \(MODSEQ \d+\)$`).MatchString(strings.Join(u, "")) {
		t.Fatalf("SEARCH MODSEQ: %q", u)
	}
}

func TestCopyMoveExpunge(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	for i := range 4 {
		c.appendMsg("INBOX", "", message(fmt.Sprint("m", i), "x"))
	}
	c.ok("SELECT INBOX")
	_, st := c.do("COPY 1:2 Archive")
	if !regexp.MustCompile(`^OK \[COPYUID \d+ 1:2 1:2\] `).MatchString(st) {
		t.Fatalf("COPY: %s", st)
	}
	c.expect("COPY 1 Nowhere", "NO [TRYCREATE]")
	c.expect("UID COPY 1 Nowhere", "NO [TRYCREATE]")
	u := c.ok("STATUS Archive (MESSAGES UIDNEXT UNSEEN RECENT)")
	mustHave(t, u, "* STATUS Archive (MESSAGES 2 RECENT 2 UIDNEXT 3 UNSEEN 2)")

	// MOVE: COPYUID in an untagged OK, then the EXPUNGE responses.
	u, st = c.do("UID MOVE 2:3 Trash")
	if !strings.HasPrefix(st, "OK") || len(u) != 3 || !regexp.MustCompile(`^\* OK \[COPYUID \d+ 2:3 1:2\]`).MatchString(u[0]) ||
		u[1] != "* 2 EXPUNGE" || u[2] != "* 2 EXPUNGE" {
		t.Fatalf("MOVE: %q %s", u, st)
	}
	u = c.ok("UID FETCH 1:* UID")
	if len(u) != 2 || u[0] != "* 1 FETCH (UID 1)" || u[1] != "* 2 FETCH (UID 4)" {
		t.Fatalf("after MOVE: %q", u)
	}
	c.expect("MOVE 1 Nowhere", "NO [TRYCREATE]")

	// EXPUNGE and UID EXPUNGE.
	c.appendMsg("INBOX", `(\Deleted)`, message("m5", "x"))
	c.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	u = c.ok("UID EXPUNGE 4:5")
	if len(u) != 2 || u[0] != "* 3 EXISTS" || u[1] != "* 3 EXPUNGE" {
		// The EXISTS of the APPEND comes first (it was pending).
		if !(has(u, "* 3 EXPUNGE")) {
			t.Fatalf("UID EXPUNGE: %q", u)
		}
	}
	u = c.ok("EXPUNGE")
	mustHave(t, u, "* 1 EXPUNGE")
	u = c.ok("UID SEARCH ALL")
	mustHave(t, u, "* SEARCH 4")

	// CLOSE expunges silently; UNSELECT does not.
	c.ok(`STORE 1 +FLAGS (\Deleted)`)
	c.ok("UNSELECT")
	u = c.ok("STATUS INBOX (MESSAGES DELETED)")
	mustHave(t, u, "(MESSAGES 1 DELETED 1)")
	c.ok("SELECT INBOX")
	u = c.ok("CLOSE")
	if len(u) != 0 {
		t.Fatalf("CLOSE: %q", u)
	}
	u = c.ok("STATUS INBOX (MESSAGES)")
	mustHave(t, u, "(MESSAGES 0)")
	c.expect("EXPUNGE", "BAD")
}
