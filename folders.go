package imapclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Folder is one folder of a LIST, LSUB or XLIST response (RFC 3501
// section 7.2.2).
type Folder struct {
	// Name is the folder's full name, decoded from modified UTF-7 unless
	// folder encoding is off. A name that is not valid modified UTF-7 is
	// returned as the server sent it.
	Name string
	// Delim is the hierarchy delimiter, or 0 when the server has none
	// (it sent NIL).
	Delim rune
	// Attrs are the name attributes as the server sent them, such as
	// `\HasNoChildren`, `\Noselect` or the special-use `\Sent` (RFC 6154).
	Attrs []string
}

// HasAttr reports whether the folder has the attribute a, compared
// case-insensitively (attributes are case-insensitive, RFC 3501 section
// 9): f.HasAttr(imap.AttrNoSelect), f.HasAttr(imap.SpecialUseTrash).
func (f *Folder) HasAttr(a string) bool {
	for _, x := range f.Attrs {
		if strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

// Selectable reports whether the folder can be selected: it has neither
// `\Noselect` nor `\NonExistent` (RFC 5258 section 3.4).
func (f *Folder) Selectable() bool {
	return !f.HasAttr(imap.AttrNoSelect) && !f.HasAttr(imap.AttrNonExistent)
}

// SpecialUse returns the folder's first special-use attribute of RFC 6154
// section 2 in its canonical spelling (imap.SpecialUseSent, ...), or ""
// when it has none.
func (f *Folder) SpecialUse() imap.SpecialUse {
	for _, a := range f.Attrs {
		if u := canonicalSpecialUse(a); u != "" {
			return u
		}
	}
	return ""
}

var specialUses = [...]imap.SpecialUse{
	imap.SpecialUseAll, imap.SpecialUseArchive, imap.SpecialUseDrafts,
	imap.SpecialUseFlagged, imap.SpecialUseJunk, imap.SpecialUseSent,
	imap.SpecialUseTrash,
}

// canonicalSpecialUse returns the canonical spelling of a special-use
// attribute of RFC 6154, or "" for any other attribute.
func canonicalSpecialUse(a string) imap.SpecialUse {
	for _, u := range specialUses {
		if strings.EqualFold(a, u) {
			return u
		}
	}
	return ""
}

// ListFolders lists the folders matching pattern under directory with LIST
// (RFC 3501 section 6.3.8; IMAPClient's list_folders). IMAPClient's
// defaults are directory "" and pattern "*": pass them to list every
// folder. In pattern, "*" matches any characters and "%" any characters
// but the hierarchy delimiter. Both arguments are encoded like folder
// names. A folder name the server sent in invalid modified UTF-7 does not
// fail the listing: it is returned as sent.
func (c *Client) ListFolders(ctx context.Context, directory, pattern string) ([]Folder, error) {
	return c.list(ctx, "LIST", directory, pattern, false)
}

// ListSubFolders lists the subscribed folders matching pattern under
// directory with LSUB (RFC 3501 section 6.3.9; IMAPClient's
// list_sub_folders). The arguments are those of ListFolders: pass "" and
// "*" for every subscribed folder.
func (c *Client) ListSubFolders(ctx context.Context, directory, pattern string) ([]Folder, error) {
	return c.list(ctx, "LSUB", directory, pattern, false)
}

// XListFolders lists folders with Gmail's deprecated XLIST command, whose
// attributes name special folders (`\Inbox`, `\AllMail`, `\Sent`, ...)
// and whose names may be localised (IMAPClient's xlist_folders). The
// arguments are those of ListFolders. Without the XLIST capability it
// returns a *CapabilityError and sends nothing; prefer ListFolders and
// Folder.SpecialUse with servers that have SPECIAL-USE.
func (c *Client) XListFolders(ctx context.Context, directory, pattern string) ([]Folder, error) {
	return c.list(ctx, "XLIST", directory, pattern, false)
}

// list runs LIST, LSUB or XLIST. specialUse adds "RETURN (SPECIAL-USE)"
// (RFC 6154 section 5.1, RFC 5258 section 3).
func (c *Client) list(ctx context.Context, cmd, directory, pattern string, specialUse bool) ([]Folder, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return nil, err
	}
	if cmd == "XLIST" {
		if err := c.requireCap(ctx, imap.CapXList, cmd); err != nil {
			return nil, err
		}
	}
	var folders []Folder
	_, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(c.encodeName(directory)).SP().AString(c.encodeName(pattern))
		if specialUse {
			e.SP().Raw("RETURN (SPECIAL-USE)")
		}
	}, listHandler(cmd, c.decodeName, &folders))
	if err != nil {
		return nil, err
	}
	return folders, nil
}

