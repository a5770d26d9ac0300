package sasl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const loginName = "LOGIN"

// login implements the non-standard LOGIN mechanism
// (draft-murchison-sasl-login).
type login struct {
	username, password string
	started            bool
	ready              bool // Start succeeded
	step               int  // number of challenges answered
}

// NewLogin returns a LOGIN mechanism. LOGIN is obsolete and not
// standardised; prefer PLAIN, which servers offering LOGIN nearly always
// offer too. Like PLAIN, it reveals the password and must only be used
// over TLS.
//
// LOGIN has no initial response. The server sends two challenges,
// conventionally "Username:" and "Password:", but since their text varies
// between servers (and is sometimes localised), the mechanism answers by
// order: the first challenge with the username, the second with the
// password. A third challenge is an error. Start fails if either value is
// empty, is not valid UTF-8 or contains a control character such as CR or
// LF.
func NewLogin(username, password string) Mechanism {
	return &login{username: username, password: password}
}

// Name returns "LOGIN".
func (m *login) Name() string { return loginName }

// Start validates the credentials; LOGIN has no initial response.
func (m *login) Start() ([]byte, bool, error) {
	if m.started {
		return nil, false, newError(loginName, "mechanism already started")
	}
	m.started = true
	for _, f := range []struct{ name, value string }{
		{"username", m.username},
		{"password", m.password},
	} {
		switch {
		case f.value == "":
			return nil, false, newError(loginName, "empty "+f.name)
		case !utf8.ValidString(f.value):
			return nil, false, newError(loginName, f.name+" is not valid UTF-8")
		case hasControl(f.value):
			return nil, false, newError(loginName, f.name+" contains a control character")
		}
	}
	m.ready = true
	return nil, false, nil
}

// Next answers the first challenge with the username and the second with
// the password.
func (m *login) Next(challenge []byte) ([]byte, error) {
	if !m.ready {
		return nil, newError(loginName, "Next called without a successful Start")
	}
	m.step++
	switch m.step {
	case 1:
		return []byte(m.username), nil
	case 2:
		return []byte(m.password), nil
	default:
		return nil, newError(loginName, "unexpected server challenge "+
			quoteServer(strings.TrimSpace(string(challenge))))
	}
}

// SecretResponses returns true: the responses contain the password.
func (m *login) SecretResponses() bool { return true }

// Format prints only the mechanism name, never the credentials.
func (m *login) Format(f fmt.State, verb rune) { formatMechanism(f, loginName) }
