package imapclient

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// Capabilities returns the server's capabilities, upper-cased (IMAPClient's
// capabilities()). They are cached: taken from the greeting or from the
// server's replies when it includes them, and asked with CAPABILITY
// otherwise. The cache is dropped after STARTTLS and after login, as the
// server may announce different capabilities then.
func (c *Client) Capabilities(ctx context.Context) (imap.Caps, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	return c.capsLocked(ctx)
}

func (c *Client) capsLocked(ctx context.Context) (imap.Caps, error) {
	if caps := c.conn.Caps(); caps != nil {
		return caps, nil
	}
	if _, err := c.conn.Execute(ctx, "CAPABILITY", nil, nil); err != nil {
		return nil, err
	}
	caps := c.conn.Caps()
	if caps == nil {
		return nil, &ProtocolError{Msg: "CAPABILITY completed without a CAPABILITY response"}
	}
	return caps, nil
}

// HasCapability reports whether the server announces the capability
// (case-insensitive).
func (c *Client) HasCapability(ctx context.Context, name string) (bool, error) {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return false, err
	}
	return caps.Has(name), nil
}

// requireCap checks a capability with the connection held.
func (c *Client) requireCap(ctx context.Context, capName, command string) error {
	caps, err := c.capsLocked(ctx)
	if err != nil {
		return err
	}
	if !caps.Has(capName) {
		return &CapabilityError{Capability: capName, Command: command}
	}
	return nil
}

// UntaggedResponse is an untagged response collected during a command, in
// a form independent of the connection: Name ("EXISTS", "FETCH", "OK",
// ...), Num for numbered responses, Status for status responses, Data for
// parsed payloads (see imapwire.Response) and Items for FETCH.
type UntaggedResponse struct {
	Name   string
	Num    uint32
	Status *imap.StatusResponse
	Data   any
	Items  []imapwire.FetchItem
}

// maxCollected bounds the untagged responses one command keeps for its
// caller (NOOP, RawCommand): a server that answers with an endless stream
// of them must not exhaust memory. 256Ki responses is about 25 MB, and
// far more than a NOOP after a big change returns.
var maxCollected = 256 << 10

// collect returns a handler that keeps every untagged response, up to
// maxCollected; past that it drops them and reports a *imapwire.LimitError
// once the command has completed.
func collect(out *[]UntaggedResponse) imapconn.Handler {
	return func(r *imapwire.Response) (bool, error) {
		if len(*out) >= maxCollected {
			return true, &imapwire.LimitError{Limit: "collected untagged responses", Max: int64(maxCollected)}
		}
		u := UntaggedResponse{Name: r.Name, Num: r.Num, Status: r.Status, Data: r.Data}
		if r.Name == "FETCH" {
			items, err := r.ReadAllFetchItems()
			u.Items = items
			if err != nil {
				return true, err
			}
		}
		*out = append(*out, u)
		return true, nil
	}
}

// collectNoting is collect that also keeps the folder view current from
// the counts and flag changes the responses carry (NOOP, RawCommand).
func (c *Client) collectNoting(out *[]UntaggedResponse) imapconn.Handler {
	keep := collect(out)
	return func(r *imapwire.Response) (bool, error) {
		n := len(*out)
		used, err := keep(r)
		if k := len(*out); k > n {
			c.noteUntagged(&(*out)[k-1])
		} else if err != nil {
			// Past the limit: not kept, but the folder view still learns.
			c.noteUntagged(&UntaggedResponse{Name: r.Name, Num: r.Num, Status: r.Status, Data: r.Data})
		}
		return used, err
	}
}

// noteUntagged updates the folder view from a collected response.
func (c *Client) noteUntagged(u *UntaggedResponse) {
	switch u.Name {
	case "EXISTS":
		c.noteUpdate(&ExistsUpdate{Count: u.Num})
	case "EXPUNGE":
		c.noteUpdate(&ExpungeUpdate{SeqNum: u.Num})
	case "VANISHED":
		if raw, ok := u.Data.(*imapwire.RawData); ok {
			if v := parseVanished(raw.Bytes); v != nil {
				c.noteUpdate(v)
			}
		}
	case "FETCH":
		f := &FetchUpdate{SeqNum: u.Num}
		for _, it := range u.Items {
			if it.Name == "MODSEQ" {
				f.ModSeq = it.Num
			}
		}
		c.noteUpdate(f)
	default:
		if u.Status != nil {
			c.noteUpdate(&StatusUpdate{Status: *u.Status})
		}
	}
}

// Noop sends NOOP (RFC 3501 section 6.1.2) and returns the untagged
// responses it brought: new messages, expunges, flag changes. At most
// 262,144 are kept; past that it also returns a *imapwire.LimitError (the
// folder view still follows them all).
func (c *Client) Noop(ctx context.Context) ([]UntaggedResponse, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	var out []UntaggedResponse
	_, err := c.conn.Execute(ctx, "NOOP", nil, c.collectNoting(&out))
	return out, err
}

