package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

type fetchResult struct {
	Messages []*fetchedMessage `json:"messages"`
}

type fetchedMessage struct {
	ID            uint32            `json:"id"`
	SeqNum        uint32            `json:"seq"`
	UID           uint32            `json:"uid,omitempty"`
	Flags         *[]string         `json:"flags,omitempty"`
	InternalDate  string            `json:"internaldate,omitempty"`
	Size          int64             `json:"size,omitempty"`
	Envelope      *envelopeOut      `json:"envelope,omitempty"`
	BodyStructure *bodyPart         `json:"bodystructure,omitempty"`
	Sections      map[string]any    `json:"sections,omitempty"`
	BinarySize    map[string]int64  `json:"binary_size,omitempty"`
	ModSeq        uint64            `json:"modseq,omitempty"`
	EmailID       string            `json:"emailid,omitempty"`
	ThreadID      string            `json:"threadid,omitempty"`
	Preview       string            `json:"preview,omitempty"`
	GmailMsgID    uint64            `json:"x_gm_msgid,omitempty"`
	GmailThreadID uint64            `json:"x_gm_thrid,omitempty"`
	GmailLabels   []string          `json:"x_gm_labels,omitempty"`
	Raw           map[string]string `json:"raw,omitempty"`

	date     time.Time
	sections map[string][]byte
	bs       *imap.BodyStructure
}

type envelopeOut struct {
	Date      string   `json:"date,omitempty"`
	Subject   string   `json:"subject"`
	From      []string `json:"from,omitempty"`
	Sender    []string `json:"sender,omitempty"`
	ReplyTo   []string `json:"reply_to,omitempty"`
	To        []string `json:"to,omitempty"`
	Cc        []string `json:"cc,omitempty"`
	Bcc       []string `json:"bcc,omitempty"`
	InReplyTo string   `json:"in_reply_to,omitempty"`
	MessageID string   `json:"message_id,omitempty"`
}

type bodyPart struct {
	Section     string            `json:"section,omitempty"`
	Type        string            `json:"type"`
	Params      map[string]string `json:"params,omitempty"`
	Encoding    string            `json:"encoding,omitempty"`
	Size        uint32            `json:"size,omitempty"`
	Lines       uint32            `json:"lines,omitempty"`
	Disposition string            `json:"disposition,omitempty"`
	Filename    string            `json:"filename,omitempty"`
	Parts       []*bodyPart       `json:"parts,omitempty"`
}

func cmdFetch(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	set := imapclient.SetString(cl.args[0])
	_, itemText, _ := strings.Cut(cl.rest, " ")
	items := splitFetchItems(itemText)
	if len(items) == 0 {
		return nil, &usageError{msg: "no items", usage: lookup("fetch").usage}
	}
	msgs, err := s.c.Fetch(ctx, set, items)
	if err != nil {
		return nil, err
	}
	r := fetchResult{Messages: []*fetchedMessage{}}
	for _, id := range slices.Sorted(maps.Keys(msgs)) {
		r.Messages = append(r.Messages, newFetched(id, msgs[id]))
	}
	return r, nil
}

func newFetched(id uint32, m *imapclient.Message) *fetchedMessage {
	f := &fetchedMessage{ID: id, SeqNum: m.SeqNum, UID: m.UID, Size: m.Size, ModSeq: m.ModSeq,
		EmailID: m.EmailID, ThreadID: m.ThreadID, Preview: m.Preview, GmailMsgID: m.GmailMsgID,
		GmailThreadID: m.GmailThreadID, GmailLabels: m.GmailLabels, BinarySize: m.BinarySize,
		date: m.InternalDate, sections: m.Sections, bs: m.BodyStructure}
	if m.Flags != nil {
		fl := slices.Clone(m.Flags)
		f.Flags = &fl
	}
	if !m.InternalDate.IsZero() {
		f.InternalDate = m.InternalDate.Format(time.RFC3339)
	}
	if m.Envelope != nil {
		f.Envelope = newEnvelope(m.Envelope)
	}
	if m.BodyStructure != nil {
		f.BodyStructure = newBodyPart("", m.BodyStructure)
	}
	if len(m.Sections) > 0 {
		f.Sections = map[string]any{}
		for k, v := range m.Sections {
			f.Sections[k] = sectionJSON(v)
		}
	}
	if len(m.Raw) > 0 {
		f.Raw = map[string]string{}
		for k, v := range m.Raw {
			f.Raw[k] = string(v)
		}
	}
	return f
}

// sectionJSON is a body section for JSON: a string when it is UTF-8 text,
// {"base64": ...} otherwise, null for NIL.
func sectionJSON(b []byte) any {
	if b == nil {
		return nil
	}
	if utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
		return string(b)
	}
	return map[string]string{"base64": base64.StdEncoding.EncodeToString(b)}
}

