package testrig

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

// The targets a behaviour test can run against, chosen with the
// IMAPTEST_TARGET environment variable (default TargetDovecot).
const (
	TargetDovecot   = "dovecot"   // the rig's Dovecot 2.3 (scripts/dovecot.sh)
	TargetCyrus     = "cyrus"     // the rig's Cyrus IMAP 3.6 (scripts/cyrus.sh)
	TargetMemserver = "memserver" // an imapmemserver in the test binary
)

// Target returns the target selected by IMAPTEST_TARGET: TargetDovecot
// when it is unset or empty, else its value in lower case (which may be
// an unknown name: RequireServer refuses it).
func Target() string {
	t := strings.ToLower(strings.TrimSpace(os.Getenv("IMAPTEST_TARGET")))
	if t == "" {
		return TargetDovecot
	}
	return t
}

// Server is a running IMAP server that tests can connect to: the rig's
// Dovecot, the rig's Cyrus or the in-process imapmemserver. Fields that a
// target does not have are empty.
type Server struct {
	// Target is TargetDovecot, TargetCyrus or TargetMemserver.
	Target string
	// Name is the server's name for messages: "Dovecot", "Cyrus" or
	// "imapmemserver".
	Name string
	// Addr is host:port of the plaintext listener, which offers STARTTLS.
	Addr string
	// TLSAddr is host:port of the implicit-TLS listener.
	TLSAddr string
	// CAFile is the PEM file of the CA that signed the server certificate,
	// which is valid for "localhost" and 127.0.0.1. Empty for the
	// memserver, whose certificate is only in memory: use RootCAs or
	// TLSConfig, which work for every target.
	CAFile string
	// WrongCAFile is the PEM file of an unrelated CA: verifying the server
	// against it must fail. Empty for the memserver (see WrongRootCAs).
	WrongCAFile string
	// ConfFile is the server's generated configuration (dovecot.conf for
	// Dovecot, imapd.conf for Cyrus).
	ConfFile string
	// ExecCommand (Dovecot only) is a space-separated command line (no
	// shell quoting) that speaks IMAP on stdin/stdout, greeting with
	// PREAUTH, once "-u" and a user name are appended; see ExecArgs.
	ExecCommand string
	// PIDFile holds the pid of the server's master process. Tests that
	// stop the server on purpose must know it will not come back for
	// later tests.
	PIDFile string
	// LogFile is the server's log (Cyrus logs to syslog only: its file
	// holds the master's output).
	LogFile string
	// OAuthKey is the HS256 key Dovecot validates XOAUTH2 and OAUTHBEARER
	// tokens with; empty when the rig has no OAuth configured.
	OAuthKey []byte
	// Mem is the in-process server (memserver only). Tests may add
	// mailboxes and messages through it but must not change its faults
	// or close it: every test of the binary shares it.
	Mem *imapmemserver.Server

	rootCAs, wrongRootCAs *x509.CertPool // memserver: no files
}

// Dovecot is the former name of Server, from when Dovecot was the only
// target.
type Dovecot = Server

// RequireServer returns the server selected by IMAPTEST_TARGET. Without
// the rig's environment for Dovecot or Cyrus it skips the test, or fails
// it when CI is set; the memserver is started on first use and shared by
// every test of the binary. An unknown target fails the test.
func RequireServer(t testing.TB) *Server {
	t.Helper()
	switch target := Target(); target {
	case TargetDovecot:
		return requireDovecot(t)
	case TargetCyrus:
		return requireCyrus(t)
	case TargetMemserver:
		return requireMemserver(t)
	default:
		t.Fatalf("testrig: IMAPTEST_TARGET=%q: want %s, %s or %s", target, TargetDovecot, TargetCyrus, TargetMemserver)
		return nil
	}
}

// Has reports whether the server has a feature (see Features for the
// names). It panics on a name that is not in Features: a typo must not
// turn into a silent skip.
func (s *Server) Has(feature string) bool {
	if _, ok := Features[feature]; !ok {
		panic(fmt.Sprintf("testrig: unknown feature %q (see testrig.Features)", feature))
	}
	_, lacks := Lacks[s.Target][feature]
	return !lacks
}

// RequireFeature skips the test, naming the server and the feature,
// when the server lacks one of the features. It never fails for a
// missing feature, not even under CI: a feature in Lacks is a real
// capability gap of that server (or outside the scope of imapmemserver),
// never a client bug. An unknown feature name fails the test.
func RequireFeature(t testing.TB, s *Server, features ...string) {
	t.Helper()
	for _, f := range features {
		if _, ok := Features[f]; !ok {
			t.Fatalf("testrig: unknown feature %q (see testrig.Features)", f)
		}
	}
	for _, f := range features {
		if why, lacks := Lacks[s.Target][f]; lacks {
			t.Skipf("testrig: %s lacks %s (%s): %s", s.Name, f, Features[f], why)
		}
	}
}

