package imapwire

import (
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
)

// BODYSTRUCTURE values as Dovecot and Gmail send them.
var bodyStructures = []struct {
	name     string
	in       string // the value after "BODYSTRUCTURE " (or "BODY ")
	body     bool   // sent as BODY, without extension data
	walk     string // "section type/subtype filename" per part
	extended bool
}{
	{name: "dovecot text/plain",
		in:   `("text" "plain" ("charset" "utf-8" "format" "flowed") NIL NIL "7bit" 438 12 NIL NIL NIL NIL)`,
		walk: ` text/plain -`, extended: true},
	{name: "gmail alternative",
		in:   `(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 1124 28 NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 5433 110 NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "000000000000a1b2c3d4e5f6") NIL NIL)`,
		walk: ` multipart/alternative -|1 text/plain -|2 text/html -`, extended: true},
	{name: "dovecot mixed with pdf",
		in: `((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 612 20 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 2210 45 NIL NIL NIL NIL) "alternative" ("boundary" "b2_abcdef") NIL NIL NIL)` +
			`("application" "pdf" ("name" "Invoice 2024-03.pdf") NIL NIL "base64" 183450 NIL ("attachment" ("filename" "Invoice 2024-03.pdf" "size" "134054")) NIL NIL) "mixed" ("boundary" "b1_abcdef") NIL NIL NIL)`,
		walk: ` multipart/mixed -|1 multipart/alternative -|1.1 text/plain -|1.2 text/html -|2 application/pdf Invoice 2024-03.pdf`, extended: true},
	{name: "forwarded message/rfc822",
		in: `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 120 4 NIL NIL NIL NIL)("message" "rfc822" ("name" "Fwd: Report.eml") NIL NIL "7bit" 2874 ` +
			`("Tue, 05 Mar 2024 09:12:44 +0100" "Report" (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Bob" NIL "bob" "example.org")) NIL NIL NIL "<report-1@example.com>") ` +
			`(("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 310 9 NIL NIL NIL NIL)("image" "png" ("name" "chart.png") "<chart@x>" NIL "base64" 2046 NIL ("inline" ("filename" "chart.png")) NIL NIL) "related" ("boundary" "inner") NIL NIL NIL) ` +
			`62 NIL ("attachment" ("filename" "Fwd: Report.eml")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL)`,
		walk: ` multipart/mixed -|1 text/plain -|2 message/rfc822 Fwd: Report.eml|2.1 text/plain -|2.2 image/png chart.png`, extended: true},
	{name: "multipart/signed",
		in: `(("text" "plain" ("charset" "us-ascii") NIL NIL "quoted-printable" 1020 30 NIL NIL NIL NIL)("application" "pgp-signature" ("name" "signature.asc") NIL "OpenPGP digital signature" "7bit" 833 NIL ("attachment" ("filename" "signature.asc")) NIL NIL) ` +
			`"signed" ("micalg" "pgp-sha256" "protocol" "application/pgp-signature" "boundary" "sig_boundary") NIL NIL NIL)`,
		walk: ` multipart/signed -|1 text/plain -|2 application/pgp-signature signature.asc`, extended: true},
	{name: "non-extended BODY", body: true,
		in:   `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3028 92)("application" "octet-stream" ("name" "data.bin") NIL NIL "base64" 4096) "mixed")`,
		walk: ` multipart/mixed -|1 text/plain -|2 application/octet-stream data.bin`},
	{name: "gmail language location extensions",
		in:   `("TEXT" "PLAIN" ("CHARSET" "iso-8859-1") NIL NIL "QUOTED-PRINTABLE" 312 10 NIL ("INLINE" NIL) ("EN" "FR") "http://example.com/x" "ext1" (1 "two" (3)))`,
		walk: ` text/plain -`, extended: true},
	{name: "no spaces, lower-case nil, single language",
		in:   `(("text" "plain" nil nil nil "7bit" 1 1)("text" "html" nil nil nil "7bit" 2 1 nil nil "en")"alternative")`,
		walk: ` multipart/alternative -|1 text/plain -|2 text/html -`},
	{name: "rfc822 without envelope, text without lines",
		in:   `(("message" "rfc822" NIL NIL NIL "7bit" 500 NIL NIL NIL NIL)("text" "plain" NIL NIL NIL "7bit" 10 NIL ("inline" NIL) NIL NIL) "mixed")`,
		walk: ` multipart/mixed -|1 message/rfc822 -|2 text/plain -`},
}

func parseBody(t *testing.T, item, value string, lim *Limits) *imap.BodyStructure {
	t.Helper()
	d := NewDecoder(strings.NewReader("* 1 FETCH ("+item+" "+value+")\r\n"), lim)
	items := readFetch(t, d)
	if len(items) != 1 || items[0].Body == nil {
		t.Fatalf("%+v", items)
	}
	return items[0].Body
}

