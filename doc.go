// Package imapclient is an IMAP client for Go in the spirit of Python's
// IMAPClient: UIDs by default, message ids given as lists, single ids or
// set strings, folder names as ordinary Unicode strings, secure TLS
// defaults, typed results and a redacted debug log of the protocol.
//
// A Client is safe for concurrent use by multiple goroutines: calls are
// serialised on the one connection. Every method that talks to the server
// takes a context.Context first; cancelling it returns at once, and the
// connection stays usable when the server is alive.
//
// The layers below are usable on their own: package imapwire is the wire
// codec, package imapconn one IMAP session; Client.Conn exposes the
// session as an escape hatch for commands this package does not model.
package imapclient
