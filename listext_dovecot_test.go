package imapclient_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// subscribed subscribes name with a raw command and unsubscribes it when
// the test ends (Dovecot keeps subscriptions of deleted folders).
func subscribed(t *testing.T, c *imapclient.Client, name string) {
	t.Helper()
	raw(t, c, "SUBSCRIBE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(name)) })
	t.Cleanup(func() {
		_ = c.Do(context.Background(), func(conn *imapconn.Conn) error {
			_, err := conn.Execute(context.Background(), "UNSUBSCRIBE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(name)) }, nil)
			return err
		})
	})
}

func findListed(fs []imapclient.ListedFolder, name string) *imapclient.ListedFolder {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
	}
	return nil
}

func TestDovecotListFoldersWith(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	parent := tempFolder(t, c, "ListExt ä")
	child := parent + "/Kind ö"
	other := parent + "/Other"
	raw(t, c, "CREATE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(child)) })
	raw(t, c, "CREATE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(other)) })
	subscribed(t, c, child)
	msg := testMessage("a@example.org", "b@example.org", "list-status", "hello")
	seed(t, c, child, []string{imap.FlagSeen}, msg)
	seed(t, c, child, nil, msg)

	// Every folder under parent, with children and status.
	fs, err := c.ListFoldersWith(ctx, &imapclient.ListOptions{
		Patterns:       []string{parent, parent + "/*"},
		ReturnChildren: true, ReturnSubscribed: true,
		ReturnStatus: []string{"messages", "UNSEEN", "SIZE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 {
		t.Fatalf("ListFoldersWith = %+v", fs)
	}
	p, k, o := findListed(fs, parent), findListed(fs, child), findListed(fs, other)
	if p == nil || k == nil || o == nil {
		t.Fatalf("folders missing: %+v", fs)
	}
	if !p.HasAttr(imap.AttrHasChildren) || !k.HasAttr(imap.AttrHasNoChildren) || !k.HasAttr(imap.AttrSubscribed) || o.HasAttr(imap.AttrSubscribed) {
		t.Errorf("attributes: parent %v, child %v, other %v", p.Attrs, k.Attrs, o.Attrs)
	}
	if k.Status == nil || k.Status.Name != child || k.Status.Messages != 2 || k.Status.Unseen != 1 || k.Status.Size < uint64(2*len(msg)) {
		t.Errorf("child status = %+v", k.Status)
	}
	if o.Status == nil || o.Status.Messages != 0 || !o.Status.Has("SIZE") {
		t.Errorf("other status = %+v", o.Status)
	}

	// Subscribed folders with RECURSIVEMATCH: the parent, which is not
	// subscribed, is listed for its subscribed child (which the pattern
	// does not match), with CHILDINFO (RFC 5258 section 3.5).
	fs, err = c.ListFoldersWith(ctx, &imapclient.ListOptions{
		Patterns:   []string{parent},
		Subscribed: true, RecursiveMatch: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	p = findListed(fs, parent)
	if len(fs) != 1 || p == nil || !slices.Contains(p.ChildInfo, "SUBSCRIBED") || p.HasAttr(imap.AttrSubscribed) {
		t.Fatalf("SUBSCRIBED RECURSIVEMATCH = %+v", fs)
	}
	fs, err = c.ListFoldersWith(ctx, &imapclient.ListOptions{Patterns: []string{parent + "/%"}, Subscribed: true})
	if k = findListed(fs, child); err != nil || len(fs) != 1 || k == nil || !k.HasAttr(imap.AttrSubscribed) {
		t.Fatalf("SUBSCRIBED = %+v, %v", fs, err)
	}

	// Special-use folders only, with their attributes.
	fs, err = c.ListFoldersWith(ctx, &imapclient.ListOptions{SpecialUse: true, ReturnSpecialUse: true})
	if err != nil {
		t.Fatal(err)
	}
	uses := map[imap.SpecialUse]string{}
	for _, f := range fs {
		uses[f.SpecialUse()] = f.Name
	}
	for _, u := range []imap.SpecialUse{imap.SpecialUseSent, imap.SpecialUseDrafts, imap.SpecialUseTrash, imap.SpecialUseJunk, imap.SpecialUseArchive} {
		if uses[u] == "" {
			t.Errorf("no folder with %s in %+v", u, fs)
		}
	}
	if findListed(fs, parent) != nil {
		t.Errorf("SPECIAL-USE selection listed %q", parent)
	}

	// No extended option: a plain LIST, same result as ListFolders.
	fs, err = c.ListFoldersWith(ctx, &imapclient.ListOptions{Patterns: []string{parent + "/%"}})
	if err != nil || len(fs) != 2 || fs[0].Status != nil {
		t.Fatalf("plain = %+v, %v", fs, err)
	}
	// RECURSIVEMATCH alone is refused before sending.
	if _, err := c.ListFoldersWith(ctx, &imapclient.ListOptions{RecursiveMatch: true}); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("RECURSIVEMATCH alone: %v", err)
	}
	// Without LIST-STATUS (hidden by the test hook): a *CapabilityError.
	imapclient.DisableCapsForTest(t, c, imap.CapListStatus)
	var ce *imapclient.CapabilityError
	if _, err := c.ListFoldersWith(ctx, &imapclient.ListOptions{ReturnStatus: []string{"MESSAGES"}}); !errors.As(err, &ce) || ce.Capability != imap.CapListStatus {
		t.Errorf("without LIST-STATUS: %v", err)
	}
}

func TestDovecotCreateFolderWith(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	// Dovecot 2.3 lacks CREATE-SPECIAL-USE: refused before sending.
	name := tempFolder(t, c, "CreateWith") + "/Gesendet ü"
	var ce *imapclient.CapabilityError
	_, err := c.CreateFolderWith(ctx, name, &imapclient.CreateOptions{SpecialUse: []string{imap.SpecialUseSent}})
	if !errors.As(err, &ce) || ce.Capability != imap.CapCreateSpecialUse {
		t.Fatalf("CreateFolderWith(\\Sent): %v", err)
	}
	if ok, err := c.FolderExists(ctx, name); err != nil || ok {
		t.Fatalf("FolderExists after a refused create = %v, %v", ok, err)
	}
	// Without options it is CREATE.
	res, err := c.CreateFolderWith(ctx, name, nil)
	if err != nil || res == nil || res.MailboxID != "" {
		t.Fatalf("CreateFolderWith(nil) = %+v, %v", res, err)
	}
	if ok, err := c.FolderExists(ctx, name); err != nil || !ok {
		t.Fatalf("FolderExists = %v, %v", ok, err)
	}
	if err := c.DeleteFolder(ctx, name); err != nil {
		t.Fatal(err)
	}
}
