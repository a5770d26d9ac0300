package imapclient

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestFlagConstants(t *testing.T) {
	pairs := [][2]string{{Seen, `\Seen`}, {Answered, `\Answered`}, {Flagged, `\Flagged`}, {Deleted, `\Deleted`}, {Draft, `\Draft`}, {Recent, `\Recent`},
		{SpecialAll, `\All`}, {SpecialArchive, `\Archive`}, {SpecialDrafts, `\Drafts`}, {SpecialFlagged, `\Flagged`}, {SpecialJunk, `\Junk`}, {SpecialSent, `\Sent`}, {SpecialTrash, `\Trash`}}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("constant %q, want %q", p[0], p[1])
		}
	}
}

func TestCheckFlags(t *testing.T) {
	got, err := checkFlags("STORE", []string{`\SEEN`, "foo", `\deleted`, "Bar", "foo", `\Seen`, "$Forwarded"}, false)
	want := []string{Seen, "foo", Deleted, "Bar", "$Forwarded"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("checkFlags = %q, %v; want %q", got, err, want)
	}
	if got, err := checkFlags("STORE", nil, true); err != nil || len(got) != 0 {
		t.Fatalf("checkFlags(nil, allowEmpty) = %q, %v", got, err)
	}
	for _, bad := range [][]string{
		nil, {}, {`\Recent`}, {`\recent`}, {`\*`}, {`\Foo`}, {`\`}, {""}, {"a b"}, {"a\r\nb"}, {"x\r\nA2 DELETE INBOX"},
		{"ünï"}, {"a(b"}, {"a)"}, {"a{3}"}, {"a%"}, {"a*"}, {`a"b`}, {`a\b`}, {"a]"}, {"nul\x00"}, {"tab\t"},
	} {
		if _, err := checkFlags("STORE", bad, false); !flIsInvalid(err) {
			t.Errorf("checkFlags(%q) = %v, want an invalid-argument error", bad, err)
		}
	}
	_, err = checkFlags("STORE", []string{Recent}, true)
	if err == nil || !strings.Contains(err.Error(), `\Recent`) || !strings.Contains(err.Error(), "server") {
		t.Errorf("Recent: %v", err)
	}
}

// The STORE commands on the wire and the results built from the FETCH
// responses, in UID and sequence-number mode.
func TestStoreFlagsScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1 UIDPLUS",
		C(`A2 UID STORE 1:3,7 +FLAGS (\Seen foo Bar)`),
		S(`* 1 FETCH (UID 1 FLAGS (\Seen foo Bar \Recent))`),
		S(`* 2 FETCH (FLAGS (\seen foo Bar) UID 2)`),
		S(`* 9 FETCH (FLAGS (\Deleted))`),     // unsolicited: no UID
		S(`* 4 FETCH (UID 99 FLAGS (\Seen))`), // unsolicited: UID outside the set
		S(`* 3 FETCH (UID 7 FLAGS (\Seen foo Bar) MODSEQ (12))`),
		S(`A2 OK Store completed`),
		C(`A3 UID STORE 5 -FLAGS.SILENT (\Deleted)`),
		S(`A3 OK Store completed`),
		C(`A4 UID STORE 5 FLAGS ()`),
		S(`* 4 FETCH (FLAGS () UID 5)`),
		S(`A4 OK Store completed`),
		C(`A5 UID STORE 2:* +FLAGS.SILENT (\Deleted)`),
		S(`A5 OK Store completed`),
		C(`A6 UID FETCH 1:* (FLAGS)`),
		S(`* 1 FETCH (UID 1 FLAGS (\Seen))`),
		S(`* 2 FETCH (UID 2 FLAGS ())`),
		S(`A6 OK Fetch completed`),
		// Sequence numbers.
		C(`A7 STORE 2:4 +FLAGS (\Flagged)`),
		S(`* 2 FETCH (FLAGS (\Flagged))`),
		S(`* 8 FETCH (FLAGS ())`), // another message: left for others
		S(`* 3 FETCH (FLAGS (\Flagged \SEEN))`),
		S(`A7 OK Store completed`),
		C(`A8 FETCH 1,3 (FLAGS)`),
		S(`* 1 FETCH (FLAGS (\Answered))`),
		S(`* 3 FETCH (FLAGS ($Label1))`),
		S(`A8 OK Fetch completed`),
		C(`A9 STORE 1 FLAGS (\Draft)`),
		S(`A9 NO [CANNOT] nope`),
	)
	ctx := flCtx(t)
	got, err := c.AddFlags(ctx, IDs{7, 3, 1, 2}, []string{`\SEEN`, "foo", "Bar"}, false)
	want := map[uint32][]string{1: {Seen, "foo", "Bar", Recent}, 2: {Seen, "foo", "Bar"}, 7: {Seen, "foo", "Bar"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("AddFlags = %v, %v; want %v", got, err, want)
	}
	got, err = c.RemoveFlags(ctx, ID(5), []string{Deleted}, true)
	if err != nil || got != nil {
		t.Fatalf("silent RemoveFlags = %v, %v", got, err)
	}
	got, err = c.SetFlags(ctx, ID(5), nil, false)
	if err != nil || !reflect.DeepEqual(got, map[uint32][]string{5: {}}) {
		t.Fatalf("SetFlags(nil) = %v, %v", got, err)
	}
	if got, err = c.DeleteMessages(ctx, SetString("2:*"), true); err != nil || got != nil {
		t.Fatalf("DeleteMessages = %v, %v", got, err)
	}
	got, err = c.GetFlags(ctx, All)
	if err != nil || !reflect.DeepEqual(got, map[uint32][]string{1: {Seen}, 2: {}}) {
		t.Fatalf("GetFlags = %v, %v", got, err)
	}

	c.SetUseUID(false)
	got, err = c.AddFlags(ctx, SetString("2-4"), []string{Flagged}, false)
	if err != nil || !reflect.DeepEqual(got, map[uint32][]string{2: {Flagged}, 3: {Flagged, Seen}}) {
		t.Fatalf("AddFlags(seq) = %v, %v", got, err)
	}
	got, err = c.GetFlags(ctx, IDs{3, 1})
	if err != nil || !reflect.DeepEqual(got, map[uint32][]string{1: {Answered}, 3: {"$Label1"}}) {
		t.Fatalf("GetFlags(seq) = %v, %v", got, err)
	}
	_, err = c.SetFlags(ctx, ID(1), []string{Draft}, false)
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != "CANNOT" {
		t.Fatalf("SetFlags answered NO: %v", err)
	}
}

