package imapclient

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// SelectResult is what the server said about a folder when it was
// selected (RFC 3501 sections 6.3.1 and 7; IMAPClient's select_folder
// dictionary). Numbers the server did not send are zero.
type SelectResult struct {
	// Exists is the number of messages (the EXISTS response).
	Exists uint32
	// Recent is the number of messages with \Recent (RECENT; IMAP4rev2
	// servers do not send it).
	Recent uint32
	// UIDNext is the predicted next UID (the UIDNEXT code).
	UIDNext uint32
	// UIDValidity is the folder's UID validity value (UIDVALIDITY).
	UIDValidity uint32
	// Unseen is the sequence number of the first unseen message (the
	// UNSEEN code of RFC 3501; not the number of unseen messages).
	Unseen uint32
	// HighestModSeq is the highest mod-sequence (RFC 7162 section 3.1.2.1),
	// sent once CONDSTORE is enabled.
	HighestModSeq uint64
	// NoModSeq is true when the server said the folder has no
	// mod-sequences (the NOMODSEQ code, RFC 7162 section 3.1.2.2).
	NoModSeq bool
	// Flags are the flags defined in the folder (FLAGS).
	Flags []string
	// PermanentFlags are the flags the client can change permanently
	// (PERMANENTFLAGS); `\*` means new keywords may be created. Nil when
	// the server did not send the code.
	PermanentFlags []string
	// ReadOnly is true when the folder was opened read-only: with EXAMINE,
	// or when the server answered [READ-ONLY].
	ReadOnly bool
	// Untagged holds the other untagged responses of the command as they
	// came: alerts, OK responses without a code or with other codes (such
	// as [CLOSED], RFC 7162 section 3.2.11), VANISHED and FETCH data of
	// QRESYNC, and anything a server adds.
	Untagged []UntaggedResponse
	// Vanished holds, after SelectFolderWith with QResync parameters, the
	// UIDs expunged since the client's last session (VANISHED (EARLIER),
	// RFC 7162 section 3.2.5.1) as a compact set; nil otherwise.
	Vanished imap.NumSet
	// Changed holds, after SelectFolderWith with QResync parameters, the
	// messages changed since the client's last session, keyed by UID, with
	// the FLAGS and MODSEQ the server reported (RFC 7162 section 3.2.5.1);
	// nil otherwise.
	Changed map[uint32]*Message
}

// SelectFolder opens a folder with SELECT, or read-only with EXAMINE when
// readOnly is true (RFC 3501 sections 6.3.1 and 6.3.2; IMAPClient's
// select_folder). Later message commands act on it. A failed SELECT
// leaves no folder selected (RFC 3501 section 6.3.1).
func (c *Client) SelectFolder(ctx context.Context, name string, readOnly bool) (*SelectResult, error) {
	cmd := "SELECT"
	if readOnly {
		cmd = "EXAMINE"
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return nil, err
	}
	p := &selectParser{}
	st, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(c.encodeName(name))
	}, p.handle)
	if err != nil {
		return nil, fmt.Errorf("imapclient: %s %q: %w", cmd, name, err)
	}
	res := p.finish(st, readOnly)
	c.sel.set(name, res.ReadOnly, res.UIDValidity)
	c.sel.setCounts(res.Exists, res.UIDNext, res.HighestModSeq)
	return res, nil
}

// selectParser collects the untagged responses of SELECT and EXAMINE.
type selectParser struct {
	res SelectResult
}

// handle is the command's handler: it claims every untagged response,
// since all of them belong to the selection.
func (p *selectParser) handle(r *imapwire.Response) (bool, error) {
	res := &p.res
	switch r.Name {
	case "EXISTS":
		res.Exists = r.Num
		return true, nil
	case "RECENT":
		res.Recent = r.Num
		return true, nil
	case "FLAGS":
		if flags, ok := r.Data.([]string); ok {
			res.Flags = flags
			return true, nil
		}
	case "OK":
		if r.Status != nil && p.code(r.Status) {
			return true, nil
		}
	}
	return collect(&res.Untagged)(r)
}

