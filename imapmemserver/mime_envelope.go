package imapmemserver

import (
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// This file computes ENVELOPE from a parsed header (mime.go), with a
// lenient RFC 5322 address-list parser.

// envelope returns the message's ENVELOPE (RFC 3501 section 7.4.2).
func (p *parsedMessage) envelope() *imap.Envelope { return p.root.envelope() }

// envelope computes the ENVELOPE of an entity's header as Dovecot does:
// the date, subject, In-Reply-To and Message-ID unfolded but otherwise as
// sent (encoded words stay encoded); addresses parsed leniently
// (parseAddressList); Sender and Reply-To, when missing or empty, set to
// From.
func (p *mimePart) envelope() *imap.Envelope {
	env := &imap.Envelope{
		Date:      p.fieldValue("Date"),
		Subject:   p.fieldValue("Subject"),
		From:      parseAddressList(p.fieldValue("From")),
		Sender:    parseAddressList(p.fieldValue("Sender")),
		ReplyTo:   parseAddressList(p.fieldValue("Reply-To")),
		To:        parseAddressList(p.fieldValue("To")),
		Cc:        parseAddressList(p.fieldValue("Cc")),
		Bcc:       parseAddressList(p.fieldValue("Bcc")),
		InReplyTo: p.fieldValue("In-Reply-To"),
		MessageID: p.fieldValue("Message-ID"),
	}
	if len(env.Sender) == 0 && len(env.From) > 0 {
		env.Sender = append([]imap.Address(nil), env.From...)
	}
	if len(env.ReplyTo) == 0 && len(env.From) > 0 {
		env.ReplyTo = append([]imap.Address(nil), env.From...)
	}
	return env
}

// addrToken is a lexical token of an address list (RFC 5322 section 3.2).
type addrToken struct {
	kind  byte   // 'a' atom, 'q' quoted string, 'l' domain literal, 'c' comment, or the special itself
	text  string // atom, unquoted string, literal with its brackets, comment text
	space bool   // blanks or a comment came before it
}

// tokenizeAddresses splits an unfolded address list into tokens. It never
// fails: an unterminated quoted string, comment or literal ends at the end
// of the text; a stray special is a token of its own.
func tokenizeAddresses(s string) []addrToken {
	var toks []addrToken
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = true
			i++
		case c == '(':
			end := skipComment(s, i)
			text := s[i+1 : end]
			text = strings.TrimSuffix(text, ")")
			toks = append(toks, addrToken{kind: 'c', text: unescape(text), space: space})
			space = true
			i = end
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				if s[j] != '\r' && s[j] != '\n' {
					b.WriteByte(s[j])
				}
			}
			toks = append(toks, addrToken{kind: 'q', text: b.String(), space: space})
			space = false
			i = min(j+1, len(s))
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			end := len(s)
			if j >= 0 {
				end = i + j + 1
			}
			toks = append(toks, addrToken{kind: 'l', text: s[i:end], space: space})
			space = false
			i = end
		case strings.IndexByte("<>:;@,.]\\)", c) >= 0:
			toks = append(toks, addrToken{kind: c, text: s[i : i+1], space: space})
			space = false
			i++
		default:
			j := i
			for j < len(s) && isAtomByte(s[j]) {
				j++
			}
			if j == i { // a control character
				i++
				continue
			}
			toks = append(toks, addrToken{kind: 'a', text: s[i:j], space: space})
			space = false
			i = j
		}
	}
	return toks
}

// isAtomByte reports whether c may be part of an atom: anything but
// blanks, controls and specials. 8-bit bytes (UTF-8 names) may.
func isAtomByte(c byte) bool {
	return c > ' ' && c != 0x7f && strings.IndexByte("()<>[]:;@\\,.\"", c) < 0
}

// unescape removes the backslashes of quoted pairs.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Placeholders Dovecot puts in the envelope for a missing local part or
// domain (they also keep such an address from looking like a group marker).
const (
	missingMailbox = "MISSING_MAILBOX"
	missingDomain  = "MISSING_DOMAIN"
)

