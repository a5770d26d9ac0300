package fakeserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultTimeout is the default of Options.Timeout.
const DefaultTimeout = 10 * time.Second

// Options configure a Server. Nil means the zero value.
type Options struct {
	// TLS, when set, makes the server speak implicit TLS: the handshake
	// runs as soon as the client connects, before the first step.
	TLS *tls.Config
	// Timeout bounds every wait for the client (a line, literal data, a
	// TLS handshake) and every write, and how long Close waits for an
	// unfinished script. Zero means DefaultTimeout.
	Timeout time.Duration
}

func (o *Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// Server plays a script on the first connection accepted on its listener.
type Server struct {
	ln     net.Listener
	opts   Options
	script []Step

	accepted chan struct{} // closed once a connection was accepted (or Accept failed)
	idle     chan struct{} // closed when the script only waits for the client to hang up
	stop     chan struct{} // closed by Close: interrupt whatever is under way
	done     chan struct{} // closed when the script goroutine has returned

	closeOnce sync.Once

	mu         sync.Mutex
	conn       net.Conn // the accepted connection, nil before
	idleOnce   sync.Once
	errs       []error
	transcript []string
}

// maxTranscript is how many exchanged lines a Server keeps for its error
// messages.
const maxTranscript = 40

// Listen starts a server on 127.0.0.1 with a free port. It accepts one
// connection and plays script on it. Call Close when done: it returns the
// script mismatches.
func Listen(opts *Options, script ...Step) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeserver: listen: %w", err)
	}
	s := &Server{
		ln:       ln,
		script:   script,
		accepted: make(chan struct{}),
		idle:     make(chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if opts != nil {
		s.opts = *opts
	}
	go s.run()
	return s, nil
}

// StartServer is Listen for a test: the server is closed by t.Cleanup, which
// reports every script mismatch with t.Errorf.
func StartServer(t testing.TB, opts *Options, script ...Step) *Server {
	t.Helper()
	s, err := Listen(opts, script...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// Start plays script for a test on a plain TCP connection over loopback and
// returns the client's end. At the end of the test the client's end is
// closed, then the server, and every script mismatch is reported with
// t.Errorf.
func Start(t testing.TB, script ...Step) net.Conn {
	t.Helper()
	s := StartServer(t, nil, script...)
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("fakeserver: dial: %v", err)
	}
	<-s.accepted
	t.Cleanup(func() { nc.Close() }) // runs before the server's cleanup
	return nc
}

// Addr returns the listener's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done is closed when the script has finished (or failed) and the server's
// goroutine has returned.
func (s *Server) Done() <-chan struct{} { return s.done }

// Close ends the server and returns the script's mismatches, if any. When
// a client connected and the script is still under way, it first waits, up
// to Options.Timeout, for the script to finish; then it closes the
// connection and waits for the server's goroutine. It may be called more
// than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		select {
		case <-s.accepted:
			select {
			case <-s.done:
			case <-s.idle:
			case <-time.After(s.opts.timeout()):
			}
		default: // no client came: nothing to wait for
		}
		close(s.stop)
		s.ln.Close()
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.mu.Unlock()
		<-s.done
	})
	return s.Err()
}

// Err returns the mismatches found so far, joined, or nil.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

func (s *Server) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *Server) setIdle() { s.idleOnce.Do(func() { close(s.idle) }) }

// fail records a mismatch with the end of the transcript.
func (s *Server) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if len(s.transcript) > 0 {
		msg += "\n\ttranscript (last lines):\n\t\t" + strings.Join(s.transcript, "\n\t\t")
	}
	s.errs = append(s.errs, errors.New("fakeserver: "+msg))
}

func (s *Server) record(dir string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := fmt.Sprintf("%q", b)
	if len(q) > 200 {
		q = q[:200] + fmt.Sprintf("...(%d bytes)", len(b))
	}
	s.transcript = append(s.transcript, dir+" "+q)
	if n := len(s.transcript); n > maxTranscript {
		s.transcript = append(s.transcript[:0], s.transcript[n-maxTranscript:]...)
	}
}

func (s *Server) run() {
	defer close(s.done)
	nc, err := s.ln.Accept()
	s.ln.Close()
	if err != nil {
		close(s.accepted)
		s.fail("no client connected (%v)", err)
		return
	}
	s.mu.Lock()
	s.conn = nc
	s.mu.Unlock()
	close(s.accepted)
	p := &Peer{s: s, raw: nc, conn: nc, br: bufio.NewReader(nc)}
	defer p.hangUp()
	if s.opts.TLS != nil {
		if err := p.startTLS(s.opts.TLS); err != nil {
			s.fail("implicit TLS: %v", err)
			return
		}
	}
	for i, st := range s.script {
		if err := st.run(p); err != nil {
			if s.stopped() && p.idle {
				return // the client left while the script waited for that
			}
			if s.stopped() {
				s.fail("the test ended before the script did: step %d %s: %v", i+1, st, err)
			} else {
				s.fail("step %d %s: %v", i+1, st, err)
			}
			return
		}
	}
	if p.closed {
		return
	}
	// The script is over: the client may only hang up now.
	p.idle = true
	s.setIdle()
	if err := p.waitHangUp(); err != nil && !s.stopped() {
		s.fail("after the last step: %v", err)
	}
}
