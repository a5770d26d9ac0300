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

func TestCopyResultMap(t *testing.T) {
	var r CopyResult
	r.add(&imap.StatusResponse{Type: imap.StatusOK, Code: imap.CodeCopyUID, CodeArg: "38505 304,319:320 3956:3958"})
	r.add(&imap.StatusResponse{Type: imap.StatusOK, Code: imap.CodeCopyUID, CodeArg: "38505 400 3959"})
	r.add(&imap.StatusResponse{Type: imap.StatusOK, Code: imap.CodeCopyUID, CodeArg: "garbage"})
	r.add(&imap.StatusResponse{Type: imap.StatusOK, Code: imap.CodeCopyUID, CodeArg: "1 * 2"})
	r.add(&imap.StatusResponse{Type: imap.StatusOK, Code: imap.CodeAppendUID, CodeArg: "1 2"})
	r.add(nil)
	want := map[uint32]uint32{304: 3956, 319: 3957, 320: 3958, 400: 3959}
	if r.UIDValidity != 38505 || !reflect.DeepEqual(r.Map(), want) {
		t.Fatalf("CopyResult %+v, Map %v", r, r.Map())
	}
	if (&CopyResult{}).Map() != nil || (*CopyResult)(nil).Map() != nil {
		t.Fatal("Map of an empty result is not nil")
	}
	bad := CopyResult{SourceUIDs: imap.MustParseNumSet("1:3"), DestUIDs: imap.MustParseNumSet("5")}
	if bad.Map() != nil {
		t.Fatal("Map of sets of different sizes is not nil")
	}
}

func TestCopyMoveScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1 UIDPLUS MOVE",
		C(`A2 UID COPY 1:3,7 "Sent Items"`),
		S(`A2 OK [COPYUID 38505 1:3,7 100:103] Copy completed.`),
		C(`A3 UID MOVE 4 Caf&AOk-`),
		S(`* OK [COPYUID 38505 4 200] Moved UIDs.`),
		S(`* 2 EXPUNGE`),
		S(`A3 OK Move completed.`),
		C(`A4 MOVE 2 Trash`), // sequence numbers: IMAPClient crashes here
		S(`* OK [COPYUID 38505 9 201] Moved UIDs.`),
		S(`* 2 EXPUNGE`),
		S(`A4 OK Move completed.`),
		C(`A5 COPY 1 Missing`),
		S(`A5 NO [TRYCREATE] Mailbox doesn't exist: Missing`),
	)
	ctx := flCtx(t)
	res, err := c.Copy(ctx, IDs{1, 2, 3, 7}, "Sent Items")
	if err != nil || res.UIDValidity != 38505 || !reflect.DeepEqual(res.Map(), map[uint32]uint32{1: 100, 2: 101, 3: 102, 7: 103}) {
		t.Fatalf("Copy = %+v, %v", res, err)
	}
	res, err = c.Move(ctx, ID(4), "Café")
	if err != nil || !reflect.DeepEqual(res.Map(), map[uint32]uint32{4: 200}) {
		t.Fatalf("Move = %+v, %v", res, err)
	}
	c.SetUseUID(false)
	res, err = c.Move(ctx, ID(2), "Trash")
	if err != nil || !reflect.DeepEqual(res.Map(), map[uint32]uint32{9: 201}) {
		t.Fatalf("Move(seq) = %+v, %v", res, err)
	}
	_, err = c.Copy(ctx, ID(1), "Missing")
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != imap.CodeTryCreate {
		t.Fatalf("Copy to a missing folder: %v", err)
	}
}

