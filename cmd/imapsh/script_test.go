package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// verbCaps are the capabilities a verb needs; on a server without them the
// verb must fail with a clear one-line error, and the shell go on.
var verbCaps = map[string]string{"sort": "SORT", "thread": "THREAD=REFERENCES", "quota": "QUOTA", "acl": "ACL"}

// capsOf runs capabilities on a fresh demo server.
func demoCapsSet(t *testing.T) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	for _, c := range demoCaps() {
		set[strings.ToUpper(c)] = true
	}
	return set
}

func writeEML(t *testing.T, subject string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "msg.eml")
	// LF line endings, as a file saved on Unix: append converts them.
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(testMessage(subject)), "\r\n", "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestScriptEveryVerb runs one -c session with every verb in text mode.
func TestScriptEveryVerb(t *testing.T) {
	t.Parallel()
	eml := writeEML(t, "Appended by the test")
	dir := filepath.Join(t.TempDir(), "export")
	attUID := findSeed(t, "INBOX", "Pr%C3%A4sentation") // RFC 2231 filename*
	subj1 := seedHeader(t, "INBOX", 1, "Subject")
	cmds := []string{
		"help", "help fetch", "capabilities", "namespace", "id",
		"folders", `folders "Reports*"`,
		`status "Reports & Plans"`, "status 日本語 MESSAGES UNSEEN",
		"examine Entwürfe", "select INBOX",
		"search UNSEEN", `search SUBJECT "Übersicht"`, `search OR FLAGGED (FROM "alice" UNSEEN)`,
		"sort REVERSE DATE -- UNSEEN", "thread REFERENCES ALL", "thread",
		"fetch 1:2 FLAGS INTERNALDATE RFC822.SIZE ENVELOPE",
		fmt.Sprintf("fetch %d BODYSTRUCTURE", attUID), "fetch 3 BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]",
		`flags 1:3`, `flags add 1:3 \Flagged $Test`, `flags remove 2 \Flagged`, `flags set 3 \Seen`, "flags get 1",
		"append INBOX " + eml + ` \Seen`,
		`copy 1:2 "Reports & Plans"`, "move 4 Trash",
		`flags add 5 \Deleted`, "expunge 5", `flags add 6 \Deleted`, "expunge",
		"quota", "quota INBOX", "acl INBOX",
		"raw NOOP", `raw STATUS INBOX (MESSAGES)`,
		"create Test/Neu", "rename Test/Neu Test/Neuer", "delete Test/Neuer", "noop",
		"uid off", "fetch 1 FLAGS", "uid on", "uid",
		"trace on", "noop", "trace off", "trace",
		"export Archive " + dir, "idle 0.2",
		"unselect", "examine INBOX", "close",
		"quit", "capabilities",
	}
	r := runShell(t, nil, "--demo", "-c", strings.Join(cmds, "; "))
	caps := demoCapsSet(t)
	failing := 0
	for verb, cp := range verbCaps {
		if !caps[cp] {
			failing++
			if !regexp.MustCompile(`(?m)^error: ` + verb + `: the server does not support .*` + regexp.QuoteMeta(cp)).MatchString(r.stderr) {
				t.Errorf("no clear error for %s without %s:\n%s", verb, cp, r.stderr)
			}
		}
	}
	// The verbs the server cannot do fail, one line each, and nothing else.
	wantErrs := 0
	for _, c := range cmds {
		if cp, ok := verbCaps[strings.Fields(c)[0]]; ok && !caps[cp] {
			wantErrs++
		}
	}
	wantCode := 0
	if wantErrs > 0 {
		wantCode = 1
	}
	if r.code != wantCode {
		t.Errorf("exit %d, want %d; stderr:\n%s", r.code, wantCode, r.stderr)
	}
	if n := strings.Count(r.stderr, "error: "); n != wantErrs || failing > len(verbCaps) {
		t.Errorf("%d errors, want %d:\n%s", n, wantErrs, r.stderr)
	}
	for _, want := range []string{
		"list the server's capabilities", // help
		"usage: fetch SET ITEM...",       // help fetch
		"IMAP4REV1", "MOVE",              // capabilities
		`personal:    "" (delimiter "/")`,       // namespace
		"name: imapmemserver",                   // id
		"Reports & Plans/2024  \\HasNoChildren", // folders
		"日本語", "Entwürfe",
		"Reports & Plans: MESSAGES 14",
		"日本語: MESSAGES 8, UNSEEN 2",
		"Entwürfe (read-only): 6 messages",
		"INBOX (read-write): 180 messages",
		"159 160 161",       // search UNSEEN
		"Subject: " + subj1, // envelope
		`"Präsentation März.pdf", `,
		"BODY[HEADER.FIELDS (SUBJECT FROM)] (",
		`1: \Seen \Flagged $Test`,
		"appended ", "to INBOX as UID 181",
		`copied 2 messages to Reports & Plans (UIDVALIDITY `, "1->15 2->16",
		"moved 1 messages to Trash",
		"expunged 1 messages",
		"OK NOOP completed",
		`* STATUS "INBOX" (MESSAGES `,
		"created Test/Neu", "renamed Test/Neu to Test/Neuer", "deleted Test/Neuer",
		"uid off", "message 1:\n  FLAGS:", "uid on",
		"trace on", "trace off",
		"exported 30 new messages",
		"idle ended (time is up) after 0 updates",
		"left INBOX\nINBOX (read-only)", "\nleft INBOX\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !strings.Contains(r.stderr, "imap C: ") || !strings.Contains(r.stderr, "NOOP") {
		t.Errorf("trace on showed no protocol on stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "demo\r\n") || regexp.MustCompile(`LOGIN \S+ "?demo"?`).MatchString(r.stderr) {
		t.Errorf("password in the trace:\n%s", r.stderr)
	}
	// quit ends the script: the last capabilities does not run.
	if strings.Count(r.stdout, "IMAP4REV1") != 1 {
		t.Errorf("commands ran after quit")
	}
	if n := countFiles(t, filepath.Join(dir, "cur")); n != 30 {
		t.Errorf("maildir holds %d messages, want 30", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestJSONEveryVerb checks that --json prints one JSON value per command,
// errors included, for every verb.
func TestJSONEveryVerb(t *testing.T) {
	t.Parallel()
	s := startSession(t)
	eml := writeEML(t, "JSON test")
	caps := demoCapsSet(t)
	type check func(t *testing.T, m map[string]any)
	has := func(keys ...string) check {
		return func(t *testing.T, m map[string]any) {
			for _, k := range keys {
				if _, ok := m[k]; !ok {
					t.Errorf("no %q in %v", k, m)
				}
			}
		}
	}
	steps := []struct {
		cmd   string
		check check
	}{
		{"help", has("commands")},
		{"capabilities", has("capabilities")},
		{"namespace", has("personal", "other", "shared")},
		{"id", func(t *testing.T, m map[string]any) {
			if m["server"].(map[string]any)["name"] != "imapmemserver" {
				t.Errorf("id: %v", m)
			}
		}},
		{"folders", func(t *testing.T, m map[string]any) {
			fs := m["folders"].([]any)
			names := map[string]bool{}
			for _, f := range fs {
				names[f.(map[string]any)["name"].(string)] = true
			}
			for _, n := range []string{"INBOX", "Entwürfe", "Reports & Plans", "Reports & Plans/2024", "日本語", "Projects/Alpha", "Sent"} {
				if !names[n] {
					t.Errorf("folders lack %q: %v", n, names)
				}
			}
		}},
		{`status "Reports & Plans"`, func(t *testing.T, m map[string]any) {
			if num(t, m["items"].(map[string]any), "MESSAGES") != 14 {
				t.Errorf("status: %v", m)
			}
		}},
		{"examine 日本語", func(t *testing.T, m map[string]any) {
			if m["read_only"] != true || num(t, m, "exists") != 8 {
				t.Errorf("examine: %v", m)
			}
		}},
		{"select INBOX", func(t *testing.T, m map[string]any) {
			if m["read_only"] != false || num(t, m, "exists") != 180 || num(t, m, "uidnext") != 181 {
				t.Errorf("select: %v", m)
			}
		}},
		{"search UNSEEN", func(t *testing.T, m map[string]any) {
			if len(m["ids"].([]any)) != 22 || m["uids"] != true {
				t.Errorf("search: %v", m)
			}
		}},
		{"sort DATE", nil},
		{"thread REFERENCES UNSEEN", nil},
		{"fetch 2 FLAGS ENVELOPE BODY.PEEK[TEXT]<0.20> BODYSTRUCTURE", func(t *testing.T, m map[string]any) {
			msg := m["messages"].([]any)[0].(map[string]any)
			env := msg["envelope"].(map[string]any)
			if env["subject"] != seedHeader(t, "INBOX", 2, "Subject") || env["message_id"] != seedHeader(t, "INBOX", 2, "Message-ID") {
				t.Errorf("envelope: %v", env)
			}
			if sec, _ := msg["sections"].(map[string]any)["BODY[TEXT]<0>"].(string); len(sec) != 20 {
				t.Errorf("sections: %v", msg["sections"])
			}
			if msg["bodystructure"].(map[string]any)["type"] == "" {
				t.Errorf("bodystructure: %v", msg)
			}
		}},
		{`flags add 1 \Flagged`, func(t *testing.T, m map[string]any) {
			fl := m["messages"].([]any)[0].(map[string]any)["flags"].([]any)
			if len(fl) < 2 {
				t.Errorf("flags: %v", m)
			}
		}},
		{`flags remove 1 \Flagged`, has("messages")},
		{`flags set 1 \Seen \Answered`, has("messages")},
		{"flags get 1:3", has("messages")},
		{"append INBOX " + eml, func(t *testing.T, m map[string]any) {
			if num(t, m, "uid") != 181 {
				t.Errorf("append: %v", m)
			}
		}},
		{"copy 181 Archive", func(t *testing.T, m map[string]any) {
			if m["uids"].(map[string]any)["181"] != float64(31) {
				t.Errorf("copy: %v", m)
			}
		}},
		{"move 181 Junk", has("uids", "uidvalidity")},
		{`flags add 10 \Deleted`, has("messages")},
		{"expunge", func(t *testing.T, m map[string]any) {
			if len(m["expunged"].([]any)) != 1 {
				t.Errorf("expunge: %v", m)
			}
		}},
		{"expunge 11", has("expunged")},
		{"quota", nil},
		{"acl INBOX", nil},
		{"raw NOOP", has("untagged", "status")},
		{"create JSON", has("message")},
		{"rename JSON JSON2", has("message")},
		{"delete JSON2", has("message")},
		{"noop", has("responses")},
		{"uid off", func(t *testing.T, m map[string]any) {
			if m["setting"] != "uid" || m["on"] != false {
				t.Errorf("uid: %v", m)
			}
		}},
		{"search 1:3", func(t *testing.T, m map[string]any) {
			if m["uids"] != false {
				t.Errorf("search in sequence mode: %v", m)
			}
		}},
		{"uid on", has("on")},
		{"trace on", has("setting")},
		{"trace off", has("setting")},
		{"export Sent " + t.TempDir() + " --mbox", func(t *testing.T, m map[string]any) {
			if num(t, m, "exported") != 36 || m["format"] != "mbox" {
				t.Errorf("export: %v", m)
			}
		}},
		{"idle 0.1", func(t *testing.T, m map[string]any) {
			if m["ended"] != "time is up" {
				t.Errorf("idle: %v", m)
			}
		}},
		{"unselect", has("message")},
		{"select Sent", has("exists")},
		{"close", has("message")},
		{"reconnect", has("message")},
		{"nosuchverb", has("error")},
		{"select NoSuchFolder", func(t *testing.T, m map[string]any) {
			if m["command"] != "select" || !strings.Contains(m["error"].(string), "NO") {
				t.Errorf("select error: %v", m)
			}
		}},
	}
	for _, st := range steps {
		m := s.do(st.cmd)
		verb := strings.Fields(st.cmd)[0]
		if cp, ok := verbCaps[verb]; ok && !caps[cp] {
			if e, _ := m["error"].(string); !strings.Contains(e, strings.Split(cp, "=")[0]) {
				t.Errorf("%s without %s: %v", st.cmd, cp, m)
			}
			continue
		}
		if st.check == nil {
			if _, ok := m["error"]; ok {
				t.Errorf("%s: %v", st.cmd, m)
			}
			continue
		}
		if e, ok := m["error"]; ok && verb != "nosuchverb" && verb != "select" {
			t.Errorf("%s: %v", st.cmd, e)
			continue
		}
		t.Run(strings.ReplaceAll(st.cmd, "/", "_"), func(t *testing.T) { st.check(t, m) })
	}
	s.send("quit")
	if code := <-s.done; code != 1 { // the failed commands above
		t.Errorf("exit %d, want 1", code)
	}
	s.done <- 1
	// Everything printed was JSON.
	for {
		select {
		case l := <-s.lines:
			t.Errorf("extra output: %q", l)
			var v any
			if json.Unmarshal([]byte(l), &v) != nil {
				t.Errorf("not JSON: %q", l)
			}
		default:
			return
		}
	}
}

// TestErrorsKeepTheShell checks that mistakes and server refusals are one
// line each and that the commands after them run.
func TestErrorsKeepTheShell(t *testing.T) {
	t.Parallel()
	r := runShell(t, nil, "--demo", "-c",
		`fetch 1 FLAGS; select "No Such Folder"; selec INBOX; select; select INBOX; fetch abc FLAGS; fetch 1 BODY[; flags add 1; `+
			`append INBOX /nonexistent/file; idle x; raw; sort; export INBOX; copy 1 NoSuchFolder; search BADKEY; status INBOX; search "unterminated; noop`)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	var errs []string
	for _, l := range lines {
		if strings.HasPrefix(l, "error: ") {
			errs = append(errs, l)
		}
	}
	want := []string{
		"error: fetch: UID FETCH needs a selected folder: select or examine one first",
		`error: select: SELECT "No Such Folder": SELECT: server said NO [NONEXISTENT]`,
		`error: unknown command "selec" (type help for the list)`,
		"error: select: missing arguments (usage: select FOLDER)",
		`error: fetch: `,
		`error: fetch: `,
		"error: flags: no flags given (usage: flags [get|add|remove|set] SET [FLAG...])",
		"error: append: stat /nonexistent/file: no such file or directory",
		`error: idle: idle: "x" is not a positive number of seconds`,
		"error: raw: missing arguments (usage: raw COMMAND...)",
		"error: sort: missing arguments",
		"error: export: missing arguments",
		"error: copy: ",
		"error: search: invalid search criteria",
		"error: unterminated quote",
	}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%s", len(errs), len(want), strings.Join(errs, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
	if !strings.Contains(r.stdout, "INBOX (read-write): 180 messages") || !strings.Contains(r.stdout, "INBOX: MESSAGES 180") {
		t.Errorf("the good commands did not run:\n%s", r.stdout)
	}
}

// TestUsage covers the command line itself.
func TestUsage(t *testing.T) {
	t.Parallel()
	r := runShell(t, nil, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "-H, --host HOST") {
		t.Errorf("--help: %d %q", r.code, r.stdout)
	}
	for _, args := range [][]string{
		{}, {"--nosuchflag"}, {"-H", "x", "extra"}, {"--demo", "-H", "x"}, {"-H", "x", "--starttls", "--plain"},
		{"-H", "x", "-P", "0"}, {"-H", "x", "--timeout", "soon"}, {"-f", "/nonexistent.ini"},
	} {
		r := runShell(t, nil, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "imapsh: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	// A server that is not there: one line, exit 1.
	r = runShell(t, nil, "-H", "127.0.0.1:1", "--plain", "-c", "noop")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("connection refused: exit %d, stderr %q", r.code, r.stderr)
	}
}

// findSeed returns the UID (its position, 1-based) of the first seeded
// message of folder whose text contains s.
func findSeed(t *testing.T, folder, s string) int {
	t.Helper()
	for _, f := range generateMailbox() {
		if f.name != folder {
			continue
		}
		for i, m := range f.msgs {
			if bytes.Contains(m.raw, []byte(s)) {
				return i + 1
			}
		}
	}
	t.Fatalf("no seeded message in %s holds %q", folder, s)
	return 0
}

// seedHeader returns a header of the seeded message with this UID,
// decoded.
func seedHeader(t *testing.T, folder string, uid int, name string) string {
	t.Helper()
	for _, f := range generateMailbox() {
		if f.name == folder {
			m, err := mail.ReadMessage(bytes.NewReader(f.msgs[uid-1].raw))
			if err != nil {
				t.Fatal(err)
			}
			dec := &mime.WordDecoder{CharsetReader: latin1Reader}
			v, err := dec.DecodeHeader(m.Header.Get(name))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no folder %s", folder)
	return ""
}

func latin1Reader(charset string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return strings.NewReader(string(runes)), nil
}
