package imapclient

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// A multipart/mixed message as Dovecot describes it: text, an
// alternative part, a PDF attachment and a forwarded message/rfc822.
const recordedBodyStructure = `(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 13 1 NIL NIL NIL NIL)` +
	`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)` +
	`("text" "html" ("charset" "us-ascii") NIL NIL "quoted-printable" 22 1 NIL NIL NIL NIL) "alternative" ("boundary" "alt") NIL NIL NIL)` +
	`("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 40 NIL ("attachment" ("filename" "=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=")) NIL NIL)` +
	`("message" "rfc822" NIL NIL NIL "7bit" 120 ("Mon, 7 Feb 1994 21:52:25 -0800" "=?ISO-8859-1?Q?inn=E9r?=" (("Bob" NIL "bob" "example.com")) (("Bob" NIL "bob" "example.com")) (("Bob" NIL "bob" "example.com")) ((NIL NIL "alice" "example.com")) NIL NIL NIL "<inner@x>") ` +
	`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL)`

// An envelope with an encoded subject, a group with members, an empty
// group, NIL lists and NIL names.
const recordedEnvelope = `("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "=?ISO-8859-1?Q?IMAP4rev1_WG_mtg_summary?= =?UTF-8?B?4oCU?= minutes" ` +
	`(("=?KOI8-R?B?8NLJ18XULCDNydI=?=" NIL "gray" "cac.washington.edu")) NIL NIL ` +
	`((NIL NIL "=?UTF-8?Q?Fr=C3=BCnde?=" NIL)("A" NIL "a" "x.org")(NIL NIL "b" "y.org")(NIL NIL NIL NIL)) ` +
	`((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL "<B27397-0100000@cac.washington.edu>")`