// code records a response code of an untagged OK, reporting whether it
// was one the result models.
func (p *selectParser) code(st *imap.StatusResponse) bool {
	res := &p.res
	switch st.Code {
	case imap.CodePermanentFlags:
		res.PermanentFlags = imap.ParseCodeList(st.CodeArg)
		if res.PermanentFlags == nil {
			res.PermanentFlags = []string{}
		}
		return true
	case imap.CodeUIDNext:
		return codeNum32(st.CodeArg, &res.UIDNext)
	case imap.CodeUIDValidity:
		return codeNum32(st.CodeArg, &res.UIDValidity)
	case imap.CodeUnseen:
		return codeNum32(st.CodeArg, &res.Unseen)
	case imap.CodeHighestModSeq:
		n, err := imap.ParseCodeNum(st.CodeArg)
		if err != nil {
			return false
		}
		res.HighestModSeq = n
		return true
	case imap.CodeNoModSeq:
		res.NoModSeq = true
		return true
	}
	return false
}

// codeNum32 decodes a 32-bit code number into dst; a malformed one is
// reported as not handled, so the response is kept raw.
func codeNum32(arg string, dst *uint32) bool {
	n, err := imap.ParseCodeNum(arg)
	if err != nil || n > math.MaxUint32 {
		return false
	}
	*dst = uint32(n)
	return true
}

// finish completes the result from the tagged status: [READ-ONLY] or
// [READ-WRITE] (RFC 3501 section 6.3.1). EXAMINE is always read-only.
func (p *selectParser) finish(st *imap.StatusResponse, examine bool) *SelectResult {
	res := &p.res
	res.ReadOnly = examine || (st != nil && st.Code == imap.CodeReadOnly)
	return res
}

// UnselectFolder closes the selected folder without expunging messages
// marked \Deleted (RFC 3691; IMAPClient's unselect_folder). It needs the
// UNSELECT capability (a *CapabilityError otherwise) and a selected
// folder (an *IllegalStateError otherwise); nothing is sent in those
// cases. Unlike IMAPClient it checks the server's answer: a NO or BAD is
// returned as an error.
func (c *Client) UnselectFolder(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireSelected("UNSELECT", false); err != nil {
		return err
	}
	if err := c.requireCap(ctx, imap.CapUnselect, "UNSELECT"); err != nil {
		return err
	}
	_, err := c.conn.Execute(ctx, "UNSELECT", nil, nil)
	return err
}

// CloseFolder closes the selected folder with CLOSE, which also expunges
// the messages marked \Deleted when the folder is writable, without
// reporting them (RFC 3501 section 6.4.2; IMAPClient's close_folder). It
// needs a selected folder (an *IllegalStateError otherwise).
func (c *Client) CloseFolder(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireSelected("CLOSE", false); err != nil {
		return err
	}
	_, err := c.conn.Execute(ctx, "CLOSE", nil, nil)
	return err
}

// FolderStatus is the answer to STATUS (RFC 3501 section 6.3.10, RFC 9051
// section 6.3.11). The typed fields are zero for items not asked for or
// not returned; Items holds every item returned.
type FolderStatus struct {
	// Name is the folder's name as asked for.
	Name string
	// Messages is the number of messages (MESSAGES).
	Messages uint32
	// Recent is the number of messages with \Recent (RECENT).
	Recent uint32
	// UIDNext is the predicted next UID (UIDNEXT).
	UIDNext uint32
	// UIDValidity is the UID validity value (UIDVALIDITY).
	UIDValidity uint32
	// Unseen is the number of messages without \Seen (UNSEEN).
	Unseen uint32
	// Deleted is the number of messages with \Deleted (DELETED, RFC 9051).
	Deleted uint32
	// HighestModSeq is the highest mod-sequence (HIGHESTMODSEQ, RFC 7162
	// section 3.1.6; needs CONDSTORE).
	HighestModSeq uint64
	// Size is the total size of the messages in octets (SIZE, RFC 8438;
	// needs STATUS=SIZE).
	Size uint64
	// Items maps each returned item name, upper-cased, to its value.
	Items map[string]uint64
}

