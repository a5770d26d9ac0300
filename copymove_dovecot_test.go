package imapclient_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/mutf7"
)

// flUIDs returns the UIDs in the selected folder.
func flUIDs(t *testing.T, c *imapclient.Client) []uint32 {
	t.Helper()
	use := c.UseUID()
	c.SetUseUID(true)
	defer c.SetUseUID(use)
	flags, err := c.GetFlags(ctxT(t), imapclient.All)
	if err != nil {
		t.Fatalf("GetFlags: %v", err)
	}
	return slices.Sorted(maps.Keys(flags))
}

// flCheckMap checks that a COPYUID map covers exactly src.
func flCheckMap(t *testing.T, what string, res *imapclient.CopyResult, src ...uint32) map[uint32]uint32 {
	t.Helper()
	m := res.Map()
	if res.UIDValidity == 0 || len(m) != len(src) {
		t.Fatalf("%s: result %+v, map %v; want sources %v", what, res, m, src)
	}
	for _, s := range src {
		if m[s] == 0 {
			t.Fatalf("%s: map %v lacks %d", what, m, s)
		}
	}
	return m
}

func TestServerCopyAndMove(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	src := tempFolder(t, c, "copy src")
	dst := tempFolder(t, c, "copy dst é")
	uids := flAppendN(t, c, src, 5, nil)
	dstValidity := uint32(flStatus(t, c, dst)["UIDVALIDITY"])
	flSelect(t, c, src, false)

	res, err := c.Copy(ctx, imapclient.IDs{uids[0], uids[1]}, dst)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Copy", res, uids[0], uids[1])
	if res.UIDValidity != dstValidity {
		t.Fatalf("COPYUID validity %d, destination's %d", res.UIDValidity, dstValidity)
	}
	res, err = c.Move(ctx, imapclient.ID(uids[2]), dst)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Move", res, uids[2])
	if got := flUIDs(t, c); !slices.Equal(got, []uint32{uids[0], uids[1], uids[3], uids[4]}) {
		t.Fatalf("source after Move: %v", got)
	}
	// Sequence numbers (IMAPClient crashes here): message 3 is uids[3].
	c.SetUseUID(false)
	res, err = c.Move(ctx, imapclient.ID(3), dst)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Move(seq)", res, uids[3])
	res, err = c.Copy(ctx, imapclient.SetString("1:2"), dst)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Copy(seq)", res, uids[0], uids[1])
	c.SetUseUID(true)
	if st := flStatus(t, c, dst); st["MESSAGES"] != 6 {
		t.Fatalf("destination holds %d messages, want 6", st["MESSAGES"])
	}
	// Folder encoding off: the name as it is on the wire.
	c.SetFolderEncode(false)
	res, err = c.Copy(ctx, imapclient.ID(uids[4]), mutf7.Encode(dst))
	c.SetFolderEncode(true)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Copy(raw name)", res, uids[4])
	// The server's refusal.
	_, err = c.Copy(ctx, imapclient.ID(uids[0]), "no such folder "+dst)
	var se *imapclient.ServerError
	if !errors.As(err, &se) || se.Response.Code != "TRYCREATE" {
		t.Fatalf("Copy to a missing folder: %v", err)
	}
}

// Move without MOVE (hidden by the test hook): COPY, STORE and UID
// EXPUNGE of exactly the messages moved. An unrelated message already
// flagged Deleted survives, which a plain EXPUNGE would have removed.
func TestServerMoveFallback(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	imapclient.DisableCapsForTest(t, c, "MOVE")
	src := tempFolder(t, c, "fallback src")
	dst := tempFolder(t, c, "fallback dst")
	keep := flAppendN(t, c, src, 1, []string{imapclient.Deleted})[0] // unrelated, flagged
	uids := flAppendN(t, c, src, 4, nil)
	flSelect(t, c, src, false)

	res, err := c.Move(ctx, imapclient.IDs{uids[0], uids[1]}, dst)
	if err != nil {
		t.Fatal(err)
	}
	moved := flCheckMap(t, "Move fallback", res, uids[0], uids[1])
	if got := flUIDs(t, c); !slices.Equal(got, []uint32{keep, uids[2], uids[3]}) {
		t.Fatalf("source after the fallback: %v, want %v", got, []uint32{keep, uids[2], uids[3]})
	}
	flags, err := c.GetFlags(ctx, imapclient.ID(keep))
	if err != nil || !flSame(flags[keep], []string{imapclient.Deleted}) {
		t.Fatalf("the unrelated message's flags: %v, %v", flags, err)
	}
	// Sequence numbers: message 2 is uids[2].
	c.SetUseUID(false)
	res, err = c.Move(ctx, imapclient.ID(2), dst)
	c.SetUseUID(true)
	if err != nil {
		t.Fatal(err)
	}
	flCheckMap(t, "Move fallback (seq)", res, uids[2])
	if got := flUIDs(t, c); !slices.Equal(got, []uint32{keep, uids[3]}) {
		t.Fatalf("source after the sequence-number fallback: %v", got)
	}
	// The copies arrived without Deleted.
	flSelect(t, c, dst, true)
	dflags, err := c.GetFlags(ctx, imapclient.All)
	if err != nil || len(dflags) != 3 || !flSame(dflags[moved[uids[0]]], nil) {
		t.Fatalf("destination flags: %v, %v", dflags, err)
	}
}

