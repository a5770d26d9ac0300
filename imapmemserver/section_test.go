package imapmemserver

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// dovecotSections holds Dovecot 2.3's answers to BODY[spec] for each
// corpus message (fuzz_test.go), compactly: "spec=offset+length" names the
// bytes of the message (with CRLF line ends) Dovecot returned, "spec=-"
// that it returned an empty string ("*" is the empty spec, the whole
// message). Dovecot answers "" for a part that does not exist; section
// reports false then, or returns an empty part.
var dovecotSections = map[string]string{
	"01plain":       "*=0+310 HEADER=0+255 TEXT=255+55 1=255+55 1.MIME=0+255 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"02alt":         "*=0+615 HEADER=0+310 TEXT=310+305 1=465+28 1.MIME=362+103 1.1=465+28 1.HEADER=- 1.TEXT=- 2=578+27 2.MIME=501+77 2.HEADER=- 2.TEXT=- 2.1=578+27 2.1.MIME=501+77 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"03mixed":       "*=0+737 HEADER=0+234 TEXT=234+503 1=306+48 1.MIME=252+54 1.1=306+48 1.HEADER=- 1.TEXT=- 2=641+62 2.MIME=374+267 2.HEADER=- 2.TEXT=- 2.1=641+62 2.1.MIME=374+267 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"04nested":      "*=0+622 HEADER=0+171 TEXT=171+451 1=226+10 1.MIME=180+46 1.1=226+10 1.HEADER=- 1.TEXT=- 2=308+301 2.MIME=247+61 2.HEADER=308+196 2.TEXT=504+105 2.1=541+5 2.1.MIME=513+28 2.2=584+12 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=541+5 1.1.1=- 1.2.MIME=-",
	"05encoded":     "*=0+389 HEADER=0+367 TEXT=367+22 1=367+22 1.MIME=0+367 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"06groups":      "*=0+616 HEADER=0+606 TEXT=606+10 1=606+10 1.MIME=0+606 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"07missing":     "*=0+31 HEADER=0+20 TEXT=20+11 1=20+11 1.MIME=0+20 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"08lfonly":      "*=0+148 HEADER=0+86 TEXT=86+62 1=120+18 1.MIME=92+28 1.1=120+18 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"09noblank":     "*=0+58 HEADER=0+58 TEXT=- 1=- 1.MIME=0+58 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"10noparts":     "*=0+94 HEADER=0+72 TEXT=72+22 1=- 1.MIME=- 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"11params":      "*=0+110 HEADER=0+104 TEXT=104+6 1=104+6 1.MIME=0+104 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"12garbage":     "*=0+85 HEADER=0+79 TEXT=79+6 1=79+6 1.MIME=0+79 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"13digest":      "*=0+173 HEADER=0+67 TEXT=67+106 1=74+42 1.MIME=19+2 1.1=113+3 1.HEADER=74+39 1.TEXT=113+3 2=151+13 2.MIME=123+28 2.HEADER=- 2.TEXT=- 2.1=151+13 2.1.MIME=123+28 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"14rfc2231":     "*=0+245 HEADER=0+66 TEXT=66+179 1=232+4 1.MIME=71+161 1.1=232+4 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"15noeol":       "*=0+62 HEADER=0+50 TEXT=50+12 1=50+12 1.MIME=0+50 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"16headertrail": "*=0+138 HEADER=0+132 TEXT=132+6 1=132+6 1.MIME=0+132 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"17prefixbound": "*=0+234 HEADER=0+68 TEXT=68+166 1=129+53 1.MIME=75+54 1.1=165+5 1.HEADER=- 1.TEXT=- 2=217+6 2.MIME=137+28 2.HEADER=- 2.TEXT=- 2.1=217+6 2.1.MIME=137+28 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=165+5 1.2.MIME=-",
	"20case":        "*=0+550 HEADER=0+89 TEXT=89+461 1=245+4 1.MIME=95+150 1.1=245+4 1.HEADER=- 1.TEXT=- 2=6+1 2.MIME=257+115 2.HEADER=- 2.TEXT=- 2.1=6+1 2.1.MIME=257+115 2.2=- 3=41+1 3.1=41+1 6.1=530+10 6.HEADER=512+18 6.TEXT=530+10 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"21addr":        "*=0+356 HEADER=0+353 TEXT=353+3 1=353+3 1.MIME=0+353 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"22ctempty":     "*=0+137 HEADER=0+134 TEXT=134+3 1=134+3 1.MIME=0+134 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"24top822":      "*=0+104 HEADER=0+53 TEXT=53+51 1=53+51 1.MIME=0+53 1.1=92+12 1.HEADER=53+39 1.TEXT=92+12 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"25crlfmix":     "*=0+77 HEADER=0+65 TEXT=65+12 1=65+12 1.MIME=0+65 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"26tight822":    "*=0+315 HEADER=0+68 TEXT=68+247 1=107+111 1.MIME=75+32 1.1=206+2 1.HEADER=107+65 1.TEXT=172+46 2=274+30 2.MIME=225+49 2.HEADER=- 2.TEXT=- 2.1=283+2 2.1.MIME=19+2 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=283+2 1.1.1=206+2 1.2.MIME=-",
	"27baddate":     "*=0+60 HEADER=0+57 TEXT=57+3 1=57+3 1.MIME=0+57 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"28olddate":     "*=0+84 HEADER=0+81 TEXT=81+3 1=81+3 1.MIME=0+81 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"29date2":       "*=0+89 HEADER=0+86 TEXT=86+3 1=86+3 1.MIME=0+86 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"30b64text":     "*=0+350 HEADER=0+300 TEXT=300+50 1=300+50 1.MIME=0+300 1.1=- 1.HEADER=- 1.TEXT=- 2=- 2.MIME=- 2.HEADER=- 2.TEXT=- 2.1=- 2.1.MIME=- 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=- 2.1.1=- 1.1.1=- 1.2.MIME=-",
	"31thunderbird": "*=0+937 HEADER=0+224 TEXT=224+713 1=358+308 1.MIME=289+69 1.1=470+22 1.HEADER=- 1.TEXT=- 2=816+98 2.MIME=685+131 2.HEADER=- 2.TEXT=- 2.1=816+98 2.1.MIME=685+131 2.2=- 3=- 3.1=- 6.1=- 6.HEADER=- 6.TEXT=- 1.2=588+55 2.1.1=- 1.1.1=470+22 1.2.MIME=513+75",
}

