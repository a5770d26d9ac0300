package fakeserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// Peer is the server's end of the connection, as the steps see it. Do
// steps use it to compute an exchange.
type Peer struct {
	s    *Server
	raw  net.Conn // the accepted TCP connection
	conn net.Conn // raw, or the TLS connection over it
	br   *bufio.Reader

	closed bool // a Close step hung up
	idle   bool // waiting only for the client to hang up
}

// ReadLine reads one client line and returns it without its CRLF. A line
// that does not end in CRLF is an error, so is end of stream, and so is
// waiting longer than Options.Timeout.
func (p *Peer) ReadLine() (string, error) {
	p.deadline(p.s.opts.timeout())
	line, err := p.br.ReadString('\n')
	if line != "" {
		p.s.record("C:", []byte(line))
	}
	if err != nil {
		return "", p.readErr(err, line)
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("client line %q ends in a bare LF, not CRLF", line)
	}
	return line[:len(line)-2], nil
}

// ReadFull reads exactly n bytes of client data (literal data).
func (p *Peer) ReadFull(n int) ([]byte, error) {
	p.deadline(p.s.opts.timeout())
	buf := make([]byte, n)
	k, err := io.ReadFull(p.br, buf)
	if k > 0 {
		p.s.record("C:", buf[:k])
	}
	if err != nil {
		return nil, p.readErr(err, string(buf[:k]))
	}
	return buf, nil
}

// WriteLine sends line followed by CRLF.
func (p *Peer) WriteLine(line string) error {
	return p.Write([]byte(line + "\r\n"))
}

// Write sends b as it is, in one write.
func (p *Peer) Write(b []byte) error {
	if err := p.conn.SetWriteDeadline(time.Now().Add(p.s.opts.timeout())); err != nil {
		return err
	}
	p.s.record("S:", b)
	if _, err := p.conn.Write(b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// Buffered returns the number of client bytes read from the connection and
// not yet consumed by a step.
func (p *Peer) Buffered() int { return p.br.Buffered() }

func (p *Peer) deadline(d time.Duration) {
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
}

func (p *Peer) readErr(err error, partial string) error {
	var what string
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		what = "the client closed the connection"
	case errors.Is(err, os.ErrDeadlineExceeded):
		what = fmt.Sprintf("no client data within %v", p.s.opts.timeout())
	default:
		what = fmt.Sprintf("read: %v", err)
	}
	if partial != "" {
		what += fmt.Sprintf(" (after the partial data %q)", partial)
	}
	return errors.New(what)
}

// quiet checks that the client sends nothing for d.
func (p *Peer) quiet(d time.Duration) error {
	if n := p.br.Buffered(); n > 0 {
		b, _ := p.br.Peek(n)
		return fmt.Errorf("client sent %q before the quiet period", b)
	}
	p.deadline(d)
	_, err := p.br.Peek(1)
	switch {
	case err == nil:
		b, _ := p.br.Peek(p.br.Buffered())
		p.s.record("C:", b)
		return fmt.Errorf("client sent %q during the quiet period", b)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil
	}
	return p.readErr(err, "")
}

// waitHangUp waits, without a time limit, for the client to close its end.
// Data from the client is an error.
func (p *Peer) waitHangUp() error {
	_ = p.conn.SetReadDeadline(time.Time{})
	b, err := p.br.Peek(1)
	if err == nil {
		b, _ = p.br.Peek(p.br.Buffered())
		p.s.record("C:", b)
		return fmt.Errorf("unexpected client data %q", b)
	}
	if hungUp(err) {
		return nil
	}
	return p.readErr(err, "")
}

// hungUp reports whether a read error means that the client closed the
// connection: end of stream, or a reset when it closed with unread data.
func hungUp(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// startTLS runs the server side of a TLS handshake on the connection.
func (p *Peer) startTLS(cfg *tls.Config) error {
	if cfg == nil {
		cfg = ServerTLSConfig()
	}
	if n := p.br.Buffered(); n > 0 {
		b, _ := p.br.Peek(n)
		return fmt.Errorf("client sent %q before the TLS handshake", b)
	}
	tc := tls.Server(p.raw, cfg)
	_ = p.raw.SetDeadline(time.Now().Add(p.s.opts.timeout()))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	_ = p.raw.SetDeadline(time.Time{})
	p.conn = tc
	p.br = bufio.NewReader(tc)
	p.s.record("--", []byte("TLS handshake done"))
	return nil
}

// hangUp closes the connection, with a TLS close_notify when TLS is on.
func (p *Peer) hangUp() {
	if p.conn != p.raw {
		_ = p.raw.SetWriteDeadline(time.Now().Add(time.Second))
		_ = p.conn.Close()
	}
	_ = p.raw.Close()
	p.closed = true
}
