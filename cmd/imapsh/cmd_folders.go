package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient"
)

type capsResult struct {
	Capabilities []string `json:"capabilities"`
}

func (r capsResult) text(w io.Writer) { fmt.Fprintln(w, strings.Join(r.Capabilities, " ")) }

func cmdCapabilities(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	caps, err := s.c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	return capsResult{Capabilities: caps.Names()}, nil
}

type folderEntry struct {
	Name       string   `json:"name"`
	Delimiter  string   `json:"delimiter"`
	Attributes []string `json:"attributes"`
	SpecialUse string   `json:"special_use,omitempty"`
}

type foldersResult struct {
	Folders []folderEntry `json:"folders"`
}

func (r foldersResult) text(w io.Writer) {
	if len(r.Folders) == 0 {
		fmt.Fprintln(w, "(no folders)")
		return
	}
	width := 0
	for _, f := range r.Folders {
		width = max(width, displayWidth(f.Name))
	}
	for _, f := range r.Folders {
		attrs := strings.Join(f.Attributes, " ")
		pad := width - displayWidth(f.Name)
		fmt.Fprintf(w, "%s%s  %s\n", f.Name, strings.Repeat(" ", pad), attrs)
	}
}

func cmdFolders(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	pattern := "*"
	if len(cl.args) == 1 {
		pattern = cl.args[0]
	}
	fs, err := s.c.ListFolders(ctx, "", pattern)
	if err != nil {
		return nil, err
	}
	r := foldersResult{Folders: []folderEntry{}}
	for _, f := range fs {
		e := folderEntry{Name: f.Name, Attributes: f.Attrs, SpecialUse: f.SpecialUse()}
		if e.Attributes == nil {
			e.Attributes = []string{}
		}
		if f.Delim != 0 {
			e.Delimiter = string(f.Delim)
		}
		r.Folders = append(r.Folders, e)
	}
	if pattern == "*" {
		s.folders = s.folders[:0]
		for _, f := range fs {
			s.folders = append(s.folders, f.Name)
		}
	}
	return r, nil
}

type selectResult struct {
	Folder         string   `json:"folder"`
	ReadOnly       bool     `json:"read_only"`
	Exists         uint32   `json:"exists"`
	Recent         uint32   `json:"recent"`
	UIDNext        uint32   `json:"uidnext"`
	UIDValidity    uint32   `json:"uidvalidity"`
	FirstUnseen    uint32   `json:"first_unseen,omitempty"`
	HighestModSeq  uint64   `json:"highestmodseq,omitempty"`
	Flags          []string `json:"flags"`
	PermanentFlags []string `json:"permanent_flags"`
}

func (r selectResult) text(w io.Writer) {
	mode := "read-write"
	if r.ReadOnly {
		mode = "read-only"
	}
	fmt.Fprintf(w, "%s (%s): %d messages, %d recent, UIDVALIDITY %d, UIDNEXT %d\n", r.Folder, mode, r.Exists, r.Recent, r.UIDValidity, r.UIDNext)
	if r.FirstUnseen > 0 {
		fmt.Fprintf(w, "  first unseen: message %d\n", r.FirstUnseen)
	}
	if r.HighestModSeq > 0 {
		fmt.Fprintf(w, "  HIGHESTMODSEQ %d\n", r.HighestModSeq)
	}
	fmt.Fprintf(w, "  flags: %s\n", strings.Join(r.Flags, " "))
	if r.PermanentFlags != nil {
		fmt.Fprintf(w, "  permanent flags: %s\n", strings.Join(r.PermanentFlags, " "))
	}
}

func cmdSelect(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	readOnly := cl.verb == "examine"
	res, err := s.c.SelectFolder(ctx, cl.args[0], readOnly)
	if err != nil {
		return nil, err
	}
	r := selectResult{Folder: cl.args[0], ReadOnly: res.ReadOnly, Exists: res.Exists, Recent: res.Recent,
		UIDNext: res.UIDNext, UIDValidity: res.UIDValidity, FirstUnseen: res.Unseen,
		HighestModSeq: res.HighestModSeq, Flags: res.Flags, PermanentFlags: res.PermanentFlags}
	if r.Flags == nil {
		r.Flags = []string{}
	}
	return r, nil
}

