package imapclient

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// NotifyEvent is an event a client can ask to be notified of with Notify
// (RFC 5465 section 5).
type NotifyEvent string

// Events of NOTIFY. MessageNew and MessageExpunge go together, and
// FlagChange and AnnotationChange need both (RFC 5465 section 5).
const (
	NotifyMessageNew            NotifyEvent = "MessageNew"
	NotifyMessageExpunge        NotifyEvent = "MessageExpunge"
	NotifyFlagChange            NotifyEvent = "FlagChange"
	NotifyAnnotationChange      NotifyEvent = "AnnotationChange"
	NotifyMailboxName           NotifyEvent = "MailboxName"
	NotifySubscriptionChange    NotifyEvent = "SubscriptionChange"
	NotifyMailboxMetadataChange NotifyEvent = "MailboxMetadataChange"
	NotifyServerMetadataChange  NotifyEvent = "ServerMetadataChange"
)

// NotifyFilter names the folders an event group of Notify is about (RFC
// 5465 section 6).
type NotifyFilter string

// Filters of NOTIFY.
const (
	// NotifySelected is the selected folder: its events arrive as
	// EXISTS, EXPUNGE and FETCH updates.
	NotifySelected NotifyFilter = "SELECTED"
	// NotifySelectedDelayed is the selected folder, with expunges held
	// back until a command that allows them (NOOP, IDLE).
	NotifySelectedDelayed NotifyFilter = "SELECTED-DELAYED"
	// NotifyInboxes are the folders that receive new mail.
	NotifyInboxes NotifyFilter = "INBOXES"
	// NotifyPersonal are the folders of the personal namespace.
	NotifyPersonal NotifyFilter = "PERSONAL"
	// NotifySubscribed are the subscribed folders.
	NotifySubscribed NotifyFilter = "SUBSCRIBED"
	// NotifySubtree are the folders of NotifyGroup.Folders and those
	// below them.
	NotifySubtree NotifyFilter = "SUBTREE"
	// NotifyMailboxes are exactly the folders of NotifyGroup.Folders.
	NotifyMailboxes NotifyFilter = "MAILBOXES"
)

// NotifyGroup is one event group of Notify: the events wanted for the
// folders a filter names.
type NotifyGroup struct {
	Filter NotifyFilter
	// Folders are the folders of NotifySubtree and NotifyMailboxes.
	Folders []string
	// Events are the events wanted; none asks for no events from these
	// folders (NONE), which excludes them from a wider group.
	Events []NotifyEvent
	// FetchItems, with MessageNew for the selected folder, are FETCH items
	// (atoms such as "UID", "FLAGS", "ENVELOPE") the server sends with
	// each new message.
	FetchItems []string
}

// NotifySpec is the argument of Notify (RFC 5465 section 3).
type NotifySpec struct {
	// Status asks the server to send at once the status (MESSAGES,
	// UIDNEXT, UIDVALIDITY, UNSEEN) of every folder with MessageNew or
	// MessageExpunge events, as *FolderStatusUpdate values.
	Status bool
	// Groups are the event groups, at least one.
	Groups []NotifyGroup
}

// Notify asks the server to report events in other folders as well as in
// the selected one (NOTIFY SET, RFC 5465): new and expunged messages in
// any folder (as *FolderStatusUpdate), created, deleted and renamed
// folders and subscription changes (as *FolderListUpdate), metadata
// changes (as *MetadataUpdate). Updates arrive like any unsolicited data:
// through IdleCheck or IdleUpdates while idling, and otherwise through
// Options.OnUpdate after each command. Servers send them mostly while
// idling. A spec naming the selected folder replaces the usual updates of
// that folder by those events. It needs the NOTIFY capability (a
// *CapabilityError otherwise); a malformed spec is an error; in both
// cases nothing is sent. A server that does not support an event answers
// NO with the BADEVENT response code.
func (c *Client) Notify(ctx context.Context, spec *NotifySpec) error {
	if spec == nil || len(spec.Groups) == 0 {
		return fmt.Errorf("imapclient: NOTIFY: no event groups given (use NotifyNone to stop): %w", imapwire.ErrInvalidArgument)
	}
	groups := slices.Clone(spec.Groups)
	for i := range groups {
		if err := checkNotifyGroup(&groups[i]); err != nil {
			return err
		}
	}
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireAuth("NOTIFY"); err != nil {
		return err
	}
	if err := c.needCap(ctx, imap.CapNotify, "NOTIFY"); err != nil {
		return err
	}
	_, err := c.conn.Execute(ctx, "NOTIFY", func(e *imapwire.Encoder) {
		e.SP().Raw("SET")
		if spec.Status {
			e.SP().Raw("STATUS")
		}
		for _, g := range groups {
			e.SP().Byte('(').Raw(string(g.Filter))
			if g.Filter == NotifySubtree || g.Filter == NotifyMailboxes {
				e.SP().Byte('(')
				for i, f := range g.Folders {
					if i > 0 {
						e.SP()
					}
					e.AString(c.encodeName(f))
				}
				e.Byte(')')
			}
			e.SP()
			if len(g.Events) == 0 {
				e.Raw("NONE")
			} else {
				e.Byte('(')
				for i, ev := range g.Events {
					if i > 0 {
						e.SP()
					}
					e.Atom(string(ev))
					if strings.EqualFold(string(ev), string(NotifyMessageNew)) && len(g.FetchItems) > 0 {
						e.SP().Byte('(')
						for j, it := range g.FetchItems {
							if j > 0 {
								e.SP()
							}
							e.Atom(strings.ToUpper(it))
						}
						e.Byte(')')
					}
				}
				e.Byte(')')
			}
			e.Byte(')')
		}
	}, nil)
	return err
}

