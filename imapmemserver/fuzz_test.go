package imapmemserver

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// testMessage is a message of the test corpus.
type testMessage struct{ name, raw string }

// testMessages is the corpus of the MIME, section and search tests and the
// seed of the fuzz targets: realistic messages and broken ones. The
// expected values in mime_test.go, section_test.go and search_test.go are
// Dovecot 2.3's answers for these messages (APPENDed to the rig that
// ./scripts/test.sh starts, then fetched and searched).
var testMessages = []testMessage{
	{"01plain", "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n" +
		"From: Fred Foobar <foobar@Blurdybloop.COM>\r\n" +
		"Subject: afternoon meeting\r\n" +
		"To: mooch@owatagu.siam.edu\r\n" +
		"Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
		"\r\n" +
		"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"},
	{"02alt", "From: \"Ann Example\" <ann@example.com>\r\n" +
		"To: Bob <bob@example.org>, carol@example.net\r\n" +
		"Cc: dave@example.com\r\n" +
		"Subject: Lunch\r\n" +
		" plans  \r\n" +
		"Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n" +
		"Message-ID: <alt1@example.com>\r\n" +
		"In-Reply-To: <prev@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
		"\r\n" +
		"This is a multi-part message in MIME format.\r\n" +
		"--b1\r\n" +
		"Content-Type: text/plain; charset=utf-8; format=flowed\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"Caf=C3=A9 at noon?\r\n" +
		"See you.\r\n" +
		"--b1\r\n" +
		"Content-Type: text/html; charset=\"utf-8\"\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"\r\n" +
		"<p>Caf&eacute; at noon?</p>\r\n" +
		"--b1--\r\n"},
	{"03mixed", "From: ann@example.com\r\n" +
		"To: bob@example.org\r\n" +
		"Subject: Report\r\n" +
		"Date: Wed, 3 Jan 2024 09:30:00 -0500\r\n" +
		"Message-ID: <mixed1@example.com>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"----=_Part_0_1\"\r\n" +
		"Content-Language: en\r\n" +
		"\r\n" +
		"------=_Part_0_1\r\n" +
		"Content-Type: text/plain\r\n" +
		"Content-Language: en, de\r\n" +
		"\r\n" +
		"Please find the report attached.\r\n" +
		"Thanks,\r\n" +
		"Ann\r\n" +
		"\r\n" +
		"------=_Part_0_1\r\n" +
		"Content-Type: application/pdf; name=\"report.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"report.pdf\"; size=24\r\n" +
		"Content-ID: <part2@example.com>\r\n" +
		"Content-Description: The Report\r\n" +
		"Content-Location: http://example.com/report.pdf\r\n" +
		"\r\n" +
		"JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBv\r\n" +
		"YmoKPDwvTGVuZ3RoIDMgMCBSPj4K\r\n" +
		"------=_Part_0_1--\r\n" +
		"\r\n" +
		"epilogue\r\n"},
	{"04nested", "From: ann@example.com\r\n" +
		"To: bob@example.org\r\n" +
		"Subject: Fwd: Lunch\r\n" +
		"Date: Thu, 4 Jan 2024 12:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=outer\r\n" +
		"\r\n" +
		"--outer\r\n" +
		"Content-Type: text/plain; charset=us-ascii\r\n" +
		"\r\n" +
		"See below.\r\n" +
		"--outer\r\n" +
		"Content-Type: message/rfc822\r\n" +
		"Content-Disposition: inline\r\n" +
		"\r\n" +
		"From: Carol <carol@example.net>\r\n" +
		"To: ann@example.com\r\n" +
		"Subject: Lunch\r\n" +
		"Date: Wed, 3 Jan 2024 08:00:00 +0000\r\n" +
		"Message-ID: <inner@example.net>\r\n" +
		"Content-Type: multipart/alternative; boundary=inner\r\n" +
		"\r\n" +
		"--inner\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"Noon?\r\n" +
		"--inner\r\n" +
		"Content-Type: text/html\r\n" +
		"\r\n" +
		"<b>Noon?</b>\r\n" +
		"--inner--\r\n" +
		"\r\n" +
		"--outer--\r\n"},
	{"05encoded", "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\r\n" +
		"To: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n" +
		"Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n" +
		" =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n" +
		"Date: Fri, 5 Jan 2024 12:00:00 +0100\r\n" +
		"Content-Type: text/plain; charset=iso-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"Gr=FC=DFe aus K=F6ln\r\n"},
	{"06groups", "From: Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>\r\n" +
		"To: A Group(Some people)\r\n" +
		"     :Chris Jones <c@(Chris's host.)public.example>,\r\n" +
		"         joe@example.org,\r\n" +
		"  John <jdoe@one.test> (my dear friend); (the end of the group)\r\n" +
		"Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\r\n" +
		"Bcc: localonly, \"Quoted, Name\" <q@example.com>, jdoe@example.org (John Doe)\r\n" +
		"Sender: \r\n" +
		"Reply-To: <@route1,@route2:user@host.test>\r\n" +
		"Date: Thu,\r\n" +
		"      13\r\n" +
		"        Feb\r\n" +
		"          1969\r\n" +
		"      23:32\r\n" +
		"               -0330 (Newfoundland Time)\r\n" +
		"Message-ID:              <testabcd.1234@silly.test>\r\n" +
		"\r\n" +
		"Testing.\r\n"},
	{"07missing", "Subject: no from\r\n" +
		"\r\n" +
		"just a body"},
	{"08lfonly", "From: lf@example.com\n" +
		"Subject: LF only\n" +
		"Content-Type: multipart/mixed; boundary=zz\n" +
		"\n" +
		"--zz\n" +
		"Content-Type: text/plain\n" +
		"\n" +
		"line one\n" +
		"line two\n" +
		"--zz--\n"},
	{"09noblank", "From: x@example.com\r\n" +
		"Subject: no blank line\r\n" +
		"Hello there\r\n"},
	{"10noparts", "From: x@example.com\r\n" +
		"Content-Type: multipart/mixed; boundary=nothere\r\n" +
		"\r\n" +
		"no boundary anywhere\r\n"},
	{"11params", "From: x@example.com\r\n" +
		"Content-Type: text/plain; format=flowed; delsp=yes\r\n" +
		"Content-Disposition: inline\r\n" +
		"\r\n" +
		"body\r\n"},
	{"12garbage", "From: x@example.com\r\n" +
		"Content-Type: garbage\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" +
		"body\r\n"},
	{"13digest", "From: x@example.com\r\n" +
		"Content-Type: multipart/digest; boundary=d\r\n" +
		"\r\n" +
		"--d\r\n" +
		"\r\n" +
		"Subject: first\r\n" +
		"From: a@example.com\r\n" +
		"\r\n" +
		"one\r\n" +
		"--d\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"not a message\r\n" +
		"--d--\r\n"},
	{"14rfc2231", "From: x@example.com\r\n" +
		"Content-Type: multipart/mixed; boundary=q\r\n" +
		"\r\n" +
		"--q\r\n" +
		"Content-Type: application/octet-stream;\r\n" +
		" name*0=\"very long \";\r\n" +
		" name*1=\"name.txt\"\r\n" +
		"Content-Disposition: attachment;\r\n" +
		" filename*=utf-8''%E2%82%AC%20rates.txt\r\n" +
		"\r\n" +
		"AAAA\r\n" +
		"--q--\r\n"},
	{"15noeol", "From: x@example.com\r\n" +
		"Subject: no final newline\r\n" +
		"\r\n" +
		"line1\r\n" +
		"line2"},
	{"16headertrail", "From: x@example.com\r\n" +
		"Subject: trailing space   \r\n" +
		"To: undisclosed-recipients:;\r\n" +
		"In-Reply-To: <a@b> (comment)\r\n" +
		"Message-ID: junk id\r\n" +
		"\r\n" +
		"body\r\n"},
	{"17prefixbound", "From: x@example.com\r\n" +
		"Content-Type: multipart/mixed; boundary=abc\r\n" +
		"\r\n" +
		"--abc\r\n" +
		"Content-Type: multipart/alternative; boundary=abcd\r\n" +
		"\r\n" +
		"--abcd\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"inner\r\n" +
		"--abcd--\r\n" +
		"--abc\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"second\r\n" +
		"--abc--\r\n"},
	{"20case", "From: x@example.com\r\n" +
		"Subject: \r\n" +
		"Content-Type: Multipart/MIXED; Boundary=\"BB\"; Foo=Bar\r\n" +
		"\r\n" +
		"--BB\r\n" +
		"Content-Type: Application/PDF; Name=\"Foo.PDF\"; CHARSET=UTF-8\r\n" +
		"Content-Transfer-Encoding: BASE64\r\n" +
		"Content-Disposition: ATTACHMENT; FILENAME=Foo.PDF\r\n" +
		"\r\n" +
		"AAAA\r\n" +
		"--BB\r\n" +
		"Content-Type: text/plain; charset=\"UTF-8\"\r\n" +
		"Content-Transfer-Encoding: Quoted-Printable\r\n" +
		"Content-Language: EN-us\r\n" +
		"\r\n" +
		"x\r\n" +
		"--BB\r\n" +
		"Content-Type: text\r\n" +
		"\r\n" +
		"y\r\n" +
		"--BB\r\n" +
		"Content-Type:\r\n" +
		"\r\n" +
		"z\r\n" +
		"--BB\r\n" +
		"Content-Type: multipart/mixed\r\n" +
		"\r\n" +
		"w\r\n" +
		"--BB\r\n" +
		"Content-Type: message/rfc822\r\n" +
		"\r\n" +
		"Subject: inner\r\n" +
		"\r\n" +
		"inner body\r\n" +
		"--BB--\r\n"},
	{"21addr", "From: (only comment) <>\r\n" +
		"Sender: John   Smith <js@x.test>\r\n" +
		"Reply-To:\r\n" +
		"To: ,,a@b.test, John Q. Public <jqp@x.test>, @host.test, \"\" <e@x.test>, J\xc3\x83\xc2\xb6rg <j@x.test>\r\n" +
		"Cc: foo bar <a@b.test\r\n" +
		"Bcc: \"Joe \\\"Q\\\" Sixpack\" <joe@x.test>, \"weird local\"@x.test, a.b.c@[1.2.3.4], group1: ; x@y.test\r\n" +
		"In-Reply-To: \r\n" +
		"Message-ID: <id1@x.test>\r\n" +
		"Subject: =?UTF-8?B?w6k=?=\r\n" +
		"\r\n" +
		"b\r\n"},
	{"22ctempty", "From: x@example.com\r\n" +
		"Content-Type: text/plain; charset=\r\n" +
		"Content-Disposition: attachment\r\n" +
		"Content-ID:\r\n" +
		"Content-Location: foo\r\n" +
		" bar\r\n" +
		"\r\n" +
		"b\r\n"},
	{"24top822", "From: x@example.com\r\n" +
		"Content-Type: message/rfc822\r\n" +
		"\r\n" +
		"From: y@example.com\r\n" +
		"Subject: inner\r\n" +
		"\r\n" +
		"inner body\r\n"},
	{"25crlfmix", "From: x@example.com\r\n" +
		"Subject: mixed\n" +
		"Content-Type: text/plain\r\n" +
		"\n" +
		"body\n" +
		"more\r\n"},
	{"26tight822", "From: x@example.com\r\n" +
		"Content-Type: multipart/mixed; boundary=out\r\n" +
		"\r\n" +
		"--out\r\n" +
		"Content-Type: message/rfc822\r\n" +
		"\r\n" +
		"Subject: in\r\n" +
		"Content-Type: multipart/alternative; boundary=in\r\n" +
		"\r\n" +
		"--in\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"hi\r\n" +
		"--in--\r\n" +
		"--out\r\n" +
		"Content-Type: multipart/related; boundary=rel\r\n" +
		"\r\n" +
		"--rel\r\n" +
		"\r\n" +
		"r1\r\n" +
		"--rel--\r\n" +
		"epilogue\r\n" +
		"--out--\r\n"},
	{"27baddate", "From: x@example.com\r\n" +
		"Date: garbage\r\n" +
		"Subject: bad date\r\n" +
		"\r\n" +
		"b\r\n"},
	{"28olddate", "From: x@example.com\r\n" +
		"Date: Thu, 13 Feb 1969 23:32:00 -0330\r\n" +
		"Subject: old date\r\n" +
		"\r\n" +
		"b\r\n"},
	{"29date2", "From: x@example.com\r\n" +
		"Date: 13 Feb 2023 23:32 +0000\r\n" +
		"Subject: no weekday no seconds\r\n" +
		"\r\n" +
		"b\r\n"},
	{"30b64text", "From: =?utf-8?B?w4lsb2RpZQ==?= <elodie@example.fr>\r\n" +
		"To: team@example.com\r\n" +
		"Subject: =?utf-8?B?UsOpdW5pb24gZGUgbCfDqXF1aXBl?= =?utf-8?Q?_=E2=80=93_lundi?=\r\n" +
		"Date: Mon, 8 Jan 2024 08:15:00 +0100\r\n" +
		"Message-ID: <b64@example.fr>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"R3LDvMOfZSBhdXMgTcO8bmNoZW4hDQpCaXMgYmFsZC4NCg==\r\n"},
	{"31thunderbird", "From: Bob <bob@example.org>\r\n" +
		"To: Ann <ann@example.com>\r\n" +
		"Subject: Photos\r\n" +
		"Date: Tue, 9 Jan 2024 19:45:12 -0800\r\n" +
		"Message-ID: <tb1@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed;\r\n" +
		" boundary=\"------------mix\"\r\n" +
		"\r\n" +
		"This is a multi-part message in MIME format.\r\n" +
		"--------------mix\r\n" +
		"Content-Type: multipart/alternative;\r\n" +
		" boundary=\"------------alt\"\r\n" +
		"\r\n" +
		"\r\n" +
		"--------------alt\r\n" +
		"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"\r\n" +
		"Here are the photos.\r\n" +
		"\r\n" +
		"--------------alt\r\n" +
		"Content-Type: text/html; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"\r\n" +
		"<html><body><p>Here are the photos.</p></body></html>\r\n" +
		"\r\n" +
		"--------------alt--\r\n" +
		"--------------mix\r\n" +
		"Content-Type: image/png; name=\"dot.png\"\r\n" +
		"Content-Disposition: attachment; filename=\"dot.png\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\r\n" +
		"\r\n" +
		"--------------mix--\r\n"},
}

// corpusMessage returns the corpus message with that name.
func corpusMessage(t testing.TB, name string) []byte {
	t.Helper()
	for _, m := range testMessages {
		if m.name == name {
			return []byte(m.raw)
		}
	}
	t.Fatalf("no corpus message %q", name)
	return nil
}

// fuzzSpecs are the sections FuzzParseMessage fetches besides those of
// every part.
var fuzzSpecs = []string{"", "HEADER", "TEXT", "1", "1.MIME", "1.1", "2.1.HEADER", "9999999999",
	"HEADER.FIELDS (SUBJECT FROM)", "HEADER.FIELDS.NOT (Content-Type)", "1.HEADER.FIELDS (TO)"}

// FuzzParseMessage checks that any input parses without panicking, that
// every part's section, envelope and body structure can be computed and
// written with imapwire, that the client decodes them back, and that the
// sizes BODYSTRUCTURE gives are those of the sections FETCH returns.
func FuzzParseMessage(f *testing.F) {
	for _, m := range testMessages {
		f.Add([]byte(m.raw))
	}
	f.Add([]byte(strings.Repeat("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n", 40)))
	f.Add([]byte(strings.Repeat("Content-Type: message/rfc822\r\n\r\n", 40)))
	f.Add([]byte("To: a:b:c;;;<<>>@@(((\\\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := parseMessage(raw)
		env := p.envelope()
		bs := p.bodyStructure(true)
		body := p.bodyStructure(false)
		for _, spec := range fuzzSpecs {
			if data, ok := p.section(spec); ok && data == nil {
				t.Fatalf("section %q: nil data", spec)
			}
		}
		whole, _ := p.section("")
		bs.Walk(func(path string, part *imap.BodyStructure) bool {
			if path == "" {
				return true
			}
			data, ok := p.section(path)
			if !ok {
				t.Fatalf("part %s of the body structure has no section", path)
			}
			// (imap.Walk numbers the parts of a message whose own type is
			// message/rfc822 one level off: skip the check for those.)
			if len(part.Parts) == 0 && bs.Body == nil && uint32(len(data)) != part.Size {
				t.Fatalf("part %s: size %d, section of %d bytes", path, part.Size, len(data))
			}
			for _, sfx := range []string{".MIME", ".HEADER", ".TEXT", ".HEADER.FIELDS (FROM)"} {
				p.section(path + sfx)
			}
			return true
		})
		if len(bs.Parts) == 0 && bs.Envelope == nil && !bytes.HasSuffix(whole, mustSection(t, p, "TEXT")) {
			t.Fatal("TEXT is not the end of the message")
		}
		roundTrip(t, env, bs, body)
	})
}

func mustSection(t *testing.T, p *parsedMessage, spec string) []byte {
	t.Helper()
	data, ok := p.section(spec)
	if !ok {
		t.Fatalf("section %q missing", spec)
	}
	return data
}

// roundTrip writes an envelope and body structures as a FETCH response and
// reads them back as the client does, failing on any error.
func roundTrip(t *testing.T, env *imap.Envelope, bs, body *imap.BodyStructure) (*imap.Envelope, *imap.BodyStructure) {
	t.Helper()
	var buf bytes.Buffer
	e := imapwire.NewResponseEncoder(&buf)
	if err := e.Fetch(1).Envelope(env).BodyStructure(bs).Body(body).End(); err != nil {
		t.Fatalf("encoding: %v", err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	d := imapwire.NewDecoder(bytes.NewReader(buf.Bytes()), nil)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatalf("decoding %q: %v", buf.Bytes(), err)
	}
	items, err := r.ReadAllFetchItems()
	if err != nil || len(items) != 3 {
		t.Fatalf("decoding %q: %d items, %v", buf.Bytes(), len(items), err)
	}
	return items[0].Envelope, items[1].Body
}

// FuzzCompileSearch checks that any SEARCH command compiles or fails
// cleanly, and that a compiled one runs on every corpus message.
func FuzzCompileSearch(f *testing.F) {
	for _, q := range searchQueries {
		f.Add(q.query)
	}
	for _, q := range []string{`OR (NOT 1:*) UID 2,4:* HEADER X ""`, `MODSEQ "/flags/\\Seen" all 5`,
		`CHARSET UTF-8 TEXT {4}` + "\r\n" + `caf\xc3`, `NOT NOT NOT ((((SEEN))))`, `SENTON 31-Feb-2024`} {
		f.Add(q)
	}
	msgs := make([]*searchMsg, len(testMessages))
	for i, m := range testMessages {
		p := parseMessage([]byte(m.raw))
		msgs[i] = &searchMsg{seq: uint32(i + 1), uid: uint32(3*i + 1), flags: []string{`\Seen`, "$x"},
			internalDate: time.Date(2024, 1, i+1, 12, 0, 0, 0, time.UTC), size: int64(len(m.raw)), modseq: uint64(i), msg: p}
	}
	f.Fuzz(func(t *testing.T, query string) {
		args, charset, ok := searchArgs(query)
		if !ok {
			return
		}
		m, err := compileSearch(args, charset)
		if err != nil {
			if m != nil {
				t.Fatal("matcher with an error")
			}
			return
		}
		for _, msg := range msgs {
			m(msg, uint32(len(msgs)), uint32(3*len(msgs)))
		}
	})
}

// searchArgs reads "SEARCH query" with imapwire's command decoder, as the
// server does, and splits off CHARSET.
func searchArgs(query string) (args []imapwire.Value, charset string, ok bool) {
	d := imapwire.NewCommandDecoder(strings.NewReader("a SEARCH "+query+"\r\n"), nil)
	cmd, err := d.ReadCommand()
	if err != nil || cmd == nil {
		return nil, "", false
	}
	args = cmd.Args
	if len(args) >= 2 && args[0].IsAtom("CHARSET") {
		charset, _ = args[1].AString()
		args = args[2:]
	}
	return args, charset, true
}
