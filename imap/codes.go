package imap

import (
	"fmt"
	"strconv"
	"strings"
)

// UIDPlusData is the data of the APPENDUID and COPYUID response codes
// (RFC 4315 section 3): the destination folder's UIDVALIDITY, and for
// COPYUID the source UIDs, with the UIDs they received in the same order.
type UIDPlusData struct {
	UIDValidity uint32
	SourceUIDs  NumSet // COPYUID only
	DestUIDs    NumSet
}

// ParseAppendUID decodes the argument of an APPENDUID response code:
// "uidvalidity uid-set".
func ParseAppendUID(arg string) (*UIDPlusData, error) {
	f := strings.Fields(arg)
	if len(f) != 2 {
		return nil, fmt.Errorf("imap: malformed APPENDUID %q", arg)
	}
	v, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("imap: malformed APPENDUID %q", arg)
	}
	dst, err := ParseNumSet(f[1])
	if err != nil {
		return nil, fmt.Errorf("imap: malformed APPENDUID %q: %w", arg, err)
	}
	return &UIDPlusData{UIDValidity: uint32(v), DestUIDs: dst}, nil
}

// ParseCopyUID decodes the argument of a COPYUID response code:
// "uidvalidity source-uids dest-uids".
func ParseCopyUID(arg string) (*UIDPlusData, error) {
	f := strings.Fields(arg)
	if len(f) != 3 {
		return nil, fmt.Errorf("imap: malformed COPYUID %q", arg)
	}
	v, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("imap: malformed COPYUID %q", arg)
	}
	src, err := ParseNumSet(f[1])
	if err != nil {
		return nil, fmt.Errorf("imap: malformed COPYUID %q: %w", arg, err)
	}
	dst, err := ParseNumSet(f[2])
	if err != nil {
		return nil, fmt.Errorf("imap: malformed COPYUID %q: %w", arg, err)
	}
	return &UIDPlusData{UIDValidity: uint32(v), SourceUIDs: src, DestUIDs: dst}, nil
}

// Pairs returns the source-to-destination UID mapping of COPYUID data, or
// nil when a set is dynamic, too large (over limit entries) or the sizes
// differ.
func (d *UIDPlusData) Pairs(limit int) map[uint32]uint32 {
	src, ok1 := d.SourceUIDs.Nums(limit)
	dst, ok2 := d.DestUIDs.Nums(limit)
	if !ok1 || !ok2 || len(src) != len(dst) {
		return nil
	}
	m := make(map[uint32]uint32, len(src))
	for i, s := range src {
		m[s] = dst[i]
	}
	return m
}

// ParseCodeNum decodes a response code argument that is one number, such
// as UIDNEXT, UIDVALIDITY, UNSEEN or HIGHESTMODSEQ.
func ParseCodeNum(arg string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(arg), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("imap: malformed response code number %q", arg)
	}
	return n, nil
}

// ParseCodeList decodes a parenthesised list of atoms, such as the
// argument of PERMANENTFLAGS or BADCHARSET.
func ParseCodeList(arg string) []string {
	arg = strings.TrimSpace(arg)
	arg = strings.TrimPrefix(arg, "(")
	arg = strings.TrimSuffix(arg, ")")
	return strings.Fields(arg)
}
