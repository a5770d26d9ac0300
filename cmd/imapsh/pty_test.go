package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptySession is imapsh (this test binary, see TestMain) running on a
// pseudo-terminal, as a person would use it.
type ptySession struct {
	t    *testing.T
	f    *os.File
	out  *syncBuffer
	seen int // how much of out earlier expectations consumed
	cmd  *exec.Cmd
	hist string // the history file
}

func (p *ptySession) write(s string) {
	p.t.Helper()
	if _, err := p.f.WriteString(s); err != nil {
		p.t.Fatalf("writing %q to the terminal: %v", s, err)
	}
}

// expect waits for the output after the previous match to match re.
func (p *ptySession) expect(re string) {
	p.t.Helper()
	r := regexp.MustCompile(re)
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := p.out.String()
		if loc := r.FindStringIndex(out[p.seen:]); loc != nil {
			p.seen += loc[1]
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal never showed %q; it shows:\n%s", re, out[p.seen:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startPTY runs imapsh with args on a new pseudo-terminal.
func startPTY(t *testing.T, args ...string) (*ptySession, chan struct{}, *error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "IMAPSH_TEST_MAIN=1", "IMAPSH_HISTORY="+filepath.Join(home, "history"), "HOME="+home, "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	p := &ptySession{t: t, f: f, out: &syncBuffer{}, cmd: cmd, hist: filepath.Join(home, "history")}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
		f.Close()
		select {
		case <-readDone:
		case <-time.After(5 * time.Second):
		}
		if t.Failed() {
			t.Logf("terminal output:\n%s", p.out.String())
		}
	})
	return p, exited, &waitErr
}

// waitExit waits for the process to end and checks its status.
func (p *ptySession) waitExit(exited chan struct{}, waitErr *error) {
	p.t.Helper()
	select {
	case <-exited:
		if *waitErr != nil {
			p.t.Errorf("imapsh exited with %v", *waitErr)
		}
	case <-time.After(30 * time.Second):
		p.t.Fatal("imapsh did not exit")
	}
}

func TestPseudoTerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a process")
	}
	p, exited, waitErr := startPTY(t, "--demo")
	p.expect(`Connected\. Type help`)
	p.expect(`imapsh> `)

	// Tab completes a verb, then a folder name.
	p.write("sel\t")
	p.expect(`select `)
	p.write("INB\t")
	p.expect(`INBOX `)
	p.write("\r")
	p.expect(`INBOX \(read-write\): 180 messages`)
	p.expect(`imapsh INBOX> `)

	// A folder name that needs quotes is completed with them.
	p.write(`status Rep` + "\t")
	p.expect(`"Reports & Plans`)
	p.write("\"\r")
	p.expect(`Reports & Plans: MESSAGES 14`)
	p.expect(`imapsh INBOX> `)

	// Ctrl-C stops idle, not the shell.
	p.write("idle\r")
	p.expect(`idling on INBOX \(Ctrl-C to stop\)`)
	time.Sleep(200 * time.Millisecond)
	p.write("\x03")
	p.expect(`idle ended \(interrupted\)`)
	p.expect(`imapsh INBOX> `)

	// The shell is still there; a typo is one line.
	p.write("capa\t\r")
	p.expect(`IMAP4REV1`)
	p.expect(`imapsh INBOX> `)
	p.write("fetsh 1 FLAGS\r")
	p.expect(`error: unknown command "fetsh"`)
	p.expect(`imapsh INBOX> `)

	// Up recalls the previous line; Ctrl-C at the prompt clears it.
	p.write("\x1b[A")
	p.expect(`fetsh 1 FLAGS`)
	p.write("\x03")
	p.write("fetch 1 FLAGS\r")
	p.expect(`UID 1 \(message 1\):\s+FLAGS:`)
	p.expect(`imapsh INBOX> `)

	p.write("quit\r")
	p.waitExit(exited, waitErr)
	data, err := os.ReadFile(p.hist)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"select INBOX", "idle", "capabilities", "fetch 1 FLAGS"} {
		if !strings.Contains(string(data), want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, data)
		}
	}
}

// TestPasswordPrompt checks that the password is asked for on the
// terminal, without echo, when a user name is given without one.
func TestPasswordPrompt(t *testing.T) {
	t.Parallel()
	host, port := memServer(t)
	p, exited, waitErr := startPTY(t, "-H", host, "-P", strconv.Itoa(port), "--plain", "-u", "alice", "-c", "capabilities")
	p.expect(`password for alice: `)
	p.write("secret\r")
	p.expect(`IMAP4REV1`)
	p.waitExit(exited, waitErr)
	if strings.Contains(p.out.String(), "secret") {
		t.Errorf("the password was echoed:\n%s", p.out.String())
	}
}