// Logout sends LOGOUT and closes the connection (RFC 3501 section 6.1.3).
func (c *Client) Logout(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	return c.conn.Logout(ctx)
}

// ID exchanges client and server identification (RFC 2971): it sends the
// fields given (nil sends NIL) and returns the server's fields (nil when
// the server answers NIL). Field names are at most 30 bytes, values at
// most 1024, and at most 30 pairs are sent (RFC 2971 section 3.3).
func (c *Client) ID(ctx context.Context, fields map[string]string) (map[string]string, error) {
	if len(fields) > 30 {
		return nil, fmt.Errorf("imapclient: ID: at most 30 fields")
	}
	for k, v := range fields {
		if len(k) > 30 || len(v) > 1024 {
			return nil, fmt.Errorf("imapclient: ID: field %q is too long", k)
		}
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireCap(ctx, imap.CapID, "ID"); err != nil {
		return nil, err
	}
	var server map[string]string
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "ID" {
			return false, nil
		}
		server, _ = r.Data.(map[string]string)
		return true, nil
	}
	_, err := c.conn.Execute(ctx, "ID", func(e *imapwire.Encoder) {
		e.SP()
		if fields == nil {
			e.Raw("NIL")
			return
		}
		e.Byte('(')
		first := true
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if !first {
				e.SP()
			}
			first = false
			v := fields[k]
			e.String(k).SP().String(v)
		}
		e.Byte(')')
	}, h)
	return server, err
}

// Enable enables extensions (RFC 5161) and returns those the server
// enabled.
func (c *Client) Enable(ctx context.Context, names ...string) ([]string, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("imapclient: ENABLE needs at least one capability")
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireCap(ctx, imap.CapEnable, "ENABLE"); err != nil {
		return nil, err
	}
	if st := c.conn.State(); st == imapconn.NotAuthenticated {
		return nil, &IllegalStateError{Command: "ENABLE", State: st.String(), Need: "authenticated"}
	}
	var enabled []string
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "ENABLED" {
			return false, nil
		}
		enabled = append(enabled, r.Data.([]string)...)
		return true, nil
	}
	_, err := c.conn.Execute(ctx, "ENABLE", func(e *imapwire.Encoder) {
		for _, n := range names {
			e.SP().Atom(n)
		}
	}, h)
	return enabled, err
}

// Namespace is one namespace: a folder name prefix and its hierarchy
// delimiter (0 when the server has none).
type Namespace struct {
	Prefix string
	Delim  rune
}

// Namespaces are the server's personal, other users' and shared
// namespaces (RFC 2342).
type Namespaces struct {
	Personal, Other, Shared []Namespace
}

// Namespace asks for the server's namespaces (RFC 2342). Prefixes are
// decoded from modified UTF-7 unless folder encoding is off.
func (c *Client) Namespace(ctx context.Context) (*Namespaces, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	return c.namespaceLocked(ctx)
}

// namespaceLocked is Namespace with the connection held.
func (c *Client) namespaceLocked(ctx context.Context) (*Namespaces, error) {
	if err := c.requireCap(ctx, imap.CapNamespace, "NAMESPACE"); err != nil {
		return nil, err
	}
	var nd *imapwire.NamespaceData
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "NAMESPACE" {
			return false, nil
		}
		nd = r.Data.(*imapwire.NamespaceData)
		return true, nil
	}
	if _, err := c.conn.Execute(ctx, "NAMESPACE", nil, h); err != nil {
		return nil, err
	}
	if nd == nil {
		return nil, &ProtocolError{Msg: "NAMESPACE completed without a NAMESPACE response"}
	}
	conv := func(in []imapwire.Namespace) []Namespace {
		var out []Namespace
		for _, n := range in {
			out = append(out, Namespace{Prefix: c.decodeName(n.Prefix), Delim: n.Delim})
		}
		return out
	}
	return &Namespaces{Personal: conv(nd.Personal), Other: conv(nd.Other), Shared: conv(nd.Shared)}, nil
}

// decodeName turns a folder name from the server into a Go string.
func (c *Client) decodeName(s string) string {
	if !c.folderEncode.Load() || c.conn.Enabled().Has(imap.CapUTF8Accept) {
		return s
	}
	return mutf7.DecodeLenient(s)
}

// encodeName turns a folder name into its wire form.
func (c *Client) encodeName(s string) string {
	if !c.folderEncode.Load() || c.conn.Enabled().Has(imap.CapUTF8Accept) {
		return s
	}
	return mutf7.Encode(s)
}
