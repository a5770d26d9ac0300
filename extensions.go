package imapclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// This file holds the smaller extensions: UTF8=ACCEPT, APPENDLIMIT,
// BINARY APPEND, OBJECTID, SAVEDATE search keys and UNAUTHENTICATE.

// enableUTF8Locked turns on UTF8=ACCEPT once authenticated (RFC 6855
// section 3) when the server announces it, unless Options.DisableUTF8 is
// set. Folder names then travel as UTF-8 instead of modified UTF-7, and
// quoted strings may carry UTF-8. A server that refuses ENABLE leaves the
// session as it was; only a connection failure is an error.
func (c *Client) enableUTF8Locked(ctx context.Context) error {
	if c.opts.DisableUTF8 || c.conn.Enabled().Has(imap.CapUTF8Accept) {
		return nil
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	if !caps.Has(imap.CapUTF8Accept) || !caps.Has(imap.CapEnable) {
		return nil
	}
	_, err = c.conn.Execute(ctx, "ENABLE", func(e *imapwire.Encoder) {
		e.SP().Atom(imap.CapUTF8Accept)
	}, func(r *imapwire.Response) (bool, error) {
		return r.Name == "ENABLED", nil // tracked by the session layer
	})
	var se *ServerError
	if errors.As(err, &se) {
		return nil
	}
	return err
}

// UTF8Enabled reports whether UTF8=ACCEPT is enabled (RFC 6855): folder
// names are then sent and received as UTF-8. It sends nothing.
func (c *Client) UTF8Enabled(ctx context.Context) (bool, error) {
	if err := c.lock(ctx); err != nil {
		return false, err
	}
	defer c.unlock()
	return c.conn.Enabled().Has(imap.CapUTF8Accept), nil
}

// AppendLimitError reports a message larger than the server's
// APPENDLIMIT (RFC 7889 section 3); nothing was sent.
type AppendLimitError struct {
	Limit uint64 // the server's limit in octets
	Size  int64  // the message's size
	Index int    // the message's position in the command (0 for Append)
}

// Error implements error.
func (e *AppendLimitError) Error() string {
	return fmt.Sprintf("imapclient: APPEND: message %d has %d octets, more than the server's APPENDLIMIT of %d", e.Index, e.Size, e.Limit)
}

// appendLimitOf reads the APPENDLIMIT capability (RFC 7889 section 3):
// present reports the capability in either form, limited that it
// carries a limit for every folder ("APPENDLIMIT=n").
func appendLimitOf(caps imap.Caps) (limit uint64, limited, present bool) {
	if caps.Has(imap.CapAppendLimit) {
		present = true
	}
	for n := range caps {
		if v, ok := strings.CutPrefix(n, imap.CapAppendLimit+"="); ok {
			if l, err := strconv.ParseUint(v, 10, 64); err == nil {
				return l, true, true
			}
			present = true
		}
	}
	return 0, false, present
}

// appendCheck refuses, before anything is sent, messages the server
// cannot take: larger than the APPENDLIMIT it announces for every folder
// (RFC 7889 section 3), or holding NUL bytes, which only a literal8 can
// carry, without BINARY (RFC 3516 section 4.4).
func (c *Client) appendCheck(ctx context.Context, sizes []int64, binary []bool) error {
	for _, b := range binary {
		if b {
			if err := c.needCap(ctx, imap.CapBinary, "APPEND of a message with NUL bytes"); err != nil {
				return err
			}
			break
		}
	}
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	if limit, ok, _ := appendLimitOf(caps); ok {
		for i, n := range sizes {
			if n >= 0 && uint64(n) > limit {
				return &AppendLimitError{Limit: limit, Size: n, Index: i}
			}
		}
	}
	return nil
}

// hasNUL reports whether msg holds a NUL byte: it then needs a literal8.
func hasNUL(msg []byte) bool { return bytes.IndexByte(msg, 0) >= 0 }

// AppendLimit returns the largest message, in octets, that APPEND accepts
// (RFC 7889). With folder "" it is the limit the server announces for
// every folder (the capability APPENDLIMIT=n); ok is false when the
// server announces per-folder limits instead (a bare APPENDLIMIT). With a
// folder name it asks with STATUS (APPENDLIMIT) (RFC 7889 section 4); ok
// is false when that folder has no limit (NIL). Without the APPENDLIMIT
// capability it returns a *CapabilityError and sends nothing. Append,
// MultiAppend and AppendReader refuse a message over the server-wide
// limit with an *AppendLimitError before sending it.
func (c *Client) AppendLimit(ctx context.Context, folder string) (limit uint64, ok bool, err error) {
	if err := c.lock(ctx); err != nil {
		return 0, false, err
	}
	defer c.unlock()
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return 0, false, err
	}
	limit, limited, present := appendLimitOf(caps)
	if !present {
		return 0, false, &CapabilityError{Capability: imap.CapAppendLimit, Command: "APPENDLIMIT"}
	}
	if folder == "" {
		return limit, limited, nil
	}
	if err := c.requireAuth("STATUS"); err != nil {
		return 0, false, err
	}
	sd, err := c.statusItems(ctx, folder, "APPENDLIMIT")
	if err != nil {
		return 0, false, err
	}
	if n, ok := sd.Items["APPENDLIMIT"]; ok {
		return n, true, nil
	}
	return 0, false, nil // NIL: no limit
}

