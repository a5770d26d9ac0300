package imapclient_test

import (
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

func TestDecodeHeader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"", ""},
		// Q and B, in either case.
		{"=?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=", "Café crème"},
		{"=?utf-8?q?Caf=c3=a9?=", "Café"},
		{"=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=", "Grüße aus Köln"},
		{"=?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=", "Grüße aus Köln"},
		{"=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4?=", "Grüße aus Köln"}, // padding left out
		// Charsets.
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
		{"=?windows-1252?B?k3F1b3RlZJQggA==?=", "“quoted” €"},
		{"=?ISO-8859-1?Q?=93x=94?=", "“x”"}, // read as Windows-1252, as mailers mean it
		{"=?KOI8-R?B?8NLJ18XULCDNydI=?=", "Привет, мир"},
		{"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkT0AkMyYbKEI=?=", "こんにちは世界"},
		{"=?GB2312?B?xOO6w6OsysC95w==?=", "你好，世界"},
		{"=?iso-8859-15?q?=A4?=", "€"},
		{"=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore"}, // RFC 2231 language
		// RFC 2047 section 8's examples of whitespace handling.
		{"(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
		// A UTF-8 character split over two words survives.
		{"=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?=", "日本語"},
		// Malformed words stay as they are; good ones around them decode.
		{"=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="},
		{"=?no-such-charset?Q?abc?= and =?UTF-8?Q?=C3=A9?=", "=?no-such-charset?Q?abc?= and é"},
		{"=?UTF-8?B?!!!*?=", "=?UTF-8?B?!!!*?="},
		{"=?UTF-8?Q?abc", "=?UTF-8?Q?abc"},
		{"=??Q?abc?=", "=??Q?abc?="},
		{"a =? b ?= c", "a =? b ?= c"},
		{"=?UTF-8?Q?a=ZZb?=", "a=ZZb"}, // a stray "=" is kept
		{"=?UTF-8?B?/w==?=", "\uFFFD"}, // invalid UTF-8 is replaced
	} {
		if got := imapclient.DecodeHeader(tc.in); got != tc.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseMessageDate(t *testing.T) {
	pst := time.FixedZone("", -8*3600)
	want := time.Date(1994, 2, 7, 21, 52, 25, 0, pst)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"Mon, 7 Feb 1994 21:52:25 -0800", want},
		{"Mon, 07 Feb 1994 21:52:25 -0800", want},
		{"Monday, 7 Feb 1994 21:52:25 -0800", want},
		{"7 Feb 1994 21:52:25 -0800", want},
		{"Mon, 7 Feb 1994 21.52.25 -0800", want},
		{"Mon, 7 Feb 1994 21:52:25 -0800 (PST)", want},
		{"Mon,  7  Feb   1994  21:52:25   -0800  ", want},
		{"Mon, 7 Feb 94 21:52:25 -0800", want},
		{"Mon, 7 February 1994 21:52:25 -0800", want},
		{"mon, 7 feb 1994 21:52:25 -0800", want},
		{"Mon, 7 Feb 1994 21:52:25 PST", want},
		{"7-Feb-1994 21:52:25 -0800", want},
		{"Mon Feb 7 21:52:25 1994 -0800", want},
		{"Mon, 7 Feb 1994 21:52:25 -08:00", want},
		{"Mon, 7 Feb 1994 09:52:25 PM -0800", want},
		{"Tue, 8 Feb 1994 05:52:25", want},     // no zone: UTC
		{"Tue, 8 Feb 1994 05:52:25 GMT", want}, // named
		{"Tue, 8 Feb 1994 05:52:25 +0000 (Coordinated Universal Time)", want},
		{"Tue, 8 Feb 1994 05:52:25 -0000", want},
		{"Tue, 8 Feb 1994 05:52:25 Z", want},
		{"Tue, 8 Feb 1994 05:52 +0000", want.Add(-25 * time.Second)}, // no seconds
		{"Sat, 1 Jan 05 00:00:00 +0000", time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Sat, 1 Jan 49 00:00:00 +0000", time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Sat, 1 Jan 50 00:00:00 +0000", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Sat, 1 Jan 104 00:00:00 +0000", time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2004-01-01 00:00:00 +0000", time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", time.Date(1996, 7, 17, 9, 23, 25, 0, time.UTC)},
		{"Thu, 1 Sept 2022 10:00:00 +0530", time.Date(2022, 9, 1, 4, 30, 0, 0, time.UTC)},
	} {
		got, err := imapclient.ParseMessageDate(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseMessageDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// The zone given is kept.
	got, _ := imapclient.ParseMessageDate("Mon, 7 Feb 1994 21:52:25 -0800")
	if _, off := got.Zone(); off != -8*3600 {
		t.Errorf("zone offset %d", off)
	}
	got, _ = imapclient.ParseMessageDate("Mon, 7 Feb 1994 21:52:25 EST")
	if name, off := got.Zone(); name != "EST" || off != -5*3600 {
		t.Errorf("zone %s %d", name, off)
	}
	for _, bad := range []string{"", "garbage", "Mon, 7 1994", "Mon, 32 Feb 1994 10:00:00", "7 Foo 1994", "Mon, 7 Feb 1994 25:00:00", "(only a comment)"} {
		if got, err := imapclient.ParseMessageDate(bad); err == nil {
			t.Errorf("ParseMessageDate(%q) = %v, want an error", bad, got)
		}
	}
}

func TestDecodeEnvelope(t *testing.T) {
	if imapclient.DecodeEnvelope(nil) != nil {
		t.Error("DecodeEnvelope(nil) != nil")
	}
	raw := &imap.Envelope{
		Date:    "not a date",
		Subject: "=?UTF-8?Q?=E2=9C=93_done?=",
		From:    []imap.Address{{Name: "=?ISO-8859-1?Q?Andr=E9?=", Mailbox: "andre", Host: "example.fr"}},
		To:      []imap.Address{{Mailbox: "=?UTF-8?Q?=C3=89quipe?="}, {Mailbox: "x", Host: "y"}, {}},
	}
	e := imapclient.DecodeEnvelope(raw)
	if !e.Date.IsZero() || e.Raw.Date != "not a date" {
		t.Errorf("Date %v raw %q", e.Date, e.Raw.Date)
	}
	if e.Subject != "✓ done" || e.From[0].Name != "André" || e.From[0].Addr() != "andre@example.fr" {
		t.Errorf("decoded %+v", e)
	}
	if e.To[0].Mailbox != "Équipe" || e.To[1].Mailbox != "x" || !e.To[2].IsGroupEnd() {
		t.Errorf("group %+v", e.To)
	}
	if raw.From[0].Name != "=?ISO-8859-1?Q?Andr=E9?=" {
		t.Error("DecodeEnvelope changed the raw envelope")
	}
}

// TestDecodeEnvelopeSharing checks which decoded lists share memory: a list
// without encoded words is the raw list itself, a raw list shared with an
// earlier one stays shared once decoded, and decoding never writes into
// the raw addresses.
func TestDecodeEnvelopeSharing(t *testing.T) {
	from := []imap.Address{{Name: "=?UTF-8?Q?Z=C3=BCrich?=", Mailbox: "z", Host: "example.ch"}}
	to := []imap.Address{{Name: "Plain", Mailbox: "p", Host: "example.org"}}
	raw := &imap.Envelope{From: from, Sender: from, ReplyTo: from, To: to, Cc: []imap.Address{}}
	e := imapclient.DecodeEnvelope(raw)
	same := func(a, b []imap.Address) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
	if e.From[0].Name != "Zürich" || e.Sender[0].Name != "Zürich" || e.ReplyTo[0].Name != "Zürich" {
		t.Fatalf("decoded names %q %q %q", e.From[0].Name, e.Sender[0].Name, e.ReplyTo[0].Name)
	}
	if same(e.From, raw.From) {
		t.Error("the decoded From is the raw list")
	}
	if !same(e.Sender, e.From) || !same(e.ReplyTo, e.From) {
		t.Error("Sender and ReplyTo, shared in the raw envelope, are not shared once decoded")
	}
	if !same(e.To, raw.To) {
		t.Error("To has nothing to decode but was copied")
	}
	if e.Cc == nil || len(e.Cc) != 0 || e.Bcc != nil {
		t.Errorf("empty Cc %#v, NIL Bcc %#v", e.Cc, e.Bcc)
	}
	if raw.From[0].Name != "=?UTF-8?Q?Z=C3=BCrich?=" {
		t.Error("DecodeEnvelope changed the raw envelope")
	}
	// Group names are decoded too, in a list of their own.
	grp := []imap.Address{{Mailbox: "=?UTF-8?Q?=C3=89quipe?="}, {Mailbox: "a", Host: "b"}, {}}
	e = imapclient.DecodeEnvelope(&imap.Envelope{To: grp})
	if e.To[0].Mailbox != "Équipe" || same(e.To, grp) {
		t.Errorf("group list %+v", e.To)
	}
}
