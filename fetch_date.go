package imapclient

import (
	"sync"
	"time"
)

// parseDateTimeFast parses the INTERNALDATE form servers send,
// "02-Jan-2006 15:04:05 -0700" (the day may have one digit or a leading
// space), without time.Parse, which allocates a zone for every date whose
// offset is not the local one. It returns exactly what imap.ParseDateTime
// returns for such text, zone included, and ok == false for anything else
// (which the full parser then takes).
func parseDateTimeFast(s string) (t time.Time, ok bool) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	// d-Mon-yyyy or dd-Mon-yyyy, then " hh:mm:ss +zzzz".
	dayLen := 2
	if len(s) == 25 {
		dayLen = 1
	} else if len(s) != 26 {
		return t, false
	}
	digits := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	day, ok1 := digits(s[:dayLen])
	s = s[dayLen:]
	// s is now "-Jan-2006 15:04:05 -0700" (24 bytes).
	if !ok1 || s[0] != '-' || s[4] != '-' || s[9] != ' ' || s[12] != ':' || s[15] != ':' || s[18] != ' ' {
		return t, false
	}
	month := 0
	for i, m := range monthNames {
		if asciiEqualFold(s[1:4], m[:3]) {
			month = i + 1
			break
		}
	}
	year, ok2 := digits(s[5:9])
	hour, ok3 := digits(s[10:12])
	min, ok4 := digits(s[13:15])
	sec, ok5 := digits(s[16:18])
	zh, ok6 := digits(s[20:22])
	zm, ok7 := digits(s[22:24])
	sign := s[19]
	if month == 0 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || (sign != '+' && sign != '-') {
		return t, false
	}
	if day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 || zh > 23 || zm > 59 {
		return t, false // time.Parse's range errors: the full parser reports them
	}
	off := (zh*60 + zm) * 60
	if sign == '-' {
		off = -off
	}
	// As time.Parse does: the local zone when it has this offset at that
	// instant, else an unnamed fixed zone.
	u := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC).Add(-time.Duration(off) * time.Second)
	if _, lo := u.In(time.Local).Zone(); lo == off {
		return u.In(time.Local), true
	}
	return u.In(fixedZone(off)), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// fixedZones caches time.FixedZone("", off) for the offsets of the
// INTERNALDATE form (under 24 hours, whole minutes: a bounded set).
var fixedZones sync.Map // int -> *time.Location

func fixedZone(off int) *time.Location {
	if l, ok := fixedZones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := fixedZones.LoadOrStore(off, time.FixedZone("", off))
	return l.(*time.Location)
}
