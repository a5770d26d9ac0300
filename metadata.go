package imapclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// MetadataDepth is how far below the named entries GetMetadata looks (the
// DEPTH option, RFC 5464 section 4.2.2).
type MetadataDepth int

// Depths of GetMetadata.
const (
	// MetadataDepthZero returns only the entries named (the default).
	MetadataDepthZero MetadataDepth = iota
	// MetadataDepthOne returns the entries named and their children.
	MetadataDepthOne
	// MetadataDepthInfinity returns the entries named and all their
	// descendants.
	MetadataDepthInfinity
)

// MetadataOptions are the options of GetMetadata (RFC 5464 section 4.2).
type MetadataOptions struct {
	// MaxSize, when not zero, leaves out the values larger than MaxSize
	// octets (MAXSIZE); MetadataResult.LongEntries then reports the size
	// of the largest one left out.
	MaxSize uint32
	// Depth also returns the entries below those named (DEPTH).
	Depth MetadataDepth
}

// MetadataResult is the answer to GetMetadata.
type MetadataResult struct {
	// Entries maps entry names, as the server sent them, to their
	// values; a nil value means the entry has none (NIL). Entry names
	// are case-insensitive (RFC 5464 section 3.2): look them up with
	// Value. Values may hold any octets, NUL included.
	Entries map[string]*string
	// LongEntries is the size of the largest value left out because it
	// exceeded MetadataOptions.MaxSize (the [METADATA LONGENTRIES n]
	// response code, RFC 5464 section 4.2.1), or 0.
	LongEntries uint64
}

// Value returns the value of an entry, compared case-insensitively, and
// whether the entry has one (it is present and not NIL).
func (m *MetadataResult) Value(entry string) (string, bool) {
	for k, v := range m.Entries {
		if strings.EqualFold(k, entry) && v != nil {
			return *v, true
		}
	}
	return "", false
}

// MetadataError is a server's refusal of SETMETADATA or GETMETADATA with
// a METADATA response code (RFC 5464 section 4.3): Condition is
// "MAXSIZE" (a value is larger than MaxSize, the largest the server
// takes), "TOOMANY" (the folder or server has too many entries) or
// "NOPRIVATE" (the server cannot store private entries). It unwraps to
// the *ServerError.
type MetadataError struct {
	Condition string
	MaxSize   uint64
	Err       *ServerError
}

// Error implements error.
func (e *MetadataError) Error() string {
	if e.Condition == "MAXSIZE" {
		return fmt.Sprintf("imapclient: metadata value too large (the server takes at most %d octets): %v", e.MaxSize, e.Err)
	}
	return "imapclient: metadata refused (" + e.Condition + "): " + e.Err.Error()
}

// Unwrap returns the server's error.
func (e *MetadataError) Unwrap() error { return e.Err }

// metadataErr turns a NO with a METADATA response code into a
// *MetadataError.
func metadataErr(err error) error {
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != imap.CodeMetadata {
		return err
	}
	f := strings.Fields(se.Response.CodeArg)
	if len(f) == 0 {
		return err
	}
	me := &MetadataError{Condition: strings.ToUpper(f[0]), Err: se}
	if me.Condition == "MAXSIZE" && len(f) > 1 {
		me.MaxSize, _ = imap.ParseCodeNum(f[1])
	}
	return me
}

// checkEntry validates an entry name (RFC 5464 section 3.2): it starts
// with /private or /shared, holds no "*", "%", "//", control or non-ASCII
// characters, and does not end with "/".
func checkEntry(e string) error {
	l := strings.ToLower(e)
	ok := l == "/private" || l == "/shared" || strings.HasPrefix(l, "/private/") || strings.HasPrefix(l, "/shared/")
	switch {
	case !ok:
		return fmt.Errorf("imapclient: metadata entry %q does not start with /private or /shared: %w", e, imapwire.ErrInvalidArgument)
	case strings.HasSuffix(e, "/") || strings.Contains(e, "//"):
		return fmt.Errorf("imapclient: metadata entry %q has an empty component: %w", e, imapwire.ErrInvalidArgument)
	}
	for i := 0; i < len(e); i++ {
		if c := e[i]; c <= ' ' || c >= 0x7f || c == '*' || c == '%' {
			return fmt.Errorf("imapclient: metadata entry %q holds %q: %w", e, c, imapwire.ErrInvalidArgument)
		}
	}
	return nil
}

