package testrig_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/internal/testrig"
)

// These tests speak raw IMAP over sockets: they check the rig itself, not
// the client library.

const ioTimeout = 10 * time.Second

type rawConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newRaw(t *testing.T, c net.Conn) *rawConn {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	return &rawConn{t: t, conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) readLine() string {
	c.t.Helper()
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, line)
	}
	return strings.TrimRight(line, "\r\n")
}

func (c *rawConn) write(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// until reads lines until one starts with the tag or is a continuation
// request ("+"), and returns all lines read, the last one being that line.
func (c *rawConn) until(tag string) []string {
	c.t.Helper()
	var lines []string
	for {
		l := c.readLine()
		lines = append(lines, l)
		if strings.HasPrefix(l, tag+" ") || strings.HasPrefix(l, "+") {
			return lines
		}
	}
}

func (c *rawConn) capabilities() []string {
	c.t.Helper()
	c.write("c CAPABILITY")
	for _, l := range c.until("c") {
		if rest, ok := strings.CutPrefix(l, "* CAPABILITY "); ok {
			return strings.Fields(rest)
		}
	}
	c.t.Fatal("no CAPABILITY response")
	return nil
}

func last(lines []string) string { return lines[len(lines)-1] }

func dialPlain(t *testing.T, d *testrig.Server) *rawConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", d.Addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c := newRaw(t, conn)
	if g := c.readLine(); !strings.HasPrefix(g, "* OK") {
		t.Fatalf("greeting %q, want * OK", g)
	}
	return c
}

func dialTLS(t *testing.T, d *testrig.Server) *rawConn {
	t.Helper()
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: ioTimeout}, Config: d.TLSConfig(t)}
	conn, err := dialer.Dial("tcp", d.TLSAddr)
	if err != nil {
		t.Fatal(err)
	}
	c := newRaw(t, conn)
	if g := c.readLine(); !strings.HasPrefix(g, "* OK") {
		t.Fatalf("greeting %q, want * OK", g)
	}
	return c
}

func TestPlainGreetingAndCapabilities(t *testing.T) {
	d := testrig.RequireDovecot(t)
	c := dialPlain(t, d)
	caps := c.capabilities()
	t.Logf("capabilities before login: %s", strings.Join(caps, " "))
	for _, want := range []string{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "AUTH=SCRAM-SHA-256", "AUTH=XOAUTH2", "AUTH=OAUTHBEARER"} {
		if !slices.Contains(caps, want) {
			t.Errorf("pre-login CAPABILITY lacks %s", want)
		}
	}
	c.write(`a LOGIN dave "p a\"ss\\word"`)
	if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
		t.Fatalf("LOGIN dave: %q", l)
	}
	caps = c.capabilities()
	t.Logf("capabilities after login: %s", strings.Join(caps, " "))
	for _, want := range []string{"IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "METADATA", "SPECIAL-USE", "COMPRESS=DEFLATE", "QUOTA", "ACL", "NOTIFY"} {
		if !slices.Contains(caps, want) {
			t.Errorf("post-login CAPABILITY lacks %s", want)
		}
	}
}

func TestTLSGreeting(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d)
	c.write("a LOGOUT")
	if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
		t.Fatalf("LOGOUT: %q", l)
	}
}

func TestStartTLS(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialPlain(t, d)
	c.write("a STARTTLS")
	if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
		t.Fatalf("STARTTLS: %q", l)
	}
	tc := tls.Client(c.conn, d.TLSConfig(t))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake after STARTTLS: %v", err)
	}
	c = newRaw(t, tc)
	c.write("a NOOP")
	if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
		t.Fatalf("NOOP over TLS: %q", l)
	}
}

func TestWrongCARejected(t *testing.T) {
	d := testrig.RequireServer(t)
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: ioTimeout},
		Config:    &tls.Config{RootCAs: d.WrongRootCAs(t), ServerName: "localhost"},
	}
	conn, err := dialer.Dial("tcp", d.TLSAddr)
	if err == nil {
		conn.Close()
		t.Fatal("TLS handshake verified against the wrong CA")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("error %v, want x509.UnknownAuthorityError", err)
	}
}

