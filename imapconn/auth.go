package imapconn

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/sasl"
)

// Login sends LOGIN (RFC 3501 section 6.2.3). The user name and password
// are sent as atoms, quoted strings or literals as their content requires,
// and never logged. Capabilities are forgotten unless the server announces
// them in its reply.
func (c *Conn) Login(ctx context.Context, username, password string) (*imap.StatusResponse, error) {
	c.caps = nil
	st, err := c.Execute(ctx, "LOGIN", func(e *imapwire.Encoder) {
		e.SP().BeginSecret().AString(username).SP().AString(password).EndSecret()
	}, nil)
	return st, err
}

// Authenticate runs a SASL exchange with AUTHENTICATE (RFC 3501 section
// 6.2.2), sending the initial response with the command when the server
// supports SASL-IR (RFC 4959). Every client response is kept out of the
// log. A mechanism that must verify the server (SCRAM) is checked after
// the exchange: an unverified server is an error even if it said OK, and
// the connection is then closed (the error matches imap.ErrAbort).
func (c *Conn) Authenticate(ctx context.Context, mech sasl.Mechanism) (*imap.StatusResponse, error) {
	ir, hasIR, err := mech.Start()
	if err != nil {
		return nil, err
	}
	name := mech.Name()
	if !imapwire.IsAtom(name) {
		return nil, fmt.Errorf("imapconn: invalid SASL mechanism name %q: %w", name, imapwire.ErrInvalidArgument)
	}
	inline := hasIR && c.caps.Has(imap.CapSASLIR)
	irPending := hasIR && !inline
	cont := func(text string) ([]byte, bool, error) {
		if irPending {
			irPending = false
			return b64(ir), true, nil
		}
		chal, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, false, fmt.Errorf("imapconn: server sent a challenge that is not base64: %w", err)
		}
		resp, err := mech.Next(chal)
		if err != nil {
			return nil, false, err
		}
		return b64(resp), true, nil
	}
	c.caps = nil
	cmd, err := c.Start(ctx, "AUTHENTICATE", func(e *imapwire.Encoder) {
		e.SP().Atom(name)
		if inline {
			e.SP().BeginSecret().Raw(string(encodeSASL(ir))).EndSecret()
		}
	}, nil, cont)
	if err != nil {
		return nil, err
	}
	st, err := c.Wait(ctx, cmd)
	if err != nil {
		var pe *ProtocolError
		if st != nil && st.Type == imap.StatusOK && !errors.As(err, &pe) {
			// The server said OK to an exchange the mechanism refused (a
			// wrong SCRAM signature): it may be an impostor, so the
			// session must not go on (see sasl.Finisher).
			return st, c.fail("authenticate", err)
		}
		return st, err
	}
	if f, ok := mech.(sasl.Finisher); ok {
		// IMAP has no additional data with success (RFC 4422 section
		// 3.6): Finish(nil) fails unless the server was verified.
		if ferr := f.Finish(nil); ferr != nil {
			return st, c.fail("authenticate", ferr)
		}
	}
	return st, nil
}

// b64 encodes a response to a challenge; an empty one is an empty line.
func b64(b []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out
}

// encodeSASL encodes an initial response sent with the command; an empty
// one is "=" (RFC 4959 section 3).
func encodeSASL(b []byte) []byte {
	if len(b) == 0 {
		return []byte("=")
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out
}

// ErrTLSInjection is returned by StartTLS when the server sent data after
// its OK and before the TLS handshake: a man in the middle may have
// injected responses (RFC 3501 section 6.2.1, RFC 2595 section 3.1).
var ErrTLSInjection = errors.New("imapconn: data received after STARTTLS OK before the TLS handshake")
