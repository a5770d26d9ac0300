package imapclient

import (
	"time"

	"github.com/imapclient-go/imapclient/imap"
)

// Envelope is a message's ENVELOPE (RFC 3501 section 7.4.2) in usable
// form: the date parsed, the subject and the display names decoded from
// RFC 2047 encoded words. Raw keeps the envelope exactly as the server
// sent it.
type Envelope struct {
	// Date is the Date header parsed leniently (see ParseMessageDate). It
	// is the zero time when the header is missing or cannot be parsed;
	// Raw.Date holds the text.
	Date time.Time
	// Subject is the Subject header with encoded words decoded (see
	// DecodeHeader).
	Subject string
	// The address lists, in the server's order and flattened as on the
	// wire (see imap.Address for groups), with display names and group
	// names decoded. Index i corresponds to index i of the same list in
	// Raw. The lists are read-only: a list that decoding does not change
	// is Raw's slice, and equal lists may share one slice (Sender and
	// ReplyTo usually repeat From).
	From, Sender, ReplyTo, To, Cc, Bcc []imap.Address
	// InReplyTo and MessageID are as sent, angle brackets included.
	InReplyTo, MessageID string
	// Raw is the envelope as sent: undecoded subject and names, the date
	// text.
	Raw *imap.Envelope
}

// DecodeEnvelope decodes an envelope as sent by the server: it parses
// the date (keeping the zone it names) and decodes the subject and the
// display names. It is applied to FETCH ENVELOPE items; use it for the
// envelopes of message/rfc822 parts in a BodyStructure. It returns nil for
// nil.
func DecodeEnvelope(raw *imap.Envelope) *Envelope {
	if raw == nil {
		return nil
	}
	lists := [6][]imap.Address{raw.From, raw.Sender, raw.ReplyTo, raw.To, raw.Cc, raw.Bcc}
	// A list without encoded words is the raw list itself, and a list the
	// decoder shared with an earlier one (Sender and Reply-To usually
	// repeat From) stays shared: only lists that decoding changes get
	// addresses of their own, all from one array.
	var decoded [6]bool
	var shared [6]int // the earlier list a list needing decoding is, or -1
	n := 0
	for i, l := range lists {
		shared[i] = -1
		if needsDecoding(l) {
			if shared[i] = sharedWith(lists[:i], l); shared[i] < 0 {
				decoded[i] = true
				n += len(l)
			}
		}
	}
	var all []imap.Address
	if n > 0 {
		all = make([]imap.Address, 0, n)
	}
	for i, l := range lists { // ranges over a copy: l is the raw list
		switch {
		case decoded[i]:
			lists[i] = decodeAddrs(&all, l)
		case shared[i] >= 0:
			lists[i] = lists[shared[i]] // decoded above
		}
	}
	e := &Envelope{
		Subject:   DecodeHeader(raw.Subject),
		From:      lists[0],
		Sender:    lists[1],
		ReplyTo:   lists[2],
		To:        lists[3],
		Cc:        lists[4],
		Bcc:       lists[5],
		InReplyTo: raw.InReplyTo,
		MessageID: raw.MessageID,
		Raw:       raw,
	}
	if raw.Date != "" {
		if t, err := ParseMessageDate(raw.Date); err == nil {
			e.Date = t
		}
	}
	return e
}

// needsDecoding reports whether a display name (or group name) in l holds
// an encoded word.
func needsDecoding(l []imap.Address) bool {
	for i := range l {
		a := &l[i]
		if hasEncodedWord(a.Name) || (a.IsGroupStart() && hasEncodedWord(a.Mailbox)) {
			return true
		}
	}
	return false
}

// hasEncodedWord reports whether s contains "=?", the start of an encoded
// word. Header values are short: a byte loop beats strings.Contains.
func hasEncodedWord(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '=' && s[i+1] == '?' {
			return true
		}
	}
	return false
}

// sharedWith returns the index of the list in earlier that is the same
// slice as l (same first element and length), or -1.
func sharedWith(earlier [][]imap.Address, l []imap.Address) int {
	if len(l) == 0 {
		return -1
	}
	for i, e := range earlier {
		if len(e) == len(l) && &e[0] == &l[0] {
			return i
		}
	}
	return -1
}

// decodeAddrs appends the decoded addresses of in to *all and returns
// them as a slice of their own (nil for nil, empty for empty).
func decodeAddrs(all *[]imap.Address, in []imap.Address) []imap.Address {
	if in == nil {
		return nil
	}
	start := len(*all)
	for _, a := range in {
		a.Name = DecodeHeader(a.Name)
		if a.IsGroupStart() {
			a.Mailbox = DecodeHeader(a.Mailbox) // the group's display name
		}
		*all = append(*all, a)
	}
	return (*all)[start:len(*all):len(*all)]
}
