package imapclient

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/imapclient-go/imapclient/imap"
)

// Envelope is a message's ENVELOPE (RFC 3501 section 7.4.2) in usable
// form: the date parsed, the subject and the display names decoded from
// RFC 2047 encoded words. Raw keeps the envelope exactly as the server
// sent it.
type Envelope struct {
	// Date is the Date header parsed leniently (see ParseMessageDate). It
	// is the zero time when the header is missing or cannot be parsed;
	// Raw.Date holds the text.
	Date time.Time
	// Subject is the Subject header with encoded words decoded (see
	// DecodeHeader).
	Subject string
	// The address lists, in the server's order and flattened as on the
	// wire (see imap.Address for groups), with display names and group
	// names decoded. Index i corresponds to index i of the same list in
	// Raw. The lists are read-only: a list that decoding does not change
	// is Raw's slice, and equal lists may share one slice (Sender and
	// ReplyTo usually repeat From).
	From, Sender, ReplyTo, To, Cc, Bcc []imap.Address
	// InReplyTo and MessageID are as sent, angle brackets included.
	InReplyTo, MessageID string
	// Raw is the envelope as sent: undecoded subject and names, the date
	// text.
	Raw *imap.Envelope
}

// DecodeEnvelope decodes an envelope as sent by the server: it parses
// the date (keeping the zone it names) and decodes the subject and the
// display names. It is applied to FETCH ENVELOPE items; use it for the
// envelopes of message/rfc822 parts in a BodyStructure. It returns nil for
// nil.
func DecodeEnvelope(raw *imap.Envelope) *Envelope {
	if raw == nil {
		return nil
	}
	lists := [6][]imap.Address{raw.From, raw.Sender, raw.ReplyTo, raw.To, raw.Cc, raw.Bcc}
	// A list without encoded words is the raw list itself, and a list the
	// decoder shared with an earlier one (Sender and Reply-To usually
	// repeat From) stays shared: only lists that decoding changes get
	// addresses of their own, all from one array.
	var decoded [6]bool
	n := 0
	for i, l := range lists {
		if decoded[i] = needsDecoding(l) && sharedWith(lists[:i], l) < 0; decoded[i] {
			n += len(l)
		}
	}
	var all []imap.Address
	if n > 0 {
		all = make([]imap.Address, 0, n)
	}
	rawLists := lists
	for i, l := range rawLists {
		switch {
		case decoded[i]:
			lists[i] = decodeAddrs(&all, l)
		case needsDecoding(l):
			lists[i] = lists[sharedWith(rawLists[:i], l)] // decoded above
		}
	}
	e := &Envelope{
		Subject:   DecodeHeader(raw.Subject),
		From:      lists[0],
		Sender:    lists[1],
		ReplyTo:   lists[2],
		To:        lists[3],
		Cc:        lists[4],
		Bcc:       lists[5],
		InReplyTo: raw.InReplyTo,
		MessageID: raw.MessageID,
		Raw:       raw,
	}
	if raw.Date != "" {
		if t, err := ParseMessageDate(raw.Date); err == nil {
			e.Date = t
		}
	}
	return e
}

// needsDecoding reports whether a display name (or group name) in l holds
// an encoded word.
func needsDecoding(l []imap.Address) bool {
	for i := range l {
		a := &l[i]
		if hasEncodedWord(a.Name) || (a.IsGroupStart() && hasEncodedWord(a.Mailbox)) {
			return true
		}
	}
	return false
}

// hasEncodedWord reports whether s contains "=?", the start of an encoded
// word. Header values are short: a byte loop beats strings.Contains.
func hasEncodedWord(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '=' && s[i+1] == '?' {
			return true
		}
	}
	return false
}

// sharedWith returns the index of the list in earlier that is the same
// slice as l (same first element and length), or -1.
func sharedWith(earlier [][]imap.Address, l []imap.Address) int {
	if len(l) == 0 {
		return -1
	}
	for i, e := range earlier {
		if len(e) == len(l) && &e[0] == &l[0] {
			return i
		}
	}
	return -1
}

