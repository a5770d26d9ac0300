package imap

// Address is one address of an envelope (RFC 3501 section 7.4.2, the
// "address" rule). RFC 2822 groups are flattened as in the wire format: a
// group starts with an Address whose Host is empty and whose Mailbox holds
// the group name, and ends with one whose Mailbox and Host are both empty.
type Address struct {
	Name    string // display name, as sent (possibly RFC 2047 encoded)
	ADL     string // source route, obsolete
	Mailbox string // local part, or the group name
	Host    string // domain; empty for group markers
}

// IsGroupStart reports whether a marks the start of a group.
func (a *Address) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a marks the end of a group.
func (a *Address) IsGroupEnd() bool { return a.Host == "" && a.Mailbox == "" }

// Addr returns "mailbox@host", or the bare mailbox when host is empty.
func (a *Address) Addr() string {
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}

// Envelope is a message's envelope structure (RFC 3501 section 7.4.2). The
// strings are as the server sent them; NIL becomes "". The address lists
// are read-only: a decoder may give equal lists one slice (Sender and
// ReplyTo usually repeat From).
type Envelope struct {
	Date      string // the Date header as sent; the client parses it leniently
	Subject   string // possibly RFC 2047 encoded
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo string
	MessageID string
}
