package imapwire

import (
	"bytes"
)

// ReadCommand reads the next command: its tag, its name and its arguments
// as a tree of Values. Literals are read into memory (bounded by
// Limits.MaxLiteral), after OnLiteral has been called for each.
//
// A command longer than Limits.MaxLine is reported with the tag it starts
// with, when one can be read. The Line of a *SyntaxError in LOGIN or
// AUTHENTICATE is redacted: it would hold credentials.
//
// Tokenising is generic: atoms, numbers, NIL, quoted strings, literals and
// parenthesised lists, separated by spaces. Sequence sets ("1:*") and
// flags ("\Seen") are atoms; parse sets with imap.ParseNumSet on the
// atom's text. In FETCH and UID FETCH, a "[...]" section inside an atom
// is kept in that atom, spaces and parentheses included, with its partial
// range: "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>" is one ValueAtom
// (a literal inside the brackets is inlined as an atom or quoted string).
// Elsewhere '[' and ']' are ordinary astring characters ("[Gmail]/Sent").
//
// Errors come in two kinds. When the command is malformed (*SyntaxError),
// exceeds a limit (*LimitError), or has a literal that OnLiteral refused
// (its error, unchanged), ReadCommand skips the rest of the command and
// returns a non-nil *ClientCommand with the error. The command holds the
// tag when one was read ("" otherwise) and the name when it was read; its
// Args are nil. The decoder is in step with the client: the server answers
// "tag BAD ..." (or "* BAD ..." without a tag) and reads the next command.
// The rest of a command is skipped as the client sends it: after a refused
// or unparsed synchronising literal the client sends nothing more, so the
// command ends there; the data of a non-synchronising literal, and the
// lines after it, are read and dropped.
//
// A nil command means the stream ended or failed: io.EOF between commands,
// ErrUnexpectedEOF inside one, or the reader's error. The decoder is then
// unusable, except after a timeout while waiting for a command to start
// (the call can be repeated).
func (c *CommandDecoder) ReadCommand() (*ClientCommand, error) {
	if c.err != nil {
		return nil, c.err
	}
	d := c.d
	d.inResp = false
	c.used, c.litTotal, c.spans, c.longTag = 0, 0, false, ""
	cmd := &ClientCommand{}
	if err := c.readSegment(false); err != nil {
		if _, ok := err.(*LimitError); ok {
			cmd.Tag = c.longTag
			return cmd, err
		}
		return nil, c.finalErr(err, true)
	}
	d.inResp = true // the stream may not end inside the command
	defer func() { d.inResp = false }()
	err := c.parseCommand(cmd)
	if err == nil {
		return cmd, nil
	}
	if _, ok := err.(*ioError); ok {
		return nil, c.finalErr(err, false)
	}
	if serr := c.skipRest(); serr != nil {
		return nil, c.finalErr(&ioError{serr}, false)
	}
	cmd.Args = nil
	if se, ok := err.(*SyntaxError); ok && (cmd.Name == "LOGIN" || cmd.Name == "AUTHENTICATE") {
		se.Line = cmd.Tag + " " + cmd.Name + " [redacted]"
	}
	return cmd, err
}

// isTagChar reports whether c may appear in a tag: ASTRING-CHAR except '+'
// (RFC 3501 section 9).
func isTagChar(c byte) bool {
	return (sendAtomChars[c] || c == ']') && c != '+'
}

func (c *CommandDecoder) parseCommand(cmd *ClientCommand) error {
	d := c.d
	start := d.pos
	for d.pos < d.fe && isTagChar(d.buf[d.pos]) {
		d.pos++
	}
	if d.pos == start {
		return d.syntaxErr("missing tag")
	}
	tag := d.buf[start:d.pos]
	if d.peek() != ' ' {
		if !d.atEOL() {
			return d.syntaxErr("invalid character in tag")
		}
		cmd.Tag = string(tag)
		return d.syntaxErr("missing command name")
	}
	cmd.Tag = string(tag)
	d.pos++
	name := c.commandName()
	if name == "" {
		return d.syntaxErr("missing command name")
	}
	cmd.Name = name
	if name == "UID" {
		if d.peek() == ' ' {
			d.pos++
			name = c.commandName()
		} else {
			name = ""
		}
		if name == "" {
			return d.syntaxErr("missing command after UID")
		}
		cmd.Name = "UID " + name
	}
	if d.peek() != ' ' && !d.atEOL() {
		return d.syntaxErr("expected space after command name")
	}
	c.spans = cmd.Name == "FETCH" || cmd.Name == "UID FETCH"
	args, err := c.list(0, 0)
	cmd.Args = args
	return err
}

