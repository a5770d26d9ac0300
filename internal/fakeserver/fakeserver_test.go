package fakeserver_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// recorder is a testing.TB that keeps errors and cleanups, to test what
// the server reports.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// finish runs the cleanups, last registered first, as testing does, and
// returns the errors reported.
func (r *recorder) finish() string {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func newClient(t *testing.T, nc net.Conn) *client {
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) expect(line string) {
	c.t.Helper()
	got, err := c.br.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, got)
	}
	if got != line+"\r\n" {
		c.t.Fatalf("got %q, want %q", got, line+"\r\n")
	}
}

func TestScriptPasses(t *testing.T) {
	r := &recorder{TB: t}
	nc := fakeserver.Start(r,
		fakeserver.S("* OK ready"),
		fakeserver.C("A1 LOGIN alice {5}"),
		fakeserver.Quiet(50*time.Millisecond),
		fakeserver.S("+ go on"),
		fakeserver.CBytes("s\r\ncr"),
		fakeserver.C(""),
		fakeserver.SRaw([]byte("A1 OK ")),
		fakeserver.Sleep(10*time.Millisecond),
		fakeserver.SRaw([]byte("done\r\n")),
		fakeserver.CMatch(`A2 NOOP( x)?`),
		fakeserver.CLiteral(3),
		fakeserver.Do("echo", func(p *fakeserver.Peer) error {
			line, err := p.ReadLine()
			if err != nil {
				return err
			}
			return p.WriteLine("* ECHO " + line)
		}),
	)
	c := newClient(t, nc)
	c.expect("* OK ready")
	c.send("A1 LOGIN alice {5}\r\n")
	c.expect("+ go on")
	c.send("s\r\ncr\r\n")
	c.expect("A1 OK done")
	c.send("A2 NOOP x\r\nabchello\r\n")
	c.expect("* ECHO hello")
	nc.Close()
	if errs := r.finish(); errs != "" {
		t.Errorf("unexpected report:\n%s", errs)
	}
}

// TestMismatches checks that each kind of script failure is reported.
func TestMismatches(t *testing.T) {
	tests := []struct {
		name   string
		script []fakeserver.Step
		client func(c *client)
		want   string
	}{
		{
			name:   "wrong line",
			script: []fakeserver.Step{fakeserver.C("A1 NOOP")},
			client: func(c *client) { c.send("A1 CAPABILITY\r\n") },
			want:   `client sent "A1 CAPABILITY", want "A1 NOOP"`,
		},
		{
			name:   "bare LF",
			script: []fakeserver.Step{fakeserver.C("A1 NOOP")},
			client: func(c *client) { c.send("A1 NOOP\n") },
			want:   "bare LF",
		},
		{
			name:   "missing line",
			script: []fakeserver.Step{fakeserver.S("* OK"), fakeserver.C("A1 NOOP")},
			client: func(c *client) { c.expect("* OK") },
			want:   `step 2 C("A1 NOOP"): the client closed the connection`,
		},
		{
			name:   "extra data",
			script: []fakeserver.Step{fakeserver.C("A1 NOOP")},
			client: func(c *client) { c.send("A1 NOOP\r\nA2 NOOP\r\n"); time.Sleep(50 * time.Millisecond) },
			want:   `after the last step: unexpected client data "A2 NOOP\r\n"`,
		},
		{
			name:   "not quiet",
			script: []fakeserver.Step{fakeserver.C("A1 X {1}"), fakeserver.Quiet(time.Second)},
			client: func(c *client) { c.send("A1 X {1}\r\n"); time.Sleep(20 * time.Millisecond); c.send("y") },
			want:   `the quiet period`, // during, or before when both writes came at once
		},
		{
			name:   "no match",
			script: []fakeserver.Step{fakeserver.CMatch(`A1 [0-9]+`)},
			client: func(c *client) { c.send("A1 x\r\n") },
			want:   `does not match`,
		},
		{
			name:   "data during hold",
			script: []fakeserver.Step{fakeserver.Hold()},
			client: func(c *client) { c.send("A1 NOOP\r\n"); time.Sleep(50 * time.Millisecond) },
			want:   `step 1 Hold(): unexpected client data "A1 NOOP\r\n"`,
		},
		{
			name:   "no close",
			script: []fakeserver.Step{fakeserver.CClose()},
			client: func(c *client) { c.send("A1 NOOP\r\n") },
			want:   `instead of closing`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			nc := fakeserver.Start(r, tt.script...)
			tt.client(newClient(t, nc))
			got := r.finish()
			if !strings.Contains(got, tt.want) {
				t.Errorf("report %q does not contain %q", got, tt.want)
			}
			if !strings.Contains(got, "transcript") && tt.name != "missing line" {
				t.Errorf("report %q has no transcript", got)
			}
		})
	}
}