// decodeAddrs appends the decoded addresses of in to *all and returns
// them as a slice of their own (nil for nil, empty for empty).
func decodeAddrs(all *[]imap.Address, in []imap.Address) []imap.Address {
	if in == nil {
		return nil
	}
	start := len(*all)
	for _, a := range in {
		a.Name = DecodeHeader(a.Name)
		if a.IsGroupStart() {
			a.Mailbox = DecodeHeader(a.Mailbox) // the group's display name
		}
		*all = append(*all, a)
	}
	return (*all)[start:len(*all):len(*all)]
}

// DecodeHeader decodes the RFC 2047 encoded words in a header value, such
// as "=?ISO-8859-1?Q?Caf=E9?=", in any charset golang.org/x/text knows
// (WHATWG labels first, so ISO-8859-1 is read as its superset
// Windows-1252, then IANA names). Both the B and Q encodings are
// accepted, in either case. Whitespace between adjacent encoded words is
// dropped (RFC 2047 section 6.2), and adjacent words in the same charset
// are joined before conversion, so a character split over two words
// survives. A malformed word, or one in an unknown charset, is left as
// it is; decoding never fails.
func DecodeHeader(s string) string {
	if !hasEncodedWord(s) {
		return s
	}
	if strings.HasPrefix(s, "=?") {
		// The common case: one encoded word and nothing else.
		if v, ok := decodeUTF8Word(s); ok {
			return v
		}
		if cs, data, end, ok := encodedWord(s, 0); ok && end == len(s) {
			return convertCharset(cs, data)
		}
	}
	var out strings.Builder
	var run []byte  // bytes of adjacent encoded words in one charset
	runCS := ""     // charset of run; "" when no run is open
	last, i := 0, 0 // s[last:] is not yet written
	flush := func() {
		if runCS != "" {
			out.WriteString(convertCharset(runCS, run))
			run, runCS = run[:0], ""
		}
	}
	for {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		start := i + j
		cs, data, end, ok := encodedWord(s, start)
		if !ok {
			i = start + 2
			continue
		}
		gap := s[last:start]
		switch {
		case runCS != "" && isLWSP(gap) && strings.EqualFold(cs, runCS):
			run = append(run, data...)
		case runCS != "" && isLWSP(gap):
			flush()
			runCS, run = cs, append(run[:0], data...)
		default:
			flush()
			out.WriteString(gap)
			runCS, run = cs, append(run[:0], data...)
		}
		last, i = end, end
	}
	flush()
	out.WriteString(s[last:])
	return out.String()
}

// encodedWord parses "=?charset?E?text?=" at s[start:]. It returns the
// charset (without an RFC 2231 language suffix), the decoded bytes and
// the end offset, or ok == false when the word is malformed or its
// charset unknown.
func encodedWord(s string, start int) (charset string, data []byte, end int, ok bool) {
	p := start + 2
	q := strings.IndexByte(s[p:], '?')
	if q <= 0 {
		return "", nil, 0, false
	}
	charset = s[p : p+q]
	if strings.ContainsAny(charset, " \t\r\n=") {
		return "", nil, 0, false
	}
	if k := strings.IndexByte(charset, '*'); k >= 0 {
		charset = charset[:k] // RFC 2231 section 5: charset*language
	}
	p += q + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	p += 2
	e := strings.Index(s[p:], "?=")
	if e < 0 {
		return "", nil, 0, false
	}
	text := s[p : p+e]
	if strings.ContainsAny(text, "\r\n") || lookupCharset(charset) == nil {
		return "", nil, 0, false
	}
	switch enc {
	case 'b':
		data, ok = decodeB(text)
	case 'q':
		data, ok = decodeQ(text), true
	}
	return charset, data, p + e + 2, ok
}

