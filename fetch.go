package imapclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Fetch retrieves data about messages (RFC 3501 section 6.4.5,
// IMAPClient's fetch) and returns it keyed by id: UIDs when UIDs are in
// use (the default), sequence numbers otherwise.
//
// items are FETCH data items, one or several per string: "FLAGS", "UID",
// "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY",
// body sections such as "BODY[]", "BODY.PEEK[HEADER.FIELDS (SUBJECT
// FROM)]", "BODY[1.2]<0.1024>" (partial), "BINARY.PEEK[1]",
// "BINARY.SIZE[1]", "RFC822", "RFC822.HEADER", "RFC822.TEXT", the macros
// "ALL", "FAST" and "FULL", "MODSEQ", "X-GM-MSGID", "X-GM-THRID",
// "X-GM-LABELS", "EMAILID", "THREADID", "PREVIEW" and "SAVEDATE", and
// any other item name, whose value is kept raw. Items are checked and
// re-encoded (header field names as strings), never sent as given; an
// invalid item is an error before anything is sent, and so is an
// extension item or modifier the server does not announce (a
// *CapabilityError). modifiers are FETCH modifiers such as
// "CHANGEDSINCE 42" (RFC 7162 section 3.1.4) or "VANISHED".
//
// With UIDs the UID item is always requested, so every result is keyed.
// Values are typed (see Message): times in the server's zone unless
// NormaliseTimes is on; body sections under the keys SectionKey
// describes, looked up most easily with Message.Section and the item as
// requested. A server may split one message's data over several FETCH
// responses; they are merged.
//
// FETCH responses the server sends on its own about other messages (flag
// changes made by another session, RFC 3501 section 7.4.2) are updates,
// not results: they are kept out of the map and delivered as a
// *FetchUpdate like any unsolicited response (Options.OnUpdate, or
// IdleCheck while idling). With sequence numbers these are the responses
// for numbers outside the set; with UIDs, a response without a UID (RFC
// 3501 section 6.4.8 requires one in every response UID FETCH causes) or
// with a UID outside the set. A set using "*" matches every message, as
// the client cannot know what "*" stands for.
//
// Fetch holds everything in memory; a body section is bounded by
// Options.Limits.MaxLiteral (64 MiB by default). Use FetchIter to stream
// large sets or large messages. A set too long for one command line is
// split over several FETCH commands. On error, the map holds what arrived
// before it (for example the messages a server could fetch before its
// NO).
func (c *Client) Fetch(ctx context.Context, ms MessageSet, items []string, modifiers ...string) (map[uint32]*Message, error) {
	req, err := c.newFetch(ms, items, modifiers)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.checkFetch(ctx, req); err != nil {
		return nil, err
	}
	out := make(map[uint32]*Message)
	for _, part := range req.set.Split(maxSetLen) {
		if _, err := c.conn.Execute(ctx, req.cmd, req.build(part), c.fetchHandler(req, out)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// fetchRequest is a validated FETCH.
type fetchRequest struct {
	cmd    string // "FETCH" or "UID FETCH"
	set    imap.NumSet
	atts   []fetchAtt
	mods   []string
	useUID bool
	norm   bool // NormaliseTimes, read once per call
}

// newFetch validates a FETCH without the connection.
func (c *Client) newFetch(ms MessageSet, items []string, modifiers []string) (*fetchRequest, error) {
	req := &fetchRequest{cmd: c.uidCmd("FETCH"), useUID: c.UseUID(), norm: c.NormaliseTimes()}
	set, err := numSet(req.cmd, ms)
	if err != nil {
		return nil, err
	}
	req.set = set
	hasUID := false
	for _, s := range items {
		atts, err := parseFetchAtts(s)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			hasUID = hasUID || a.name == "UID"
		}
		req.atts = append(req.atts, atts...)
	}
	if len(req.atts) == 0 {
		return nil, fmt.Errorf("imapclient: %s needs at least one item", req.cmd)
	}
	if req.useUID && !hasUID {
		req.atts = append([]fetchAtt{{name: "UID"}}, req.atts...)
	}
	for _, m := range modifiers {
		if _, err := checkModifier(m); err != nil {
			return nil, err
		}
		req.mods = append(req.mods, strings.TrimSpace(m))
	}
	return req, nil
}

// checkFetch checks the state and the capabilities the request needs, with
// the connection held.
func (c *Client) checkFetch(ctx context.Context, req *fetchRequest) error {
	if err := c.requireSelected(req.cmd, false); err != nil {
		return err
	}
	for _, a := range req.atts {
		if capName, ok := itemCaps[a.name]; ok {
			if err := c.requireCap(ctx, capName, "FETCH "+a.name); err != nil {
				return err
			}
		}
	}
	for _, m := range req.mods {
		name, _ := checkModifier(m)
		if capName, ok := modifierCaps[name]; ok {
			if err := c.requireCap(ctx, capName, "FETCH modifier "+name); err != nil {
				return err
			}
		}
	}
	return nil
}

// build writes "set (items) [(modifiers)]".
func (req *fetchRequest) build(set imap.NumSet) imapconn.Build {
	return func(e *imapwire.Encoder) {
		e.SP().NumSet(set).SP().Byte('(')
		for i := range req.atts {
			if i > 0 {
				e.SP()
			}
			req.atts[i].encode(e)
		}
		e.Byte(')')
		if len(req.mods) > 0 {
			e.SP().Byte('(')
			for i, m := range req.mods {
				if i > 0 {
					e.SP()
				}
				e.Raw(m) // validated by checkModifier: atoms, numbers, lists
			}
			e.Byte(')')
		}
	}
}

// inSet reports whether a FETCH response for id answers the request.
func inSet(set imap.NumSet, id uint32) bool {
	return set.Dynamic() || set.Contains(id)
}

// fetchHandler collects the FETCH responses of one command into out.
func (c *Client) fetchHandler(req *fetchRequest, out map[uint32]*Message) imapconn.Handler {
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != "FETCH" {
			return false, nil
		}
		if !req.useUID && !inSet(req.set, r.Num) {
			return false, nil // an update: leave it unread for others
		}
		items, err := r.ReadAllFetchItems()
		key := r.Num
		if req.useUID {
			uid, ok := uint32(0), false
			for i := range items {
				if items[i].Name == "UID" {
					uid, ok = uint32(items[i].Num), true
				}
			}
			if !ok || !inSet(req.set, uid) {
				c.deliver(fetchUpdateOf(r.Num, items))
				return true, err
			}
			key = uid
		}
		m := out[key]
		if m == nil {
			m = &Message{}
			out[key] = m
		}
		m.SeqNum = r.Num
		for i := range items {
			c.applyItem(m, &items[i], req.norm)
		}
		return true, err
	}
}

// fetchUpdateOf turns the items of a FETCH response that turned out to be
// an update into one.
func fetchUpdateOf(seq uint32, items []imapwire.FetchItem) *FetchUpdate {
	u := &FetchUpdate{SeqNum: seq}
	for i := range items {
		switch it := &items[i]; it.Name {
		case "UID":
			u.UID = uint32(it.Num)
		case "FLAGS":
			u.Flags = make([]string, len(it.Strings))
			for j, f := range it.Strings {
				u.Flags[j] = imap.CanonicalFlag(f)
			}
		case "MODSEQ":
			u.ModSeq = it.Num
		}
	}
	return u
}

// isSectionItem reports whether it carries body data (a literal).
func isSectionItem(it *imapwire.FetchItem) bool {
	switch it.Name {
	case "BODY":
		return it.HasSection
	case "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		return true
	}
	return false
}

// applyItem stores one FETCH item into m. Body sections must own their
// Literal (ReadAllFetchItems copies); FetchIter never passes them.
func (c *Client) applyItem(m *Message, it *imapwire.FetchItem, norm bool) {
	switch it.Name {
	case "UID":
		m.UID = uint32(it.Num)
	case "FLAGS":
		// The decoder never reuses Strings: canonicalise in place.
		for i, f := range it.Strings {
			it.Strings[i] = imap.CanonicalFlag(f)
		}
		m.Flags = it.Strings
	case "INTERNALDATE":
		if t, ok := parseInternalDate(it.Text); ok {
			m.InternalDate = normTime(t, norm)
		} else {
			setRaw(m, it.Name, []byte(it.Text))
		}
	case "RFC822.SIZE":
		m.Size = int64(it.Num)
	case "ENVELOPE":
		m.Envelope = DecodeEnvelope(it.Envelope)
		if m.Envelope != nil && !m.Envelope.Date.IsZero() {
			m.Envelope.Date = normTime(m.Envelope.Date, norm)
		}
	case "BODYSTRUCTURE":
		m.BodyStructure = it.Body
	case "BODY", "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		if !isSectionItem(it) {
			if m.BodyStructure == nil || !m.BodyStructure.Extended {
				m.BodyStructure = it.Body
			}
			return
		}
		if m.Sections == nil {
			m.Sections = make(map[string][]byte)
		}
		var data []byte
		if !it.Nil {
			data = it.Literal
			if data == nil {
				data = []byte{}
			}
		}
		m.Sections[responseKey(it)] = data
	case "BINARY.SIZE":
		if m.BinarySize == nil {
			m.BinarySize = make(map[string]int64)
		}
		m.BinarySize[normalizeSpec(it.Section)] = int64(it.Num)
	case "MODSEQ":
		m.ModSeq = it.Num
	case "X-GM-MSGID":
		m.GmailMsgID = it.Num
	case "X-GM-THRID":
		m.GmailThreadID = it.Num
	case "X-GM-LABELS":
		labels := make([]string, len(it.Strings))
		for i, l := range it.Strings {
			labels[i] = c.decodeName(l)
		}
		m.GmailLabels = labels
	case "EMAILID":
		m.EmailID = it.Text
	case "THREADID":
		m.ThreadID = it.Text
	case "PREVIEW":
		m.Preview = it.Text
	case "SAVEDATE":
		if it.Text == "" {
			return
		}
		if t, ok := parseInternalDate(it.Text); ok {
			m.SaveDate = normTime(t, norm)
		} else {
			setRaw(m, it.Name, []byte(it.Text))
		}
	default:
		key := it.Name
		if it.HasSection {
			key += "[" + it.Section + "]"
		}
		setRaw(m, key, it.Raw)
	}
}

func setRaw(m *Message, key string, v []byte) {
	if m.Raw == nil {
		m.Raw = make(map[string][]byte)
	}
	m.Raw[key] = v
}

// parseInternalDate parses an IMAP date-time (RFC 3501 section 9),
// falling back to the lenient parser for servers that stray.
func parseInternalDate(s string) (time.Time, bool) {
	if t, ok := parseDateTimeFast(s); ok {
		return t, true
	}
	if t, err := imap.ParseDateTime(s); err == nil {
		return t, true
	}
	if t, err := ParseMessageDate(s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func normTime(t time.Time, norm bool) time.Time {
	if norm {
		return t.Local()
	}
	return t
}
