package testrig

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Dovecot describes the rig's running Dovecot. All fields come from the
// IMAPTEST_* environment set by scripts/test.sh.
type Dovecot struct {
	// Addr is host:port of the plaintext listener, which offers STARTTLS.
	Addr string
	// TLSAddr is host:port of the implicit-TLS listener.
	TLSAddr string
	// CAFile is the PEM file of the CA that signed the server certificate,
	// which is valid for "localhost" and 127.0.0.1.
	CAFile string
	// WrongCAFile is the PEM file of an unrelated CA: verifying the server
	// against it must fail.
	WrongCAFile string
	// ConfFile is the generated dovecot.conf (for doveadm -c ConfFile ...).
	ConfFile string
	// ExecCommand is a space-separated command line (no shell quoting) that
	// speaks IMAP on stdin/stdout, greeting with PREAUTH, once "-u" and a
	// user name are appended; see ExecArgs.
	ExecCommand string
	// PIDFile holds the pid of the Dovecot master. Tests that stop the
	// server on purpose must know it will not come back for later tests.
	PIDFile string
	// LogFile is Dovecot's log.
	LogFile string
	// OAuthKey is the HS256 key Dovecot validates XOAUTH2 and OAUTHBEARER
	// tokens with; empty when the rig has no OAuth configured.
	OAuthKey []byte
}

// inCI reports whether the tests run under CI, where a missing rig is an
// error, not a reason to skip. CI counts as set when it is non-empty and not
// "false" or "0".
func inCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("testrig: %s; CI is set, so this is a failure: run the tests through ./scripts/test.sh", msg)
	}
	t.Skipf("testrig: %s; run ./scripts/test.sh to start Dovecot and run the tests against it", msg)
}

// RequireDovecot returns the rig's Dovecot. When the IMAPTEST_* variables are
// missing it skips the test, or fails it when CI is set.
func RequireDovecot(t testing.TB) *Dovecot {
	t.Helper()
	d := &Dovecot{
		Addr:        os.Getenv("IMAPTEST_DOVECOT_ADDR"),
		TLSAddr:     os.Getenv("IMAPTEST_DOVECOT_TLS_ADDR"),
		CAFile:      os.Getenv("IMAPTEST_CA_FILE"),
		WrongCAFile: os.Getenv("IMAPTEST_WRONG_CA_FILE"),
		ConfFile:    os.Getenv("IMAPTEST_DOVECOT_CONF"),
		ExecCommand: os.Getenv("IMAPTEST_DOVECOT_EXEC"),
		PIDFile:     os.Getenv("IMAPTEST_DOVECOT_PID_FILE"),
		LogFile:     os.Getenv("IMAPTEST_DOVECOT_LOG"),
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{"IMAPTEST_DOVECOT_ADDR", d.Addr},
		{"IMAPTEST_DOVECOT_TLS_ADDR", d.TLSAddr},
		{"IMAPTEST_CA_FILE", d.CAFile},
		{"IMAPTEST_WRONG_CA_FILE", d.WrongCAFile},
		{"IMAPTEST_DOVECOT_CONF", d.ConfFile},
		{"IMAPTEST_DOVECOT_EXEC", d.ExecCommand},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		unavailable(t, "Dovecot test rig not configured (%s unset)", strings.Join(missing, ", "))
	}
	if k := os.Getenv("IMAPTEST_OAUTH_KEY"); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(key) == 0 {
			t.Fatalf("testrig: IMAPTEST_OAUTH_KEY is not base64: %v", err)
		}
		d.OAuthKey = key
	}
	return d
}

// RootCAs returns a pool holding only the CA that signed Dovecot's certificate.
func (d *Dovecot) RootCAs(t testing.TB) *x509.CertPool {
	t.Helper()
	return loadPool(t, d.CAFile)
}

// WrongRootCAs returns a pool holding only an unrelated CA, against which
// Dovecot's certificate does not verify.
func (d *Dovecot) WrongRootCAs(t testing.TB) *x509.CertPool {
	t.Helper()
	return loadPool(t, d.WrongCAFile)
}

// TLSConfig returns a client TLS config that verifies Dovecot's certificate:
// RootCAs from CAFile and ServerName "localhost".
func (d *Dovecot) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	return &tls.Config{RootCAs: d.RootCAs(t), ServerName: "localhost"}
}

// ExecArgs returns the argv that runs an IMAP session for user on
// stdin/stdout (Dovecot's imap binary with this rig's config and a userdb
// lookup; it greets with "* PREAUTH"). The rig's Dovecot must be running. The
// process's stdout must be a pipe, not a socket (as root, imap refuses a
// socket), and it logs to stderr.
func (d *Dovecot) ExecArgs(user string) []string {
	return append(strings.Fields(d.ExecCommand), "-u", user)
}

func loadPool(t testing.TB, file string) *x509.CertPool {
	t.Helper()
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
