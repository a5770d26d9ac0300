package sasl

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

const (
	xoauth2Name     = "XOAUTH2"
	oauthBearerName = "OAUTHBEARER"
)

// validToken reports whether tok is a non-empty string of printable ASCII
// characters without spaces. This is a superset of the b64token syntax of
// OAuth 2.0 bearer tokens (RFC 6750 section 2.1) that is strict enough to
// keep the token from breaking the framing of the SASL message (which uses
// the byte 0x01 as separator).
func validToken(tok string) bool {
	if tok == "" {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= 0x20 || tok[i] >= 0x7f {
			return false
		}
	}
	return true
}

// oauthChallenge records the error document of a failed OAuth exchange.
type oauthChallenge struct {
	serverError string
	challenged  bool
}

// xoauth2 implements the XOAUTH2 mechanism of Google and Microsoft.
type xoauth2 struct {
	username, token string
	vendor          string
	started, ready  bool
	oauthChallenge
}

// NewXOAuth2 returns an XOAUTH2 mechanism, the non-standard predecessor of
// OAUTHBEARER still required by Gmail and Outlook.com. token is an OAuth 2.0
// access token.
//
// The initial response is
//
//	"user=" username "\x01auth=Bearer " token "\x01\x01".
//
// When authentication fails, the server sends a challenge carrying a JSON
// error document instead of failing at once. Next records it (see
// ServerError) and returns an empty response, after which the server fails
// the command. The mechanism implements [ServerErrorReporter].
//
// Start fails if username is empty, is not valid UTF-8 or contains a
// control character, or if token is empty or contains anything other than
// printable ASCII without spaces.
func NewXOAuth2(username, token string) Mechanism {
	return &xoauth2{username: username, token: token}
}

// NewXOAuth2Vendor is NewXOAuth2 with a "vendor=" field, which some
// providers ask for (Python IMAPClient's oauth2_login vendor argument):
//
//	"user=" username "\x01auth=Bearer " token "\x01vendor=" vendor "\x01\x01".
//
// vendor must be printable ASCII without spaces.
func NewXOAuth2Vendor(username, token, vendor string) Mechanism {
	return &xoauth2{username: username, token: token, vendor: vendor}
}

// Name returns "XOAUTH2".
func (m *xoauth2) Name() string { return xoauth2Name }

// Start returns the initial response.
func (m *xoauth2) Start() ([]byte, bool, error) {
	if m.started {
		return nil, false, newError(xoauth2Name, "mechanism already started")
	}
	m.started = true
	switch {
	case m.username == "":
		return nil, false, newError(xoauth2Name, "empty username")
	case !utf8.ValidString(m.username):
		return nil, false, newError(xoauth2Name, "username is not valid UTF-8")
	case hasControl(m.username):
		return nil, false, newError(xoauth2Name, "username contains a control character")
	case !validToken(m.token):
		return nil, false, newError(xoauth2Name, "token is empty or contains invalid characters")
	case m.vendor != "" && !validToken(m.vendor):
		return nil, false, newError(xoauth2Name, "vendor contains invalid characters")
	}
	m.ready = true
	ir := "user=" + m.username + "\x01auth=Bearer " + m.token + "\x01"
	if m.vendor != "" {
		ir += "vendor=" + m.vendor + "\x01"
	}
	ir += "\x01"
	return []byte(ir), true, nil
}

// Next records the server's JSON error document and returns an empty
// response, so that the server completes the exchange with a failure. A
// second challenge is an error.
func (m *xoauth2) Next(challenge []byte) ([]byte, error) {
	if !m.ready {
		return nil, newError(xoauth2Name, "Next called without a successful Start")
	}
	if m.challenged {
		return nil, newError(xoauth2Name, "unexpected second server challenge")
	}
	m.challenged = true
	m.serverError = string(challenge)
	return []byte{}, nil
}

// ServerError returns the JSON error document the server sent in its
// challenge, or "" if there was none.
func (m *xoauth2) ServerError() string { return m.serverError }

// SecretResponses returns true: the initial response contains the token.
func (m *xoauth2) SecretResponses() bool { return true }

