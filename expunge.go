package imapclient

import (
	"context"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Expunge removes every message flagged Deleted from the selected folder
// (EXPUNGE, RFC 3501 section 6.4.3) and returns the sequence numbers the
// server reported as expunged, in its order. Each number is relative to the
// folder as it was after the previous ones were removed (RFC 3501 section
// 7.4.1): expunging messages 2 and 3 may be reported as 3, 2 or as 2, 2.
//
// With QRESYNC enabled the server reports VANISHED UIDs instead (RFC 7162
// section 3.2.10); those are not collected here, so the list is then empty.
func (c *Client) Expunge(ctx context.Context) ([]uint32, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireSelected("EXPUNGE", true); err != nil {
		return nil, err
	}
	var nums []uint32
	_, err := c.conn.Execute(ctx, "EXPUNGE", nil, expungeHandler(&nums))
	return nums, err
}

// UIDExpunge removes the given messages, if they are flagged Deleted, and
// no others (UID EXPUNGE, RFC 4315 section 2.1; IMAPClient's uid_expunge).
// It needs UIDPLUS. The messages follow UseUID: in sequence-number mode
// they are first resolved to UIDs with FETCH. It returns the sequence
// numbers expunged, as Expunge does.
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
	h := expungeHandler(&nums)
	for _, part := range uids.Split(maxSetLen) {
		_, err := c.conn.Execute(ctx, "UID EXPUNGE", func(e *imapwire.Encoder) {
			e.SP().NumSet(part)
		}, h)
		if err != nil {
			return nums, err
		}
	}
	return nums, nil
}

// expungeHandler collects the sequence numbers of EXPUNGE responses.
func expungeHandler(nums *[]uint32) func(*imapwire.Response) (bool, error) {
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != "EXPUNGE" {
			return false, nil
		}
		*nums = append(*nums, r.Num)
		return true, nil
	}
}
