package imap

import (
	"errors"
	"strings"
)

// StatusType is the kind of a status response (RFC 3501 section 7.1).
type StatusType string

// Status response kinds.
const (
	StatusOK      StatusType = "OK"
	StatusNO      StatusType = "NO"
	StatusBAD     StatusType = "BAD"
	StatusPREAUTH StatusType = "PREAUTH"
	StatusBYE     StatusType = "BYE"
)

// StatusResponse is a status response: tagged completion, untagged
// OK/NO/BAD/BYE or the greeting, with its optional response code (RFC 3501
// section 7.1).
type StatusResponse struct {
	Type StatusType
	// Code is the response code's name, upper-cased ("ALERT", "UIDNEXT",
	// "APPENDUID", ...), or "" when there is none.
	Code string
	// CodeArg is the raw text after the code's name inside the brackets, or
	// "" when there is none. Well-known codes are also decoded by the layers
	// above (see for example ParseCodeNums).
	CodeArg string
	// Text is the human-readable text. Servers write it for people; do not
	// parse it.
	Text string
}

// String returns the response as it would appear on the wire after the tag.
func (s *StatusResponse) String() string {
	var b strings.Builder
	b.WriteString(string(s.Type))
	if s.Code != "" {
		b.WriteString(" [")
		b.WriteString(s.Code)
		if s.CodeArg != "" {
			b.WriteByte(' ')
			b.WriteString(s.CodeArg)
		}
		b.WriteByte(']')
	}
	if s.Text != "" {
		b.WriteByte(' ')
		b.WriteString(s.Text)
	}
	return b.String()
}

// Err returns nil for OK and PREAUTH, and a *StatusError otherwise.
func (s *StatusResponse) Err(command string) error {
	switch s.Type {
	case StatusOK, StatusPREAUTH:
		return nil
	}
	return &StatusError{Command: command, Response: *s}
}

// StatusError is a server's NO, BAD or BYE in answer to a command, with the
// response code and text. Use errors.As to get it, and errors.Is with ErrNo,
// ErrBad or ErrBye to test its kind.
type StatusError struct {
	// Command is the name of the command that failed ("SELECT", "UID FETCH").
	// It never holds the command's arguments, which may be credentials.
	Command  string
	Response StatusResponse
}

// Error implements error.
func (e *StatusError) Error() string {
	var b strings.Builder
	b.WriteString("imap: ")
	if e.Command != "" {
		b.WriteString(e.Command)
		b.WriteString(": ")
	}
	b.WriteString("server said ")
	b.WriteString(e.Response.String())
	return b.String()
}

// Sentinel errors that StatusError matches with errors.Is, by its Type.
var (
	ErrNo  = errors.New("imap: server said NO")
	ErrBad = errors.New("imap: server said BAD")
	ErrBye = errors.New("imap: server said BYE")
)

// Is lets errors.Is(err, ErrNo) and friends test the kind of the response.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrNo:
		return e.Response.Type == StatusNO
	case ErrBad:
		return e.Response.Type == StatusBAD
	case ErrBye:
		return e.Response.Type == StatusBYE
	}
	return false
}

// Response codes of RFC 3501 section 7.1 and of extensions, as they appear
// in StatusResponse.Code.
const (
	CodeAlert          = "ALERT"
	CodeBadCharset     = "BADCHARSET"
	CodeCapability     = "CAPABILITY"
	CodeParse          = "PARSE"
	CodePermanentFlags = "PERMANENTFLAGS"
	CodeReadOnly       = "READ-ONLY"
	CodeReadWrite      = "READ-WRITE"
	CodeTryCreate      = "TRYCREATE"
	CodeUIDNext        = "UIDNEXT"
	CodeUIDValidity    = "UIDVALIDITY"
	CodeUnseen         = "UNSEEN"
	CodeAppendUID      = "APPENDUID"
	CodeCopyUID        = "COPYUID"
	CodeHighestModSeq  = "HIGHESTMODSEQ"
	CodeNoModSeq       = "NOMODSEQ"
	CodeModified       = "MODIFIED"
	CodeClosed         = "CLOSED"
	CodeAuthFailed     = "AUTHENTICATIONFAILED"
	CodeNonExistent    = "NONEXISTENT"
)

// Response codes of RFC 8474 (OBJECTID), RFC 6154 (CREATE-SPECIAL-USE),
// RFC 5464 (METADATA), RFC 5465 (NOTIFY) and RFC 7889 / RFC 4469
// (APPENDLIMIT, TOOBIG).
const (
	CodeMailboxID            = "MAILBOXID"
	CodeUseAttr              = "USEATTR"
	CodeMetadata             = "METADATA"
	CodeNotificationOverflow = "NOTIFICATIONOVERFLOW"
	CodeBadEvent             = "BADEVENT"
	CodeTooBig               = "TOOBIG"
)