// Has reports whether the server returned the item (case-insensitive).
func (s *FolderStatus) Has(item string) bool {
	_, ok := s.Items[strings.ToUpper(item)]
	return ok
}

// defaultStatusItems are the items FolderStatus asks for when none are
// given: IMAPClient's default.
var defaultStatusItems = []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"}

// FolderStatus asks for the status of a folder without selecting it (RFC
// 3501 section 6.3.10; IMAPClient's folder_status). items are STATUS item
// names such as "MESSAGES", "UNSEEN", "HIGHESTMODSEQ" (CONDSTORE) or
// "SIZE" (STATUS=SIZE); none means IMAPClient's default, MESSAGES RECENT
// UIDNEXT UIDVALIDITY UNSEEN. An item that is not
// an atom is an error before anything is sent.
func (c *Client) FolderStatus(ctx context.Context, name string, items ...string) (*FolderStatus, error) {
	if len(items) == 0 {
		items = defaultStatusItems
	}
	for _, it := range items {
		if !imapwire.IsAtom(it) {
			return nil, fmt.Errorf("imapclient: STATUS: invalid status item %q: %w", it, imapwire.ErrInvalidArgument)
		}
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("STATUS"); err != nil {
		return nil, err
	}
	wire := c.encodeName(name)
	p := &statusParser{wire: wire}
	_, err := c.conn.Execute(ctx, "STATUS", func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().Byte('(')
		for i, it := range items {
			if i > 0 {
				e.SP()
			}
			e.Atom(strings.ToUpper(it))
		}
		e.Byte(')')
	}, p.handle)
	if err != nil {
		return nil, fmt.Errorf("imapclient: STATUS %q: %w", name, err)
	}
	fs, err := p.result(name)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// statusParser collects the STATUS response for one folder.
type statusParser struct {
	wire   string // the folder name as sent
	data   *imapwire.StatusData
	others []*imapwire.StatusData // STATUS responses for other names
}

// handle claims STATUS responses for the folder asked for. Responses for
// other names are left to others (they may be unsolicited, RFC 5465) but
// remembered: a server that spells the name differently still answers.
func (p *statusParser) handle(r *imapwire.Response) (bool, error) {
	if r.Name != "STATUS" {
		return false, nil
	}
	sd, ok := r.Data.(*imapwire.StatusData)
	if !ok || sd == nil {
		return false, nil
	}
	if !sameFolderName(sd.Mailbox, p.wire) {
		p.others = append(p.others, sd)
		return false, nil
	}
	if p.data == nil {
		p.data = &imapwire.StatusData{Mailbox: sd.Mailbox, Items: map[string]uint64{}}
	}
	for k, v := range sd.Items { // several STATUS responses are merged
		p.data.Items[k] = v
	}
	return true, nil
}

// result turns the collected data into a FolderStatus.
func (p *statusParser) result(name string) (*FolderStatus, error) {
	if p.data == nil && len(p.others) == 1 {
		p.data = p.others[0]
	}
	if p.data == nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("STATUS completed without a STATUS response for %q", p.wire)}
	}
	fs := &FolderStatus{Name: name, Items: p.data.Items}
	u32 := func(k string) uint32 {
		v := fs.Items[k]
		if v > math.MaxUint32 {
			return math.MaxUint32
		}
		return uint32(v)
	}
	fs.Messages = u32("MESSAGES")
	fs.Recent = u32("RECENT")
	fs.UIDNext = u32("UIDNEXT")
	fs.UIDValidity = u32("UIDVALIDITY")
	fs.Unseen = u32("UNSEEN")
	fs.Deleted = u32("DELETED")
	fs.HighestModSeq = fs.Items["HIGHESTMODSEQ"]
	fs.Size = fs.Items["SIZE"]
	return fs, nil
}
