// Package imapwire is the IMAP wire codec: it cuts the byte stream a server
// sends into responses and parses them, and it encodes client commands. It
// does no network I/O of its own, keeps no clocks and takes no context: it
// reads from any io.Reader and builds commands as byte chunks that a
// session layer (package imapconn) writes.
//
// # Decoding
//
// A Decoder works in two steps: framing first, grammar second (RFC 3501
// section 2.2.2 and section 4.3). It reads whole lines, and the literals
// they announce, into a refillable buffer before the parser looks at them,
// so a response that does not parse is reported as a *SyntaxError and
// skipped without losing the stream. Scanning uses bytes.IndexByte over the
// buffer, never a byte at a time from the reader.
//
// Small literals stay in the buffer. A literal larger than
// Limits.InlineLiteral ends the in-memory frame: the parser hands it out as
// an io.Reader (FETCH body sections) or reads it in bounded chunks (anywhere
// else), and framing resumes after it. No size the server declares is ever
// allocated up front.
//
// Values that point into the decoder's buffer are documented as "valid
// until the next call": copy them to keep them.
//
// # Encoding
//
// An Encoder builds one command at a time. It picks the cheapest legal form
// for each string (atom, quoted string or literal, RFC 3501 section 4.3),
// uses non-synchronising literals when the server allows them (LITERAL+ and
// LITERAL-, RFC 7888), and refuses CR, LF and NUL wherever the grammar
// cannot carry them, so nothing a caller passes can break a command line.
package imapwire