// TestUsersAuthenticatePlain proves every user's password as the rig
// configured it on every target (AUTHENTICATE PLAIN carries the UTF-8
// bytes unquoted).
func TestUsersAuthenticatePlain(t *testing.T) {
	d := testrig.RequireServer(t)
	for _, u := range testrig.Users() {
		c := dialTLS(t, d)
		resp := base64.StdEncoding.EncodeToString([]byte("\x00" + u.Name + "\x00" + u.Password))
		c.write("a AUTHENTICATE PLAIN " + resp)
		if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
			t.Errorf("AUTHENTICATE PLAIN %s: %q", u.Name, l)
		}
	}
}

func xoauth2(user, token string) string {
	return base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01"))
}

func TestOAuth(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "oauth")

	t.Run("XOAUTH2", func(t *testing.T) {
		c := dialTLS(t, d)
		c.write("a AUTHENTICATE XOAUTH2 " + xoauth2("alice", d.MintOAuthToken(t, "alice", time.Minute)))
		if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
			t.Fatalf("AUTHENTICATE XOAUTH2: %q (see %s)", l, d.LogFile)
		}
	})
	t.Run("OAUTHBEARER", func(t *testing.T) {
		c := dialTLS(t, d)
		tok := d.MintOAuthToken(t, "bob", time.Minute)
		ir := base64.StdEncoding.EncodeToString([]byte("n,a=bob,\x01auth=Bearer " + tok + "\x01\x01"))
		c.write("a AUTHENTICATE OAUTHBEARER " + ir)
		if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
			t.Fatalf("AUTHENTICATE OAUTHBEARER: %q (see %s)", l, d.LogFile)
		}
	})
	// The server really validates: an expired token and a token for another
	// user are refused (after an error challenge the client answers empty).
	for name, tok := range map[string]string{
		"expired":    d.MintOAuthToken(t, "alice", -time.Minute),
		"other user": d.MintOAuthToken(t, "bob", time.Minute),
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			t.Parallel() // each refusal takes Dovecot's 0.5 s failure floor
			c := dialTLS(t, d)
			c.write("a AUTHENTICATE XOAUTH2 " + xoauth2("alice", tok))
			l := last(c.until("a"))
			if strings.HasPrefix(l, "+") {
				c.write("")
				l = last(c.until("a"))
			}
			if !strings.HasPrefix(l, "a NO") {
				t.Fatalf("got %q, want a NO", l)
			}
		})
	}
}

// TestSCRAMSHA256 runs a bare-bones SCRAM-SHA-256 exchange (RFC 7677) for
// Carol, whose password is non-ASCII.
func TestSCRAMSHA256(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "scram")
	c := dialTLS(t, d)
	u := testrig.Carol
	nonce := make([]byte, 18)
	rand.Read(nonce)
	clientFirstBare := "n=" + u.Name + ",r=" + base64.StdEncoding.EncodeToString(nonce)
	c.write("a AUTHENTICATE SCRAM-SHA-256 " + base64.StdEncoding.EncodeToString([]byte("n,,"+clientFirstBare)))
	l := last(c.until("a"))
	serverFirst := decodeChallenge(t, l)
	attrs := map[string]string{}
	for kv := range strings.SplitSeq(serverFirst, ",") {
		k, v, _ := strings.Cut(kv, "=")
		attrs[k] = v
	}
	salt, err := base64.StdEncoding.DecodeString(attrs["s"])
	if err != nil {
		t.Fatalf("salt: %v", err)
	}
	var iter int
	for _, ch := range attrs["i"] {
		iter = iter*10 + int(ch-'0')
	}
	salted, err := pbkdf2.Key(sha256.New, u.Password, salt, iter, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	withoutProof := "c=biws,r=" + attrs["r"]
	authMsg := clientFirstBare + "," + serverFirst + "," + withoutProof
	sig := mac(storedKey[:], authMsg)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	c.write(base64.StdEncoding.EncodeToString([]byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof))))
	l = last(c.until("a"))
	if strings.HasPrefix(l, "+") {
		serverFinal := decodeChallenge(t, l)
		wantV := "v=" + base64.StdEncoding.EncodeToString(mac(mac(salted, "Server Key"), authMsg))
		if serverFinal != wantV {
			t.Errorf("server-final %q, want %q", serverFinal, wantV)
		}
		c.write("")
		l = last(c.until("a"))
	}
	if !strings.HasPrefix(l, "a OK") {
		t.Fatalf("SCRAM-SHA-256: %q", l)
	}
}

