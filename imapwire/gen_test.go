package imapwire

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Deterministic generators of realistic server output, for benchmarks and
// tests. The same arguments always give the same bytes.

var (
	genFirst   = []string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Oscar", "Peggy", "Trent", "Victor", "Walter"}
	genLast    = []string{"Smith", "Jones", "Müller", "García", "Rossi", "Dubois", "Nakamura", "O'Brien", "Kowalski", "Andersson"}
	genDomains = []string{"example.com", "example.org", "mail.example.net", "corp.example", "lists.example.com", "gmail.example"}
	genWords   = []string{"meeting", "report", "invoice", "quarterly", "update", "project", "review", "draft", "budget", "schedule",
		"urgent", "follow-up", "notes", "proposal", "release", "deadline", "team", "lunch", "contract", "résumé", "naïve", "Grüße"}
	genFlags = []string{"", `\Seen`, `\Seen \Answered`, `\Seen $Forwarded`, `\Flagged \Seen`, `\Seen NonJunk $MDNSent`, `\Draft`, `\Seen \Deleted`}
	genMonth = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	genDay   = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
)

type gen struct {
	rng *rand.Rand
	b   bytes.Buffer
}

func pick[T any](g *gen, list []T) T { return list[g.rng.IntN(len(list))] }

// str writes s quoted, or as a literal when it holds 8-bit bytes (as
// Dovecot does).
func (g *gen) str(s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			g.b.WriteString(lit(s))
			return
		}
	}
	g.b.WriteString(wireString(s))
}

func (g *gen) words(minLen, maxLen int) string {
	n := minLen + g.rng.IntN(maxLen-minLen+1)
	var s strings.Builder
	for s.Len() < n {
		if s.Len() > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(pick(g, genWords))
	}
	return s.String()[:n]
}

func (g *gen) subject() string {
	s := g.words(20, 120)
	switch g.rng.IntN(6) {
	case 0, 1: // RFC 2047 base64, as most mailers send non-ASCII
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		return "=?UTF-8?B?" + enc[:min(len(enc), 100)] + "?="
	case 2:
		return "Re: " + strings.ToUpper(s[:1]) + s[1:]
	case 3:
		return `Fwd: "` + s + `"`
	}
	return s
}

func (g *gen) date() (header, internal string) {
	d, m, y := 1+g.rng.IntN(28), g.rng.IntN(12), 2015+g.rng.IntN(10)
	hh, mm, ss := g.rng.IntN(24), g.rng.IntN(60), g.rng.IntN(60)
	zone := pick(g, []string{"+0000", "+0100", "-0700", "+0530"})
	header = fmt.Sprintf("%s, %02d %s %d %02d:%02d:%02d %s", pick(g, genDay), d, genMonth[m], y, hh, mm, ss, zone)
	internal = fmt.Sprintf("%02d-%s-%d %02d:%02d:%02d %s", d, genMonth[m], y, hh, mm, ss, zone)
	return
}

func (g *gen) addr() {
	first, last := pick(g, genFirst), pick(g, genLast)
	g.b.WriteByte('(')
	switch g.rng.IntN(5) {
	case 0:
		g.b.WriteString("NIL")
	case 1:
		g.b.WriteString(wireString("=?UTF-8?Q?" + strings.ReplaceAll(first+"_"+last, "ü", "=C3=BC") + "?="))
	case 2:
		g.str(`"` + last + ", " + first + `"`)
	default:
		g.str(first + " " + last)
	}
	fmt.Fprintf(&g.b, " NIL %s %s)", wireString(strings.ToLower(first)+"."+strconv.Itoa(g.rng.IntN(100))), wireString(pick(g, genDomains)))
}

func (g *gen) addrs(minN, maxN int) {
	n := minN + g.rng.IntN(maxN-minN+1)
	if n == 0 {
		g.b.WriteString("NIL")
		return
	}
	g.b.WriteByte('(')
	for i := 0; i < n; i++ {
		g.addr()
	}
	g.b.WriteByte(')')
}

func (g *gen) msgID() string {
	return fmt.Sprintf("<%x.%d@%s>", g.rng.Uint64(), g.rng.IntN(1e6), pick(g, genDomains))
}

func (g *gen) envelope(date string) {
	g.b.WriteString("(" + wireString(date) + " ")
	g.str(g.subject())
	g.b.WriteByte(' ')
	from := g.b.Len()
	g.addrs(1, 1)
	fromText := string(g.b.Bytes()[from:])
	g.b.WriteString(" " + fromText + " " + fromText + " ") // sender, reply-to
	g.addrs(1, 5)
	g.b.WriteByte(' ')
	g.addrs(0, 5)
	g.b.WriteString(" NIL ")
	if g.rng.IntN(3) == 0 {
		g.b.WriteString(wireString(g.msgID()))
	} else {
		g.b.WriteString("NIL")
	}
	g.b.WriteString(" " + wireString(g.msgID()) + ")")
}

