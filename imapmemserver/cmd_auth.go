package imapmemserver

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func (s *session) cmdCapability(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("CAPABILITY takes no arguments")
	}
	s.enc.WriteCapability(s.capabilities())
	return ok("Capability completed")
}

func (s *session) cmdNoop(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("No arguments expected")
	}
	return ok("NOOP completed")
}

func (s *session) cmdLogout(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("LOGOUT takes no arguments")
	}
	s.enc.StatusResponse("", &imap.StatusResponse{Type: imap.StatusBYE, Text: "Logging out"})
	s.logout = true
	return ok("Logout completed")
}

func (s *session) cmdStartTLS(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("STARTTLS takes no arguments")
	}
	if s.tls {
		return bad("TLS is already active")
	}
	if s.dec.Buffered() > 0 {
		// RFC 2595 section 3.1: anything sent before the handshake is an
		// injection attempt.
		s.logout = true
		s.enc.StatusResponse("", &imap.StatusResponse{Type: imap.StatusBYE, Text: "Data after STARTTLS"})
		return nil
	}
	if err := s.enc.StatusResponse(tag, ok("Begin TLS negotiation now")); err != nil {
		return nil
	}
	if err := s.enc.Flush(); err != nil {
		s.logout = true
		return nil
	}
	conn := tls.Server(s.fc, s.srv.tlsConfig())
	if err := conn.Handshake(); err != nil {
		s.log.Debug("imapmemserver: STARTTLS handshake failed", "err", err)
		s.logout = true
		return nil
	}
	s.conn, s.tls = conn, true
	s.dec.Reset(conn)
	s.enc.Reset(conn)
	return nil
}

func (s *session) loginAllowed() *reply {
	if s.caps.has("LOGINDISABLED") && !s.tls {
		return noCode("PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure connections")
	}
	return nil
}

func (s *session) loggedIn(u *user) *reply {
	s.user = u
	return okCode("CAPABILITY", strings.Join(s.capabilities(), " "), "Logged in")
}

func (s *session) cmdLogin(tag string, args []imapwire.Value) *reply {
	if len(args) != 2 {
		return bad("LOGIN expects a user name and a password")
	}
	name, ok1 := args[0].AString()
	pass, ok2 := args[1].AString()
	if !ok1 || !ok2 {
		return bad("LOGIN expects a user name and a password")
	}
	if st := s.loginAllowed(); st != nil {
		return st
	}
	u := s.srv.b.login(name, pass)
	if u == nil {
		return noCode("AUTHENTICATIONFAILED", "Authentication failed")
	}
	return s.loggedIn(u)
}

func (s *session) cmdAuthenticate(tag string, args []imapwire.Value) *reply {
	if len(args) < 1 || len(args) > 2 || args[0].Kind != imapwire.ValueAtom {
		return bad("AUTHENTICATE expects a mechanism")
	}
	mech := strings.ToUpper(args[0].Atom)
	if !s.caps.has("AUTH="+mech) || mech != "PLAIN" {
		return no("Unsupported authentication mechanism")
	}
	if len(args) == 2 && !s.caps.has("SASL-IR") {
		return bad("SASL-IR is not supported")
	}
	if st := s.loginAllowed(); st != nil {
		return st
	}
	var resp string
	if len(args) == 2 {
		ir, ok := args[1].AString()
		if !ok {
			return bad("Invalid initial response")
		}
		resp = ir
	} else {
		if err := s.enc.Continuation(""); err != nil {
			return no("Internal error")
		}
		if err := s.enc.Flush(); err != nil {
			s.logout = true
			return nil
		}
		line, err := s.dec.ReadLine()
		if err != nil {
			if imapwire.IsRecoverable(err) {
				return bad("Response too long")
			}
			s.logout = true
			return nil
		}
		resp = string(line)
	}
	if resp == "*" {
		return bad("Authentication canceled")
	}
	var data []byte
	if resp != "=" {
		var err error
		if data, err = base64.StdEncoding.DecodeString(resp); err != nil {
			return bad("Invalid base64 data")
		}
	}
	parts := bytes.Split(data, []byte{0})
	if len(parts) != 3 {
		return bad("Invalid PLAIN response")
	}
	authz, name, pass := string(parts[0]), string(parts[1]), string(parts[2])
	if authz != "" && authz != name {
		return noCode("AUTHORIZATIONFAILED", "Authorization identity not allowed")
	}
	u := s.srv.b.login(name, pass)
	if u == nil {
		return noCode("AUTHENTICATIONFAILED", "Authentication failed")
	}
	return s.loggedIn(u)
}

func (s *session) cmdID(tag string, args []imapwire.Value) *reply {
	if len(args) != 1 || (args[0].Kind != imapwire.ValueNIL && args[0].Kind != imapwire.ValueList) {
		return bad("ID expects NIL or a list")
	}
	if l := args[0].List; len(l)%2 != 0 || len(l) > 60 {
		return bad("ID expects field-value pairs")
	}
	s.enc.WriteID(map[string]string{"name": "imapmemserver", "vendor": "imapclient-go"})
	return ok("ID completed")
}

func (s *session) cmdEnable(tag string, args []imapwire.Value) *reply {
	if len(args) == 0 {
		return bad("ENABLE expects capabilities")
	}
	var done []string
	for _, a := range args {
		if a.Kind != imapwire.ValueAtom {
			return bad("ENABLE expects capability names")
		}
		name := strings.ToUpper(a.Atom)
		if !s.caps.has(name) || s.enabled[name] {
			continue
		}
		switch name {
		case "CONDSTORE":
			s.condstore = true
		case "UTF8=ACCEPT":
			s.utf8 = true
			s.enc.UTF8 = true
		case "IMAP4REV2":
			s.rev2 = true
		default:
			continue
		}
		s.enabled[name] = true
		done = append(done, a.Atom)
	}
	s.enc.WriteEnabled(done)
	return ok("Enabled")
}

func (s *session) cmdNamespace(tag string, args []imapwire.Value) *reply {
	if len(args) != 0 {
		return bad("NAMESPACE takes no arguments")
	}
	s.enc.WriteNamespace(&imapwire.NamespaceData{Personal: []imapwire.Namespace{{Prefix: "", Delim: delim}}})
	return ok("Namespace completed")
}