// statusItems runs STATUS for one folder with the connection held and
// returns its data, with the values that are not numbers (RFC 8474's
// MAILBOXID, RFC 7889's APPENDLIMIT NIL).
func (c *Client) statusItems(ctx context.Context, folder string, items ...string) (*imapwire.StatusData, error) {
	wire := c.encodeName(folder)
	var got, other *imapwire.StatusData
	h := func(r *imapwire.Response) (bool, error) {
		sd, ok := r.Data.(*imapwire.StatusData)
		if r.Name != "STATUS" || !ok || sd == nil {
			return false, nil
		}
		if !sameFolderName(sd.Mailbox, wire) {
			if other == nil {
				other = sd
			}
			return false, nil
		}
		got = sd
		return true, nil
	}
	_, err := c.conn.Execute(ctx, "STATUS", func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().Byte('(')
		for i, it := range items {
			if i > 0 {
				e.SP()
			}
			e.Atom(it)
		}
		e.Byte(')')
	}, h)
	if err != nil {
		return nil, fmt.Errorf("imapclient: STATUS %q: %w", folder, err)
	}
	if got == nil {
		got = other // a server that spells the name differently
	}
	if got == nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("STATUS completed without a STATUS response for %q", wire)}
	}
	return got, nil
}

// parseObjectID returns the object id of "(id)" (RFC 8474 section 7,
// objectid in parentheses), or "" when arg is not one.
func parseObjectID(arg string) string {
	s := strings.TrimSpace(arg)
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return ""
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-') {
			return ""
		}
	}
	return s
}

// MailboxID returns the folder's object id from the MAILBOXID response
// code of SELECT or EXAMINE (RFC 8474 section 4.1), or "" when the
// server did not send one (it lacks OBJECTID).
func (r *SelectResult) MailboxID() string {
	for _, u := range r.Untagged {
		if u.Status != nil && u.Status.Code == imap.CodeMailboxID {
			return parseObjectID(u.Status.CodeArg)
		}
	}
	return ""
}

// FolderMailboxID returns the object id of a folder with STATUS
// (MAILBOXID) (RFC 8474 section 4.2): it stays the same when the folder
// is renamed, so a client can recognise a renamed folder. It needs the
// OBJECTID capability (a *CapabilityError otherwise, before anything is
// sent).
func (c *Client) FolderMailboxID(ctx context.Context, folder string) (string, error) {
	if err := c.lock(ctx); err != nil {
		return "", err
	}
	defer c.unlock()
	if err := c.requireAuth("STATUS"); err != nil {
		return "", err
	}
	if err := c.needCap(ctx, imap.CapObjectID, "STATUS (MAILBOXID)"); err != nil {
		return "", err
	}
	sd, err := c.statusItems(ctx, folder, "MAILBOXID")
	if err != nil {
		return "", err
	}
	id := parseObjectID(sd.Raw["MAILBOXID"])
	if id == "" {
		return "", &ProtocolError{Msg: fmt.Sprintf("STATUS of %q without a valid MAILBOXID", folder)}
	}
	return id, nil
}

// SavedSince matches messages saved in the folder on or after t's date
// (SAVEDSINCE, RFC 8514 section 4.2). It needs SAVEDATE.
func (c Criteria) SavedSince(t time.Time) Criteria {
	return c.need(imap.CapSaveDate).date("SAVEDSINCE", t)
}

// SavedBefore matches messages saved in the folder before t's date
// (SAVEDBEFORE, RFC 8514 section 4.2). It needs SAVEDATE.
func (c Criteria) SavedBefore(t time.Time) Criteria {
	return c.need(imap.CapSaveDate).date("SAVEDBEFORE", t)
}

// SavedOn matches messages saved in the folder on t's date (SAVEDON, RFC
// 8514 section 4.2). It needs SAVEDATE.
func (c Criteria) SavedOn(t time.Time) Criteria {
	return c.need(imap.CapSaveDate).date("SAVEDON", t)
}

// SaveDateSupported matches every message when the folder records save
// dates and none otherwise (SAVEDATESUPPORTED, RFC 8514 section 4.2). It
// needs SAVEDATE.
func (c Criteria) SaveDateSupported() Criteria {
	return c.need(imap.CapSaveDate).add(true, text("SAVEDATESUPPORTED"))
}

// Unauthenticate ends the authenticated session without closing the
// connection (UNAUTHENTICATE, RFC 8437): the connection is back in the
// not-authenticated state and a new Login may follow. Capabilities and
// enabled extensions are forgotten. It needs the UNAUTHENTICATE capability
// (a *CapabilityError otherwise, before anything is sent) and cannot be
// used while idling.
func (c *Client) Unauthenticate(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if c.idle.wanted {
		return &IllegalStateError{Command: "UNAUTHENTICATE", State: "idling", Need: "not idling"}
	}
	if err := c.requireAuth("UNAUTHENTICATE"); err != nil {
		return err
	}
	if err := c.needCap(ctx, imap.CapUnauthenticate, "UNAUTHENTICATE"); err != nil {
		return err
	}
	if _, err := c.conn.Execute(ctx, "UNAUTHENTICATE", nil, nil); err != nil {
		return err
	}
	// The session layer is back in the not-authenticated state and has
	// dropped its capabilities (imapconn tracks UNAUTHENTICATE).
	c.sel.set("", false, 0)
	c.sel.setCounts(0, 0, 0)
	return nil
}