func TestBodyStructure(t *testing.T) {
	for _, tc := range bodyStructures {
		item := "BODYSTRUCTURE"
		if tc.body {
			item = "BODY"
		}
		b := parseBody(t, item, tc.in, nil)
		var walk []string
		b.Walk(func(section string, p *imap.BodyStructure) bool {
			name := p.Filename()
			if name == "" {
				name = "-"
			}
			walk = append(walk, section+" "+p.MediaType()+" "+name)
			return true
		})
		if got := strings.Join(walk, "|"); got != tc.walk {
			t.Errorf("%s: walk\n got %s\nwant %s", tc.name, got, tc.walk)
		}
		if b.Extended != tc.extended {
			t.Errorf("%s: Extended = %v", tc.name, b.Extended)
		}
		// What the parser understood, written back, parses the same.
		if again := parseBody(t, "BODYSTRUCTURE", formatBody(b), nil); formatBody(again) != formatBody(b) {
			t.Errorf("%s: round trip\n got %s\nwant %s", tc.name, formatBody(again), formatBody(b))
		}
	}
}

func TestBodyStructureFields(t *testing.T) {
	b := parseBody(t, "BODYSTRUCTURE", bodyStructures[0].in, nil)
	if b.Type != "text" || b.Subtype != "plain" || b.Param("FORMAT") != "flowed" || b.Encoding != "7bit" || b.Size != 438 || b.Lines != 12 {
		t.Errorf("%+v", b)
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[2].in, nil)
	pdf := b.Parts[1]
	if pdf.Disposition != "attachment" || pdf.Encoding != "base64" || pdf.Size != 183450 || pdf.DispositionParams[1].Value != "134054" ||
		b.Param("boundary") != "b1_abcdef" || !b.IsMultipart() || len(b.Parts[0].Parts) != 2 {
		t.Errorf("%+v", pdf)
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[3].in, nil)
	msg := b.Parts[1]
	if msg.Envelope == nil || msg.Envelope.Subject != "Report" || msg.Envelope.To[0].Addr() != "bob@example.org" || msg.Lines != 62 ||
		msg.Body == nil || msg.Body.Subtype != "related" || msg.Body.Parts[1].Filename() != "chart.png" ||
		msg.Body.Parts[1].ID != "<chart@x>" || msg.Body.Parts[1].Disposition != "inline" {
		t.Errorf("%+v", msg)
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[4].in, nil)
	if b.Param("protocol") != "application/pgp-signature" || b.Parts[1].Description != "OpenPGP digital signature" {
		t.Errorf("%+v", b)
	}
	b = parseBody(t, "BODY", bodyStructures[5].in, nil)
	if b.Extended || b.Parts[0].Lines != 92 || b.Parts[1].Extended || b.Parts[1].Param("name") != "data.bin" {
		t.Errorf("%+v", b)
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[6].in, nil)
	if b.Disposition != "inline" || strings.Join(b.Language, ",") != "EN,FR" || b.Location != "http://example.com/x" {
		t.Errorf("%+v", b)
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[7].in, nil)
	if strings.Join(b.Parts[1].Language, ",") != "en" || b.Extended || !b.Parts[1].Extended {
		t.Errorf("%+v", b.Parts[1])
	}
	b = parseBody(t, "BODYSTRUCTURE", bodyStructures[8].in, nil)
	if b.Parts[0].Envelope != nil || !b.Parts[0].Extended || b.Parts[1].Lines != 0 || b.Parts[1].Disposition != "inline" {
		t.Errorf("%+v %+v", b.Parts[0], b.Parts[1])
	}
}

func TestBodyStructureLargeLiteralParam(t *testing.T) {
	// A parameter value large enough to be read outside the frame must not
	// clobber the parameter name read before it.
	long := strings.Repeat("v", 300)
	value := `("application" "octet-stream" ("name" ` + lit(long) + `) NIL NIL "base64" 10 NIL ("attachment" ("filename" ` + lit(long) + `)) NIL NIL)`
	b := parseBody(t, "BODYSTRUCTURE", value, &Limits{InlineLiteral: 64, ReadBufferSize: 64})
	if b.Params[0].Name != "name" || b.Params[0].Value != long || b.Filename() != long || b.DispositionParams[0].Name != "filename" {
		t.Fatalf("%q", b.Params)
	}
}

func TestBodyStructureWalkStops(t *testing.T) {
	b := parseBody(t, "BODYSTRUCTURE", bodyStructures[2].in, nil)
	n := 0
	b.Walk(func(section string, p *imap.BodyStructure) bool {
		n++
		return section != "1.1"
	})
	if n != 3 {
		t.Fatal(n)
	}
}
