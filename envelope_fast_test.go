package imapclient

import (
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
)

// lenientDate parses with the lenient parser only, bypassing parseDateFast.
func lenientDate(s string) (time.Time, error) {
	return ParseMessageDate("\t" + s) // the fast path declines a leading tab
}

// The fast path gives exactly what the lenient parser gives for the
// strict RFC 5322 form, and declines everything else.
func TestParseDateFastMatchesLenient(t *testing.T) {
	cases := []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Tue, 01 Jan 2019 12:36:12 +1200",
		"2 Jan 2006 15:04:05 +0000",
		"Sun, 31 Dec 2023 23:59:60 -0000",
		"Wed, 7 Feb 1994 21:52 -0800",
		"Thu, 07 feb 1994 21:52:25 +0530 (IST)",
		"fri, 9 MAR 2001 01:02:03 +0100",
		"Sat,  9 Mar 2001 01:02:03 +0100",
		"Sat,9 Mar 2001 01:02:03 +0100",
		"Mon, 2 Jan 2006 15:04:05 +2359",
		"Mon, 2 Jan 2006 15:04:05 -0930 (a comment)",
	}
	for _, s := range cases {
		fast, ok := parseDateFast(s)
		if !ok {
			t.Errorf("%q: fast path declined", s)
			continue
		}
		slow, err := lenientDate(s)
		if err != nil {
			t.Errorf("%q: lenient: %v", s, err)
			continue
		}
		_, fo := fast.Zone()
		_, so := slow.Zone()
		if !fast.Equal(slow) || fo != so || fast.Location().String() != slow.Location().String() {
			t.Errorf("%q: fast %v, lenient %v", s, fast, slow)
		}
	}
	declined := []string{
		"Mon, 2 Jan 2006 15:04:05", // no zone
		"Mon, 2 Jan 2006 15:04:05 GMT",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 Jan 2006 15.04.05 -0700",
		"Foo, 2 Jan 2006 15:04:05 -0700",
		"Mon, 32 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 24:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 -0700 extra",
		"Mon, 2 Jan 2006 15:04:05 -0700 ((nested))",
		"Mon, 2 Xyz 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006  15:04:05 -0700",
		"2006-01-02 15:04:05 -0700",
		"",
	}
	for _, s := range declined {
		if _, ok := parseDateFast(s); ok {
			t.Errorf("%q: fast path accepted", s)
		}
	}
}

// BenchmarkParseMessageDate: "fast" is the common form, "lenient" the
// same date as only the lenient parser takes it (a leading tab).
func BenchmarkParseMessageDate(b *testing.B) {
	for _, c := range []struct{ name, date string }{
		{"fast", "Tue, 01 Jan 2019 12:36:12 +1200"},
		{"lenient", "\tTue, 01 Jan 2019 12:36:12 +1200"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseMessageDate(c.date); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The INTERNALDATE fast path gives exactly what imap.ParseDateTime gives,
// zone included, and declines what it would reject.
func TestParseDateTimeFast(t *testing.T) {
	for _, s := range []string{
		"01-Jan-2019 00:36:12 +0000", " 1-Jan-2019 00:36:12 +0000", "1-Jan-2019 00:36:12 +0000",
		"29-Feb-2024 23:59:59 -0700", "31-dec-1999 12:00:00 +0530", "15-MAR-2021 08:09:10 -0000",
		"07-Jul-2023 10:00:00 +1400", "07-Jul-2023 10:00:00 -1200",
	} {
		fast, ok := parseDateTimeFast(s)
		if !ok {
			t.Errorf("%q: fast path declined", s)
			continue
		}
		want, err := imap.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		fn, fo := fast.Zone()
		wn, wo := want.Zone()
		if !fast.Equal(want) || fn != wn || fo != wo || fast.Location().String() != want.Location().String() {
			t.Errorf("%q: fast %v (%s), time.Parse %v (%s)", s, fast, fast.Location(), want, want.Location())
		}
	}
	for _, s := range []string{
		"30-Feb-2024 10:00:00 +0000", "01-Jan-2019 24:00:00 +0000", "01-Jan-2019 10:60:00 +0000",
		"01-Jan-2019 10:00:60 +0000", "01-Foo-2019 10:00:00 +0000", "01-Jan-19 10:00:00 +0000",
		"01-Jan-2019 10:00:00 GMT", "01-Jan-2019 10:00:00", "1-Jan-2019  10:00:00 +0000", "",
	} {
		if _, ok := parseDateTimeFast(s); ok {
			t.Errorf("%q: fast path accepted", s)
		}
	}
}

// decodeUTF8Word agrees with the general path wherever it answers.
func TestDecodeUTF8Word(t *testing.T) {
	for _, s := range []string{
		"=?UTF-8?Q?Jos=C3=A9_Nowak?=", "=?utf-8?B?Sm9zw6kgTydCcmllbg==?=", "=?us-ascii?q?plain?=",
		"=?UTF-8?q??=", "=?UTF-8?q?=", "=?utf-8?b?=", "=?UTF-8?B?Sm9zw6k?=", "=?UTF-8?B?Sm9z w6k=?=",
		"=?UTF-8?Q?a?b?=", "=?UTF-8?X?abc?=", "=?ISO-8859-1?Q?Caf=E9?=", "=?us-ascii?Q?caf=E9?=",
		"=?UTF-8?Q?=FF?=", "=??Q?x?=", "=?UTF-8?Q?x?= y", "=?", "=?UTF-8", "=?UTF-8?Q?=4", "=?UTF-8?Q?a=?=",
		"=?UTF-8?B?Sm9z\tw6k=?=", "=?UTF-8?B?Sm9z\r\nw6k=?=", "=?UTF-8?Q?a\tb?=", "=?UTF-8?Q?a\nb?=",
	} {
		general := s
		if cs, data, end, ok := encodedWord(s, 0); ok && end == len(s) {
			general = convertCharset(cs, data)
		}
		if fast, ok := decodeUTF8Word(s); ok && fast != general {
			t.Errorf("%q: fast %q, general %q", s, fast, general)
		}
		if got := DecodeHeader(s); s != "" && got != general && !strings.Contains(s, " ") {
			t.Errorf("%q: DecodeHeader %q, general %q", s, got, general)
		}
	}
}

// zoneAt hands out one shared Location per cacheable offset, correct at
// both ends of the cached range, and a fresh zone for anything else.
func TestZoneAt(t *testing.T) {
	for _, off := range []int{-18 * 3600, -12*3600 - 2700, -900, 900, 5*3600 + 1800, 18 * 3600} {
		a, b := zoneAt("", off), zoneAt("", off)
		if a != b {
			t.Errorf("offset %d: two Locations", off)
		}
		if _, got := time.Date(2020, 1, 1, 0, 0, 0, 0, a).Zone(); got != off {
			t.Errorf("offset %d: zone has offset %d", off, got)
		}
	}
	if zoneAt("", 0) != time.UTC {
		t.Error("offset 0 is not UTC")
	}
	for _, off := range []int{18*3600 + 900, -18*3600 - 900, 3600 + 60} {
		if _, got := time.Date(2020, 1, 1, 0, 0, 0, 0, zoneAt("", off)).Zone(); got != off {
			t.Errorf("offset %d: zone has offset %d", off, got)
		}
	}
	if l := zoneAt("EST", -5*3600); l.String() != "EST" {
		t.Errorf("named zone is %q", l)
	}
}