func (g *gen) textPart(subtype string) {
	size := 200 + g.rng.IntN(20000)
	fmt.Fprintf(&g.b, `("text" %q ("charset" %q) NIL NIL %q %d %d NIL NIL NIL NIL)`, subtype,
		pick(g, []string{"utf-8", "us-ascii", "iso-8859-1"}), pick(g, []string{"7bit", "quoted-printable", "8bit"}), size, size/60+1)
}

func (g *gen) alternative() {
	g.b.WriteByte('(')
	g.textPart("plain")
	g.textPart("html")
	fmt.Fprintf(&g.b, ` "alternative" ("boundary" "b2_%x") NIL NIL NIL)`, g.rng.Uint32())
}

var genAttachments = [][3]string{{"pdf", "application", "pdf"}, {"png", "image", "png"}, {"jpg", "image", "jpeg"},
	{"docx", "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"}, {"zip", "application", "zip"}}

func (g *gen) attachment() {
	a := pick(g, genAttachments)
	ext, typ, sub := a[0], a[1], a[2]
	name := strings.ReplaceAll(g.words(5, 30), " ", "_") + "." + ext
	fmt.Fprintf(&g.b, `(%q %q ("name" `, typ, sub)
	g.str(name)
	fmt.Fprintf(&g.b, `) NIL NIL "base64" %d NIL ("attachment" ("filename" `, 1000+g.rng.IntN(3000000))
	g.str(name)
	g.b.WriteString(")) NIL NIL)")
}

func (g *gen) mixed(depth int) {
	g.b.WriteByte('(')
	if g.rng.IntN(2) == 0 {
		g.alternative()
	} else {
		g.textPart("plain")
	}
	for i := 1 + g.rng.IntN(3); i > 0; i-- {
		if depth == 0 && g.rng.IntN(4) == 0 {
			g.rfc822()
		} else {
			g.attachment()
		}
	}
	fmt.Fprintf(&g.b, ` "mixed" ("boundary" "b1_%x") NIL NIL NIL)`, g.rng.Uint32())
}

func (g *gen) rfc822() {
	date, _ := g.date()
	fmt.Fprintf(&g.b, `("message" "rfc822" NIL NIL NIL "7bit" %d `, 2000+g.rng.IntN(100000))
	g.envelope(date)
	g.b.WriteByte(' ')
	if g.rng.IntN(2) == 0 {
		g.textPart("plain")
	} else {
		g.mixed(1)
	}
	fmt.Fprintf(&g.b, " %d NIL NIL NIL NIL)", 40+g.rng.IntN(2000))
}

func (g *gen) bodyStructure() {
	switch k := g.rng.IntN(10); {
	case k < 4:
		g.textPart("plain")
	case k < 7:
		g.alternative()
	case k < 9:
		g.mixed(0)
	default:
		g.b.WriteByte('(')
		g.textPart("plain")
		g.rfc822()
		fmt.Fprintf(&g.b, ` "mixed" ("boundary" "fwd_%x") NIL NIL NIL)`, g.rng.Uint32())
	}
}

// genFetchMetadata returns Dovecot's answer to "UID FETCH 1:* (UID FLAGS
// ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE)" for n messages, with
// the tagged completion.
func genFetchMetadata(n int, seed uint64) []byte {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	uid := 0
	for i := 1; i <= n; i++ {
		uid += 1 + g.rng.IntN(3)
		header, internal := g.date()
		fmt.Fprintf(&g.b, "* %d FETCH (UID %d FLAGS (%s) RFC822.SIZE %d INTERNALDATE %q ENVELOPE ",
			i, uid, pick(g, genFlags), 1000+g.rng.IntN(2000000), internal)
		g.envelope(header)
		g.b.WriteString(" BODYSTRUCTURE ")
		g.bodyStructure()
		g.b.WriteString(")\r\n")
	}
	g.b.WriteString("a5 OK Fetch completed (0.153 + 0.000 + 0.152 secs).\r\n")
	return g.b.Bytes()
}

// genSearch returns one SEARCH response with n increasing ids.
func genSearch(n int) []byte {
	var b bytes.Buffer
	b.WriteString("* SEARCH")
	id := uint64(0)
	for i := 0; i < n; i++ {
		id += 1 + uint64(i%7)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(id, 10))
	}
	b.WriteString("\r\na6 OK Search completed (0.012 + 0.000 secs).\r\n")
	return b.Bytes()
}

// genBodies returns "UID FETCH 1:n BODY[]" answers of size bytes each.
func genBodies(n, size int) []byte {
	var b bytes.Buffer
	rng := rand.New(rand.NewPCG(7, 7))
	line := make([]byte, 76)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[] {%d}\r\n", i, 1000+i, size)
		header := fmt.Sprintf("Message-ID: <%d@example.com>\r\nSubject: message %d\r\n\r\n", i, i)
		b.WriteString(header)
		for left := size - len(header); left > 0; {
			k := min(len(line), left)
			for j := range line[:k] {
				line[j] = byte('A' + rng.IntN(26))
			}
			if k >= 2 {
				line[k-2], line[k-1] = '\r', '\n'
			}
			b.Write(line[:k])
			left -= k
		}
		b.WriteString(" FLAGS (\\Seen))\r\n")
	}
	b.WriteString("a7 OK Fetch completed.\r\n")
	return b.Bytes()
}
