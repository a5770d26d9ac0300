package imapmemserver_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

func TestListAndHierarchy(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	u := c.ok(`LIST "" "*"`)
	want := []string{
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* LIST (\HasNoChildren \Archive) "/" Archive`,
		`* LIST (\HasNoChildren \Drafts) "/" Drafts`,
		`* LIST (\HasNoChildren \Junk) "/" Junk`,
		`* LIST (\HasNoChildren \Sent) "/" Sent`,
		`* LIST (\HasNoChildren \Trash) "/" Trash`,
	}
	if strings.Join(u, "\n") != strings.Join(want, "\n") {
		t.Fatalf("LIST:\n%s", strings.Join(u, "\n"))
	}
	u = c.ok(`LIST "" ""`)
	mustHave(t, u, `* LIST (\Noselect) "/" ""`)

	c.ok("CREATE Projects/2024/Q1")
	c.expect("CREATE Projects", "NO [ALREADYEXISTS]")
	c.expect("CREATE inbox", "NO [ALREADYEXISTS]")
	c.ok(`CREATE "Caf&AOk-/R&AOk-sum&AOk-"`) // Café/Résumé
	u = c.ok(`LIST "" "Projects/%"`)
	if len(u) != 1 || u[0] != `* LIST (\HasChildren) "/" Projects/2024` {
		t.Fatalf("LIST %%: %q", u)
	}
	u = c.ok(`LIST "Projects/" "*"`)
	if len(u) != 2 {
		t.Fatalf("LIST with reference: %q", u)
	}
	u = c.ok(`LIST "" "caf*"`)
	if len(u) != 0 {
		t.Fatalf("LIST is case-sensitive but for INBOX: %q", u)
	}
	u = c.ok(`LIST "" "Caf&AOk-/*"`)
	mustHave(t, u, `"/" Caf&AOk-/R&AOk-sum&AOk-`)
	u = c.ok(`LIST "" "inBOX"`)
	mustHave(t, u, `INBOX`)

	c.expect("DELETE Projects", "NO")
	c.expect("DELETE INBOX", "NO")
	c.expect("DELETE Nowhere", "NO [NONEXISTENT]")
	c.ok("RENAME Projects Work")
	u = c.ok(`LIST "" "*"`)
	mustHave(t, u, `"/" Work/2024/Q1`)
	if has(u, "Projects") {
		t.Fatalf("children not renamed: %q", u)
	}
	c.expect("RENAME Nowhere Else", "NO [NONEXISTENT]")
	c.expect("RENAME Work Sent", "NO [ALREADYEXISTS]")
	c.ok("DELETE Work/2024/Q1")
	c.ok("DELETE Work/2024")
	c.ok("DELETE Work")

	// LIST-EXTENDED: selection and return options.
	u = c.ok(`LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)`)
	if len(u) != 5 || has(u, "INBOX") {
		t.Fatalf("LIST (SPECIAL-USE): %q", u)
	}
	c.ok("UNSUBSCRIBE Junk")
	u = c.ok(`LIST "" "*" RETURN (SUBSCRIBED)`)
	mustHave(t, u, `(\HasNoChildren \Sent \Subscribed) "/" Sent`)
	mustHave(t, u, `(\HasNoChildren \Junk) "/" Junk`)
	u = c.ok(`LSUB "" "*"`)
	if len(u) != 5 || has(u, "Junk") {
		t.Fatalf("LSUB: %q", u)
	}
	c.ok("CREATE Later")
	c.ok("SUBSCRIBE Later")
	c.ok("DELETE Later")
	u = c.ok(`LSUB "" "L*"`)
	mustHave(t, u, `* LSUB (\Noselect) "/" Later`)
	u = c.ok(`LIST (SUBSCRIBED) "" "L*"`)
	mustHave(t, u, `(\NonExistent \Subscribed) "/" Later`)
	c.expect("SUBSCRIBE Nowhere", "NO [NONEXISTENT]")

	u = c.ok("NAMESPACE")
	mustHave(t, u, `* NAMESPACE (("" "/")) NIL NIL`)
	u = c.ok(`ID ("name" "test")`)
	mustHave(t, u, `* ID (`, `"name" "imapmemserver"`)
}

func TestRenameInbox(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	c.appendMsg("INBOX", "", message("a", "x"))
	c.ok("RENAME INBOX Old")
	u := c.ok("STATUS INBOX (MESSAGES)")
	mustHave(t, u, "(MESSAGES 0)")
	u = c.ok("STATUS Old (MESSAGES)")
	mustHave(t, u, "(MESSAGES 1)")
}

func TestStatusItems(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	c.appendMsg("Sent", `(\Seen)`, message("a", "x"))
	u := c.ok("STATUS Sent (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE DELETED)")
	if len(u) != 1 || !strings.HasPrefix(u[0], "* STATUS Sent (MESSAGES 1 RECENT 1 UIDNEXT 2 UIDVALIDITY ") ||
		!strings.Contains(u[0], " UNSEEN 0 DELETED 0 SIZE ") || !strings.Contains(u[0], " HIGHESTMODSEQ ") {
		t.Fatalf("STATUS: %q", u)
	}
	c.expect("STATUS Sent (BOGUS)", "BAD")
	c.expect("STATUS Nowhere (MESSAGES)", "NO [NONEXISTENT]")
}

func TestServerAPI(t *testing.T) {
	srv := newServer(t, nil)
	if err := srv.AddUser("alice", "x"); err == nil {
		t.Fatal("AddUser twice succeeded")
	}
	if err := srv.CreateMailbox("alice", "Café/Menu", ""); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	uid, err := srv.Append("alice", "Café/Menu", []byte(message("seeded", "x")), []string{`\Seen`, "$Tag"}, date)
	if err != nil || uid != 1 {
		t.Fatalf("Append: %d %v", uid, err)
	}
	if _, err := srv.Append("alice", "Nowhere", []byte("x"), nil, date); err == nil {
		t.Fatal("Append to a missing mailbox succeeded")
	}
	if _, err := srv.Append("bob", "INBOX", []byte("x"), nil, date); err == nil {
		t.Fatal("Append for a missing user succeeded")
	}
	c := login(t, srv)
	c.ok(`SELECT "Caf&AOk-/Menu"`)
	u := c.ok("FETCH 1 (FLAGS INTERNALDATE)")
	mustHave(t, u, `FLAGS (\Seen $Tag \Recent) INTERNALDATE "02-Jan-2020 03:04:05 +0000"`)
}

func TestUTF8Accept(t *testing.T) {
	caps := append([]string{"UTF8=ACCEPT"}, imapmemserver.DefaultCaps...)
	srv := newServer(t, &imapmemserver.Options{Caps: caps})
	if err := srv.CreateMailbox("alice", "Café", ""); err != nil {
		t.Fatal(err)
	}
	c := login(t, srv)
	mustHave(t, c.ok(`LIST "" "C*"`), `"/" Caf&AOk-`)
	mustHave(t, c.ok("ENABLE UTF8=ACCEPT"), "* ENABLED UTF8=ACCEPT")
	mustHave(t, c.ok(`LIST "" "C*"`), `"/" "Café"`)
	c.ok(`SELECT "Café"`)
}

func TestManyMessages(t *testing.T) {
	srv := newServer(t, nil)
	for i := range 200 {
		if _, err := srv.Append("alice", "INBOX", []byte(message(fmt.Sprint("n", i), strings.Repeat("y", i*50))), nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	c := login(t, srv)
	c.ok("SELECT INBOX")
	u := c.ok("FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])")
	if len(u) != 200 {
		t.Fatalf("got %d FETCH responses", len(u))
	}
}

// "*" and "%" are wildcards in LIST patterns, but Dovecot takes them in
// names, and so does the memserver.
func TestMailboxNameWildcards(t *testing.T) {
	srv := newServer(t, nil)
	c := login(t, srv)
	c.ok(`CREATE "percent% star*"`)
	u := c.ok(`LIST "" "percent% star*"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "percent% star*"`)
	c.ok(`RENAME "percent% star*" "100%"`)
	u = c.ok(`STATUS "100%" (MESSAGES)`)
	mustHave(t, u, `* STATUS "100%" (MESSAGES 0)`)
	c.ok(`DELETE "100%"`)
}

// LIST (SUBSCRIBED RECURSIVEMATCH) lists a parent that is not subscribed
// for its subscribed child, with CHILDINFO (RFC 5258 section 3.5).
func TestListRecursiveMatch(t *testing.T) {
	srv := newServer(t, &imapmemserver.Options{Caps: append(slices.Clone(imapmemserver.DefaultCaps), "LIST-EXTENDED")})
	c := login(t, srv)
	c.ok(`CREATE "p/child"`)
	c.ok(`SUBSCRIBE "p/child"`)
	u := c.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" "p"`)
	if strings.Join(u, "|") != `* LIST (\HasChildren) "/" p ("CHILDINFO" ("SUBSCRIBED"))` {
		t.Fatalf("RECURSIVEMATCH: %q", u)
	}
	u = c.ok(`LIST (SUBSCRIBED) "" "p"`)
	if len(u) != 0 {
		t.Fatalf("SUBSCRIBED without RECURSIVEMATCH: %q", u)
	}
	u = c.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" "p/%"`)
	if strings.Join(u, "|") != `* LIST (\HasNoChildren \Subscribed) "/" p/child` {
		t.Fatalf("RECURSIVEMATCH of the child: %q", u)
	}
	c.expect(`LIST (RECURSIVEMATCH) "" "*"`, "BAD")
}
