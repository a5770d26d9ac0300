package imapmemserver_test

import (
	"strings"
	"testing"
)

func TestIdleSeesOtherSessions(t *testing.T) {
	srv := newServer(t, nil)
	a := login(t, srv)
	b := login(t, srv)
	b.appendMsg("INBOX", "", message("one", "x"))
	a.ok("SELECT INBOX")
	b.ok("SELECT INBOX")

	tag := a.send("IDLE")
	if l := a.read(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("IDLE: %q", l)
	}
	// New message: EXISTS (and RECENT, the message is A's to claim).
	b.appendMsg("INBOX", "", message("two", "x"))
	if l := a.read(); l != "* 2 EXISTS" {
		t.Fatalf("got %q", l)
	}
	// The new message is recent to whichever session learns of it first.
	if l := a.read(); l != "* 1 RECENT" && l != "* 2 RECENT" {
		t.Fatalf("got %q", l)
	}
	// Flags changed by B.
	b.ok(`STORE 1 +FLAGS (\Flagged)`)
	if l := a.read(); l != `* 1 FETCH (UID 1 FLAGS (\Flagged \Recent))` {
		t.Fatalf("got %q", l)
	}
	// Expunged by B.
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	a.read() // the FETCH of \Deleted
	u := b.ok("EXPUNGE")
	mustHave(t, u, "* 1 EXPUNGE")
	if l := a.read(); l != "* 1 EXPUNGE" {
		t.Fatalf("got %q", l)
	}
	a.write("DONE\r\n")
	if _, st := a.result(tag); !strings.HasPrefix(st, "OK") {
		t.Fatalf("DONE: %s", st)
	}
	u = a.ok("UID FETCH 1:* UID")
	if len(u) != 1 || u[0] != "* 1 FETCH (UID 2)" {
		t.Fatalf("A's view: %q", u)
	}
}

func TestUpdatesAfterCommands(t *testing.T) {
	srv := newServer(t, nil)
	a := login(t, srv)
	b := login(t, srv)
	for range 3 {
		b.appendMsg("INBOX", "", message("m", "x"))
	}
	a.ok("SELECT INBOX")
	b.ok("SELECT INBOX")
	b.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	b.appendMsg("INBOX", "", message("new", "x"))

	// FETCH, STORE and SEARCH may not announce expunges: A's sequence
	// numbers stay as they were.
	u := a.ok("FETCH 3 UID")
	if len(u) != 1 || u[0] != "* 3 FETCH (UID 3)" {
		t.Fatalf("FETCH: %q", u)
	}
	u = a.ok("SEARCH ALL")
	mustHave(t, u, "* SEARCH 1 3")
	// NOOP brings the view up to date, in order.
	u = a.ok("NOOP")
	// A claimed three recent messages at SELECT, one is gone, and B's
	// session claimed the new one.
	if strings.Join(u, "|") != "* 2 EXPUNGE|* 3 EXISTS|* 2 RECENT" {
		t.Fatalf("NOOP: %q", u)
	}
	u = a.ok("UID FETCH 1:* UID")
	if strings.Join(u, "|") != "* 1 FETCH (UID 1)|* 2 FETCH (UID 3)|* 3 FETCH (UID 4)" {
		t.Fatalf("view: %q", u)
	}
	// UID commands may announce expunges.
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	u = a.ok("UID FETCH 4 UID")
	if strings.Join(u, "|") != "* 3 FETCH (UID 4)|* 1 EXPUNGE" {
		t.Fatalf("UID FETCH: %q", u)
	}
}

func TestIdleWithoutMailbox(t *testing.T) {
	srv := newServer(t, nil)
	a := login(t, srv)
	tag := a.send("IDLE")
	a.read()
	a.write("done\r\n")
	if _, st := a.result(tag); !strings.HasPrefix(st, "OK") {
		t.Fatal(st)
	}
	tag = a.send("IDLE")
	a.read()
	a.write("NOPE\r\n")
	if _, st := a.result(tag); !strings.HasPrefix(st, "BAD") {
		t.Fatal(st)
	}
	a.ok("NOOP")
}

// FETCH, STORE and SEARCH announce what other sessions changed up to the
// first expunge (flags, new messages), as Dovecot does; that expunge and
// whatever came after it wait for a command that may announce them.
func TestUpdatesBeforeExpungeAfterQuietCommands(t *testing.T) {
	srv := newServer(t, nil)
	a := login(t, srv)
	b := login(t, srv)
	for range 3 {
		b.appendMsg("INBOX", "", message("m", "x"))
	}
	a.ok("SELECT INBOX")
	b.ok("SELECT INBOX")
	b.ok(`STORE 3 +FLAGS.SILENT (\Answered)`)
	u := a.ok("FETCH 1 UID")
	if strings.Join(u, "|") != `* 1 FETCH (UID 1)|* 3 FETCH (UID 3 FLAGS (\Answered \Recent))` {
		t.Fatalf("FETCH: %q", u)
	}
	b.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	b.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`)
	u = a.ok("SEARCH ALL") // the expunged message matches nothing any more
	if strings.Join(u, "|") != `* SEARCH 1 3` {
		t.Fatalf("SEARCH: %q", u)
	}
	u = a.ok("NOOP")
	if strings.Join(u, "|") != `* 2 EXPUNGE|* 1 FETCH (UID 1 FLAGS (\Flagged \Recent))` {
		t.Fatalf("NOOP: %q", u)
	}
}
