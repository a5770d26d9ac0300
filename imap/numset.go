package imap

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Star is the value of "*" in a sequence set: the largest number in use in
// the mailbox (RFC 3501 section 9, seq-number). Range.Stop or Range.Start
// hold Star to mean "*".
const Star uint32 = 0

// Range is a contiguous run of message numbers from Start to Stop
// inclusive. Either end may be Star. A Range with Start == Stop is a single
// number. IMAP allows the ends in either order ("5:2" means "2:5").
type Range struct {
	Start, Stop uint32
}

// String returns the range in IMAP syntax: "7", "2:5" or "4:*".
func (r Range) String() string {
	if r == savedRange {
		return "$"
	}
	if r.Start == r.Stop {
		return numString(r.Start)
	}
	return numString(r.Start) + ":" + numString(r.Stop)
}

// Contains reports whether n lies in r. A range that ends in Star contains
// every number from its other end on.
func (r Range) Contains(n uint32) bool {
	lo, hi := r.Start, r.Stop
	if lo == Star {
		lo, hi = hi, lo
	}
	if hi == Star {
		return n >= lo
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return n >= lo && n <= hi
}

func numString(n uint32) string {
	if n == Star {
		return "*"
	}
	return strconv.FormatUint(uint64(n), 10)
}

// NumSet is a set of message numbers (sequence numbers or UIDs, depending on
// the command that carries it): RFC 3501's sequence-set. The zero value is
// the empty set, which cannot be sent to a server.
type NumSet []Range

// ErrEmptySet is returned when an empty message set would be sent.
var ErrEmptySet = errors.New("imap: empty message set")

// SetError reports a message-set string that is not valid.
type SetError struct {
	Input  string // the string given
	Offset int    // byte offset of the problem in Input
	Reason string
}

// Error implements error.
func (e *SetError) Error() string {
	return fmt.Sprintf("imap: invalid message set %q at offset %d: %s", e.Input, e.Offset, e.Reason)
}

// NumSetOf returns the set holding exactly nums, sorted, with duplicates
// removed and consecutive numbers compressed into ranges: NumSetOf(1, 2, 3,
// 7) is "1:3,7". Zero (Star) in nums stands for "*".
func NumSetOf(nums ...uint32) NumSet {
	if len(nums) == 0 {
		return nil
	}
	sorted := slices.Clone(nums)
	slices.Sort(sorted)
	var set NumSet
	hasStar := sorted[0] == Star
	for _, n := range sorted {
		if n == Star {
			continue
		}
		if k := len(set); k > 0 && (set[k-1].Stop == n || set[k-1].Stop+1 == n) {
			set[k-1].Stop = n
			continue
		}
		set = append(set, Range{n, n})
	}
	if hasStar {
		set = append(set, Range{Star, Star})
	}
	return set
}

// ParseNumSet parses a message set in IMAP syntax ("2:*", "2,4:7,9,12:*")
// or in Python IMAPClient's dash form ("50-65", normalised to "50:65").
// Spaces around commas are tolerated. Numbers must be between 1 and
// 4294967295. The order given is kept.
func ParseNumSet(s string) (NumSet, error) {
	if strings.Trim(s, " ") == "" {
		return nil, &SetError{Input: s, Reason: "empty"}
	}
	var set NumSet
	off := 0
	for part := range strings.SplitSeq(s, ",") {
		p := strings.Trim(part, " ")
		r, err := parseRange(p)
		if err != nil {
			return nil, &SetError{Input: s, Offset: off, Reason: err.Error()}
		}
		set = append(set, r)
		off += len(part) + 1
	}
	return set, nil
}

func parseRange(p string) (Range, error) {
	r, err := parseRangeText(p)
	if r == savedRange {
		r = Range{Start: r.Stop, Stop: r.Start} // the same set, never "$"
	}
	return r, err
}

func parseRangeText(p string) (Range, error) {
	if p == "" {
		return Range{}, errors.New("empty element")
	}
	sep := strings.IndexAny(p, ":-")
	if sep < 0 {
		n, err := parseSetNum(p)
		return Range{n, n}, err
	}
	a, err := parseSetNum(p[:sep])
	if err != nil {
		return Range{}, err
	}
	b, err := parseSetNum(p[sep+1:])
	if err != nil {
		return Range{}, err
	}
	return Range{a, b}, nil
}

func parseSetNum(p string) (uint32, error) {
	p = strings.Trim(p, " ")
	if p == "*" {
		return Star, nil
	}
	if p == "" {
		return 0, errors.New("missing number")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, fmt.Errorf("unexpected character %q", p[i])
		}
	}
	n, err := strconv.ParseUint(p, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("number %s out of range 1..4294967295", p)
	}
	return uint32(n), nil
}

