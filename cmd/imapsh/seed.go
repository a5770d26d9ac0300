package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
)

// The demo mailbox: generated from a fixed seed, so every run (and every
// test) sees the same messages, UIDs and flags.

type seedStats struct {
	Folders  int
	Messages int
	Bytes    int64
}

type seedFolder struct {
	name string
	msgs []seedMessage
}

type seedMessage struct {
	raw   []byte
	flags []string
	date  time.Time
}

type person struct {
	name, addr string
}

var demoPeople = []person{
	{"Alice Example", "alice@example.com"},
	{"Bob Builder", "bob@example.org"},
	{"Jürgen Müller", "juergen@example.de"},
	{"田中太郎", "tanaka@example.jp"},
	{"Zoë Ångström", "zoe@example.se"},
	{"Carol O'Neil", "carol@example.net"},
	{"Dmitri Ivanov", "dmitri@example.ru"},
	{"Build Robot", "ci@build.example.com"},
	{"The Newsletter", "news@letters.example"},
	{"María José García", "mjgarcia@example.es"},
	{"Billing", "invoices@shop.example"},
}

var demoMe = person{"Demo User", "demo@example.com"}

var demoSubjects = []string{
	"Quarterly report Q%d",
	"Lunch on Friday?",
	"Meeting notes %d",
	"Übersicht für März",
	"会議の議事録 %d",
	"Café meeting tomorrow",
	"[project-alpha] Build #%d failed",
	"[project-alpha] Build #%d fixed",
	"Invoice 2024-%04d",
	"Weekly digest: %d new articles",
	"Holiday plans",
	"Re-org & new seating plan",
	"Résumé for the open position",
	"Slides for the review",
	"Your order #%d has shipped",
	"Question about the API",
	"Entwurf: Angebot Nr. %d",
	"Photos from the trip",
}

var demoWords = strings.Fields(`the a report meeting plan budget team project
review schedule update draft release server client mailbox folder message
quarter numbers figures coffee lunch agenda notes minutes decision action item
follow up next week today tomorrow customer invoice order shipping question
answer proposal design test build deploy fix bug feature roadmap milestone
please thanks regards see attached below above details soon`)

// folder plan: name, number of messages, share of unseen messages.
var demoFolders = []struct {
	name   string
	n      int
	unseen float64
}{
	{"INBOX", 180, 0.12},
	{"Sent", 36, 0},
	{"Drafts", 4, 0},
	{"Archive", 30, 0},
	{"Junk", 7, 0.5},
	{"Trash", 5, 0},
	{"Entwürfe", 6, 0},
	{"Reports & Plans", 14, 0.2},
	{"Reports & Plans/2024", 10, 0},
	{"Projects/Alpha", 12, 0.25},
	{"日本語", 8, 0.25},
}

// generateMailbox returns the demo folders with their messages.
func generateMailbox() []seedFolder {
	rng := rand.New(rand.NewPCG(20240601, 5))
	g := &generator{rng: rng, when: time.Date(2023, 3, 1, 8, 30, 0, 0, time.UTC)}
	var out []seedFolder
	for _, f := range demoFolders {
		sf := seedFolder{name: f.name}
		g.threads = nil
		for i := 0; i < f.n; i++ {
			unseen := i >= f.n-int(float64(f.n)*f.unseen+0.5)
			sf.msgs = append(sf.msgs, g.message(f.name, unseen))
		}
		out = append(out, sf)
	}
	return out
}

type generator struct {
	rng     *rand.Rand
	when    time.Time
	serial  int
	threads []threadRef // earlier messages of the folder, to reply to
}

type threadRef struct {
	subject, msgID, refs string
}

