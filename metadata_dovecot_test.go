package imapclient_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func strp(s string) *string { return &s }

func TestDovecotMetadata(t *testing.T) {
	c, _ := loggedIn(t)
	ctx := ctxT(t)
	// Unique entry names: INBOX and the server are shared by every test.
	base := fmt.Sprintf("/vendor/imapclient-test/m%d", time.Now().UnixNano())
	priv, shared := "/private"+base, "/shared"+base
	t.Cleanup(func() {
		_ = c.SetMetadata(ctxT(t), "INBOX", map[string]*string{priv + "/a": nil, priv + "/b": nil, shared + "/a": nil})
		_ = c.SetMetadata(ctxT(t), "", map[string]*string{priv + "/server": nil})
	})

	multi := "line one\r\nline two: gr\u00fc\u00df dich"
	err := c.SetMetadata(ctx, "INBOX", map[string]*string{
		priv + "/a":   strp("hello"),
		priv + "/b":   strp(multi),
		shared + "/a": strp(`quote " and \ backslash`),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.GetMetadata(ctx, "INBOX", []string{priv + "/a", priv + "/b", shared + "/a", priv + "/missing"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Value(priv + "/a"); !ok || v != "hello" {
		t.Errorf("private a = %q, %v", v, ok)
	}
	if v, ok := res.Value(priv + "/b"); !ok || v != multi {
		t.Errorf("private b = %q, %v", v, ok)
	}
	if v, ok := res.Value(shared + "/a"); !ok || v != `quote " and \ backslash` {
		t.Errorf("shared a = %q, %v", v, ok)
	}
	if _, ok := res.Value(priv + "/missing"); ok || res.LongEntries != 0 {
		t.Errorf("missing entry = %+v", res)
	}

	// MAXSIZE leaves out the long values and reports the longest.
	res, err = c.GetMetadata(ctx, "INBOX", []string{priv + "/a", priv + "/b"}, &imapclient.MetadataOptions{MaxSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Value(priv + "/a"); !ok || v != "hello" || res.LongEntries != uint64(len(multi)) {
		t.Errorf("MAXSIZE 10: %+v (LongEntries %d)", res.Entries, res.LongEntries)
	}
	if _, ok := res.Value(priv + "/b"); ok {
		t.Errorf("MAXSIZE 10 returned the long value")
	}
	// DEPTH 1 returns the children of the entry named.
	res, err = c.GetMetadata(ctx, "INBOX", []string{priv}, &imapclient.MetadataOptions{Depth: imapclient.MetadataDepthOne})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Value(priv + "/a"); !ok {
		t.Errorf("DEPTH 1: %+v", res.Entries)
	}
	if _, ok := res.Value(priv + "/b"); !ok {
		t.Errorf("DEPTH 1: %+v", res.Entries)
	}

	// Server entries: folder "".
	if err := c.SetMetadata(ctx, "", map[string]*string{priv + "/server": strp("server value")}); err != nil {
		t.Fatal(err)
	}
	res, err = c.GetMetadata(ctx, "", []string{priv + "/server"}, nil)
	if v, ok := res.Value(priv + "/server"); err != nil || !ok || v != "server value" {
		t.Fatalf("server entry = %q, %v, %v", v, ok, err)
	}

	// Removal with nil.
	if err := c.SetMetadata(ctx, "INBOX", map[string]*string{priv + "/a": nil, shared + "/a": nil}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMetadata(ctx, "", map[string]*string{priv + "/server": nil}); err != nil {
		t.Fatal(err)
	}
	res, err = c.GetMetadata(ctx, "INBOX", []string{priv + "/a", shared + "/a", priv + "/b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Value(priv + "/a"); ok {
		t.Errorf("private a not removed: %+v", res.Entries)
	}
	if _, ok := res.Value(shared + "/a"); ok {
		t.Errorf("shared a not removed: %+v", res.Entries)
	}
	if _, ok := res.Value(priv + "/b"); !ok {
		t.Errorf("private b gone: %+v", res.Entries)
	}
	res, err = c.GetMetadata(ctx, "", []string{priv + "/server"}, nil)
	if _, ok := res.Value(priv + "/server"); err != nil || ok {
		t.Fatalf("server entry not removed: %+v, %v", res, err)
	}

	// A folder of its own, and an entry name the client refuses.
	folder := tempFolder(t, c, "Metadata ü")
	if err := c.SetMetadata(ctx, folder, map[string]*string{"/private/comment": strp("folder comment")}); err != nil {
		t.Fatal(err)
	}
	res, err = c.GetMetadata(ctx, folder, []string{"/PRIVATE/COMMENT"}, nil)
	if v, ok := res.Value("/private/comment"); err != nil || !ok || v != "folder comment" {
		t.Fatalf("folder comment = %q, %v, %v (%+v)", v, ok, err, res)
	}
	if err := c.SetMetadata(ctx, folder, map[string]*string{"/bad/entry": strp("x")}); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("invalid entry: %v", err)
	}
	// A value with NUL bytes goes as a literal8 (Dovecot has BINARY): it
	// parses it, and refuses to store it with NO [CANNOT], not BAD.
	if err := c.SetMetadata(ctx, folder, map[string]*string{"/private/nul": strp("a\x00b")}); !errors.Is(err, imap.ErrNo) {
		t.Errorf("value with NUL: %v", err)
	}
	if _, err := c.GetMetadata(ctx, folder+" missing", []string{"/private/comment"}, nil); !errors.Is(err, imap.ErrNo) {
		t.Errorf("missing folder: %v", err)
	}
}