// commandName reads a command name, a 7-bit atom, and returns it
// upper-cased ("" when there is none).
func (c *CommandDecoder) commandName() string {
	d := c.d
	start := d.pos
	lower := false
	for d.pos < d.fe && sendAtomChars[d.buf[d.pos]] {
		if ch := d.buf[d.pos]; ch >= 'a' && ch <= 'z' {
			lower = true
		}
		d.pos++
	}
	name := d.buf[start:d.pos]
	if !lower {
		return str8u(name)
	}
	up := make([]byte, len(name))
	for i, ch := range name {
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		up[i] = ch
	}
	return string(up)
}

// list reads values up to the end of the command (stop == 0) or up to the
// ')' that closes a list. Values are separated by spaces; runs of spaces
// and spaces next to parentheses are tolerated.
func (c *CommandDecoder) list(stop byte, depth int) ([]Value, error) {
	d := c.d
	var list []Value
	sep := true
	for {
		if d.peek() == ' ' {
			for d.peek() == ' ' {
				d.pos++
			}
			sep = true
		}
		if d.atEOL() {
			if stop != 0 {
				return nil, d.syntaxErr("missing ')'")
			}
			return list, c.endOfLine()
		}
		if d.peek() == ')' {
			if stop == 0 {
				return nil, d.syntaxErr("unexpected ')'")
			}
			d.pos++
			if list == nil {
				list = []Value{}
			}
			return list, nil
		}
		if !sep {
			return nil, d.syntaxErr("expected space")
		}
		v, err := c.value(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		sep = false
	}
}

// endOfLine consumes the CRLF (or bare LF) that ends the command.
func (c *CommandDecoder) endOfLine() error {
	d := c.d
	if d.peek() == '\r' {
		d.pos++
	}
	if d.pos >= d.fe || (d.buf[d.pos] == '\n' && d.pos+1 == d.fe) {
		d.pos = d.fe
		return nil
	}
	return d.syntaxErr("CR without LF")
}

func (c *CommandDecoder) value(depth int) (Value, error) {
	d := c.d
	switch d.peek() {
	case '(':
		if depth+1 > d.lim.MaxDepth {
			return Value{}, &LimitError{Limit: "MaxDepth", Max: int64(d.lim.MaxDepth)}
		}
		d.pos++
		l, err := c.list(')', depth+1)
		return Value{Kind: ValueList, List: l}, err
	case '"':
		s, err := c.quoted()
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: ValueString, Str: append([]byte{}, s...)}, nil
	case '{':
		return c.literalValue()
	case '~':
		if d.pos+1 < d.fe && d.buf[d.pos+1] == '{' {
			return c.literalValue()
		}
	}
	return c.atom()
}

// atom reads an atom, number or NIL. ']' is allowed (ASTRING-CHAR); with
// spans on, a '[' starts a section that is kept whole.
func (c *CommandDecoder) atom() (Value, error) {
	d := c.d
	var text []byte
	spanned := false
	start := d.pos
	for d.pos < d.fe {
		ch := d.buf[d.pos]
		if ch == '[' && c.spans {
			text = append(text, d.buf[start:d.pos]...)
			var err error
			if text, err = c.section(text); err != nil {
				return Value{}, err
			}
			spanned = true
			start = d.pos
			continue
		}
		if !atomChars[ch] && ch != ']' {
			break
		}
		d.pos++
	}
	if !spanned {
		if d.pos == start {
			return Value{}, d.syntaxErr("unexpected character")
		}
		return atomValue(string(d.buf[start:d.pos])), nil
	}
	text = append(text, d.buf[start:d.pos]...)
	return Value{Kind: ValueAtom, Atom: string(text)}, nil
}