// Invalid flags, Recent, CR/LF and missing state are refused before
// anything is sent: the script has no command for them.
func TestStoreFlagsRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1")
	ctx := flCtx(t)
	var ise *IllegalStateError
	if _, err := c.AddFlags(ctx, ID(1), []string{Seen}, false); !errors.As(err, &ise) {
		t.Fatalf("AddFlags with no folder selected: %v", err)
	}
	if _, err := c.GetFlags(ctx, ID(1)); !errors.As(err, &ise) {
		t.Fatalf("GetFlags with no folder selected: %v", err)
	}

	c = flSelected(t, "IMAP4rev1")
	for name, call := range map[string]func() error{
		"add Recent":    func() error { _, err := c.AddFlags(ctx, ID(1), []string{Seen, Recent}, false); return err },
		"remove Recent": func() error { _, err := c.RemoveFlags(ctx, ID(1), []string{`\recent`}, true); return err },
		"set Recent":    func() error { _, err := c.SetFlags(ctx, ID(1), []string{Recent}, false); return err },
		"CRLF keyword":  func() error { _, err := c.AddFlags(ctx, ID(1), []string{"ok\r\nA9 EXPUNGE"}, false); return err },
		"LF keyword":    func() error { _, err := c.SetFlags(ctx, ID(1), []string{"a\nb"}, false); return err },
		"space keyword": func() error { _, err := c.AddFlags(ctx, ID(1), []string{"two words"}, false); return err },
		"unknown \\":    func() error { _, err := c.AddFlags(ctx, ID(1), []string{`\Important`}, false); return err },
		"empty add":     func() error { _, err := c.AddFlags(ctx, ID(1), nil, false); return err },
		"empty remove":  func() error { _, err := c.RemoveFlags(ctx, ID(1), []string{}, false); return err },
	} {
		if err := call(); !flIsInvalid(err) {
			t.Errorf("%s: %v, want an invalid-argument error", name, err)
		}
	}
	for name, ms := range map[string]MessageSet{"nil": nil, "empty": IDs{}, "zero": ID(0), "bad": SetString("1:x")} {
		if _, err := c.AddFlags(ctx, ms, []string{Seen}, false); err == nil {
			t.Errorf("AddFlags(%s set) succeeded", name)
		}
	}
	// Read-only selection (as SelectFolder records it): ErrReadOnly.
	c.sel.set("INBOX", true, 1)
	if _, err := c.AddFlags(ctx, ID(1), []string{Seen}, false); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("AddFlags in a read-only folder: %v", err)
	}
	if _, err := c.DeleteMessages(ctx, ID(1), true); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("DeleteMessages in a read-only folder: %v", err)
	}
}

// A set longer than maxSetLen goes over several commands, whose results
// are merged.
func TestStoreFlagsSplit(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var ids IDs
	for i := uint32(1); i <= 3000; i++ {
		ids = append(ids, 2*i) // no ranges: 2,4,6,...
	}
	parts := imap.NumSetOf(ids...).Split(maxSetLen)
	if len(parts) < 2 {
		t.Fatalf("set not split: %d parts", len(parts))
	}
	var script []fakeserver.Step
	for i, p := range parts {
		tag := fmt.Sprintf("A%d", i+2)
		first, _ := p.Nums(1 << 20)
		script = append(script,
			C(tag+` UID STORE `+p.String()+` +FLAGS (\Seen)`),
			S(fmt.Sprintf(`* %d FETCH (UID %d FLAGS (\Seen))`, i+1, first[0])),
			S(tag+` OK done`))
	}
	c := flSelected(t, "IMAP4rev1", script...)
	got, err := c.AddFlags(flCtx(t), ids, []string{Seen}, false)
	if err != nil || len(got) != len(parts) {
		t.Fatalf("AddFlags over %d commands = %v, %v", len(parts), got, err)
	}
}
