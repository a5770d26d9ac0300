package imapclient

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// ListOptions are the arguments of ListFoldersWith: the reference name,
// the patterns, and the selection and return options of LIST-EXTENDED
// (RFC 5258 section 3), SPECIAL-USE (RFC 6154 section 5) and LIST-STATUS
// (RFC 5819). The zero value lists every folder, as ListFolders(ctx, "",
// "*") does.
type ListOptions struct {
	// Directory is the reference name, encoded like a folder name; ""
	// for the root.
	Directory string
	// Patterns are the mailbox patterns ("*" matches anything, "%"
	// anything but the hierarchy delimiter), encoded like folder names.
	// None means "*". More than one needs LIST-EXTENDED.
	Patterns []string

	// Subscribed selects only subscribed folders (selection option
	// SUBSCRIBED), including subscribed names that no longer exist, which
	// carry \NonExistent (RFC 5258 section 3.1). It implies
	// ReturnSubscribed.
	Subscribed bool
	// Remote also selects remote folders (REMOTE, RFC 5258 section 3.1).
	Remote bool
	// RecursiveMatch also lists a folder that does not match the other
	// selection options itself but has descendants that do, with their
	// criteria in ListedFolder.ChildInfo (RECURSIVEMATCH, RFC 5258
	// section 3.5). It needs Subscribed or SpecialUse.
	RecursiveMatch bool
	// SpecialUse selects only folders with a special-use attribute
	// (selection option SPECIAL-USE, RFC 6154 section 5.1). It needs
	// SPECIAL-USE and LIST-EXTENDED.
	SpecialUse bool

	// ReturnSubscribed adds the \Subscribed attribute to subscribed
	// folders (return option SUBSCRIBED).
	ReturnSubscribed bool
	// ReturnChildren adds \HasChildren or \HasNoChildren (return option
	// CHILDREN, RFC 5258 section 4).
	ReturnChildren bool
	// ReturnSpecialUse adds the special-use attributes (return option
	// SPECIAL-USE, RFC 6154 section 5.1). It needs SPECIAL-USE.
	ReturnSpecialUse bool
	// ReturnStatus asks for the status of every selectable folder listed
	// (return option STATUS, RFC 5819), with STATUS item names such as
	// "MESSAGES", "UNSEEN", "SIZE" or "MAILBOXID". It needs LIST-STATUS.
	ReturnStatus []string
}

// ListedFolder is one folder of ListFoldersWith: the folder with its
// attributes, its extended data (RFC 5258 section 3.5) and, when asked
// for with ListOptions.ReturnStatus, its status.
type ListedFolder struct {
	Folder
	// ChildInfo lists the selection criteria ("SUBSCRIBED",
	// "SPECIAL-USE") that some descendants match while the folder itself
	// may not (the CHILDINFO extended data item, RFC 5258 section 3.5).
	ChildInfo []string
	// OldName is the folder's previous name when the server reports a
	// rename (OLDNAME, RFC 5465 section 5.4), decoded like Name; "" when
	// not sent.
	OldName string
	// Extended holds the extended data items as the server sent them, or
	// "" when there are none.
	Extended string
	// Status is the folder's status from LIST-STATUS, nil when not asked
	// for or not sent (servers send none for folders that cannot be
	// selected, RFC 5819 section 2).
	Status *FolderStatus
	// MailboxID is the folder's MAILBOXID (RFC 8474 section 4.2) when
	// "MAILBOXID" was among the status items and the server sent it.
	MailboxID string
}

