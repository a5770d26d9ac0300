package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/leakcheck"
)

// TestMain lets the pseudo-terminal test run this test binary as imapsh
// itself, and checks that the shell leaves no goroutine behind.
func TestMain(m *testing.M) {
	if os.Getenv("IMAPSH_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(leakcheck.Run(m))
}

// syncBuffer is a bytes.Buffer safe for the shell's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testEnv is an environment without the caller's imapclient_* variables
// and history file.
func testEnv(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if k == "IMAPSH_HISTORY" {
			return "-"
		}
		return ""
	}
}

type shellResult struct {
	stdout, stderr string
	code           int
}

// runShell runs imapsh in-process with args and no input.
func runShell(t *testing.T, vars map[string]string, args ...string) shellResult {
	t.Helper()
	var out, errb syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: testEnv(vars)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	code := run(ctx, args, e)
	r := shellResult{out.String(), errb.String(), code}
	if testing.Verbose() {
		t.Logf("imapsh %q: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, r.stdout, r.stderr)
	}
	return r
}

// session is an imapsh running in-process on the demo server, fed
// commands one at a time through its standard input (a pipe: the shell
// reads it line by line), with --json output read line by line.
type session struct {
	t      *testing.T
	in     *io.PipeWriter
	lines  chan string
	stderr *syncBuffer
	intr   chan struct{}
	done   chan int
	addr   string
}

type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

var demoAddrRE = regexp.MustCompile(`Demo server on (\S+) `)

func startSession(t *testing.T, args ...string) *session {
	t.Helper()
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, lines: make(chan string, 10000), stderr: &syncBuffer{},
		intr: make(chan struct{}, 1), done: make(chan int, 1)}
	e := &env{stdin: pr, stdout: &lineWriter{lines: s.lines}, stderr: s.stderr, getenv: testEnv(nil), interrupt: s.intr}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		s.done <- run(ctx, append([]string{"--demo", "--json"}, args...), e)
		pr.Close()
	}()
	t.Cleanup(func() {
		pw.Close()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("imapsh did not exit")
		}
		cancel()
		if t.Failed() {
			t.Logf("stderr:\n%s", s.stderr.String())
		}
	})
	s.waitStderr(demoAddrRE.String())
	s.addr = demoAddrRE.FindStringSubmatch(s.stderr.String())[1]
	return s
}

// waitStderr waits until stderr matches the regular expression.
func (s *session) waitStderr(re string) {
	s.t.Helper()
	r := regexp.MustCompile(re)
	deadline := time.Now().Add(60 * time.Second)
	for !r.MatchString(s.stderr.String()) {
		if time.Now().After(deadline) {
			s.t.Fatalf("stderr never matched %q:\n%s", re, s.stderr.String())
		}
		select {
		case code := <-s.done:
			s.done <- code
			s.t.Fatalf("imapsh exited (%d) before stderr matched %q:\n%s", code, re, s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *session) send(cmd string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, cmd+"\n"); err != nil {
		s.t.Fatalf("send %q: %v", cmd, err)
	}
}

// line returns the next JSON value the shell printed.
func (s *session) line() map[string]any {
	s.t.Helper()
	select {
	case l := <-s.lines:
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			s.t.Fatalf("output is not a JSON object: %q: %v", l, err)
		}
		return m
	case <-time.After(60 * time.Second):
		s.t.Fatalf("no output; stderr:\n%s", s.stderr.String())
	}
	return nil
}

// do runs a command that prints one value and returns it.
func (s *session) do(cmd string) map[string]any {
	s.t.Helper()
	s.send(cmd)
	return s.line()
}

// mustDo is do for a command that must succeed.
func (s *session) mustDo(cmd string) map[string]any {
	s.t.Helper()
	m := s.do(cmd)
	if e, ok := m["error"]; ok {
		s.t.Fatalf("%s: %v", cmd, e)
	}
	return m
}

// client opens a second connection to the session's demo server.
func (s *session) client() *imapclient.Client {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := imapclient.Dial(ctx, s.addr, &imapclient.Options{Security: imapclient.StartTLS,
		TLSConfig: &tls.Config{InsecureSkipVerify: true}, Logger: discardLogger()})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, demoUser, demoPassword); err != nil {
		s.t.Fatal(err)
	}
	return c
}

func testMessage(subject string) []byte {
	return []byte("From: Tester <tester@example.com>\r\nTo: demo@example.com\r\nSubject: " + subject +
		"\r\nDate: Mon, 6 May 2024 10:00:00 +0200\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") +
		"@test.example>\r\n\r\nFrom the test, a line that starts with From.\r\nBye.\r\n")
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// num reads a JSON number.
func num(t *testing.T, m map[string]any, key string) int {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%s is not a number in %v", key, m)
	}
	return int(v)
}
