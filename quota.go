package imapclient

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Quota is one resource limit of a quota root (RFC 9208, RFC 2087). Usage
// and Limit are in the resource's units: STORAGE counts units of 1024
// octets, MESSAGE counts messages (RFC 9208 section 5).
type Quota struct {
	Root     string // the quota root's name ("" is common)
	Resource string // "STORAGE", "MESSAGE", ... upper-cased
	Usage    int64
	Limit    int64
}

// QuotaRoot is the answer to GETQUOTAROOT: the folder, the quota roots it
// belongs to (none when no quota applies) and the quotas of those roots.
type QuotaRoot struct {
	Folder string
	Roots  []string
	Quotas []Quota
}

// GetQuota returns the quotas that apply to folder (IMAPClient's
// get_quota(mailbox), which asks GETQUOTAROOT and keeps the quotas). An
// empty folder means "INBOX", IMAPClient's default. It needs the QUOTA
// capability.
func (c *Client) GetQuota(ctx context.Context, folder string) ([]Quota, error) {
	if folder == "" {
		folder = "INBOX"
	}
	qr, err := c.GetQuotaRoot(ctx, folder)
	if err != nil {
		return nil, err
	}
	return qr.Quotas, nil
}

// GetQuotaRoot asks which quota roots folder belongs to, and their quotas
// (GETQUOTAROOT, RFC 9208 section 4.3; IMAPClient's get_quota_root).
func (c *Client) GetQuotaRoot(ctx context.Context, folder string) (*QuotaRoot, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("GETQUOTAROOT"); err != nil {
		return nil, err
	}
	if err := c.needCap(ctx, imap.CapQuota, "GETQUOTAROOT"); err != nil {
		return nil, err
	}
	wire := c.encodeName(folder)
	out := &QuotaRoot{Folder: folder}
	var quotas []Quota
	got := false
	h := func(r *imapwire.Response) (bool, error) {
		raw, ok := r.Data.(*imapwire.RawData)
		if !ok {
			return false, nil
		}
		switch r.Name {
		case "QUOTAROOT":
			d, err := imapwire.ParseQuotaRoot(raw.Bytes)
			if err != nil {
				return true, &ProtocolError{Msg: "malformed QUOTAROOT response: " + err.Error()}
			}
			out.Folder = c.decodeName(d.Mailbox)
			out.Roots = append(out.Roots, d.Roots...)
			got = true
			return true, nil
		case "QUOTA":
			return quotaHandler(raw, &quotas)
		}
		return false, nil
	}
	if _, err := c.conn.Execute(ctx, "GETQUOTAROOT", func(e *imapwire.Encoder) { e.SP().AString(wire) }, h); err != nil {
		return nil, err
	}
	if !got {
		return nil, &ProtocolError{Msg: "GETQUOTAROOT completed without a QUOTAROOT response"}
	}
	out.Quotas = quotas
	return out, nil
}

// GetQuotaForRoot returns the quotas of a quota root by its name
// (GETQUOTA, RFC 9208 section 4.2; IMAPClient's _get_quota). Root names
// come from GetQuotaRoot; they are not folder names and are sent as given.
func (c *Client) GetQuotaForRoot(ctx context.Context, root string) ([]Quota, error) {
	return c.quotaCmd(ctx, "GETQUOTA", root, nil)
}

// SetQuota sets the limits of a quota root (SETQUOTA, RFC 9208 section
// 4.1; IMAPClient's set_quota), resource name to limit ("STORAGE" in units
// of 1024 octets, "MESSAGE"), and returns the quotas the server reports
// afterwards. Resources left out lose their limit; an empty map removes
// every limit. Servers usually allow it to administrators only and answer
// NO (a *ServerError) to others.
func (c *Client) SetQuota(ctx context.Context, root string, limits map[string]int64) ([]Quota, error) {
	for name, v := range limits {
		if !imapwire.IsAtom(name) {
			return nil, fmt.Errorf("imapclient: SETQUOTA: resource name %q is not an atom: %w", name, imapwire.ErrInvalidArgument)
		}
		if v < 0 {
			return nil, fmt.Errorf("imapclient: SETQUOTA: negative limit %d for %s: %w", v, name, imapwire.ErrInvalidArgument)
		}
	}
	if limits == nil {
		limits = map[string]int64{}
	}
	return c.quotaCmd(ctx, "SETQUOTA", root, limits)
}

// quotaCmd runs GETQUOTA (limits nil) or SETQUOTA and collects the QUOTA
// responses.
func (c *Client) quotaCmd(ctx context.Context, cmd, root string, limits map[string]int64) ([]Quota, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return nil, err
	}
	if err := c.needCap(ctx, imap.CapQuota, cmd); err != nil {
		return nil, err
	}
	var quotas []Quota
	h := func(r *imapwire.Response) (bool, error) {
		raw, ok := r.Data.(*imapwire.RawData)
		if r.Name != "QUOTA" || !ok {
			return false, nil
		}
		return quotaHandler(raw, &quotas)
	}
	_, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(root)
		if limits != nil {
			e.SP().Byte('(')
			for i, name := range slices.Sorted(maps.Keys(limits)) {
				if i > 0 {
					e.SP()
				}
				e.Atom(name).SP().Number64(uint64(limits[name]))
			}
			e.Byte(')')
		}
	}, h)
	if err != nil {
		return nil, err
	}
	return quotas, nil
}

// quotaHandler parses one QUOTA response into quotas.
func quotaHandler(raw *imapwire.RawData, quotas *[]Quota) (bool, error) {
	d, err := imapwire.ParseQuota(raw.Bytes)
	if err != nil {
		return true, &ProtocolError{Msg: "malformed QUOTA response: " + err.Error()}
	}
	for _, res := range d.Resources {
		*quotas = append(*quotas, Quota{Root: d.Root, Resource: res.Name, Usage: res.Usage, Limit: res.Limit})
	}
	return true, nil
}
