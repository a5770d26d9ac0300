package imapmemserver

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// dovecotFetch holds Dovecot 2.3's answer to "FETCH n (ENVELOPE
// BODYSTRUCTURE)" for each corpus message (fuzz_test.go), as sent.
var dovecotFetch = map[string]string{
	"01plain": "* 1 FETCH (ENVELOPE (\"Mon, 7 Feb 1994 21:52:25 -0800 (PST)\" \"afternoon meeting\" ((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) ((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) ((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) ((NIL NIL \"mooch\" \"owatagu.siam.edu\")) NIL NIL NIL \"<B27397-0100000@Blurdybloop.COM>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 55 1 NIL NIL NIL NIL))\r\n",
	"02alt": "* 1 FETCH (ENVELOPE (\"Tue, 02 Jan 2024 10:00:00 +0100\" {11}\r\n" +
		"Lunch plans ((\"Ann Example\" NIL \"ann\" \"example.com\")) ((\"Ann Example\" NIL \"ann\" \"example.com\")) ((\"Ann Example\" NIL \"ann\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.org\")(NIL NIL \"carol\" \"example.net\")) ((NIL NIL \"dave\" \"example.com\")) NIL \"<prev@example.org>\" \"<alt1@example.com>\") BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL NIL \"quoted-printable\" 28 1 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 27 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b1\") NIL NIL NIL))\r\n",
	"03mixed":  "* 1 FETCH (ENVELOPE (\"Wed, 3 Jan 2024 09:30:00 -0500\" \"Report\" ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<mixed1@example.com>\") BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 48 3 NIL NIL (\"en\" \"de\") NIL)(\"application\" \"pdf\" (\"name\" \"report.pdf\") \"<part2@example.com>\" \"The Report\" \"base64\" 62 NIL (\"attachment\" (\"filename\" \"report.pdf\" \"size\" \"24\")) NIL \"http://example.com/report.pdf\") \"mixed\" (\"boundary\" \"----=_Part_0_1\") NIL (\"en\") NIL))\r\n",
	"04nested": "* 1 FETCH (ENVELOPE (\"Thu, 4 Jan 2024 12:00:00 +0000\" \"Fwd: Lunch\" ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"ann\" \"example.com\")) ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL NIL) BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 301 (\"Wed, 3 Jan 2024 08:00:00 +0000\" \"Lunch\" ((\"Carol\" NIL \"carol\" \"example.net\")) ((\"Carol\" NIL \"carol\" \"example.net\")) ((\"Carol\" NIL \"carol\" \"example.net\")) ((NIL NIL \"ann\" \"example.com\")) NIL NIL NIL \"<inner@example.net>\") ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL) 16 NIL (\"inline\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL))\r\n",
	"05encoded": "* 1 FETCH (ENVELOPE (\"Fri, 5 Jan 2024 12:00:00 +0100\" {103}\r\n" +
		"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?= ((\"=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=\" NIL \"joerg\" \"example.de\")) ((\"=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=\" NIL \"joerg\" \"example.de\")) ((\"=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=\" NIL \"joerg\" \"example.de\")) ((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"iso-8859-1\") NIL NIL \"quoted-printable\" 22 1 NIL NIL NIL NIL))\r\n",
	"06groups":  "* 1 FETCH (ENVELOPE (\"Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)\" NIL ((\"Pete\" NIL \"pete\" \"silly.test\")) ((\"Pete\" NIL \"pete\" \"silly.test\")) ((NIL \"@route1,@route2\" \"user\" \"host.test\")) ((NIL NIL \"A Group\" NIL)(\"Chris Jones\" NIL \"c\" \"public.example\")(NIL NIL \"joe\" \"example.org\")(\"John\" NIL \"jdoe\" \"one.test\")(NIL NIL NIL NIL)) ((NIL NIL \"Hidden recipients\" NIL)(NIL NIL NIL NIL)) ((NIL NIL \"localonly\" \"MISSING_DOMAIN\")(\"Quoted, Name\" NIL \"q\" \"example.com\")(\"John Doe\" NIL \"jdoe\" \"example.org\")) NIL \"<testabcd.1234@silly.test>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL))\r\n",
	"07missing": "* 1 FETCH (ENVELOPE (NIL \"no from\" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL NIL NIL))\r\n",
	"08lfonly":  "* 1 FETCH (ENVELOPE (NIL \"LF only\" ((NIL NIL \"lf\" \"example.com\")) ((NIL NIL \"lf\" \"example.com\")) ((NIL NIL \"lf\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 18 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"zz\") NIL NIL NIL))\r\n",
	"09noblank": "* 1 FETCH (ENVELOPE (NIL \"no blank line\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL))\r\n",
	"10noparts": "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"nothere\") NIL NIL NIL))\r\n",
	"11params":  "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"format\" \"flowed\" \"delsp\" \"yes\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL (\"inline\" NIL) NIL NIL))\r\n",
	"12garbage": "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"garbage\" \"\" NIL NIL NIL \"8bit\" 6 NIL NIL NIL NIL))\r\n",
	"13digest":  "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 42 (NIL \"first\" ((NIL NIL \"a\" \"example.com\")) ((NIL NIL \"a\" \"example.com\")) ((NIL NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 0 NIL NIL NIL NIL) \"digest\" (\"boundary\" \"d\") NIL NIL NIL))\r\n",
	"14rfc2231": "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"application\" \"octet-stream\" (\"name\" \"very long name.txt\") NIL NIL \"7bit\" 4 NIL (\"attachment\" (\"filename*\" \"utf-8''%E2%82%AC%20rates.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"q\") NIL NIL NIL))\r\n",
	"15noeol":   "* 1 FETCH (ENVELOPE (NIL \"no final newline\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL))\r\n",
	"16headertrail": "* 1 FETCH (ENVELOPE (NIL {14}\r\n" +
		"trailing space ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL \"<a@b> (comment)\" \"junk id\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL))\r\n",
	"17prefixbound": "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"abcd\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"abc\") NIL NIL NIL))\r\n",
	"20case":        "* 1 FETCH (ENVELOPE (NIL \"\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"Application\" \"PDF\" (\"Name\" \"Foo.PDF\" \"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 4 NIL (\"ATTACHMENT\" (\"FILENAME\" \"Foo.PDF\")) NIL NIL)(\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"Quoted-Printable\" 1 0 NIL NIL (\"EN-us\") NIL)(\"text\" \"\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)(\"\" \"\" NIL NIL NIL \"7bit\" 1 NIL NIL NIL NIL)((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 28 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) \"MIXED\" (\"Boundary\" \"BB\" \"Foo\" \"Bar\") NIL NIL NIL))\r\n",
	"21addr": "* 1 FETCH (ENVELOPE (NIL \"=?UTF-8?B?w6k=?=\" ((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) ((\"John Smith\" NIL \"js\" \"x.test\")) ((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) ((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")(NIL NIL \"a\" \"b.test\")(\"John Q. Public\" NIL \"jqp\" \"x.test\")(NIL NIL \"MISSING_MAILBOX\" \"host.test\")(NIL NIL \"e\" \"x.test\")({7}\r\n" +
		"J\xc3\x83\xc2\xb6rg NIL \"j\" \"x.test\")) ((\"foo bar\" NIL \"a\" \"SYNTAX_ERROR\")) (({15}\r\n" +
		"Joe \"Q\" Sixpack NIL \"joe\" \"x.test\")(NIL NIL \"weird local\" \"x.test\")(NIL NIL \"a.b.c\" \"[1.2.3.4]\")(NIL NIL \"group1\" NIL)(NIL NIL NIL NIL)) \"\" \"<id1@x.test>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL))\r\n",
	"22ctempty":     "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"\") \"\" NIL \"7bit\" 3 1 NIL (\"attachment\" NIL) NIL \"foo bar\"))\r\n",
	"24top822":      "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 51 (NIL \"inner\" ((NIL NIL \"y\" \"example.com\")) ((NIL NIL \"y\" \"example.com\")) ((NIL NIL \"y\" \"example.com\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL))\r\n",
	"25crlfmix":     "* 1 FETCH (ENVELOPE (NIL \"mixed\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 2 NIL NIL NIL NIL))\r\n",
	"26tight822":    "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 111 (NIL \"in\" NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 2 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"in\") NIL NIL NIL) 8 NIL NIL NIL NIL)((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 2 0 NIL NIL NIL NIL) \"related\" (\"boundary\" \"rel\") NIL NIL NIL) \"mixed\" (\"boundary\" \"out\") NIL NIL NIL))\r\n",
	"27baddate":     "* 1 FETCH (ENVELOPE (\"garbage\" \"bad date\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL))\r\n",
	"28olddate":     "* 1 FETCH (ENVELOPE (\"Thu, 13 Feb 1969 23:32:00 -0330\" \"old date\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL))\r\n",
	"29date2":       "* 1 FETCH (ENVELOPE (\"13 Feb 2023 23:32 +0000\" \"no weekday no seconds\" ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) ((NIL NIL \"x\" \"example.com\")) NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL))\r\n",
	"30b64text":     "* 1 FETCH (ENVELOPE (\"Mon, 8 Jan 2024 08:15:00 +0100\" \"=?utf-8?B?UsOpdW5pb24gZGUgbCfDqXF1aXBl?= =?utf-8?Q?_=E2=80=93_lundi?=\" ((\"=?utf-8?B?w4lsb2RpZQ==?=\" NIL \"elodie\" \"example.fr\")) ((\"=?utf-8?B?w4lsb2RpZQ==?=\" NIL \"elodie\" \"example.fr\")) ((\"=?utf-8?B?w4lsb2RpZQ==?=\" NIL \"elodie\" \"example.fr\")) ((NIL NIL \"team\" \"example.com\")) NIL NIL NIL \"<b64@example.fr>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 50 1 NIL NIL NIL NIL))\r\n",
	"31thunderbird": "* 1 FETCH (ENVELOPE (\"Tue, 9 Jan 2024 19:45:12 -0800\" \"Photos\" ((\"Bob\" NIL \"bob\" \"example.org\")) ((\"Bob\" NIL \"bob\" \"example.org\")) ((\"Bob\" NIL \"bob\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL NIL \"<tb1@example.org>\") BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"UTF-8\" \"format\" \"flowed\") NIL NIL \"7bit\" 22 1 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"7bit\" 55 1 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"------------alt\") NIL NIL NIL)(\"image\" \"png\" (\"name\" \"dot.png\") NIL NIL \"base64\" 98 NIL (\"attachment\" (\"filename\" \"dot.png\")) NIL NIL) \"mixed\" (\"boundary\" \"------------mix\") NIL NIL NIL))\r\n",
}

