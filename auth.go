package imapclient

import (
	"context"
	"errors"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/sasl"
)

// Login authenticates with LOGIN (RFC 3501 section 6.2.3). A user name or
// password with non-ASCII characters is sent as a literal, as the grammar
// allows. Failure is a *LoginError. Credentials are refused over a
// connection without TLS unless Options.AllowInsecureAuth is set.
func (c *Client) Login(ctx context.Context, username, password string) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.authPrecheck(); err != nil {
		return err
	}
	if c.conn.Caps().Has(imap.CapLoginDisabled) {
		return &LoginError{Mechanism: "LOGIN", Err: &CapabilityError{Capability: "LOGIN (server announces LOGINDISABLED)", Command: "LOGIN"}}
	}
	if _, err := c.conn.Login(ctx, username, password); err != nil {
		return loginErr("LOGIN", err)
	}
	return c.afterLogin(ctx)
}

// PlainLogin authenticates with SASL PLAIN (RFC 4616), optionally acting
// for the authorization identity authzid ("" for none).
func (c *Client) PlainLogin(ctx context.Context, username, password, authzid string) error {
	return c.Authenticate(ctx, sasl.NewPlain(authzid, username, password))
}

// OAuth2Login authenticates with XOAUTH2, the OAuth 2.0 mechanism of Gmail
// and Outlook, with an access token.
func (c *Client) OAuth2Login(ctx context.Context, username, accessToken string) error {
	return c.Authenticate(ctx, sasl.NewXOAuth2(username, accessToken))
}

// OAuth2LoginVendor is OAuth2Login with the "vendor=" field some providers
// require (IMAPClient's vendor argument).
func (c *Client) OAuth2LoginVendor(ctx context.Context, username, accessToken, vendor string) error {
	return c.Authenticate(ctx, sasl.NewXOAuth2Vendor(username, accessToken, vendor))
}

// OAuthBearerLogin authenticates with OAUTHBEARER (RFC 7628) and an access
// token. The host and port of the connection are included when known.
func (c *Client) OAuthBearerLogin(ctx context.Context, username, accessToken string) error {
	return c.Authenticate(ctx, sasl.NewOAuthBearer(username, c.host, c.opts.Port, accessToken))
}

// Authenticate runs a SASL exchange with any mechanism (IMAPClient's
// sasl_login). Package sasl provides PLAIN, LOGIN, XOAUTH2, OAUTHBEARER,
// SCRAM-SHA-1 and SCRAM-SHA-256; implement sasl.Mechanism for others. The
// server must announce AUTH=<mechanism>.
func (c *Client) Authenticate(ctx context.Context, mech sasl.Mechanism) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.authPrecheck(); err != nil {
		return err
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	name := strings.ToUpper(mech.Name())
	if !caps.Has("AUTH=" + name) {
		return &LoginError{Mechanism: name, Err: &CapabilityError{Capability: "AUTH=" + name, Command: "AUTHENTICATE"}}
	}
	if _, err := c.conn.Authenticate(ctx, mech); err != nil {
		if r, ok := mech.(sasl.ServerErrorReporter); ok && r.ServerError() != "" {
			return &LoginError{Mechanism: name, Err: &serverDetail{err: err, detail: r.ServerError()}}
		}
		return loginErr(name, err)
	}
	return c.afterLogin(ctx)
}

// serverDetail adds a SASL server's error detail (OAuth JSON) to an error.
type serverDetail struct {
	err    error
	detail string
}

func (e *serverDetail) Error() string { return e.err.Error() + " (server detail: " + e.detail + ")" }
func (e *serverDetail) Unwrap() error { return e.err }

func (c *Client) authPrecheck() error {
	if err := c.conn.Err(); err != nil {
		return err
	}
	if st := c.conn.State(); st != imapconn.NotAuthenticated {
		return &IllegalStateError{Command: "LOGIN", State: st.String(), Need: "not authenticated"}
	}
	if !c.secure && !c.opts.AllowInsecureAuth {
		return ErrInsecureAuth
	}
	return nil
}

// loginErr wraps an authentication failure. Connection failures stay
// visible through errors.Is(err, ErrAbort).
func loginErr(mech string, err error) error {
	var le *LoginError
	if errors.As(err, &le) {
		return err
	}
	return &LoginError{Mechanism: mech, Err: err}
}
