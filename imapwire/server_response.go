package imapwire

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ResponseEncoder writes server responses: the server side of the
// protocol. It is not safe for concurrent use. Create one with
// NewResponseEncoder.
//
// A response is built from a start (Untagged, Tagged), values (Atom,
// String, List, ...) and End, which writes it to the buffer; Flush sends
// what is buffered. The Write* methods and StatusResponse, Continuation
// and WriteFetch write whole responses.
//
// Strings are written in the cheapest legal form: an atom where the
// grammar allows one (AString), a quoted string, or a literal "{N}" when
// the string holds CR, LF, NUL or 8-bit bytes (without UTF8) or is long.
// A server never waits before sending literal data. CR, LF and NUL never
// go into an atom or a quoted string: a value that cannot be written is an
// error, and the response holding it is dropped whole (so is a response
// whose text ends like a literal announcement, "{5}", which the client
// would wait for) (End returns the
// error and the encoder stays usable), unless part of it was already sent
// because it carried a streamed or large literal: the stream is then out of
// step and every later call fails.
type ResponseEncoder struct {
	w    *bufio.Writer
	cur  []byte // the response being built
	line int    // where the text after the last literal data starts in cur
	open bool   // a response was started and not ended
	sent bool   // part of the open response was written to w
	verr error  // first invalid value of the open response
	err  error  // sticky: write error or abandoned response

	// UTF8 allows 8-bit UTF-8 in quoted strings: set it once the client
	// enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2. Without it, and for
	// invalid UTF-8, 8-bit strings are sent as literals.
	UTF8 bool
}

const (
	maxQuotedResp = 1024     // longer strings are sent as literals
	directLiteral = 64 << 10 // larger literal data bypasses cur
)

// NewResponseEncoder returns an encoder writing to w through a buffer.
func NewResponseEncoder(w io.Writer) *ResponseEncoder {
	return &ResponseEncoder{w: bufio.NewWriterSize(w, 16<<10), cur: make([]byte, 0, 256)}
}

// Reset makes the encoder write to w, dropping anything buffered or open
// and any error (STARTTLS, COMPRESS: flush first).
func (e *ResponseEncoder) Reset(w io.Writer) {
	e.w.Reset(w)
	e.cur, e.open, e.sent, e.verr, e.err = e.cur[:0], false, false, nil, nil
}

// Flush writes buffered responses to the underlying writer.
func (e *ResponseEncoder) Flush() error {
	if e.err != nil {
		return e.err
	}
	if err := e.w.Flush(); err != nil {
		e.err = err
	}
	return e.err
}

// Err returns the sticky error, or the first invalid value of the open
// response.
func (e *ResponseEncoder) Err() error {
	if e.err != nil {
		return e.err
	}
	return e.verr
}

func (e *ResponseEncoder) fail(format string, args ...any) {
	if e.verr == nil {
		e.verr = &argError{fmt.Sprintf(format, args...)}
	}
}

// begin starts a response.
func (e *ResponseEncoder) begin() {
	if e.open {
		e.fail("response started before the previous one ended")
		return
	}
	e.open, e.sent, e.verr = true, false, nil
	e.cur, e.line = e.cur[:0], 0
}

// Untagged starts an untagged response: "* ".
func (e *ResponseEncoder) Untagged() *ResponseEncoder {
	e.begin()
	e.cur = append(e.cur, '*', ' ')
	return e
}

// Tagged starts a tagged response: the tag and a space. The tag is one the
// CommandDecoder accepted.
func (e *ResponseEncoder) Tagged(tag string) *ResponseEncoder {
	e.begin()
	if tag == "" || strings.IndexFunc(tag, func(r rune) bool { return r > 0x7f || !isTagChar(byte(r)) }) >= 0 {
		e.fail("invalid tag %q", tag)
	}
	e.cur = append(e.cur, tag...)
	e.cur = append(e.cur, ' ')
	return e
}

// End ends the response with CRLF and writes it to the buffer. It returns
// the first invalid value (the response is then dropped) or the sticky
// error.
func (e *ResponseEncoder) End() error {
	if !e.open {
		if e.err != nil {
			return e.err
		}
		return &argError{"End without a started response"}
	}
	e.open = false
	if e.verr != nil {
		err := e.verr
		e.verr = nil
		e.cur = e.cur[:0]
		if e.sent && e.err == nil {
			e.err = fmt.Errorf("imapwire: response abandoned after part of it was sent: %w", err)
		}
		return err
	}
	e.cur = append(e.cur, '\r', '\n')
	if _, ok := literalMarker(e.cur[e.line:]); ok {
		// The client's framer would wait for literal data.
		e.cur = e.cur[:0]
		err := &argError{"response text ends like a literal announcement"}
		if e.sent && e.err == nil {
			e.err = fmt.Errorf("imapwire: response abandoned after part of it was sent: %w", err)
		}
		return err
	}
	e.commit()
	return e.err
}

// commit writes cur to the buffer.
func (e *ResponseEncoder) commit() {
	if e.err == nil && len(e.cur) > 0 {
		if _, err := e.w.Write(e.cur); err != nil {
			e.err = err
		}
	}
	e.cur, e.line = e.cur[:0], 0
}

// SP writes a space.
func (e *ResponseEncoder) SP() *ResponseEncoder { e.cur = append(e.cur, ' '); return e }

// Byte writes one grammar character such as '(' or ')'. CR, LF and NUL are
// refused.
func (e *ResponseEncoder) Byte(c byte) *ResponseEncoder {
	if c == '\r' || c == '\n' || c == 0 {
		e.fail("CR, LF or NUL in response text")
		return e
	}
	e.cur = append(e.cur, c)
	return e
}

