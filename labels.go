package imapclient

import (
	"context"
	"fmt"

	"github.com/imapclient-go/imapclient/imapwire"
)

// Gmail labels (the X-GM-LABELS item of Gmail's X-GM-EXT-1 extension).
// Labels are folder names: they are encoded to modified UTF-7 on the way
// out and decoded on the way in, unless folder encoding is off
// (SetFolderEncode). System labels keep their backslash: `\Inbox`,
// `\Important`, `\Starred`, `\Sent`, `\Draft`. Every method needs the
// X-GM-EXT-1 capability and returns a *CapabilityError without it.

// GetGmailLabels returns the Gmail labels of the messages, keyed by UID,
// or by sequence number when UseUID is off.
func (c *Client) GetGmailLabels(ctx context.Context, ms MessageSet) (map[uint32][]string, error) {
	return c.fetchStrings(ctx, ms, "X-GM-LABELS", c.decodeName)
}

// AddGmailLabels adds labels to the messages and returns their labels
// afterwards (nil with silent). labels may not be empty.
func (c *Client) AddGmailLabels(ctx context.Context, ms MessageSet, labels []string, silent bool) (map[uint32][]string, error) {
	return c.storeLabels(ctx, ms, "+", labels, silent)
}

// RemoveGmailLabels removes labels from the messages, as AddGmailLabels
// adds them.
func (c *Client) RemoveGmailLabels(ctx context.Context, ms MessageSet, labels []string, silent bool) (map[uint32][]string, error) {
	return c.storeLabels(ctx, ms, "-", labels, silent)
}

// SetGmailLabels replaces the labels of the messages; an empty list
// removes them all.
func (c *Client) SetGmailLabels(ctx context.Context, ms MessageSet, labels []string, silent bool) (map[uint32][]string, error) {
	return c.storeLabels(ctx, ms, "", labels, silent)
}

func (c *Client) storeLabels(ctx context.Context, ms MessageSet, op string, labels []string, silent bool) (map[uint32][]string, error) {
	set, err := numSet("STORE", ms)
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 && op != "" {
		return nil, fmt.Errorf("imapclient: STORE: no labels given: %w", imapwire.ErrInvalidArgument)
	}
	for _, l := range labels {
		if l == "" {
			return nil, fmt.Errorf("imapclient: STORE: empty label: %w", imapwire.ErrInvalidArgument)
		}
	}
	// Labels are astrings: quoted or sent as literals when needed, so no
	// value can break the command line.
	write := func(e *imapwire.Encoder, v string) { e.AString(c.encodeName(v)) }
	return c.store(ctx, set, op+"X-GM-LABELS", labels, silent, write, c.decodeName)
}