type statusResult struct {
	Folder string            `json:"folder"`
	Items  map[string]uint64 `json:"items"`
}

func (r statusResult) text(w io.Writer) {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.Items)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.Items[k]))
	}
	fmt.Fprintf(w, "%s: %s\n", r.Folder, strings.Join(parts, ", "))
}

func cmdStatus(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	items := make([]string, 0, len(cl.args)-1)
	for _, a := range cl.args[1:] {
		items = append(items, strings.ToUpper(a))
	}
	st, err := s.c.FolderStatus(ctx, cl.args[0], items...)
	if err != nil {
		return nil, err
	}
	return statusResult{Folder: cl.args[0], Items: st.Items}, nil
}

type namespaceEntry struct {
	Prefix    string `json:"prefix"`
	Delimiter string `json:"delimiter"`
}

type namespaceResult struct {
	Personal []namespaceEntry `json:"personal"`
	Other    []namespaceEntry `json:"other"`
	Shared   []namespaceEntry `json:"shared"`
}

func (r namespaceResult) text(w io.Writer) {
	for _, g := range []struct {
		name string
		ns   []namespaceEntry
	}{{"personal", r.Personal}, {"other users", r.Other}, {"shared", r.Shared}} {
		if len(g.ns) == 0 {
			fmt.Fprintf(w, "%-12s (none)\n", g.name+":")
			continue
		}
		var parts []string
		for _, n := range g.ns {
			parts = append(parts, fmt.Sprintf("%q (delimiter %q)", n.Prefix, n.Delimiter))
		}
		fmt.Fprintf(w, "%-12s %s\n", g.name+":", strings.Join(parts, ", "))
	}
}

func nsEntries(ns []imapclient.Namespace) []namespaceEntry {
	out := []namespaceEntry{}
	for _, n := range ns {
		e := namespaceEntry{Prefix: n.Prefix}
		if n.Delim != 0 {
			e.Delimiter = string(n.Delim)
		}
		out = append(out, e)
	}
	return out
}

func cmdNamespace(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	ns, err := s.c.Namespace(ctx)
	if err != nil {
		return nil, err
	}
	return namespaceResult{Personal: nsEntries(ns.Personal), Other: nsEntries(ns.Other), Shared: nsEntries(ns.Shared)}, nil
}

type idResult struct {
	Server map[string]string `json:"server"`
}

func (r idResult) text(w io.Writer) {
	if len(r.Server) == 0 {
		fmt.Fprintln(w, "(the server sent no identification)")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(r.Server)) {
		fmt.Fprintf(w, "%s: %s\n", k, r.Server[k])
	}
}

func cmdID(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	m, err := s.c.ID(ctx, map[string]string{"name": "imapsh", "vendor": "imapclient-go"})
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]string{}
	}
	return idResult{Server: m}, nil
}

type quotaResult struct {
	Folder string          `json:"folder"`
	Roots  []string        `json:"roots"`
	Quotas []quotaResource `json:"quotas"`
}

type quotaResource struct {
	Root     string `json:"root"`
	Resource string `json:"resource"`
	Usage    int64  `json:"usage"`
	Limit    int64  `json:"limit"`
}

