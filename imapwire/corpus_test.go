package imapwire

import (
	"strconv"
	"strings"
)

// lit returns s as an IMAP literal.
func lit(s string) string { return "{" + strconv.Itoa(len(s)) + "}\r\n" + s }

// Recorded-style server transcripts, used by the decoder tests and as fuzz
// seeds. Literals outside body sections stay under 64 bytes, so with
// Limits{InlineLiteral: 64} every large literal is a streamed section.
var transcripts = map[string]string{
	"dovecot-login": "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n" +
		"a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE] Logged in\r\n",
	"gmail-greeting": "* OK Gimap ready for requests from 192.0.2.1 k12mb123456ejx\r\n" +
		"* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584 \r\n" +
		"a1 OK Thats all she wrote! k12mb123456ejx\r\n",
	"preauth-bye": "* PREAUTH [CAPABILITY IMAP4rev2] Logged in as alice\r\n" +
		"* BYE Autologout; idle for too long\r\n",
	"select": "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $MDNSent)\r\n" +
		"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $MDNSent \\*)] Flags permitted.\r\n" +
		"* 23 EXISTS\r\n* 1 RECENT\r\n" +
		"* OK [UNSEEN 12] First unseen.\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n" +
		"* OK [UIDNEXT 5] Predicted next UID\r\n* OK [HIGHESTMODSEQ 9223372036854775000] Highest\r\n" +
		"a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
	"tagged": "a3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" +
		"a4 BAD Error in IMAP command UID FETCH: Invalid messageset (0.001 + 0.000 secs).\r\n" +
		"a5 OK [APPENDUID 1 2] Append completed.\r\n" +
		"* NO [ALERT]\r\n" + "a6 OK\r\n" + "a7 OK \r\n" +
		"* OK [BADCHARSET (UTF-8 \"US ASCII\")] x\r\n" +
		"a8 NO [TRYCREATE] Mailbox doesn't exist: Foo\r\n",
	"list": "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" +
		"* LIST (\\Noselect \\HasChildren) NIL \"\"\r\n" +
		"* LSUB () \".\" \"Archive.2024\"\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"Quoted \\\"name\\\" with \\\\ backslash\"\r\n" +
		"* LIST () \"/\" {11}\r\nLiteral Box\r\n" +
		"* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n" +
		"* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n" +
		"* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n" +
		"* LIST () \"\\\\\" Foo\\Bar\r\n" +
		"* LIST (\\HasNoChildren) \"/\" &AMk-t&AOk-\r\n" +
		"a9 OK List completed.\r\n",
	"status-search": "* STATUS INBOX (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 0 HIGHESTMODSEQ 9223372036854775000)\r\n" +
		"* STATUS \"Sent Items\" (MESSAGES 2) \r\n" +
		"* STATUS {9}\r\nA (b) \"c\" (UNSEEN 1)\r\n" +
		"* SEARCH 2 84 882\r\n* SEARCH\r\n* SEARCH 2 5 6 (MODSEQ 917162500)\r\n" +
		"* SEARCH 1 2 \r\n* SORT 5 3 4 1 2\r\n" +
		// Lines longer than the tests' read buffers: parsed while they
		// arrive (search_stream.go), with a modifier, in lower case, with a
		// number beyond 32 bits, and with garbage, each in the middle.
		"* SEARCH " + seqNums(1, 80) + " (MODSEQ 917162500)\r\n" +
		"* sort " + seqNums(500, 540) + "\r\n" +
		"* SEARCH " + seqNums(1, 40) + " 4294967296 " + seqNums(41, 60) + "\r\n" +
		"* SEARCH " + seqNums(1, 40) + " x " + seqNums(41, 60) + "\r\n" +
		"* SEARCH " + seqNums(4294967200, 4294967295) + "\r\n",
	"id-namespace": "* ID NIL\r\n" +
		"* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\" NIL)\r\n" +
		"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n" +
		"* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"shared.\" \".\"))\r\n" +
		"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL ((\"Public Folders/\" \"/\"))\r\n" +
		"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\")) NIL NIL\r\n",
	"expunge-cont": "* 44 EXPUNGE\r\n* 3 XFOO bar\r\n+ Ready for literal data\r\n+\r\n+ \r\n+ dGVzdA==\r\n",
	"unknown": "* QUOTA \"\" (STORAGE 10 512)\r\n" +
		"* ESEARCH (TAG \"a1\") UID ALL 1:3\r\n" +
		"* METADATA INBOX (/private/comment {5}\r\nhello)\r\n" +
		"* VANISHED (EARLIER) 41,43:116\r\n",
	"lowercase": "* ok [alert] System going down\r\n* list (\\noselect) nil \"\"\r\n" +
		"* namespace nil nil nil\r\n* search 1 (modseq 7)\r\n* 2 exists\r\n" +
		"tag1 no [trycreate] no such mailbox\r\n* capability imap4rev1 idle\r\n* id nil\r\n",
	"fetch-meta": "* 12 FETCH (UID 4827 FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 MODSEQ (12121231000))\r\n" +
		"* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334866 X-GM-LABELS (\\Important \\Sent \"Muy Importante\" foo) UID 1)\r\n" +
		"* 2 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) PREVIEW \"Hello, this is\" SAVEDATE NIL)\r\n" +
		"* 3 FETCH (THREADID NIL PREVIEW NIL X-UNKNOWN (a \"b c\" (d)) X-NUM 42 X-LIT {3}\r\nabc)\r\n" +
		"* 4 fetch (uid 9 flags (\\seen) body[] nil)\r\n",
	"fetch-bodies": "* 5 FETCH (UID 10 BODY[] " + lit(strings.Repeat("Body line ten.\r\n", 7)+"1234567890\r\n") + ")\r\n" +
		"* 6 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] " + lit("Subject: hi\r\nFrom: a@example.org\r\n\r\n") +
		" BODY[1.2]<0> {10}\r\n0123456789 BINARY[1] ~{4}\r\n\x00\x01\x02\x03 BINARY.SIZE[1] 1234)\r\n" +
		"* 7 FETCH (RFC822 " + lit(strings.Repeat("x", 90)+"\r\n)\r\n* 8 FETCH (") + ")\r\n" +
		"* 8 FETCH (RFC822.HEADER {2}\r\n\r\n BODY[TEXT] \"quoted body\" BODY[1] NIL BODY[2] \"\")\r\n" +
		"* 9 FETCH (BODY[1] " + lit(strings.Repeat("a", 80)) + " BODY[2] " + lit(strings.Repeat("b", 80)) + ")\r\n",
	"fetch-structure": "* 1 FETCH (UID 1 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") " +
		"BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 1234 40 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 5678 120 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"----=_Part_1\") NIL NIL NIL))\r\n" +
		"* 2 FETCH (BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3028 92) ENVELOPE (NIL " + lit("Subject with \"quotes\" ok") + " ((NIL NIL \"team\" NIL)(\"Ann\" NIL \"ann\" \"x.org\")(NIL NIL NIL NIL)) NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n",
	"long-and-bad": "* LIST (\\Noselect \"/\" x\r\n* FLAGS \\Seen\r\nA1 MAYBE something\r\n\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen)\r\n* 2 FETCH (UID x)\r\n* 4294967296 EXISTS\r\n" +
		"* OK " + strings.Repeat("long ", 240) + "{10}\r\n0123456789 rest\r\n* OK after\r\n",
}

// allTranscripts returns the transcripts concatenated in a fixed order.
func allTranscripts() string {
	var b strings.Builder
	for _, k := range transcriptOrder {
		b.WriteString(transcripts[k])
	}
	return b.String()
}

var transcriptOrder = []string{
	"dovecot-login", "gmail-greeting", "select", "tagged", "list", "status-search",
	"id-namespace", "expunge-cont", "unknown", "lowercase", "fetch-meta",
	"fetch-bodies", "fetch-structure", "preauth-bye", "long-and-bad",
}

// seqNums returns "from from+1 ... to".
func seqNums(from, to uint64) string {
	var b strings.Builder
	for n := from; n <= to; n++ {
		if n > from {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(n, 10))
	}
	return b.String()
}
