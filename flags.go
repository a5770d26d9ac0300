package imapclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// System flags (RFC 3501 section 2.3.2), under IMAPClient's names. Keywords
// are plain strings: "$Forwarded", "Important".
const (
	Seen     = imap.FlagSeen
	Answered = imap.FlagAnswered
	Flagged  = imap.FlagFlagged
	Deleted  = imap.FlagDeleted
	Draft    = imap.FlagDraft
	// Recent is set by the server on messages new to the session; clients
	// cannot set or clear it, and the flag methods refuse it.
	Recent = imap.FlagRecent
)

// Special-use folder roles (RFC 6154 section 2) for FindSpecialFolder. They
// carry a Special prefix, unlike IMAPClient's ALL, DRAFTS, ... constants,
// because All is the message set "1:*" and Flagged the system flag.
const (
	SpecialAll     = imap.SpecialUseAll
	SpecialArchive = imap.SpecialUseArchive
	SpecialDrafts  = imap.SpecialUseDrafts
	SpecialFlagged = imap.SpecialUseFlagged
	SpecialJunk    = imap.SpecialUseJunk
	SpecialSent    = imap.SpecialUseSent
	SpecialTrash   = imap.SpecialUseTrash
)

// GetFlags returns the flags of the messages (IMAPClient's get_flags),
// keyed by UID, or by sequence number when UseUID is off. System flags are
// in their canonical spelling (Seen, Deleted, ...). Messages that do not
// exist are absent from the result.
func (c *Client) GetFlags(ctx context.Context, ms MessageSet) (map[uint32][]string, error) {
	return c.fetchStrings(ctx, ms, "FLAGS", nil)
}

// AddFlags adds flags to the messages (STORE +FLAGS, RFC 3501 section
// 6.4.6) and returns the flags the messages have afterwards, keyed like
// GetFlags. With silent, the server does not report them (+FLAGS.SILENT)
// and the map is nil. flags holds system flags (Seen, Deleted, ...; any
// case) and keywords, which must be atoms; it may not be empty, nor hold
// Recent. Invalid flags are an error before anything is sent.
func (c *Client) AddFlags(ctx context.Context, ms MessageSet, flags []string, silent bool) (map[uint32][]string, error) {
	return c.storeFlags(ctx, ms, "+", flags, silent)
}

// RemoveFlags removes flags from the messages (STORE -FLAGS), as AddFlags
// adds them.
func (c *Client) RemoveFlags(ctx context.Context, ms MessageSet, flags []string, silent bool) (map[uint32][]string, error) {
	return c.storeFlags(ctx, ms, "-", flags, silent)
}

// SetFlags replaces the flags of the messages (STORE FLAGS), as AddFlags
// adds them. An empty list clears every flag the client may change (the
// server keeps Recent).
func (c *Client) SetFlags(ctx context.Context, ms MessageSet, flags []string, silent bool) (map[uint32][]string, error) {
	return c.storeFlags(ctx, ms, "", flags, silent)
}

// DeleteMessages flags the messages Deleted (IMAPClient's delete_messages);
// a later Expunge, UIDExpunge or CloseFolder removes them.
func (c *Client) DeleteMessages(ctx context.Context, ms MessageSet, silent bool) (map[uint32][]string, error) {
	return c.storeFlags(ctx, ms, "+", []string{Deleted}, silent)
}

func (c *Client) storeFlags(ctx context.Context, ms MessageSet, op string, flags []string, silent bool) (map[uint32][]string, error) {
	cmd := "STORE"
	set, err := numSet(cmd, ms)
	if err != nil {
		return nil, err
	}
	flags, err = checkFlags(cmd, flags, op == "")
	if err != nil {
		return nil, err
	}
	return c.store(ctx, set, op+"FLAGS", flags, silent, nil, nil)
}