var demoZones = []*time.Location{
	time.UTC,
	time.FixedZone("", 1*3600),
	time.FixedZone("", 2*3600),
	time.FixedZone("", -5*3600),
	time.FixedZone("", 9*3600),
}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) message(folder string, unseen bool) seedMessage {
	g.serial++
	g.when = g.when.Add(time.Duration(20+g.pick(60*24)) * time.Minute)
	date := g.when.In(demoZones[g.pick(len(demoZones))])
	from := demoPeople[g.pick(len(demoPeople))]
	to := []person{demoMe}
	if folder == "Sent" || folder == "Drafts" || folder == "Entwürfe" {
		from, to = demoMe, []person{demoPeople[g.pick(len(demoPeople))]}
	}
	if g.pick(4) == 0 {
		to = append(to, demoPeople[g.pick(len(demoPeople))])
	}
	subject := demoSubjects[g.pick(len(demoSubjects))]
	if strings.Contains(subject, "%") {
		subject = fmt.Sprintf(subject, 1+g.pick(999))
	}
	msgID := fmt.Sprintf("<demo-%04d.%d@imapsh.example>", g.serial, date.Unix())
	var inReplyTo, refs string
	if len(g.threads) > 0 && g.pick(4) == 0 {
		t := g.threads[g.pick(len(g.threads))]
		subject = "Re: " + strings.TrimPrefix(t.subject, "Re: ")
		inReplyTo = t.msgID
		refs = strings.TrimSpace(t.refs + " " + t.msgID)
	}
	g.threads = append(g.threads, threadRef{subject, msgID, refs})

	var h strings.Builder
	hdr := func(k, v string) { fmt.Fprintf(&h, "%s: %s\r\n", k, v) }
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("From", addrHeader(from))
	var tos []string
	for _, p := range to {
		tos = append(tos, addrHeader(p))
	}
	hdr("To", strings.Join(tos, ", "))
	hdr("Subject", g.encodeSubject(subject))
	hdr("Message-ID", msgID)
	if inReplyTo != "" {
		hdr("In-Reply-To", inReplyTo)
		hdr("References", refs)
	}
	hdr("MIME-Version", "1.0")

	var body string
	switch k := g.pick(100); {
	case k < 55:
		hdr("Content-Type", "text/plain; charset=utf-8")
		hdr("Content-Transfer-Encoding", "8bit")
		body = g.paragraphs(1+g.pick(4), from)
	case k < 75:
		body = g.alternative(&h, from)
	case k < 93:
		body = g.mixed(&h, from)
	case k < 97:
		hdr("Content-Type", "text/plain; charset=utf-8")
		body = g.paragraphs(100+g.pick(300), from) // a long one: 30-120 KiB
	default:
		body = g.forward(&h, from)
	}
	var flags []string
	if !unseen {
		flags = append(flags, `\Seen`)
	}
	if g.pick(12) == 0 {
		flags = append(flags, `\Flagged`)
	}
	if g.pick(10) == 0 {
		flags = append(flags, `\Answered`)
	}
	if folder == "Drafts" || folder == "Entwürfe" {
		flags = append(flags, `\Draft`)
	}
	if g.pick(20) == 0 {
		flags = append(flags, "$Important")
	}
	return seedMessage{raw: []byte(h.String() + "\r\n" + body), flags: flags, date: date}
}

// encodeSubject writes non-ASCII subjects as RFC 2047 encoded words, in
// both encodings and, for some Latin text, in ISO-8859-1.
func (g *generator) encodeSubject(s string) string {
	if isASCII(s) {
		return s
	}
	if latin, ok := toLatin1(s); ok && g.pick(2) == 0 {
		return mime.QEncoding.Encode("ISO-8859-1", latin)
	}
	if g.pick(2) == 0 {
		return mime.QEncoding.Encode("UTF-8", s)
	}
	return mime.BEncoding.Encode("UTF-8", s)
}