// section appends a "[...]" span to text: spaces, parentheses and quoted
// strings inside it are kept as sent; a literal inside it (a header field
// name, RFC 3501 header-list) is read and inlined as an atom or a quoted
// string.
func (c *CommandDecoder) section(text []byte) ([]byte, error) {
	d := c.d
	text = append(text, '[')
	d.pos++
	depth := 0
	for d.pos < d.fe {
		ch := d.buf[d.pos]
		switch ch {
		case ']':
			if depth <= 0 {
				d.pos++
				return append(text, ']'), nil
			}
		case '(':
			depth++
		case ')':
			depth--
		case '"':
			start := d.pos
			if _, err := c.quoted(); err != nil {
				return nil, err
			}
			text = append(text, d.buf[start:d.pos]...)
			continue
		case '~', '{':
			if ch == '~' && (d.pos+1 >= d.fe || d.buf[d.pos+1] != '{') {
				break
			}
			data, _, err := c.literal()
			if err != nil {
				return nil, err
			}
			if isAStringAtom(string(data)) {
				text = append(text, data...)
				continue
			}
			if bytes.ContainsAny(data, "\x00\r\n") {
				return nil, d.syntaxErr("literal in a section holds CR, LF or NUL")
			}
			text = appendQuoted(text, data)
			continue
		case '\r', '\n', 0:
			return nil, d.syntaxErr("unterminated section")
		}
		text = append(text, ch)
		d.pos++
	}
	return nil, d.syntaxErr("unterminated section")
}

// quoted reads a quoted string: the Decoder's reader refuses CR and LF,
// escaped or not; a client's command may not hold NUL either (RFC 3501
// section 9: QUOTED-CHAR is a TEXT-CHAR, which excludes it).
func (c *CommandDecoder) quoted() ([]byte, error) {
	s, err := c.d.quoted()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(s, 0) >= 0 {
		return nil, c.d.syntaxErr("NUL in quoted string")
	}
	return s, nil
}

// appendQuoted appends s as a quoted string, escaping '"' and '\'.
func appendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	for _, b := range s {
		if b == '"' || b == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, b)
	}
	return append(dst, '"')
}

func (c *CommandDecoder) literalValue() (Value, error) {
	data, binary, err := c.literal()
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: ValueString, Str: data, Literal: true, Binary: binary}, nil
}

// literal reads a literal announcement, which must end the line, asks
// OnLiteral, reads the data and then the next line of the command.
func (c *CommandDecoder) literal() (data []byte, binary bool, err error) {
	d := c.d
	if d.peek() == '~' {
		binary = true
		d.pos++
	}
	d.pos++ // '{'
	n, err := d.number64()
	if err != nil {
		return nil, false, err
	}
	nonSync := false
	if ch := d.peek(); ch == '+' || ch == '-' {
		nonSync = true
		d.pos++
	}
	if err := d.expect('}'); err != nil {
		return nil, false, err
	}
	if d.peek() == '\r' {
		d.pos++
	}
	if d.peek() != '\n' {
		return nil, false, d.syntaxErr("literal announcement does not end the line")
	}
	d.pos++
	size := int64(n)
	if size > d.lim.MaxLiteral-c.litTotal {
		return nil, false, &LimitError{Limit: "MaxLiteral", Max: d.lim.MaxLiteral}
	}
	if c.OnLiteral != nil {
		if err := c.OnLiteral(size, nonSync); err != nil {
			return nil, false, err
		}
	}
	if data, err = c.readData(size); err != nil {
		return nil, false, err
	}
	c.litTotal += size
	if err := c.readSegment(false); err != nil {
		if _, ok := err.(*LimitError); ok {
			return nil, false, err
		}
		if _, ok := err.(*ioError); !ok {
			err = &ioError{err}
		}
		return nil, false, err
	}
	return data, binary, nil
}
