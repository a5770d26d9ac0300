package imapclient

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// APPEND on the wire: flags, date, synchronising literal (the client waits
// for "+"), mUTF-7 folder name, APPENDUID parsed from the tagged OK.
func TestAppendScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	msg := "Subject: hi\r\n\r\nhello\r\n"
	c := flClient(t, "IMAP4rev1 UIDPLUS",
		C(`A1 APPEND Entw&APw-rfe (\Seen $Label1) "07-Feb-1994 21:52:25 -0800" {22}`),
		fakeserver.Quiet(50*time.Millisecond), // nothing before the go-ahead
		S(`+ Ready for literal data`),
		fakeserver.CBytes(msg),
		C(``),
		S(`A1 OK [APPENDUID 38505 3955] APPEND completed`),
		C(`A2 APPEND INBOX {5}`),
		S(`+ go`),
		fakeserver.CBytes("hello"),
		C(``),
		S(`A2 OK APPEND completed`),
		C(`A3 APPEND Missing {1}`),
		S(`A3 NO [TRYCREATE] Mailbox doesn't exist: Missing`),
	)
	ctx := flCtx(t)
	date := time.Date(1994, 2, 7, 21, 52, 25, 0, time.FixedZone("", -8*3600))
	res, err := c.Append(ctx, "Entwürfe", []byte(msg), []string{`\seen`, "$Label1"}, date)
	if err != nil || *res != (AppendResult{UIDValidity: 38505, UID: 3955}) {
		t.Fatalf("Append = %+v, %v", res, err)
	}
	res, err = c.AppendReader(ctx, "INBOX", strings.NewReader("hello"), 5, nil, time.Time{})
	if err != nil || *res != (AppendResult{}) {
		t.Fatalf("AppendReader without APPENDUID = %+v, %v", res, err)
	}
	_, err = c.Append(ctx, "Missing", []byte("x"), nil, time.Time{})
	var se *ServerError
	if !errors.As(err, &se) || se.Response.Code != imap.CodeTryCreate || !errors.Is(err, imap.ErrNo) {
		t.Fatalf("Append to a missing folder: %v", err)
	}
}

// With LITERAL+ the literals are non-synchronising; MULTIAPPEND sends all
// messages in one command and parses the UID set.
func TestMultiAppendScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := flClient(t, "IMAP4rev1 UIDPLUS MULTIAPPEND LITERAL+",
		C(`A1 APPEND INBOX (\Seen) {3+}`),
		fakeserver.CBytes("one"),
		C(` "01-Jan-2024 10:00:00 +0100" {3+}`),
		fakeserver.CBytes("two"),
		C(` (\Flagged \Draft) {5+}`),
		fakeserver.CBytes("three"),
		C(``),
		S(`A1 OK [APPENDUID 38505 3955:3957] Append completed.`),
		C(`A2 APPEND INBOX {1+}`),
		fakeserver.CBytes("a"),
		C(` {1+}`),
		fakeserver.CBytes("b"),
		C(``),
		S(`A2 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)`),
		C(`A3 APPEND "a b" {1+}`),
		fakeserver.CBytes("x"),
		C(``),
		S(`A3 OK [APPENDUID 7 12] done`),
	)
	ctx := flCtx(t)
	msgs := []AppendMessage{
		{Msg: []byte("one"), Flags: []string{Seen}},
		{Reader: strings.NewReader("two"), Size: 3, Date: time.Date(2024, 1, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))},
		{Msg: []byte("three"), Flags: []string{Flagged, Draft}},
	}
	res, err := c.MultiAppend(ctx, "INBOX", msgs)
	want := &MultiAppendResult{UIDValidity: 38505, UIDSet: imap.MustParseNumSet("3955:3957"), UIDs: []uint32{3955, 3956, 3957}}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("MultiAppend = %+v, %v", res, err)
	}
	_, err = c.MultiAppend(ctx, "INBOX", []AppendMessage{{Msg: []byte("a")}, {Msg: []byte("b")}})
	if !errors.Is(err, imap.ErrNo) {
		t.Fatalf("MultiAppend answered NO: %v", err)
	}
	r1, err := c.Append(ctx, "a b", []byte("x"), nil, time.Time{})
	if err != nil || r1.UID != 12 || r1.UIDValidity != 7 {
		t.Fatalf("Append = %+v, %v", r1, err)
	}
}

// Refusals before anything is sent.
func TestAppendRefused(t *testing.T) {
	c := flClient(t, "IMAP4rev1 UIDPLUS")
	ctx := flCtx(t)
	if _, err := c.Append(ctx, "INBOX", []byte("x"), []string{Recent}, time.Time{}); !flIsInvalid(err) {
		t.Errorf("Append with Recent: %v", err)
	}
	if _, err := c.Append(ctx, "INBOX", []byte("x"), []string{"bad\r\nflag"}, time.Time{}); !flIsInvalid(err) {
		t.Errorf("Append with CRLF in a keyword: %v", err)
	}
	if _, err := c.AppendReader(ctx, "INBOX", strings.NewReader(""), -1, nil, time.Time{}); !flIsInvalid(err) {
		t.Errorf("AppendReader with a negative size: %v", err)
	}
	if _, err := c.MultiAppend(ctx, "INBOX", nil); !flIsInvalid(err) {
		t.Errorf("MultiAppend(nil): %v", err)
	}
	if _, err := c.MultiAppend(ctx, "INBOX", []AppendMessage{{Msg: []byte("a"), Reader: strings.NewReader("a"), Size: 1}}); !flIsInvalid(err) {
		t.Errorf("MultiAppend with Msg and Reader: %v", err)
	}
	if _, err := c.MultiAppend(ctx, "INBOX", []AppendMessage{{Msg: []byte("a")}, {Msg: []byte("b")}}); !flIsCapErr(err, "MULTIAPPEND") {
		t.Errorf("MultiAppend without MULTIAPPEND: %v", err)
	}
}