// Raw writes s as it is, for syntax the caller has validated. CR, LF and
// NUL are refused.
func (e *ResponseEncoder) Raw(s string) *ResponseEncoder {
	if strings.ContainsAny(s, "\x00\r\n") {
		e.fail("CR, LF or NUL in response text")
		return e
	}
	e.cur = append(e.cur, s...)
	return e
}

// Atom writes s as an atom; it fails unless IsAtom(s).
func (e *ResponseEncoder) Atom(s string) *ResponseEncoder {
	if !IsAtom(s) {
		e.fail("%q is not a valid atom", s)
		return e
	}
	e.cur = append(e.cur, s...)
	return e
}

// isFlag reports whether s can be sent as a flag or mailbox attribute: an
// atom, a backslash and an atom, or "\*".
func isFlag(s string) bool {
	if len(s) > 1 && s[0] == '\\' {
		return s == `\*` || IsAtom(s[1:])
	}
	return IsAtom(s)
}

// Flag writes a flag ("\Seen", "$Forwarded", "\*") or a mailbox attribute.
func (e *ResponseEncoder) Flag(s string) *ResponseEncoder {
	if !isFlag(s) {
		e.fail("%q is not a valid flag", s)
		return e
	}
	e.cur = append(e.cur, s...)
	return e
}

// FlagList writes a parenthesised list of flags.
func (e *ResponseEncoder) FlagList(flags []string) *ResponseEncoder {
	return e.List(len(flags), func(i int) { e.Flag(flags[i]) })
}

// Number writes a number.
func (e *ResponseEncoder) Number(n uint32) *ResponseEncoder {
	e.cur = strconv.AppendUint(e.cur, uint64(n), 10)
	return e
}

// Number64 writes a 63-bit number (MODSEQ, RFC 9051 number64).
func (e *ResponseEncoder) Number64(n uint64) *ResponseEncoder {
	e.cur = strconv.AppendUint(e.cur, n, 10)
	return e
}

// String writes s as a quoted string, or as a literal when it holds CR,
// LF, NUL or 8-bit bytes (unless UTF8 is set and s is valid UTF-8) or is
// long.
func (e *ResponseEncoder) String(s string) *ResponseEncoder {
	if len(s) > maxQuotedResp {
		return e.Literal([]byte(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || (c >= 0x80 && (!e.UTF8 || !utf8.ValidString(s))) {
			return e.Literal([]byte(s))
		}
	}
	e.cur = append(e.cur, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			e.cur = append(e.cur, '\\')
		}
		e.cur = append(e.cur, s[i])
	}
	e.cur = append(e.cur, '"')
	return e
}

// NString writes NIL for nil and the string otherwise.
func (e *ResponseEncoder) NString(s *string) *ResponseEncoder {
	if s == nil {
		e.cur = append(e.cur, "NIL"...)
		return e
	}
	return e.String(*s)
}

// nstr writes NIL for "" and the string otherwise (envelope and body
// structure fields, where the client sees "" for NIL).
func (e *ResponseEncoder) nstr(s string) *ResponseEncoder {
	if s == "" {
		e.cur = append(e.cur, "NIL"...)
		return e
	}
	return e.String(s)
}

// AString writes s as an atom when it can be one (never "NIL", which is
// quoted), else as a string.
func (e *ResponseEncoder) AString(s string) *ResponseEncoder {
	if isAStringAtom(s) {
		e.cur = append(e.cur, s...)
		return e
	}
	return e.String(s)
}

// Literal writes data as a literal "{N}" CRLF data.
func (e *ResponseEncoder) Literal(data []byte) *ResponseEncoder {
	return e.literal(data, false)
}

// Literal8 writes data as a binary literal "~{N}" (RFC 3516), for BINARY
// sections that may hold NUL.
func (e *ResponseEncoder) Literal8(data []byte) *ResponseEncoder {
	return e.literal(data, true)
}

func (e *ResponseEncoder) literal(data []byte, binary bool) *ResponseEncoder {
	e.marker(int64(len(data)), binary)
	if len(data) <= directLiteral || e.verr != nil || !e.open {
		e.cur = append(e.cur, data...)
		e.line = len(e.cur)
		return e
	}
	e.sent = true
	e.commit()
	if e.err == nil {
		if _, err := e.w.Write(data); err != nil {
			e.err = err
		}
	}
	return e
}

func (e *ResponseEncoder) marker(n int64, binary bool) {
	if binary {
		e.cur = append(e.cur, '~')
	}
	e.cur = append(e.cur, '{')
	e.cur = strconv.AppendInt(e.cur, n, 10)
	e.cur = append(e.cur, '}', '\r', '\n')
}

// LiteralReader writes a literal of size bytes copied from r (a message
// body the server does not hold in one slice), as a literal8 "~{N}" when
// binary is set. The response is sent up to
// the data at once; if r fails or ends early, the stream is out of step
// and the encoder fails from then on.
func (e *ResponseEncoder) LiteralReader(r io.Reader, size int64, binary bool) *ResponseEncoder {
	if size < 0 {
		e.fail("negative literal size")
		return e
	}
	e.marker(size, binary)
	if e.verr != nil || !e.open {
		return e
	}
	e.sent = true
	e.commit()
	if e.err != nil {
		return e
	}
	n, err := io.CopyN(e.w, r, size)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		e.err = fmt.Errorf("imapwire: literal data: %d of %d bytes written: %w", n, size, err)
	}
	return e
}

// List writes "(" item(0) SP item(1) ... ")", calling item to write each
// element.
func (e *ResponseEncoder) List(n int, item func(i int)) *ResponseEncoder {
	e.cur = append(e.cur, '(')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.cur = append(e.cur, ' ')
		}
		item(i)
	}
	e.cur = append(e.cur, ')')
	return e
}
