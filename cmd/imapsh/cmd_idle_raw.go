package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// updateJSON is one IDLE update in --json mode, printed as it arrives.
type updateJSON struct {
	Update string   `json:"update"`
	Num    uint32   `json:"num,omitempty"`
	UID    uint32   `json:"uid,omitempty"`
	Flags  []string `json:"flags,omitempty"`
	ModSeq uint64   `json:"modseq,omitempty"`
	UIDs   string   `json:"uids,omitempty"`
	Text   string   `json:"text,omitempty"`
	Code   string   `json:"code,omitempty"`
}

func describeUpdate(u imapclient.Update) (string, updateJSON) {
	switch u := u.(type) {
	case *imapclient.ExistsUpdate:
		return fmt.Sprintf("* %d EXISTS", u.Count), updateJSON{Update: "exists", Num: u.Count}
	case *imapclient.RecentUpdate:
		return fmt.Sprintf("* %d RECENT", u.Count), updateJSON{Update: "recent", Num: u.Count}
	case *imapclient.ExpungeUpdate:
		return fmt.Sprintf("* %d EXPUNGE", u.SeqNum), updateJSON{Update: "expunge", Num: u.SeqNum}
	case *imapclient.VanishedUpdate:
		return fmt.Sprintf("* VANISHED %s", u.UIDs), updateJSON{Update: "vanished", UIDs: u.UIDs.String()}
	case *imapclient.FetchUpdate:
		var parts []string
		if u.UID != 0 {
			parts = append(parts, fmt.Sprintf("UID %d", u.UID))
		}
		if u.Flags != nil {
			parts = append(parts, "FLAGS ("+strings.Join(u.Flags, " ")+")")
		}
		if u.ModSeq != 0 {
			parts = append(parts, fmt.Sprintf("MODSEQ (%d)", u.ModSeq))
		}
		return fmt.Sprintf("* %d FETCH (%s)", u.SeqNum, strings.Join(parts, " ")),
			updateJSON{Update: "fetch", Num: u.SeqNum, UID: u.UID, Flags: u.Flags, ModSeq: u.ModSeq}
	case *imapclient.StatusUpdate:
		return "* " + u.Status.String(), updateJSON{Update: strings.ToLower(string(u.Status.Type)), Text: u.Status.Text, Code: u.Status.Code}
	case *imapclient.CapabilityUpdate:
		return "* CAPABILITY " + strings.Join(u.Caps, " "), updateJSON{Update: "capability", Text: strings.Join(u.Caps, " ")}
	case *imapclient.RawUpdate:
		t := rawData(u.Data)
		if u.Num != 0 {
			return fmt.Sprintf("* %d %s %s", u.Num, u.Name, t), updateJSON{Update: strings.ToLower(u.Name), Num: u.Num, Text: t}
		}
		return fmt.Sprintf("* %s %s", u.Name, t), updateJSON{Update: strings.ToLower(u.Name), Text: t}
	}
	return fmt.Sprintf("* %T", u), updateJSON{Update: "unknown"}
}

type idleResult struct {
	Updates int    `json:"updates"`
	Ended   string `json:"ended"`
}

func (r idleResult) text(w io.Writer) {
	fmt.Fprintf(w, "idle ended (%s) after %d updates\n", r.Ended, r.Updates)
}