// listHandler collects the LIST, LSUB or XLIST responses (as named by cmd)
// into out, decoding names with decode.
func listHandler(cmd string, decode func(string) string, out *[]Folder) imapconn.Handler {
	return func(r *imapwire.Response) (bool, error) {
		if r.Name != cmd {
			return false, nil
		}
		ld, ok := r.Data.(*imapwire.ListData)
		if !ok || ld == nil {
			return true, &ProtocolError{Msg: cmd + " response without data"}
		}
		*out = append(*out, Folder{Name: decode(ld.Mailbox), Delim: ld.Delim, Attrs: ld.Attrs})
		return true, nil
	}
}

// FolderExists reports whether the folder exists (IMAPClient's
// folder_exists), with a LIST for exactly that name. Unlike IMAPClient it
// treats "*" and "%" in name as characters, not wildcards: only a folder
// with exactly this name counts (INBOX in any case).
func (c *Client) FolderExists(ctx context.Context, name string) (bool, error) {
	folders, err := c.ListFolders(ctx, "", canonicalInbox(name))
	if err != nil {
		return false, err
	}
	for i := range folders {
		if sameFolderName(folders[i].Name, name) && !folders[i].HasAttr(imap.AttrNonExistent) {
			return true, nil
		}
	}
	return false, nil
}

// canonicalInbox spells a leading INBOX (case-insensitive, RFC 3501
// section 5.1) in capitals: Cyrus matches LIST patterns case-sensitively,
// INBOX included, so that LIST "" "inbox" finds nothing there.
func canonicalInbox(name string) string {
	const inbox = "INBOX"
	if len(name) < len(inbox) || name[:len(inbox)] == inbox {
		return name
	}
	if c := inbox + name[len(inbox):]; sameFolderName(c, name) {
		return c
	}
	return name
}

// sameFolderName compares folder names, ignoring the case of a leading
// INBOX, which is case-insensitive (RFC 3501 section 5.1).
func sameFolderName(a, b string) bool {
	if a == b {
		return true
	}
	const inbox = "INBOX"
	if len(a) < len(inbox) || len(b) < len(inbox) || !strings.EqualFold(a[:len(inbox)], inbox) || !strings.EqualFold(b[:len(inbox)], inbox) {
		return false
	}
	ra, rb := a[len(inbox):], b[len(inbox):]
	if ra != rb {
		return false
	}
	// "Inboxes" is not "INBOXes": only INBOX itself or its children.
	if ra == "" {
		return true
	}
	ch := ra[0]
	return !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9')
}

// popularPersonalNamespaces are tried by FindSpecialFolder when the server
// lacks NAMESPACE (IMAPClient's _POPULAR_PERSONAL_NAMESPACES).
var popularPersonalNamespaces = []Namespace{{Prefix: ""}, {Prefix: "INBOX.", Delim: '.'}}

// popularSpecialFolders are the names FindSpecialFolder looks for when no
// folder carries the special-use attribute: IMAPClient's
// _POPULAR_SPECIAL_FOLDERS, in its order, followed by a few other common
// names.
var popularSpecialFolders = map[imap.SpecialUse][]string{
	imap.SpecialUseSent:    {"Sent", "Sent Items", "Sent items", "Sent Messages", "Sent Mail"},
	imap.SpecialUseDrafts:  {"Drafts"},
	imap.SpecialUseArchive: {"Archive", "Archives"},
	imap.SpecialUseTrash:   {"Trash", "Deleted Items", "Deleted Messages", "Deleted"},
	imap.SpecialUseJunk:    {"Junk", "Spam", "Junk Mail", "Bulk Mail"},
}

