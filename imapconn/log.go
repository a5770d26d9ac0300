package imapconn

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imapwire"
)

// maxLoggedLiteral is the largest literal shown in full in the log; larger
// ones are summarised as "{N bytes}".
const maxLoggedLiteral = 64

// maxLoggedLine caps one log line.
const maxLoggedLine = 4096

func (c *Conn) debugOn() bool {
	return c.log.Enabled(context.Background(), slog.LevelDebug)
}

// traceFrame logs a frame the decoder read, summarising literals.
func (c *Conn) traceFrame(frame []byte, literal int64) {
	if !c.debugOn() {
		return
	}
	var b strings.Builder
	summarise(&b, frame)
	switch {
	case literal >= 0:
		b.WriteString(" {" + strconv.FormatInt(literal, 10) + " bytes follow}")
	case literal == imapwire.TracePartial:
		b.WriteString(" ... (a long line, parsed as it arrives; its end follows)")
	}
	c.log.Debug("imap S: " + clip(b.String()))
}

// summarise writes a frame with CRLF removed and literals longer than
// maxLoggedLiteral replaced by "{N bytes}".
func summarise(b *strings.Builder, frame []byte) {
	for len(frame) > 0 {
		i := strings.IndexByte(string(frame), '\n')
		if i < 0 {
			b.Write(frame)
			return
		}
		line := frame[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		frame = frame[i+1:]
		n, ok := markerSize(line)
		b.Write(line)
		if !ok || len(frame) == 0 {
			continue
		}
		if n > int64(len(frame)) {
			n = int64(len(frame))
		}
		if n > maxLoggedLiteral {
			b.WriteString(" {" + strconv.FormatInt(n, 10) + " bytes}")
		} else {
			b.WriteString(" " + strconv.Quote(string(frame[:n])))
		}
		frame = frame[n:]
	}
}

func markerSize(line []byte) (int64, bool) {
	s := string(line)
	if !strings.HasSuffix(s, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(s, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimRight(s[i+1:len(s)-1], "+-"), 10, 64)
	return n, err == nil
}

func clip(s string) string {
	if len(s) > maxLoggedLine {
		return s[:maxLoggedLine] + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

// logCommandChunk logs one chunk of a command with secrets redacted.
func (c *Conn) logCommandChunk(cmd *Command, ch *imapwire.Chunk) {
	if !c.debugOn() {
		return
	}
	text := ch.Text
	var b strings.Builder
	last := 0
	for _, s := range ch.Secrets {
		if s[0] < last || s[1] > len(text) || s[0] > s[1] {
			continue
		}
		b.Write(text[last:s[0]])
		b.WriteString("[redacted]")
		last = s[1]
	}
	b.Write(text[last:])
	line := strings.TrimRight(b.String(), "\r\n")
	if ch.HasLiteral() {
		switch {
		case ch.SecretLiteral:
			line += " [redacted literal]"
		case ch.Literal != nil && len(ch.Literal) <= maxLoggedLiteral:
			line += " " + strconv.Quote(string(ch.Literal))
		default:
			line += " {" + strconv.FormatInt(ch.LiteralSize, 10) + " bytes}"
		}
	}
	c.log.Debug("imap C: " + clip(line))
}

// logLine logs a line written outside a command (SASL responses, DONE).
func (c *Conn) logLine(line []byte, secret bool) {
	if !c.debugOn() {
		return
	}
	if secret {
		c.log.Debug("imap C: [redacted]")
		return
	}
	c.log.Debug("imap C: " + clip(string(line)))
}
