package imapmemserver_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

func faultServer(t *testing.T, f *imapmemserver.Faults) *imapmemserver.Server {
	return newServer(t, &imapmemserver.Options{Faults: f})
}

// readUntilEOF reads responses until the connection ends and returns
// them with the error that ended them.
func readUntilEOF(c *client) ([]string, error) {
	var lines []string
	for {
		l, err := c.tryRead()
		if err != nil {
			if l != "" {
				lines = append(lines, l)
			}
			return lines, err
		}
		lines = append(lines, l)
	}
}

func TestFaultDropAfterBytes(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		srv := faultServer(t, &imapmemserver.Faults{DropAfterBytes: 10})
		var c *client
		if tcp {
			conn, err := netDial(srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			c = newClient(t, conn)
		} else {
			c = newClient(t, srv.Pipe())
		}
		lines, err := readUntilEOF(c)
		if err != io.EOF || len(lines) != 1 || lines[0] != "* OK [CAPA" {
			t.Fatalf("tcp=%v: %q %v", tcp, lines, err)
		}
	}
	// Counted over the whole connection: the greeting passes, the
	// CAPABILITY response is cut.
	srv := faultServer(t, &imapmemserver.Faults{DropAfterBytes: 200, NoGreetingCapability: true})
	c, greet := pipe(t, srv)
	c.send("CAPABILITY")
	lines, err := readUntilEOF(c)
	if err != io.EOF || len(greet)+2+len(strings.Join(lines, "\r\n")) != 200 {
		t.Fatalf("%q %q %v", greet, lines, err)
	}
}

func TestFaultDropAfterCommands(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{DropAfterCommands: 2})
	c := login(t, srv)
	c.ok("NOOP")
	c.send("NOOP")
	if lines, err := readUntilEOF(c); err != io.EOF || len(lines) != 0 {
		t.Fatalf("%q %v", lines, err)
	}
}

func TestFaultBye(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{ByeAfterCommands: 1})
	c := login(t, srv)
	c.send("SELECT INBOX")
	lines, err := readUntilEOF(c)
	if err != io.EOF || len(lines) != 1 || !strings.HasPrefix(lines[0], "* BYE ") {
		t.Fatalf("%q %v", lines, err)
	}
}

func TestFaultDelay(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{Delay: 50 * time.Millisecond})
	start := time.Now()
	c := login(t, srv)
	c.ok("NOOP")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("greeting and two commands took %v", d)
	}
	// Close does not wait for the delays.
	c.send("NOOP")
	start = time.Now()
	srv.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
}

func TestFaultGarbage(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{Garbage: []byte("%%% garbage\r\n")})
	c, _ := pipe(t, srv)
	if l := c.read(); l != "%%% garbage" {
		t.Fatalf("got %q", l)
	}
	c.ok("NOOP")

	srv.SetFaults(&imapmemserver.Faults{Garbage: []byte("\x00\x01junk"), GarbageAfterCommands: 2})
	c, _ = pipe(t, srv)
	c.ok("NOOP")
	c.ok("NOOP")
	c.send("NOOP")
	if l := c.read(); !strings.HasPrefix(l, "\x00\x01junkt3 OK") {
		t.Fatalf("got %q", l)
	}
}

func TestFaultMalformedFetch(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{MalformedFetch: true})
	c := login(t, srv)
	c.appendMsg("INBOX", "", message("a", "x"))
	c.appendMsg("INBOX", "", message("b", "x"))
	c.ok("SELECT INBOX")
	u := c.ok("FETCH 1:2 (UID FLAGS)")
	if len(u) != 2 || u[0] != `* 1 FETCH (UID 1 FLAGS (\Seen)` || !strings.HasPrefix(u[1], "* 2 FETCH (UID 2 FLAGS (") {
		t.Fatalf("got %q", u)
	}
	u = c.ok(`STORE 1:2 +FLAGS (\Answered)`)
	if len(u) != 2 || u[0] != `* 1 FETCH (UID 1 FLAGS (\Seen)` {
		t.Fatalf("got %q", u)
	}
}

func TestFaultQuirksAndRefusals(t *testing.T) {
	srv := faultServer(t, &imapmemserver.Faults{
		NoGreetingCapability: true,
		OmitFetchUID:         true,
		NoCommands:           map[string]string{"EXAMINE": "[UNAVAILABLE] Try later", "CREATE": "Quota exceeded"},
	})
	c, greet := pipe(t, srv)
	if greet != "* OK imapmemserver ready" {
		t.Fatalf("greeting %q", greet)
	}
	c.ok("LOGIN alice pw")
	c.expect("EXAMINE INBOX", "NO [UNAVAILABLE] Try later")
	c.expect("CREATE x", "NO Quota exceeded")
	c.appendMsg("INBOX", "", message("a", "x"))
	c.ok("SELECT INBOX")
	u := c.ok("UID FETCH 1 (UID FLAGS)")
	if len(u) != 1 || strings.Contains(u[0], "UID") {
		t.Fatalf("got %q", u)
	}
	// SetFaults does not change open connections.
	srv.SetFaults(nil)
	c.expect("EXAMINE INBOX", "NO [UNAVAILABLE]")
	c2, greet := pipe(t, srv)
	if !strings.HasPrefix(greet, "* OK [CAPABILITY") {
		t.Fatal(greet)
	}
	c2.ok("LOGIN alice pw")
	c2.ok("EXAMINE INBOX")
}