// Without MOVE and UIDPLUS: the messages are copied and flagged, the
// typed error says so, and nothing is expunged.
func TestServerMoveFallbackWithoutUIDPlus(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	imapclient.DisableCapsForTest(t, c, "MOVE", "UIDPLUS")
	src := tempFolder(t, c, "no uidplus src")
	dst := tempFolder(t, c, "no uidplus dst")
	keep := flAppendN(t, c, src, 1, []string{imapclient.Deleted})[0]
	uids := flAppendN(t, c, src, 2, nil)
	flSelect(t, c, src, false)

	_, err := c.Move(ctx, imapclient.ID(uids[0]), dst)
	var mie *imapclient.MoveIncompleteError
	var ce *imapclient.CapabilityError
	if !errors.As(err, &mie) || !mie.Flagged || mie.UIDs.String() != fmt.Sprint(uids[0]) || mie.Folder != dst || !errors.As(err, &ce) || ce.Capability != "UIDPLUS" {
		t.Fatalf("Move without UIDPLUS: %v", err)
	}
	t.Logf("error: %v", err)
	if got := flUIDs(t, c); !slices.Equal(got, []uint32{keep, uids[0], uids[1]}) {
		t.Fatalf("source after the incomplete move: %v (something was expunged)", got)
	}
	flags, err := c.GetFlags(ctx, imapclient.All)
	if err != nil || !flSame(flags[uids[0]], []string{imapclient.Deleted}) || !flSame(flags[uids[1]], nil) || !flSame(flags[keep], []string{imapclient.Deleted}) {
		t.Fatalf("source flags: %v, %v", flags, err)
	}
	if st := flStatus(t, c, dst); st["MESSAGES"] != 1 {
		t.Fatalf("destination holds %d messages, want 1", st["MESSAGES"])
	}
	// UIDExpunge needs UIDPLUS too.
	if _, err := c.UIDExpunge(ctx, imapclient.ID(uids[0])); !errors.As(err, &ce) {
		t.Fatalf("UIDExpunge without UIDPLUS: %v", err)
	}
}

func TestServerExpunge(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "expunge")
	uids := flAppendN(t, c, folder, 6, nil)
	flSelect(t, c, folder, false)

	if _, err := c.DeleteMessages(ctx, imapclient.IDs{uids[1], uids[2]}, true); err != nil {
		t.Fatal(err)
	}
	got, err := c.Expunge(ctx)
	if err != nil || len(got) != 2 || got[0] < 2 || got[0] > 3 || got[1] < 2 || got[1] > 3 {
		t.Fatalf("Expunge = %v, %v", got, err)
	}
	if left := flUIDs(t, c); !slices.Equal(left, []uint32{uids[0], uids[3], uids[4], uids[5]}) {
		t.Fatalf("after Expunge: %v", left)
	}
	// UID EXPUNGE removes only the messages named.
	if _, err := c.DeleteMessages(ctx, imapclient.IDs{uids[0], uids[4]}, true); err != nil {
		t.Fatal(err)
	}
	got, err = c.UIDExpunge(ctx, imapclient.ID(uids[4]))
	if err != nil || !slices.Equal(got, []uint32{3}) {
		t.Fatalf("UIDExpunge = %v, %v", got, err)
	}
	if left := flUIDs(t, c); !slices.Equal(left, []uint32{uids[0], uids[3], uids[5]}) {
		t.Fatalf("after UIDExpunge: %v", left)
	}
	// Sequence numbers: message 1 is uids[0], flagged Deleted.
	c.SetUseUID(false)
	got, err = c.UIDExpunge(ctx, imapclient.IDs{1, 2})
	c.SetUseUID(true)
	if err != nil || !slices.Equal(got, []uint32{1}) {
		t.Fatalf("UIDExpunge(seq) = %v, %v", got, err)
	}
	if left := flUIDs(t, c); !slices.Equal(left, []uint32{uids[3], uids[5]}) {
		t.Fatalf("after UIDExpunge(seq): %v", left)
	}
	if got, err := c.Expunge(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Expunge of nothing = %v, %v", got, err)
	}
}