// decodeUTF8Word decodes s when it is exactly one short encoded word in
// UTF-8 or US-ASCII whose text decodes cleanly to valid UTF-8, with one
// allocation (the result); ok is false otherwise, and the general path
// (encodedWord, convertCharset) takes it, with the same result where both
// apply.
func decodeUTF8Word(s string) (string, bool) {
	p := strings.IndexByte(s[2:], '?') + 2
	if p < 2 || p+5 > len(s) || s[p+2] != '?' || !strings.HasSuffix(s, "?=") {
		return "", false
	}
	if cs := s[2:p]; !asciiEqualFold(cs, "utf-8") && !asciiEqualFold(cs, "us-ascii") {
		return "", false
	}
	text := s[p+3 : len(s)-2]
	var buf [128]byte
	if len(text) > len(buf) || strings.ContainsAny(text, "?\r\n \t") {
		return "", false
	}
	var n int
	switch s[p+1] | 0x20 {
	case 'b':
		var err error
		if n, err = base64.StdEncoding.Decode(buf[:], []byte(text)); err != nil {
			return "", false
		}
	case 'q':
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '_':
				c = ' '
			case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
				c = unhex(text[i+1])<<4 | unhex(text[i+2])
				i += 2
			}
			buf[n] = c
			n++
		}
	default:
		return "", false
	}
	if !utf8.Valid(buf[:n]) {
		return "", false
	}
	return string(buf[:n]), true
}

func decodeB(text string) ([]byte, bool) {
	text = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, text)
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b, true
	}
	// Some mailers leave out the padding.
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err == nil {
		return b, true
	}
	return nil, false
}

// decodeQ decodes the Q encoding (RFC 2047 section 4.2) leniently: an
// "=" not followed by two hex digits stays as it is.
func decodeQ(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isLWSP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// utf8Charset stands for UTF-8 and ASCII, which need no conversion.
var utf8Charset encoding.Encoding = encoding.Nop

// charsets caches the charsets found by lookupCharset. Only known names
// are kept, so the cache is bounded by the aliases golang.org/x/text
// knows, whatever a server sends.
var charsets sync.Map // lower-case name -> encoding.Encoding

// lookupCharset finds the decoder for a MIME charset name, or nil.
func lookupCharset(name string) encoding.Encoding {
	// The common names first, without allocating a lower-case copy.
	if asciiEqualFold(name, "utf-8") || asciiEqualFold(name, "us-ascii") {
		return utf8Charset
	}
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return utf8Charset
	case "":
		return nil
	}
	if e, ok := charsets.Load(n); ok {
		return e.(encoding.Encoding)
	}
	if e, err := htmlindex.Get(n); err == nil && e != nil {
		charsets.Store(n, e)
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(n); err == nil && e != nil {
			charsets.Store(n, e)
			return e
		}
	}
	return nil
}

// convertCharset converts text in a known charset to UTF-8. Invalid
// sequences become U+FFFD.
func convertCharset(charset string, b []byte) string {
	e := lookupCharset(charset)
	if e == utf8Charset || e == nil {
		if utf8.Valid(b) {
			return string(b)
		}
		if n := strings.ToLower(charset); n == "us-ascii" || n == "ascii" {
			// 8-bit data labelled ASCII is usually Windows-1252.
			if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
				return string(s)
			}
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// ParseMessageDate parses a date as found in Date headers and envelopes,
// leniently, as IMAPClient does: it accepts the RFC 5322 form ("Mon, 7
// Feb 1994 21:52:25 -0800") and the variants real mail carries: no or a
// full day name, dots instead of colons in the time ("21.52.25"), no
// seconds, extra spaces, a trailing comment ("(PST)"), two- and
// three-digit years (RFC 5322 section 4.3: 00-49 are 2000-2049, 50-999
// count from 1900), zone names (UT, GMT, EST, PDT, ..., RFC 5322 section
// 4.3), the IMAP form "7-Feb-1994", month names in any case, full or
// abbreviated. A missing or unknown zone is taken as UTC (RFC 5322's
// "-0000": local time unknown). The zone given is kept in the result's
// location.
func ParseMessageDate(s string) (time.Time, error) {
	if t, ok := parseDateFast(s); ok {
		return t, nil
	}
	var p dateParts
	p.year, p.hour = -1, -1
	fields := strings.FieldsFunc(stripComments(s), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n'
	})
	for _, f := range fields {
		if len(f) > 1 && f[0] != '-' && f[0] != '+' && strings.Contains(f, "-") {
			sub := strings.Split(f, "-")
			if p.isoDate(sub) {
				continue
			}
			for _, x := range sub {
				p.token(x)
			}
			continue
		}
		p.token(f)
	}
	t, err := p.time()
	if err != nil {
		return time.Time{}, fmt.Errorf("imapclient: cannot parse date %q: %w", s, err)
	}
	return t, nil
}

type dateParts struct {
	nums              []string
	month             int
	year              int
	hour, min, sec    int
	pm, am            bool
	loc               *time.Location
	monthNum, dayNum  int // from an ISO date
	haveISO, haveZone bool
}

var monthNames = []string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

var dayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// zoneNames are RFC 5322 section 4.3's obsolete zones and a few more.
var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "JST": 9,
}

