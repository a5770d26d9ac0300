package imapwire

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/imapclient-go/imapclient/imap"
)

// Command is an encoded command, ready to be written. It is a sequence of
// chunks: each is text, optionally followed by the data of a literal whose
// announcement ends the text.
type Command struct {
	// Tag is the command's tag.
	Tag string
	// Name is the command's name ("LOGIN", "UID FETCH"), for logs and errors.
	Name   string
	Chunks []Chunk
}

// Chunk is one piece of a command. The writer sends Text; if Sync is set it
// then waits for a continuation request ("+") before sending the literal
// data (Literal, or LiteralSize bytes from LiteralReader). The last chunk's
// Text ends with CRLF.
type Chunk struct {
	Text          []byte
	Sync          bool
	Literal       []byte
	LiteralReader io.Reader
	LiteralSize   int64
	// Secrets are byte ranges of Text that hold credentials; loggers must
	// not print them. SecretLiteral marks the literal data as a credential.
	Secrets       [][2]int
	SecretLiteral bool
}

// HasLiteral reports whether the chunk carries literal data.
func (c *Chunk) HasLiteral() bool { return c.Literal != nil || c.LiteralReader != nil }

// EncoderOptions are what the server allows, from its capabilities.
type EncoderOptions struct {
	// LiteralPlus allows non-synchronising literals of any size (RFC 7888).
	LiteralPlus bool
	// LiteralMinus allows non-synchronising literals up to 4096 bytes.
	LiteralMinus bool
	// UTF8 allows 8-bit UTF-8 in quoted strings (UTF8=ACCEPT enabled,
	// RFC 6855, or IMAP4rev2).
	UTF8 bool
	// MaxQuoted is the longest string sent quoted; longer ones go as
	// literals. Default 1024.
	MaxQuoted int
}

// ErrInvalidArgument is matched (errors.Is) by every encoding error: a value
// the grammar cannot carry, such as CR or LF in an atom.
var ErrInvalidArgument = errors.New("imapwire: invalid command argument")

type argError struct{ msg string }

func (e *argError) Error() string        { return "imapwire: " + e.msg }
func (e *argError) Is(target error) bool { return target == ErrInvalidArgument }

// Encoder builds commands. The zero value is not usable: call NewEncoder.
// An Encoder is reused for many commands, one at a time.
type Encoder struct {
	opts    EncoderOptions
	cmd     *Command
	cur     []byte
	secret  int // start of the open secret range in cur, or -1
	secrets [][2]int
	inLit   bool
	err     error
}

// NewEncoder returns an encoder with the given options.
func NewEncoder(opts EncoderOptions) *Encoder {
	if opts.MaxQuoted <= 0 {
		opts.MaxQuoted = 1024
	}
	return &Encoder{opts: opts, secret: -1}
}

// SetOptions changes the options for the next commands.
func (e *Encoder) SetOptions(opts EncoderOptions) {
	if opts.MaxQuoted <= 0 {
		opts.MaxQuoted = 1024
	}
	e.opts = opts
}

// Options returns the encoder's options.
func (e *Encoder) Options() EncoderOptions { return e.opts }

// Begin starts a command: the tag, a space and the name (one or more
// atoms separated by spaces, such as "UID FETCH").
func (e *Encoder) Begin(tag, name string) *Encoder {
	e.cmd = &Command{Tag: tag, Name: name}
	e.cur = make([]byte, 0, 64)
	e.err = nil
	e.secret = -1
	e.secrets = nil
	if !validTag(tag) {
		e.fail("invalid tag %q", tag)
	}
	e.cur = append(e.cur, tag...)
	e.cur = append(e.cur, ' ')
	return e.rawSafe(name)
}

// Finish ends the command with CRLF and returns it, or the first error.
func (e *Encoder) Finish() (*Command, error) {
	if e.cmd == nil {
		return nil, &argError{"Finish without Begin"}
	}
	e.EndSecret()
	cmd := e.cmd
	e.cmd = nil
	if e.err != nil {
		return nil, e.err
	}
	e.cur = append(e.cur, '\r', '\n')
	cmd.Chunks = append(cmd.Chunks, Chunk{Text: e.cur, Secrets: e.secrets})
	e.cur, e.secrets = nil, nil
	return cmd, nil
}

// Err returns the first error met while building the current command.
func (e *Encoder) Err() error { return e.err }

func (e *Encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = &argError{fmt.Sprintf(format, args...)}
	}
}

// SP writes a space.
func (e *Encoder) SP() *Encoder { e.cur = append(e.cur, ' '); return e }

// Byte writes one grammar character such as '(' or ')'.
func (e *Encoder) Byte(c byte) *Encoder { e.cur = append(e.cur, c); return e }

// Raw writes s as it is. It refuses CR, LF and NUL; use it for syntax the
// caller has already validated.
func (e *Encoder) Raw(s string) *Encoder { return e.rawSafe(s) }

func (e *Encoder) rawSafe(s string) *Encoder {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			e.fail("CR, LF or NUL in command text")
			return e
		}
	}
	e.cur = append(e.cur, s...)
	return e
}

// Atom writes s as an atom. It fails if s is empty or holds characters an
// atom cannot (RFC 3501 section 9, ATOM-CHAR).
func (e *Encoder) Atom(s string) *Encoder {
	if !IsAtom(s) {
		e.fail("%q is not a valid atom", s)
		return e
	}
	e.cur = append(e.cur, s...)
	return e
}

