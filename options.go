package imapclient

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/imapclient-go/imapclient/imapwire"
)

// Security is how a connection is protected.
type Security int

// Connection security modes.
const (
	// ImplicitTLS starts TLS at once, on port 993 by default (IMAPClient's
	// ssl=True; RFC 8314 recommends it).
	ImplicitTLS Security = iota
	// StartTLS connects in plain text on port 143 and upgrades with
	// STARTTLS before anything else. Dial fails if the server does not
	// offer STARTTLS: it never falls back to plain text.
	StartTLS
	// Plaintext uses no encryption at all. Credentials are refused over it
	// unless Options.AllowInsecureAuth is set.
	Plaintext
)

// Options configure Dial and New. A nil *Options means the defaults; every
// field's zero value is a sensible default.
type Options struct {
	// Port is the TCP port. Zero means 993 for ImplicitTLS and 143
	// otherwise. A port given in the host argument of Dial wins.
	Port int
	// Security selects implicit TLS (the default), STARTTLS or plain text.
	Security Security
	// TLSConfig is used for TLS. Nil means DefaultTLSConfig(host). Supply
	// one to trust a private CA (RootCAs) or, if you insist, to turn off
	// verification (InsecureSkipVerify).
	TLSConfig *tls.Config
	// ConnectTimeout bounds the TCP connect, the TLS handshake and the
	// wait for the greeting. Zero means no limit beyond the context.
	ConnectTimeout time.Duration
	// ReadTimeout bounds each wait for data from the server once
	// connected. Zero means no limit beyond the context. When it expires
	// the connection is closed (the peer is presumed dead).
	ReadTimeout time.Duration
	// Logger receives the protocol log at debug level: one line per command
	// and response, with passwords, tokens and AUTHENTICATE data redacted
	// and large literals summarised. Nil means slog.Default().
	Logger *slog.Logger
	// SequenceNumbers makes methods take and return message sequence
	// numbers instead of UIDs (IMAPClient's use_uid=False). It can be
	// changed later with SetUseUID.
	SequenceNumbers bool
	// RawFolderNames turns off modified UTF-7 folder name encoding
	// (IMAPClient's folder_encode=False). See SetFolderEncode.
	RawFolderNames bool
	// NormaliseTimes converts times from the server to local time.
	NormaliseTimes bool
	// AllowInsecureAuth allows sending passwords and tokens over a
	// connection without TLS.
	AllowInsecureAuth bool
	// DrainTimeout bounds the wait for the responses of a cancelled
	// command before the next command. Zero means 10 seconds.
	DrainTimeout time.Duration
	// Limits bound the memory used to decode responses. Nil means the
	// defaults of package imapwire.
	Limits *imapwire.Limits
	// OnUpdate receives the data the server sends on its own at any time
	// (new mail, expunges, flag changes, alerts, BYE) that no method
	// claimed as its result. It runs on the goroutine that holds the
	// connection and must not call the Client; hand work off to another
	// goroutine. Nil drops them (the client's FolderView still follows).
	OnUpdate func(Update)
	// IdleRefresh is how long one IDLE command runs before the client
	// ends and re-issues it, so servers that drop idle connections after
	// 30 minutes do not (RFC 2177 section 3). Zero means 29 minutes.
	IdleRefresh time.Duration
	// Compress turns on COMPRESS=DEFLATE after login when the server
	// offers it (RFC 4978).
	Compress bool
	// IdlePollInterval is the NOOP interval used to emulate IDLE when the
	// server lacks it. Zero means 30 seconds.
	IdlePollInterval time.Duration
	// DisableUTF8 keeps UTF8=ACCEPT (RFC 6855) off. By default it is
	// enabled right after login when the server announces it: folder
	// names then travel as UTF-8 instead of modified UTF-7. A PREAUTH
	// session does not log in; call Enable(ctx, "UTF8=ACCEPT") there.
	DisableUTF8 bool
}

// DefaultTLSConfig returns the TLS configuration used when
// Options.TLSConfig is nil: TLS 1.2 or newer, certificates verified
// against the system roots for host. Adjust the copy it returns, for
// example to add a private CA to RootCAs.
func DefaultTLSConfig(host string) *tls.Config {
	return &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
	}
}
