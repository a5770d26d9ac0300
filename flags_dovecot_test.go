package imapclient_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// Helpers for the Dovecot tests of flags, append, copy/move, expunge, ACL
// and quota (prefixed fl to stay apart from other files' helpers).

// flAppendN appends n small messages with Append and returns their UIDs.
func flAppendN(t *testing.T, c *imapclient.Client, folder string, n int, flags []string) []uint32 {
	t.Helper()
	var uids []uint32
	for i := 0; i < n; i++ {
		msg := testMessage("a@example.org", "b@example.org", fmt.Sprintf("message %d", i+1), "body")
		res, err := c.Append(ctxT(t), folder, []byte(msg), flags, time.Time{})
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if res.UID == 0 {
			t.Fatalf("Append gave no APPENDUID: %+v", res)
		}
		uids = append(uids, res.UID)
	}
	return uids
}

// flSelect selects folder with SelectFolder.
func flSelect(t *testing.T, c *imapclient.Client, folder string, readOnly bool) *imapclient.SelectResult {
	t.Helper()
	res, err := c.SelectFolder(ctxT(t), folder, readOnly)
	if err != nil {
		t.Fatalf("SelectFolder(%q, %v): %v", folder, readOnly, err)
	}
	return res
}

// flStatus asks STATUS with a raw command, independently of the client's
// methods.
func flStatus(t *testing.T, c *imapclient.Client, folder string) map[string]uint64 {
	t.Helper()
	var items map[string]uint64
	err := c.Do(ctxT(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctxT(t), "STATUS", func(e *imapwire.Encoder) {
			e.SP().AString(mutf7.Encode(folder)).SP().Raw("(MESSAGES UIDNEXT UIDVALIDITY)")
		}, func(r *imapwire.Response) (bool, error) {
			if sd, ok := r.Data.(*imapwire.StatusData); ok {
				items = sd.Items
				return true, nil
			}
			return false, nil
		})
		return err
	})
	if err != nil || items == nil {
		t.Fatalf("STATUS %q: %v", folder, err)
	}
	return items
}

// flRawFetch runs a raw UID FETCH of one item and returns it per UID.
func flRawFetch(t *testing.T, c *imapclient.Client, set, item string) map[uint32]imapwire.FetchItem {
	t.Helper()
	out := map[uint32]imapwire.FetchItem{}
	err := c.Do(ctxT(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctxT(t), "UID FETCH", func(e *imapwire.Encoder) {
			e.SP().Raw(set).SP().Raw("(" + item + ")")
		}, func(r *imapwire.Response) (bool, error) {
			if r.Name != "FETCH" {
				return false, nil
			}
			items, err := r.ReadAllFetchItems()
			var uid uint32
			var got imapwire.FetchItem
			for _, it := range items {
				if it.Name == "UID" {
					uid = uint32(it.Num)
				} else {
					got = it
				}
			}
			out[uid] = got
			return true, err
		})
		return err
	})
	if err != nil {
		t.Fatalf("UID FETCH %s (%s): %v", set, item, err)
	}
	return out
}

// flNoRecent drops Recent, which the server sets on its own.
func flNoRecent(flags []string) []string {
	return slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return f == imapclient.Recent })
}

func flSame(got, want []string) bool {
	got, want = slices.Sorted(slices.Values(flNoRecent(got))), slices.Sorted(slices.Values(want))
	return slices.Equal(got, want)
}

