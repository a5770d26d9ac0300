package imapclient

// Lenient parsing of the Date header (RFC 5322 and what real mail carries).

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

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
// cached, one slot per offset (-18:00 is slot 0), so the cache stays small
// whatever a server sends and a lookup is an index.
var zones [2*maxZoneSlot + 1]atomic.Pointer[time.Location]

// maxZoneSlot is the slot offset of +18:00 from that of 00:00 in zones: 18
// hours of 15-minute steps.
const maxZoneSlot = 18 * 4

// zoneAt returns the zone of a date: UTC for an unnamed zero offset, a
// named fixed zone, or an unnamed fixed zone (cached).
func zoneAt(name string, off int) *time.Location {
	switch {
	case off == 0 && name == "":
		return time.UTC
	case name != "" || off < -maxZoneSlot*900 || off > maxZoneSlot*900 || off%900 != 0:
		return time.FixedZone(name, off)
	}
	slot := &zones[off/900+maxZoneSlot]
	if l := slot.Load(); l != nil {
		return l
	}
	slot.CompareAndSwap(nil, time.FixedZone("", off))
	return slot.Load()
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