func addrHeader(p person) string {
	if isASCII(p.name) {
		if strings.ContainsAny(p.name, `'."(),:;<>@[]\`) {
			return fmt.Sprintf("%q <%s>", p.name, p.addr)
		}
		return fmt.Sprintf("%s <%s>", p.name, p.addr)
	}
	return fmt.Sprintf("%s <%s>", mime.QEncoding.Encode("UTF-8", p.name), p.addr)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// toLatin1 converts s to ISO-8859-1 bytes (in a string) when it can.
func toLatin1(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

func (g *generator) sentence() string {
	n := 5 + g.pick(12)
	words := make([]string, n)
	for i := range words {
		words[i] = demoWords[g.pick(len(demoWords))]
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (g *generator) paragraphs(n int, from person) string {
	var b strings.Builder
	b.WriteString("Hello,\r\n\r\n")
	for i := 0; i < n; i++ {
		line := 0
		for j := 0; j < 2+g.pick(5); j++ {
			s := g.sentence() + " "
			if line+len(s) > 72 {
				b.WriteString("\r\n")
				line = 0
			}
			b.WriteString(s)
			line += len(s)
		}
		b.WriteString("\r\n\r\n")
	}
	b.WriteString("Best regards,\r\n" + from.name + "\r\n")
	return b.String()
}

func (g *generator) boundary() string {
	return fmt.Sprintf("=_demo_%08x", g.rng.Uint32())
}

func (g *generator) alternative(h *strings.Builder, from person) string {
	bd := g.boundary()
	fmt.Fprintf(h, "Content-Type: multipart/alternative; boundary=%q\r\n", bd)
	text := g.paragraphs(1+g.pick(3), from)
	html := "<html><body><p>" + strings.ReplaceAll(strings.TrimSpace(text), "\r\n\r\n", "</p>\r\n<p>") + "</p></body></html>\r\n"
	return "This is a multi-part message in MIME format.\r\n" +
		"--" + bd + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text +
		"--" + bd + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html +
		"--" + bd + "--\r\n"
}

var demoAttachments = []struct {
	ctype, name string
	min, max    int
	text        bool
}{
	{"application/pdf", "report.pdf", 8 << 10, 160 << 10, false},
	{"image/png", "chart.png", 2 << 10, 40 << 10, false},
	{"text/csv", "figures.csv", 300, 6 << 10, true},
	{"application/pdf", "Präsentation März.pdf", 20 << 10, 90 << 10, false},
	{"application/zip", "logs.zip", 4 << 10, 60 << 10, false},
}

func (g *generator) mixed(h *strings.Builder, from person) string {
	bd := g.boundary()
	fmt.Fprintf(h, "Content-Type: multipart/mixed; boundary=%q\r\n", bd)
	var b strings.Builder
	b.WriteString("--" + bd + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(g.paragraphs(1, from) + "See the attachment.\r\n")
	for n := 1 + g.pick(2); n > 0; n-- {
		a := demoAttachments[g.pick(len(demoAttachments))]
		size := a.min + g.pick(a.max-a.min)
		b.WriteString("--" + bd + "\r\n")
		disp := fmt.Sprintf("attachment; filename=%q", a.name)
		ctype := fmt.Sprintf("%s; name=%q", a.ctype, a.name)
		if !isASCII(a.name) {
			enc := mimeParamEscape(a.name)
			disp = "attachment; filename*=UTF-8''" + enc
			ctype = a.ctype + "; name=\"" + mime.QEncoding.Encode("UTF-8", a.name) + "\""
		}
		if a.text {
			fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Disposition: %s\r\n\r\n", ctype, disp)
			b.WriteString(g.csv(size))
			continue
		}
		fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: %s\r\n\r\n", ctype, disp)
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(g.rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--" + bd + "--\r\n")
	return b.String()
}

// mimeParamEscape percent-encodes a parameter value (RFC 2231).
func mimeParamEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (g *generator) csv(size int) string {
	var b strings.Builder
	b.WriteString("date,item,amount\r\n")
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Len() < size {
		fmt.Fprintf(&b, "%s,%s,%d.%02d\r\n", day.Format("2006-01-02"), demoWords[g.pick(len(demoWords))], g.pick(5000), g.pick(100))
		day = day.AddDate(0, 0, 1)
	}
	return b.String()
}

func (g *generator) forward(h *strings.Builder, from person) string {
	bd := g.boundary()
	fmt.Fprintf(h, "Content-Type: multipart/mixed; boundary=%q\r\n", bd)
	orig := demoPeople[g.pick(len(demoPeople))]
	inner := "Date: " + g.when.Add(-48*time.Hour).Format(time.RFC1123Z) + "\r\n" +
		"From: " + addrHeader(orig) + "\r\nTo: " + addrHeader(from) + "\r\n" +
		"Subject: " + g.encodeSubject("Übersicht für März") + "\r\n" +
		"Message-ID: <fwd-" + fmt.Sprint(g.serial) + "@imapsh.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + g.paragraphs(2, orig)
	return "--" + bd + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nForwarding this one, see below.\r\n" +
		"--" + bd + "\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" + inner +
		"--" + bd + "--\r\n"
}