// Features names what a test can require with RequireFeature, with what
// it stands for. Most are IMAP extensions; a few are abilities of the
// rig around the server.
var Features = map[string]string{
	"acl":         "ACL, RFC 4314",
	"binary":      "BINARY, RFC 3516",
	"catenate":    "CATENATE, RFC 4469",
	"compress":    "COMPRESS=DEFLATE, RFC 4978",
	"condstore":   "CONDSTORE, RFC 7162",
	"esearch":     "ESEARCH, RFC 4731",
	"exec":        "a PREAUTH session on stdin/stdout for DialCommand",
	"idle":        "IDLE, RFC 2177",
	"list-status": "LIST-STATUS, RFC 5819",
	"metadata":    "METADATA, RFC 5464",
	"move":        "MOVE, RFC 6851",
	"multiappend": "MULTIAPPEND, RFC 3502",
	"notify":      "NOTIFY, RFC 5465",
	"oauth":       "XOAUTH2 and OAUTHBEARER with tokens the rig can mint",
	"preview":     "PREVIEW, RFC 8970",
	"qresync":     "QRESYNC, RFC 7162",
	"quota":       "QUOTA, RFC 9208",
	"savedate":    "SAVEDATE, RFC 8514",
	"scram":       "AUTH=SCRAM-SHA-1 and AUTH=SCRAM-SHA-256, RFC 5802/7677",
	"searchres":   "SEARCHRES, RFC 5182",
	"sort":        "SORT, RFC 5256",
	"status-size": "STATUS=SIZE, RFC 8438",
	"thread":      "THREAD=REFERENCES, RFC 5256",
	"within":      "WITHIN, RFC 5032",
}

// Lacks is the one table of what each target does not have, with why.
// Dovecot, the reference, has every feature in Features. A test that
// needs one of these calls RequireFeature and is skipped on that target.
// Differences in how a server does something it has are not listed here:
// the client handles them, or docs/SERVERS.md and quirks_test.go record
// them as server quirks.
var Lacks = map[string]map[string]string{
	TargetDovecot: {},
	TargetCyrus: {
		// Debian's Cyrus SASL has no XOAUTH2/OAUTHBEARER mechanism, and
		// the rig has no token service Cyrus could ask.
		"oauth": "Cyrus SASL has no XOAUTH2/OAUTHBEARER mechanism",
		// Cyrus's imapd "MUST be invoked by master(8)" (its manual): it
		// has no pre-authenticated stdin/stdout mode like Dovecot's
		// "imap -u USER".
		"exec": "Cyrus imapd has no PREAUTH stdin/stdout mode",
		// Not implemented by Cyrus 3.6: no such capability after login.
		"notify":    "Cyrus 3.6 does not implement NOTIFY",
		"searchres": "Cyrus 3.6 does not implement SEARCHRES",
	},
	// imapmemserver implements what the client's everyday use needs
	// (issue 5): IMAP4rev1, LITERAL+, IDLE, MOVE, UIDPLUS, CONDSTORE,
	// ESEARCH, LIST-EXTENDED, LIST-STATUS, MULTIAPPEND, SPECIAL-USE, TLS.
	// Everything else is out of its scope.
	TargetMemserver: {
		"acl":         "out of imapmemserver's scope",
		"binary":      "out of imapmemserver's scope",
		"catenate":    "out of imapmemserver's scope",
		"compress":    "out of imapmemserver's scope",
		"exec":        "an in-process server has no command to run",
		"metadata":    "out of imapmemserver's scope",
		"notify":      "out of imapmemserver's scope",
		"oauth":       "imapmemserver offers AUTH=PLAIN only",
		"preview":     "out of imapmemserver's scope",
		"qresync":     "out of imapmemserver's scope",
		"quota":       "out of imapmemserver's scope",
		"savedate":    "out of imapmemserver's scope",
		"scram":       "imapmemserver offers AUTH=PLAIN only",
		"searchres":   "out of imapmemserver's scope",
		"sort":        "out of imapmemserver's scope",
		"status-size": "out of imapmemserver's scope",
		"thread":      "out of imapmemserver's scope",
		"within":      "out of imapmemserver's scope",
	},
}

// RootCAs returns a pool holding only the CA that signed the server's
// certificate.
func (s *Server) RootCAs(t testing.TB) *x509.CertPool {
	t.Helper()
	if s.rootCAs != nil {
		return s.rootCAs
	}
	return loadPool(t, s.CAFile)
}

// WrongRootCAs returns a pool holding only an unrelated CA, against which
// the server's certificate does not verify.
func (s *Server) WrongRootCAs(t testing.TB) *x509.CertPool {
	t.Helper()
	if s.wrongRootCAs != nil {
		return s.wrongRootCAs
	}
	return loadPool(t, s.WrongCAFile)
}

// TLSConfig returns a client TLS config that verifies the server's
// certificate: RootCAs and ServerName "localhost".
func (s *Server) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	return &tls.Config{RootCAs: s.RootCAs(t), ServerName: "localhost"}
}

// Users returns the rig's users, the same on every target.
func Users() []User { return slices.Clone(users) }

var users = []User{Alice, Bob, Carol, Dave}

func loadPool(t testing.TB, file string) *x509.CertPool {
	t.Helper()
	if file == "" {
		t.Fatalf("testrig: this target has no CA file")
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("testrig: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("testrig: no certificate in %s", file)
	}
	return pool
}
