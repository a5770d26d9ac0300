package imapclient_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Append with flags and a date, read back with GetFlags and a raw FETCH
// INTERNALDATE, into a folder with a non-ASCII name.
func TestServerAppendFlagsAndDate(t *testing.T) {
	c, s := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, nameFor(s, "Entwürfe & \"drafts\""))
	date := time.Date(2020, 3, 4, 5, 6, 7, 0, time.FixedZone("", 2*3600+30*60))
	msg := testMessage("a@example.org", "b@example.org", "append", "hello")
	res, err := c.Append(ctx, folder, []byte(msg), []string{`\seen`, imapclient.Flagged, "$Label1"}, date)
	if err != nil || res.UID == 0 || res.UIDValidity == 0 {
		t.Fatalf("Append = %+v, %v", res, err)
	}
	st := flStatus(t, c, folder)
	if uint32(st["UIDVALIDITY"]) != res.UIDValidity || st["MESSAGES"] != 1 {
		t.Fatalf("STATUS %v after Append %+v", st, res)
	}
	before := time.Now().Add(-time.Minute)
	res2, err := c.Append(ctx, folder, []byte(msg), nil, time.Time{})
	if err != nil || res2.UID <= res.UID {
		t.Fatalf("second Append = %+v, %v", res2, err)
	}

	flSelect(t, c, folder, false)
	flags, err := c.GetFlags(ctx, imapclient.IDs{res.UID, res2.UID})
	if err != nil || !flSame(flags[res.UID], []string{imapclient.Seen, imapclient.Flagged, "$Label1"}) || !flSame(flags[res2.UID], nil) {
		t.Fatalf("GetFlags = %v, %v", flags, err)
	}
	dates := flRawFetch(t, c, "1:*", "INTERNALDATE")
	got, err := imap.ParseDateTime(dates[res.UID].Text)
	if err != nil || !got.Equal(date) {
		t.Fatalf("INTERNALDATE %q (%v), want %v", dates[res.UID].Text, err, date)
	}
	got2, err := imap.ParseDateTime(dates[res2.UID].Text)
	if err != nil || got2.Before(before) {
		t.Fatalf("INTERNALDATE without a date %q (%v): not the server's time", dates[res2.UID].Text, err)
	}
	body := flRawFetch(t, c, fmt.Sprint(res.UID), "BODY.PEEK[]")
	if string(body[res.UID].Literal) != msg {
		t.Fatalf("message read back %q", body[res.UID].Literal)
	}

	// The server's refusal: a folder that does not exist.
	_, err = c.Append(ctx, "no such folder "+folder, []byte(msg), nil, time.Time{})
	var se *imapclient.ServerError
	if !errors.As(err, &se) || se.Response.Code != imap.CodeTryCreate {
		t.Fatalf("Append to a missing folder: %v", err)
	}
	// Client-side refusals.
	if _, err := c.Append(ctx, folder, []byte(msg), []string{imapclient.Recent}, time.Time{}); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Fatalf("Append with Recent: %v", err)
	}
	if st := flStatus(t, c, folder); st["MESSAGES"] != 2 {
		t.Fatalf("STATUS after refusals: %v", st)
	}
}

// A 2 MB message streamed from a reader (LITERAL+: no round trip).
func TestServerAppendReaderLarge(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "large")
	const size = 2 << 20
	header := "From: a@example.org\r\nSubject: large\r\n\r\n"
	line := strings.Repeat("x", 78) + "\r\n"
	n := (size - len(header)) / len(line)
	tail := strings.Repeat("y", size-len(header)-n*len(line))
	r := io.MultiReader(strings.NewReader(header), strings.NewReader(strings.Repeat(line, n)), strings.NewReader(tail))
	res, err := c.AppendReader(ctx, folder, r, size, []string{imapclient.Seen}, time.Time{})
	if err != nil || res.UID == 0 {
		t.Fatalf("AppendReader = %+v, %v", res, err)
	}
	flSelect(t, c, folder, true)
	sizes := flRawFetch(t, c, fmt.Sprint(res.UID), "RFC822.SIZE")
	if sizes[res.UID].Num != size {
		t.Fatalf("RFC822.SIZE = %d, want %d", sizes[res.UID].Num, size)
	}
	// The connection is in step after the large literal.
	if flags, err := c.GetFlags(ctx, imapclient.ID(res.UID)); err != nil || !flSame(flags[res.UID], []string{imapclient.Seen}) {
		t.Fatalf("GetFlags = %v, %v", flags, err)
	}
}

// MULTIAPPEND of 20 messages in one command; a NO is an error and adds
// nothing.
func TestServerMultiAppend(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	folder := tempFolder(t, c, "multi")
	var msgs []imapclient.AppendMessage
	for i := 0; i < 20; i++ {
		m := imapclient.AppendMessage{Msg: []byte(testMessage("a@example.org", "b@example.org", fmt.Sprintf("multi %d", i), "body"))}
		if i%2 == 0 {
			m.Flags = []string{imapclient.Seen}
		}
		if i == 5 {
			m.Reader, m.Size, m.Msg = bytes.NewReader(m.Msg), int64(len(m.Msg)), nil
			m.Date = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		}
		msgs = append(msgs, m)
	}
	res, err := c.MultiAppend(ctx, folder, msgs)
	if err != nil || len(res.UIDs) != 20 || res.UIDValidity == 0 {
		t.Fatalf("MultiAppend = %+v, %v", res, err)
	}
	for i := 1; i < 20; i++ {
		if res.UIDs[i] != res.UIDs[i-1]+1 {
			t.Fatalf("UIDs not consecutive: %v", res.UIDs)
		}
	}
	if st := flStatus(t, c, folder); st["MESSAGES"] != 20 {
		t.Fatalf("STATUS after MultiAppend: %v", st)
	}
	flSelect(t, c, folder, true)
	flags, err := c.GetFlags(ctx, imapclient.All)
	if err != nil || !flSame(flags[res.UIDs[0]], []string{imapclient.Seen}) || !flSame(flags[res.UIDs[1]], nil) {
		t.Fatalf("GetFlags = %v, %v", flags, err)
	}
	dates := flRawFetch(t, c, fmt.Sprint(res.UIDs[5]), "INTERNALDATE")
	if d, err := imap.ParseDateTime(dates[res.UIDs[5]].Text); err != nil || !d.Equal(msgs[5].Date) {
		t.Fatalf("INTERNALDATE of message 6: %q %v", dates[res.UIDs[5]].Text, err)
	}

	_, err = c.MultiAppend(ctx, "no such folder "+folder, msgs[:3])
	if !errors.Is(err, imap.ErrNo) {
		t.Fatalf("MultiAppend to a missing folder: %v", err)
	}
}
