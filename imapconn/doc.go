// Package imapconn is the session layer of imapclient-go: one IMAP
// connection with its greeting, command tags, literals, continuation
// requests, capability tracking, STARTTLS, SASL exchanges, deadlines and
// the routing of untagged responses.
//
// A Conn belongs to one goroutine at a time; the root package imapclient
// builds a client that is safe for concurrent use on top of it. Every call
// that does I/O takes a context.Context. Cancelling it interrupts the call
// at once (the connection's deadline is moved to the past); when the
// command had been written completely, the connection stays usable: the
// abandoned command's responses are read and dropped before the next
// command, within Options.DrainTimeout.
//
// Commands may be pipelined: Start writes a command and returns, Wait reads
// responses until that command completes, dispatching the responses of
// every command in flight (RFC 9051 section 5.5).
package imapconn