// Without MOVE: resolve to UIDs, COPY, and only after its OK STORE and UID
// EXPUNGE exactly the messages copied.
func TestMoveFallbackScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1 UIDPLUS",
		C(`A2 UID FETCH 4:8 (UID)`),
		S(`* 1 FETCH (UID 4)`),
		S(`* 3 FETCH (UID 6)`),
		S(`* 2 FETCH (UID 5 FLAGS (\Seen))`),
		S(`* 9 FETCH (FLAGS (\Seen))`), // unsolicited, no UID
		S(`A2 OK Fetch completed.`),
		C(`A3 UID COPY 4:6 Trash`),
		S(`A3 OK [COPYUID 9 4,6 10:11] Copy completed.`), // 5 vanished meanwhile
		C(`A4 UID STORE 4,6 +FLAGS.SILENT (\Deleted)`),
		S(`A4 OK Store completed.`),
		C(`A5 UID EXPUNGE 4,6`),
		S(`* 3 EXPUNGE`),
		S(`* 1 EXPUNGE`),
		S(`A5 OK Expunge completed.`),
		// Sequence numbers: resolved with FETCH first.
		C(`A6 FETCH 1:2 (UID)`),
		S(`* 1 FETCH (UID 10)`),
		S(`* 5 FETCH (FLAGS (\Seen))`), // another message: not ours
		S(`* 2 FETCH (UID 12)`),
		S(`A6 OK Fetch completed.`),
		C(`A7 UID COPY 10,12 Archive`),
		S(`A7 OK Copy completed.`), // no COPYUID: the resolved UIDs are used
		C(`A8 UID STORE 10,12 +FLAGS.SILENT (\Deleted)`),
		S(`A8 OK Store completed.`),
		C(`A9 UID EXPUNGE 10,12`),
		S(`A9 OK Expunge completed.`),
		// The COPY fails: nothing is flagged, nothing expunged.
		C(`A10 FETCH 1 (UID)`),
		S(`* 1 FETCH (UID 10)`),
		S(`A10 OK Fetch completed.`),
		C(`A11 UID COPY 10 Missing`),
		S(`A11 NO [TRYCREATE] Mailbox doesn't exist: Missing`),
		// Nothing matches: nothing is copied.
		C(`A12 FETCH 7 (UID)`),
		S(`A12 OK Fetch completed.`),
		// The STORE fails after the copy.
		C(`A13 FETCH 1 (UID)`),
		S(`* 1 FETCH (UID 10)`),
		S(`A13 OK Fetch completed.`),
		C(`A14 UID COPY 10 Trash`),
		S(`A14 OK [COPYUID 9 10 20] Copy completed.`),
		C(`A15 UID STORE 10 +FLAGS.SILENT (\Deleted)`),
		S(`A15 NO Flags could not be changed`),
	)
	ctx := flCtx(t)
	res, err := c.Move(ctx, SetString("4:8"), "Trash")
	if err != nil || !reflect.DeepEqual(res.Map(), map[uint32]uint32{4: 10, 6: 11}) {
		t.Fatalf("Move fallback = %+v, %v", res, err)
	}
	c.SetUseUID(false)
	res, err = c.Move(ctx, SetString("1:2"), "Archive")
	if err != nil || res.Map() != nil {
		t.Fatalf("Move fallback (seq) = %+v, %v", res, err)
	}
	_, err = c.Move(ctx, ID(1), "Missing")
	var se *ServerError
	var mie *MoveIncompleteError
	if !errors.As(err, &se) || errors.As(err, &mie) {
		t.Fatalf("Move fallback with a failing COPY: %v", err)
	}
	res, err = c.Move(ctx, ID(7), "Trash")
	if err != nil || res.Map() != nil {
		t.Fatalf("Move of nothing = %+v, %v", res, err)
	}
	_, err = c.Move(ctx, ID(1), "Trash")
	if !errors.As(err, &mie) || mie.Flagged || mie.UIDs.String() != "10" || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("Move fallback with a failing STORE: %v", err)
	}
}

