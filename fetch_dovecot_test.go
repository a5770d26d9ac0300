package imapclient_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
	"github.com/imapclient-go/imapclient/mutf7"
)

// appendAt appends msg with flags and an internal date through the
// escape hatch.
func appendAt(t testing.TB, c *imapclient.Client, folder string, flags []string, date string, msg string) {
	t.Helper()
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n")
	raw(t, c, "APPEND", func(e *imapwire.Encoder) {
		e.SP().AString(mutf7.Encode(folder)).SP().Byte('(')
		for i, f := range flags {
			if i > 0 {
				e.SP()
			}
			e.Flag(f)
		}
		e.Byte(')').SP().String(date).SP().Literal([]byte(msg))
	})
}

// The attachment of the multipart message, with bytes of every value.
var fetchAttachment = func() []byte {
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// fetchMessages are seeded by fetchFolder: a text message with encoded
// headers and a lenient date, a multipart/mixed message with an
// attachment and a nested message/rfc822, and a plain message.
func fetchMessages() []string {
	simple := "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\n" +
		"To: Friends: a@x.org, =?UTF-8?B?0JHQvtGA0LjRgQ==?= <b@y.org>;, carol@z.org\n" +
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\n" +
		"Date: Monday, 7 Feb 1994 21.52.25 -0800 (PST)\n" +
		"Message-ID: <simple@test>\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" +
		"Hello, w\u00f6rld!\n"
	att := base64.StdEncoding.EncodeToString(fetchAttachment)
	multi := "From: Bob <bob@example.com>\nTo: alice@example.com\nSubject: multipart\n" +
		"Date: Tue, 8 Feb 1994 10:00:00 +0100\nMessage-ID: <multi@test>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\n\n" +
		"preamble\n--outer\nContent-Type: text/plain; charset=us-ascii\n\nSee the attachment.\n" +
		"--outer\nContent-Type: application/octet-stream; name=\"data.bin\"\n" +
		"Content-Disposition: attachment; filename=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n" +
		att[:76] + "\n" + att[76:152] + "\n" + att[152:228] + "\n" + att[228:] + "\n" +
		"--outer\nContent-Type: message/rfc822\n\n" +
		"From: Carol <carol@example.net>\nTo: bob@example.com\nSubject: =?KOI8-R?B?8NLJ18XU?=\n" +
		"Date: 1 Jan 2000 00:00:00 +0000\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/alternative; boundary=\"inner\"\n\n" +
		"--inner\nContent-Type: text/plain\n\nplain\n--inner\nContent-Type: text/html\n\n<p>html</p>\n--inner--\n" +
		"\n--outer--\n"
	return []string{simple, multi, testMessage("x@example.com", "y@example.com", "third", "third body")}
}

// fetchFolder creates a folder with fetchMessages (UIDs 1, 2, 3) and
// selects it.
func fetchFolder(t *testing.T, c *imapclient.Client) string {
	t.Helper()
	folder := tempFolder(t, c, "fetch")
	msgs := fetchMessages()
	appendAt(t, c, folder, []string{`\Seen`, "$Label1"}, "17-Jul-1996 02:44:25 -0700", msgs[0])
	appendAt(t, c, folder, nil, "01-Jan-2020 12:00:00 +0000", msgs[1])
	appendAt(t, c, folder, []string{`\Flagged`}, "02-Jan-2020 12:00:00 +0530", msgs[2])
	if _, err := c.SelectFolder(ctxT(t), folder, false); err != nil {
		t.Fatal(err)
	}
	return folder
}

func TestServerFetchEveryItem(t *testing.T) {
	c, s := serverLoggedIn(t)
	fetchFolder(t, c)
	ctx := ctxT(t)
	items := []string{"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ",
		"BODY.PEEK[HEADER.FIELDS (Subject From)]", "BODY.PEEK[1]", "BODY.PEEK[]<0.10>", "BODY.PEEK[2.MIME]",
		"BODY.PEEK[3.1]", "BODY.PEEK[TEXT]<5.4>"}
	if s.Has("binary") {
		items = append(items, "BINARY.PEEK[2]", "BINARY.SIZE[2]")
	}
	res, err := c.Fetch(ctx, imapclient.All, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	m1, m2, m3 := res[1], res[2], res[3]
	if m1 == nil || m2 == nil || m3 == nil {
		t.Fatalf("results keyed %v", res)
	}
	// Message 1: flags, dates, envelope.
	if m1.UID != 1 || m1.SeqNum != 1 || strings.Join(withoutRecent(m1.Flags), " ") != `\Seen $Label1` {
		t.Errorf("m1 UID %d Seq %d Flags %q", m1.UID, m1.SeqNum, m1.Flags)
	}
	// Dovecot answers INTERNALDATE in its own zone, whatever APPEND gave.
	if want := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600)); !m1.InternalDate.Equal(want) {
		t.Errorf("InternalDate %v", m1.InternalDate)
	}
	if m1.Size != int64(len(strings.ReplaceAll(fetchMessages()[0], "\n", "\r\n"))) {
		t.Errorf("RFC822.SIZE %d", m1.Size)
	}
	if m1.ModSeq == 0 {
		t.Error("MODSEQ missing")
	}
	e := m1.Envelope
	if e == nil {
		t.Fatal("no envelope")
	}
	if e.Subject != "Grüße aus Köln" || !strings.HasPrefix(e.Raw.Subject, "=?UTF-8?Q?") {
		t.Errorf("Subject %q raw %q", e.Subject, e.Raw.Subject)
	}
	if want := time.Date(1994, 2, 7, 21, 52, 25, 0, time.FixedZone("", -8*3600)); !e.Date.Equal(want) {
		t.Errorf("lenient Date %v from %q", e.Date, e.Raw.Date)
	}
	if len(e.From) != 1 || e.From[0].Name != "André" || e.From[0].Addr() != "andre@example.org" {
		t.Errorf("From %+v", e.From)
	}
	var to []string
	for _, a := range e.To {
		switch {
		case a.IsGroupStart():
			to = append(to, "group:"+a.Mailbox)
		case a.IsGroupEnd():
			to = append(to, "end")
		default:
			to = append(to, a.Name+"<"+a.Addr()+">")
		}
	}
	if got := strings.Join(to, " "); got != "group:Friends <a@x.org> Борис<b@y.org> end <carol@z.org>" {
		t.Errorf("To %s", got)
	}
	if e.MessageID != "<simple@test>" || e.Cc != nil {
		t.Errorf("MessageID %q Cc %v", e.MessageID, e.Cc)
	}
	if got, _ := m1.Section("BODY.PEEK[HEADER.FIELDS (Subject From)]"); !bytes.Contains(got, []byte("Subject: =?UTF-8?Q?Gr")) || !bytes.Contains(got, []byte("From: ")) {
		t.Errorf("header fields %q", got)
	}
	if got, ok := m1.Section("BODY[1]"); !ok || string(got) != "Hello, w\u00f6rld!\r\n" {
		t.Errorf("BODY[1] %q %v", got, ok)
	}
	if got, ok := m1.Section("BODY.PEEK[]<0.10>"); !ok || string(got) != "From: =?IS" {
		t.Errorf("partial %q %v (keys %v)", got, ok, sectionKeys(m1))
	}
	if got, ok := m1.Section("BODY.PEEK[TEXT]<5.4>"); !ok || string(got) != ", w\xc3" {
		t.Errorf("partial TEXT %q %v", got, ok)
	}

	// Message 2: the structure and the sections of a multipart message.
	bs := m2.BodyStructure
	if bs == nil || bs.MediaType() != "multipart/mixed" || len(bs.Parts) != 3 || bs.Param("boundary") != "outer" {
		t.Fatalf("BODYSTRUCTURE %+v", bs)
	}
	if p := bs.Parts[0]; p.MediaType() != "text/plain" || p.Size != 19 || p.Param("charset") != "us-ascii" {
		t.Errorf("part 1 %+v", p)
	}
	att := bs.Parts[1]
	if att.MediaType() != "application/octet-stream" || att.Disposition != "attachment" || att.Filename() != "data.bin" ||
		!strings.EqualFold(att.Encoding, "base64") {
		t.Errorf("attachment %+v", att)
	}
	fwd := bs.Parts[2]
	if fwd.MediaType() != "message/rfc822" || fwd.Envelope == nil || fwd.Body == nil ||
		fwd.Body.MediaType() != "multipart/alternative" || len(fwd.Body.Parts) != 2 {
		t.Fatalf("message/rfc822 %+v", fwd)
	}
	if inner := imapclient.DecodeEnvelope(fwd.Envelope); inner.Subject != "Привет" || inner.Date.Year() != 2000 {
		t.Errorf("inner envelope %+v", inner)
	}
	if s.Has("binary") {
		if got, ok := m2.Section("BINARY.PEEK[2]"); !ok || !bytes.Equal(got, fetchAttachment) {
			t.Errorf("BINARY[2]: %d bytes, %v", len(got), ok)
		}
		if m2.BinarySize["2"] != int64(len(fetchAttachment)) {
			t.Errorf("BINARY.SIZE %v", m2.BinarySize)
		}
	}
	if got, _ := m2.Section("BODY[2.MIME]"); !bytes.Contains(got, []byte("Content-Disposition: attachment")) {
		t.Errorf("2.MIME %q", got)
	}
	if got, _ := m2.Section("BODY[3.1]"); !bytes.Contains(got, []byte("plain")) {
		t.Errorf("3.1 %q", got)
	}
	if want := time.Date(2020, 1, 2, 12, 0, 0, 0, time.FixedZone("", 5*3600+1800)); !m3.InternalDate.Equal(want) || strings.Join(withoutRecent(m3.Flags), "") != `\Flagged` {
		t.Errorf("m3 %v %q", m3.InternalDate, m3.Flags)
	}

	// RFC822 items and BODY (the structure without extensions).
	res, err = c.Fetch(ctx, imapclient.ID(3), []string{"RFC822.HEADER", "RFC822.TEXT", "RFC822", "BODY"})
	if err != nil {
		t.Fatal(err)
	}
	m3 = res[3]
	if h, _ := m3.Section("RFC822.HEADER"); !bytes.HasPrefix(h, []byte("From: x@example.com")) {
		t.Errorf("RFC822.HEADER %q", h)
	}
	if b, _ := m3.Section("RFC822.TEXT"); string(b) != "third body\r\n" {
		t.Errorf("RFC822.TEXT %q", b)
	}
	if whole, _ := m3.Section("RFC822"); !bytes.HasPrefix(whole, []byte("From: ")) || !bytes.HasSuffix(whole, []byte("third body\r\n")) {
		t.Errorf("RFC822 %q", whole)
	}
	if m3.BodyStructure == nil || m3.BodyStructure.Extended || m3.BodyStructure.MediaType() != "text/plain" {
		t.Errorf("BODY %+v", m3.BodyStructure)
	}

	// Extension items the rig may or may not offer.
	caps, _ := c.Capabilities(ctx)
	var ce *imapclient.CapabilityError
	for item, capName := range map[string]string{"X-GM-LABELS": "X-GM-EXT-1", "EMAILID": "OBJECTID", "SAVEDATE": "SAVEDATE", "PREVIEW": "PREVIEW"} {
		if caps.Has(capName) {
			t.Logf("the server offers %s: fetched %s", capName, item)
			res, err := c.Fetch(ctx, imapclient.ID(1), []string{item})
			if err != nil {
				t.Errorf("Fetch(%s): %v", item, err)
				continue
			}
			m := res[1]
			switch item {
			case "SAVEDATE":
				if time.Since(m.SaveDate) > time.Hour || time.Since(m.SaveDate) < -time.Hour {
					t.Errorf("SAVEDATE %v", m.SaveDate)
				}
			case "PREVIEW":
				want := "Hello, w\u00f6rld!"
				if s.Target == testrig.TargetCyrus {
					want = "" // quirk: PREVIEW NIL (TestCyrusQuirkPreviewNIL)
				}
				if !strings.Contains(m.Preview, want) || want == "" && m.Preview != "" {
					t.Errorf("PREVIEW %q", m.Preview)
				}
			case "EMAILID":
				if m.EmailID == "" {
					t.Error("EMAILID empty")
				}
			}
		} else if _, err := c.Fetch(ctx, imapclient.ID(1), []string{item}); !errors.As(err, &ce) {
			t.Errorf("Fetch(%s) without %s: %v", item, capName, err)
		}
	}
}

