package imapclient_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// folderBase creates a unique parent folder for a test and removes it and
// everything under it when the test ends, with raw commands.
func folderBase(t *testing.T, c *imapclient.Client, base string) string {
	t.Helper()
	name := tempFolder(t, c, base)
	t.Cleanup(func() { folderDeleteChildren(c, name) }) // runs before tempFolder's cleanup
	return name
}

// folderDeleteChildren deletes every folder under parent (UTF-8), deepest
// first.
func folderDeleteChildren(c *imapclient.Client, parent string) {
	ctx := context.Background()
	_ = c.Do(ctx, func(conn *imapconn.Conn) error {
		if conn.State() == imapconn.Selected {
			conn.Execute(ctx, "UNSELECT", nil, nil)
		}
		var names []string
		_, err := conn.Execute(ctx, "LIST", func(e *imapwire.Encoder) {
			e.SP().String("").SP().String(mutf7.Encode(parent) + "/*")
		}, func(r *imapwire.Response) (bool, error) {
			if ld, ok := r.Data.(*imapwire.ListData); ok && r.Name == "LIST" {
				names = append(names, ld.Mailbox)
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		sort.Slice(names, func(i, j int) bool { return strings.Count(names[i], "/") > strings.Count(names[j], "/") })
		for _, n := range names {
			conn.Execute(ctx, "DELETE", func(e *imapwire.Encoder) { e.SP().AString(n) }, nil)
		}
		return nil
	})
}

// folderNames returns the names of folders.
func folderNames(fs []imapclient.Folder) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// awkwardFolderNames are names that must survive every folder command.
var awkwardFolderNames = []string{
	"amp & sand",
	"&-already escaped",
	"Caf&AOk- looks encoded",
	"with  two spaces",
	`quote "d"`,
	`back\slash`,
	`both \"mixed\"`,
	"Café",
	"emoji 😀 here",
	"日本語",
	"brackets [x] (y) {z}",
	"percent% star*",
	"NIL",
	"tilde ~ plus + comma,",
	"child/grand child",
}

// TestServerFolderRoundTrip takes awkward names through create, exists,
// list, status, select, unselect, rename and delete, with folder encoding
// on (UTF-8 names) and off (names given already encoded, returned
// untouched).
func TestServerFolderRoundTrip(t *testing.T) {
	for _, encode := range []bool{true, false} {
		name := "encoding on"
		if !encode {
			name = "encoding off"
		}
		t.Run(name, func(t *testing.T) {
			c, s := serverLoggedIn(t)
			ctx := ctxT(t)
			base := folderBase(t, c, "RoundTrip Ünï")
			c.SetFolderEncode(encode)
			for _, n := range awkwardFolderNames {
				utf := base + "/" + n // the name in UTF-8
				full := utf           // the name as the client takes it
				if !encode {
					full = mutf7.Encode(utf)
				}
				t.Run(n, func(t *testing.T) {
					if strings.ContainsAny(n, refusedNameChars(s)) {
						// Quirk (TestCyrusQuirkMailboxNames): refused by the
						// server, and the client says so and goes on.
						var se *imapclient.ServerError
						if err := c.CreateFolder(ctx, full); !errors.As(err, &se) || !errors.Is(err, imap.ErrNo) {
							t.Fatalf("CreateFolder of a name %s refuses: %v", s.Name, err)
						}
						return
					}
					folderRoundTrip(t, c, ctx, utf, full)
				})
			}
		})
	}
}

func folderRoundTrip(t *testing.T, c *imapclient.Client, ctx context.Context, utf, full string) {
	if err := c.CreateFolder(ctx, full); err != nil {
		t.Fatalf("CreateFolder: %v", err)
	}
	if ok, err := c.FolderExists(ctx, full); err != nil || !ok {
		t.Fatalf("FolderExists after create = %v, %v", ok, err)
	}
	fs, err := c.ListFolders(ctx, "", full)
	if err != nil || len(fs) != 1 || fs[0].Name != full || fs[0].Delim != '/' {
		t.Fatalf("ListFolders(%q) = %+v, %v", full, fs, err)
	}
	seed(t, c, utf, nil, testMessage("a@example.org", "b@example.org", "round trip", "body"))
	st, err := c.FolderStatus(ctx, full)
	if err != nil || st.Messages != 1 || st.Unseen != 1 || st.UIDNext != 2 || st.UIDValidity == 0 || st.Name != full {
		t.Fatalf("FolderStatus = %+v, %v", st, err)
	}
	res, err := c.SelectFolder(ctx, full, false)
	if err != nil || res.Exists != 1 || res.ReadOnly {
		t.Fatalf("SelectFolder = %+v, %v", res, err)
	}
	if sel, ro, ok := c.SelectedFolder(); sel != full || ro || !ok {
		t.Fatalf("SelectedFolder = %q %v %v", sel, ro, ok)
	}
	if err := c.UnselectFolder(ctx); err != nil {
		t.Fatalf("UnselectFolder: %v", err)
	}
	renamed := full + " renamed"
	if err := c.RenameFolder(ctx, full, renamed); err != nil {
		t.Fatalf("RenameFolder: %v", err)
	}
	if ok, err := c.FolderExists(ctx, full); err != nil || ok {
		t.Fatalf("FolderExists(old) after rename = %v, %v", ok, err)
	}
	if st, err := c.FolderStatus(ctx, renamed, "MESSAGES"); err != nil || st.Messages != 1 {
		t.Fatalf("FolderStatus(renamed) = %+v, %v", st, err)
	}
	if err := c.DeleteFolder(ctx, renamed); err != nil {
		t.Fatalf("DeleteFolder: %v", err)
	}
	if ok, err := c.FolderExists(ctx, renamed); err != nil || ok {
		t.Fatalf("FolderExists after delete = %v, %v", ok, err)
	}
}

// TestServerFolderEncodingOffRaw creates a folder whose raw name is
// already modified UTF-7 with encoding off and lists it back raw, then
// decoded with encoding on; and the other way round.
func TestServerFolderEncodingOffRaw(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	base := folderBase(t, c, "RawNames")
	wireBase := mutf7.Encode(base)

	c.SetFolderEncode(false)
	if err := c.CreateFolder(ctx, wireBase+"/Caf&AOk-"); err != nil {
		t.Fatal(err)
	}
	fs, err := c.ListFolders(ctx, wireBase+"/", "*")
	if err != nil || !slices.Equal(folderNames(fs), []string{wireBase + "/Caf&AOk-"}) {
		t.Fatalf("raw ListFolders = %q, %v", folderNames(fs), err)
	}
	c.SetFolderEncode(true)
	fs, err = c.ListFolders(ctx, base+"/", "*")
	if err != nil || !slices.Equal(folderNames(fs), []string{base + "/Café"}) {
		t.Fatalf("decoded ListFolders = %q, %v", folderNames(fs), err)
	}

	// Encoding on, a name that merely looks encoded is escaped on the way out.
	if err := c.CreateFolder(ctx, base+"/Caf&AOk-"); err != nil {
		t.Fatal(err)
	}
	fs, err = c.ListFolders(ctx, base+"/", "*")
	got := folderNames(fs)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{base + "/Caf&AOk-", base + "/Café"}) {
		t.Fatalf("ListFolders = %q, %v", got, err)
	}
	c.SetFolderEncode(false)
	fs, err = c.ListFolders(ctx, wireBase+"/", "*")
	got = folderNames(fs)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{wireBase + "/Caf&-AOk-", wireBase + "/Caf&AOk-"}) {
		t.Fatalf("raw ListFolders = %q, %v", got, err)
	}
}

func TestServerListFolders(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	base := folderBase(t, c, "List")
	for _, n := range []string{"a", "a/b", "a/b/c", "d"} {
		if err := c.CreateFolder(ctx, base+"/"+n); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.ListFolders(ctx, "", "*")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]imapclient.Folder{}
	for _, f := range all {
		byName[f.Name] = f
	}
	if f, ok := byName["INBOX"]; !ok || f.Delim != '/' {
		t.Fatalf("no INBOX in %q", folderNames(all))
	}
	if f := byName["Sent"]; !f.HasAttr(imap.SpecialUseSent) && !f.HasAttr(`\HasNoChildren`) {
		t.Errorf("Sent attributes %v", f.Attrs)
	}
	if f := byName[base+"/a"]; !f.HasAttr(imap.AttrHasChildren) || !f.Selectable() {
		t.Errorf("%s/a attributes %v", base, f.Attrs)
	}
	top, err := c.ListFolders(ctx, base+"/", "%")
	if got := folderNames(top); err != nil || !slices.Equal(sorted(got), []string{base + "/a", base + "/d"}) {
		t.Fatalf("ListFolders %%: %q, %v", got, err)
	}
	deep, err := c.ListFolders(ctx, base+"/a/", "*")
	if got := folderNames(deep); err != nil || !slices.Equal(sorted(got), []string{base + "/a/b", base + "/a/b/c"}) {
		t.Fatalf("ListFolders a/*: %q, %v", got, err)
	}
	none, err := c.ListFolders(ctx, "", base+"/nothing*")
	if err != nil || len(none) != 0 {
		t.Fatalf("ListFolders of nothing = %+v, %v", none, err)
	}
	// FolderExists does not treat wildcards as wildcards.
	if ok, err := c.FolderExists(ctx, base+"/%"); err != nil || ok {
		t.Fatalf("FolderExists(%%) = %v, %v", ok, err)
	}
	if ok, err := c.FolderExists(ctx, "inbox"); err != nil || !ok {
		t.Fatalf("FolderExists(inbox) = %v, %v", ok, err)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

func TestServerListSubFoldersSubscribe(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	base := folderBase(t, c, "Subscribed ✓")
	name := base + "/sub & scribed"
	if err := c.CreateFolder(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := c.SubscribeFolder(ctx, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.UnsubscribeFolder(context.Background(), name) })
	subs, err := c.ListSubFolders(ctx, "", base+"/*")
	if err != nil || !slices.Equal(folderNames(subs), []string{name}) {
		t.Fatalf("ListSubFolders = %q, %v", folderNames(subs), err)
	}
	all, err := c.ListSubFolders(ctx, "", "*")
	if err != nil || !slices.Contains(folderNames(all), "Sent") { // auto = subscribe
		t.Fatalf("ListSubFolders(*) = %q, %v", folderNames(all), err)
	}
	if err := c.UnsubscribeFolder(ctx, name); err != nil {
		t.Fatal(err)
	}
	subs, err = c.ListSubFolders(ctx, "", base+"/*")
	if err != nil || len(subs) != 0 {
		t.Fatalf("ListSubFolders after unsubscribe = %q, %v", folderNames(subs), err)
	}
}

func TestServerXListFoldersNeedsCapability(t *testing.T) {
	c, _ := serverLoggedIn(t)
	fs, err := c.XListFolders(ctxT(t), "", "*")
	if ok, _ := c.HasCapability(ctxT(t), "XLIST"); ok {
		// Cyrus still offers Gmail's XLIST.
		sent := false
		for _, f := range fs {
			sent = sent || f.Name == "Sent" && f.HasAttr(imap.SpecialUseSent)
		}
		if err != nil || !sent {
			t.Fatalf("XListFolders = %+v, %v", fs, err)
		}
		return
	}
	var ce *imapclient.CapabilityError
	if !errors.As(err, &ce) || ce.Capability != "XLIST" {
		t.Fatalf("XListFolders = %v", err)
	}
	if _, err := c.Noop(ctxT(t)); err != nil { // still usable
		t.Fatal(err)
	}
}

func TestServerFolderMethodsNeedLogin(t *testing.T) {
	_, d := serverLoggedIn(t)
	unauth := dialTLS(t, d, nil)
	var se *imapclient.IllegalStateError
	if _, err := unauth.ListFolders(ctxT(t), "", "*"); !errors.As(err, &se) {
		t.Fatalf("ListFolders before login: %v", err)
	}
	if _, err := unauth.SelectFolder(ctxT(t), "INBOX", false); !errors.As(err, &se) {
		t.Fatalf("SelectFolder before login: %v", err)
	}
	if err := unauth.CreateFolder(ctxT(t), "x"); !errors.As(err, &se) {
		t.Fatalf("CreateFolder before login: %v", err)
	}
}

func TestServerFindSpecialFolder(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	for use, want := range map[imap.SpecialUse]string{
		imap.SpecialUseSent:    "Sent",
		imap.SpecialUseTrash:   "Trash",
		imap.SpecialUseJunk:    "Junk",
		imap.SpecialUseArchive: "Archive",
		imap.SpecialUseDrafts:  "Drafts",
		`\sent`:                "Sent",
		imap.SpecialUseAll:     "",
		imap.SpecialUseFlagged: "",
	} {
		got, err := c.FindSpecialFolder(ctx, use)
		if err != nil || got != want {
			t.Errorf("FindSpecialFolder(%s) = %q, %v; want %q", use, got, err, want)
		}
	}
	// With encoding off the names come back raw (all ASCII here).
	c.SetFolderEncode(false)
	if got, err := c.FindSpecialFolder(ctx, imap.SpecialUseTrash); err != nil || got != "Trash" {
		t.Errorf("FindSpecialFolder(Trash), encoding off = %q, %v", got, err)
	}
}

func TestServerFolderStatus(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	name := tempFolder(t, c, "Status é")
	msg := testMessage("a@example.org", "b@example.org", "status", "hello")
	seed(t, c, name, []string{imap.FlagSeen}, msg)
	seed(t, c, name, nil, msg, msg)
	st, err := c.FolderStatus(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 3 || st.Unseen != 2 || st.UIDNext != 4 || st.UIDValidity == 0 || len(st.Items) != 5 || !st.Has("recent") {
		t.Fatalf("FolderStatus = %+v", st)
	}
	st, err = c.FolderStatus(ctx, name, "messages", "HIGHESTMODSEQ")
	if err != nil || st.Messages != 3 || st.HighestModSeq == 0 || len(st.Items) != 2 {
		t.Fatalf("FolderStatus(HIGHESTMODSEQ) = %+v, %v", st, err)
	}
	if ok, _ := c.HasCapability(ctx, "STATUS=SIZE"); ok {
		st, err = c.FolderStatus(ctx, name, "SIZE")
		if err != nil || st.Size < uint64(3*len(msg)) {
			t.Fatalf("FolderStatus(SIZE) = %+v, %v", st, err)
		}
	}
	_, err = c.FolderStatus(ctx, name+" missing")
	if !errors.Is(err, imap.ErrNo) {
		t.Fatalf("FolderStatus of a missing folder: %v", err)
	}
	c.SetFolderEncode(false)
	st, err = c.FolderStatus(ctx, mutf7.Encode(name), "UNSEEN")
	if err != nil || st.Unseen != 2 {
		t.Fatalf("FolderStatus, encoding off = %+v, %v", st, err)
	}
}

func TestServerSelectFolder(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	name := tempFolder(t, c, "Select ü")
	msg := testMessage("a@example.org", "b@example.org", "select", "hello")
	seed(t, c, name, []string{imap.FlagSeen}, msg)
	seed(t, c, name, nil, msg)

	// EXAMINE: read-only, and the client knows it.
	res, err := c.SelectFolder(ctx, name, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.ReadOnly || res.Exists != 2 || res.UIDNext != 3 || res.UIDValidity == 0 || res.Unseen != 2 || len(res.Flags) == 0 {
		t.Fatalf("EXAMINE = %+v", res)
	}
	if sel, ro, ok := c.SelectedFolder(); sel != name || !ro || !ok {
		t.Fatalf("SelectedFolder after EXAMINE = %q %v %v", sel, ro, ok)
	}
	// SELECT: writable, with PERMANENTFLAGS.
	res, err = c.SelectFolder(ctx, name, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ReadOnly || res.Exists != 2 || !slices.Contains(res.PermanentFlags, `\*`) || !slices.Contains(res.Flags, imap.FlagSeen) {
		t.Fatalf("SELECT = %+v", res)
	}
	if _, ro, _ := c.SelectedFolder(); ro {
		t.Fatal("SelectedFolder reports read-only after SELECT")
	}
	uidValidity := res.UIDValidity

	// With CONDSTORE enabled the server sends HIGHESTMODSEQ.
	if _, err := c.Enable(ctx, "CONDSTORE"); err != nil {
		t.Fatal(err)
	}
	res, err = c.SelectFolder(ctx, name, false)
	if err != nil || res.HighestModSeq == 0 || res.UIDValidity != uidValidity {
		t.Fatalf("SELECT with CONDSTORE = %+v, %v", res, err)
	}

	// A failed SELECT leaves nothing selected.
	if _, err := c.SelectFolder(ctx, name+" missing", false); !errors.Is(err, imap.ErrNo) {
		t.Fatalf("SELECT of a missing folder: %v", err)
	}
	if _, _, ok := c.SelectedFolder(); ok || c.State() != "authenticated" {
		t.Fatalf("after a failed SELECT: selected %v, state %s", ok, c.State())
	}
}

func TestServerUnselectAndCloseFolder(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	var se *imapclient.IllegalStateError
	if err := c.UnselectFolder(ctx); !errors.As(err, &se) {
		t.Fatalf("UnselectFolder with nothing selected: %v", err)
	}
	if err := c.CloseFolder(ctx); !errors.As(err, &se) {
		t.Fatalf("CloseFolder with nothing selected: %v", err)
	}
	name := tempFolder(t, c, "Close")
	msg := testMessage("a@example.org", "b@example.org", "close", "hello")
	seed(t, c, name, []string{imap.FlagDeleted}, msg, msg)
	seed(t, c, name, nil, msg)

	// UNSELECT keeps \Deleted messages.
	if _, err := c.SelectFolder(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if err := c.UnselectFolder(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.SelectedFolder(); ok || c.State() != "authenticated" {
		t.Fatalf("after UNSELECT: selected %v, state %s", ok, c.State())
	}
	if st, err := c.FolderStatus(ctx, name, "MESSAGES"); err != nil || st.Messages != 3 {
		t.Fatalf("after UNSELECT: %+v, %v", st, err)
	}

	// CLOSE of a read-only folder expunges nothing.
	if _, err := c.SelectFolder(ctx, name, true); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseFolder(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := c.FolderStatus(ctx, name, "MESSAGES"); err != nil || st.Messages != 3 {
		t.Fatalf("after CLOSE of EXAMINE: %+v, %v", st, err)
	}

	// CLOSE of a writable folder expunges them.
	if _, err := c.SelectFolder(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseFolder(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.SelectedFolder(); ok {
		t.Fatal("still selected after CLOSE")
	}
	if st, err := c.FolderStatus(ctx, name, "MESSAGES"); err != nil || st.Messages != 1 {
		t.Fatalf("after CLOSE: %+v, %v", st, err)
	}
}

func TestServerRenameFolderWithChildren(t *testing.T) {
	for _, encode := range []bool{true, false} {
		c, _ := serverLoggedIn(t)
		ctx := ctxT(t)
		base := folderBase(t, c, "Rename ß")
		c.SetFolderEncode(encode)
		nm := func(s string) string { // the name as the client takes it
			if encode {
				return base + "/" + s
			}
			return mutf7.Encode(base + "/" + s)
		}
		for _, n := range []string{"old", "old/child one", "old/child two", "old/child two/grand"} {
			if err := c.CreateFolder(ctx, nm(n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.RenameFolder(ctx, nm("old"), nm("new & improved")); err != nil {
			t.Fatal(err)
		}
		fs, err := c.ListFolders(ctx, nm(""), "*")
		want := []string{nm("new & improved"), nm("new & improved/child one"), nm("new & improved/child two"), nm("new & improved/child two/grand")}
		if got := sorted(folderNames(fs)); err != nil || !slices.Equal(got, want) {
			t.Fatalf("encode=%v: after rename: %q, %v", encode, got, err)
		}
		if ok, err := c.FolderExists(ctx, nm("old")); err != nil || ok {
			t.Fatalf("encode=%v: old name exists after rename: %v, %v", encode, ok, err)
		}
		// Renaming onto an existing folder is refused with the names in the error.
		err = c.RenameFolder(ctx, nm("new & improved/child one"), nm("new & improved/child two"))
		if !errors.Is(err, imap.ErrNo) || !strings.Contains(err.Error(), "child one") {
			t.Fatalf("encode=%v: rename onto an existing folder: %v", encode, err)
		}
	}
}