// dovecotEnvelopeDiffs are the envelopes where we differ from Dovecot on
// purpose: in 21addr, Dovecot makes a MISSING_MAILBOX address of each empty
// list element (",,"), puts SYNTAX_ERROR as the host of an unterminated
// "<a@b.test", and drops the address after an empty group ("group1: ;
// x@y.test"). We skip empty elements, read the host, and keep x@y.test.
var dovecotEnvelopeDiffs = map[string]func(*imap.Envelope){
	"21addr": func(e *imap.Envelope) {
		e.To = e.To[2:]
		e.Cc[0].Host = "b.test"
		e.Bcc = append(e.Bcc, imap.Address{Mailbox: "x", Host: "y.test"})
	},
}

// decodeFetch reads a FETCH response as the client does.
func decodeFetch(t *testing.T, resp string) []imapwire.FetchItem {
	t.Helper()
	d := imapwire.NewDecoder(strings.NewReader(resp), nil)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatalf("%q: %v", resp, err)
	}
	items, err := r.ReadAllFetchItems()
	if err != nil {
		t.Fatalf("%q: %v", resp, err)
	}
	return items
}

// TestEnvelopeBodyStructureDovecot compares ENVELOPE and BODYSTRUCTURE,
// as a client reads them, with Dovecot's for every corpus message.
func TestEnvelopeBodyStructureDovecot(t *testing.T) {
	for _, m := range testMessages {
		resp, ok := dovecotFetch[m.name]
		if !ok {
			t.Fatalf("%s: no Dovecot answer", m.name)
		}
		items := decodeFetch(t, resp)
		wantEnv, wantBody := items[0].Envelope, items[1].Body
		if fix := dovecotEnvelopeDiffs[m.name]; fix != nil {
			fix(wantEnv)
		}
		p := parseMessage([]byte(m.raw))
		// What a client reads back from our answer.
		gotEnv, gotBody := roundTrip(t, p.envelope(), p.bodyStructure(true), p.bodyStructure(false))
		if !reflect.DeepEqual(gotEnv, wantEnv) {
			t.Errorf("%s: ENVELOPE\n got %+v\nwant %+v", m.name, gotEnv, wantEnv)
		}
		if !reflect.DeepEqual(gotBody, wantBody) {
			t.Errorf("%s: BODYSTRUCTURE\n got %s\nwant %s", m.name, renderBody(gotBody), renderBody(wantBody))
		}
		// Before the round trip: the disposition keeps its case, as
		// Dovecot sends it (the client lower-cases it).
		if direct := p.bodyStructure(true); !reflect.DeepEqual(lowerDisposition(direct), wantBody) {
			t.Errorf("%s: BODYSTRUCTURE before encoding\n got %s\nwant %s", m.name, renderBody(direct), renderBody(wantBody))
		}
		if got, want := p.bodyStructure(false), stripExtension(wantBody); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: BODY\n got %s\nwant %s", m.name, renderBody(got), renderBody(want))
		}
	}
}