// ListFoldersWith lists folders with the options of LIST-EXTENDED (RFC
// 5258): several patterns, selection options (subscribed folders only,
// special-use folders only, remote folders, parents of matching children)
// and return options (subscription state, children, special-use
// attributes, and the status of each folder with LIST-STATUS, RFC 5819,
// which saves a STATUS command per folder). opts nil lists every folder.
// Options the server does not announce are a *CapabilityError before
// anything is sent; without any extended option, a plain LIST is sent.
// Folders come in the server's order; the STATUS responses the server
// interleaves are attached to their folder.
func (c *Client) ListFoldersWith(ctx context.Context, opts *ListOptions) ([]ListedFolder, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if len(o.Patterns) == 0 {
		o.Patterns = []string{"*"}
	}
	sel := selectionOptions(&o)
	if o.RecursiveMatch && !o.Subscribed && !o.SpecialUse {
		return nil, fmt.Errorf("imapclient: LIST: RECURSIVEMATCH needs another selection option (RFC 5258 section 3.1): %w", imapwire.ErrInvalidArgument)
	}
	for _, it := range o.ReturnStatus {
		if !imapwire.IsAtom(it) {
			return nil, fmt.Errorf("imapclient: LIST: invalid status item %q: %w", it, imapwire.ErrInvalidArgument)
		}
	}
	ret := returnOptions(&o)
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("LIST"); err != nil {
		return nil, err
	}
	if len(sel) > 0 || len(o.Patterns) > 1 || o.ReturnSubscribed || o.ReturnChildren {
		if err := c.needCap(ctx, imap.CapListExtended, "LIST-EXTENDED"); err != nil {
			return nil, err
		}
	}
	if o.SpecialUse || o.ReturnSpecialUse {
		if err := c.needCap(ctx, imap.CapSpecialUse, "LIST (SPECIAL-USE)"); err != nil {
			return nil, err
		}
	}
	if len(o.ReturnStatus) > 0 {
		if err := c.needCap(ctx, imap.CapListStatus, "LIST RETURN (STATUS)"); err != nil {
			return nil, err
		}
	}
	lp := &listExtParser{c: c, byWire: map[string]int{}, status: len(o.ReturnStatus) > 0}
	_, err := c.conn.Execute(ctx, "LIST", func(e *imapwire.Encoder) {
		if len(sel) > 0 {
			e.SP().Byte('(').Raw(strings.Join(sel, " ")).Byte(')')
		}
		e.SP().AString(c.encodeName(o.Directory)).SP()
		if len(o.Patterns) == 1 {
			e.AString(c.encodeName(o.Patterns[0]))
		} else {
			e.Byte('(')
			for i, p := range o.Patterns {
				if i > 0 {
					e.SP()
				}
				e.AString(c.encodeName(p))
			}
			e.Byte(')')
		}
		if len(ret) > 0 || len(o.ReturnStatus) > 0 {
			e.SP().Raw("RETURN (").Raw(strings.Join(ret, " "))
			if len(o.ReturnStatus) > 0 {
				if len(ret) > 0 {
					e.SP()
				}
				e.Raw("STATUS (")
				for i, it := range o.ReturnStatus {
					if i > 0 {
						e.SP()
					}
					e.Atom(strings.ToUpper(it))
				}
				e.Byte(')')
			}
			e.Byte(')')
		}
	}, lp.handle)
	if err != nil {
		return lp.out, fmt.Errorf("imapclient: LIST: %w", err)
	}
	return lp.out, nil
}

// selectionOptions returns the LIST selection options (RFC 5258 section
// 3.1, RFC 6154 section 5.1).
func selectionOptions(o *ListOptions) []string {
	var sel []string
	if o.Subscribed {
		sel = append(sel, "SUBSCRIBED")
	}
	if o.Remote {
		sel = append(sel, "REMOTE")
	}
	if o.SpecialUse {
		sel = append(sel, "SPECIAL-USE")
	}
	if o.RecursiveMatch {
		sel = append(sel, "RECURSIVEMATCH")
	}
	return sel
}

// returnOptions returns the LIST return options but STATUS (RFC 5258
// section 3.2, RFC 6154 section 5.1).
func returnOptions(o *ListOptions) []string {
	var ret []string
	if o.ReturnSubscribed {
		ret = append(ret, "SUBSCRIBED")
	}
	if o.ReturnChildren {
		ret = append(ret, "CHILDREN")
	}
	if o.ReturnSpecialUse {
		ret = append(ret, "SPECIAL-USE")
	}
	return ret
}

// listExtParser collects the LIST and STATUS responses of an extended
// LIST.
type listExtParser struct {
	c      *Client
	out    []ListedFolder
	byWire map[string]int // wire name -> index in out
	status bool           // STATUS was asked for
}

// handle claims every LIST response, and the STATUS responses for the
// folders listed (RFC 5819 section 2: each follows its LIST response).
func (p *listExtParser) handle(r *imapwire.Response) (bool, error) {
	switch r.Name {
	case "LIST":
		ld, ok := r.Data.(*imapwire.ListData)
		if !ok || ld == nil {
			return true, &ProtocolError{Msg: "LIST response without data"}
		}
		p.byWire[ld.Mailbox] = len(p.out)
		p.out = append(p.out, listedFolder(ld, p.c.decodeName))
		return true, nil
	case "STATUS":
		sd, ok := r.Data.(*imapwire.StatusData)
		if !ok || sd == nil || !p.status {
			return false, nil
		}
		i, ok := p.byWire[sd.Mailbox]
		if !ok {
			for w, j := range p.byWire { // INBOX in another case
				if sameFolderName(w, sd.Mailbox) {
					i, ok = j, true
					break
				}
			}
			if !ok {
				return false, nil // not ours: an update (NOTIFY)
			}
		}
		f := &p.out[i]
		f.Status, f.MailboxID = folderStatusOf(f.Name, sd)
		return true, nil
	}
	return false, nil
}