// Flag writes a flag: a system flag ("\Seen") or a keyword atom.
func (e *Encoder) Flag(s string) *Encoder {
	if len(s) > 1 && s[0] == '\\' && IsAtom(s[1:]) {
		e.cur = append(e.cur, s...)
		return e
	}
	return e.Atom(s)
}

// Number writes a number.
func (e *Encoder) Number(n uint32) *Encoder {
	e.cur = strconv.AppendUint(e.cur, uint64(n), 10)
	return e
}

// Number64 writes a 63-bit number (MODSEQ).
func (e *Encoder) Number64(n uint64) *Encoder {
	e.cur = strconv.AppendUint(e.cur, n, 10)
	return e
}

// NumSet writes a message set. An empty set is an error.
func (e *Encoder) NumSet(s imap.NumSet) *Encoder {
	if len(s) == 0 {
		e.fail("empty message set")
		return e
	}
	e.cur = s.AppendTo(e.cur)
	return e
}

// AString writes s as an atom when it can be one, else as a string.
func (e *Encoder) AString(s string) *Encoder {
	if isAStringAtom(s) {
		e.cur = append(e.cur, s...)
		return e
	}
	return e.String(s)
}

// String writes s as a quoted string, or as a literal when it holds CR,
// LF, 8-bit data (without UTF8) or is long. NUL cannot be sent.
func (e *Encoder) String(s string) *Encoder {
	switch e.classify(s) {
	case formQuoted:
		e.cur = append(e.cur, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				e.cur = append(e.cur, '\\')
			}
			e.cur = append(e.cur, s[i])
		}
		e.cur = append(e.cur, '"')
	case formLiteral:
		e.Literal([]byte(s))
	default:
		e.fail("NUL cannot be sent in a string")
	}
	return e
}

// NString writes NIL for nil and the string otherwise.
func (e *Encoder) NString(s *string) *Encoder {
	if s == nil {
		e.cur = append(e.cur, "NIL"...)
		return e
	}
	return e.String(*s)
}

const (
	formQuoted = iota
	formLiteral
	formInvalid
)

func (e *Encoder) classify(s string) int {
	if len(s) > e.opts.MaxQuoted {
		if hasNUL(s) {
			return formInvalid
		}
		return formLiteral
	}
	form := formQuoted
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			return formInvalid
		case c == '\r' || c == '\n':
			form = formLiteral
		case c >= 0x80 && !e.opts.UTF8:
			form = formLiteral
		}
	}
	return form
}

func hasNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// Literal writes data as a literal, synchronising or not as the options
// allow.
func (e *Encoder) Literal(data []byte) *Encoder {
	if data == nil {
		data = []byte{}
	}
	e.literalMarker(int64(len(data)), false)
	e.pushChunk(Chunk{Literal: data})
	return e
}

// Literal8 writes data as a binary literal "~{N}" (RFC 3516), which may
// hold NUL bytes.
func (e *Encoder) Literal8(data []byte) *Encoder {
	if data == nil {
		data = []byte{}
	}
	e.literalMarker(int64(len(data)), true)
	e.pushChunk(Chunk{Literal: data})
	return e
}

// LiteralReader writes a literal of size bytes read from r when the
// command is sent (APPEND of a large message).
func (e *Encoder) LiteralReader(r io.Reader, size int64) *Encoder {
	if size < 0 {
		e.fail("negative literal size")
		return e
	}
	e.literalMarker(size, false)
	e.pushChunk(Chunk{LiteralReader: r, LiteralSize: size})
	return e
}

// Literal8Reader is LiteralReader for a binary literal "~{N}" (RFC 3516
// section 4.4: APPEND of a message that holds NUL bytes).
func (e *Encoder) Literal8Reader(r io.Reader, size int64) *Encoder {
	if size < 0 {
		e.fail("negative literal size")
		return e
	}
	e.literalMarker(size, true)
	e.pushChunk(Chunk{LiteralReader: r, LiteralSize: size})
	return e
}

func (e *Encoder) literalMarker(n int64, binary bool) {
	if binary {
		e.cur = append(e.cur, '~')
	}
	e.cur = append(e.cur, '{')
	e.cur = strconv.AppendInt(e.cur, n, 10)
	if e.opts.LiteralPlus || (e.opts.LiteralMinus && n <= 4096) {
		e.cur = append(e.cur, '+')
		e.inLit = false
	} else {
		e.inLit = true // synchronising
	}
	e.cur = append(e.cur, '}', '\r', '\n')
}

func (e *Encoder) pushChunk(c Chunk) {
	if e.cmd == nil {
		e.fail("literal outside a command")
		return
	}
	c.Text = e.cur
	c.Sync = e.inLit
	if c.LiteralReader == nil {
		c.LiteralSize = int64(len(c.Literal))
	}
	if e.secret >= 0 {
		e.secrets = append(e.secrets, [2]int{e.secret, len(e.cur)})
		c.SecretLiteral = true
		e.secret = 0
	}
	c.Secrets, e.secrets = e.secrets, nil
	e.cmd.Chunks = append(e.cmd.Chunks, c)
	e.cur = make([]byte, 0, 64)
	e.inLit = false
}

// BeginSecret marks the start of credentials (a password, a SASL
// response): loggers will not print what follows until EndSecret.
func (e *Encoder) BeginSecret() *Encoder {
	e.secret = len(e.cur)
	return e
}

// EndSecret ends the range opened by BeginSecret.
func (e *Encoder) EndSecret() *Encoder {
	if e.secret >= 0 && e.secret < len(e.cur) {
		e.secrets = append(e.secrets, [2]int{e.secret, len(e.cur)})
	}
	e.secret = -1
	return e
}
