// Package fakeserver is a scripted IMAP server for byte-exact tests of the
// client stack (package imapconn, the root package's examples, and the
// hostile-server suite).
//
// A Script is a list of steps played in order on one connection accepted on
// a 127.0.0.1 listener: S sends a line, SRaw sends bytes as they are, C
// expects exactly one client line, CMatch a line matching a regular
// expression, CLiteral and CBytes literal data, Quiet proves that the client
// sends nothing for a while (for example before a continuation request),
// Sleep pauses, Close hangs up, Hold goes silent until the client hangs up,
// StartTLS upgrades the server side, and Do runs a function for exchanges
// that must be computed (SCRAM). Tags are deterministic: imapconn numbers
// them A1, A2, ... unless told otherwise.
//
// Start plays a script for a test and returns the client's end of the
// connection; at the end of the test it reports, with t.Errorf, every
// mismatch: an unexpected client line, expected lines that never came, data
// sent after the end of the script. Listen is the same without a
// testing.TB, for runnable examples.
//
// The server runs one goroutine per connection and waits for it to end
// before Close (or the test's cleanup) returns, so tests can check for
// leaked goroutines. Every step that waits for the client gives up after
// Options.Timeout, so a client bug turns into a reported mismatch rather
// than a hung test.
//
// Certificate, CertPool, ServerTLSConfig and ClientTLSConfig give a
// self-signed certificate for localhost, 127.0.0.1 and ::1, generated once
// per process, for implicit TLS (Options.TLS) and STARTTLS.
package fakeserver