// Format prints only the mechanism name, never the credentials.
func (m *xoauth2) Format(f fmt.State, verb rune) { formatMechanism(f, xoauth2Name) }

// oauthBearer implements the OAUTHBEARER mechanism (RFC 7628).
type oauthBearer struct {
	username, host string
	port           int
	token          string
	started, ready bool
	oauthChallenge
}

// NewOAuthBearer returns an OAUTHBEARER mechanism (RFC 7628). token is an
// OAuth 2.0 bearer token. username becomes the authorization identity of
// the GS2 header and may be empty; host and port name the server the client
// connected to and are omitted when empty or zero.
//
// The initial response (RFC 7628 section 3.1) is
//
//	"n,a=" saslname(username) "," "\x01host=" host "\x01port=" port
//	"\x01auth=Bearer " token "\x01\x01"
//
// where saslname escapes "=" and "," (RFC 5801 section 4). When
// authentication fails, the server sends a challenge carrying a JSON error
// document (RFC 7628 section 3.2.2). Next records it (see ServerError) and
// answers with the single byte 0x01 as RFC 7628 section 3.2.3 requires,
// after which the server fails the command. The mechanism implements
// [ServerErrorReporter].
//
// Start fails if username is not valid UTF-8 or contains a control
// character, if host contains anything other than printable ASCII without
// spaces, if port is outside 0 to 65535, or if token is empty or contains
// anything other than printable ASCII without spaces.
func NewOAuthBearer(username, host string, port int, token string) Mechanism {
	return &oauthBearer{username: username, host: host, port: port, token: token}
}

// Name returns "OAUTHBEARER".
func (m *oauthBearer) Name() string { return oauthBearerName }

// Start returns the initial response.
func (m *oauthBearer) Start() ([]byte, bool, error) {
	if m.started {
		return nil, false, newError(oauthBearerName, "mechanism already started")
	}
	m.started = true
	switch {
	case !utf8.ValidString(m.username):
		return nil, false, newError(oauthBearerName, "username is not valid UTF-8")
	case hasControl(m.username):
		return nil, false, newError(oauthBearerName, "username contains a control character")
	case m.host != "" && !validToken(m.host):
		return nil, false, newError(oauthBearerName, "host contains invalid characters")
	case m.port < 0 || m.port > 65535:
		return nil, false, newError(oauthBearerName, "port out of range")
	case !validToken(m.token):
		return nil, false, newError(oauthBearerName, "token is empty or contains invalid characters")
	}
	m.ready = true
	// gs2-header = gs2-cb-flag "," [gs2-authzid] "," with gs2-cb-flag "n":
	// OAUTHBEARER never uses channel binding (RFC 7628 section 3.1).
	ir := "n,"
	if m.username != "" {
		ir += "a=" + saslname(m.username)
	}
	ir += ",\x01"
	if m.host != "" {
		ir += "host=" + m.host + "\x01"
	}
	if m.port != 0 {
		ir += "port=" + strconv.Itoa(m.port) + "\x01"
	}
	ir += "auth=Bearer " + m.token + "\x01\x01"
	return []byte(ir), true, nil
}

// Next records the server's JSON error document and answers with 0x01
// (RFC 7628 section 3.2.3). A second challenge is an error.
func (m *oauthBearer) Next(challenge []byte) ([]byte, error) {
	if !m.ready {
		return nil, newError(oauthBearerName, "Next called without a successful Start")
	}
	if m.challenged {
		return nil, newError(oauthBearerName, "unexpected second server challenge")
	}
	m.challenged = true
	m.serverError = string(challenge)
	return []byte{0x01}, nil
}

// ServerError returns the JSON error document the server sent in its
// challenge (RFC 7628 section 3.2.2), or "" if there was none.
func (m *oauthBearer) ServerError() string { return m.serverError }

// SecretResponses returns true: the initial response contains the token.
func (m *oauthBearer) SecretResponses() bool { return true }

// Format prints only the mechanism name, never the credentials.
func (m *oauthBearer) Format(f fmt.State, verb rune) { formatMechanism(f, oauthBearerName) }
