package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/imapclient-go/imapclient"
)

// texter is a result that prints itself for people; other results are
// printed with fmt. In --json mode every result is marshalled instead.
type texter interface {
	text(w io.Writer)
}

// message is a result that is only a sentence ("trace on").
type message struct {
	Message string `json:"message"`
}

func (m message) text(w io.Writer) { fmt.Fprintln(w, m.Message) }

// printer serialises the shell's output: results on stdout, errors and
// notes on stderr, from the command and from the connection's goroutine.
type printer struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	json   bool
}

// result prints one command's result.
func (p *printer) result(v any) {
	if v == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		p.writeJSON(v)
		return
	}
	if t, ok := v.(texter); ok {
		t.text(p.stdout)
		return
	}
	fmt.Fprintln(p.stdout, v)
}

func (p *printer) writeJSON(v any) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(p.stderr, "error: JSON: %v\n", err)
		return
	}
	io.WriteString(p.stdout, b.String())
}

// failure prints a failed command: one line on stderr and, with --json,
// an {"error": ...} value on stdout so that every command gives one value.
func (p *printer) failure(verb string, err error) {
	msg := errorLine(err)
	if isConnLost(err) {
		msg += " (the connection is closed: type reconnect)"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if verb != "" {
		fmt.Fprintf(p.stderr, "error: %s: %s\n", verb, msg)
	} else {
		fmt.Fprintf(p.stderr, "error: %s\n", msg)
	}
	if p.json {
		p.writeJSON(struct {
			Command string `json:"command,omitempty"`
			Error   string `json:"error"`
		}{verb, msg})
	}
}

// note prints a line for the user on stderr.
func (p *printer) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, format+"\n", args...)
}

// usageError is a mistake in a command line, reported with its usage.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string {
	if e.usage == "" {
		return e.msg
	}
	return e.msg + " (usage: " + e.usage + ")"
}

// errorLine makes an error one readable line: the package prefixes go,
// and common mistakes get a hint.
func errorLine(err error) string {
	var ise *imapclient.IllegalStateError
	var ce *imapclient.CapabilityError
	var msg string
	switch {
	case errors.As(err, &ise) && ise.Need == "selected":
		msg = fmt.Sprintf("%s needs a selected folder: select or examine one first", ise.Command)
	case errors.As(err, &ce):
		msg = fmt.Sprintf("the server does not support %s (it lacks the %s capability)", ce.Command, ce.Capability)
	case errors.Is(err, context.Canceled):
		msg = "interrupted"
	case errors.Is(err, context.DeadlineExceeded) || imapclient.IsTimeout(err):
		msg = "timed out: " + err.Error()
	default:
		msg = err.Error()
	}
	for _, p := range []string{"imapclient: ", "imap: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return strings.Join(strings.Fields(msg), " ")
}

// traceHandler is the slog handler of the protocol trace: one line per
// record on stderr, "HH:MM:SS.mmm message key=value ...", shown when its
// level is debug (trace on).
type traceHandler struct {
	level *slog.LevelVar
	p     *printer
	attrs []slog.Attr
}

func (h *traceHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *traceHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Time.Format("15:04:05.000"))
	b.WriteByte(' ')
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteByte('=')
		b.WriteString(a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	b.WriteByte('\n')
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	_, err := io.WriteString(h.p.stderr, b.String())
	return err
}

func (h *traceHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &n
}

func (h *traceHandler) WithGroup(string) slog.Handler { return h }

// fmtTime formats a message time for text output.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04:05 -0700")
}

// fmtSize formats a byte count for people.
func fmtSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1024*1024*1024))
}

// joinIDs formats ids for text output.
func joinIDs(ids []uint32) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

// isConnLost reports whether err means the connection is unusable.
func isConnLost(err error) bool {
	return errors.Is(err, imapclient.ErrAbort) || errors.Is(err, imapclient.ErrClosed)
}