// Without MOVE and UIDPLUS: copy, flag, and report; never a plain EXPUNGE.
func TestMoveFallbackNoUIDPlusScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1",
		C(`A2 UID FETCH 3,5 (UID)`),
		S(`* 2 FETCH (UID 3)`),
		S(`* 4 FETCH (UID 5)`),
		S(`A2 OK Fetch completed.`),
		C(`A3 UID COPY 3,5 Trash`),
		S(`A3 OK Copy completed.`),
		C(`A4 UID STORE 3,5 +FLAGS.SILENT (\Deleted)`),
		S(`A4 OK Store completed.`),
	)
	_, err := c.Move(flCtx(t), IDs{3, 5}, "Trash")
	var mie *MoveIncompleteError
	if !errors.As(err, &mie) || !mie.Flagged || mie.UIDs.String() != "3,5" || mie.Folder != "Trash" || !flIsCapErr(err, "UIDPLUS") {
		t.Fatalf("Move without UIDPLUS: %v", err)
	}
	if !strings.Contains(err.Error(), "not expunged") {
		t.Fatalf("error text: %v", err)
	}
}

// The test hook: capabilities hidden from this client only.
func TestMoveFallbackHook(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1 UIDPLUS MOVE",
		C(`A2 UID FETCH 3 (UID)`),
		S(`* 2 FETCH (UID 3)`),
		S(`A2 OK Fetch completed.`),
		C(`A3 UID COPY 3 Trash`),
		S(`A3 OK [COPYUID 1 3 4] Copy completed.`),
		C(`A4 UID STORE 3 +FLAGS.SILENT (\Deleted)`),
		S(`A4 OK Store completed.`),
	)
	DisableCapsForTest(t, c, "move", "UIDPLUS")
	if _, err := c.Move(flCtx(t), ID(3), "Trash"); !flIsCapErr(err, "UIDPLUS") {
		t.Fatalf("Move with MOVE and UIDPLUS hidden: %v", err)
	}
}

func TestCopyMoveRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1 MOVE UIDPLUS")
	ctx := flCtx(t)
	var ise *IllegalStateError
	if _, err := c.Copy(ctx, ID(1), "x"); !errors.As(err, &ise) {
		t.Errorf("Copy with no folder selected: %v", err)
	}
	if _, err := c.Move(ctx, ID(1), "x"); !errors.As(err, &ise) {
		t.Errorf("Move with no folder selected: %v", err)
	}
	c = flSelected(t, "IMAP4rev1 MOVE UIDPLUS")
	c.sel.set("INBOX", true, 1)
	if _, err := c.Move(ctx, ID(1), "x"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Move in a read-only folder: %v", err)
	}
	if _, err := c.Copy(ctx, nil, "x"); err == nil {
		t.Error("Copy(nil) succeeded")
	}
}

// A long set of sequence numbers for MOVE is resolved to UIDs first: the
// numbers would shift between the commands as MOVE expunges.
func TestMoveLongSequenceSet(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var ids IDs
	for i := uint32(1); i <= 3000; i++ {
		ids = append(ids, 2*i)
	}
	parts := imap.NumSetOf(ids...).Split(maxSetLen)
	var script []fakeserver.Step
	var uids []uint32
	for i, p := range parts {
		tag := fmt.Sprintf("A%d", i+2)
		nums, _ := p.Nums(1 << 20)
		uids = append(uids, nums[0]+10000)
		script = append(script,
			C(tag+" FETCH "+p.String()+" (UID)"),
			S(fmt.Sprintf("* %d FETCH (UID %d)", nums[0], nums[0]+10000)),
			S(tag+" OK done"))
	}
	set := imap.NumSetOf(uids...).String()
	tag := fmt.Sprintf("A%d", len(parts)+2)
	script = append(script, C(tag+" UID MOVE "+set+" Trash"), S(tag+" OK [COPYUID 5 "+set+" 1:"+fmt.Sprint(len(uids))+"] done"))
	c := flSelected(t, "IMAP4rev1 MOVE UIDPLUS", script...)
	c.SetUseUID(false)
	res, err := c.Move(flCtx(t), ids, "Trash")
	if err != nil || len(res.Map()) != len(uids) {
		t.Fatalf("Move = %+v, %v", res, err)
	}
}
