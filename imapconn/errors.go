package imapconn

import (
	"errors"
	"fmt"

	"github.com/imapclient-go/imapclient/imap"
)

// ErrClosed is returned by calls on a Conn after Close, or after an error
// made the connection unusable (it then also matches imap.ErrAbort and the
// cause).
var ErrClosed = errors.New("imapconn: connection closed")

// ProtocolError reports a response the session layer could not accept: an
// unexpected greeting, a tagged response for an unknown command, a
// continuation nobody asked for.
type ProtocolError struct {
	Msg string
	// Err is the decoding error behind Msg, when there is one: an
	// *imapwire.SyntaxError or *imapwire.LimitError for a skipped
	// response. Nil otherwise.
	Err error
}

// Error implements error.
func (e *ProtocolError) Error() string { return "imapconn: protocol error: " + e.Msg }

// Unwrap returns the decoding error, if any.
func (e *ProtocolError) Unwrap() error { return e.Err }

// CanceledError reports a command abandoned because its context ended. The
// connection stays usable when Abandoned is true: the command was written
// completely and its responses will be drained. It unwraps to the context's
// error.
type CanceledError struct {
	Command   string
	Abandoned bool
	Err       error
}

// Error implements error.
func (e *CanceledError) Error() string {
	return fmt.Sprintf("imapconn: %s: %v", e.Command, e.Err)
}

// Unwrap returns the context's error.
func (e *CanceledError) Unwrap() error { return e.Err }

func abort(op string, err error) error {
	var ae *imap.AbortError
	if errors.As(err, &ae) {
		return err
	}
	return &imap.AbortError{Op: op, Err: err}
}

func asStatus(err error, target **imap.StatusError) bool { return errors.As(err, target) }
