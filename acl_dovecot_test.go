package imapclient_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

// flACL returns the rights of who in the ACL, and whether it is listed.
func flACL(acl []imapclient.ACLEntry, who string) (string, bool) {
	for _, e := range acl {
		if e.Identifier == who {
			return e.Rights, true
		}
	}
	return "", false
}

func flHasRights(rights, want string) bool {
	for _, r := range want {
		if !strings.ContainsRune(rights, r) {
			return false
		}
	}
	return true
}

func TestServerACL(t *testing.T) {
	c, s := serverLoggedIn(t)
	testrig.RequireFeature(t, s, "acl")
	ctx := ctxT(t)
	folder := tempFolder(t, c, "acl é")

	acl, err := c.GetACL(ctx, folder)
	if err != nil || len(acl) == 0 {
		t.Fatalf("GetACL = %+v, %v", acl, err)
	}
	t.Logf("ACL of a new folder: %+v", acl)
	owner, ok := flACL(acl, "owner")
	if !ok {
		owner, ok = flACL(acl, testrig.Alice.Name)
	}
	if !ok || !flHasRights(owner, "lrswipkxtea") {
		t.Fatalf("owner rights for alice on her folder: %+v", acl)
	}
	if my, err := c.MyRights(ctx, folder); err != nil || !flHasRights(my, "lrswipkxtea") {
		t.Fatalf("MyRights = %q, %v", my, err)
	}

	// Grant bob rights and read them back; add and remove with +/-.
	if err := c.SetACL(ctx, folder, testrig.Bob.Name, "lr"); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, folder)
	if bob, ok := flACL(acl, testrig.Bob.Name); err != nil || !ok || bob != "lr" {
		t.Fatalf("GetACL after SetACL(bob, lr) = %+v, %v", acl, err)
	}
	if err := c.SetACL(ctx, folder, testrig.Bob.Name, "+wi"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetACL(ctx, folder, testrig.Bob.Name, "-r"); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, folder)
	if bob, ok := flACL(acl, testrig.Bob.Name); err != nil || !ok || !flHasRights(bob, "lwi") || strings.Contains(bob, "r") {
		t.Fatalf("GetACL after +wi -r = %+v, %v", acl, err)
	}
	// Empty rights (sent as ""): bob keeps nothing.
	if err := c.SetACL(ctx, folder, testrig.Bob.Name, ""); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, folder)
	if bob, _ := flACL(acl, testrig.Bob.Name); err != nil || bob != "" {
		t.Fatalf("GetACL after SetACL(bob, \"\") = %+v, %v", acl, err)
	}
	t.Logf("ACL after empty rights for bob: %+v", acl)
	if err := c.SetACL(ctx, folder, testrig.Bob.Name, "l"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteACL(ctx, folder, testrig.Bob.Name); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, folder)
	if _, ok := flACL(acl, testrig.Bob.Name); err != nil || ok {
		t.Fatalf("GetACL after DeleteACL = %+v, %v", acl, err)
	}

	// The server's refusal: a folder that does not exist.
	_, err = c.GetACL(ctx, "no such folder "+folder)
	var se *imapclient.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("GetACL of a missing folder: %v", err)
	}
}

func TestServerQuota(t *testing.T) {
	c, s := serverLoggedIn(t)
	testrig.RequireFeature(t, s, "quota")
	ctx := ctxT(t)
	if ok, err := c.HasCapability(ctx, "QUOTA"); err != nil || !ok {
		t.Skipf("the rig runs without the quota plugin (DOVECOT_RIG_QUOTA=0): %v", err)
	}
	qr, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil || qr.Folder != "INBOX" || len(qr.Roots) != 1 || len(qr.Quotas) == 0 {
		t.Fatalf("GetQuotaRoot(INBOX) = %+v, %v", qr, err)
	}
	t.Logf("GetQuotaRoot(INBOX) = %+v", qr)
	var storage *imapclient.Quota
	for i, q := range qr.Quotas {
		if q.Resource == "STORAGE" {
			storage = &qr.Quotas[i]
		}
	}
	if storage == nil || storage.Limit != 1<<20 || storage.Root != qr.Roots[0] || storage.Usage < 0 {
		t.Fatalf("STORAGE quota %+v, want a limit of 1 GiB (1048576 KiB)", storage)
	}
	var se *imapclient.ServerError
	if s.Target == testrig.TargetCyrus {
		// Quirk: Cyrus refuses GETQUOTA to users, even on their own
		// root (TestCyrusQuirkGetQuotaRefused); GETQUOTAROOT works.
		if _, err := c.GetQuotaForRoot(ctx, qr.Roots[0]); !errors.As(err, &se) {
			t.Fatalf("GetQuotaForRoot on Cyrus: %v", err)
		}
	} else {
		quotas, err := c.GetQuotaForRoot(ctx, qr.Roots[0])
		if err != nil || len(quotas) != len(qr.Quotas) || quotas[0].Root != qr.Roots[0] {
			t.Fatalf("GetQuotaForRoot(%q) = %+v, %v", qr.Roots[0], quotas, err)
		}
		quotas, err = c.GetQuota(ctx, "")
		if err != nil || len(quotas) != len(qr.Quotas) {
			t.Fatalf("GetQuota(INBOX) = %+v, %v", quotas, err)
		}
	}
	folder := tempFolder(t, c, "quota ☃")
	qr2, err := c.GetQuotaRoot(ctx, folder)
	if err != nil || qr2.Folder != folder || len(qr2.Roots) != 1 {
		t.Fatalf("GetQuotaRoot(%q) = %+v, %v", folder, qr2, err)
	}
	// Users may not change their quota.
	_, err = c.SetQuota(ctx, qr.Roots[0], map[string]int64{"STORAGE": 1})
	if !errors.As(err, &se) {
		t.Fatalf("SetQuota as a user: %v", err)
	}
	t.Logf("SetQuota: %v", err)
	if _, err := c.GetQuotaForRoot(ctx, "no such root"); !errors.As(err, &se) {
		t.Fatalf("GetQuotaForRoot of a missing root: %v", err)
	}
}