// parseAddressList parses an address list for the envelope: display names
// and group names as sent (RFC 2047 encoded words stay encoded, quoted
// strings are unquoted, words joined by single spaces), a comment serving
// as the name of a bare addr-spec ("jdoe@example.org (John Doe)"), a
// source route in ADL, groups as start and end markers. It is lenient: a
// missing local part or domain gets Dovecot's placeholder, an unterminated
// angle address or group is closed at the end, stray characters are
// skipped, empty list elements are dropped. It returns nil when nothing
// usable is found.
func parseAddressList(s string) []imap.Address {
	toks := tokenizeAddresses(s)
	var out []imap.Address
	i := 0
	for i < len(toks) {
		if k := toks[i].kind; k == ',' || k == ';' || k == '>' || k == ')' || k == ']' || k == '\\' || k == 'c' {
			i++
			continue
		}
		j := i
		for j < len(toks) && !strings.ContainsRune(":<,;", rune(toks[j].kind)) {
			j++
		}
		if j < len(toks) && toks[j].kind == ':' {
			name := phrase(toks[i:j])
			if name != "" {
				out = append(out, imap.Address{Mailbox: name})
			}
			i = j + 1
			for i < len(toks) && toks[i].kind != ';' {
				if k := toks[i].kind; k == ',' || k == 'c' || k == ':' || k == '>' {
					i++
					continue
				}
				var a imap.Address
				a, i = parseMailbox(toks, i)
				out = append(out, a)
			}
			if i < len(toks) {
				i++ // ';'
			}
			if name != "" {
				out = append(out, imap.Address{})
			}
			continue
		}
		var a imap.Address
		a, i = parseMailbox(toks, i)
		out = append(out, a)
	}
	return out
}

// parseMailbox parses a name-addr or addr-spec at toks[i:], up to the next
// ',' or ';', and returns the address and the index after it.
func parseMailbox(toks []addrToken, i int) (imap.Address, int) {
	j := i
	for j < len(toks) && toks[j].kind != '<' && toks[j].kind != ',' && toks[j].kind != ';' {
		j++
	}
	if j < len(toks) && toks[j].kind == '<' {
		a := imap.Address{Name: phrase(toks[i:j])}
		k := j + 1
		for k < len(toks) && toks[k].kind != '>' && toks[k].kind != '<' {
			k++ // a route holds commas: "<@a,@b:user@host>"
		}
		if k == len(toks) || toks[k].kind == '<' { // unterminated: end at the next address
			k = j + 1
			for k < len(toks) && toks[k].kind != ',' && toks[k].kind != ';' {
				k++
			}
		}
		spec := toks[j+1 : k]
		for r := range spec {
			if spec[r].kind == ':' {
				a.ADL = joinTokens(spec[:r])
				spec = spec[r+1:]
				break
			}
		}
		a.Mailbox, a.Host = addrSpec(spec)
		for k < len(toks) && toks[k].kind != ',' && toks[k].kind != ';' {
			k++ // '>' and whatever junk follows up to the next address
		}
		return a, k
	}
	spec := toks[i:j]
	a := imap.Address{}
	a.Mailbox, a.Host = addrSpec(spec)
	for _, t := range spec {
		if t.kind == 'c' && strings.TrimSpace(t.text) != "" {
			a.Name = strings.TrimSpace(t.text)
		}
	}
	return a, j
}

// addrSpec returns the local part and domain of an addr-spec, with the
// placeholders for missing ones. Comments are ignored; words of the local
// part are joined with dots as written (a blank between words stays one).
func addrSpec(toks []addrToken) (mailbox, host string) {
	at := -1
	for i, t := range toks {
		if t.kind == '@' {
			at = i
			break
		}
	}
	local := toks
	if at >= 0 {
		local = toks[:at]
		var b strings.Builder
		for _, t := range toks[at+1:] {
			switch t.kind {
			case 'a', 'l', '.':
				b.WriteString(t.text)
			}
		}
		host = b.String()
	}
	mailbox = joinLocal(local)
	if mailbox == "" {
		mailbox = missingMailbox
	}
	if host == "" {
		host = missingDomain
	}
	return mailbox, host
}

// joinLocal joins the words and dots of a local part.
func joinLocal(toks []addrToken) string {
	var b strings.Builder
	prevDot := true
	for _, t := range toks {
		switch t.kind {
		case '.':
			b.WriteByte('.')
			prevDot = true
		case 'a', 'q':
			if t.space && !prevDot && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
			prevDot = false
		}
	}
	return b.String()
}

// phrase renders a display name: its words (atoms, unquoted strings, dots)
// with one blank wherever blanks or comments separated them.
func phrase(toks []addrToken) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case 'a', 'q', '.', 'l', '@':
			if t.space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
		}
	}
	return strings.TrimSpace(b.String())
}

// joinTokens renders a source route ("@a,@b") without blanks or comments.
func joinTokens(toks []addrToken) string {
	var b strings.Builder
	for _, t := range toks {
		if t.kind != 'c' {
			b.WriteString(t.text)
		}
	}
	return b.String()
}