// checkFlags validates flags for STORE and APPEND and returns them with
// system flags in canonical spelling and duplicates removed. Only known
// system flags are accepted, never Recent or `\*`; keywords must be atoms
// (RFC 3501 section 9, flag-keyword).
func checkFlags(cmd string, flags []string, allowEmpty bool) ([]string, error) {
	if len(flags) == 0 && !allowEmpty {
		return nil, fmt.Errorf("imapclient: %s: no flags given: %w", cmd, imapwire.ErrInvalidArgument)
	}
	out := make([]string, 0, len(flags))
	seen := make(map[string]bool, len(flags))
	for _, f := range flags {
		if strings.HasPrefix(f, `\`) {
			if !imap.IsSystemFlag(f) {
				return nil, fmt.Errorf("imapclient: %s: %q is not a system flag of RFC 3501 section 2.3.2: %w", cmd, f, imapwire.ErrInvalidArgument)
			}
			f = imap.CanonicalFlag(f)
			if f == Recent {
				return nil, fmt.Errorf("imapclient: %s: %s is set by the server only and cannot be changed (RFC 3501 section 2.3.2): %w", cmd, Recent, imapwire.ErrInvalidArgument)
			}
		} else if !imapwire.IsAtom(f) {
			return nil, fmt.Errorf("imapclient: %s: keyword %q is not an atom (no spaces, controls, 8-bit or any of (){%%*\"\\]): %w", cmd, f, imapwire.ErrInvalidArgument)
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// store runs STORE (or UID STORE) with item ("+FLAGS", "-X-GM-LABELS",
// ...) over set, split into pieces of at most maxSetLen, and returns the
// new values of the item's base name (FLAGS, X-GM-LABELS) per message,
// converted by conv (nil keeps them; flags are canonicalised). The values
// are written with write, or as flags when write is nil. X-GM-LABELS
// needs X-GM-EXT-1, checked before anything is sent.
func (c *Client) store(ctx context.Context, set imap.NumSet, item string, values []string, silent bool,
	write func(e *imapwire.Encoder, v string), conv func(string) string) (map[uint32][]string, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("STORE", true); err != nil {
		return nil, err
	}
	if strings.HasSuffix(item, "X-GM-LABELS") {
		if err := c.needCap(ctx, imap.CapGmailExt, "STORE X-GM-LABELS"); err != nil {
			return nil, err
		}
	}
	uid := c.useUID.Load()
	name := cmdName("STORE", uid)
	base := strings.TrimLeft(item, "+-")
	if silent {
		item += ".SILENT"
	}
	var out map[uint32][]string
	var h func(*imapwire.Response) (bool, error)
	if !silent {
		out = make(map[uint32][]string)
		h = stringsHandler(set, uid, base, conv, out)
	}
	for _, part := range set.Split(maxSetLen) {
		_, err := c.conn.Execute(ctx, name, func(e *imapwire.Encoder) {
			e.SP().NumSet(part).SP().Atom(item).SP().Byte('(')
			for i, v := range values {
				if i > 0 {
					e.SP()
				}
				if write != nil {
					write(e, v)
				} else {
					e.Flag(v)
				}
			}
			e.Byte(')')
		}, h)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// fetchStrings runs FETCH (or UID FETCH) of one item whose value is a list
// of strings (FLAGS, X-GM-LABELS) and returns it per message.
func (c *Client) fetchStrings(ctx context.Context, ms MessageSet, item string, conv func(string) string) (map[uint32][]string, error) {
	set, err := numSet("FETCH", ms)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("FETCH", false); err != nil {
		return nil, err
	}
	if item == "X-GM-LABELS" {
		if err := c.needCap(ctx, imap.CapGmailExt, "FETCH X-GM-LABELS"); err != nil {
			return nil, err
		}
	}
	uid := c.useUID.Load()
	name := cmdName("FETCH", uid)
	out := make(map[uint32][]string)
	h := stringsHandler(set, uid, item, conv, out)
	for _, part := range set.Split(maxSetLen) {
		_, err := c.conn.Execute(ctx, name, func(e *imapwire.Encoder) {
			e.SP().NumSet(part).SP().Byte('(').Atom(item).Byte(')')
		}, h)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// stringsHandler collects the item of FETCH responses into out, keyed by
// UID (from the UID item; FETCH responses without one are unsolicited
// updates and are left alone) or by sequence number. Responses for
// messages outside a set without "*" are updates too: in sequence-number
// mode they are not claimed; in UID mode they are read and dropped.
func stringsHandler(set imap.NumSet, uid bool, item string, conv func(string) string, out map[uint32][]string) func(*imapwire.Response) (bool, error) {
	dynamic := set.Dynamic()
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != "FETCH" {
			return false, nil
		}
		if !uid && !dynamic && !set.Contains(r.Num) {
			return false, nil
		}
		var it imapwire.FetchItem
		var key uint32
		var vals []string
		found := false
		if !uid {
			key = r.Num
		}
		for {
			ok, err := r.NextFetchItem(&it)
			if err != nil {
				return true, err
			}
			if !ok {
				break
			}
			switch it.Name {
			case "UID":
				if uid && it.Num > 0 && it.Num <= 0xffffffff {
					key = uint32(it.Num)
				}
			case item:
				found = true
				vals = make([]string, len(it.Strings))
				for i, s := range it.Strings {
					if item == "FLAGS" {
						s = imap.CanonicalFlag(s)
					}
					if conv != nil {
						s = conv(s)
					}
					vals[i] = s
				}
			}
		}
		if key == 0 || !found || (uid && !dynamic && !set.Contains(key)) {
			return true, nil
		}
		out[key] = vals
		return true, nil
	}
}

// cmdName returns the command name with the "UID " prefix in UID mode
// (RFC 3501 section 6.4.8).
func cmdName(name string, uid bool) string {
	if uid {
		return "UID " + name
	}
	return name
}
