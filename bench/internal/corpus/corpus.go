// Package corpus generates a deterministic corpus of realistic e-mail
// messages for the benchmarks: sizes from 1 KB to 1 MB with a log-normal
// distribution (most messages small, a long tail of attachments),
// multipart/alternative and multipart/mixed structures, base64 and
// quoted-printable parts, forwarded message/rfc822 parts, RFC 2047
// encoded-word headers, varied From/To/Cc and reply threads.
//
// Message i depends only on the seed and i, so messages can be generated
// in any order and in parallel.
package corpus

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Gen generates messages. It is safe for concurrent use.
type Gen struct {
	seed uint64
	b64  []byte // a block of random base64 lines (76 chars + LF)
}

const b64Block = 4 << 20

// New returns a generator for the given seed.
func New(seed uint64) *Gen {
	r := rand.New(rand.NewPCG(seed, 0xb64))
	raw := make([]byte, b64Block/4*3)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	var buf bytes.Buffer
	for len(enc) > 0 {
		n := min(76, len(enc))
		buf.WriteString(enc[:n])
		buf.WriteByte('\n')
		enc = enc[n:]
	}
	return &Gen{seed: seed, b64: buf.Bytes()}
}

// Message is one generated message.
type Message struct {
	Index int
	Date  time.Time
	// Flags are the maildir info flags, in ASCII order ("", "S", "FS", ...).
	Flags string
	// Data is the message with LF line endings (as stored in a maildir).
	Data []byte
}

// CRLF returns the message with CRLF line endings (as sent by APPEND).
func (m *Message) CRLF() []byte {
	return bytes.ReplaceAll(m.Data, []byte("\n"), []byte("\r\n"))
}

// VSize is the size of the message with CRLF line endings.
func (m *Message) VSize() int {
	return len(m.Data) + bytes.Count(m.Data, []byte("\n"))
}

var epoch = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

func (g *Gen) rng(i int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed^0x9e3779b97f4a7c15*stream, uint64(i)))
}

// size draws a target size: log-normal, median about 6 KB, clipped to
// [1 KB, 1 MB].
func size(r *rand.Rand) int {
	s := math.Exp(8.7 + 1.45*r.NormFloat64())
	return int(min(max(s, 1024), 1<<20))
}

type person struct{ name, addr string }

var firstNames = []string{"Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi",
	"Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor",
	"Walter", "Zoë", "Jürgen", "François", "Søren", "Łukasz", "José", "Renée", "Björn", "Ana",
	"Mikko", "Chloé", "Dmitri", "Ingrid", "Kenji", "Priya", "Mei", "Yusuf", "Fatima", "Lars"}
var lastNames = []string{"Smith", "Jones", "Müller", "García", "Dubois", "Nowak", "Rossi",
	"Andersson", "Kowalski", "Schröder", "Tanaka", "Nguyen", "O'Brien", "van Dijk", "Østergaard",
	"Petrović", "Silva", "Kim", "Haddad", "Fischer", "Lefèvre", "Novák", "Jensen", "Brown"}
var domains = []string{"example.com", "example.org", "mail.example.net", "corp.example.com",
	"lists.example.org", "university.example.edu", "example.de", "example.fr"}

func (g *Gen) person(n int) person {
	r := g.rng(n, 7)
	f := firstNames[r.IntN(len(firstNames))]
	l := lastNames[r.IntN(len(lastNames))]
	local := strings.ToLower(asciiFold(f) + "." + asciiFold(l))
	local = strings.NewReplacer("'", "", " ", "").Replace(local)
	return person{name: f + " " + l, addr: fmt.Sprintf("%s%d@%s", local, n%97, domains[r.IntN(len(domains))])}
}

