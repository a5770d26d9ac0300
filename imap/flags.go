package imap

import "strings"

// Flag is a message flag: a system flag such as Seen or a keyword such as
// "$Forwarded". System flags start with a backslash (RFC 3501 section 2.3.2).
type Flag = string

// System flags defined by RFC 3501 section 2.3.2.
const (
	// FlagSeen marks a message as read.
	FlagSeen Flag = `\Seen`
	// FlagAnswered marks a message as answered.
	FlagAnswered Flag = `\Answered`
	// FlagFlagged marks a message as flagged for urgent or special attention.
	FlagFlagged Flag = `\Flagged`
	// FlagDeleted marks a message for removal by a later EXPUNGE.
	FlagDeleted Flag = `\Deleted`
	// FlagDraft marks a message that is not yet complete.
	FlagDraft Flag = `\Draft`
	// FlagRecent is set by the server on messages new to this session. It is
	// read-only: clients cannot set or clear it (and IMAP4rev2 drops it).
	FlagRecent Flag = `\Recent`
	// FlagWildcard appears only in PERMANENTFLAGS: new keywords may be created.
	FlagWildcard Flag = `\*`
)

// IsSystemFlag reports whether f is one of the system flags of RFC 3501
// section 2.3.2, compared case-insensitively.
func IsSystemFlag(f string) bool {
	switch {
	case strings.EqualFold(f, FlagSeen), strings.EqualFold(f, FlagAnswered),
		strings.EqualFold(f, FlagFlagged), strings.EqualFold(f, FlagDeleted),
		strings.EqualFold(f, FlagDraft), strings.EqualFold(f, FlagRecent):
		return true
	}
	return false
}

// CanonicalFlag returns the canonical spelling of a system flag (for example
// `\seen` becomes `\Seen`) and returns any other flag unchanged. Servers may
// send flags in any case (RFC 3501 section 9: flag names are case-insensitive).
func CanonicalFlag(f string) string {
	if len(f) == 0 || f[0] != '\\' {
		return f
	}
	for _, s := range [...]string{FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft, FlagRecent} {
		if strings.EqualFold(f, s) {
			return s
		}
	}
	return f
}

// Mailbox attributes returned by LIST (RFC 3501 section 7.2.2, RFC 9051
// section 7.3.1, RFC 3348 CHILDREN).
const (
	AttrNoInferiors   = `\Noinferiors`
	AttrNoSelect      = `\Noselect`
	AttrMarked        = `\Marked`
	AttrUnmarked      = `\Unmarked`
	AttrHasChildren   = `\HasChildren`
	AttrHasNoChildren = `\HasNoChildren`
	AttrNonExistent   = `\NonExistent`
	AttrSubscribed    = `\Subscribed`
	AttrRemote        = `\Remote`
)

// SpecialUse is a special-use mailbox attribute from RFC 6154 section 2.
type SpecialUse = string

// Special-use attributes of RFC 6154 section 2.
const (
	SpecialUseAll     SpecialUse = `\All`
	SpecialUseArchive SpecialUse = `\Archive`
	SpecialUseDrafts  SpecialUse = `\Drafts`
	SpecialUseFlagged SpecialUse = `\Flagged`
	SpecialUseJunk    SpecialUse = `\Junk`
	SpecialUseSent    SpecialUse = `\Sent`
	SpecialUseTrash   SpecialUse = `\Trash`
)