// MustParseNumSet is like ParseNumSet but panics on error. It is meant for
// constants in tests and examples.
func MustParseNumSet(s string) NumSet {
	set, err := ParseNumSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

// String returns the set in IMAP syntax, or "" for the empty set.
func (s NumSet) String() string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// AppendTo appends the set in IMAP syntax to dst and returns the result.
func (s NumSet) AppendTo(dst []byte) []byte {
	for i, r := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		if r == savedRange {
			dst = append(dst, '$')
			continue
		}
		dst = appendNum(dst, r.Start)
		if r.Stop != r.Start {
			dst = append(dst, ':')
			dst = appendNum(dst, r.Stop)
		}
	}
	return dst
}

func appendNum(dst []byte, n uint32) []byte {
	if n == Star {
		return append(dst, '*')
	}
	return strconv.AppendUint(dst, uint64(n), 10)
}

// Contains reports whether n is in the set.
func (s NumSet) Contains(n uint32) bool {
	for _, r := range s {
		if r.Contains(n) {
			return true
		}
	}
	return false
}

// Dynamic reports whether the set uses "*", whose meaning depends on the
// mailbox.
func (s NumSet) Dynamic() bool {
	for _, r := range s {
		if r.Start == Star || r.Stop == Star {
			return true
		}
	}
	return false
}

// Nums returns every number in the set in order, or ok == false when the
// set is dynamic (uses "*") or holds more than limit numbers.
func (s NumSet) Nums(limit int) (nums []uint32, ok bool) {
	if s.Dynamic() {
		return nil, false
	}
	for _, r := range s {
		lo, hi := r.Start, r.Stop
		if lo > hi {
			lo, hi = hi, lo
		}
		if uint64(len(nums))+uint64(hi-lo)+1 > uint64(limit) {
			return nil, false
		}
		for n := lo; ; n++ {
			nums = append(nums, n)
			if n == hi {
				break
			}
		}
	}
	return nums, true
}

// NumSet returns s itself, or ErrEmptySet when it is empty. With it a
// NumSet serves wherever a message-set interface is taken.
func (s NumSet) NumSet() (NumSet, error) {
	if len(s) == 0 {
		return nil, ErrEmptySet
	}
	return s, nil
}

// Split cuts the set into sets whose IMAP form is at most maxLen bytes
// (at least one range each), so a huge set can be sent over several
// commands.
func (s NumSet) Split(maxLen int) []NumSet {
	var out []NumSet
	var cur NumSet
	n := 0
	for _, r := range s {
		l := len(r.String())
		if len(cur) > 0 && n+1+l > maxLen {
			out = append(out, cur)
			cur, n = nil, 0
		}
		if len(cur) > 0 {
			n++
		}
		cur = append(cur, r)
		n += l
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// savedRange stands for "$" inside a NumSet. As a range it would be
// "*:4294967295", the same set as "4294967295:*", which is how ParseNumSet
// returns that text, so "$" never comes from parsing numbers.
var savedRange = Range{Start: Star, Stop: 1<<32 - 1}

// SavedSet returns the set "$" of RFC 5182 (SEARCHRES): the result of
// the last SEARCH with RETURN (SAVE), which only the server knows. It is
// sent as "$" and is Dynamic: Contains and Nums cannot tell its members.
// RFC 5182 section 2 allows it only on its own, never inside a longer set.
func SavedSet() NumSet { return NumSet{savedRange} }

// IsSaved reports whether s is the set "$" (see SavedSet).
func (s NumSet) IsSaved() bool { return len(s) == 1 && s[0] == savedRange }