func (p *dateParts) isoDate(sub []string) bool {
	if len(sub) != 3 || len(sub[0]) != 4 || !allDigits(sub[0]) || !allDigits(sub[1]) || !allDigits(sub[2]) {
		return false
	}
	p.year = atoi(sub[0])
	p.monthNum, p.dayNum, p.haveISO = atoi(sub[1]), atoi(sub[2]), true
	return true
}

func (p *dateParts) token(f string) {
	f = strings.TrimSuffix(f, ".")
	if f == "" {
		return
	}
	switch c := f[0]; {
	case (c == '+' || c == '-') && len(f) > 1 && allDigits(strings.ReplaceAll(f[1:], ":", "")):
		d := strings.ReplaceAll(f[1:], ":", "")
		var off int
		switch len(d) {
		case 4:
			off = atoi(d[:2])*3600 + atoi(d[2:])*60
		case 1, 2:
			off = atoi(d) * 3600
		default:
			return
		}
		if c == '-' {
			off = -off
		}
		p.setZone("", off)
	case c >= '0' && c <= '9':
		if strings.ContainsAny(f, ":.") {
			p.clock(f)
			return
		}
		if allDigits(f) {
			p.nums = append(p.nums, f)
		}
	default:
		low := strings.ToLower(f)
		if len(low) >= 3 {
			for i, m := range monthNames {
				if strings.HasPrefix(m, low) {
					p.month = i + 1
					return
				}
			}
			for _, d := range dayNames {
				if strings.HasPrefix(d, low) {
					return
				}
			}
		}
		up := strings.ToUpper(f)
		switch up {
		case "AM":
			p.am = true
			return
		case "PM":
			p.pm = true
			return
		}
		if h, ok := zoneNames[up]; ok {
			name := up
			if h == 0 {
				name = ""
			}
			p.setZone(name, h*3600)
		} else if len(up) == 1 && up[0] >= 'A' && up[0] <= 'Z' {
			p.setZone("", 0) // military zones: treat as -0000 (RFC 5322 section 4.3)
		}
	}
}

func (p *dateParts) setZone(name string, off int) {
	if p.haveZone {
		return // the first zone wins; a later one is usually a comment
	}
	p.haveZone = true
	p.loc = zoneAt(name, off)
}

// zones caches the unnamed fixed zones of real-world offsets: a Location
// is immutable, and a new one per parsed date is garbage a large envelope
// FETCH need not make. Only multiples of 15 minutes up to 18 hours are
// cached, so the cache stays small whatever a server sends.
var zones sync.Map // int -> *time.Location

// zoneAt returns the zone of a date: UTC for an unnamed zero offset, a
// named fixed zone, or an unnamed fixed zone (cached).
func zoneAt(name string, off int) *time.Location {
	switch {
	case off == 0 && name == "":
		return time.UTC
	case name != "" || off < -18*3600 || off > 18*3600 || off%900 != 0:
		return time.FixedZone(name, off)
	}
	if l, ok := zones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return l.(*time.Location)
}