func newEnvelope(e *imapclient.Envelope) *envelopeOut {
	out := &envelopeOut{Subject: e.Subject, From: addrList(e.From), Sender: addrList(e.Sender),
		ReplyTo: addrList(e.ReplyTo), To: addrList(e.To), Cc: addrList(e.Cc), Bcc: addrList(e.Bcc),
		InReplyTo: e.InReplyTo, MessageID: e.MessageID}
	if !e.Date.IsZero() {
		out.Date = e.Date.Format(time.RFC3339)
	} else if e.Raw != nil {
		out.Date = e.Raw.Date
	}
	return out
}

// addrList formats addresses as "Name <mailbox@host>", groups as
// "group: a, b;" collapsed into their members with the group's name.
func addrList(as []imap.Address) []string {
	var out []string
	group := ""
	for i := range as {
		a := &as[i]
		switch {
		case a.IsGroupStart():
			group = a.Mailbox
			continue
		case a.IsGroupEnd():
			group = ""
			continue
		}
		s := a.Addr()
		if a.Name != "" {
			s = fmt.Sprintf("%s <%s>", a.Name, s)
		}
		if group != "" {
			s = group + ": " + s
		}
		out = append(out, s)
	}
	return out
}

func newBodyPart(section string, b *imap.BodyStructure) *bodyPart {
	p := &bodyPart{Section: section, Type: b.MediaType(), Encoding: strings.ToLower(b.Encoding),
		Size: b.Size, Lines: b.Lines, Disposition: strings.ToLower(b.Disposition), Filename: attachmentName(b)}
	if len(b.Params) > 0 {
		p.Params = map[string]string{}
		for _, pr := range b.Params {
			p.Params[strings.ToLower(pr.Name)] = pr.Value
		}
	}
	for i, c := range b.Parts {
		p.Parts = append(p.Parts, newBodyPart(joinPart(section, i+1), c))
	}
	if b.Body != nil {
		// message/rfc822: the parts of an encapsulated multipart are
		// numbered under this part's number; a single part is ".1".
		inner := newBodyPart(joinPart(section, 1), b.Body)
		if b.Body.IsMultipart() {
			inner.Section = ""
			inner.Parts = nil
			for i, c := range b.Body.Parts {
				inner.Parts = append(inner.Parts, newBodyPart(joinPart(section, i+1), c))
			}
		}
		p.Parts = append(p.Parts, inner)
	}
	return p
}