func withoutRecent(flags []string) []string {
	var out []string
	for _, f := range flags {
		if f != imap.FlagRecent {
			out = append(out, f)
		}
	}
	return out
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sectionKeys(m *imapclient.Message) []string {
	var out []string
	for k := range m.Sections {
		out = append(out, k)
	}
	return out
}

func TestServerFetchSequenceNumbersAndNormalise(t *testing.T) {
	c, _ := serverLoggedIn(t)
	fetchFolder(t, c)
	ctx := ctxT(t)
	c.SetUseUID(false)
	c.SetNormaliseTimes(true)
	res, err := c.Fetch(ctx, imapclient.SetString("2-3"), []string{"FAST", "ENVELOPE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[2] == nil || res[3] == nil || res[2].UID != 0 || res[2].SeqNum != 2 {
		t.Fatalf("results %+v", res)
	}
	if loc := res[3].InternalDate.Location(); loc != time.Local {
		t.Errorf("NormaliseTimes: %v", loc)
	}
	if loc := res[3].Envelope.Date.Location(); loc != time.Local {
		t.Errorf("NormaliseTimes on the envelope: %v", loc)
	}
	if !res[3].InternalDate.Equal(time.Date(2020, 1, 2, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("InternalDate %v", res[3].InternalDate)
	}
	res, err = c.Fetch(ctx, imapclient.IDs{1, 3}, []string{"UID"})
	if err != nil || len(res) != 2 || res[3].UID != 3 {
		t.Fatalf("UID by sequence number: %+v %v", res, err)
	}
	// Back to UIDs: keyed by UID, sequence numbers still reported.
	c.SetUseUID(true)
	c.SetNormaliseTimes(false)
	raw(t, c, "UID STORE", func(e *imapwire.Encoder) { e.SP().Raw(`1 +FLAGS.SILENT (\Deleted)`) })
	raw(t, c, "EXPUNGE", nil)
	res, err = c.Fetch(ctx, imapclient.IDs{2, 3}, []string{"INTERNALDATE"})
	if err != nil || res[3] == nil || res[3].SeqNum != 2 || res[3].UID != 3 {
		t.Fatalf("after expunge: %+v %v", res, err)
	}
	if !res[3].InternalDate.Equal(time.Date(2020, 1, 2, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("InternalDate %v", res[3].InternalDate)
	}
}

func TestServerFetchUpdatesStayOut(t *testing.T) {
	d := testrig.RequireServer(t)
	var updates []imapclient.Update
	c := dialTLS(t, d, &imapclient.Options{OnUpdate: func(u imapclient.Update) { updates = append(updates, u) }})
	login(t, c, testrig.Alice)
	folder := fetchFolder(t, c)
	other, _ := serverLoggedIn(t)
	if _, err := other.SelectFolder(ctxT(t), folder, false); err != nil {
		t.Fatal(err)
	}
	raw(t, other, "UID STORE", func(e *imapwire.Encoder) { e.SP().Raw(`3 +FLAGS (\Answered)`) })
	for _, useUID := range []bool{true, false} {
		updates = nil
		c.SetUseUID(useUID)
		res, err := c.Fetch(ctxT(t), imapclient.ID(1), []string{"FLAGS"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[1] == nil {
			t.Errorf("useUID=%v: results %v", useUID, res)
		}
		want := uint32(3)
		if !useUID {
			want = 2
		}
		var fu *imapclient.FetchUpdate
		for _, u := range updates {
			if f, ok := u.(*imapclient.FetchUpdate); ok {
				fu = f
			}
		}
		if fu == nil || fu.SeqNum != want || !slicesContain(fu.Flags, `\Answered`) {
			t.Errorf("useUID=%v: the flag change of message %d was not delivered as an update: %+v", useUID, want, updates)
		}
		raw(t, other, "UID STORE", func(e *imapwire.Encoder) { e.SP().Raw(`2 +FLAGS (\Answered)`) })
	}
}

func TestServerFetchIterLargeMessage(t *testing.T) {
	c, _ := serverLoggedIn(t)
	folder := tempFolder(t, c, "fetch big")
	const size = 5 << 20
	line := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", 1) + "\r\n"
	var b strings.Builder
	b.WriteString("From: big@example.com\r\nSubject: big\r\n\r\n")
	for b.Len() < size {
		b.WriteString(line)
	}
	seed(t, c, folder, nil, testMessage("a@b", "c@d", "small", "first"), b.String(), testMessage("a@b", "c@d", "small", "last"))
	total := int64(b.Len())
	b = strings.Builder{}
	if _, err := c.SelectFolder(ctxT(t), folder, true); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > base && ms.HeapInuse-base > peak {
			peak = ms.HeapInuse - base
		}
	}
	var uids []uint32
	var got int64
	for m, err := range c.FetchIter(ctx, imapclient.All, []string{"FLAGS", "RFC822.SIZE", "BODY.PEEK[]"}) {
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, m.UID)
		sec, err := m.NextSection()
		if err != nil {
			t.Fatal(err)
		}
		if sec.Key != "BODY[]" || sec.Size != m.Size {
			t.Errorf("section %s of %d bytes, RFC822.SIZE %d", sec.Key, sec.Size, m.Size)
		}
		if m.UID != 2 {
			continue // the rest is skipped
		}
		sample()
		n, err := io.Copy(io.Discard, &sampling{r: sec, every: 256 << 10, fn: sample})
		if err != nil {
			t.Fatal(err)
		}
		got = n
		sample()
	}
	if len(uids) != 3 || uids[1] != 2 {
		t.Fatalf("uids %v", uids)
	}
	if got != total {
		t.Errorf("streamed %d bytes of %d", got, total)
	}
	t.Logf("heap growth while streaming a %d-byte message: %d bytes", total, peak)
	if peak > 2<<20 {
		t.Errorf("heap grew by %d bytes while streaming a %d-byte message", peak, total)
	}
	if _, err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after the stream: %v", err)
	}
}

// sampling calls fn every so many bytes read.
type sampling struct {
	r     io.Reader
	every int64
	n     int64
	fn    func()
}

func (s *sampling) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.n/s.every != (s.n+int64(n))/s.every {
		s.fn()
	}
	s.n += int64(n)
	return n, err
}

func TestServerFetchIterEarlyBreak(t *testing.T) {
	c, _ := serverLoggedIn(t)
	folder := tempFolder(t, c, "fetch break")
	var msgs []string
	for i := 0; i < 20; i++ {
		msgs = append(msgs, testMessage("a@b", "c@d", "m", strings.Repeat("body line\r\n", 40000))) // ~440 KB: streamed
	}
	seed(t, c, folder, nil, msgs...)
	if _, err := c.SelectFolder(ctxT(t), folder, false); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for _, useUID := range []bool{true, false} {
		c.SetUseUID(useUID)
		n := 0
		for m, err := range c.FetchIter(ctx, imapclient.All, []string{"BODY.PEEK[]"}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			sec, err := m.NextSection()
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			if _, err := io.ReadFull(sec, buf); err != nil {
				t.Fatal(err)
			}
			if n == 2 {
				break // in the middle of a section, 18 messages to go
			}
		}
		// The connection is in step: another command works at once.
		res, err := c.Fetch(ctx, imapclient.All, []string{"FLAGS", "RFC822.SIZE"})
		if err != nil {
			t.Fatalf("Fetch after break: %v", err)
		}
		if len(res) != 20 {
			t.Fatalf("%d results after break", len(res))
		}
		for id, m := range res {
			if m.Size < 400000 || m.Flags == nil || slicesContain(m.Flags, imap.FlagSeen) {
				t.Errorf("%d: %+v", id, m)
			}
		}
	}
	// Nothing is selected: refused before anything is sent.
	if err := c.UnselectFolder(ctx); err != nil {
		t.Fatal(err)
	}
	var ise *imapclient.IllegalStateError
	for _, err := range c.FetchIter(ctx, imapclient.All, []string{"FLAGS"}) {
		if !errors.As(err, &ise) {
			t.Errorf("FetchIter without a selected folder: %v", err)
		}
	}
}

func TestServerFetchIterMatchesFetch(t *testing.T) {
	c, _ := serverLoggedIn(t)
	fetchFolder(t, c)
	ctx := ctxT(t)
	items := []string{"FLAGS", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]<0.4>"}
	for _, useUID := range []bool{true, false} {
		c.SetUseUID(useUID)
		want, err := c.Fetch(ctx, imapclient.All, items)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m, err := range c.FetchIter(ctx, imapclient.All, items) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			id := m.SeqNum
			if useUID {
				id = m.UID
			}
			w := want[id]
			if w == nil {
				t.Fatalf("useUID=%v: id %d not in Fetch's result", useUID, id)
			}
			if m.Envelope.Subject != w.Envelope.Subject || !m.InternalDate.Equal(w.InternalDate) ||
				strings.Join(m.Flags, " ") != strings.Join(w.Flags, " ") || m.BodyStructure.MediaType() != w.BodyStructure.MediaType() {
				t.Errorf("id %d: metadata differs: %+v vs %+v", id, m.Message, *w)
			}
			var keys []string
			for sec, err := range m.BodySections() {
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(sec)
				if err != nil {
					t.Fatal(err)
				}
				if wd, ok := w.Sections[sec.Key]; !ok || !bytes.Equal(data, wd) {
					t.Errorf("id %d %s: %q, Fetch had %q", id, sec.Key, data, wd)
				}
				keys = append(keys, sec.Key)
			}
			if len(keys) != len(w.Sections) {
				t.Errorf("id %d: sections %v, Fetch had %v", id, keys, sectionKeys(w))
			}
		}
		if n != 3 {
			t.Errorf("useUID=%v: %d messages streamed", useUID, n)
		}
	}
}
