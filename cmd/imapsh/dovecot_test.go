package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/internal/testrig"
)

// TestDovecotSmoke logs in to the rig's Dovecot with an IMAPClient-style
// configuration file (implicit TLS, the rig's CA) and with flags
// (STARTTLS), and lists the folders.
func TestDovecotSmoke(t *testing.T) {
	d := testrig.RequireDovecot(t)
	host, port, err := net.SplitHostPort(d.TLSAddr)
	if err != nil {
		t.Fatal(err)
	}
	ini := writeINI(t, "[DEFAULT]\nhost = "+host+"\nport = "+port+"\nssl = True\nssl_ca_file = "+d.CAFile+
		"\nusername = "+testrig.Alice.Name+"\ntimeout = 30\n")
	r := runShell(t, map[string]string{"imapclient_password": testrig.Alice.Password}, "-f", ini, "-c", "capabilities; folders; select INBOX; namespace")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"IMAP4REV1", "INBOX", "INBOX (read-write)", "personal:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}

	// STARTTLS with flags; Dave's password needs quoting on the wire.
	host, port, _ = net.SplitHostPort(d.Addr)
	r = runShell(t, nil, "-H", host, "-P", port, "--starttls", "--ca-file", d.CAFile,
		"-u", testrig.Dave.Name, "-p", testrig.Dave.Password, "--json", "-c", "folders")
	if r.code != 0 || !strings.Contains(r.stdout, `"name":"INBOX"`) {
		t.Errorf("STARTTLS: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The wrong CA: a clear error.
	r = runShell(t, nil, "-H", host, "-P", port, "--starttls", "--ca-file", d.WrongCAFile, "-u", "alice", "-p", "x", "-c", "noop")
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("wrong CA: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestDovecotVerbs runs the verbs the demo server lacks (sort, thread,
// quota, acl) against Dovecot, in a folder of its own.
func TestDovecotVerbs(t *testing.T) {
	d := testrig.RequireDovecot(t)
	host, port, _ := net.SplitHostPort(d.TLSAddr)
	dir := t.TempDir()
	folder := fmt.Sprintf("imapsh verbs %d", time.Now().UnixNano()%1e9)
	msg := func(name, subject, extra string) string {
		p := filepath.Join(dir, name)
		text := "From: Bob <bob@example.org>\nTo: alice@example.org\nSubject: " + subject + "\nMessage-ID: <" + name +
			"@example.org>\n" + extra + "Date: Mon, 6 May 2024 10:00:00 +0200\n\nHello.\n"
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := msg("a", "Zebra plans", "")
	b := msg("b", "Re: Zebra plans", "In-Reply-To: <a@example.org>\nReferences: <a@example.org>\n")
	c := msg("c", "Apple pie", "")
	q := func(s string) string { return quoteWord(s) }
	cmds := []string{
		"create " + q(folder),
		"append " + q(folder) + " " + a, "append " + q(folder) + " " + b, "append " + q(folder) + ` ` + c + ` \Seen`,
		"select " + q(folder),
		"sort SUBJECT", "sort REVERSE SUBJECT -- ALL", "thread REFERENCES ALL", "thread ORDEREDSUBJECT",
		"quota " + q(folder), "acl " + q(folder),
		"export " + q(folder) + " " + filepath.Join(dir, "export"),
		"unselect", "select " + q(folder), "close", "select " + q(folder),
		"delete " + q(folder), "folders",
	}
	r := runShell(t, map[string]string{"imapclient_password": testrig.Alice.Password},
		"-H", host, "-P", port, "--ca-file", d.CAFile, "-u", testrig.Alice.Name, "-c", strings.Join(cmds, "; "))
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"\n3 1 2\n",      // sort SUBJECT: Apple pie, then Zebra plans twice (same base subject: in order)
		"\n1 2 3\n",      // sort REVERSE SUBJECT
		"\n(1 2)\n(3)\n", // thread: a conversation, and a message alone
		"your rights: ",  // acl
		"exported 3 new", // export
		"left " + folder,
		"deleted " + folder,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "quota roots") && !strings.Contains(r.stdout, "no quota applies") {
		t.Errorf("quota output:\n%s", r.stdout)
	}
}