// renderBody writes a body structure in IMAP syntax, for messages.
func renderBody(b *imap.BodyStructure) string {
	var buf bytes.Buffer
	e := imapwire.NewResponseEncoder(&buf)
	_ = e.Fetch(1).BodyStructure(b).End()
	_ = e.Flush()
	return buf.String()
}

func lowerDisposition(b *imap.BodyStructure) *imap.BodyStructure {
	c := *b
	c.Disposition = strings.ToLower(c.Disposition)
	c.Parts = nil
	for _, p := range b.Parts {
		c.Parts = append(c.Parts, lowerDisposition(p))
	}
	if b.Body != nil {
		c.Body = lowerDisposition(b.Body)
	}
	return &c
}

// stripExtension returns b as BODY shows it: without extension data.
func stripExtension(b *imap.BodyStructure) *imap.BodyStructure {
	c := *b
	c.Extended, c.MD5, c.Disposition, c.DispositionParams, c.Language, c.Location = false, "", "", nil, nil, ""
	c.Parts = nil
	for _, p := range b.Parts {
		c.Parts = append(c.Parts, stripExtension(p))
	}
	if len(b.Parts) > 0 {
		c.Params = nil
	}
	if b.Body != nil {
		c.Body = stripExtension(b.Body)
	}
	return &c
}