func TestFetchRecordedResponses(t *testing.T) {
	var ups []string
	opts := &Options{OnUpdate: func(u Update) { ups = append(ups, fmt.Sprintf("%+v", u)) }}
	c, f := newFetchFake(t, fakeCaps, opts, func(tag, line string) string {
		if !strings.HasPrefix(line, "UID FETCH") {
			return ""
		}
		return `* 1 FETCH (UID 7 FLAGS (\seen $Forwarded) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ` +
			`ENVELOPE ` + recordedEnvelope + ` BODYSTRUCTURE ` + recordedBodyStructure + ` MODSEQ (12345) ` +
			`X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 X-GM-LABELS (\Inbox "&AMk-t&AOk-" Foo) ` +
			`EMAILID (M6d99ac3275bb4e) THREADID NIL PREVIEW "Hello there" SAVEDATE "01-Jan-2020 10:00:00 +0100" ` +
			`BINARY.SIZE[1] 13 X-VENDOR (a "b" 3))` + "\r\n" +
			// A split response for the same message, with body sections.
			`* 1 FETCH (UID 7 BODY[HEADER.FIELDS ("Subject")] {18}` + "\r\nSubject: hello\r\n\r\n" +
			` BODY[]<0> {5}` + "\r\nFrom:" + ` BODY[1] NIL BINARY[1] ~{3}` + "\r\nabc" + ` RFC822.SIZE 4286)` + "\r\n" +
			// Updates: no UID, and a UID outside the set.
			`* 3 FETCH (FLAGS (\Deleted))` + "\r\n" +
			`* 4 FETCH (UID 99 FLAGS (\Deleted) MODSEQ (9))` + "\r\n" +
			`* 2 FETCH (UID 8 FLAGS ())` + "\r\n" +
			"{tag} OK Fetch completed.\r\n"
	})
	res, err := c.Fetch(ctxFetch(t), IDs{7, 8}, []string{
		"FLAGS INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ",
		"X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS", "EMAILID", "THREADID", "PREVIEW", "SAVEDATE",
		"BINARY.SIZE[1]", "BODY.PEEK[HEADER.FIELDS (Subject)]", "BODY.PEEK[]<0.5>", "BODY[1]", "BINARY.PEEK[1]",
	}, "CHANGEDSINCE 5")
	if err != nil {
		t.Fatal(err)
	}
	wantCmd := `UID FETCH 7:8 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ X-GM-MSGID X-GM-THRID X-GM-LABELS ` +
		`EMAILID THREADID PREVIEW SAVEDATE BINARY.SIZE[1] BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[]<0.5> BODY[1] BINARY.PEEK[1]) (CHANGEDSINCE 5)`
	if got := f.lastCommand(); got != wantCmd {
		t.Errorf("command\n got %s\nwant %s", got, wantCmd)
	}
	if len(res) != 2 {
		t.Fatalf("got %d results, want 2 (updates must not pollute): %v", len(res), keysOf(res))
	}
	m := res[7]
	if m == nil {
		t.Fatal("no result for UID 7")
	}
	if m.SeqNum != 1 || m.UID != 7 || m.Size != 4286 || m.ModSeq != 12345 {
		t.Errorf("SeqNum %d UID %d Size %d ModSeq %d", m.SeqNum, m.UID, m.Size, m.ModSeq)
	}
	if strings.Join(m.Flags, ",") != `\Seen,$Forwarded` {
		t.Errorf("Flags %q", m.Flags)
	}
	if want := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600)); !m.InternalDate.Equal(want) {
		t.Errorf("InternalDate %v", m.InternalDate)
	}
	if _, off := m.InternalDate.Zone(); off != -7*3600 {
		t.Errorf("InternalDate zone offset %d: the server's zone must be kept", off)
	}
	if m.GmailMsgID != 1278455344230334865 || m.GmailThreadID != 1266894439832287888 {
		t.Errorf("Gmail ids %d %d", m.GmailMsgID, m.GmailThreadID)
	}
	if strings.Join(m.GmailLabels, "|") != `\Inbox|Été|Foo` {
		t.Errorf("GmailLabels %q", m.GmailLabels)
	}
	if m.EmailID != "M6d99ac3275bb4e" || m.ThreadID != "" || m.Preview != "Hello there" {
		t.Errorf("EmailID %q ThreadID %q Preview %q", m.EmailID, m.ThreadID, m.Preview)
	}
	if !m.SaveDate.Equal(time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("SaveDate %v", m.SaveDate)
	}
	if m.BinarySize["1"] != 13 {
		t.Errorf("BinarySize %v", m.BinarySize)
	}
	if string(m.Raw["X-VENDOR"]) != `(a "b" 3)` {
		t.Errorf("Raw %q", m.Raw)
	}
	// Sections: found with the item as requested.
	for item, want := range map[string]string{
		"BODY.PEEK[HEADER.FIELDS (Subject)]": "Subject: hello\r\n\r\n",
		"body[header.fields (SUBJECT)]":      "Subject: hello\r\n\r\n",
		"BODY.PEEK[]<0.5>":                   "From:",
		"BINARY.PEEK[1]":                     "abc",
	} {
		if got, ok := m.Section(item); !ok || string(got) != want {
			t.Errorf("Section(%q) = %q, %v; want %q", item, got, ok, want)
		}
	}
	if got, ok := m.Section("BODY[1]"); !ok || got != nil {
		t.Errorf("NIL section: %q %v", got, ok)
	}
	if _, ok := m.Sections["BODY[HEADER.FIELDS (SUBJECT)]"]; !ok {
		t.Errorf("section keys %v", keysOfSections(m.Sections))
	}
	// ENVELOPE.
	e := m.Envelope
	if e == nil {
		t.Fatal("no envelope")
	}
	if e.Subject != "IMAP4rev1 WG mtg summary— minutes" {
		t.Errorf("Subject %q", e.Subject)
	}
	if e.Raw.Subject != "=?ISO-8859-1?Q?IMAP4rev1_WG_mtg_summary?= =?UTF-8?B?4oCU?= minutes" {
		t.Errorf("raw subject %q", e.Raw.Subject)
	}
	if want := time.Date(1996, 7, 17, 2, 23, 25, 0, time.FixedZone("", -7*3600)); !e.Date.Equal(want) {
		t.Errorf("Date %v", e.Date)
	}
	if len(e.From) != 1 || e.From[0].Name != "Привет, мир" || e.From[0].Addr() != "gray@cac.washington.edu" {
		t.Errorf("From %+v", e.From)
	}
	if e.Sender != nil || e.ReplyTo != nil || e.Bcc != nil || e.InReplyTo != "" {
		t.Errorf("NIL fields: %+v", e)
	}
	if len(e.To) != 4 || !e.To[0].IsGroupStart() || e.To[0].Mailbox != "Fründe" ||
		e.To[1].Name != "A" || e.To[2].Name != "" || e.To[2].Addr() != "b@y.org" || !e.To[3].IsGroupEnd() {
		t.Errorf("To %+v", e.To)
	}
	if len(e.Cc) != 2 || !e.Cc[0].IsGroupStart() || !e.Cc[1].IsGroupEnd() {
		t.Errorf("Cc %+v", e.Cc)
	}
	if e.MessageID != "<B27397-0100000@cac.washington.edu>" {
		t.Errorf("MessageID %q", e.MessageID)
	}
	// BODYSTRUCTURE.
	bs := m.BodyStructure
	if bs == nil || bs.MediaType() != "multipart/mixed" || len(bs.Parts) != 4 || !bs.Extended {
		t.Fatalf("BodyStructure %+v", bs)
	}
	if alt := bs.Parts[1]; alt.MediaType() != "multipart/alternative" || len(alt.Parts) != 2 || alt.Parts[1].Encoding != "quoted-printable" {
		t.Errorf("alternative %+v", alt)
	}
	if pdf := bs.Parts[2]; pdf.Disposition != "attachment" || DecodeHeader(pdf.Filename()) != "résumé.pdf" {
		t.Errorf("attachment %+v", pdf)
	}
	fwd := bs.Parts[3]
	if fwd.MediaType() != "message/rfc822" || fwd.Body == nil || fwd.Body.MediaType() != "text/plain" || fwd.Lines != 5 {
		t.Errorf("message/rfc822 %+v", fwd)
	}
	if inner := DecodeEnvelope(fwd.Envelope); inner.Subject != "innér" || inner.Date.Year() != 1994 {
		t.Errorf("inner envelope %+v", inner)
	}
	var sections []string
	bs.Walk(func(s string, p *imap.BodyStructure) bool {
		sections = append(sections, s+"="+p.MediaType())
		return true
	})
	if got := strings.Join(sections, " "); got != "=multipart/mixed 1=text/plain 2=multipart/alternative 2.1=text/plain 2.2=text/html 3=application/pdf 4=message/rfc822 4.1=text/plain" {
		t.Errorf("Walk: %s", got)
	}
	if got := strings.Join(ups, " "); got != `&{SeqNum:3 UID:0 Flags:[\Deleted] ModSeq:0} &{SeqNum:4 UID:99 Flags:[\Deleted] ModSeq:9}` {
		t.Errorf("updates %s", got)
	}
	if m8 := res[8]; m8 == nil || m8.SeqNum != 2 || m8.Flags == nil || len(m8.Flags) != 0 {
		t.Errorf("UID 8: %+v", m8)
	}
}

