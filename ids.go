package imapclient

import (
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
)

// MessageSet is what methods take wherever messages are named: UIDs, or
// sequence numbers after SetUseUID(false). IMAPClient accepts a list, a
// single id or a set string; in Go these are IDs, ID and SetString, and an
// imap.NumSet works too:
//
//	c.Fetch(ctx, imapclient.IDs{1, 2, 3, 7}, ...)   // sent as 1:3,7
//	c.Fetch(ctx, imapclient.ID(42), ...)
//	c.Fetch(ctx, imapclient.SetString("2,4:7,9,12:*"), ...)
//	c.Fetch(ctx, imapclient.SetString("50-65"), ...) // IMAPClient's form, sent as 50:65
//
// An invalid set is an error before anything is sent.
type MessageSet interface {
	NumSet() (imap.NumSet, error)
}

// IDs is a list of message ids. Duplicates are removed and consecutive ids
// are compressed into ranges.
type IDs []uint32

// NumSet implements MessageSet.
func (ids IDs) NumSet() (imap.NumSet, error) {
	if len(ids) == 0 {
		return nil, imap.ErrEmptySet
	}
	for _, id := range ids {
		if id == 0 {
			return nil, fmt.Errorf("imapclient: message id 0 is not valid (ids start at 1)")
		}
	}
	return imap.NumSetOf(ids...), nil
}

// ID is a single message id.
type ID uint32

// NumSet implements MessageSet.
func (id ID) NumSet() (imap.NumSet, error) {
	if id == 0 {
		return nil, fmt.Errorf("imapclient: message id 0 is not valid (ids start at 1)")
	}
	return imap.NumSet{{Start: uint32(id), Stop: uint32(id)}}, nil
}

// SetString is a message set in IMAP syntax ("2:*", "2,4:7,9,12:*") or
// IMAPClient's dash form ("50-65").
type SetString string

// NumSet implements MessageSet.
func (s SetString) NumSet() (imap.NumSet, error) { return imap.ParseNumSet(string(s)) }

// All is every message in the selected folder: "1:*".
var All = SetString("1:*")

// numSet resolves a MessageSet, naming the command in the error.
func numSet(command string, ms MessageSet) (imap.NumSet, error) {
	if ms == nil {
		return nil, fmt.Errorf("imapclient: %s: no messages given: %w", command, imap.ErrEmptySet)
	}
	set, err := ms.NumSet()
	if err != nil {
		return nil, fmt.Errorf("imapclient: %s: %w", command, err)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("imapclient: %s: %w", command, imap.ErrEmptySet)
	}
	return set, nil
}

// maxSetLen is the longest message set sent in one command; longer sets
// are split over several commands. Servers accept lines of at least 8,000
// bytes (RFC 7162 section 4 recommends that limit for clients).
const maxSetLen = 7000