// TestBodyStructureByHand spells out a few structures with the sizes and
// line counts worked out by hand.
func TestBodyStructureByHand(t *testing.T) {
	usASCII := []imap.Param{{Name: "charset", Value: "us-ascii"}}
	// RFC 3501's example message: the body is one line of 53 characters
	// and its CRLF. Plain 7-bit text is shown in Dovecot's lower-case
	// canonical form, whatever the case of the header.
	plain := parseMessage(corpusMessage(t, "01plain")).bodyStructure(true)
	want := &imap.BodyStructure{Type: "text", Subtype: "plain", Params: usASCII, Encoding: "7bit",
		Size: 55, Lines: 1, Extended: true}
	if !reflect.DeepEqual(plain, want) {
		t.Errorf("01plain:\n got %s\nwant %s", renderBody(plain), renderBody(want))
	}

	// multipart/mixed: a text part of three lines ("Please find the
	// report attached.", "Thanks,", "Ann" and an empty line; the CRLF
	// before the delimiter is not the part's) = 34+9+5+2 = 48 octets, 3
	// LFs; a base64 PDF of two lines, 34+28 = 62 octets (no line count:
	// not text).
	mixed := parseMessage(corpusMessage(t, "03mixed")).bodyStructure(true)
	want = &imap.BodyStructure{Type: "multipart", Subtype: "mixed", Extended: true,
		Params:   []imap.Param{{Name: "boundary", Value: "----=_Part_0_1"}},
		Language: []string{"en"},
		Parts: []*imap.BodyStructure{
			{Type: "text", Subtype: "plain", Params: usASCII, Encoding: "7bit", Size: 48, Lines: 3,
				Extended: true, Language: []string{"en", "de"}},
			{Type: "application", Subtype: "pdf", Params: []imap.Param{{Name: "name", Value: "report.pdf"}},
				ID: "<part2@example.com>", Description: "The Report", Encoding: "base64", Size: 62, Extended: true,
				Disposition:       "attachment",
				DispositionParams: []imap.Param{{Name: "filename", Value: "report.pdf"}, {Name: "size", Value: "24"}},
				Location:          "http://example.com/report.pdf"},
		}}
	if !reflect.DeepEqual(mixed, want) {
		t.Errorf("03mixed:\n got %s\nwant %s", renderBody(mixed), renderBody(want))
	}

	// message/rfc822 holding a multipart/alternative: the encapsulated
	// message is 6 header lines (196 octets with the empty line) and a
	// body of 105 octets: 301 octets, 16 LFs.
	nested := parseMessage(corpusMessage(t, "04nested")).bodyStructure(false)
	msg := nested.Parts[1]
	if msg.Type != "message" || msg.Size != 301 || msg.Lines != 16 || msg.Envelope == nil ||
		msg.Envelope.MessageID != "<inner@example.net>" || len(msg.Body.Parts) != 2 ||
		msg.Body.Parts[0].Size != 5 || msg.Body.Parts[1].Subtype != "html" {
		t.Errorf("04nested part 2: %s", renderBody(msg))
	}

	// A base64 UTF-8 text part: 34 octets of text ("Grüße aus München!",
	// "Bis bald.", with CRLFs) are 48 base64 characters; with the CRLF
	// after them, 50 octets on 1 line.
	b64 := parseMessage(corpusMessage(t, "30b64text")).bodyStructure(false)
	want = &imap.BodyStructure{Type: "text", Subtype: "plain", Params: []imap.Param{{Name: "charset", Value: "utf-8"}},
		Encoding: "base64", Size: 50, Lines: 1}
	if !reflect.DeepEqual(b64, want) {
		t.Errorf("30b64text:\n got %s\nwant %s", renderBody(b64), renderBody(want))
	}
}