var dovecotHeaderFields = []struct{ msg, spec, want string }{
	{"01plain", "HEADER.FIELDS (SUBJECT FROM)", "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n" +
		"Subject: afternoon meeting\r\n" +
		"\r\n"},
	{"01plain", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n" +
		"To: mooch@owatagu.siam.edu\r\n" +
		"Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
		"\r\n"},
	{"01plain", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"02alt", "HEADER.FIELDS (SUBJECT FROM)", "From: \"Ann Example\" <ann@example.com>\r\n" +
		"Subject: Lunch\r\n" +
		" plans  \r\n" +
		"\r\n"},
	{"02alt", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: Bob <bob@example.org>, carol@example.net\r\n" +
		"Cc: dave@example.com\r\n" +
		"Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n" +
		"Message-ID: <alt1@example.com>\r\n" +
		"In-Reply-To: <prev@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
		"\r\n"},
	{"02alt", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"03mixed", "HEADER.FIELDS (SUBJECT FROM)", "From: ann@example.com\r\n" +
		"Subject: Report\r\n" +
		"\r\n"},
	{"03mixed", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: bob@example.org\r\n" +
		"Date: Wed, 3 Jan 2024 09:30:00 -0500\r\n" +
		"Message-ID: <mixed1@example.com>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"----=_Part_0_1\"\r\n" +
		"Content-Language: en\r\n" +
		"\r\n"},
	{"03mixed", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"04nested", "HEADER.FIELDS (SUBJECT FROM)", "From: ann@example.com\r\n" +
		"Subject: Fwd: Lunch\r\n" +
		"\r\n"},
	{"04nested", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: bob@example.org\r\n" +
		"Date: Thu, 4 Jan 2024 12:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=outer\r\n" +
		"\r\n"},
	{"04nested", "2.HEADER.FIELDS (SUBJECT)", "Subject: Lunch\r\n" +
		"\r\n"},
	{"05encoded", "HEADER.FIELDS (SUBJECT FROM)", "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\r\n" +
		"Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n" +
		" =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n" +
		"\r\n"},
	{"05encoded", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n" +
		"Date: Fri, 5 Jan 2024 12:00:00 +0100\r\n" +
		"Content-Type: text/plain; charset=iso-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n"},
	{"05encoded", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"06groups", "HEADER.FIELDS (SUBJECT FROM)", "From: Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>\r\n" +
		"\r\n"},
	{"06groups", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: A Group(Some people)\r\n" +
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
		"\r\n"},
	{"06groups", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"07missing", "HEADER.FIELDS (SUBJECT FROM)", "Subject: no from\r\n" +
		"\r\n"},
	{"07missing", "HEADER.FIELDS.NOT (SUBJECT FROM)", "\r\n"},
	{"07missing", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"08lfonly", "HEADER.FIELDS (SUBJECT FROM)", "From: lf@example.com\r\n" +
		"Subject: LF only\r\n" +
		"\r\n"},
	{"08lfonly", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/mixed; boundary=zz\r\n" +
		"\r\n"},
	{"08lfonly", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"09noblank", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: no blank line\r\n" +
		"\r\n"},
	{"09noblank", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Hello there\r\n"},
	{"09noblank", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"10noparts", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"10noparts", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/mixed; boundary=nothere\r\n" +
		"\r\n"},
	{"10noparts", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"11params", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"11params", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: text/plain; format=flowed; delsp=yes\r\n" +
		"Content-Disposition: inline\r\n" +
		"\r\n"},
	{"11params", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"12garbage", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"12garbage", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: garbage\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n"},
	{"12garbage", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"13digest", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"13digest", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/digest; boundary=d\r\n" +
		"\r\n"},
	{"13digest", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"14rfc2231", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"14rfc2231", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/mixed; boundary=q\r\n" +
		"\r\n"},
	{"14rfc2231", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"15noeol", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: no final newline\r\n" +
		"\r\n"},
	{"15noeol", "HEADER.FIELDS.NOT (SUBJECT FROM)", "\r\n"},
	{"15noeol", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"16headertrail", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: trailing space   \r\n" +
		"\r\n"},
	{"16headertrail", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: undisclosed-recipients:;\r\n" +
		"In-Reply-To: <a@b> (comment)\r\n" +
		"Message-ID: junk id\r\n" +
		"\r\n"},
	{"16headertrail", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"17prefixbound", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"17prefixbound", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/mixed; boundary=abc\r\n" +
		"\r\n"},
	{"17prefixbound", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"20case", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: \r\n" +
		"\r\n"},
	{"20case", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: Multipart/MIXED; Boundary=\"BB\"; Foo=Bar\r\n" +
		"\r\n"},
	{"20case", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"21addr", "HEADER.FIELDS (SUBJECT FROM)", "From: (only comment) <>\r\n" +
		"Subject: =?UTF-8?B?w6k=?=\r\n" +
		"\r\n"},
	{"21addr", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Sender: John   Smith <js@x.test>\r\n" +
		"Reply-To:\r\n" +
		"To: ,,a@b.test, John Q. Public <jqp@x.test>, @host.test, \"\" <e@x.test>, J\xc3\x83\xc2\xb6rg <j@x.test>\r\n" +
		"Cc: foo bar <a@b.test\r\n" +
		"Bcc: \"Joe \\\"Q\\\" Sixpack\" <joe@x.test>, \"weird local\"@x.test, a.b.c@[1.2.3.4], group1: ; x@y.test\r\n" +
		"In-Reply-To: \r\n" +
		"Message-ID: <id1@x.test>\r\n" +
		"\r\n"},
	{"21addr", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"22ctempty", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"22ctempty", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: text/plain; charset=\r\n" +
		"Content-Disposition: attachment\r\n" +
		"Content-ID:\r\n" +
		"Content-Location: foo\r\n" +
		" bar\r\n" +
		"\r\n"},
	{"22ctempty", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"24top822", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"24top822", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: message/rfc822\r\n" +
		"\r\n"},
	{"24top822", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"25crlfmix", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: mixed\r\n" +
		"\r\n"},
	{"25crlfmix", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: text/plain\r\n" +
		"\r\n"},
	{"25crlfmix", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"26tight822", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"\r\n"},
	{"26tight822", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Content-Type: multipart/mixed; boundary=out\r\n" +
		"\r\n"},
	{"26tight822", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"27baddate", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: bad date\r\n" +
		"\r\n"},
	{"27baddate", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Date: garbage\r\n" +
		"\r\n"},
	{"27baddate", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"28olddate", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: old date\r\n" +
		"\r\n"},
	{"28olddate", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Date: Thu, 13 Feb 1969 23:32:00 -0330\r\n" +
		"\r\n"},
	{"28olddate", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"29date2", "HEADER.FIELDS (SUBJECT FROM)", "From: x@example.com\r\n" +
		"Subject: no weekday no seconds\r\n" +
		"\r\n"},
	{"29date2", "HEADER.FIELDS.NOT (SUBJECT FROM)", "Date: 13 Feb 2023 23:32 +0000\r\n" +
		"\r\n"},
	{"29date2", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"30b64text", "HEADER.FIELDS (SUBJECT FROM)", "From: =?utf-8?B?w4lsb2RpZQ==?= <elodie@example.fr>\r\n" +
		"Subject: =?utf-8?B?UsOpdW5pb24gZGUgbCfDqXF1aXBl?= =?utf-8?Q?_=E2=80=93_lundi?=\r\n" +
		"\r\n"},
	{"30b64text", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: team@example.com\r\n" +
		"Date: Mon, 8 Jan 2024 08:15:00 +0100\r\n" +
		"Message-ID: <b64@example.fr>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n"},
	{"30b64text", "2.HEADER.FIELDS (SUBJECT)", ""},
	{"31thunderbird", "HEADER.FIELDS (SUBJECT FROM)", "From: Bob <bob@example.org>\r\n" +
		"Subject: Photos\r\n" +
		"\r\n"},
	{"31thunderbird", "HEADER.FIELDS.NOT (SUBJECT FROM)", "To: Ann <ann@example.com>\r\n" +
		"Date: Tue, 9 Jan 2024 19:45:12 -0800\r\n" +
		"Message-ID: <tb1@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed;\r\n" +
		" boundary=\"------------mix\"\r\n" +
		"\r\n"},
	{"31thunderbird", "2.HEADER.FIELDS (SUBJECT)", ""},
}

// dovecotSectionDiffs are answers where we differ from Dovecot on purpose:
// for a header without the empty line that should end it, Dovecot ends
// HEADER.FIELDS with an empty line but not HEADER.FIELDS.NOT; we always
// end both with one.
var dovecotSectionDiffs = map[string]string{
	"09noblank HEADER.FIELDS.NOT (SUBJECT FROM)": "Hello there\r\n\r\n",
}

func TestSectionDovecot(t *testing.T) {
	for _, m := range testMessages {
		p := parseMessage([]byte(m.raw))
		entries := strings.Fields(dovecotSections[m.name])
		if len(entries) == 0 {
			t.Fatalf("%s: no Dovecot answers", m.name)
		}
		for _, e := range entries {
			spec, where, _ := strings.Cut(e, "=")
			if spec == "*" {
				spec = ""
			}
			got, ok := p.section(spec)
			if where == "-" {
				if len(got) != 0 {
					t.Errorf("%s BODY[%s] = %q (ok %v), want empty", m.name, spec, got, ok)
				}
				continue
			}
			off, n := parseOffLen(t, where)
			if want := p.raw[off : off+n]; !ok || !bytes.Equal(got, want) {
				t.Errorf("%s BODY[%s] = %q (ok %v)\nwant %q", m.name, spec, got, ok, want)
			}
		}
	}
	for _, tc := range dovecotHeaderFields {
		want := tc.want
		if d, ok := dovecotSectionDiffs[tc.msg+" "+tc.spec]; ok {
			want = d
		}
		p := parseMessage(corpusMessage(t, tc.msg))
		got, ok := p.section(tc.spec)
		if string(got) != want || (!ok && want != "") {
			t.Errorf("%s BODY[%s] = %q (ok %v)\nwant %q", tc.msg, tc.spec, got, ok, want)
		}
	}
}

func parseOffLen(t *testing.T, s string) (int, int) {
	t.Helper()
	a, b, _ := strings.Cut(s, "+")
	off, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad entry %q", s)
	}
	return off, n
}

func TestSectionByHand(t *testing.T) {
	nested := parseMessage(corpusMessage(t, "04nested"))
	folded := parseMessage([]byte("Subject: a\r\n b\r\nX-A: 1\r\nx-a: 2\r\nFrom: f@x.test\r\n\r\nbody\r\n"))
	lf := parseMessage([]byte("Subject: s\nTo: t@x.test\n\nline\n"))
	noBlank := parseMessage([]byte("Subject: s\r\nTo: t@x.test"))
	noParts := parseMessage(corpusMessage(t, "10noparts"))
	for _, tc := range []struct {
		p          *parsedMessage
		spec, want string
		ok         bool
	}{
		{nested, "2.HEADER.FIELDS (Subject)", "Subject: Lunch\r\n\r\n", true},
		{nested, "2.header.fields (subject message-id)", "Subject: Lunch\r\nMessage-ID: <inner@example.net>\r\n\r\n", true},
		{nested, "2.1.MIME", "Content-Type: text/plain\r\n\r\n", true},
		{nested, "2.1", "Noon?", true},
		{nested, "2.1.1", "Noon?", true}, // a text part is its own part 1, once
		{nested, "2.1.1.1", "", false},
		{nested, "1.HEADER", "", false}, // not a message
		{nested, "1.TEXT", "", false},
		{nested, "3", "", false},
		{nested, "2.3", "", false},
		{nested, "MIME", "", false},
		{nested, "0", "", false},
		{nested, "01", "", false},
		{nested, "1.", "", false},
		{nested, "HEADER.FIELDS ()", "", false},
		{nested, "HEADER.FIELDS", "", false},
		{nested, "HEADER.FIELDS (X-None)", "\r\n", true},
		{folded, "HEADER.FIELDS (SUBJECT)", "Subject: a\r\n b\r\n\r\n", true},
		{folded, `HEADER.FIELDS ("X-A")`, "X-A: 1\r\nx-a: 2\r\n\r\n", true},
		{folded, "HEADER.FIELDS.NOT (X-A subject)", "From: f@x.test\r\n\r\n", true},
		{folded, "TEXT", "body\r\n", true},
		{folded, "1", "body\r\n", true},
		{folded, "1.1", "", false},
		{folded, "1.MIME", "Subject: a\r\n b\r\nX-A: 1\r\nx-a: 2\r\nFrom: f@x.test\r\n\r\n", true},
		{lf, "", "Subject: s\r\nTo: t@x.test\r\n\r\nline\r\n", true},
		{lf, "HEADER.FIELDS (To)", "To: t@x.test\r\n\r\n", true},
		{noBlank, "HEADER", "Subject: s\r\nTo: t@x.test", true},
		{noBlank, "HEADER.FIELDS (To)", "To: t@x.test\r\n\r\n", true},
		{noBlank, "TEXT", "", true},
		{noParts, "1", "", true}, // the empty part Dovecot shows
		{noParts, "1.MIME", "", true},
		{noParts, "2", "", false},
	} {
		got, ok := tc.p.section(tc.spec)
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("BODY[%s] = %q, %v; want %q, %v", tc.spec, got, ok, tc.want, tc.ok)
		}
		if ok && got == nil {
			t.Errorf("BODY[%s]: nil data", tc.spec)
		}
		if ok && !validSectionSpec(tc.spec) {
			t.Errorf("validSectionSpec(%q) = false", tc.spec)
		}
	}
}

func TestParseSectionSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string // path/text/fields, or "" when invalid
	}{
		{"", "[]//[]"},
		{"HEADER", "[]/HEADER/[]"},
		{"header", "[]/HEADER/[]"},
		{"TEXT", "[]/TEXT/[]"},
		{"1", "[1]//[]"},
		{"1.2.3", "[1 2 3]//[]"},
		{"1.MIME", "[1]/MIME/[]"},
		{"2.HEADER", "[2]/HEADER/[]"},
		{"2.TEXT", "[2]/TEXT/[]"},
		{"HEADER.FIELDS (A B)", "[]/HEADER.FIELDS/[A B]"},
		{`HEADER.FIELDS.NOT ("A b" c)`, "[]/HEADER.FIELDS.NOT/[A b c]"},
		{"3.header.fields (x)", "[3]/HEADER.FIELDS/[x]"},
		{"MIME", ""},
		{"0", ""},
		{"1.0", ""},
		{"01", ""},
		{"1.", ""},
		{".1", ""},
		{"1..2", ""},
		{"1.FOO", ""},
		{"HEADER (A)", ""},
		{"TEXT.1", ""},
		{"HEADER.FIELDS", ""},
		{"HEADER.FIELDS ()", ""},
		{"HEADER.FIELDS (A", ""},
		{`HEADER.FIELDS ("A)`, ""},
		{"HEADER.FIELDS A", ""},
		{"99999999999999999999", ""},
	} {
		s, ok := parseSectionSpec(tc.spec)
		got := ""
		if ok {
			got = fmt.Sprintf("%v/%s/%v", s.path, s.text, s.fields)
		}
		if got != tc.want {
			t.Errorf("parseSectionSpec(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
}