// folderStatusOf converts STATUS data, returning the MAILBOXID too.
func folderStatusOf(name string, sd *imapwire.StatusData) (*FolderStatus, string) {
	items := sd.Items
	if items == nil {
		items = map[string]uint64{}
	}
	fs, _ := (&statusParser{data: &imapwire.StatusData{Mailbox: sd.Mailbox, Items: items}}).result(name)
	return fs, parseObjectID(sd.Raw["MAILBOXID"])
}

// listedFolder converts LIST data, parsing the extended data items.
func listedFolder(ld *imapwire.ListData, decode func(string) string) ListedFolder {
	f := ListedFolder{Folder: Folder{Name: decode(ld.Mailbox), Delim: ld.Delim, Attrs: ld.Attrs}, Extended: ld.Extended}
	if ld.Extended == "" {
		return f
	}
	vals, err := rawValues([]byte(ld.Extended))
	if err != nil || len(vals) == 0 || vals[0].Kind != imapwire.ValueList {
		return f // kept in Extended only
	}
	items := vals[0].List
	for i := 0; i+1 < len(items); i += 2 {
		tag, _ := items[i].AString()
		val := items[i+1]
		switch strings.ToUpper(tag) {
		case "CHILDINFO":
			for _, v := range val.List {
				if s, ok := v.AString(); ok {
					f.ChildInfo = append(f.ChildInfo, strings.ToUpper(s))
				}
			}
		case "OLDNAME":
			if len(val.List) > 0 {
				if s, ok := val.List[0].AString(); ok {
					f.OldName = decode(s)
				}
			}
		}
	}
	return f
}

// rawValues parses the payload of an untagged response that the decoder
// keeps raw (METADATA, LIST extended data) into generic values, with the
// tokeniser of package imapwire: atoms, numbers, NIL, strings, literals
// (literal8 too) and lists.
func rawValues(raw []byte) ([]imapwire.Value, error) {
	buf := make([]byte, 0, len(raw)+8)
	buf = append(buf, "x X "...)
	buf = append(buf, raw...)
	buf = append(buf, '\r', '\n')
	cmd, err := imapwire.NewCommandDecoder(bytes.NewReader(buf), nil).ReadCommand()
	if err != nil {
		return nil, err
	}
	return cmd.Args, nil
}

// CreateOptions are the options of CreateFolderWith.
type CreateOptions struct {
	// SpecialUse are special-use attributes for the new folder, such as
	// imap.SpecialUseSent (CREATE-SPECIAL-USE, RFC 6154 section 3).
	SpecialUse []string
}

// CreateResult is what the server said about a new folder.
type CreateResult struct {
	// MailboxID is the new folder's object id (the MAILBOXID response
	// code, RFC 8474 section 4.1), or "" when the server lacks OBJECTID.
	MailboxID string
}

// CreateFolderWith creates a folder like CreateFolder, with options: the
// special-use attributes it is to carry (CREATE name (USE (\Sent)), RFC
// 6154 section 3), which need the CREATE-SPECIAL-USE capability (a
// *CapabilityError otherwise, before anything is sent). A server that
// cannot give the folder that use answers NO with the USEATTR response
// code. The result holds the new folder's MAILBOXID when the server has
// OBJECTID.
func (c *Client) CreateFolderWith(ctx context.Context, name string, opts *CreateOptions) (*CreateResult, error) {
	var uses []string
	if opts != nil {
		uses = opts.SpecialUse
	}
	for _, u := range uses {
		if len(u) < 2 || u[0] != '\\' || !imapwire.IsAtom(u[1:]) {
			return nil, fmt.Errorf("imapclient: CREATE: %q is not a special-use attribute: %w", u, imapwire.ErrInvalidArgument)
		}
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("CREATE"); err != nil {
		return nil, err
	}
	if len(uses) > 0 {
		if err := c.needCap(ctx, imap.CapCreateSpecialUse, "CREATE (USE)"); err != nil {
			return nil, err
		}
	}
	st, err := c.conn.Execute(ctx, "CREATE", func(e *imapwire.Encoder) {
		e.SP().AString(c.encodeName(name))
		if len(uses) > 0 {
			e.SP().Raw("(USE (")
			for i, u := range uses {
				if i > 0 {
					e.SP()
				}
				e.Flag(u)
			}
			e.Raw("))")
		}
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("imapclient: CREATE %q: %w", name, err)
	}
	res := &CreateResult{}
	if st != nil && st.Code == imap.CodeMailboxID {
		res.MailboxID = parseObjectID(st.CodeArg)
	}
	return res, nil
}
