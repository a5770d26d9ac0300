package imapconn

import (
	"log/slog"
	"time"

	"github.com/imapclient-go/imapclient/imapwire"
)

// Options configure a Conn. The zero value is usable; nil means the zero
// value.
type Options struct {
	// Logger receives one debug line per command and response, with
	// credentials redacted and large literals summarised. Nil means
	// slog.Default(); nothing is printed unless debug level is enabled.
	Logger *slog.Logger
	// ReadTimeout bounds each wait for data from the server while a
	// response is expected. Zero means no limit (contexts still apply).
	// When it expires the connection is closed: the peer is presumed dead.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write. Zero means no limit.
	WriteTimeout time.Duration
	// DrainTimeout bounds how long the connection waits, before the next
	// command, for the responses of a command whose context was cancelled.
	// Zero means 10 seconds; if it expires the connection is closed.
	DrainTimeout time.Duration
	// Limits bound the decoder's memory (see imapwire.Limits). Nil means
	// the defaults.
	Limits *imapwire.Limits
	// Unilateral receives untagged responses that no command in flight
	// claimed: EXISTS, EXPUNGE, FETCH flag updates, OK [ALERT], BYE, ...
	// (RFC 3501 section 7). For FETCH the handler may read the items with
	// r.NextFetchItem before returning. It runs on the goroutine that is
	// using the Conn and must not call the Conn.
	Unilateral func(r *imapwire.Response)
	// TagPrefix is prepended to command tags. Default "A".
	TagPrefix string
}

const defaultDrainTimeout = 10 * time.Second

func (o *Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}
