package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
)

// TestIdleUpdatesAndInterrupt idles while another connection changes the
// folder, then stops idling with an interrupt (Ctrl-C).
func TestIdleUpdatesAndInterrupt(t *testing.T) {
	t.Parallel()
	s := startSession(t)
	s.mustDo("select INBOX")
	s.send("idle")
	s.waitStderr(`idling on INBOX \(Ctrl-C to stop\)`)
	c := s.client()
	ctx := ctxT(t)
	if _, err := c.Append(ctx, "INBOX", testMessage("New while idling"), nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if u := s.line(); u["update"] != "exists" || num(t, u, "num") != 181 {
		t.Fatalf("update %v, want EXISTS 181", u)
	}
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddFlags(ctx, imapclient.ID(3), []string{imapclient.Flagged}, true); err != nil {
		t.Fatal(err)
	}
	for {
		u := s.line()
		if u["update"] == "recent" {
			continue
		}
		if u["update"] != "fetch" || num(t, u, "num") != 3 {
			t.Fatalf("update %v, want FETCH of message 3", u)
		}
		break
	}
	s.intr <- struct{}{}
	res := s.line()
	if res["ended"] != "interrupted" || num(t, res, "updates") < 2 {
		t.Errorf("idle result %v", res)
	}
	// In a script, Ctrl-C stops the script too.
	select {
	case code := <-s.done:
		if code != 130 {
			t.Errorf("exit %d after the interrupt, want 130", code)
		}
		s.done <- code
	case <-time.After(30 * time.Second):
		t.Fatal("the script went on after Ctrl-C")
	}
}

func readExportState(t *testing.T, dir string) *exportState {
	t.Helper()
	st, err := readState(dir)
	if err != nil || st == nil {
		t.Fatalf("state: %v %v", st, err)
	}
	return st
}

func writeExportState(t *testing.T, dir string, st *exportState) {
	t.Helper()
	if err := writeState(dir, st); err != nil {
		t.Fatal(err)
	}
}

// TestExportMaildir exports INBOX to a maildir, then resumes: after new
// messages (only those are fetched), after an interrupted run that saved
// more than it recorded, and after a change of UIDVALIDITY.
func TestExportMaildir(t *testing.T) {
	t.Parallel()
	s := startSession(t)
	dir := filepath.Join(t.TempDir(), "inbox")
	s.mustDo("select Sent") // the export must give the selection back
	r := s.mustDo("export INBOX " + dir)
	if num(t, r, "exported") != 180 || num(t, r, "last_uid") != 180 || r["format"] != "maildir" {
		t.Fatalf("first export: %v", r)
	}
	if n := countFiles(t, filepath.Join(dir, "cur")); n != 180 {
		t.Fatalf("%d files in cur, want 180", n)
	}
	st := readExportState(t, dir)
	if st.LastUID != 180 || st.Messages != 180 || st.Folder != "INBOX" || st.UIDValidity == 0 {
		t.Errorf("state %+v", st)
	}
	// The files are the messages, with the flags in their names.
	seed := generateMailbox()[0].msgs
	names, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	unseen := 0
	for _, n := range names {
		_, uid, ok := parseMaildirName(filepath.Base(n))
		if !ok {
			t.Fatalf("unexpected file %s", n)
		}
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, seed[uid-1].raw) {
			t.Errorf("UID %d: the file differs from the message appended", uid)
		}
		if !strings.Contains(filepath.Base(n), ":2,") {
			t.Errorf("no maildir info in %s", n)
		}
		if !strings.Contains(filepath.Base(n)[strings.Index(filepath.Base(n), ":2,"):], "S") {
			unseen++
		}
	}
	if unseen != 22 {
		t.Errorf("%d messages without S, want 22", unseen)
	}
	if sel := s.mustDo("noop"); sel == nil {
		t.Fatal("noop")
	}

	// New messages: only they are fetched.
	c := s.client()
	ctx := ctxT(t)
	for _, subj := range []string{"new one", "new two"} {
		if _, err := c.Append(ctx, "INBOX", testMessage(subj), []string{imapclient.Seen}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	s.mustDo("trace on")
	r = s.mustDo("export INBOX " + dir)
	s.mustDo("trace off")
	if num(t, r, "exported") != 2 || num(t, r, "total") != 182 || num(t, r, "last_uid") != 182 {
		t.Errorf("second export: %v", r)
	}
	if !regexp.MustCompile(`imap C: \S+ UID FETCH 181:182 `).MatchString(s.stderr.String()) {
		t.Errorf("the resumed export did not fetch just 181:182:\n%s", s.stderr.String())
	}
	if regexp.MustCompile(`imap C: \S+ UID FETCH 1:`).MatchString(s.stderr.String()) {
		t.Errorf("the resumed export fetched old messages")
	}
	if n := countFiles(t, filepath.Join(dir, "cur")); n != 182 {
		t.Errorf("%d files, want 182", n)
	}
	r = s.mustDo("export INBOX " + dir)
	if num(t, r, "exported") != 0 {
		t.Errorf("third export: %v", r)
	}

	// A run that saved messages 171-182 but recorded only 170 before it
	// died, leaving a file in tmp: the resumed run replaces them.
	st = readExportState(t, dir)
	st.LastUID, st.Messages = 170, 170
	writeExportState(t, dir, st)
	os.WriteFile(filepath.Join(dir, "tmp", "1.V"+itoa(st.UIDValidity)+"U171.imapsh"), []byte("partial"), 0o600)
	r = s.mustDo("export INBOX " + dir)
	if num(t, r, "exported") != 12 || num(t, r, "total") != 182 {
		t.Errorf("resumed export: %v", r)
	}
	if n := countFiles(t, filepath.Join(dir, "cur")); n != 182 {
		t.Errorf("%d files after the resumed export, want 182 (no duplicates)", n)
	}
	if n := countFiles(t, filepath.Join(dir, "tmp")); n != 0 {
		t.Errorf("%d files left in tmp", n)
	}

	// The selection was given back.
	if m := s.mustDo("status INBOX MESSAGES"); m == nil {
		t.Fatal("status")
	}
	if m := s.mustDo("fetch 1 FLAGS"); len(m["messages"].([]any)) != 1 {
		t.Errorf("fetch after export: %v", m)
	}

	// Another folder or format in the same directory is refused.
	if m := s.do("export Sent " + dir); !strings.Contains(m["error"].(string), `holds the maildir export of "INBOX"`) {
		t.Errorf("export of another folder into the directory: %v", m)
	}
	if m := s.do("export INBOX " + dir + " --mbox"); m["error"] == nil {
		t.Errorf("export in another format into the directory: %v", m)
	}

	// A new UIDVALIDITY (the folder was recreated): the export starts over.
	jdir := filepath.Join(t.TempDir(), "junk")
	if r := s.mustDo("export Junk " + jdir); num(t, r, "exported") != 7 {
		t.Fatalf("junk export: %v", r)
	}
	old := readExportState(t, jdir).UIDValidity
	s.mustDo("delete Junk")
	s.mustDo("create Junk")
	if _, err := c.Append(ctx, "Junk", testMessage("after the reset"), nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r = s.mustDo("export Junk " + jdir)
	if r["restarted"] != true || num(t, r, "exported") != 1 || num(t, r, "total") != 1 {
		t.Errorf("export after the UIDVALIDITY change: %v", r)
	}
	if st := readExportState(t, jdir); st.UIDValidity == old || st.LastUID != 1 {
		t.Errorf("state after the restart: %+v (old UIDVALIDITY %d)", st, old)
	}
	if n := countFiles(t, filepath.Join(jdir, "cur")); n != 1 {
		t.Errorf("%d files after the restart, want 1", n)
	}
}

func itoa(n uint32) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// mboxStarts returns the offsets where the messages of an mbox start.
func mboxStarts(data []byte) []int {
	var out []int
	for i := 0; i < len(data); {
		if bytes.HasPrefix(data[i:], []byte("From imapsh ")) && (i == 0 || (i >= 2 && data[i-1] == '\n' && data[i-2] == '\n')) {
			out = append(out, i)
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return out
}

// TestExportMbox exports to an mbox and resumes after new messages and
// after a run that died half-way through a message.
func TestExportMbox(t *testing.T) {
	t.Parallel()
	s := startSession(t)
	dir := t.TempDir()
	r := s.mustDo("export Sent " + dir + " --mbox")
	if num(t, r, "exported") != 36 {
		t.Fatalf("export: %v", r)
	}
	path := r["path"].(string)
	if filepath.Base(path) != "Sent.mbox" {
		t.Errorf("mbox path %s", path)
	}
	c := s.client()
	ctx := ctxT(t)
	for _, subj := range []string{"mbox one", "mbox two"} {
		if _, err := c.Append(ctx, "Sent", testMessage(subj), []string{imapclient.Seen, imapclient.Answered}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	r = s.mustDo("export Sent " + dir + " --mbox")
	if num(t, r, "exported") != 2 || num(t, r, "total") != 38 {
		t.Errorf("second export: %v", r)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	starts := mboxStarts(full)
	if len(starts) != 38 {
		t.Fatalf("%d messages in the mbox, want 38", len(starts))
	}
	if bytes.Contains(full, []byte("\r\n")) {
		t.Errorf("CRLF left in the mbox")
	}
	last := string(full[starts[37]:])
	for _, want := range []string{"\nSubject: mbox two\n", "\nStatus: RO\nX-Status: A\n\n>From the test, a line", "\nBye.\n\n"} {
		if !strings.Contains(last, want) {
			t.Errorf("last message lacks %q:\n%s", want, last)
		}
	}
	if !strings.HasSuffix(last, "Bye.\n\n") {
		t.Errorf("the mbox does not end with the message and a blank line")
	}

	// A run that saved 30 messages, recorded them, and died while writing
	// the 31st: the resumed run cuts the partial message and goes on.
	st := readExportState(t, dir)
	st.LastUID, st.Messages, st.MboxSize = 30, 30, int64(starts[30])
	writeExportState(t, dir, st)
	if err := os.WriteFile(path, append(full[:starts[30]:starts[30]], []byte("From imapsh Mon Jan  1 00:00:00 2024\nSubject: cut off")...), 0o600); err != nil {
		t.Fatal(err)
	}
	r = s.mustDo("export Sent " + dir + " --mbox")
	if num(t, r, "exported") != 8 || num(t, r, "total") != 38 {
		t.Errorf("resumed export: %v", r)
	}
	again, _ := os.ReadFile(path)
	if !bytes.Equal(again, full) {
		t.Errorf("the resumed mbox differs from the complete one (%d bytes, want %d)", len(again), len(full))
	}
}
