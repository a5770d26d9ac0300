package sasl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const plainName = "PLAIN"

// plain implements the PLAIN mechanism (RFC 4616).
type plain struct {
	authzid, username, password string
	started                     bool
}

// NewPlain returns a PLAIN mechanism (RFC 4616). authzid is the identity to
// act as, or "" to act as username. The credentials are sent as given, in
// UTF-8, without SASLprep: RFC 4616 section 2 leaves preparation to the
// server. PLAIN reveals the password to the server and must only be used
// over TLS.
//
// Start fails if a field contains NUL, is not valid UTF-8, or if username
// or password is empty (RFC 4616 section 2). PLAIN has an initial response
// and expects no challenge.
func NewPlain(authzid, username, password string) Mechanism {
	return &plain{authzid: authzid, username: username, password: password}
}

// Name returns "PLAIN".
func (m *plain) Name() string { return plainName }

// Start returns the message authzid NUL authcid NUL passwd (RFC 4616
// section 2) as the initial response.
func (m *plain) Start() ([]byte, bool, error) {
	if m.started {
		return nil, false, newError(plainName, "mechanism already started")
	}
	m.started = true
	for _, f := range []struct{ name, value string }{
		{"authorization identity", m.authzid},
		{"username", m.username},
		{"password", m.password},
	} {
		// RFC 4616 section 2: every field is UTF-8 without NUL
		// (UTF8-SAFE); authcid and passwd are non-empty.
		if strings.IndexByte(f.value, 0) >= 0 {
			return nil, false, newError(plainName, f.name+" contains NUL")
		}
		if !utf8.ValidString(f.value) {
			return nil, false, newError(plainName, f.name+" is not valid UTF-8")
		}
	}
	if m.username == "" {
		return nil, false, newError(plainName, "empty username")
	}
	if m.password == "" {
		return nil, false, newError(plainName, "empty password")
	}
	msg := make([]byte, 0, len(m.authzid)+len(m.username)+len(m.password)+2)
	msg = append(msg, m.authzid...)
	msg = append(msg, 0)
	msg = append(msg, m.username...)
	msg = append(msg, 0)
	msg = append(msg, m.password...)
	return msg, true, nil
}

// Next fails: the server sends no challenge after the PLAIN message
// (RFC 4616 section 2).
func (m *plain) Next(challenge []byte) ([]byte, error) {
	return nil, newError(plainName, "unexpected server challenge")
}

// SecretResponses returns true: the response contains the password.
func (m *plain) SecretResponses() bool { return true }

// Format prints only the mechanism name, never the credentials.
func (m *plain) Format(f fmt.State, verb rune) { formatMechanism(f, plainName) }