func keysOf(m map[uint32]*Message) []uint32 {
	var out []uint32
	for k := range m {
		out = append(out, k)
	}
	return out
}

func keysOfSections(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFetchSequenceNumbersAndUpdates(t *testing.T) {
	var ups []Update
	opts := &Options{SequenceNumbers: true, NormaliseTimes: true, OnUpdate: func(u Update) { ups = append(ups, u) }}
	c, f := newFetchFake(t, fakeCaps, opts, func(tag, line string) string {
		if !strings.HasPrefix(line, "FETCH") {
			return ""
		}
		return `* 1 FETCH (FLAGS (\Seen) INTERNALDATE " 7-Feb-1994 21:52:25 -0800")` + "\r\n" +
			`* 5 FETCH (FLAGS (\Deleted))` + "\r\n" + // an update for a message outside 1:2
			`* 2 FETCH (FLAGS () INTERNALDATE "bogus")` + "\r\n" +
			`* 1 FETCH (RFC822.SIZE 10)` + "\r\n" +
			"{tag} OK done\r\n"
	})
	res, err := c.Fetch(ctxFetch(t), SetString("1-2"), []string{"FAST"})
	if err != nil {
		t.Fatal(err)
	}
	if cmd := f.lastCommand(); cmd != "FETCH 1:2 (FLAGS INTERNALDATE RFC822.SIZE)" {
		t.Errorf("command %q", cmd)
	}
	if len(res) != 2 || res[1] == nil || res[2] == nil {
		t.Fatalf("results %v", keysOf(res))
	}
	if res[1].Size != 10 || len(res[1].Flags) != 1 || res[1].UID != 0 {
		t.Errorf("merged: %+v", res[1])
	}
	if string(res[2].Raw["INTERNALDATE"]) != "bogus" || !res[2].InternalDate.IsZero() {
		t.Errorf("unparseable INTERNALDATE: %+v", res[2])
	}
	if len(ups) != 1 || ups[0].(*FetchUpdate).SeqNum != 5 || ups[0].(*FetchUpdate).Flags[0] != `\Deleted` {
		t.Errorf("updates %+v", ups)
	}
	if res[1].InternalDate.Location() != time.Local {
		t.Errorf("NormaliseTimes: location %v", res[1].InternalDate.Location())
	}
	if !res[1].InternalDate.Equal(time.Date(1994, 2, 8, 5, 52, 25, 0, time.UTC)) {
		t.Errorf("InternalDate %v", res[1].InternalDate)
	}
}

func TestFetchErrorsBeforeSending(t *testing.T) {
	c, f := newFetchFake(t, "IMAP4rev1", nil, nil)
	ctx := ctxFetch(t)
	for _, items := range [][]string{
		{"BODY[FOO]"}, {"FLAGS\r\nA1 DELETE INBOX"}, {"BODY[HEADER.FIELDS ()]"}, {"BODY[HEADER.FIELDS (A"},
		{"BODY[]<0>"}, {"BODY[]<5.0>"}, {"FLAGS[1]"}, {"BINARY[1.TEXT]"}, {"BODY.PEEK"}, {}, {""}, {"(FLAGS)"},
		{"BODY[1.MIME"}, {"BODY[MIME]"}, {`BODY[HEADER.FIELDS ("unterminated)]`},
	} {
		if _, err := c.Fetch(ctx, ID(1), items); err == nil {
			t.Errorf("Fetch(%q) succeeded", items)
		}
	}
	if _, err := c.Fetch(ctx, ID(1), []string{"FLAGS"}, "CHANGEDSINCE 1\r\nX"); err == nil {
		t.Error("modifier with CRLF accepted")
	}
	var ce *CapabilityError
	for _, item := range []string{"MODSEQ", "X-GM-LABELS", "BINARY.PEEK[1]", "EMAILID", "PREVIEW", "SAVEDATE"} {
		if _, err := c.Fetch(ctx, ID(1), []string{item}); !errors.As(err, &ce) {
			t.Errorf("Fetch(%s) without the capability: %v", item, err)
		}
	}
	if _, err := c.Fetch(ctx, ID(1), []string{"FLAGS"}, "CHANGEDSINCE 4"); !errors.As(err, &ce) || ce.Capability != imap.CapCondStore {
		t.Errorf("CHANGEDSINCE without CONDSTORE: %v", err)
	}
	if _, err := c.Fetch(ctx, SetString("1:x"), []string{"FLAGS"}); err == nil {
		t.Error("bad set accepted")
	}
	if n := len(f.commands()); n != 0 {
		t.Errorf("%d commands sent: %q", n, f.commands())
	}
	c.conn.SetState(imapconn.Authenticated)
	var ise *IllegalStateError
	if _, err := c.Fetch(ctx, ID(1), []string{"FLAGS"}); !errors.As(err, &ise) {
		t.Errorf("not selected: %v", err)
	}
	for range c.FetchIter(ctx, ID(1), []string{"FLAGS"}) {
		break
	}
	if n := len(f.commands()); n != 0 {
		t.Errorf("%d commands sent: %q", n, f.commands())
	}
}

func TestFetchItemEncoding(t *testing.T) {
	c, f := newFetchFake(t, fakeCaps, nil, nil)
	ctx := ctxFetch(t)
	for _, tc := range []struct {
		items []string
		mods  []string
		want  string
	}{
		{[]string{"ALL"}, nil, "UID FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)"},
		{[]string{"full", "uid"}, nil, "UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY UID)"},
		{[]string{`body.peek[header.fields (Subject "X-Odd Name" "Quo\"te")]<0.100>`}, nil,
			`UID FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (Subject "X-Odd Name" "Quo\"te")]<0.100>)`},
		{[]string{"BODY[1.2.3.MIME]", "BODY[2.HEADER.FIELDS.NOT (To Cc)]", "BODY[TEXT]", "RFC822.HEADER"}, nil,
			"UID FETCH 1 (UID BODY[1.2.3.MIME] BODY[2.HEADER.FIELDS.NOT (To Cc)] BODY[TEXT] RFC822.HEADER)"},
		{[]string{"PREVIEW (LAZY)", "BINARY.SIZE[]"}, nil, "UID FETCH 1 (UID PREVIEW (LAZY) BINARY.SIZE[])"},
		{[]string{"FLAGS"}, []string{"CHANGEDSINCE 12345", "VANISHED"}, "UID FETCH 1 (UID FLAGS) (CHANGEDSINCE 12345 VANISHED)"},
	} {
		if _, err := c.Fetch(ctx, ID(1), tc.items, tc.mods...); err != nil {
			t.Errorf("Fetch(%q): %v", tc.items, err)
			continue
		}
		if got := f.lastCommand(); got != tc.want {
			t.Errorf("Fetch(%q)\n got %s\nwant %s", tc.items, got, tc.want)
		}
	}
}

func TestFetchSplitsLongSets(t *testing.T) {
	n := 0
	c, f := newFetchFake(t, fakeCaps, nil, func(tag, line string) string {
		n++
		f := strings.Fields(line)
		first, _, _ := strings.Cut(f[2], ",")
		return "* 1 FETCH (UID " + first + ")\r\n{tag} OK\r\n"
	})
	var ids IDs
	for i := uint32(1); i < 6000; i += 2 {
		ids = append(ids, i)
	}
	res, err := c.Fetch(ctxFetch(t), ids, []string{"UID"})
	if err != nil {
		t.Fatal(err)
	}
	cmds := f.commands()
	if len(cmds) < 2 {
		t.Fatalf("%d commands", len(cmds))
	}
	for _, cmd := range cmds {
		if len(cmd) > maxSetLen+100 {
			t.Errorf("command of %d bytes", len(cmd))
		}
	}
	if len(res) != len(cmds) {
		t.Errorf("%d results from %d commands", len(res), len(cmds))
	}
}

func TestSectionKey(t *testing.T) {
	for in, want := range map[string]string{
		"BODY[]":                                 "BODY[]",
		"BODY.PEEK[]":                            "BODY[]",
		"body.peek[]<0.100>":                     "BODY[]<0>",
		"BODY[1.2]":                              "BODY[1.2]",
		"BODY.PEEK[1.2.mime]":                    "BODY[1.2.MIME]",
		"BODY.PEEK[HEADER.FIELDS (Subject  To)]": "BODY[HEADER.FIELDS (SUBJECT TO)]",
		`BODY[header.fields ("Subject" "to")]`:   "BODY[HEADER.FIELDS (SUBJECT TO)]",
		"BODY[3.HEADER.FIELDS.NOT (X)]<10.5>":    "BODY[3.HEADER.FIELDS.NOT (X)]<10>",
		"BINARY.PEEK[1]":                         "BINARY[1]",
		"rfc822":                                 "RFC822",
		"RFC822.TEXT":                            "RFC822.TEXT",
	} {
		if got, err := SectionKey(in); err != nil || got != want {
			t.Errorf("SectionKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"FLAGS", "BODY", "BODY[] FLAGS", "BODY[X]"} {
		if _, err := SectionKey(bad); err == nil {
			t.Errorf("SectionKey(%q) succeeded", bad)
		}
	}
	// Keys built from a server's answer match.
	for spec, want := range map[string]string{
		`HEADER.FIELDS ("Subject" TO)`: "HEADER.FIELDS (SUBJECT TO)",
		"1.2.text":                     "1.2.TEXT",
		"":                             "",
		"WEIRD  stuff":                 "WEIRD STUFF",
	} {
		if got := normalizeSpec(spec); got != want {
			t.Errorf("normalizeSpec(%q) = %q, want %q", spec, got, want)
		}
	}
}

// BenchmarkFetchMetadata decodes a recorded stream of FETCH responses
// carrying the usual metadata and turns them into Messages, as Fetch does.
func BenchmarkFetchMetadata(b *testing.B) {
	const n = 1000
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		sb.WriteString("* " + strconv.Itoa(i) + " FETCH (UID " + strconv.Itoa(i+100) +
			` FLAGS (\Seen $Forwarded) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ` +
			recordedEnvelope + " BODYSTRUCTURE " + recordedBodyStructure + ")\r\n")
	}
	stream := sb.String()
	c := newClient(imapconn.New(nil, nil), "", Options{}, false)
	req := &fetchRequest{useUID: true, set: imap.NumSet{{Start: 1, Stop: imap.Star}}}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		d := imapwire.NewDecoder(strings.NewReader(stream), nil)
		out := make(map[uint32]*Message, n)
		h := c.fetchHandler(req, out)
		for {
			r, err := d.ReadResponse()
			if err != nil {
				break
			}
			if _, err := h(r); err != nil {
				b.Fatal(err)
			}
		}
		if len(out) != n {
			b.Fatalf("%d messages", len(out))
		}
	}
}