func TestServerFlagsWithUIDs(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "flags uid ☃")
	uids := flAppendN(t, c, folder, 5, nil)
	flSelect(t, c, folder, false)

	got, err := c.AddFlags(ctx, imapclient.IDs{uids[0], uids[2]}, []string{`\SEEN`, "Foo", "$Label1"}, false)
	if err != nil || len(got) != 2 || !flSame(got[uids[0]], []string{imapclient.Seen, "Foo", "$Label1"}) || !flSame(got[uids[2]], []string{imapclient.Seen, "Foo", "$Label1"}) {
		t.Fatalf("AddFlags = %v, %v", got, err)
	}
	got, err = c.RemoveFlags(ctx, imapclient.ID(uids[0]), []string{"foo"}, false) // keywords: any case
	if err != nil || !flSame(got[uids[0]], []string{imapclient.Seen, "$Label1"}) {
		t.Fatalf("RemoveFlags = %v, %v", got, err)
	}
	got, err = c.SetFlags(ctx, imapclient.ID(uids[2]), nil, false)
	if err != nil || len(got) != 1 || !flSame(got[uids[2]], nil) {
		t.Fatalf("SetFlags(nil) = %v, %v", got, err)
	}
	got, err = c.SetFlags(ctx, imapclient.SetString(fmt.Sprintf("%d:%d", uids[3], uids[4])), []string{imapclient.Answered, imapclient.Draft}, true)
	if err != nil || got != nil {
		t.Fatalf("silent SetFlags = %v, %v", got, err)
	}
	got, err = c.DeleteMessages(ctx, imapclient.ID(uids[1]), false)
	if err != nil || !flSame(got[uids[1]], []string{imapclient.Deleted}) {
		t.Fatalf("DeleteMessages = %v, %v", got, err)
	}
	all, err := c.GetFlags(ctx, imapclient.All)
	if err != nil || len(all) != 5 {
		t.Fatalf("GetFlags(All) = %v, %v", all, err)
	}
	want := map[uint32][]string{
		uids[0]: {imapclient.Seen, "$Label1"},
		uids[1]: {imapclient.Deleted},
		uids[2]: nil,
		uids[3]: {imapclient.Answered, imapclient.Draft},
		uids[4]: {imapclient.Answered, imapclient.Draft},
	}
	for uid, w := range want {
		if !flSame(all[uid], w) {
			t.Errorf("flags of UID %d = %v, want %v", uid, all[uid], w)
		}
	}
	// Refused before sending, the connection stays fine.
	if _, err := c.AddFlags(ctx, imapclient.ID(uids[0]), []string{imapclient.Recent}, false); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Fatalf("AddFlags(Recent): %v", err)
	}
	if _, err := c.AddFlags(ctx, imapclient.ID(uids[0]), []string{"x\r\nA1 EXPUNGE"}, false); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Fatalf("AddFlags(CRLF): %v", err)
	}
	if got, err := c.GetFlags(ctx, imapclient.ID(uids[1])); err != nil || !flSame(got[uids[1]], []string{imapclient.Deleted}) {
		t.Fatalf("GetFlags after refusals = %v, %v", got, err)
	}
	// Gmail labels: Dovecot has no X-GM-EXT-1.
	var ce *imapclient.CapabilityError
	if _, err := c.GetGmailLabels(ctx, imapclient.All); !errors.As(err, &ce) || ce.Capability != "X-GM-EXT-1" {
		t.Fatalf("GetGmailLabels on Dovecot: %v", err)
	}
	if _, err := c.AddGmailLabels(ctx, imapclient.All, []string{"x"}, false); !errors.As(err, &ce) {
		t.Fatalf("AddGmailLabels on Dovecot: %v", err)
	}
}