func cmdIdle(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	ictx := ctx
	if len(cl.args) == 1 {
		d, err := parseIdleSeconds(cl.args[0])
		if err != nil {
			return nil, &usageError{msg: err.Error(), usage: lookup("idle").usage}
		}
		var cancel context.CancelFunc
		ictx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	where := "the server"
	if name, _, ok := s.c.SelectedFolder(); ok {
		where = name
	}
	s.p.note("idling on %s (Ctrl-C to stop)", where)
	n := 0
	for u, err := range s.c.IdleUpdates(ictx) {
		if err != nil {
			if ictx.Err() != nil && !errors.Is(err, imapclient.ErrAbort) {
				break // stopped before IDLE began
			}
			return nil, err
		}
		n++
		line, js := describeUpdate(u)
		if s.p.json {
			s.p.result(js)
		} else {
			s.p.result(message{line})
		}
	}
	ended := "time is up"
	if errors.Is(ctx.Err(), context.Canceled) {
		ended = "interrupted"
	}
	return idleResult{Updates: n, Ended: ended}, nil
}

type rawResult struct {
	Untagged []string `json:"untagged"`
	Status   string   `json:"status"`
}

func (r rawResult) text(w io.Writer) {
	for _, l := range r.Untagged {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, r.Status)
}

func cmdRaw(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	us, st, err := s.c.RawCommand(ctx, cl.rest)
	r := rawResult{Untagged: []string{}}
	for _, u := range us {
		r.Untagged = append(r.Untagged, formatUntagged(u, s.c.FolderEncode()))
	}
	if err != nil {
		var se *imapclient.ServerError
		if errors.As(err, &se) {
			// Show what came before the NO or BAD, then fail.
			if len(r.Untagged) > 0 && !s.p.json {
				r.Untagged = append(r.Untagged, "")
				s.p.result(message{strings.TrimSpace(strings.Join(r.Untagged, "\n"))})
			}
		}
		return nil, err
	}
	if st != nil {
		r.Status = st.String()
	}
	return r, nil
}

// formatUntagged writes an untagged response back in IMAP form, decoding
// folder names for people.
func formatUntagged(u imapclient.UntaggedResponse, decode bool) string {
	if u.Status != nil {
		return "* " + u.Status.String()
	}
	var b strings.Builder
	b.WriteString("* ")
	if u.Num != 0 || u.Name == "EXISTS" || u.Name == "EXPUNGE" || u.Name == "FETCH" || u.Name == "RECENT" {
		fmt.Fprintf(&b, "%d ", u.Num)
	}
	b.WriteString(u.Name)
	if u.Name == "FETCH" {
		b.WriteString(" (")
		for i, it := range u.Items {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(fetchItemString(it))
		}
		b.WriteByte(')')
		return b.String()
	}
	if t := dataString(u.Data, decode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	return b.String()
}

func mailboxName(name string, decode bool) string {
	if decode {
		if d, err := mutf7.Decode(name); err == nil {
			name = d
		}
	}
	return fmt.Sprintf("%q", name)
}

func dataString(d any, decode bool) string {
	switch d := d.(type) {
	case nil:
		return ""
	case []string:
		return strings.Join(d, " ")
	case *imapwire.ListData:
		delim := "NIL"
		if d.Delim != 0 {
			delim = fmt.Sprintf("%q", string(d.Delim))
		}
		return fmt.Sprintf("(%s) %s %s", strings.Join(d.Attrs, " "), delim, mailboxName(d.Mailbox, decode))
	case *imapwire.StatusData:
		var parts []string
		for k, v := range d.Items {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		slices.Sort(parts)
		return fmt.Sprintf("%s (%s)", mailboxName(d.Mailbox, decode), strings.Join(parts, " "))
	case *imapwire.SearchData:
		s := joinIDs(d.Nums)
		if d.ModSeq != 0 {
			s += fmt.Sprintf(" (MODSEQ %d)", d.ModSeq)
		}
		return s
	case map[string]string:
		var parts []string
		for k, v := range d {
			parts = append(parts, fmt.Sprintf("%q %q", k, v))
		}
		slices.Sort(parts)
		return "(" + strings.Join(parts, " ") + ")"
	case *imapwire.NamespaceData:
		return fmt.Sprintf("%v %v %v", d.Personal, d.Other, d.Shared)
	}
	return rawData(d)
}

func rawData(d any) string {
	switch d := d.(type) {
	case nil:
		return ""
	case *imapwire.RawData:
		return string(d.Bytes)
	case []byte:
		return string(d)
	}
	return fmt.Sprint(d)
}

func fetchItemString(it imapwire.FetchItem) string {
	name := it.Name
	if it.HasSection {
		name += "[" + it.Section + "]"
		if it.Origin >= 0 {
			name += fmt.Sprintf("<%d>", it.Origin)
		}
	}
	switch {
	case it.Strings != nil:
		return name + " (" + strings.Join(it.Strings, " ") + ")"
	case it.Envelope != nil:
		return name + " (" + envelopeSummary(it.Envelope) + ")"
	case it.Body != nil:
		return name + " (" + it.Body.MediaType() + " ...)"
	case it.Nil:
		return name + " NIL"
	case it.HasSection || it.Literal != nil:
		return fmt.Sprintf("%s {%d}", name, it.Size)
	case it.Text != "":
		return fmt.Sprintf("%s %q", name, it.Text)
	case it.Raw != nil:
		return name + " " + string(it.Raw)
	}
	return fmt.Sprintf("%s %d", name, it.Num)
}

func envelopeSummary(e *imap.Envelope) string {
	return fmt.Sprintf("%q %q", e.Date, imapclient.DecodeHeader(e.Subject))
}