// needMetadata checks the capability for folder: METADATA, or for
// server entries ("") METADATA-SERVER (RFC 5464 section 1).
func (c *Client) needMetadata(ctx context.Context, folder, cmd string) error {
	if folder == "" {
		ok, err := c.hasCap(ctx, imap.CapMetadataServer)
		if err != nil || ok {
			return err
		}
	}
	return c.needCap(ctx, imap.CapMetadata, cmd)
}

// GetMetadata reads annotations (GETMETADATA, RFC 5464 section 4.2):
// entries such as "/private/comment" or "/shared/vendor/x/y" of folder,
// or of the server when folder is "". opts nil asks for exactly the
// entries named. It needs METADATA (METADATA-SERVER is enough for server
// entries): a *CapabilityError otherwise, and an invalid entry name is an
// error, before anything is sent. Entries the server has no value for
// come back as nil values or not at all.
func (c *Client) GetMetadata(ctx context.Context, folder string, entries []string, opts *MetadataOptions) (*MetadataResult, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("imapclient: GETMETADATA needs at least one entry: %w", imapwire.ErrInvalidArgument)
	}
	for _, e := range entries {
		if err := checkEntry(e); err != nil {
			return nil, err
		}
	}
	var o MetadataOptions
	if opts != nil {
		o = *opts
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("GETMETADATA"); err != nil {
		return nil, err
	}
	if err := c.needMetadata(ctx, folder, "GETMETADATA"); err != nil {
		return nil, err
	}
	wire := c.encodeName(folder)
	res := &MetadataResult{Entries: map[string]*string{}}
	var perr error
	h := func(r *imapwire.Response) (bool, error) {
		raw, ok := r.Data.(*imapwire.RawData)
		if r.Name != "METADATA" || !ok {
			return false, nil
		}
		mbox, vals, _, err := parseMetadata(raw.Bytes)
		if err != nil {
			if perr == nil {
				perr = err
			}
			return true, nil
		}
		if vals == nil || !sameFolderName(mbox, wire) {
			return false, nil // an unsolicited change notice
		}
		maps.Copy(res.Entries, vals)
		return true, nil
	}
	st, err := c.conn.Execute(ctx, "GETMETADATA", func(e *imapwire.Encoder) {
		var mods []string
		if o.MaxSize > 0 {
			mods = append(mods, fmt.Sprintf("MAXSIZE %d", o.MaxSize))
		}
		switch o.Depth {
		case MetadataDepthOne:
			mods = append(mods, "DEPTH 1")
		case MetadataDepthInfinity:
			mods = append(mods, "DEPTH infinity")
		}
		if len(mods) > 0 {
			e.SP().Byte('(').Raw(strings.Join(mods, " ")).Byte(')')
		}
		e.SP().AString(wire).SP()
		if len(entries) > 1 {
			e.Byte('(')
		}
		for i, en := range entries {
			if i > 0 {
				e.SP()
			}
			e.AString(en)
		}
		if len(entries) > 1 {
			e.Byte(')')
		}
	}, h)
	if err != nil {
		return nil, fmt.Errorf("imapclient: GETMETADATA %q: %w", folder, metadataErr(err))
	}
	if perr != nil {
		return res, &ProtocolError{Msg: "GETMETADATA: " + perr.Error()}
	}
	if st != nil && st.Code == imap.CodeMetadata {
		if f := strings.Fields(st.CodeArg); len(f) == 2 && strings.EqualFold(f[0], "LONGENTRIES") {
			res.LongEntries, _ = imap.ParseCodeNum(f[1])
		}
	}
	return res, nil
}

