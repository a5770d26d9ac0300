package imapclient

import (
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Update is data the server sends on its own: new messages, expunges,
// flag changes, alerts, a coming disconnection (RFC 3501 section 7,
// "unilateral" responses). It is one of *ExistsUpdate, *RecentUpdate,
// *ExpungeUpdate, *VanishedUpdate, *FetchUpdate, *StatusUpdate,
// *CapabilityUpdate, *FolderStatusUpdate, *FolderListUpdate,
// *MetadataUpdate (NOTIFY, RFC 5465) or *RawUpdate.
type Update interface {
	update()
}

// ExistsUpdate reports the number of messages in the selected folder
// (RFC 3501 section 7.3.1): a larger number means new mail.
type ExistsUpdate struct{ Count uint32 }

// RecentUpdate reports the number of messages with \Recent (RFC 3501
// section 7.3.2).
type RecentUpdate struct{ Count uint32 }

// ExpungeUpdate reports that the message with this sequence number was
// removed; the numbers of later messages drop by one (RFC 3501 section
// 7.4.1).
type ExpungeUpdate struct{ SeqNum uint32 }

// VanishedUpdate reports removed messages by UID when QRESYNC is enabled
// (RFC 7162 section 3.2.10). Earlier is set for VANISHED (EARLIER), the
// answer to a resynchronisation.
type VanishedUpdate struct {
	UIDs    imap.NumSet
	Earlier bool
}

// FetchUpdate reports changed message data, typically flags set by
// another client (RFC 3501 section 7.4.2). UID and ModSeq are zero when
// the server did not send them.
type FetchUpdate struct {
	SeqNum uint32
	UID    uint32
	Flags  []string // nil when the update holds no FLAGS
	ModSeq uint64
}

// StatusUpdate is an untagged OK, NO, BAD or BYE, such as "* OK [ALERT]
// ..." (which a client must show to its user, RFC 3501 section 7.1) or the
// BYE before the server hangs up.
type StatusUpdate struct{ Status imap.StatusResponse }

// IsAlert reports whether the update is an ALERT the user must see.
func (u *StatusUpdate) IsAlert() bool { return u.Status.Code == imap.CodeAlert }

// CapabilityUpdate reports new capabilities announced by the server.
type CapabilityUpdate struct{ Caps []string }

// RawUpdate is an untagged response the client does not model. Data is
// the decoded payload (see imapwire.Response.Data).
type RawUpdate struct {
	Name string
	Num  uint32
	Data any
}

func (*ExistsUpdate) update()     {}
func (*RecentUpdate) update()     {}
func (*ExpungeUpdate) update()    {}
func (*VanishedUpdate) update()   {}
func (*FetchUpdate) update()      {}
func (*StatusUpdate) update()     {}
func (*CapabilityUpdate) update() {}
func (*RawUpdate) update()        {}

// toUpdate converts an untagged response. For FETCH it reads the items.
func toUpdate(r *imapwire.Response) Update {
	switch r.Name {
	case "EXISTS":
		return &ExistsUpdate{Count: r.Num}
	case "RECENT":
		return &RecentUpdate{Count: r.Num}
	case "EXPUNGE":
		return &ExpungeUpdate{SeqNum: r.Num}
	case "FETCH":
		u := &FetchUpdate{SeqNum: r.Num}
		var it imapwire.FetchItem
		for {
			ok, err := r.NextFetchItem(&it)
			if err != nil || !ok {
				break
			}
			switch it.Name {
			case "UID":
				u.UID = uint32(it.Num)
			case "FLAGS":
				u.Flags = append([]string{}, it.Strings...)
			case "MODSEQ":
				u.ModSeq = it.Num
			}
		}
		return u
	case "VANISHED":
		if raw, ok := r.Data.(*imapwire.RawData); ok {
			if v := parseVanished(raw.Bytes); v != nil {
				return v
			}
		}
	case "CAPABILITY":
		if names, ok := r.Data.([]string); ok {
			return &CapabilityUpdate{Caps: names}
		}
	}
	if r.Status != nil {
		return &StatusUpdate{Status: *r.Status}
	}
	return &RawUpdate{Name: r.Name, Num: r.Num, Data: r.Data}
}

// parseVanished parses the payload of VANISHED: "[(EARLIER) ]uid-set".
func parseVanished(b []byte) *VanishedUpdate {
	s := string(b)
	v := &VanishedUpdate{}
	const earlier = "(EARLIER) "
	if len(s) >= len(earlier) && equalFoldASCII(s[:len(earlier)], earlier) {
		v.Earlier = true
		s = s[len(earlier):]
	}
	set, err := imap.ParseNumSet(s)
	if err != nil {
		return nil
	}
	v.UIDs = set
	return v
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