// TestEnvelopeByHand spells out envelopes: RFC 5322's appendix A.5
// example (comments, a group, folding), and encoded words kept as sent.
func TestEnvelopeByHand(t *testing.T) {
	env := parseMessage(corpusMessage(t, "06groups")).envelope()
	pete := []imap.Address{{Name: "Pete", Mailbox: "pete", Host: "silly.test"}}
	want := &imap.Envelope{
		Date:    "Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)",
		From:    pete,
		Sender:  pete, // present but empty: From
		ReplyTo: []imap.Address{{ADL: "@route1,@route2", Mailbox: "user", Host: "host.test"}},
		To: []imap.Address{{Mailbox: "A Group"}, {Name: "Chris Jones", Mailbox: "c", Host: "public.example"},
			{Mailbox: "joe", Host: "example.org"}, {Name: "John", Mailbox: "jdoe", Host: "one.test"}, {}},
		Cc: []imap.Address{{Mailbox: "Hidden recipients"}, {}},
		Bcc: []imap.Address{{Mailbox: "localonly", Host: missingDomain},
			{Name: "Quoted, Name", Mailbox: "q", Host: "example.com"},
			{Name: "John Doe", Mailbox: "jdoe", Host: "example.org"}},
		MessageID: "<testabcd.1234@silly.test>",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("06groups:\n got %+v\nwant %+v", env, want)
	}

	env = parseMessage(corpusMessage(t, "05encoded")).envelope()
	if env.Subject != "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=" ||
		env.From[0].Name != "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=" || env.To[0].Name != "=?ISO-8859-1?Q?Andr=E9?= Pirard" {
		t.Errorf("05encoded: %+v", env)
	}

	env = parseMessage(corpusMessage(t, "07missing")).envelope()
	if !reflect.DeepEqual(env, &imap.Envelope{Subject: "no from"}) {
		t.Errorf("07missing: %+v", env)
	}
}

