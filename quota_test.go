package imapclient

import (
	"errors"
	"reflect"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestQuotaScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flClient(t, "IMAP4rev1 QUOTA",
		// Dovecot 2.3 with quota_rule = *:storage=1G.
		C(`A1 GETQUOTAROOT INBOX`),
		S(`* QUOTAROOT INBOX "User quota"`),
		S(`* QUOTA "User quota" (STORAGE 10 1048576)`),
		S(`A1 OK Getquotaroot completed.`),
		// RFC 9208 style: two roots, several resources.
		C(`A2 GETQUOTAROOT Caf&AOk-`),
		S(`* QUOTAROOT Caf&AOk- "" shared`),
		S(`* QUOTA "" (STORAGE 10 512 MESSAGE 3 100)`),
		S(`* QUOTA shared (STORAGE 0 2048)`),
		S(`A2 OK done`),
		C(`A3 GETQUOTAROOT INBOX`),
		S(`* QUOTAROOT INBOX`), // no quota applies
		S(`A3 OK done`),
		C(`A4 GETQUOTA "User quota"`),
		S(`* QUOTA "User quota" (STORAGE 10 1048576)`),
		S(`A4 OK Getquota completed.`),
		C(`A5 SETQUOTA "" (MESSAGE 100 STORAGE 512)`),
		S(`* QUOTA "" (STORAGE 10 512 MESSAGE 3 100)`),
		S(`A5 OK Setquota completed.`),
		C(`A6 SETQUOTA "User quota" ()`),
		S(`A6 NO [NOPERM] Permission denied`),
		C(`A7 GETQUOTA x`),
		S(`* QUOTA x (STORAGE ten 1)`),
		S(`A7 OK done`),
		C(`A8 GETQUOTAROOT INBOX`),
		S(`A8 OK done`),
	)
	ctx := flCtx(t)
	qr, err := c.GetQuotaRoot(ctx, "INBOX")
	want := &QuotaRoot{Folder: "INBOX", Roots: []string{"User quota"}, Quotas: []Quota{{"User quota", "STORAGE", 10, 1048576}}}
	if err != nil || !reflect.DeepEqual(qr, want) {
		t.Fatalf("GetQuotaRoot = %+v, %v", qr, err)
	}
	qr, err = c.GetQuotaRoot(ctx, "Café")
	want = &QuotaRoot{Folder: "Café", Roots: []string{"", "shared"}, Quotas: []Quota{{"", "STORAGE", 10, 512}, {"", "MESSAGE", 3, 100}, {"shared", "STORAGE", 0, 2048}}}
	if err != nil || !reflect.DeepEqual(qr, want) {
		t.Fatalf("GetQuotaRoot = %+v, %v", qr, err)
	}
	qs, err := c.GetQuota(ctx, "")
	if err != nil || len(qs) != 0 {
		t.Fatalf("GetQuota without quota = %+v, %v", qs, err)
	}
	qs, err = c.GetQuotaForRoot(ctx, "User quota")
	if err != nil || !reflect.DeepEqual(qs, []Quota{{"User quota", "STORAGE", 10, 1048576}}) {
		t.Fatalf("GetQuotaForRoot = %+v, %v", qs, err)
	}
	qs, err = c.SetQuota(ctx, "", map[string]int64{"STORAGE": 512, "MESSAGE": 100})
	if err != nil || len(qs) != 2 {
		t.Fatalf("SetQuota = %+v, %v", qs, err)
	}
	_, err = c.SetQuota(ctx, "User quota", nil)
	var se *ServerError
	if !errors.As(err, &se) || !errors.Is(err, imap.ErrNo) || se.Response.Code != "NOPERM" {
		t.Fatalf("SetQuota answered NO: %v", err)
	}
	var pe *ProtocolError
	if _, err := c.GetQuotaForRoot(ctx, "x"); !errors.As(err, &pe) {
		t.Fatalf("GetQuotaForRoot with a malformed response: %v", err)
	}
	if _, err := c.GetQuotaRoot(ctx, "INBOX"); !errors.As(err, &pe) {
		t.Fatalf("GetQuotaRoot without QUOTAROOT: %v", err)
	}
}

func TestQuotaRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1 QUOTA")
	ctx := flCtx(t)
	if _, err := c.SetQuota(ctx, "", map[string]int64{"STORAGE": -1}); !flIsInvalid(err) {
		t.Errorf("SetQuota with a negative limit: %v", err)
	}
	if _, err := c.SetQuota(ctx, "", map[string]int64{"STOR AGE": 1}); !flIsInvalid(err) {
		t.Errorf("SetQuota with a bad resource name: %v", err)
	}
	if _, err := c.SetQuota(ctx, "", map[string]int64{"X\r\nA9 LOGOUT": 1}); !flIsInvalid(err) {
		t.Errorf("SetQuota with CRLF in a resource name: %v", err)
	}
	c = flClient(t, "IMAP4rev1")
	if _, err := c.GetQuotaRoot(ctx, "INBOX"); !flIsCapErr(err, "QUOTA") {
		t.Errorf("GetQuotaRoot without QUOTA: %v", err)
	}
	if _, err := c.GetQuota(ctx, "INBOX"); !flIsCapErr(err, "QUOTA") {
		t.Errorf("GetQuota without QUOTA: %v", err)
	}
	if _, err := c.GetQuotaForRoot(ctx, ""); !flIsCapErr(err, "QUOTA") {
		t.Errorf("GetQuotaForRoot without QUOTA: %v", err)
	}
	if _, err := c.SetQuota(ctx, "", nil); !flIsCapErr(err, "QUOTA") {
		t.Errorf("SetQuota without QUOTA: %v", err)
	}
}