func asciiFold(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c < 0x80:
			b.WriteRune(c)
		case strings.ContainsRune("äàáâ", c):
			b.WriteByte('a')
		case strings.ContainsRune("öøóô", c):
			b.WriteByte('o')
		case strings.ContainsRune("üú", c):
			b.WriteByte('u')
		case strings.ContainsRune("éèëê", c):
			b.WriteByte('e')
		case c == 'ç':
			b.WriteByte('c')
		case c == 'ł' || c == 'Ł':
			b.WriteByte('l')
		case c == 'ć':
			b.WriteByte('c')
		default:
			b.WriteByte('x')
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// encodeWord encodes s as RFC 2047 encoded words when it is not ASCII,
// alternating B and Q encodings.
func encodeWord(s string, q bool) string {
	if isASCII(s) {
		return s
	}
	if !q {
		return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	}
	var b strings.Builder
	b.WriteString("=?UTF-8?Q?")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 0x80 || c == '=' || c == '?' || c == '_' || c < 0x20:
			fmt.Fprintf(&b, "=%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("?=")
	return b.String()
}

func (p person) header(q bool) string {
	name := p.name
	if isASCII(name) {
		if strings.ContainsAny(name, "'.,") {
			name = `"` + name + `"`
		}
		return name + " <" + p.addr + ">"
	}
	return encodeWord(name, q) + " <" + p.addr + ">"
}

var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are
or his from at which but have an they you were her she there been one all we their has would when
if so no will more can who about out up them some could what into than then its only other new
meeting report budget quarter project review deadline draft invoice schedule release update team
server deploy migration backup customer contract proposal agenda minutes notes thanks regards
please attached document version feedback change request approval holiday office travel ticket
build test failure latency throughput database index cache network storage cluster`)

var subjWords = []string{"Quarterly report", "Meeting notes", "Budget review", "Project update",
	"Invoice", "Release plan", "Holiday schedule", "Server migration", "Contract draft",
	"Customer feedback", "Team offsite", "Build failure", "Weekly status", "Travel booking",
	"Résumé for the position", "Überprüfung der Angebote", "Réunion de l'équipe", "Привет из офиса",
	"会議の議事録", "Año nuevo — plans", "Café order", "Naïve question about caching"}

func (g *Gen) subject(root int) string {
	r := g.rng(root, 3)
	s := subjWords[r.IntN(len(subjWords))]
	return fmt.Sprintf("%s #%d", s, root%10007)
}

func (g *Gen) msgID(i int) string {
	return fmt.Sprintf("<%d.%08x@%s>", i, uint32(g.seed*2654435761)^uint32(i*40503), domains[i%len(domains)])
}

func (g *Gen) text(r *rand.Rand, n int) string {
	var b strings.Builder
	col := 0
	for b.Len() < n {
		w := words[r.IntN(len(words))]
		if r.IntN(40) == 0 {
			w = []string{"naïve", "café", "Grüße", "€100", "über", "façade", "smörgåsbord"}[r.IntN(7)]
		}
		if col+len(w) > 72 {
			b.WriteByte('\n')
			col = 0
			if r.IntN(8) == 0 {
				b.WriteByte('\n')
			}
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}

// qp encodes text as quoted-printable (soft line breaks are not needed:
// lines are short).
func qp(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n' || (c >= 0x20 && c < 0x7f && c != '='):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func (g *Gen) base64(r *rand.Rand, n int) []byte {
	n = (n + 76) / 77 * 77
	if n > len(g.b64) {
		n = len(g.b64) / 77 * 77
	}
	off := r.IntN((len(g.b64)-n)/77+1) * 77
	return g.b64[off : off+n]
}

var attachTypes = []struct{ typ, ext string }{
	{"application/pdf", "pdf"}, {"image/jpeg", "jpg"}, {"image/png", "png"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	{"application/zip", "zip"}, {"text/csv", "csv"}, {"application/octet-stream", "bin"},
}

var attachNames = []string{"report", "invoice", "photo", "scan", "Übersicht", "présentation", "budget-2024", "notes", "résumé"}

// Message generates message i.
func (g *Gen) Message(i int) *Message {
	r := g.rng(i, 1)
	m := &Message{Index: i}
	m.Date = epoch.Add(time.Duration(i)*7*time.Minute + time.Duration(r.IntN(300))*time.Second)
	switch f := r.IntN(100); {
	case f < 70:
		m.Flags = "S"
	case f < 78:
		m.Flags = "RS"
	case f < 83:
		m.Flags = "FS"
	case f < 85:
		m.Flags = "F"
	}
	target := size(r)

	var h bytes.Buffer
	q := r.IntN(2) == 0
	from := g.person(r.IntN(400))
	fmt.Fprintf(&h, "Return-Path: <%s>\n", from.addr)
	fmt.Fprintf(&h, "Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby mail.example.com (Postfix) with ESMTPS id %08X\n\tfor <alice@example.com>; %s\n",
		r.IntN(9), domains[r.IntN(len(domains))], r.IntN(9), domains[r.IntN(len(domains))], r.IntN(254)+1, r.Uint32(), m.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&h, "Date: %s\n", m.Date.In(time.FixedZone("", (r.IntN(25)-12)*3600)).Format(time.RFC1123Z))
	fmt.Fprintf(&h, "From: %s\n", from.header(q))
	nTo := 1 + r.IntN(3)
	if r.IntN(20) == 0 {
		nTo += r.IntN(15)
	}
	tos := make([]string, nTo)
	tos[0] = "Alice Example <alice@example.com>"
	for k := 1; k < nTo; k++ {
		tos[k] = g.person(r.IntN(400)).header(!q)
	}
	fmt.Fprintf(&h, "To: %s\n", strings.Join(tos, ",\n "))
	if r.IntN(3) == 0 {
		ccs := make([]string, 1+r.IntN(4))
		for k := range ccs {
			ccs[k] = g.person(r.IntN(400)).header(q)
		}
		fmt.Fprintf(&h, "Cc: %s\n", strings.Join(ccs, ", "))
	}
	root := i
	subj := ""
	if i > 0 && r.IntN(10) < 3 {
		root = i - 1 - r.IntN(min(i, 40))
		subj = "Re: " + g.subject(root)
		fmt.Fprintf(&h, "In-Reply-To: %s\nReferences: %s\n", g.msgID(root), g.msgID(root))
	} else {
		subj = g.subject(root)
	}
	fmt.Fprintf(&h, "Subject: %s\n", encodeWord(subj, q))
	fmt.Fprintf(&h, "Message-ID: %s\n", g.msgID(i))
	if r.IntN(4) == 0 {
		fmt.Fprintf(&h, "List-Id: <team%d.lists.example.org>\n", r.IntN(5))
	}
	h.WriteString("MIME-Version: 1.0\n")
	fmt.Fprintf(&h, "X-Mailer: BenchMailer %d.%d\n", r.IntN(5), r.IntN(10))

	var body bytes.Buffer
	boundary := fmt.Sprintf("=_b%08x%04d", r.Uint32(), i%10000)
	textLen := min(target, 1500+r.IntN(3000))
	plain := g.text(r, max(200, textLen-len(h.String())))
	switch kind := r.IntN(100); {
	case target < 6000 && kind < 55:
		// text/plain
		if isASCII(plain) {
			h.WriteString("Content-Type: text/plain; charset=us-ascii; format=flowed\nContent-Transfer-Encoding: 7bit\n")
			body.WriteString(plain)
		} else {
			h.WriteString("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n")
			body.WriteString(qp(plain))
		}
		for body.Len()+h.Len() < target {
			body.WriteString(g.text(r, min(4000, target-body.Len()-h.Len()+10)))
		}
	case target < 12000:
		// multipart/alternative
		fmt.Fprintf(&h, "Content-Type: multipart/alternative; boundary=\"%s\"\n", boundary)
		g.alternative(&body, r, boundary, plain, target-h.Len())
	default:
		// multipart/mixed with attachments (and now and then a forwarded message)
		fmt.Fprintf(&h, "Content-Type: multipart/mixed; boundary=\"%s\"\n", boundary)
		body.WriteString("This is a multi-part message in MIME format.\n\n")
		fmt.Fprintf(&body, "--%s\n", boundary)
		if r.IntN(2) == 0 {
			inner := boundary + "_alt"
			fmt.Fprintf(&body, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n", inner)
			g.alternative(&body, r, inner, plain, 0)
		} else {
			body.WriteString("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
			body.WriteString(qp(plain))
		}
		if r.IntN(12) == 0 {
			fwd := g.Message(i + 1000003)
			fmt.Fprintf(&body, "--%s\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n", boundary)
			d := fwd.Data
			if len(d) > 20000 {
				d = g.Message(i + 2000003).Data
			}
			if len(d) <= 20000 {
				body.Write(d)
			}
		}
		nAtt := 1
		if r.IntN(4) == 0 {
			nAtt += 1 + r.IntN(3)
		}
		rest := target - h.Len() - body.Len()
		for k := range nAtt {
			at := attachTypes[r.IntN(len(attachTypes))]
			name := fmt.Sprintf("%s-%d.%s", attachNames[r.IntN(len(attachNames))], k+1, at.ext)
			disp := fmt.Sprintf("attachment; filename=\"%s\"", name)
			ctName := fmt.Sprintf("; name=\"%s\"", name)
			if !isASCII(name) {
				if r.IntN(2) == 0 {
					disp = "attachment; filename*=UTF-8''" + pctEncode(name)
				} else {
					disp = fmt.Sprintf("attachment; filename=\"%s\"", encodeWord(name, false))
				}
				ctName = fmt.Sprintf("; name=\"%s\"", encodeWord(name, false))
			}
			fmt.Fprintf(&body, "--%s\nContent-Type: %s%s\nContent-Disposition: %s\nContent-Transfer-Encoding: base64\n\n", boundary, at.typ, ctName, disp)
			body.Write(g.base64(r, max(rest/nAtt, 300)))
		}
		fmt.Fprintf(&body, "--%s--\n", boundary)
	}
	h.WriteByte('\n')
	h.Write(body.Bytes())
	m.Data = h.Bytes()
	return m
}

func (g *Gen) alternative(body *bytes.Buffer, r *rand.Rand, boundary, plain string, target int) {
	fmt.Fprintf(body, "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n", boundary)
	body.WriteString(qp(plain))
	fmt.Fprintf(body, "--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n", boundary)
	var html strings.Builder
	html.WriteString("<html><head><meta charset=\"utf-8\"></head><body>\n")
	for _, para := range strings.Split(plain, "\n\n") {
		html.WriteString("<p style=\"font-family: Arial, sans-serif; font-size: 14px\">")
		html.WriteString(para)
		html.WriteString("</p>\n")
	}
	for html.Len()+body.Len() < target {
		html.WriteString("<div>" + g.text(r, 600) + "</div>\n")
	}
	html.WriteString("</body></html>\n")
	body.WriteString(qp(html.String()))
	fmt.Fprintf(body, "--%s--\n", boundary)
}

func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// WriteBig writes a message of about size bytes (LF line endings): a
// short text part and one base64 attachment that fills the rest. It
// returns the bytes written and the number of lines.
func (g *Gen) WriteBig(w io.Writer, size int64) (n int64, lines int64, err error) {
	var h bytes.Buffer
	h.WriteString("From: Big Sender <big@example.com>\nTo: Alice Example <alice@example.com>\n")
	h.WriteString("Subject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("Große Datei: the 100 MB message")) + "?=\n")
	h.WriteString("Date: Mon, 02 Jan 2023 10:00:00 +0100\nMessage-ID: <big@example.com>\nMIME-Version: 1.0\n")
	h.WriteString("Content-Type: multipart/mixed; boundary=\"=_big\"\n\n--=_big\nContent-Type: text/plain; charset=us-ascii\n\nThe attachment is large.\n")
	h.WriteString("--=_big\nContent-Type: application/octet-stream; name=\"disk.img\"\nContent-Disposition: attachment; filename=\"disk.img\"\nContent-Transfer-Encoding: base64\n\n")
	tail := "--=_big--\n"
	count := func(b []byte) {
		n += int64(len(b))
		lines += int64(bytes.Count(b, []byte("\n")))
	}
	if _, err = w.Write(h.Bytes()); err != nil {
		return
	}
	count(h.Bytes())
	left := size - int64(h.Len()) - int64(len(tail))
	r := g.rng(-1, 9)
	for left > 0 {
		chunk := g.base64(r, int(min(left, 1<<20)))
		if int64(len(chunk)) > left {
			chunk = chunk[:left/77*77]
			if len(chunk) == 0 {
				break
			}
		}
		if _, err = w.Write(chunk); err != nil {
			return
		}
		count(chunk)
		left -= int64(len(chunk))
	}
	if _, err = io.WriteString(w, tail); err != nil {
		return
	}
	count([]byte(tail))
	return
}