func TestServerFlagsWithSequenceNumbers(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "flags seq")
	flAppendN(t, c, folder, 5, []string{imapclient.Seen})
	flSelect(t, c, folder, false)
	c.SetUseUID(false)

	got, err := c.AddFlags(ctx, imapclient.IDs{2, 4}, []string{imapclient.Flagged, "Work"}, false)
	if err != nil || len(got) != 2 || !flSame(got[2], []string{imapclient.Seen, imapclient.Flagged, "Work"}) || !flSame(got[4], []string{imapclient.Seen, imapclient.Flagged, "Work"}) {
		t.Fatalf("AddFlags(seq) = %v, %v", got, err)
	}
	got, err = c.RemoveFlags(ctx, imapclient.SetString("1-3"), []string{imapclient.Seen}, false)
	if err != nil || len(got) != 3 || !flSame(got[1], nil) || !flSame(got[2], []string{imapclient.Flagged, "Work"}) {
		t.Fatalf("RemoveFlags(seq) = %v, %v", got, err)
	}
	got, err = c.SetFlags(ctx, imapclient.ID(5), []string{"Only"}, false)
	if err != nil || !flSame(got[5], []string{"Only"}) {
		t.Fatalf("SetFlags(seq) = %v, %v", got, err)
	}
	all, err := c.GetFlags(ctx, imapclient.SetString("1:*"))
	if err != nil || len(all) != 5 || !flSame(all[4], []string{imapclient.Seen, imapclient.Flagged, "Work"}) || !flSame(all[3], nil) {
		t.Fatalf("GetFlags(seq) = %v, %v", all, err)
	}
	if _, err := c.DeleteMessages(ctx, imapclient.ID(3), true); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetFlags(ctx, imapclient.ID(3)); err != nil || !flSame(got[3], []string{imapclient.Deleted}) {
		t.Fatalf("GetFlags after DeleteMessages = %v, %v", got, err)
	}
}

// A folder opened with EXAMINE refuses STORE: client-side once
// SelectFolder recorded it read-only (ErrReadOnly, nothing sent), and by
// the server when the client does not know (a raw EXAMINE).
func TestServerReadOnlyRefusesStore(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "read only")
	uids := flAppendN(t, c, folder, 2, nil)

	res := flSelect(t, c, folder, true)
	if !res.ReadOnly {
		t.Fatalf("EXAMINE result not read-only: %+v", res)
	}
	if _, err := c.AddFlags(ctx, imapclient.ID(uids[0]), []string{imapclient.Seen}, false); !errors.Is(err, imapclient.ErrReadOnly) {
		t.Fatalf("AddFlags after EXAMINE: %v", err)
	}
	if _, err := c.DeleteMessages(ctx, imapclient.All, true); !errors.Is(err, imapclient.ErrReadOnly) {
		t.Fatalf("DeleteMessages after EXAMINE: %v", err)
	}
	if _, err := c.Expunge(ctx); !errors.Is(err, imapclient.ErrReadOnly) {
		t.Fatalf("Expunge after EXAMINE: %v", err)
	}
	if _, err := c.Move(ctx, imapclient.All, "INBOX"); !errors.Is(err, imapclient.ErrReadOnly) {
		t.Fatalf("Move after EXAMINE: %v", err)
	}
	// Reading works.
	if got, err := c.GetFlags(ctx, imapclient.All); err != nil || len(got) != 2 {
		t.Fatalf("GetFlags after EXAMINE = %v, %v", got, err)
	}

	// When the client does not know (a raw EXAMINE behind its back),
	// Dovecot 2.3 answers OK to STORE and silently changes nothing: which
	// is why the client refuses on its own.
	flSelect(t, c, folder, false)
	raw(t, c, "EXAMINE", func(e *imapwire.Encoder) { e.SP().AString(mutf7.Encode(folder)) })
	got, err := c.AddFlags(ctx, imapclient.ID(uids[0]), []string{imapclient.Seen}, false)
	var se *imapclient.ServerError
	if err != nil && !errors.As(err, &se) {
		t.Fatalf("STORE in a folder the server opened read-only: %v", err)
	}
	if len(got[uids[0]]) > 0 && slices.Contains(got[uids[0]], imapclient.Seen) {
		t.Fatalf("STORE in a read-only folder reported %v", got)
	}
	after, err := c.GetFlags(ctx, imapclient.ID(uids[0]))
	if err != nil || slices.Contains(after[uids[0]], imapclient.Seen) {
		t.Fatalf("flags after STORE in a read-only folder = %v, %v", after, err)
	}
}