func decodeChallenge(t *testing.T, line string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(line, "+ ")
	if !ok {
		t.Fatalf("want a continuation request, got %q", line)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("challenge %q: %v", line, err)
	}
	return string(b)
}

// TestExecPREAUTH checks the stdin/stdout IMAP session that DialCommand tests
// will use.
func TestExecPREAUTH(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "exec")
	args := d.ExecArgs(testrig.Alice.Name)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = strings.NewReader("a CAPABILITY\r\nb LOGOUT\r\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.WaitDelay = ioTimeout
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], "* PREAUTH ") || !strings.Contains(lines[0], "alice") {
		t.Fatalf("greeting %q, want * PREAUTH ... alice", lines[0])
	}
	for _, want := range []string{"METADATA", "QUOTA", "COMPRESS=DEFLATE"} {
		if !strings.Contains(lines[0], " "+want) {
			t.Errorf("PREAUTH capabilities lack %s: %q", want, lines[0])
		}
	}
	if l := lines[len(lines)-1]; !strings.HasPrefix(l, "b OK") {
		t.Errorf("last line %q, want b OK", l)
	}
}

func TestSilentListener(t *testing.T) {
	addr := testrig.SilentListener(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := conn.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read = %d, %v; want a timeout", n, err)
	}
}

func TestClosingListener(t *testing.T) {
	addr := testrig.ClosingListener(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(ioTimeout))
	n, err := conn.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("Read = %d, %v; want EOF or a reset", n, err)
	}
}

// TestCapabilitiesMatchLacks checks the Lacks table against what the
// target announces after login: a feature the table says the target has
// is announced, and one it lacks (an extension) is not.
func TestCapabilitiesMatchLacks(t *testing.T) {
	d := testrig.RequireServer(t)
	c := dialTLS(t, d)
	c.write(`a LOGIN dave "p a\"ss\\word"`)
	if l := last(c.until("a")); !strings.HasPrefix(l, "a OK") {
		t.Fatalf("LOGIN dave: %q", l)
	}
	caps := c.capabilities()
	has := func(names ...string) bool {
		for _, n := range names {
			if !slices.Contains(caps, n) {
				return false
			}
		}
		return true
	}
	for feature, capNames := range map[string][]string{
		"acl": {"ACL"}, "binary": {"BINARY"}, "catenate": {"CATENATE"}, "compress": {"COMPRESS=DEFLATE"},
		"condstore": {"CONDSTORE"}, "esearch": {"ESEARCH"}, "idle": {"IDLE"}, "list-status": {"LIST-STATUS"},
		"metadata": {"METADATA"}, "move": {"MOVE"}, "multiappend": {"MULTIAPPEND"}, "notify": {"NOTIFY"},
		"preview": {"PREVIEW"}, "qresync": {"QRESYNC"}, "quota": {"QUOTA"}, "savedate": {"SAVEDATE"},
		"searchres": {"SEARCHRES"}, "sort": {"SORT"}, "status-size": {"STATUS=SIZE"},
		"thread": {"THREAD=REFERENCES"}, "within": {"WITHIN"},
	} {
		if got := has(capNames...); got != d.Has(feature) {
			t.Errorf("%s: Has(%q) = %v, but the capabilities after login %s %v", d.Name, feature, d.Has(feature),
				map[bool]string{true: "include", false: "lack"}[got], capNames)
		}
	}
}

func TestFeatureTable(t *testing.T) {
	for target, lacks := range testrig.Lacks {
		for f, why := range lacks {
			if _, ok := testrig.Features[f]; !ok || why == "" {
				t.Errorf("Lacks[%s][%q]: not in Features, or no reason given", target, f)
			}
		}
	}
	if len(testrig.Lacks[testrig.TargetDovecot]) != 0 {
		t.Error("Dovecot is the reference: it lacks nothing")
	}
	s := &testrig.Server{Target: testrig.TargetMemserver, Name: "imapmemserver"}
	if s.Has("quota") || !s.Has("idle") {
		t.Error("memserver: Has(quota) or !Has(idle)")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Has of an unknown feature did not panic")
			}
		}()
		s.Has("no-such-feature")
	}()
}
