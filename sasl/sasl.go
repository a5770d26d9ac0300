package sasl

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Mechanism is one client-side SASL exchange (RFC 4422 section 3). A
// Mechanism is used for one authentication only; it is not safe for
// concurrent use.
type Mechanism interface {
	// Name returns the IANA mechanism name, e.g. "PLAIN" or
	// "SCRAM-SHA-256".
	Name() string

	// Start begins the exchange. ir is the initial response; hasIR
	// reports whether the mechanism has one. An empty initial response
	// is different from none: with SASL-IR it is sent as "=" (RFC 4959
	// section 3). Start may be called only once.
	Start() (ir []byte, hasIR bool, err error)

	// Next answers a server challenge, which the caller has already
	// base64-decoded. It returns the response to send. An error means
	// the caller must abort the exchange (RFC 4422 section 3.5).
	Next(challenge []byte) (response []byte, err error)
}

// Finisher is implemented by mechanisms that must check data the server
// sends when the exchange completes, such as the SCRAM server signature.
//
// RFC 4422 section 3.6 lets the server carry this data either as
// "additional data with success" in its success outcome, or, when the
// protocol has no place for such data, as a final challenge which the
// client answers with an empty response. In the
// second case the mechanism consumes the data in [Mechanism.Next]. In
// both cases, once the server reports success the caller must call
// Finish, passing the additional data with success, or nil when there was
// none. Finish returns an error when the data is wrong or when the
// exchange completed without the mechanism having verified the server;
// the caller must then treat authentication as failed.
type Finisher interface {
	// Finish checks serverFinal, the additional data with success (nil
	// if none), and reports whether the exchange completed correctly.
	Finish(serverFinal []byte) error
}

// Verifier is implemented by mechanisms that authenticate the server, such
// as SCRAM.
type Verifier interface {
	// Verified reports whether the server has proved its identity, that
	// is, whether its final message was checked successfully.
	Verified() bool
}

// ServerErrorReporter is implemented by mechanisms whose servers report
// failure details inside a challenge before failing the command, such as
// the JSON error of XOAUTH2 and OAUTHBEARER (RFC 7628 section 3.2.2).
type ServerErrorReporter interface {
	// ServerError returns the error document the server sent, or "" if
	// it sent none. The text comes from the server and is not trusted.
	ServerError() string
}

// Secret is implemented by mechanisms to tell loggers which values are
// secret. Every mechanism in this package implements it and reports that
// all of its responses are secret.
//
// Callers must redact every client response (the initial response and
// every answer to a challenge) from logs, traces and error messages,
// whether or not a mechanism implements Secret: not implementing it does
// not mean the responses are safe to reveal. Server challenges may be
// logged.
type Secret interface {
	// SecretResponses reports whether the mechanism's responses contain
	// secrets. It returns true for every mechanism in this package.
	SecretResponses() bool
}

// Error is an error reported by a mechanism. Its message never contains a
// password or token.
type Error struct {
	// Mechanism is the name of the mechanism that failed.
	Mechanism string
	// Msg describes the failure.
	Msg string
}

// Error returns the message, prefixed with "sasl" and the mechanism name.
func (e *Error) Error() string {
	return "sasl: " + e.Mechanism + ": " + e.Msg
}

func newError(mech, msg string) *Error {
	return &Error{Mechanism: mech, Msg: msg}
}

// quoteServer returns a short, printable rendering of text received from
// the server, safe to include in an error message.
func quoteServer(s string) string {
	const limit = 100
	var b strings.Builder
	b.WriteByte('"')
	n := 0
	for _, r := range s {
		if n == limit {
			b.WriteString("...")
			break
		}
		n++
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, r == '"', r == '\\':
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hasControl reports whether s contains an ASCII control character
// (including NUL and DEL).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// saslname encodes a user name as a saslname: "=" becomes "=3D" and ","
// becomes "=2C" (RFC 5802 section 5.1; RFC 5801 section 4).
func saslname(s string) string {
	if !strings.ContainsAny(s, "=,") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '=':
			b.WriteString("=3D")
		case ',':
			b.WriteString("=2C")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// formatMechanism implements fmt.Formatter for the mechanism types: whatever
// the verb, only the mechanism name is printed, so that formatting a
// mechanism (with %v, %+v, %#v, %d, ...) cannot reveal its credentials.
func formatMechanism(f fmt.State, name string) {
	io.WriteString(f, "sasl.Mechanism("+name+")")
}
