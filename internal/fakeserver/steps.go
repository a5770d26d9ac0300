package fakeserver

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Step is one step of a script. Make steps with the functions of this
// package.
type Step struct {
	desc string
	run  func(p *Peer) error
}

// String describes the step for error messages.
func (s Step) String() string { return s.desc }

// Script is a list of steps, played in order.
type Script = []Step

func quote(s string) string {
	q := strconv.Quote(s)
	if len(q) > 120 {
		q = q[:120] + "...\""
	}
	return q
}

// S sends line followed by CRLF.
func S(line string) Step {
	return Step{"S(" + quote(line) + ")", func(p *Peer) error { return p.WriteLine(line) }}
}

// SRaw sends b as it is, in one write, without adding CRLF: half lines,
// several responses at once, literal data.
func SRaw(b []byte) Step {
	b = bytes.Clone(b)
	return Step{fmt.Sprintf("SRaw(%d bytes)", len(b)), func(p *Peer) error { return p.Write(b) }}
}

// C expects the client to send exactly line followed by CRLF.
func C(line string) Step {
	return Step{"C(" + quote(line) + ")", func(p *Peer) error {
		got, err := p.ReadLine()
		if err != nil {
			return err
		}
		if got != line {
			return fmt.Errorf("client sent %q, want %q", got, line)
		}
		return nil
	}}
}

// CMatch expects a client line (without its CRLF) that matches the regular
// expression re entirely. It panics if re does not compile.
func CMatch(re string) Step {
	rx := regexp.MustCompile(`\A(?:` + re + `)\z`)
	return Step{"CMatch(" + quote(re) + ")", func(p *Peer) error {
		got, err := p.ReadLine()
		if err != nil {
			return err
		}
		if !rx.MatchString(got) {
			return fmt.Errorf("client sent %q, which does not match %q", got, re)
		}
		return nil
	}}
}

// CLiteral expects n bytes of literal data, whatever they hold.
func CLiteral(n int) Step {
	return Step{fmt.Sprintf("CLiteral(%d)", n), func(p *Peer) error {
		_, err := p.ReadFull(n)
		return err
	}}
}

// CBytes expects the client to send exactly data (literal data, without
// CRLF).
func CBytes(data string) Step {
	return Step{"CBytes(" + quote(data) + ")", func(p *Peer) error {
		got, err := p.ReadFull(len(data))
		if err != nil {
			return err
		}
		if string(got) != data {
			return fmt.Errorf("client sent %q, want %q", got, data)
		}
		return nil
	}}
}

// CClose expects the client to close the connection, sending nothing more.
func CClose() Step {
	return Step{"CClose()", func(p *Peer) error {
		p.deadline(p.s.opts.timeout())
		b, err := p.br.Peek(1)
		if err == nil {
			b, _ = p.br.Peek(p.br.Buffered())
			p.s.record("C:", b)
			return fmt.Errorf("client sent %q instead of closing", b)
		}
		if hungUp(err) {
			return nil
		}
		return p.readErr(err, "")
	}}
}

// Quiet expects the client to send nothing for d: it proves, for example,
// that the client waits for a continuation request before literal data.
func Quiet(d time.Duration) Step {
	return Step{fmt.Sprintf("Quiet(%v)", d), func(p *Peer) error { return p.quiet(d) }}
}

// Sleep pauses for d.
func Sleep(d time.Duration) Step {
	return Step{fmt.Sprintf("Sleep(%v)", d), func(p *Peer) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-p.s.stop:
			return fmt.Errorf("interrupted")
		}
	}}
}

// Close closes the connection. It is normally the last step.
func Close() Step {
	return Step{"Close()", func(p *Peer) error {
		p.hangUp()
		return nil
	}}
}

// Hold stops reading and writing until the client closes the connection: a
// server that went silent. Client data during Hold is an error. It is
// normally the last step.
func Hold() Step {
	return Step{"Hold()", func(p *Peer) error {
		p.idle = true
		p.s.setIdle()
		return p.waitHangUp()
	}}
}

// StartTLS runs the server side of a TLS handshake once the previous steps
// are done (after the tagged OK to STARTTLS); the following steps speak
// over TLS. A nil config means ServerTLSConfig. Client data received
// before the handshake is an error.
func StartTLS(config *tls.Config) Step {
	return Step{"StartTLS()", func(p *Peer) error { return p.startTLS(config) }}
}

// Do runs fn, for exchanges that must be computed rather than written down
// (a SCRAM server, a reply that echoes a client nonce). desc names the step
// in error messages.
func Do(desc string, fn func(p *Peer) error) Step {
	return Step{"Do(" + desc + ")", fn}
}
