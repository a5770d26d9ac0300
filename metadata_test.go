package imapclient

import (
	"errors"
	"slices"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func mdStr(s string) *string { return &s }

func TestGetMetadataScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	var updates []Update
	c := extClient(t, &Options{OnUpdate: func(u Update) { updates = append(updates, u) }}, "IMAP4rev1 METADATA",
		C(`A1 GETMETADATA (MAXSIZE 1024 DEPTH infinity) Caf&AOk- (/private/comment /shared/vendor/x)`),
		S(`* METADATA "Caf&AOk-" (/private/comment {10}`),
		fakeserver.SRaw([]byte("two\r\nlines /private/comment/sub \"quoted \\\"q\\\"\" /shared/vendor/x NIL)\r\n")),
		S(`* METADATA INBOX /shared/comment`), // an unsolicited change notice
		S(`A1 OK [METADATA LONGENTRIES 2199] done`),
		C(`A2 GETMETADATA "" /shared/admin`),
		S(`* METADATA "" (/shared/admin ~{9}`),
		fakeserver.SRaw([]byte("bin\x00ary\xff!)\r\n")),
		S(`A2 OK done`),
	)
	ctx := flCtx(t)
	res, err := c.GetMetadata(ctx, "Café", []string{"/private/comment", "/shared/vendor/x"},
		&MetadataOptions{MaxSize: 1024, Depth: MetadataDepthInfinity})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Value("/PRIVATE/COMMENT"); !ok || v != "two\r\nlines" {
		t.Errorf("comment = %q, %v", v, ok)
	}
	if v, ok := res.Value("/private/comment/sub"); !ok || v != `quoted "q"` {
		t.Errorf("sub = %q, %v", v, ok)
	}
	if v, ok := res.Entries["/shared/vendor/x"]; !ok || v != nil {
		t.Errorf("NIL entry = %v, %v", v, ok)
	}
	if res.LongEntries != 2199 || len(res.Entries) != 3 {
		t.Errorf("result = %+v", res)
	}
	if len(updates) != 1 {
		t.Fatalf("updates = %#v", updates)
	}
	if u, ok := updates[0].(*MetadataUpdate); !ok || u.Folder != "INBOX" || !slices.Equal(u.Entries, []string{"/shared/comment"}) || u.Values != nil {
		t.Errorf("update = %#v", updates[0])
	}
	res, err = c.GetMetadata(ctx, "", []string{"/shared/admin"}, nil)
	if v, ok := res.Value("/shared/admin"); err != nil || !ok || v != "bin\x00ary\xff!" {
		t.Errorf("server entry = %q, %v, %v", v, ok, err)
	}
}

func TestSetMetadataScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	c := extClient(t, nil, "IMAP4rev1 METADATA BINARY",
		// Entries in sorted order; CR/LF and 8-bit values as literals,
		// NUL as a literal8, nil as NIL.
		C(`A1 SETMETADATA INBOX (/private/a "plain \"q\"" /private/b {6}`),
		S(`+ go`),
		fakeserver.CBytes("x\r\ny z"),
		C(` /private/c {3}`),
		S(`+ go`),
		fakeserver.CBytes("\u00e9!"),
		C(` /private/d ~{3}`),
		S(`+ go`),
		fakeserver.CBytes("a\x00b"),
		C(` /shared/e NIL)`),
		S(`A1 OK done`),
		C(`A2 SETMETADATA "" (/shared/big "x")`),
		S(`A2 NO [METADATA MAXSIZE 1024] too big`),
		C(`A3 SETMETADATA INBOX (/private/n "1")`),
		S(`A3 NO [METADATA TOOMANY] too many`),
		C(`A4 SETMETADATA INBOX (/private/n "1")`),
		S(`A4 NO [METADATA NOPRIVATE] no private`),
		C(`A5 SETMETADATA INBOX (/private/n "1")`),
		S(`A5 NO [CANNOT] other`),
	)
	ctx := flCtx(t)
	err := c.SetMetadata(ctx, "INBOX", map[string]*string{
		"/private/d": mdStr("a\x00b"), "/private/a": mdStr(`plain "q"`), "/shared/e": nil,
		"/private/b": mdStr("x\r\ny z"), "/private/c": mdStr("\u00e9!"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var me *MetadataError
	err = c.SetMetadata(ctx, "", map[string]*string{"/shared/big": mdStr("x")})
	if !errors.As(err, &me) || me.Condition != "MAXSIZE" || me.MaxSize != 1024 || !errors.Is(err, imap.ErrNo) {
		t.Errorf("MAXSIZE: %v", err)
	}
	for _, cond := range []string{"TOOMANY", "NOPRIVATE"} {
		err = c.SetMetadata(ctx, "INBOX", map[string]*string{"/private/n": mdStr("1")})
		if !errors.As(err, &me) || me.Condition != cond {
			t.Errorf("%s: %v", cond, err)
		}
	}
	err = c.SetMetadata(ctx, "INBOX", map[string]*string{"/private/n": mdStr("1")})
	if errors.As(err, &me) || !errors.Is(err, imap.ErrNo) {
		t.Errorf("CANNOT: %v", err)
	}
}

func TestMetadataChecks(t *testing.T) {
	ctx := flCtx(t)
	// METADATA-SERVER: server entries only.
	c := extClient(t, nil, "IMAP4rev1 METADATA-SERVER",
		fakeserver.C(`A1 GETMETADATA "" /shared/motd`),
		fakeserver.S(`A1 OK done`),
	)
	if res, err := c.GetMetadata(ctx, "", []string{"/shared/motd"}, nil); err != nil || len(res.Entries) != 0 {
		t.Errorf("server entry = %+v, %v", res, err)
	}
	var ce *CapabilityError
	if _, err := c.GetMetadata(ctx, "INBOX", []string{"/shared/comment"}, nil); !errors.As(err, &ce) || ce.Capability != imap.CapMetadata {
		t.Errorf("folder entry with METADATA-SERVER: %v", err)
	}
	// A value with NUL needs BINARY.
	if err := c.SetMetadata(ctx, "", map[string]*string{"/shared/x": mdStr("\x00")}); !errors.As(err, &ce) || ce.Capability != imap.CapBinary {
		t.Errorf("NUL without BINARY: %v", err)
	}
	for _, e := range []string{"comment", "/public/x", "/private/", "/private//x", "/private/a*", "/shared/%", "/shared/\u00e9", "/shared/a b", "/privatex"} {
		if err := checkEntry(e); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("checkEntry(%q) = %v", e, err)
		}
		if _, err := c.GetMetadata(ctx, "", []string{e}, nil); !errors.Is(err, imapwire.ErrInvalidArgument) {
			t.Errorf("GetMetadata(%q) = %v", e, err)
		}
	}
	for _, e := range []string{"/private", "/SHARED", "/private/comment", "/shared/vendor/x-y.z"} {
		if err := checkEntry(e); err != nil {
			t.Errorf("checkEntry(%q) = %v", e, err)
		}
	}
	if _, err := c.GetMetadata(ctx, "", nil, nil); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("no entries: %v", err)
	}
	if err := c.SetMetadata(ctx, "", nil); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Errorf("no entries: %v", err)
	}
}

func TestParseMetadata(t *testing.T) {
	for _, tc := range []struct {
		in      string
		mbox    string
		vals    map[string]*string
		names   []string
		wantErr bool
	}{
		{`INBOX (/private/a "x" /shared/b NIL)`, "INBOX", map[string]*string{"/private/a": mdStr("x"), "/shared/b": nil}, nil, false},
		{`"" (/shared/a {2}` + "\r\nab)", "", map[string]*string{"/shared/a": mdStr("ab")}, nil, false},
		{`INBOX /shared/a /private/b`, "INBOX", nil, []string{"/shared/a", "/private/b"}, false},
		{`INBOX (/private/a)`, "", nil, nil, true},
		{`INBOX`, "", nil, nil, true},
		{`(a) (/x "y")`, "", nil, nil, true},
		{`INBOX (/private/a (x))`, "", nil, nil, true},
		{`INBOX ((x) "y")`, "", nil, nil, true},
	} {
		mbox, vals, names, err := parseMetadata([]byte(tc.in))
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v", tc.in, err)
			continue
		}
		if tc.wantErr {
			continue
		}
		if mbox != tc.mbox || !slices.Equal(names, tc.names) || len(vals) != len(tc.vals) {
			t.Errorf("%q: %q %v %v", tc.in, mbox, vals, names)
		}
		for k, v := range tc.vals {
			got, ok := vals[k]
			if !ok || (v == nil) != (got == nil) || v != nil && *v != *got {
				t.Errorf("%q: %s = %v", tc.in, k, got)
			}
		}
	}
}