func TestStepTimeout(t *testing.T) {
	s, err := fakeserver.Listen(&fakeserver.Options{Timeout: 100 * time.Millisecond}, fakeserver.C("A1 NOOP"))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// The server gives up and hangs up: the client sees EOF.
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("client read: %v, want EOF", err)
	}
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "no client data within 100ms") {
		t.Errorf("Close: %v", err)
	}
}

func TestCloseAndHold(t *testing.T) {
	r := &recorder{TB: t}
	nc := fakeserver.Start(r, fakeserver.S("* OK"), fakeserver.Close())
	c := newClient(t, nc)
	c.expect("* OK")
	if _, err := c.br.ReadByte(); err != io.EOF {
		t.Errorf("after Close: %v, want EOF", err)
	}
	if errs := r.finish(); errs != "" {
		t.Errorf("unexpected report:\n%s", errs)
	}

	// Hold ends quietly when the test ends without the client hanging up
	// first (the cleanup closes the client's end).
	r = &recorder{TB: t}
	fakeserver.Start(r, fakeserver.S("* OK"), fakeserver.Hold())
	start := time.Now()
	if errs := r.finish(); errs != "" {
		t.Errorf("unexpected report:\n%s", errs)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cleanup of a holding server took %v", d)
	}
}

func TestUnfinishedScript(t *testing.T) {
	// The test ends while the server sleeps: the remaining steps are
	// reported.
	r := &recorder{TB: t}
	s := fakeserver.StartServer(r, &fakeserver.Options{Timeout: 50 * time.Millisecond},
		fakeserver.S("* OK"), fakeserver.Sleep(time.Hour), fakeserver.S("* BYE"))
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	newClient(t, nc).expect("* OK")
	got := r.finish()
	if !strings.Contains(got, "the test ended before the script did: step 2 Sleep(1h0m0s)") {
		t.Errorf("report: %q", got)
	}
}

func TestNoClient(t *testing.T) {
	s, err := fakeserver.Listen(&fakeserver.Options{Timeout: 10 * time.Millisecond}, fakeserver.S("* OK"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "no client connected") {
		t.Errorf("Close: %v", err)
	}
}

func TestStartTLS(t *testing.T) {
	r := &recorder{TB: t}
	nc := fakeserver.Start(r,
		fakeserver.S("* OK"),
		fakeserver.C("A1 STARTTLS"),
		fakeserver.S("A1 OK begin"),
		fakeserver.StartTLS(nil),
		fakeserver.C("A2 NOOP"),
		fakeserver.S("A2 OK secure"),
	)
	c := newClient(t, nc)
	c.expect("* OK")
	c.send("A1 STARTTLS\r\n")
	c.expect("A1 OK begin")
	tc := tls.Client(nc, fakeserver.ClientTLSConfig())
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c = newClient(t, tc)
	c.send("A2 NOOP\r\n")
	c.expect("A2 OK secure")
	tc.Close()
	if errs := r.finish(); errs != "" {
		t.Errorf("unexpected report:\n%s", errs)
	}
}

func TestImplicitTLS(t *testing.T) {
	r := &recorder{TB: t}
	s := fakeserver.StartServer(r, &fakeserver.Options{TLS: fakeserver.ServerTLSConfig()},
		fakeserver.S("* OK secure"))
	cfg := fakeserver.ClientTLSConfig()
	cfg.ServerName = "127.0.0.1" // the IP SAN
	tc, err := tls.Dial("tcp", s.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, tc)
	c.expect("* OK secure")
	tc.Close()
	if errs := r.finish(); errs != "" {
		t.Errorf("unexpected report:\n%s", errs)
	}
}

// TestMain fails the run if a server goroutine outlives the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(); leaked != "" {
			fmt.Fprintf(os.Stderr, "leaked goroutines:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedGoroutines() string {
	var leaked []string
	for range 100 {
		leaked = leaked[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "internal/fakeserver.") && !strings.Contains(g, "fakeserver_test.TestMain") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	return strings.Join(leaked, "\n\n")
}