// parseDateFast parses the strict RFC 5322 form that nearly all mail
// carries, "[Mon, ]2 Jan 2006 15:04[:05] -0700[ (comment)]", with single
// spaces, without allocating. It gives the same result as the lenient
// parser for what it accepts; ok is false for anything else, which the
// lenient parser then takes.
func parseDateFast(s string) (t time.Time, ok bool) {
	i := 0
	if len(s) > 4 && s[3] == ',' && isLetter(s[0]) {
		known := false
		for _, d := range dayNames {
			if asciiEqualFold(s[:3], d[:3]) {
				known = true
				break
			}
		}
		if !known {
			return t, false
		}
		for i = 4; i < len(s) && s[i] == ' '; i++ {
		}
	}
	num := func(min, max int) (int, bool) {
		n, k := 0, 0
		for ; i < len(s) && k < max && s[i] >= '0' && s[i] <= '9'; i, k = i+1, k+1 {
			n = n*10 + int(s[i]-'0')
		}
		return n, k >= min && (i >= len(s) || s[i] < '0' || s[i] > '9')
	}
	sep := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	day, ok := num(1, 2)
	if !ok || !sep(' ') || i+3 > len(s) {
		return t, false
	}
	month := 0
	for k, m := range monthNames {
		if asciiEqualFold(s[i:i+3], m[:3]) {
			month = k + 1
			break
		}
	}
	i += 3
	if month == 0 || !sep(' ') {
		return t, false
	}
	year, ok := num(4, 4)
	if !ok || !sep(' ') {
		return t, false
	}
	hour, ok := num(2, 2)
	if !ok || !sep(':') {
		return t, false
	}
	min, ok := num(2, 2)
	if !ok {
		return t, false
	}
	sec := 0
	if sep(':') {
		if sec, ok = num(2, 2); !ok {
			return t, false
		}
	}
	if !sep(' ') || i >= len(s) || (s[i] != '+' && s[i] != '-') {
		return t, false
	}
	neg := s[i] == '-'
	i++
	zone, ok := num(4, 4)
	if !ok {
		return t, false
	}
	if rest := s[i:]; rest != "" {
		// Only a trailing comment, not nested: " (PST)".
		if len(rest) < 3 || rest[0] != ' ' || rest[1] != '(' || rest[len(rest)-1] != ')' ||
			strings.ContainsAny(rest[2:len(rest)-1], "()") {
			return t, false
		}
	}
	if day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return t, false
	}
	off := zone/100*3600 + zone%100*60
	if neg {
		off = -off
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, zoneAt("", off)), true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// asciiEqualFold is strings.EqualFold for ASCII text: only ASCII letters
// fold.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x != y && (x|0x20 != y|0x20 || !isLetter(x)) {
			return false
		}
	}
	return true
}

func (p *dateParts) clock(f string) {
	parts := strings.FieldsFunc(f, func(r rune) bool { return r == ':' || r == '.' })
	if len(parts) < 2 || len(parts) > 3 || p.hour >= 0 {
		return
	}
	for _, x := range parts {
		if !allDigits(x) || len(x) > 2 {
			return
		}
	}
	p.hour, p.min = atoi(parts[0]), atoi(parts[1])
	if len(parts) == 3 {
		p.sec = atoi(parts[2])
	}
}

func (p *dateParts) time() (time.Time, error) {
	var day, month, year int
	switch {
	case p.haveISO:
		day, month, year = p.dayNum, p.monthNum, p.year
	case p.month == 0:
		return time.Time{}, fmt.Errorf("no month")
	case len(p.nums) < 2:
		return time.Time{}, fmt.Errorf("no day or year")
	default:
		a, b := p.nums[0], p.nums[1]
		if len(a) >= 3 || atoi(a) > 31 {
			a, b = b, a // "1994 Feb 7"
		}
		day, month, year = atoi(a), p.month, atoi(b)
		switch len(b) {
		case 1, 2:
			if year < 50 {
				year += 2000
			} else {
				year += 1900
			}
		case 3:
			year += 1900
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, fmt.Errorf("day or month out of range")
	}
	hour, min, sec := p.hour, p.min, p.sec
	if hour < 0 {
		hour, min, sec = 0, 0, 0
	}
	if p.pm && hour < 12 {
		hour += 12
	} else if p.am && hour == 12 {
		hour = 0
	}
	if hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("time out of range")
	}
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, loc), nil
}

// stripComments removes RFC 5322 comments: "(PST)", nested ones too.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
			b.WriteByte(' ')
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a short run of digits; callers check allDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
