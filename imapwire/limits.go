package imapwire

import (
	"errors"
	"fmt"
)

// Limits bound what a Decoder holds in memory. The zero value of a field
// means its default.
type Limits struct {
	// MaxLine is the largest response the decoder keeps in memory at once:
	// one line, or several lines joined by the small literals between them.
	// Default 64 MiB (a SEARCH over 100,000 messages is one line of about
	// 800 KB; millions of ids still fit).
	MaxLine int
	// InlineLiteral is the largest literal kept inside the in-memory frame.
	// Larger literals are streamed (FETCH body sections) or read in chunks.
	// Default 256 KiB.
	InlineLiteral int64
	// MaxLiteral is the largest literal the decoder reads into memory when
	// it cannot stream it (a huge mailbox name, an unknown response).
	// Streamed literals are not bounded by it. Default 64 MiB.
	MaxLiteral int64
	// MaxDepth is the deepest nesting of parenthesised lists the parser
	// follows. Default 64.
	MaxDepth int
	// ReadBufferSize is the initial size of the read buffer, which grows for
	// longer responses. Default 16 KiB. Decoder.Release drops the buffer
	// (imapclient does so between calls) and the next read allocates it anew.
	ReadBufferSize int
}

// Default limits.
const (
	DefaultMaxLine        = 64 << 20
	DefaultInlineLiteral  = 256 << 10
	DefaultMaxLiteral     = 64 << 20
	DefaultMaxDepth       = 64
	DefaultReadBufferSize = 16 << 10
)

func (l Limits) withDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.InlineLiteral <= 0 {
		l.InlineLiteral = DefaultInlineLiteral
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultMaxLiteral
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.ReadBufferSize <= 0 {
		l.ReadBufferSize = DefaultReadBufferSize
	}
	if int64(l.MaxLine) < l.InlineLiteral {
		l.InlineLiteral = int64(l.MaxLine)
	}
	if l.MaxLiteral < l.InlineLiteral {
		// An inline literal is held in memory too: MaxLiteral bounds it.
		l.InlineLiteral = l.MaxLiteral
	}
	return l
}

// LimitError reports input that exceeds one of the Limits. The decoder
// skips the offending response and stays usable: the stream is still in
// step.
type LimitError struct {
	// Limit is "MaxLine", "MaxLiteral" or "MaxDepth"; "InlineLiteral"
	// reports a response lost to a timeout (see Decoder.ReadResponse).
	Limit string
	Max   int64
}

// Error implements error.
func (e *LimitError) Error() string {
	return fmt.Sprintf("imapwire: response exceeds %s (%d)", e.Limit, e.Max)
}

// SyntaxError reports a response that does not follow the grammar. The
// decoder skips the rest of the response and stays usable.
type SyntaxError struct {
	Msg    string
	Offset int    // byte offset in the line where the problem was found
	Line   string // the start of the offending line, at most 120 bytes
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("imapwire: syntax error at offset %d: %s in %q", e.Offset, e.Msg, e.Line)
}

// ErrUnexpectedEOF is returned when the stream ends inside a response.
var ErrUnexpectedEOF = errors.New("imapwire: connection closed inside a response")

// IsRecoverable reports whether err is a decoding error after which the
// decoder is still in step with the stream (a skipped response), as
// opposed to an I/O error or end of stream.
func IsRecoverable(err error) bool {
	var se *SyntaxError
	var le *LimitError
	return errors.As(err, &se) || errors.As(err, &le)
}
