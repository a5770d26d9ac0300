package imap

import "errors"

// ErrAbort is matched (errors.Is) by every error after which a connection
// is no longer usable: the network failed, the server hung up or sent a
// stream the client cannot follow. Python IMAPClient calls this
// IMAP4.abort.
var ErrAbort = errors.New("imap: connection aborted")

// AbortError is an error that made a connection unusable. It matches
// ErrAbort and unwraps to its cause (io.EOF, a *net.OpError, a
// *StatusError for BYE, ...).
type AbortError struct {
	Op  string // what was being done: "read", "write", "greeting", ...
	Err error
}

// Error implements error.
func (e *AbortError) Error() string {
	return "imap: connection aborted during " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *AbortError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAbort) true.
func (e *AbortError) Is(target error) bool { return target == ErrAbort }
