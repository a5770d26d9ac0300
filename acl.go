package imapclient

import (
	"context"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// ACLEntry is one entry of a folder's access control list (RFC 4314): an
// identifier ("alice", "anyone", "owner", "$group", "-bob" for negative
// rights) and its rights, one letter each ("lrswipkxtea").
type ACLEntry struct {
	Identifier string
	Rights     string
}

// GetACL returns the access control list of folder (GETACL, RFC 4314
// section 3.3; IMAPClient's getacl). It needs the ACL capability.
func (c *Client) GetACL(ctx context.Context, folder string) ([]ACLEntry, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("GETACL"); err != nil {
		return nil, err
	}
	if err := c.needCap(ctx, imap.CapACL, "GETACL"); err != nil {
		return nil, err
	}
	wire := c.encodeName(folder)
	var entries []ACLEntry
	got := false
	var perr error
	h := func(r *imapwire.Response) (bool, error) {
		raw, ok := r.Data.(*imapwire.RawData)
		if r.Name != "ACL" || !ok {
			return false, nil
		}
		d, err := imapwire.ParseACL(raw.Bytes)
		if err != nil {
			if perr == nil {
				perr = &ProtocolError{Msg: "malformed ACL response: " + err.Error()}
			}
			return true, nil
		}
		got = true
		for _, e := range d.Entries {
			entries = append(entries, ACLEntry{Identifier: e.Identifier, Rights: e.Rights})
		}
		return true, nil
	}
	if _, err := c.conn.Execute(ctx, "GETACL", func(e *imapwire.Encoder) { e.SP().AString(wire) }, h); err != nil {
		return nil, err
	}
	if perr != nil {
		return entries, perr
	}
	if !got {
		return nil, &ProtocolError{Msg: "GETACL completed without an ACL response"}
	}
	return entries, nil
}

// SetACL changes the rights of identifier who on folder (SETACL, RFC 4314
// section 3.1; IMAPClient's setacl). rights replaces the identifier's
// rights; with a "+" or "-" prefix it adds or removes the rights that
// follow. An empty rights string is sent as "", which RFC 4314 allows
// ("zero or more rights characters"): the identifier keeps no rights (as
// with IMAPClient). DeleteACL removes the entry itself. Rights are lower-case
// letters and digits; anything else is an error before sending.
func (c *Client) SetACL(ctx context.Context, folder, who, rights string) error {
	if who == "" {
		return fmt.Errorf("imapclient: SETACL: empty identifier: %w", imapwire.ErrInvalidArgument)
	}
	if err := checkRights(rights); err != nil {
		return err
	}
	return c.aclCmd(ctx, "SETACL", folder, who, rights, true)
}

// DeleteACL removes the entry of identifier who from the access control
// list of folder (DELETEACL, RFC 4314 section 3.2).
func (c *Client) DeleteACL(ctx context.Context, folder, who string) error {
	if who == "" {
		return fmt.Errorf("imapclient: DELETEACL: empty identifier: %w", imapwire.ErrInvalidArgument)
	}
	return c.aclCmd(ctx, "DELETEACL", folder, who, "", false)
}

// MyRights returns the rights the logged-in user has on folder (MYRIGHTS,
// RFC 4314 section 3.5).
func (c *Client) MyRights(ctx context.Context, folder string) (string, error) {
	if err := c.lock(ctx); err != nil {
		return "", err
	}
	defer c.unlock()
	if err := c.requireAuth("MYRIGHTS"); err != nil {
		return "", err
	}
	if err := c.needCap(ctx, imap.CapACL, "MYRIGHTS"); err != nil {
		return "", err
	}
	wire := c.encodeName(folder)
	var rights string
	got := false
	h := func(r *imapwire.Response) (bool, error) {
		raw, ok := r.Data.(*imapwire.RawData)
		if r.Name != "MYRIGHTS" || !ok {
			return false, nil
		}
		d, err := imapwire.ParseMyRights(raw.Bytes)
		if err != nil {
			return true, &ProtocolError{Msg: "malformed MYRIGHTS response: " + err.Error()}
		}
		rights, got = d.Rights, true
		return true, nil
	}
	if _, err := c.conn.Execute(ctx, "MYRIGHTS", func(e *imapwire.Encoder) { e.SP().AString(wire) }, h); err != nil {
		return "", err
	}
	if !got {
		return "", &ProtocolError{Msg: "MYRIGHTS completed without a MYRIGHTS response"}
	}
	return rights, nil
}

func (c *Client) aclCmd(ctx context.Context, cmd, folder, who, rights string, withRights bool) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return err
	}
	if err := c.needCap(ctx, imap.CapACL, cmd); err != nil {
		return err
	}
	wire := c.encodeName(folder)
	_, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().AString(who)
		if withRights {
			e.SP().AString(rights)
		}
	}, nil)
	return err
}

// checkRights validates a SETACL rights argument: an optional "+" or "-"
// and rights characters (RFC 4314 section 2.1: letters and digits; the
// standard ones are lower-case letters).
func checkRights(rights string) error {
	body := rights
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return fmt.Errorf("imapclient: SETACL: %q is not a rights string (RFC 4314 section 2.1): %w", rights, imapwire.ErrInvalidArgument)
		}
	}
	return nil
}
