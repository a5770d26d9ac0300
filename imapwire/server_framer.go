package imapwire

import (
	"bytes"
	"errors"
	"io"
)

// CommandDecoder reads client commands from a stream: the server side of
// the protocol. It is not safe for concurrent use. Create one with
// NewCommandDecoder.
//
// It shares the Decoder's buffer, limits and scanner, but frames commands
// differently: a client waits for a continuation request before it sends
// the data of a synchronising literal, so the decoder never reads past a
// literal announcement before it has called OnLiteral.
//
// Limits apply as follows. MaxLine bounds the text of one command (its
// lines together, literals excluded). MaxLiteral bounds each literal and
// also the sum of the literals of one command, since they are all held in
// memory until the command is returned (an APPEND message, the messages
// of a MULTIAPPEND). MaxDepth bounds the nesting of lists. Exceeding one
// is a *LimitError, and the command is skipped as described at ReadCommand.
type CommandDecoder struct {
	d *Decoder

	// OnLiteral, when set, is called when the decoder meets a literal
	// announcement ("{N}", "{N+}", "{N-}", "~{N}"), before it reads the
	// literal's data. nonSync is true for the non-synchronising forms
	// (LITERAL+, LITERAL-), whose data the client sends without waiting.
	//
	// For a synchronising literal, the server writes a continuation
	// request ("+ Ready") and flushes it before returning nil: only then
	// does the client send the data. Returning an error refuses the
	// literal: ReadCommand skips the rest of the command and returns that
	// error. For a refused synchronising literal the client sends nothing
	// more, so the command ends at the announcement; the server answers
	// with a tagged NO or BAD instead of a continuation request. For a
	// refused non-synchronising literal, the data and the rest of the
	// command are read and discarded.
	//
	// OnLiteral is not called for a literal over Limits.MaxLiteral: that
	// is refused with a *LimitError. When OnLiteral is nil, every literal
	// is accepted without a continuation request (for recorded input).
	OnLiteral func(size int64, nonSync bool) error

	longTag  string // tag of a first line too long to keep
	spans    bool   // '[' starts a section inside an atom (FETCH)
	used     int    // command text read so far, for MaxLine
	litTotal int64  // literal bytes read so far in this command
	err      error  // sticky: the stream is out of step or failed
}

// NewCommandDecoder returns a decoder reading commands from r with the given
// limits (nil for the defaults).
func NewCommandDecoder(r io.Reader, lim *Limits) *CommandDecoder {
	return &CommandDecoder{d: NewDecoder(r, lim)}
}

// Buffered returns the number of bytes read from the stream but not yet
// decoded. After STARTTLS, anything buffered was sent before the TLS
// handshake: an injection attempt the server must refuse.
func (c *CommandDecoder) Buffered() int { return c.d.Buffered() }

// TakeBuffered returns the bytes read from the stream but not yet decoded
// and drops them (COMPRESS=DEFLATE: what the client sent after the
// server's OK is compressed and belongs to the new layer).
func (c *CommandDecoder) TakeBuffered() []byte { return c.d.TakeBuffered() }

// Reset makes the decoder read from r, dropping anything buffered and any
// error (STARTTLS, COMPRESS).
func (c *CommandDecoder) Reset(r io.Reader) {
	c.d.Reset(r)
	c.err = nil
}

// ioError marks an error from the stream inside a command: the decoder is
// out of step after it.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }

// ReadLine reads one line and returns it without its CRLF (or bare LF). It
// is for the lines that are not commands: SASL responses after a
// continuation request in AUTHENTICATE, and "DONE" that ends IDLE. The
// result is a copy.
//
// A line longer than Limits.MaxLine is discarded up to its end and
// reported as a *LimitError; the decoder stays usable. io.EOF is returned
// when the stream ends before the line starts.
func (c *CommandDecoder) ReadLine() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	d := c.d
	d.inResp = false
	c.used = 0
	if err := c.readSegment(true); err != nil {
		return nil, c.finalErr(err, true)
	}
	line := d.buf[d.fs:d.fe]
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return append([]byte{}, line...), nil
}

// finalErr turns an error met while reading a line into the error to
// return: a LimitError as it is (the line was discarded), a timeout before
// anything of the command was consumed as it is (the call can be retried),
// and anything else as a sticky stream error.
func (c *CommandDecoder) finalErr(err error, first bool) error {
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	var ie *ioError
	if errors.As(err, &ie) {
		err = ie.err
	} else if first && isTimeout(err) {
		return err
	}
	if err != io.EOF {
		c.err = err
	}
	return err
}