// SetMetadata sets annotations (SETMETADATA, RFC 5464 section 4.3) of
// folder, or of the server when folder is "": each entry gets its value,
// and a nil value removes the entry. The server applies all or none. A
// value with CR, LF or 8-bit characters is sent as a literal, and one
// with NUL bytes as a literal8, which needs BINARY. Capabilities and entry
// names are checked as for GetMetadata. A refusal with a METADATA
// response code (MAXSIZE, TOOMANY, NOPRIVATE) is a *MetadataError.
func (c *Client) SetMetadata(ctx context.Context, folder string, entries map[string]*string) error {
	if len(entries) == 0 {
		return fmt.Errorf("imapclient: SETMETADATA needs at least one entry: %w", imapwire.ErrInvalidArgument)
	}
	binary := false
	for k, v := range entries {
		if err := checkEntry(k); err != nil {
			return err
		}
		binary = binary || v != nil && strings.IndexByte(*v, 0) >= 0
	}
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireAuth("SETMETADATA"); err != nil {
		return err
	}
	if err := c.needMetadata(ctx, folder, "SETMETADATA"); err != nil {
		return err
	}
	if binary {
		if err := c.needCap(ctx, imap.CapBinary, "SETMETADATA of a value with NUL bytes"); err != nil {
			return err
		}
	}
	_, err := c.conn.Execute(ctx, "SETMETADATA", func(e *imapwire.Encoder) {
		e.SP().AString(c.encodeName(folder)).SP().Byte('(')
		for i, k := range slices.Sorted(maps.Keys(entries)) {
			if i > 0 {
				e.SP()
			}
			e.AString(k).SP()
			metadataValue(e, entries[k])
		}
		e.Byte(')')
	}, nil)
	if err != nil {
		return fmt.Errorf("imapclient: SETMETADATA %q: %w", folder, metadataErr(err))
	}
	return nil
}

// metadataValue writes a value (RFC 5464 section 5, value = nstring /
// literal8): NIL for nil, a literal8 for NUL bytes, a literal for CR, LF
// and 8-bit octets (values are octets, not necessarily UTF-8), a string
// otherwise.
func metadataValue(e *imapwire.Encoder, v *string) {
	switch {
	case v == nil:
		e.Raw("NIL")
	case strings.IndexByte(*v, 0) >= 0:
		e.Literal8([]byte(*v))
	case needsLiteral(*v):
		e.Literal([]byte(*v))
	default:
		e.String(*v)
	}
}

// needsLiteral reports whether s holds CR, LF or 8-bit octets.
func needsLiteral(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c >= 0x80 {
			return true
		}
	}
	return false
}

// parseMetadata parses the payload of a METADATA response (RFC 5464
// section 4.4): the mailbox as sent, then either entries with values
// (vals non-nil; NIL values are nil) or, in an unsolicited change notice,
// entry names only.
func parseMetadata(raw []byte) (mailbox string, vals map[string]*string, names []string, err error) {
	args, err := rawValues(raw)
	if err != nil {
		return "", nil, nil, err
	}
	if len(args) < 2 {
		return "", nil, nil, fmt.Errorf("METADATA response without entries")
	}
	mailbox, ok := args[0].AString()
	if !ok {
		return "", nil, nil, fmt.Errorf("METADATA response without a mailbox")
	}
	if args[1].Kind == imapwire.ValueList && len(args) == 2 {
		list := args[1].List
		if len(list)%2 != 0 {
			return "", nil, nil, fmt.Errorf("METADATA entry without a value")
		}
		vals = make(map[string]*string, len(list)/2)
		for i := 0; i < len(list); i += 2 {
			name, ok := list[i].AString()
			if !ok {
				return "", nil, nil, fmt.Errorf("METADATA entry name is a list")
			}
			v := list[i+1]
			switch v.Kind {
			case imapwire.ValueNIL:
				vals[name] = nil
			case imapwire.ValueString:
				s := string(v.Str)
				vals[name] = &s
			case imapwire.ValueAtom, imapwire.ValueNumber:
				s := v.Atom
				vals[name] = &s
			default:
				return "", nil, nil, fmt.Errorf("METADATA value of %q is a list", name)
			}
		}
		return mailbox, vals, nil, nil
	}
	for _, a := range args[1:] {
		name, ok := a.AString()
		if !ok {
			return "", nil, nil, fmt.Errorf("METADATA entry name is a list")
		}
		names = append(names, name)
	}
	return mailbox, nil, names, nil
}
