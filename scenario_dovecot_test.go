package imapclient_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

// TestServerScenario is a whole session in the spirit of IMAPClient's
// live tests, through the public API only, once with UIDs and once with
// sequence numbers.
func TestServerScenario(t *testing.T) {
	for _, useUID := range []bool{true, false} {
		t.Run(fmt.Sprintf("uid=%v", useUID), func(t *testing.T) { scenario(t, useUID) })
	}
}

func scenario(t *testing.T, useUID bool) {
	c, s := serverLoggedIn(t, testrig.Bob)
	ctx := ctxT(t)
	c.SetUseUID(useUID)
	stamp := time.Now().UnixNano() % 1e9
	src := nameFor(s, fmt.Sprintf("Scénario & \"quotes\" \\ %d", stamp))
	dst := fmt.Sprintf("Ziel/日本語 📧 %d", stamp)
	if err := c.CreateFolder(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateFolder(ctx, dst); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.UnselectFolder(ctxT(t))
		_ = c.DeleteFolder(ctxT(t), src)
		_ = c.DeleteFolder(ctxT(t), dst)
		_ = c.DeleteFolder(ctxT(t), strings.SplitN(dst, "/", 2)[0])
	})
	folders, err := c.ListFolders(ctx, "", "*")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range folders {
		names[f.Name] = true
	}
	if !names[src] || !names[dst] {
		t.Fatalf("created folders not listed: %v", names)
	}

	// Append with flags and dates.
	when := time.Date(2024, 3, 9, 14, 15, 16, 0, time.FixedZone("", 2*3600))
	msgs := []struct {
		from, subject, body string
		flags               []string
	}{
		{"alice@example.org", "Hello world", "plain text body", nil},
		{"bob@example.org", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln", []string{imapclient.Seen}},
		{"carol@example.org", "Quarterly report", "numbers", []string{imapclient.Flagged, "$Work"}},
		{"alice@example.org", "Re: Hello world", "reply", []string{imapclient.Seen, imapclient.Answered}},
	}
	var uids []uint32
	for i, m := range msgs {
		raw := "From: " + m.from + "\r\nTo: bob@example.org\r\nSubject: " + m.subject +
			"\r\nDate: Sat, 9 Mar 2024 14:15:16 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + m.body + "\r\n"
		res, err := c.Append(ctx, src, []byte(raw), m.flags, when.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		if res.UID == 0 || res.UIDValidity == 0 {
			t.Fatalf("no APPENDUID: %+v", res)
		}
		uids = append(uids, res.UID)
	}
	sel, err := c.SelectFolder(ctx, src, false)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Exists != 4 || sel.ReadOnly {
		t.Fatalf("SelectFolder = %+v", sel)
	}
	id := func(i int) uint32 { // message i (0-based) in the current id space
		if useUID {
			return uids[i]
		}
		return uint32(i + 1)
	}

	// Search: nested, non-ASCII, flags.
	var q imapclient.Criteria
	for _, tc := range []struct {
		name     string
		criteria any
		want     []int
	}{
		{"unseen", "UNSEEN", []int{0, 2}},
		{"or nested", q.Or(q.From("carol"), q.And(q.Subject("hello"), q.Answered())), []int{2, 3}},
		{"non-ascii", q.Subject("Köln"), []int{1}},
		{"slice style", []any{"NOT", []any{"FROM", "alice"}, "KEYWORD", "$Work"}, []int{2}},
		{"body", q.Body("Grüße"), []int{1}},
	} {
		res, err := c.Search(ctx, tc.criteria, nil)
		if err != nil {
			t.Fatalf("search %s: %v", tc.name, err)
		}
		var want []uint32
		for _, i := range tc.want {
			want = append(want, id(i))
		}
		got := slices.Clone(res.IDs)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("search %s = %v, want %v", tc.name, got, want)
		}
	}

	// Fetch every common item type.
	all := imapclient.IDs{id(0), id(1), id(2), id(3)}
	got, err := c.Fetch(ctx, all, []string{"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "BODY.PEEK[TEXT]<0.5>"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("Fetch returned %d messages", len(got))
	}
	m := got[id(1)]
	if m == nil || m.Envelope == nil || m.Envelope.Subject != "Grüße aus Köln" || m.SeqNum != 2 {
		t.Fatalf("message 2: %+v", m)
	}
	if !m.InternalDate.Equal(when.Add(time.Hour)) {
		t.Errorf("INTERNALDATE %v, want %v", m.InternalDate, when.Add(time.Hour))
	}
	if m.Size == 0 || m.BodyStructure == nil || m.BodyStructure.MediaType() != "text/plain" {
		t.Errorf("size/bodystructure: %d %+v", m.Size, m.BodyStructure)
	}
	if b, ok := m.Section("BODY.PEEK[TEXT]<0.5>"); !ok || string(b) != "Grüß"[:5] {
		t.Errorf("partial TEXT = %q, %v", b, ok)
	}
	if b, ok := m.Section("BODY.PEEK[HEADER.FIELDS (SUBJECT)]"); !ok || !strings.Contains(string(b), "Subject:") {
		t.Errorf("header fields = %q, %v", b, ok)
	}
	if !slices.Contains(got[id(2)].Flags, "$Work") || !slices.Contains(got[id(2)].Flags, imapclient.Flagged) {
		t.Errorf("flags of 3: %v", got[id(2)].Flags)
	}

	// Flags.
	if _, err := c.AddFlags(ctx, imapclient.ID(id(0)), []string{imapclient.Flagged, "Foo"}, false); err != nil {
		t.Fatal(err)
	}
	fl, err := c.RemoveFlags(ctx, imapclient.ID(id(2)), []string{"$Work"}, false)
	if err != nil || slices.Contains(fl[id(2)], "$Work") {
		t.Fatalf("RemoveFlags: %v %v", fl, err)
	}
	if _, err := c.SetFlags(ctx, imapclient.ID(id(1)), []string{imapclient.Recent}, false); err == nil {
		t.Fatal("setting \\Recent accepted")
	}
	fl, err = c.GetFlags(ctx, all)
	if err != nil || !slices.Contains(fl[id(0)], "Foo") {
		t.Fatalf("GetFlags: %v %v", fl, err)
	}

	// Copy and move.
	cp, err := c.Copy(ctx, imapclient.ID(id(0)), dst)
	if err != nil || len(cp.Map()) != 1 {
		t.Fatalf("Copy: %+v %v", cp, err)
	}
	mv, err := c.Move(ctx, imapclient.ID(id(3)), dst)
	if err != nil || len(mv.Map()) != 1 {
		t.Fatalf("Move: %+v %v", mv, err)
	}
	st, err := c.FolderStatus(ctx, dst)
	if err != nil || st.Messages != 2 {
		t.Fatalf("FolderStatus(dst): %+v %v", st, err)
	}

	// Delete and expunge.
	if _, err := c.DeleteMessages(ctx, imapclient.ID(id(2)), true); err != nil {
		t.Fatal(err)
	}
	gone, err := c.Expunge(ctx)
	if err != nil || len(gone) != 1 || gone[0] != 3 {
		t.Fatalf("Expunge = %v, %v", gone, err)
	}
	sel2, err := c.SelectFolder(ctx, src, true)
	if err != nil || sel2.Exists != 2 || !sel2.ReadOnly {
		t.Fatalf("re-select: %+v %v", sel2, err)
	}
	if _, err := c.AddFlags(ctx, imapclient.ID(1), []string{imapclient.Seen}, true); !errors.Is(err, imapclient.ErrReadOnly) {
		t.Fatalf("store in EXAMINE: %v", err)
	}

	// ACL and quota, where the server has them.
	if s.Has("acl") {
		rights, err := c.MyRights(ctx, src)
		if err != nil || !strings.Contains(rights, "l") {
			t.Fatalf("MyRights = %q, %v", rights, err)
		}
	}
	if s.Has("quota") {
		qr, err := c.GetQuotaRoot(ctx, "INBOX")
		if err != nil || len(qr.Quotas) == 0 {
			t.Fatalf("GetQuotaRoot: %+v %v", qr, err)
		}
	}

	// Rename with folder encoding off: the wire names come back as sent.
	c.SetFolderEncode(false)
	list, err := c.ListFolders(ctx, "", "Ziel*")
	c.SetFolderEncode(true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range list {
		if strings.Contains(f.Name, "&") && !strings.Contains(f.Name, "日本語") {
			found = true
		}
	}
	if !found {
		t.Errorf("raw listing shows no modified UTF-7 names: %+v", list)
	}
}
