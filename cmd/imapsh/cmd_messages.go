package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient"
)

type flagsResult struct {
	Messages []flagsEntry `json:"messages"`
}

type flagsEntry struct {
	ID    uint32   `json:"id"`
	Flags []string `json:"flags"`
}

func (r flagsResult) text(w io.Writer) {
	if len(r.Messages) == 0 {
		fmt.Fprintln(w, "(no messages)")
		return
	}
	for _, m := range r.Messages {
		fmt.Fprintf(w, "%d: %s\n", m.ID, strings.Join(m.Flags, " "))
	}
}

func newFlagsResult(m map[uint32][]string) flagsResult {
	r := flagsResult{Messages: []flagsEntry{}}
	for _, id := range slices.Sorted(maps.Keys(m)) {
		fl := m[id]
		if fl == nil {
			fl = []string{}
		}
		r.Messages = append(r.Messages, flagsEntry{ID: id, Flags: fl})
	}
	return r
}

// flagWords reads flags given as words, or as one parenthesised list.
func flagWords(args []string) []string {
	joined := strings.TrimSpace(strings.Join(args, " "))
	if strings.HasPrefix(joined, "(") && strings.HasSuffix(joined, ")") {
		joined = joined[1 : len(joined)-1]
	}
	return strings.Fields(joined)
}

func cmdFlags(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	op := strings.ToLower(cl.args[0])
	args := cl.args[1:]
	switch op {
	case "get", "add", "remove", "set":
	default:
		// "flags SET" shows the flags.
		op, args = "get", cl.args
	}
	if len(args) == 0 {
		return nil, &usageError{msg: "no message set", usage: lookup("flags").usage}
	}
	set := imapclient.SetString(args[0])
	flags := flagWords(args[1:])
	var m map[uint32][]string
	var err error
	switch op {
	case "get":
		if len(flags) > 0 {
			return nil, &usageError{msg: "flags get takes no flags", usage: lookup("flags").usage}
		}
		m, err = s.c.GetFlags(ctx, set)
	case "add", "remove":
		if len(flags) == 0 {
			return nil, &usageError{msg: "no flags given", usage: lookup("flags").usage}
		}
		if op == "add" {
			m, err = s.c.AddFlags(ctx, set, flags, false)
		} else {
			m, err = s.c.RemoveFlags(ctx, set, flags, false)
		}
	case "set":
		m, err = s.c.SetFlags(ctx, set, flags, false)
	}
	if err != nil {
		return nil, err
	}
	return newFlagsResult(m), nil
}

type appendResult struct {
	Folder      string `json:"folder"`
	Size        int    `json:"size"`
	UIDValidity uint32 `json:"uidvalidity,omitempty"`
	UID         uint32 `json:"uid,omitempty"`
}

func (r appendResult) text(w io.Writer) {
	if r.UID != 0 {
		fmt.Fprintf(w, "appended %d bytes to %s as UID %d (UIDVALIDITY %d)\n", r.Size, r.Folder, r.UID, r.UIDValidity)
		return
	}
	fmt.Fprintf(w, "appended %d bytes to %s\n", r.Size, r.Folder)
}

// maxAppendFile bounds the file append reads into memory.
const maxAppendFile = 256 << 20

func cmdAppend(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	folder, file := cl.args[0], cl.args[1]
	fi, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxAppendFile {
		return nil, fmt.Errorf("%s is larger than %s", file, fmtSize(maxAppendFile))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s is empty", file)
	}
	msg := toCRLF(data)
	res, err := s.c.Append(ctx, folder, msg, flagWords(cl.args[2:]), messageDate(msg))
	if err != nil {
		return nil, err
	}
	return appendResult{Folder: folder, Size: len(msg), UIDValidity: res.UIDValidity, UID: res.UID}, nil
}

// messageDate returns the date of the message's Date header, to use as
// its internal date, or the zero time (the server's clock) without one.
func messageDate(msg []byte) time.Time {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return time.Time{}
	}
	d, err := imapclient.ParseMessageDate(m.Header.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return d
}

// toCRLF converts bare LF line endings (a message saved on Unix) to CRLF,
// as IMAP requires.
func toCRLF(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n")) {
		return b
	}
	out := make([]byte, 0, len(b)+bytes.Count(b, []byte("\n")))
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

type copyResult struct {
	Operation   string            `json:"operation"`
	Folder      string            `json:"folder"`
	UIDValidity uint32            `json:"uidvalidity,omitempty"`
	UIDs        map[string]uint32 `json:"uids,omitempty"` // source UID -> destination UID
	pairs       [][2]uint32
}

func (r copyResult) text(w io.Writer) {
	verb := "copied"
	if r.Operation == "move" {
		verb = "moved"
	}
	if len(r.pairs) == 0 {
		fmt.Fprintf(w, "%s to %s\n", verb, r.Folder)
		return
	}
	var parts []string
	for _, p := range r.pairs {
		parts = append(parts, fmt.Sprintf("%d->%d", p[0], p[1]))
	}
	fmt.Fprintf(w, "%s %d messages to %s (UIDVALIDITY %d): %s\n", verb, len(r.pairs), r.Folder, r.UIDValidity, strings.Join(parts, " "))
}

func cmdCopyMove(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	set := imapclient.SetString(cl.args[0])
	folder := cl.args[1]
	var res *imapclient.CopyResult
	var err error
	if cl.verb == "move" {
		res, err = s.c.Move(ctx, set, folder)
	} else {
		res, err = s.c.Copy(ctx, set, folder)
	}
	if err != nil {
		return nil, err
	}
	r := copyResult{Operation: cl.verb, Folder: folder}
	if res != nil {
		r.UIDValidity = res.UIDValidity
		if m := res.Map(); m != nil {
			r.UIDs = map[string]uint32{}
			for _, src := range slices.Sorted(maps.Keys(m)) {
				r.UIDs[fmt.Sprint(src)] = m[src]
				r.pairs = append(r.pairs, [2]uint32{src, m[src]})
			}
		}
	}
	return r, nil
}

type expungeResult struct {
	Expunged []uint32 `json:"expunged"`
}

func (r expungeResult) text(w io.Writer) {
	if len(r.Expunged) == 0 {
		fmt.Fprintln(w, "(nothing expunged)")
		return
	}
	fmt.Fprintf(w, "expunged %d messages (sequence numbers as reported: %s)\n", len(r.Expunged), joinIDs(r.Expunged))
}

func cmdExpunge(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	var seqs []uint32
	var err error
	if len(cl.args) == 1 {
		seqs, err = s.c.UIDExpunge(ctx, imapclient.SetString(cl.args[0]))
	} else {
		seqs, err = s.c.Expunge(ctx)
	}
	if err != nil {
		return nil, err
	}
	if seqs == nil {
		seqs = []uint32{}
	}
	return expungeResult{Expunged: seqs}, nil
}
