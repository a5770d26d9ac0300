package imapmemserver

import (
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// fetchAtt is one requested FETCH item.
type fetchAtt struct {
	name    string // UID, FLAGS, ..., "BODY[]" for a section, RFC822, RFC822.HEADER, RFC822.TEXT
	section string // normalised section spec, for "BODY[]"
	peek    bool
	partial bool
	offset  int64
	count   int64
}

// setsSeen reports whether fetching the item sets \Seen.
func (a *fetchAtt) setsSeen() bool {
	return (a.name == "BODY[]" && !a.peek) || a.name == "RFC822" || a.name == "RFC822.TEXT"
}

var fetchMacros = map[string][]string{
	"ALL":  {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"},
	"FAST": {"FLAGS", "INTERNALDATE", "RFC822.SIZE"},
	"FULL": {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"},
}

var simpleAtts = map[string]bool{"UID": true, "FLAGS": true, "INTERNALDATE": true, "RFC822.SIZE": true,
	"ENVELOPE": true, "BODYSTRUCTURE": true, "BODY": true, "MODSEQ": true, "RFC822": true,
	"RFC822.HEADER": true, "RFC822.TEXT": true}

// parseFetchAtts reads the item list of FETCH.
func parseFetchAtts(v *imapwire.Value) ([]fetchAtt, bool) {
	var vs []imapwire.Value
	switch v.Kind {
	case imapwire.ValueList:
		vs = v.List
	case imapwire.ValueAtom:
		if m, ok := fetchMacros[strings.ToUpper(v.Atom)]; ok {
			out := make([]fetchAtt, len(m))
			for i, n := range m {
				out[i] = fetchAtt{name: n}
			}
			return out, true
		}
		vs = []imapwire.Value{*v}
	default:
		return nil, false
	}
	if len(vs) == 0 {
		return nil, false
	}
	out := make([]fetchAtt, 0, len(vs))
	for _, x := range vs {
		if x.Kind != imapwire.ValueAtom {
			return nil, false
		}
		a, ok := parseFetchAtt(x.Atom)
		if !ok {
			return nil, false
		}
		out = append(out, a)
	}
	return out, true
}

func parseFetchAtt(text string) (fetchAtt, bool) {
	i := strings.IndexByte(text, '[')
	if i < 0 {
		name := strings.ToUpper(text)
		return fetchAtt{name: name}, simpleAtts[name]
	}
	a := fetchAtt{name: "BODY[]"}
	switch strings.ToUpper(text[:i]) {
	case "BODY":
	case "BODY.PEEK":
		a.peek = true
	default:
		return a, false
	}
	j := strings.LastIndexByte(text, ']')
	if j < i {
		return a, false
	}
	spec, ok := normalizeSection(text[i+1 : j])
	if !ok {
		return a, false
	}
	a.section = spec
	if rest := text[j+1:]; rest != "" {
		if len(rest) < 5 || rest[0] != '<' || rest[len(rest)-1] != '>' {
			return a, false
		}
		o, n, found := strings.Cut(rest[1:len(rest)-1], ".")
		off, err1 := strconv.ParseUint(o, 10, 32)
		cnt, err2 := strconv.ParseUint(n, 10, 32)
		if !found || err1 != nil || err2 != nil || cnt == 0 {
			return a, false
		}
		a.partial, a.offset, a.count = true, int64(off), int64(cnt)
	}
	return a, true
}

// normalizeSection checks a section spec and returns it upper-cased with
// single spaces ("1.2.HEADER.FIELDS (SUBJECT FROM)").
func normalizeSection(spec string) (string, bool) {
	spec = strings.TrimSpace(spec)
	text, list, hasList := strings.Cut(spec, "(")
	text = strings.ToUpper(strings.TrimSpace(text))
	// Part numbers first.
	rest := text
	var parts []string
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		p, r, _ := strings.Cut(rest, ".")
		if _, err := strconv.ParseUint(p, 10, 32); err != nil || p[0] == '0' {
			return "", false
		}
		parts = append(parts, p)
		rest = r
	}
	switch rest {
	case "", "HEADER", "TEXT":
		if hasList {
			return "", false
		}
	case "MIME":
		if len(parts) == 0 || hasList {
			return "", false
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if !hasList {
			return "", false
		}
		body, ok := strings.CutSuffix(strings.TrimSpace(list), ")")
		if !ok {
			return "", false
		}
		var names []string
		for f := range strings.FieldsSeq(body) {
			f = strings.Trim(f, `"`)
			if f == "" || !imapwire.IsAtom(f) {
				return "", false
			}
			names = append(names, strings.ToUpper(f))
		}
		if len(names) == 0 {
			return "", false
		}
		rest += " (" + strings.Join(names, " ") + ")"
	default:
		return "", false
	}
	out := strings.Join(parts, ".")
	if out != "" && rest != "" {
		out += "."
	}
	return out + rest, true
}

func (s *session) cmdFetch(tag string, args []imapwire.Value) *reply {
	byUID := s.isUIDCommand()
	if len(args) < 2 || len(args) > 3 {
		return bad("FETCH expects a message set and items")
	}
	targets, st := s.targets(&args[0], byUID)
	if st != nil {
		return st
	}
	atts, okAtts := parseFetchAtts(&args[1])
	if !okAtts {
		return bad("Invalid FETCH items " + args[1].String())
	}
	var changedSince uint64
	if len(args) == 3 {
		mods := args[2].List
		if args[2].Kind != imapwire.ValueList || len(mods) != 2 || !mods[0].IsAtom("CHANGEDSINCE") ||
			mods[1].Kind != imapwire.ValueNumber || !s.enableCondStore() {
			return bad("Invalid FETCH modifier " + args[2].String())
		}
		changedSince = mods[1].Num
		if !hasAtt(atts, "MODSEQ") {
			atts = append(atts, fetchAtt{name: "MODSEQ"})
		}
	}
	if hasAtt(atts, "MODSEQ") && !s.enableCondStore() {
		return bad("MODSEQ is not supported")
	}
	if byUID && !hasAtt(atts, "UID") {
		atts = append([]fetchAtt{{name: "UID"}}, atts...)
	}
	markSeen := false
	for i := range atts {
		markSeen = markSeen || atts[i].setsSeen()
	}
	snaps, seen := s.srv.b.snapshots(s.sel, targets, markSeen)
	for i := range snaps {
		m := &snaps[i]
		if changedSince > 0 && m.modSeq <= changedSince {
			continue
		}
		s.writeFetch(m, atts, byUID, seen[m.uid])
	}
	return ok("Fetch completed")
}

// flagsOut returns flags as the session shows them: without \Recent
// once IMAP4rev2 is enabled (RFC 9051 dropped it).
func (s *session) flagsOut(flags []string) []string {
	if !s.rev2 {
		return flags
	}
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if f != imap.FlagRecent {
			out = append(out, f)
		}
	}
	return out
}

func hasAtt(atts []fetchAtt, name string) bool {
	for i := range atts {
		if atts[i].name == name {
			return true
		}
	}
	return false
}

// malformedFetch writes the broken FETCH response of Faults.MalformedFetch
// in place of a real one, once per command.
func (s *session) malformedFetch(m *msgSnap) bool {
	if !s.fetchBad {
		return false
	}
	s.fetchBad = false
	s.enc.Untagged().Raw(strconv.FormatUint(uint64(m.seq), 10) + " FETCH (UID " +
		strconv.FormatUint(uint64(m.uid), 10) + ` FLAGS (\Seen)`).End()
	return true
}

func (s *session) writeFetch(m *msgSnap, atts []fetchAtt, byUID, seenNow bool) {
	if s.malformedFetch(m) {
		return
	}
	f := s.enc.Fetch(m.seq)
	wroteFlags := false
	for i := range atts {
		a := &atts[i]
		switch a.name {
		case "UID":
			if !(byUID && s.faults.OmitFetchUID) {
				f.UID(m.uid)
			}
		case "FLAGS":
			f.Flags(s.flagsOut(m.flags))
			wroteFlags = true
		case "INTERNALDATE":
			f.InternalDate(imap.FormatDateTime(m.date))
		case "RFC822.SIZE":
			f.RFC822Size(uint64(len(m.raw)))
		case "MODSEQ":
			f.ModSeq(m.modSeq)
		case "ENVELOPE":
			f.Envelope(m.parsed.envelope())
		case "BODYSTRUCTURE":
			f.BodyStructure(m.parsed.bodyStructure(true))
		case "BODY":
			f.Body(m.parsed.bodyStructure(false))
		case "RFC822":
			f.Item("RFC822").Literal(m.raw)
		case "RFC822.HEADER", "RFC822.TEXT":
			spec := strings.TrimPrefix(a.name, "RFC822.")
			data, found := m.parsed.section(spec)
			if !found {
				data = []byte{}
			}
			f.Item(a.name).Literal(data)
		case "BODY[]":
			data, found := m.parsed.section(a.section)
			origin := int64(-1)
			if data == nil && (found || validSectionSpec(a.section)) {
				data = []byte{} // a missing part is empty, as Dovecot sends it
			}
			if a.partial {
				origin = a.offset
				if data != nil {
					data = partial(data, a.offset, a.count)
				}
			}
			f.BodySection(a.section, origin, data)
		}
	}
	if seenNow && !wroteFlags {
		// The implicit \Seen is reported as an unsolicited FLAGS would be.
		f.Flags(s.flagsOut(m.flags))
		if s.condstore && !hasAtt(atts, "MODSEQ") {
			f.ModSeq(m.modSeq)
		}
	}
	if err := f.End(); err != nil {
		s.log.Debug("imapmemserver: FETCH response dropped", "uid", m.uid, "err", err)
	}
}

// partial returns data[offset:offset+count], clipped.
func partial(data []byte, offset, count int64) []byte {
	n := int64(len(data))
	if offset >= n {
		return []byte{}
	}
	end := min(n, offset+count)
	return data[offset:end]
}
