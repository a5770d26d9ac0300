package imapclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
)

// ErrAbort is matched by errors after which the connection is unusable:
// the network failed, the server hung up or sent what the client cannot
// follow (IMAPClient's IMAPClient.AbortError).
var ErrAbort = imap.ErrAbort

// ErrReadOnly is matched by errors from commands that need a writable
// folder when the folder is selected read-only (IMAPClient's ReadOnlyError).
var ErrReadOnly = errors.New("imapclient: folder is read-only")

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = imapconn.ErrClosed

// ServerError is the server's NO, BAD or BYE answer to a command, with its
// response code and text. Test its kind with errors.Is(err, imap.ErrNo) or
// imap.ErrBad.
type ServerError = imap.StatusError

// ProtocolError reports a server response the client could not accept.
type ProtocolError = imapconn.ProtocolError

// CapabilityError reports a command the server does not support; nothing
// was sent.
type CapabilityError struct {
	Capability string // the capability that is missing
	Command    string
}

// Error implements error.
func (e *CapabilityError) Error() string {
	return fmt.Sprintf("imapclient: %s needs the server capability %s", e.Command, e.Capability)
}

// LoginError reports failed authentication. It never holds the password
// or token. It unwraps to the server's error when there was one.
type LoginError struct {
	Mechanism string // "LOGIN", "PLAIN", "XOAUTH2", ...
	Err       error
}

// Error implements error.
func (e *LoginError) Error() string {
	return "imapclient: authentication with " + e.Mechanism + " failed: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *LoginError) Unwrap() error { return e.Err }

// IllegalStateError reports a command issued in the wrong protocol state,
// such as a FETCH with no folder selected; nothing was sent.
type IllegalStateError struct {
	Command string
	State   string // the current state
	Need    string // the state required
}

// Error implements error.
func (e *IllegalStateError) Error() string {
	return fmt.Sprintf("imapclient: %s needs the %s state, but the connection is %s", e.Command, e.Need, e.State)
}

// InvalidCriteriaError reports search criteria that are empty or that the
// server rejected with BAD; Err holds the server's error, if any.
type InvalidCriteriaError struct {
	Msg string
	Err error
}

// Error implements error.
func (e *InvalidCriteriaError) Error() string {
	if e.Err != nil {
		return "imapclient: invalid search criteria: " + e.Msg + ": " + e.Err.Error()
	}
	return "imapclient: invalid search criteria: " + e.Msg
}

// Unwrap returns the server's error.
func (e *InvalidCriteriaError) Unwrap() error { return e.Err }

// ErrInsecureAuth is returned when credentials would travel without TLS
// and Options.AllowInsecureAuth is not set.
var ErrInsecureAuth = errors.New("imapclient: refusing to send credentials over an unencrypted connection (set Options.AllowInsecureAuth to allow)")

// IsTimeout reports whether err comes from a timeout: a context deadline,
// Options.ReadTimeout or Options.ConnectTimeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// IsRetryable reports whether err means "try again on a new connection":
// the connection failed, or the server said BYE or UNAVAILABLE. Whether
// the failed command took effect is unknown, so retry only commands that
// are safe to repeat. A NO or BAD answer is not retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var se *ServerError
	if errors.As(err, &se) {
		return se.Response.Type == imap.StatusBYE || se.Response.Code == "UNAVAILABLE"
	}
	return errors.Is(err, ErrAbort)
}
