package imapclient

import (
	"context"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Expunge removes every message flagged Deleted from the selected folder
// (EXPUNGE, RFC 3501 section 6.4.3) and returns the sequence numbers the
// server reported as expunged, in its order. Each number is relative to the
// folder as it was after the previous ones were removed (RFC 3501 section
// 7.4.1): expunging messages 2 and 3 may be reported as 3, 2 or as 2, 2.
//
// With QRESYNC enabled (EnableQResync) the server reports the UIDs of the
// expunged messages with VANISHED instead (RFC 7162 section 3.2.10):
// Expunge then returns those UIDs, in the order the server lists them.
func (c *Client) Expunge(ctx context.Context) ([]uint32, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("EXPUNGE", true); err != nil {
		return nil, err
	}
	var nums []uint32
	st, err := c.conn.Execute(ctx, "EXPUNGE", nil, c.expungeHandler(&nums))
	c.noteStatusModSeq(st)
	return nums, err
}

// UIDExpunge removes the given messages, if they are flagged Deleted, and
// no others (UID EXPUNGE, RFC 4315 section 2.1; IMAPClient's uid_expunge).
// It needs UIDPLUS. The messages follow UseUID: in sequence-number mode
// they are first resolved to UIDs with FETCH. It returns the sequence
// numbers expunged, or with QRESYNC enabled their UIDs, as Expunge does.
func (c *Client) UIDExpunge(ctx context.Context, ms MessageSet) ([]uint32, error) {
	set, err := numSet("UID EXPUNGE", ms)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("UID EXPUNGE", true); err != nil {
		return nil, err
	}
	if err := c.needCap(ctx, imap.CapUIDPlus, "UID EXPUNGE"); err != nil {
		return nil, err
	}
	if !c.useUID.Load() {
		if set, err = c.resolveUIDs(ctx, set, false); err != nil {
			return nil, err
		}
		if len(set) == 0 {
			return nil, nil
		}
	}
	return c.uidExpungeLocked(ctx, set)
}

// uidExpungeLocked runs UID EXPUNGE over uids, split as needed.
func (c *Client) uidExpungeLocked(ctx context.Context, uids imap.NumSet) ([]uint32, error) {
	var nums []uint32
	h := c.expungeHandler(&nums)
	for _, part := range uids.Split(maxSetLen) {
		st, err := c.conn.Execute(ctx, "UID EXPUNGE", func(e *imapwire.Encoder) {
			e.SP().NumSet(part)
		}, h)
		c.noteStatusModSeq(st)
		if err != nil {
			return nums, err
		}
	}
	return nums, nil
}

// expungeHandler collects the sequence numbers of EXPUNGE responses, or
// the UIDs of VANISHED responses once QRESYNC is enabled (RFC 7162
// section 3.2.10), and keeps the folder view current. VANISHED (EARLIER)
// is not an answer to an expunge and is left to others.
func (c *Client) expungeHandler(nums *[]uint32) func(*imapwire.Response) (bool, error) {
	return func(r *imapwire.Response) (bool, error) {
		switch r.Name {
		case "EXPUNGE":
			*nums = append(*nums, r.Num)
			c.noteUpdate(&ExpungeUpdate{SeqNum: r.Num})
			return true, nil
		case "VANISHED":
			v := vanishedOf(r)
			if v == nil || v.Earlier {
				return false, nil
			}
			// Only messages of the folder can vanish: far more UIDs than
			// it holds, or "*", is nonsense that must not be expanded.
			view, _ := c.FolderView()
			limit := max(int(view.Exists), 1<<20)
			uids, ok := v.UIDs.Nums(limit)
			if !ok {
				return true, &ProtocolError{Msg: fmt.Sprintf("VANISHED %s names more than %d messages", v.UIDs, limit)}
			}
			*nums = append(*nums, uids...)
			c.noteUpdate(v)
			return true, nil
		}
		return false, nil
	}
}
