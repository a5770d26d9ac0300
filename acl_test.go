package imapclient

import (
	"errors"
	"reflect"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestACLScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flClient(t, "IMAP4rev1 ACL RIGHTS=texk",
		C(`A1 GETACL "My Caf&AOk-"`),
		S(`* ACL "My Caf&AOk-" owner lrwstipekxacd bob lr "$team" ""`),
		S(`A1 OK Getacl completed.`),
		C(`A2 SETACL INBOX bob +lr`),
		S(`A2 OK Setacl complete.`),
		C(`A3 SETACL INBOX "user name" ""`),
		S(`A3 OK Setacl complete.`),
		C(`A4 DELETEACL INBOX bob`),
		S(`A4 OK Deleteacl complete.`),
		C(`A5 MYRIGHTS INBOX`),
		S(`* MYRIGHTS INBOX lrwstipekxacd`),
		S(`A5 OK Myrights completed.`),
		C(`A6 SETACL Shared bob -w`),
		S(`A6 NO [NOPERM] You lack administer rights`),
		C(`A7 GETACL x`),
		S(`* ACL x bob`), // an identifier without rights
		S(`A7 OK done`),
		C(`A8 GETACL y`),
		S(`A8 OK done`), // no ACL response
	)
	ctx := flCtx(t)
	acl, err := c.GetACL(ctx, "My Café")
	want := []ACLEntry{{"owner", "lrwstipekxacd"}, {"bob", "lr"}, {"$team", ""}}
	if err != nil || !reflect.DeepEqual(acl, want) {
		t.Fatalf("GetACL = %+v, %v", acl, err)
	}
	if err := c.SetACL(ctx, "INBOX", "bob", "+lr"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetACL(ctx, "INBOX", "user name", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteACL(ctx, "INBOX", "bob"); err != nil {
		t.Fatal(err)
	}
	if r, err := c.MyRights(ctx, "INBOX"); err != nil || r != "lrwstipekxacd" {
		t.Fatalf("MyRights = %q, %v", r, err)
	}
	err = c.SetACL(ctx, "Shared", "bob", "-w")
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != "NOPERM" || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("SetACL answered NO: %v", err)
	}
	var pe *ProtocolError
	if _, err := c.GetACL(ctx, "x"); !errors.As(err, &pe) {
		t.Fatalf("GetACL with a malformed response: %v", err)
	}
	if _, err := c.GetACL(ctx, "y"); !errors.As(err, &pe) {
		t.Fatalf("GetACL without a response: %v", err)
	}
}

func TestACLRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1 ACL")
	ctx := flCtx(t)
	for _, rights := range []string{"l r", "lr\r\nA9 DELETE INBOX", "LR", "+", "++l", "l-", "é"} {
		if rights == "+" {
			continue // "+" alone adds nothing: allowed
		}
		if err := c.SetACL(ctx, "INBOX", "bob", rights); !flIsInvalid(err) {
			t.Errorf("SetACL(%q): %v", rights, err)
		}
	}
	if err := c.SetACL(ctx, "INBOX", "", "lr"); !flIsInvalid(err) {
		t.Errorf("SetACL with no identifier: %v", err)
	}
	if err := c.DeleteACL(ctx, "INBOX", ""); !flIsInvalid(err) {
		t.Errorf("DeleteACL with no identifier: %v", err)
	}
	c = flClient(t, "IMAP4rev1")
	if _, err := c.GetACL(ctx, "INBOX"); !flIsCapErr(err, "ACL") {
		t.Errorf("GetACL without ACL: %v", err)
	}
	if err := c.SetACL(ctx, "INBOX", "bob", "lr"); !flIsCapErr(err, "ACL") {
		t.Errorf("SetACL without ACL: %v", err)
	}
	if _, err := c.MyRights(ctx, "INBOX"); !flIsCapErr(err, "ACL") {
		t.Errorf("MyRights without ACL: %v", err)
	}
}
