package imapclient

import (
	"reflect"
	"testing"

	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// Gmail labels against a transcript in the form Gmail answers (its
// X-GM-EXT-1 documentation and recorded sessions): labels as atoms, quoted
// strings and modified UTF-7, system labels with a backslash, the UID
// after the labels.
func TestGmailLabelsScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	gmailCaps := "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584"
	c := flSelected(t, gmailCaps,
		C(`A2 UID FETCH 1:4 (X-GM-LABELS)`),
		S(`* 1 FETCH (X-GM-LABELS (\Inbox \Sent Important "Muy Importante") UID 1)`),
		S(`* 2 FETCH (X-GM-LABELS (foo) UID 2)`),
		S(`* 3 FETCH (X-GM-LABELS () UID 3)`),
		S(`* 4 FETCH (X-GM-LABELS (\Drafts "&AOk-t&AOk-" "Work/Caf&AOk-") UID 4)`),
		S(`A2 OK Success`),
		C(`A3 UID STORE 1 +X-GM-LABELS (foo &AOk-t&AOk- "\\Starred" "a b" "q\"uote")`),
		S(`* 1 FETCH (X-GM-LABELS (\Inbox \Sent \Starred Important "Muy Importante" foo "&AOk-t&AOk-" "a b" "q\"uote") UID 1)`),
		S(`A3 OK Success`),
		C(`A4 UID STORE 2 -X-GM-LABELS.SILENT (foo)`),
		S(`A4 OK Success`),
		C(`A5 UID STORE 3 X-GM-LABELS ()`),
		S(`* 3 FETCH (X-GM-LABELS () UID 3)`),
		S(`A5 OK Success`),
		// Folder encoding off: the label goes as it is (8-bit: a literal;
		// LITERAL- allows a non-synchronising one of this size).
		C(`A6 UID STORE 4 X-GM-LABELS ({5+}`),
		fakeserver.CBytes("été"),
		C(`)`),
		S(`* 4 FETCH (X-GM-LABELS ("&AOk-t&AOk-") UID 4)`),
		S(`A6 OK Success`),
		// Sequence numbers.
		C(`A7 FETCH 2 (X-GM-LABELS)`),
		S(`* 2 FETCH (X-GM-LABELS (bar))`),
		S(`A7 OK Success`),
	)
	ctx := flCtx(t)
	got, err := c.GetGmailLabels(ctx, SetString("1:4"))
	want := map[uint32][]string{
		1: {`\Inbox`, `\Sent`, "Important", "Muy Importante"},
		2: {"foo"},
		3: {},
		4: {`\Drafts`, "été", "Work/Café"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetGmailLabels = %v, %v\nwant %v", got, err, want)
	}
	got, err = c.AddGmailLabels(ctx, ID(1), []string{"foo", "été", `\Starred`, "a b", `q"uote`}, false)
	want = map[uint32][]string{1: {`\Inbox`, `\Sent`, `\Starred`, "Important", "Muy Importante", "foo", "été", "a b", `q"uote`}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("AddGmailLabels = %v, %v", got, err)
	}
	if got, err = c.RemoveGmailLabels(ctx, ID(2), []string{"foo"}, true); err != nil || got != nil {
		t.Fatalf("RemoveGmailLabels = %v, %v", got, err)
	}
	if got, err = c.SetGmailLabels(ctx, ID(3), nil, false); err != nil || !reflect.DeepEqual(got, map[uint32][]string{3: {}}) {
		t.Fatalf("SetGmailLabels(nil) = %v, %v", got, err)
	}
	c.SetFolderEncode(false)
	if got, err = c.SetGmailLabels(ctx, ID(4), []string{"été"}, false); err != nil || !reflect.DeepEqual(got, map[uint32][]string{4: {"&AOk-t&AOk-"}}) {
		t.Fatalf("SetGmailLabels without encoding = %v, %v", got, err)
	}
	c.SetFolderEncode(true)
	c.SetUseUID(false)
	if got, err = c.GetGmailLabels(ctx, ID(2)); err != nil || !reflect.DeepEqual(got, map[uint32][]string{2: {"bar"}}) {
		t.Fatalf("GetGmailLabels(seq) = %v, %v", got, err)
	}
	// Refused before sending.
	if _, err := c.AddGmailLabels(ctx, ID(1), nil, false); !flIsInvalid(err) {
		t.Errorf("AddGmailLabels(nil): %v", err)
	}
	if _, err := c.RemoveGmailLabels(ctx, ID(1), []string{""}, false); !flIsInvalid(err) {
		t.Errorf("RemoveGmailLabels(empty label): %v", err)
	}
}

// Without X-GM-EXT-1 (any server but Gmail) nothing is sent.
func TestGmailLabelsNeedCapability(t *testing.T) {
	c := flSelected(t, "IMAP4rev1 UIDPLUS MOVE")
	ctx := flCtx(t)
	if _, err := c.GetGmailLabels(ctx, ID(1)); !flIsCapErr(err, "X-GM-EXT-1") {
		t.Errorf("GetGmailLabels: %v", err)
	}
	if _, err := c.AddGmailLabels(ctx, ID(1), []string{"x"}, false); !flIsCapErr(err, "X-GM-EXT-1") {
		t.Errorf("AddGmailLabels: %v", err)
	}
	if _, err := c.SetGmailLabels(ctx, ID(1), nil, true); !flIsCapErr(err, "X-GM-EXT-1") {
		t.Errorf("SetGmailLabels: %v", err)
	}
}