func joinPart(section string, n int) string {
	if section == "" {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s.%d", section, n)
}

// attachmentName returns a part's file name: the Content-Disposition
// filename or the Content-Type name, in their RFC 2231 forms (filename*,
// filename*0*, ...) too, with RFC 2047 encoded words decoded.
func attachmentName(b *imap.BodyStructure) string {
	for _, src := range []struct {
		ps  []imap.Param
		key string
	}{{b.DispositionParams, "filename"}, {b.Params, "name"}} {
		ps, key := src.ps, src.key
		if v := rfc2231Param(ps, key); v != "" {
			return v
		}
		for _, p := range ps {
			if strings.EqualFold(p.Name, key) {
				return imapclient.DecodeHeader(p.Value)
			}
		}
	}
	return ""
}

// rfc2231Param assembles and decodes the parameter name* or name*0,
// name*1*, ... (RFC 2231 sections 3 and 4); "" when absent.
func rfc2231Param(ps []imap.Param, name string) string {
	var parts []string
	encoded := false
	for i := 0; ; i++ {
		found := false
		for _, p := range ps {
			n := strings.ToLower(p.Name)
			switch {
			case i == 0 && n == name+"*":
				return decode2231(p.Value, true)
			case n == fmt.Sprintf("%s*%d", name, i):
				parts, found = append(parts, p.Value), true
			case n == fmt.Sprintf("%s*%d*", name, i):
				if i == 0 {
					encoded = true
				}
				parts, found = append(parts, p.Value), true
			}
		}
		if !found {
			break
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return decode2231(strings.Join(parts, ""), encoded)
}

// decode2231 decodes charset'language'percent-encoded text (UTF-8 and
// ASCII; other charsets are left encoded).
func decode2231(v string, encoded bool) string {
	if !encoded {
		return v
	}
	cs, rest, ok := strings.Cut(v, "'")
	if !ok {
		return v
	}
	_, text, ok := strings.Cut(rest, "'")
	if !ok {
		return v
	}
	dec, err := url.PathUnescape(text)
	if err != nil || (cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii")) {
		return v
	}
	return dec
}

func (r fetchResult) text(w io.Writer) {
	if len(r.Messages) == 0 {
		fmt.Fprintln(w, "(no messages)")
		return
	}
	for _, m := range r.Messages {
		m.text(w)
	}
}

func (m *fetchedMessage) text(w io.Writer) {
	head := fmt.Sprintf("message %d", m.SeqNum)
	if m.UID != 0 {
		head = fmt.Sprintf("UID %d (message %d)", m.UID, m.SeqNum)
	}
	fmt.Fprintln(w, head+":")
	if m.Flags != nil {
		fmt.Fprintf(w, "  FLAGS: %s\n", strings.Join(*m.Flags, " "))
	}
	if !m.date.IsZero() {
		fmt.Fprintf(w, "  INTERNALDATE: %s\n", fmtTime(m.date))
	}
	if m.Size != 0 {
		fmt.Fprintf(w, "  RFC822.SIZE: %d\n", m.Size)
	}
	if m.ModSeq != 0 {
		fmt.Fprintf(w, "  MODSEQ: %d\n", m.ModSeq)
	}
	if e := m.Envelope; e != nil {
		fmt.Fprintln(w, "  ENVELOPE:")
		fmt.Fprintf(w, "    Date: %s\n", e.Date)
		fmt.Fprintf(w, "    Subject: %s\n", e.Subject)
		for _, f := range []struct {
			n string
			v []string
		}{{"From", e.From}, {"Sender", e.Sender}, {"Reply-To", e.ReplyTo}, {"To", e.To}, {"Cc", e.Cc}, {"Bcc", e.Bcc}} {
			if len(f.v) > 0 {
				fmt.Fprintf(w, "    %s: %s\n", f.n, strings.Join(f.v, ", "))
			}
		}
		if e.MessageID != "" {
			fmt.Fprintf(w, "    Message-ID: %s\n", e.MessageID)
		}
		if e.InReplyTo != "" {
			fmt.Fprintf(w, "    In-Reply-To: %s\n", e.InReplyTo)
		}
	}
	if m.BodyStructure != nil {
		fmt.Fprintln(w, "  BODYSTRUCTURE:")
		m.BodyStructure.text(w, "    ")
	}
	for _, k := range slices.Sorted(maps.Keys(m.BinarySize)) {
		fmt.Fprintf(w, "  BINARY.SIZE[%s]: %d\n", k, m.BinarySize[k])
	}
	for _, kv := range []struct {
		k string
		v string
	}{{"EMAILID", m.EmailID}, {"THREADID", m.ThreadID}, {"PREVIEW", m.Preview}} {
		if kv.v != "" {
			fmt.Fprintf(w, "  %s: %s\n", kv.k, kv.v)
		}
	}
	if len(m.GmailLabels) > 0 {
		fmt.Fprintf(w, "  X-GM-LABELS: %s\n", strings.Join(m.GmailLabels, " "))
	}
	for _, k := range slices.Sorted(maps.Keys(m.Raw)) {
		fmt.Fprintf(w, "  %s: %s\n", k, m.Raw[k])
	}
	for _, k := range slices.Sorted(maps.Keys(m.sections)) {
		v := m.sections[k]
		switch {
		case v == nil:
			fmt.Fprintf(w, "  %s: NIL\n", k)
		case !utf8.Valid(v) || bytes.ContainsRune(v, 0):
			fmt.Fprintf(w, "  %s: %d bytes of binary data (use --json to get them in base64)\n", k, len(v))
		default:
			fmt.Fprintf(w, "  %s (%d bytes):\n", k, len(v))
			text := strings.ReplaceAll(string(v), "\r\n", "\n")
			io.WriteString(w, text)
			if !strings.HasSuffix(text, "\n") {
				fmt.Fprintln(w)
			}
		}
	}
}

func (p *bodyPart) text(w io.Writer, indent string) {
	var b strings.Builder
	b.WriteString(indent)
	if p.Section != "" {
		b.WriteString(p.Section + " ")
	}
	b.WriteString(p.Type)
	if cs := p.Params["charset"]; cs != "" {
		fmt.Fprintf(&b, " (%s)", strings.ToLower(cs))
	}
	if p.Filename != "" {
		fmt.Fprintf(&b, " %q", p.Filename)
	}
	if len(p.Parts) == 0 {
		fmt.Fprintf(&b, ", %s", fmtSize(int64(p.Size)))
		if p.Encoding != "" && p.Encoding != "7bit" {
			b.WriteString(", " + p.Encoding)
		}
	}
	if p.Disposition != "" {
		b.WriteString(", " + p.Disposition)
	}
	fmt.Fprintln(w, b.String())
	for _, c := range p.Parts {
		c.text(w, indent+"  ")
	}
}
