package imapmemserver

import (
	"net"
	"sync"
	"time"
)

// Faults make a server misbehave, for testing how a client copes. Each
// connection counts for itself from its start: the greeting is not a
// command, and every command the client sends counts, whatever it is
// (CAPABILITY, LOGIN, ...). The zero value injects nothing.
type Faults struct {
	// DropAfterBytes, when > 0, closes the connection once that many
	// bytes have been written to it (the TLS records when TLS is on): the
	// response in progress is cut at that byte.
	DropAfterBytes int
	// DropAfterCommands, when > 0, closes the connection without an
	// answer when the client sends command number DropAfterCommands+1.
	DropAfterCommands int
	// ByeAfterCommands, when > 0, answers command number
	// ByeAfterCommands+1 with "* BYE" and closes the connection.
	ByeAfterCommands int
	// Delay, when > 0, is waited before each write to the connection,
	// that is before the greeting and before the responses to each
	// command (and each continuation request).
	Delay time.Duration
	// Garbage, when not empty, is written as it is, after the greeting
	// (GarbageAfterCommands == 0) or after the answer to command number
	// GarbageAfterCommands. Include a CRLF to make it one bad line.
	Garbage              []byte
	GarbageAfterCommands int
	// MalformedFetch replaces the first FETCH response of every FETCH
	// command (and of STORE without .SILENT) with a line that does not
	// parse ("* 1 FETCH (UID 1 FLAGS (\Seen)": a parenthesis is missing),
	// framed correctly so that a client can skip it.
	MalformedFetch bool
	// NoGreetingCapability leaves the [CAPABILITY ...] code out of the
	// greeting, so that a client must ask with CAPABILITY.
	NoGreetingCapability bool
	// OmitFetchUID leaves UID out of the FETCH responses to UID FETCH and
	// UID STORE, as some old servers did (RFC 3501 requires it).
	OmitFetchUID bool
	// NoCommands maps a command name ("SELECT", "UID FETCH", upper case)
	// to a text: that command is refused with "tag NO " and the text,
	// which may start with a response code ("[UNAVAILABLE] try later").
	NoCommands map[string]string
}

// clone returns a copy that the caller cannot change any more.
func (f *Faults) clone() *Faults {
	if f == nil {
		return &Faults{}
	}
	c := *f
	c.Garbage = append([]byte(nil), f.Garbage...)
	if f.NoCommands != nil {
		c.NoCommands = make(map[string]string, len(f.NoCommands))
		for k, v := range f.NoCommands {
			c.NoCommands[k] = v
		}
	}
	return &c
}

// faultConn wraps a connection's raw net.Conn: it counts the bytes
// written, cuts the connection after DropAfterBytes and waits Delay before
// each write. Only the session's goroutines write through it, one at a
// time; the mutex makes the counter safe anyway.
type faultConn struct {
	net.Conn
	faults *Faults
	stop   <-chan struct{} // the server is closing: stop waiting

	mu      sync.Mutex
	written int
	dropped bool
}

// Write implements net.Conn.
func (c *faultConn) Write(p []byte) (int, error) {
	if d := c.faults.Delay; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-c.stop:
			t.Stop()
			return 0, net.ErrClosed
		}
	}
	limit := c.faults.DropAfterBytes
	if limit <= 0 {
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped {
		return 0, net.ErrClosed
	}
	room := limit - c.written
	if room >= len(p) {
		n, err := c.Conn.Write(p)
		c.written += n
		return n, err
	}
	n, err := c.Conn.Write(p[:room])
	c.written += n
	c.dropped = true
	// Half-close a socket so that what was written still reaches the
	// client; the session closes the connection when the write fails.
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		c.Conn.Close()
	}
	if err == nil {
		err = net.ErrClosed
	}
	return n, &net.OpError{Op: "write", Net: "imapmemserver", Err: err}
}
