package imap

import (
	"slices"
	"strings"
)

// Caps is a set of capability names as a server announced them (RFC 3501
// section 7.2.1). Names compare case-insensitively; the set stores them
// upper-cased. The zero value is an empty set.
type Caps map[string]struct{}

// NewCaps returns the set of the given capability names.
func NewCaps(names ...string) Caps {
	c := make(Caps, len(names))
	for _, n := range names {
		c[strings.ToUpper(n)] = struct{}{}
	}
	return c
}

// Has reports whether the capability name is in the set.
func (c Caps) Has(name string) bool {
	if _, ok := c[name]; ok {
		return true
	}
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// AuthMechanisms returns the SASL mechanisms announced as AUTH=NAME.
func (c Caps) AuthMechanisms() []string {
	var m []string
	for n := range c {
		if rest, ok := strings.CutPrefix(n, "AUTH="); ok {
			m = append(m, rest)
		}
	}
	slices.Sort(m)
	return m
}

// Names returns the capability names in sorted order.
func (c Caps) Names() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Well-known capability names used by this module.
const (
	CapIMAP4rev1      = "IMAP4REV1"
	CapIMAP4rev2      = "IMAP4REV2"
	CapStartTLS       = "STARTTLS"
	CapLoginDisabled  = "LOGINDISABLED"
	CapSASLIR         = "SASL-IR"
	CapLiteralPlus    = "LITERAL+"
	CapLiteralMinus   = "LITERAL-"
	CapIdle           = "IDLE"
	CapID             = "ID"
	CapEnable         = "ENABLE"
	CapNamespace      = "NAMESPACE"
	CapUIDPlus        = "UIDPLUS"
	CapMove           = "MOVE"
	CapUnselect       = "UNSELECT"
	CapCondStore      = "CONDSTORE"
	CapQResync        = "QRESYNC"
	CapESearch        = "ESEARCH"
	CapSpecialUse     = "SPECIAL-USE"
	CapMultiAppend    = "MULTIAPPEND"
	CapCompress       = "COMPRESS=DEFLATE"
	CapUTF8Accept     = "UTF8=ACCEPT"
	CapQuota          = "QUOTA"
	CapACL            = "ACL"
	CapXList          = "XLIST"
	CapSort           = "SORT"
	CapGmailExt       = "X-GM-EXT-1"
	CapUnauthenticate = "UNAUTHENTICATE"
)

// Capability names of the extensions of RFC 5258 (LIST-EXTENDED), RFC
// 5819 (LIST-STATUS), RFC 6154 (CREATE-SPECIAL-USE), RFC 5464 (METADATA),
// RFC 5465 (NOTIFY), RFC 3516 (BINARY), RFC 7889 (APPENDLIMIT), RFC 8474
// (OBJECTID), RFC 8970 (PREVIEW), RFC 8514 (SAVEDATE) and RFC 8438
// (STATUS=SIZE).
const (
	CapListExtended     = "LIST-EXTENDED"
	CapListStatus       = "LIST-STATUS"
	CapCreateSpecialUse = "CREATE-SPECIAL-USE"
	CapMetadata         = "METADATA"
	CapMetadataServer   = "METADATA-SERVER"
	CapNotify           = "NOTIFY"
	CapBinary           = "BINARY"
	CapAppendLimit      = "APPENDLIMIT"
	CapObjectID         = "OBJECTID"
	CapPreview          = "PREVIEW"
	CapSaveDate         = "SAVEDATE"
	CapStatusSize       = "STATUS=SIZE"
)