// checkNotifyGroup validates an event group before anything is sent.
func checkNotifyGroup(g *NotifyGroup) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("imapclient: NOTIFY: "+format+": %w", append(args, imapwire.ErrInvalidArgument)...)
	}
	g.Filter = NotifyFilter(strings.ToUpper(string(g.Filter)))
	switch g.Filter {
	case NotifySelected, NotifySelectedDelayed, NotifyInboxes, NotifyPersonal, NotifySubscribed:
		if len(g.Folders) > 0 {
			return bad("filter %s takes no folders", g.Filter)
		}
	case NotifySubtree, NotifyMailboxes:
		if len(g.Folders) == 0 {
			return bad("filter %s needs folders", g.Filter)
		}
	default:
		return bad("unknown filter %q", g.Filter)
	}
	has := map[string]bool{}
	for _, ev := range g.Events {
		if !imapwire.IsAtom(string(ev)) {
			return bad("invalid event %q", ev)
		}
		has[strings.ToLower(string(ev))] = true
	}
	newEv, expEv := has["messagenew"], has["messageexpunge"]
	if newEv != expEv {
		return bad("MessageNew and MessageExpunge go together (RFC 5465 section 5)")
	}
	if (has["flagchange"] || has["annotationchange"]) && !newEv {
		return bad("FlagChange and AnnotationChange need MessageNew and MessageExpunge (RFC 5465 section 5)")
	}
	if len(g.FetchItems) > 0 {
		if !newEv || (g.Filter != NotifySelected && g.Filter != NotifySelectedDelayed) {
			return bad("fetch items need MessageNew on the selected folder")
		}
		for _, it := range g.FetchItems {
			if !imapwire.IsAtom(it) {
				return bad("fetch item %q is not an atom", it)
			}
		}
	}
	return nil
}

// NotifyNone turns notifications off (NOTIFY NONE, RFC 5465 section 3):
// the selected folder's updates are back to the usual ones. It needs the
// NOTIFY capability.
func (c *Client) NotifyNone(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.requireAuth("NOTIFY"); err != nil {
		return err
	}
	if err := c.needCap(ctx, imap.CapNotify, "NOTIFY"); err != nil {
		return err
	}
	_, err := c.conn.Execute(ctx, "NOTIFY", func(e *imapwire.Encoder) { e.SP().Raw("NONE") }, nil)
	return err
}

// FolderStatusUpdate is a STATUS response the server sent on its own:
// with NOTIFY, messages arrived in or left a folder other than the
// selected one (RFC 5465 section 5.2).
type FolderStatusUpdate struct {
	// Status holds the folder's name (decoded like ListFolders' names)
	// and the items sent.
	Status *FolderStatus
	// MailboxID is the folder's MAILBOXID when the server sent it.
	MailboxID string
}

// FolderListUpdate is a LIST response the server sent on its own: with
// NOTIFY MailboxName, a folder was created, deleted (it has
// \NonExistent) or renamed (OldName is set); with SubscriptionChange its
// \Subscribed attribute changed (RFC 5465 sections 5.4 and 5.5).
type FolderListUpdate struct {
	Folder ListedFolder
}

// MetadataUpdate is a METADATA response the server sent on its own
// (RFC 5464 section 4.4.2, RFC 5465 section 5.6): the entries of Folder
// ("" for the server) changed. Values holds the new values when the
// server sent them, nil otherwise: read them with GetMetadata.
type MetadataUpdate struct {
	Folder  string
	Entries []string
	Values  map[string]*string
}

func (*FolderStatusUpdate) update() {}
func (*FolderListUpdate) update()   {}
func (*MetadataUpdate) update()     {}

// toUpdate converts an unsolicited response into an Update, with folder
// names decoded: STATUS, LIST and METADATA as the typed updates of
// NOTIFY, the rest as the package-level toUpdate does.
func (c *Client) toUpdate(r *imapwire.Response) Update {
	switch r.Name {
	case "STATUS":
		if sd, ok := r.Data.(*imapwire.StatusData); ok && sd != nil {
			fs, id := folderStatusOf(c.decodeName(sd.Mailbox), sd)
			return &FolderStatusUpdate{Status: fs, MailboxID: id}
		}
	case "LIST":
		if ld, ok := r.Data.(*imapwire.ListData); ok && ld != nil {
			return &FolderListUpdate{Folder: listedFolder(ld, c.decodeName)}
		}
	case "METADATA":
		if raw, ok := r.Data.(*imapwire.RawData); ok {
			if mbox, vals, names, err := parseMetadata(raw.Bytes); err == nil {
				u := &MetadataUpdate{Folder: c.decodeName(mbox), Entries: names, Values: vals}
				if vals != nil {
					u.Entries = slices.Sorted(maps.Keys(vals))
				}
				return u
			}
		}
	}
	return toUpdate(r)
}
