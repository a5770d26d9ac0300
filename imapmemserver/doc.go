// Package imapmemserver is an in-memory IMAP server for tests, in the
// spirit of net/http/httptest: start one in a test, add a user, point a
// client at it, close it at the end.
//
//	srv := imapmemserver.New(nil)
//	defer srv.Close()
//	srv.AddUser("alice", "secret")
//	addr := srv.Addr() // "127.0.0.1:port", plaintext with STARTTLS
//	conn := srv.Pipe() // or an in-memory connection, no socket at all
//
// It speaks IMAP4rev1 (RFC 3501) with the extensions a client commonly
// uses: LITERAL+ and LITERAL-, SASL-IR with AUTH=PLAIN, STARTTLS and
// implicit TLS (a self-signed certificate generated per server; trust it
// with ClientTLSConfig), ID, ENABLE, IDLE, UNSELECT, UIDPLUS, MOVE,
// NAMESPACE, CHILDREN, SPECIAL-USE, LIST-EXTENDED and LIST-STATUS,
// CONDSTORE, ESEARCH, MULTIAPPEND and UTF8=ACCEPT. Options.Caps chooses
// what is advertised, and the server refuses what it does not advertise,
// so a client can be tested against servers with and without an
// extension.
//
// Every user has INBOX and the special-use mailboxes Archive, Drafts,
// Junk, Sent and Trash. The hierarchy delimiter is "/". Messages are
// parsed once when they are stored; FETCH computes ENVELOPE,
// BODYSTRUCTURE and body sections from the parsed message, and SEARCH
// evaluates every RFC 3501 search key. Sessions that select the same
// mailbox see each other's changes as untagged EXISTS, EXPUNGE and FETCH
// responses, after a command or at once while idling.
//
// Faults make the server misbehave on purpose: cut the connection after a
// number of bytes or commands, delay responses, say BYE, send garbage or a
// malformed FETCH response, refuse chosen commands, or reproduce known
// server quirks. See Faults.
//
// The package is built on imap, imapwire and mutf7 only, never on the
// client packages, so that it can test them.
package imapmemserver
