package imapclient

import (
	"errors"
	"reflect"
	"testing"

	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestExpungeScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flSelected(t, "IMAP4rev1 UIDPLUS",
		C(`A2 EXPUNGE`),
		S(`* 3 EXPUNGE`),
		S(`* 3 EXPUNGE`),
		S(`* 5 EXISTS`),
		S(`A2 OK Expunge completed.`),
		C(`A3 UID EXPUNGE 3:5,9`),
		S(`* 2 EXPUNGE`),
		S(`A3 OK Expunge completed.`),
		C(`A4 FETCH 2,4 (UID)`),
		S(`* 2 FETCH (UID 20)`),
		S(`* 4 FETCH (UID 40)`),
		S(`A4 OK Fetch completed.`),
		C(`A5 UID EXPUNGE 20,40`),
		S(`* 4 EXPUNGE`),
		S(`* 2 EXPUNGE`),
		S(`A5 OK Expunge completed.`),
		C(`A6 EXPUNGE`),
		S(`A6 OK Expunge completed.`),
	)
	ctx := flCtx(t)
	got, err := c.Expunge(ctx)
	if err != nil || !reflect.DeepEqual(got, []uint32{3, 3}) {
		t.Fatalf("Expunge = %v, %v", got, err)
	}
	got, err = c.UIDExpunge(ctx, SetString("3:5,9"))
	if err != nil || !reflect.DeepEqual(got, []uint32{2}) {
		t.Fatalf("UIDExpunge = %v, %v", got, err)
	}
	c.SetUseUID(false)
	got, err = c.UIDExpunge(ctx, IDs{2, 4})
	if err != nil || !reflect.DeepEqual(got, []uint32{4, 2}) {
		t.Fatalf("UIDExpunge(seq) = %v, %v", got, err)
	}
	got, err = c.Expunge(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("Expunge of nothing = %v, %v", got, err)
	}
}

func TestExpungeRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1")
	ctx := flCtx(t)
	var ise *IllegalStateError
	if _, err := c.Expunge(ctx); !errors.As(err, &ise) {
		t.Errorf("Expunge with no folder selected: %v", err)
	}
	c = flSelected(t, "IMAP4rev1")
	if _, err := c.UIDExpunge(ctx, ID(1)); !flIsCapErr(err, "UIDPLUS") {
		t.Errorf("UIDExpunge without UIDPLUS: %v", err)
	}
	c.sel.set("INBOX", true, 1)
	if _, err := c.Expunge(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Expunge in a read-only folder: %v", err)
	}
}
