package imap

import (
	"fmt"
	"strings"
	"time"
)

// DateLayout is the IMAP date (RFC 3501 section 9, "date"), used in SEARCH.
const DateLayout = "2-Jan-2006"

// DateTimeLayout is the IMAP date-time of INTERNALDATE and APPEND (RFC
// 3501 section 9, "date-time").
const DateTimeLayout = "02-Jan-2006 15:04:05 -0700"

// FormatDate formats a date for SEARCH: "2-Jan-2006". Only the date in
// t's own location counts.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// FormatDateTime formats a date-time for APPEND: "02-Jan-2006 15:04:05
// -0700".
func FormatDateTime(t time.Time) string { return t.Format(DateTimeLayout) }

// ParseDateTime parses an INTERNALDATE. It accepts the day with a leading
// space or zero, as servers send both.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateTimeLayout, "2-Jan-2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("imap: malformed date-time %q", s)
}
