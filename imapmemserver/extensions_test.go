package imapmemserver_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLoggerRedactsCredentials(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newServer(t, &imapmemserver.Options{Logger: logger})
	c := login(t, srv)
	big := strings.Repeat("z", 500)
	c.appendMsg("INBOX", "", message("s", big))
	c.ok("LOGOUT")
	srv.Close()
	out := buf.String()
	if strings.Contains(out, "pw") && strings.Contains(out, "alice pw") {
		t.Fatalf("password logged:\n%s", out)
	}
	if !strings.Contains(out, "[redacted]") || !strings.Contains(out, "bytes}") || strings.Contains(out, big) {
		t.Fatalf("log:\n%s", out)
	}
}

func TestMultiAppendAndListStatus(t *testing.T) {
	caps := append([]string{"MULTIAPPEND", "LIST-EXTENDED", "LIST-STATUS", "LITERAL-"}, imapmemserver.DefaultCaps...)
	srv := newServer(t, &imapmemserver.Options{Caps: caps})
	c := login(t, srv)
	m1, m2 := message("one", "a"), message("two", "b")
	_, st := c.do(fmt.Sprintf("APPEND Drafts (\\Draft) {%d+}\r\n%s {%d+}\r\n%s", len(m1), m1, len(m2), m2))
	if !strings.HasPrefix(st, "OK [APPENDUID ") || !strings.Contains(st, " 1:2]") {
		t.Fatalf("MULTIAPPEND: %s", st)
	}
	u := c.ok(`LIST "" "D*" RETURN (STATUS (MESSAGES UNSEEN))`)
	if len(u) != 2 || u[1] != "* STATUS Drafts (MESSAGES 2 UNSEEN 2)" {
		t.Fatalf("LIST-STATUS: %q", u)
	}
	c.ok(`CREATE Important (USE (\Flagged))`)
	mustHave(t, c.ok(`LIST "" Important`), `(\HasNoChildren \Flagged) "/" Important`)
	c.expect(`CREATE Other (USE (\Bogus))`, "NO [USEATTR]")
}

func TestLiteralMinusAndLimits(t *testing.T) {
	caps := []string{"IMAP4rev1", "LITERAL-", "AUTH=PLAIN"}
	srv := newServer(t, &imapmemserver.Options{Caps: caps})
	c := login(t, srv)
	small := message("small", "x")
	c.ok(fmt.Sprintf("APPEND INBOX {%d-}\r\n%s", len(small), small))
	large := message("large", strings.Repeat("y", 5000))
	// Over 4096 bytes a non-synchronising literal is refused: BAD, and
	// the data is skipped.
	c.expect(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(large), large), "BAD")
	c.appendMsg("INBOX", "", large)
	mustHave(t, c.ok("STATUS INBOX (MESSAGES)"), "(MESSAGES 2)")
}

func TestIMAP4rev2Enable(t *testing.T) {
	caps := append([]string{"IMAP4rev2"}, imapmemserver.DefaultCaps...)
	srv := newServer(t, &imapmemserver.Options{Caps: caps})
	c := login(t, srv)
	c.appendMsg("INBOX", "", message("a", "x"))
	mustHave(t, c.ok("ENABLE IMAP4rev2 CONDSTORE"), "* ENABLED IMAP4rev2 CONDSTORE")
	u := c.ok("SELECT INBOX")
	if has(u, "RECENT") {
		t.Fatalf("RECENT after ENABLE IMAP4rev2: %q", u)
	}
	u = c.ok("UID SEARCH ALL")
	mustHave(t, u, `* ESEARCH (TAG "t5") UID ALL 1`)
	u = c.ok("FETCH 1 FLAGS")
	mustHave(t, u, "* 1 FETCH (FLAGS ())")
	u = c.ok("FETCH 1 BODY[TEXT]")
	mustHave(t, u, `FLAGS (\Seen) MODSEQ (`)
	c.ok("SELECT Trash")
}