// FindSpecialFolder returns the name of the folder with the special use
// given, such as imap.SpecialUseSent or imap.SpecialUseTrash (IMAPClient's
// find_special_folder). It lists every folder, asking for the special-use
// attributes with LIST ... RETURN (SPECIAL-USE) when the server has
// SPECIAL-USE (RFC 6154 section 5.1), and returns the first selectable
// folder with that attribute. Failing that, it looks for the common names
// of that folder ("Sent", "Sent Items", "Trash", "Deleted Items", "Junk",
// "Spam", ...) under each personal namespace prefix (RFC 2342; "" and
// "INBOX." without NAMESPACE), in order, among the folders listed. It
// returns "" and no error when nothing is found.
func (c *Client) FindSpecialFolder(ctx context.Context, use imap.SpecialUse) (string, error) {
	if err := c.requireAuth("LIST"); err != nil {
		return "", err
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return "", err
	}
	var folders []Folder
	if caps.Has(imap.CapSpecialUse) {
		folders, err = c.list(ctx, "LIST", "", "*", true)
		if errors.Is(err, imap.ErrBad) {
			// The server knows the attributes but not the RETURN syntax
			// (RFC 6154 does not say SPECIAL-USE implies LIST-EXTENDED).
			folders, err = c.list(ctx, "LIST", "", "*", false)
		}
	} else {
		folders, err = c.list(ctx, "LIST", "", "*", false)
	}
	if err != nil {
		return "", err
	}
	for i := range folders {
		if folders[i].HasAttr(use) && folders[i].Selectable() {
			return folders[i].Name, nil
		}
	}
	names := popularSpecialFolders[canonicalSpecialUse(use)]
	if len(names) == 0 {
		return "", nil
	}
	personal := popularPersonalNamespaces
	if caps.Has(imap.CapNamespace) {
		ns, err := c.Namespace(ctx)
		if err != nil {
			return "", err
		}
		if len(ns.Personal) > 0 {
			personal = ns.Personal
		}
	}
	return guessSpecialFolder(names, folders, personal), nil
}

// guessSpecialFolder returns the first of prefix+name, for each personal
// namespace prefix and then each name in order, that is a selectable
// folder in folders, or "".
func guessSpecialFolder(names []string, folders []Folder, personal []Namespace) string {
	for _, ns := range personal {
		for _, n := range names {
			want := ns.Prefix + n
			for i := range folders {
				if sameFolderName(folders[i].Name, want) && folders[i].Selectable() {
					return folders[i].Name
				}
			}
		}
	}
	return ""
}

// CreateFolder creates a folder (RFC 3501 section 6.3.3; IMAPClient's
// create_folder). Servers create missing parents of a hierarchical name.
func (c *Client) CreateFolder(ctx context.Context, name string) error {
	return c.folderCmd(ctx, "CREATE", name)
}

// DeleteFolder deletes a folder (RFC 3501 section 6.3.4; IMAPClient's
// delete_folder). Servers refuse to delete INBOX, and may refuse a folder
// that has children or keep the children.
func (c *Client) DeleteFolder(ctx context.Context, name string) error {
	return c.folderCmd(ctx, "DELETE", name)
}

// RenameFolder renames a folder, and its children with it (RFC 3501
// section 6.3.5; IMAPClient's rename_folder). Renaming INBOX moves its
// messages to the new folder and leaves INBOX empty.
func (c *Client) RenameFolder(ctx context.Context, oldName, newName string) error {
	return c.folderCmd(ctx, "RENAME", oldName, newName)
}

// SubscribeFolder adds a folder to the subscribed folders that
// ListSubFolders returns (RFC 3501 section 6.3.6; IMAPClient's
// subscribe_folder).
func (c *Client) SubscribeFolder(ctx context.Context, name string) error {
	return c.folderCmd(ctx, "SUBSCRIBE", name)
}

// UnsubscribeFolder removes a folder from the subscribed folders (RFC 3501
// section 6.3.7; IMAPClient's unsubscribe_folder).
func (c *Client) UnsubscribeFolder(ctx context.Context, name string) error {
	return c.folderCmd(ctx, "UNSUBSCRIBE", name)
}

// folderCmd runs a command whose arguments are folder names.
func (c *Client) folderCmd(ctx context.Context, cmd string, names ...string) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireAuth(cmd); err != nil {
		return err
	}
	_, err := c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		for _, n := range names {
			e.SP().AString(c.encodeName(n))
		}
	}, nil)
	if err != nil {
		return fmt.Errorf("imapclient: %s %s: %w", cmd, quoteNames(names), err)
	}
	return nil
}

// quoteNames formats folder names for error messages.
func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " ")
}
