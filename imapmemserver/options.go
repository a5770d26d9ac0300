package imapmemserver

import (
	"log/slog"
	"slices"
	"strings"
)

// DefaultCaps is the capability set a server advertises when Options.Caps
// is nil. STARTTLS is dropped on connections that are already encrypted,
// and the AUTH= and SASL-IR entries once the client has logged in.
var DefaultCaps = []string{
	"IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "UNSELECT",
	"UIDPLUS", "MOVE", "NAMESPACE", "CHILDREN", "SPECIAL-USE", "CONDSTORE",
	"ESEARCH", "STARTTLS", "AUTH=PLAIN",
}

// Options configure a Server. A nil *Options means every default.
type Options struct {
	// Caps is the advertised capability set, in the order to announce it.
	// Nil means DefaultCaps. The set also decides what the server accepts:
	// a command or syntax of an extension missing from it (MOVE, IDLE,
	// UID EXPUNGE without UIDPLUS, a LITERAL+ literal, an initial
	// response without SASL-IR, ENABLE CONDSTORE, ...) is refused with BAD
	// as a server without the extension would. Besides the defaults the
	// server implements LITERAL-, MULTIAPPEND, LIST-EXTENDED, LIST-STATUS,
	// UTF8=ACCEPT, LOGINDISABLED (LOGIN refused before TLS) and, in part,
	// IMAP4rev2 (after ENABLE IMAP4rev2: ESEARCH answers to SEARCH, no
	// RECENT). Any other name is advertised as given and its commands
	// answered with BAD.
	Caps []string
	// Faults, when not nil, injects failures into every new connection;
	// see Faults. Server.SetFaults changes them later.
	Faults *Faults
	// Logger receives a debug line per command (credentials redacted) and
	// the errors of connections. Nil discards everything.
	Logger *slog.Logger
	// Greeting is the text of the "* OK" greeting. "" means
	// "imapmemserver ready". The greeting carries a [CAPABILITY ...] code
	// unless Faults.NoGreetingCapability is set.
	Greeting string
}

// capSet is the parsed, immutable form of Options.Caps.
type capSet struct {
	list []string            // as configured, in order
	set  map[string]struct{} // upper-cased
}

func newCapSet(caps []string) *capSet {
	if caps == nil {
		caps = DefaultCaps
	}
	c := &capSet{list: slices.Clone(caps), set: make(map[string]struct{}, len(caps))}
	for _, n := range caps {
		c.set[strings.ToUpper(n)] = struct{}{}
	}
	return c
}

// has reports whether the capability (upper case) is configured.
func (c *capSet) has(name string) bool {
	_, ok := c.set[name]
	return ok
}

// literalPlus reports whether non-synchronising literals of size n are
// allowed.
func (c *capSet) literalPlus(n int64) bool {
	return c.has("LITERAL+") || (c.has("LITERAL-") && n <= 4096)
}

// forState returns the capabilities to announce on a connection in the
// given situation.
func (c *capSet) forState(tlsActive, authenticated bool) []string {
	out := make([]string, 0, len(c.list))
	for _, n := range c.list {
		u := strings.ToUpper(n)
		switch {
		case (u == "STARTTLS" || u == "LOGINDISABLED") && (tlsActive || authenticated):
			continue
		case (strings.HasPrefix(u, "AUTH=") || u == "SASL-IR") && authenticated:
			continue
		case strings.HasPrefix(u, "AUTH=") && c.has("LOGINDISABLED") && !tlsActive:
			continue
		}
		out = append(out, n)
	}
	return out
}

func (o *Options) logger() *slog.Logger {
	if o != nil && o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (o *Options) greeting() string {
	if o != nil && o.Greeting != "" {
		return o.Greeting
	}
	return "imapmemserver ready"
}