func (r quotaResult) text(w io.Writer) {
	if len(r.Roots) == 0 {
		fmt.Fprintf(w, "%s: no quota applies\n", r.Folder)
		return
	}
	fmt.Fprintf(w, "%s: quota roots %s\n", r.Folder, strings.Join(quoteAll(r.Roots), ", "))
	for _, q := range r.Quotas {
		pct := ""
		if q.Limit > 0 {
			pct = fmt.Sprintf(" (%.0f%%)", 100*float64(q.Usage)/float64(q.Limit))
		}
		fmt.Fprintf(w, "  %q %s: %d of %d%s\n", q.Root, q.Resource, q.Usage, q.Limit, pct)
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func cmdQuota(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	folder := "INBOX"
	if len(cl.args) == 1 {
		folder = cl.args[0]
	}
	qr, err := s.c.GetQuotaRoot(ctx, folder)
	if err != nil {
		return nil, err
	}
	r := quotaResult{Folder: folder, Roots: qr.Roots, Quotas: []quotaResource{}}
	if r.Roots == nil {
		r.Roots = []string{}
	}
	for _, q := range qr.Quotas {
		r.Quotas = append(r.Quotas, quotaResource(q))
	}
	return r, nil
}

type aclResult struct {
	Folder   string     `json:"folder"`
	Entries  []aclEntry `json:"entries"`
	MyRights string     `json:"my_rights,omitempty"`
}

type aclEntry struct {
	Identifier string `json:"identifier"`
	Rights     string `json:"rights"`
}

func (r aclResult) text(w io.Writer) {
	fmt.Fprintf(w, "%s:\n", r.Folder)
	for _, e := range r.Entries {
		fmt.Fprintf(w, "  %-20s %s\n", e.Identifier, e.Rights)
	}
	if r.MyRights != "" {
		fmt.Fprintf(w, "  your rights: %s\n", r.MyRights)
	}
}

func cmdACL(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	entries, err := s.c.GetACL(ctx, cl.args[0])
	if err != nil {
		return nil, err
	}
	r := aclResult{Folder: cl.args[0], Entries: []aclEntry{}}
	for _, e := range entries {
		r.Entries = append(r.Entries, aclEntry(e))
	}
	if mine, err := s.c.MyRights(ctx, cl.args[0]); err == nil {
		r.MyRights = mine
	}
	return r, nil
}

func cmdFolderOp(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	var err error
	var msg string
	switch cl.verb {
	case "create":
		err = s.c.CreateFolder(ctx, cl.args[0])
		msg = "created " + cl.args[0]
	case "delete":
		// Some servers (Dovecot) hang up on a session whose selected
		// folder is deleted: leave it first.
		if name, _, ok := s.c.SelectedFolder(); ok && name == cl.args[0] {
			if err := s.c.UnselectFolder(ctx); err != nil {
				return nil, fmt.Errorf("leaving the folder before deleting it: %w", err)
			}
		}
		err = s.c.DeleteFolder(ctx, cl.args[0])
		msg = "deleted " + cl.args[0]
	case "rename":
		err = s.c.RenameFolder(ctx, cl.args[0], cl.args[1])
		msg = "renamed " + cl.args[0] + " to " + cl.args[1]
	default:
		err = errors.New("unknown folder operation")
	}
	if err != nil {
		return nil, err
	}
	s.refreshFolders(ctx)
	return message{msg}, nil
}

type noopResult struct {
	Responses []string `json:"responses"`
}

func (r noopResult) text(w io.Writer) {
	if len(r.Responses) == 0 {
		fmt.Fprintln(w, "(nothing new)")
	}
	for _, l := range r.Responses {
		fmt.Fprintln(w, l)
	}
}

func cmdNoop(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	us, err := s.c.Noop(ctx)
	if err != nil {
		return nil, err
	}
	r := noopResult{Responses: []string{}}
	for _, u := range us {
		r.Responses = append(r.Responses, formatUntagged(u, s.c.FolderEncode()))
	}
	return r, nil
}

// displayWidth approximates the columns a string takes: wide characters
// (CJK) count two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x20000 && r <= 0x3fffd)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func cmdUnselect(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	name, _, ok := s.c.SelectedFolder()
	var err error
	if cl.verb == "close" {
		err = s.c.CloseFolder(ctx)
	} else {
		err = s.c.UnselectFolder(ctx)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return message{"no folder is selected"}, nil
	}
	return message{"left " + name}, nil
}
