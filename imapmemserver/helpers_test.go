package imapmemserver_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

// TestMain fails the run when a goroutine of this package outlives the
// tests: every test closes its server, and Close must wait for all of
// them.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaks := leakedGoroutines(); leaks != "" {
			fmt.Fprintf(os.Stderr, "goroutines left behind:\n%s\n", leaks)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedGoroutines() string {
	var leaks []string
	for range 100 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		leaks = leaks[:0]
		for g := range strings.SplitSeq(string(buf), "\n\n") {
			if strings.Contains(g, "imapmemserver.") && !strings.Contains(g, "imapmemserver_test.TestMain") &&
				!strings.Contains(g, "leakedGoroutines") {
				leaks = append(leaks, g)
			}
		}
		if len(leaks) == 0 {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	return strings.Join(leaks, "\n\n")
}

const testTimeout = 5 * time.Second

// newServer returns a server with user "alice" (password "pw"), closed at
// the end of the test.
func newServer(t *testing.T, opts *imapmemserver.Options) *imapmemserver.Server {
	t.Helper()
	srv := imapmemserver.New(opts)
	if err := srv.AddUser("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// client is a raw IMAP client: it writes lines and reads responses,
// literals included, with nothing of the client packages.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func newClient(t *testing.T, conn net.Conn) *client {
	t.Helper()
	t.Cleanup(func() { conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// dial connects over TCP and reads the greeting.
func dial(t *testing.T, addr string) (*client, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, conn)
	return c, c.read()
}

// pipe connects through Server.Pipe and reads the greeting.
func pipe(t *testing.T, srv *imapmemserver.Server) (*client, string) {
	t.Helper()
	c := newClient(t, srv.Pipe())
	return c, c.read()
}

// login opens a pipe connection and logs in as alice.
func login(t *testing.T, srv *imapmemserver.Server) *client {
	t.Helper()
	c, _ := pipe(t, srv)
	c.ok("LOGIN alice pw")
	return c
}

// netDial connects over TCP.
func netDial(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, testTimeout)
}

// tlsDial connects to the implicit-TLS listener.
func tlsDial(addr string, srv *imapmemserver.Server) (net.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: testTimeout}, "tcp", addr, srv.ClientTLSConfig())
}

// startTLS switches the connection to TLS.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.conn, cfg)
	tc.SetDeadline(time.Now().Add(testTimeout))
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
}

// write sends raw bytes.
func (c *client) write(s string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one response, literals inline, without the final CRLF.
func (c *client) read() string {
	c.t.Helper()
	s, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("read: %v (so far %q)", err, s)
	}
	return s
}

var literalRE = regexp.MustCompile(`\{(\d+)\}\r\n$`)

func (c *client) tryRead() (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	var b strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		m := literalRE.FindStringSubmatch(line)
		if m == nil {
			return strings.TrimSuffix(b.String(), "\r\n"), nil
		}
		n, _ := strconv.Atoi(m[1])
		data := make([]byte, n)
		if _, err := io.ReadFull(c.r, data); err != nil {
			return b.String(), err
		}
		b.Write(data)
	}
}

// send sends a command with the next tag and returns the tag.
func (c *client) send(cmd string) string {
	c.t.Helper()
	c.n++
	tag := "t" + strconv.Itoa(c.n)
	c.write(tag + " " + cmd + "\r\n")
	return tag
}

// result reads responses up to the tagged one for tag.
func (c *client) result(tag string) (untagged []string, status string) {
	c.t.Helper()
	for {
		line := c.read()
		if rest, ok := strings.CutPrefix(line, tag+" "); ok {
			return untagged, rest
		}
		untagged = append(untagged, line)
	}
}

// do runs a command and returns its untagged responses and status.
func (c *client) do(cmd string) ([]string, string) {
	c.t.Helper()
	return c.result(c.send(cmd))
}

// ok runs a command that must succeed.
func (c *client) ok(cmd string) []string {
	c.t.Helper()
	u, st := c.do(cmd)
	if !strings.HasPrefix(st, "OK") {
		c.t.Fatalf("%s: %s (untagged %q)", cmd, st, u)
	}
	return u
}

// expect runs a command whose status must start with prefix.
func (c *client) expect(cmd, prefix string) []string {
	c.t.Helper()
	u, st := c.do(cmd)
	if !strings.HasPrefix(st, prefix) {
		c.t.Fatalf("%s: got %q, want %q... (untagged %q)", cmd, st, prefix, u)
	}
	return u
}

// appendMsg appends msg to mailbox with a synchronising literal.
func (c *client) appendMsg(mailbox, flags, msg string) string {
	c.t.Helper()
	if flags != "" && !strings.HasSuffix(flags, " ") {
		flags += " "
	}
	tag := c.send(fmt.Sprintf("APPEND %s %s{%d}", mailbox, flags, len(msg)))
	if l := c.read(); !strings.HasPrefix(l, "+") {
		c.t.Fatalf("APPEND: expected a continuation request, got %q", l)
	}
	c.write(msg + "\r\n")
	_, st := c.result(tag)
	if !strings.HasPrefix(st, "OK") {
		c.t.Fatalf("APPEND: %s", st)
	}
	return st
}

// has reports whether one of lines contains every one of subs.
func has(lines []string, subs ...string) bool {
	for _, l := range lines {
		all := true
		for _, s := range subs {
			all = all && strings.Contains(l, s)
		}
		if all {
			return true
		}
	}
	return false
}

func mustHave(t *testing.T, lines []string, subs ...string) {
	t.Helper()
	if !has(lines, subs...) {
		t.Fatalf("no response with %q in:\n%s", subs, strings.Join(lines, "\n"))
	}
}

func message(subject, body string) string {
	return "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: " + subject +
		"\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") +
		"@example.com>\r\n\r\n" + body + "\r\n"
}