// readSegment reads the next line of a command into the frame
// buf[fs:fe], LF included, without looking at literal data that may follow
// it. A line longer than what is left of MaxLine is discarded, with the
// rest of the command (raw: up to its LF only), and reported as a
// *LimitError; the frame is then empty. Stream errors after the discard
// started are wrapped in *ioError.
func (c *CommandDecoder) readSegment(raw bool) error {
	d := c.d
	if d.wr == d.rd {
		d.rd, d.wr = 0, 0
	}
	budget := d.lim.MaxLine - c.used
	scan := 0
	for {
		i := bytes.IndexByte(d.buf[d.rd+scan:d.wr], '\n')
		if i >= 0 && scan+i+1 <= budget {
			end := scan + i + 1
			d.fs, d.fe, d.pos = d.rd, d.rd+end, d.rd
			d.rd = d.fe
			c.used += end
			return nil
		}
		scan = d.wr - d.rd
		if i >= 0 || scan >= budget {
			if c.used == 0 && !raw {
				c.longTag = leadingTag(d.buf[d.rd:d.wr])
			}
			d.fs, d.fe, d.pos = d.rd, d.rd, d.rd
			if err := c.discard(!raw); err != nil {
				return &ioError{err}
			}
			return &LimitError{Limit: "MaxLine", Max: int64(d.lim.MaxLine)}
		}
		if err := d.fill(); err != nil {
			if err == io.ErrUnexpectedEOF || (err == io.EOF && scan > 0) {
				d.err = ErrUnexpectedEOF
				return ErrUnexpectedEOF
			}
			return err
		}
	}
}

// leadingTag returns the tag at the start of b when a space follows it.
func leadingTag(b []byte) string {
	for i, c := range b {
		if !isTagChar(c) {
			if c == ' ' && i > 0 {
				return string(b[:i])
			}
			break
		}
	}
	return ""
}

// discard drops the stream up to the end of the current line. With
// literals set, it follows the literal announcements at the ends of lines
// as a client would: the data of a non-synchronising literal is skipped
// and the command goes on; a synchronising one ends the command, since the
// client waits for a continuation request that will not come.
func (c *CommandDecoder) discard(literals bool) error {
	d := c.d
	var tail [24]byte
	tl := 0
	for {
		chunk := d.buf[d.rd:d.wr]
		i := bytes.IndexByte(chunk, '\n')
		if i >= 0 {
			chunk = chunk[:i+1]
		}
		tl = keepTail(tail[:], tl, chunk)
		d.rd += len(chunk)
		if i >= 0 {
			if !literals {
				return nil
			}
			n, nonSync, ok := commandLiteralMarker(tail[:tl])
			if !ok || !nonSync {
				return nil
			}
			if err := d.skipN(n); err != nil {
				return err
			}
			tl = 0
			continue
		}
		d.rd, d.wr = 0, 0
		if err := d.fill(); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = ErrUnexpectedEOF
			}
			return err
		}
	}
}

// skipRest skips what is left of the current command after an error: if
// the current frame ends with the announcement of a non-synchronising
// literal, its data and the lines after it are discarded.
func (c *CommandDecoder) skipRest() error {
	d := c.d
	n, nonSync, ok := commandLiteralMarker(d.buf[d.fs:d.fe])
	d.fs, d.fe, d.pos = d.rd, d.rd, d.rd
	if !ok || !nonSync {
		return nil
	}
	if err := d.skipN(n); err != nil {
		return err
	}
	return c.discard(true)
}

// commandLiteralMarker reports whether line (ending in LF) ends with a
// literal announcement, its size, and whether it is non-synchronising.
func commandLiteralMarker(line []byte) (n int64, nonSync, ok bool) {
	n, ok = literalMarker(line)
	if !ok {
		return 0, false, false
	}
	end := len(line) - 1
	if end > 0 && line[end-1] == '\r' {
		end--
	}
	c := line[end-2] // the byte before '}'
	return n, c == '+' || c == '-', true
}

// readData reads the n bytes of a literal's data. Memory grows with the
// data received, never with the size announced.
func (c *CommandDecoder) readData(n int64) ([]byte, error) {
	const first = 32 << 10
	out := make([]byte, 0, min(n, first))
	for int64(len(out)) < n {
		if len(out) == cap(out) {
			grown := make([]byte, len(out), min(n, 2*int64(cap(out))))
			copy(grown, out)
			out = grown
		}
		k, err := c.d.readN(out[len(out):cap(out)], n-int64(len(out)))
		out = out[:len(out)+k]
		if err != nil {
			return nil, &ioError{err}
		}
	}
	return out, nil
}