func TestParseAddressList(t *testing.T) {
	a := func(name, mbox, host string) imap.Address { return imap.Address{Name: name, Mailbox: mbox, Host: host} }
	for _, tc := range []struct {
		in   string
		want []imap.Address
	}{
		{"", nil},
		{"   ", nil},
		{",,", nil},
		{"a@b.c", []imap.Address{a("", "a", "b.c")}},
		{"<a@b.c>", []imap.Address{a("", "a", "b.c")}},
		{"John Smith <js@x.test>", []imap.Address{a("John Smith", "js", "x.test")}},
		{"John   Smith <js@x.test>", []imap.Address{a("John Smith", "js", "x.test")}},
		{`"Smith, John" <js@x.test>, b@c.d`, []imap.Address{a("Smith, John", "js", "x.test"), a("", "b", "c.d")}},
		{`"Joe \"Q\" Sixpack" <joe@x.test>`, []imap.Address{a(`Joe "Q" Sixpack`, "joe", "x.test")}},
		{"=?UTF-8?B?w6k=?= <e@x.test>", []imap.Address{a("=?UTF-8?B?w6k=?=", "e", "x.test")}},
		{"\"=?UTF-8?B?w6k=?=\" <e@x.test>", []imap.Address{a("=?UTF-8?B?w6k=?=", "e", "x.test")}},
		{"J\u00f6rg <j@x.test>", []imap.Address{a("J\u00f6rg", "j", "x.test")}},
		{"jdoe@example.org (John Doe)", []imap.Address{a("John Doe", "jdoe", "example.org")}},
		{"John <jdoe@example.org> (friend)", []imap.Address{a("John", "jdoe", "example.org")}},
		{"John Q. Public <jqp@x.test>", []imap.Address{a("John Q. Public", "jqp", "x.test")}},
		{`"weird local"@x.test`, []imap.Address{a("", "weird local", "x.test")}},
		{"first.last@[192.0.2.1]", []imap.Address{a("", "first.last", "[192.0.2.1]")}},
		{"<@a.test,@b.test:u@c.test>", []imap.Address{{ADL: "@a.test,@b.test", Mailbox: "u", Host: "c.test"}}},
		{"localonly", []imap.Address{a("", "localonly", missingDomain)}},
		{"<>", []imap.Address{a("", missingMailbox, missingDomain)}},
		{"@host.test", []imap.Address{a("", missingMailbox, "host.test")}},
		{"undisclosed-recipients:;", []imap.Address{{Mailbox: "undisclosed-recipients"}, {}}},
		{"Team: a@x.test, B <b@x.test>; c@y.test", []imap.Address{{Mailbox: "Team"}, a("", "a", "x.test"),
			a("B", "b", "x.test"), {}, a("", "c", "y.test")}},
		{"Team: a@x.test", []imap.Address{{Mailbox: "Team"}, a("", "a", "x.test"), {}}},
		{"foo bar <a@b.test", []imap.Address{a("foo bar", "a", "b.test")}},
		{"foo <a@b.test, c@d.test", []imap.Address{a("foo", "a", "b.test"), a("", "c", "d.test")}},
		{"a@b.test>>, ;c@d.test", []imap.Address{a("", "a", "b.test"), a("", "c", "d.test")}},
		{"(unterminated comment a@b", nil},
		{`"unterminated <a@b>`, []imap.Address{a("", "unterminated <a@b>", missingDomain)}},
		{"a\x00b@c.test", []imap.Address{a("", "ab", "c.test")}},
	} {
		if got := parseAddressList(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseAddressList(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseContentType(t *testing.T) {
	p := func(kv ...string) []imap.Param {
		var out []imap.Param
		for i := 0; i < len(kv); i += 2 {
			out = append(out, imap.Param{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		in, typ, sub string
		params       []imap.Param
	}{
		{"text/plain", "text", "plain", nil},
		{"TEXT/PLAIN; CHARSET=US-ASCII", "TEXT", "PLAIN", p("CHARSET", "US-ASCII")},
		{`text/plain; charset="utf-8"; format=flowed`, "text", "plain", p("charset", "utf-8", "format", "flowed")},
		{`text/plain (a comment); charset=utf-8 (another)`, "text", "plain", p("charset", "utf-8")},
		{`multipart/mixed; boundary="a;b \"c\""`, "multipart", "mixed", p("boundary", `a;b "c"`)},
		{"text/plain;;; charset = utf-8 ;", "text", "plain", p("charset", "utf-8")},
		{"application/pdf; name=my file.pdf", "application", "pdf", p("name", "my file.pdf")},
		{"garbage", "garbage", "", nil},
		{"", "", "", nil},
		{"text/plain; novalue; x=1", "text", "plain", p("x", "1")},
		{"text/plain; =v", "text", "plain", nil},
		{`a/b; name*0="very long "; name*1="name.txt"`, "a", "b", p("name", "very long name.txt")},
		{`a/b; name*1="two"; x=y; name*0="one "`, "a", "b", p("name", "one two", "x", "y")},
		{`a/b; filename*=utf-8''%E2%82%AC.txt`, "a", "b", p("filename*", "utf-8''%E2%82%AC.txt")},
		{`a/b; f*0*=utf-8''%E2%82; f*1*=%AC.txt`, "a", "b", p("f*", "utf-8''%E2%82%AC.txt")},
		{`a/b; f*x=1; f*-1=2`, "a", "b", p("f*x", "1", "f*-1", "2")},
		{`a/b; c="unterminated`, "a", "b", p("c", "unterminated")},
	} {
		typ, sub, params := parseContentType(tc.in)
		if typ != tc.typ || sub != tc.sub || !reflect.DeepEqual(params, tc.params) {
			t.Errorf("parseContentType(%q) = %q %q %v, want %q %q %v", tc.in, typ, sub, params, tc.typ, tc.sub, tc.params)
		}
	}
}

// TestParseMessageLineEnds checks that bare LFs become CRLF, as Dovecot
// stores and counts messages, and that CRLF messages are kept as they are.
func TestParseMessageLineEnds(t *testing.T) {
	raw := "From: a@b.c\nSubject: LF\r\n\nline one\nline two\n"
	p := parseMessage([]byte(raw))
	whole, _ := p.section("")
	if string(whole) != strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n") {
		t.Errorf("BODY[] = %q", whole)
	}
	if b := p.bodyStructure(false); b.Size != 20 || b.Lines != 2 {
		t.Errorf("size %d lines %d, want 20 and 2", b.Size, b.Lines)
	}
	if p.envelope().Subject != "LF" {
		t.Errorf("subject %q", p.envelope().Subject)
	}
	crlf := []byte("Subject: x\r\n\r\nbody\r\n")
	if p := parseMessage(crlf); &p.raw[0] != &crlf[0] {
		t.Error("a CRLF message was copied")
	}
	for _, raw := range []string{"", "\n", "\r\n", "\r", "x", "\n\n\n", "Subject: x", "Subject: x\r\n"} {
		p := parseMessage([]byte(raw))
		if b := p.bodyStructure(true); b == nil || b.Type != "text" {
			t.Errorf("%q: %+v", raw, b)
		}
		if env := p.envelope(); env == nil {
			t.Errorf("%q: no envelope", raw)
		}
	}
}

// TestMIMEDepthLimit nests multiparts and messages far deeper than
// maxMIMEDepth: parsing stops there, the structure stays valid.
func TestMIMEDepthLimit(t *testing.T) {
	for _, unit := range []string{
		"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
		"Content-Type: message/rfc822\r\n\r\n",
		"Content-Type: multipart/mixed; boundary=same\r\n\r\n--same\r\n",
	} {
		var raw strings.Builder
		for i := range 500 {
			raw.WriteString(strings.ReplaceAll(unit, "%d", strings.Repeat("x", i%7)))
		}
		raw.WriteString("\r\ninnermost\r\n")
		p := parseMessage([]byte(raw.String()))
		depth, b := 0, p.bodyStructure(true)
		for {
			if len(b.Parts) > 0 {
				b = b.Parts[0]
			} else if b.Body != nil {
				b = b.Body
			} else {
				break
			}
			depth++
		}
		if depth > maxMIMEDepth+1 {
			t.Errorf("%q: depth %d", unit, depth)
		}
		roundTrip(t, p.envelope(), p.bodyStructure(true), p.bodyStructure(false))
	}
}

// TestMultipartBoundaries covers the delimiter rules: transport padding,
// a close delimiter followed by anything, a boundary that is a prefix of
// a line, the preamble, a missing close delimiter, and a delimiter at the
// very start of the body.
func TestMultipartBoundaries(t *testing.T) {
	for _, tc := range []struct {
		body  string
		parts []string
	}{
		{"--b\r\n\r\none\r\n--b--\r\n", []string{"\r\none"}},
		{"preamble\r\n--b \t\r\n\r\none\r\n--b--junk\r\nepilogue\r\n--b\r\n\r\nignored", []string{"\r\none"}},
		{"--b\r\n\r\none\r\n--bx\r\n--b\r\n\r\ntwo", []string{"\r\none\r\n--bx", "\r\ntwo"}},
		{"--b\r\n--b\r\n\r\n--b--", []string{"", ""}},
		{"no delimiter\r\n", nil},
		{"--b", []string{""}},
	} {
		var got []string
		for _, c := range splitMultipart([]byte(tc.body), "b") {
			got = append(got, string(c.data))
		}
		if !reflect.DeepEqual(got, tc.parts) {
			t.Errorf("%q:\n got %q\nwant %q", tc.body, got, tc.parts)
		}
	}
}
