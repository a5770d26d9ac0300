package testrig

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
)

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
	t.Skipf("testrig: %s; run ./scripts/test.sh to start the servers and run the tests against them", msg)
}

// RequireDovecot returns the rig's Dovecot, for tests of Dovecot itself
// (its configuration, its exact answers). Tests of the client's behaviour
// use RequireServer instead, so that they run against every target.
//
// When IMAPTEST_TARGET selects another target it skips the test, even
// under CI: the Dovecot run of the suite covers it. When the IMAPTEST_*
// variables are missing it skips the test, or fails it when CI is set.
func RequireDovecot(t testing.TB) *Dovecot {
	t.Helper()
	if target := Target(); target != TargetDovecot {
		t.Skipf("testrig: a Dovecot-only test; IMAPTEST_TARGET=%s", target)
	}
	return requireDovecot(t)
}

func requireDovecot(t testing.TB) *Server {
	t.Helper()
	d := &Server{
		Target:      TargetDovecot,
		Name:        "Dovecot",
		Addr:        os.Getenv("IMAPTEST_DOVECOT_ADDR"),
		TLSAddr:     os.Getenv("IMAPTEST_DOVECOT_TLS_ADDR"),
		CAFile:      os.Getenv("IMAPTEST_CA_FILE"),
		WrongCAFile: os.Getenv("IMAPTEST_WRONG_CA_FILE"),
		ConfFile:    os.Getenv("IMAPTEST_DOVECOT_CONF"),
		ExecCommand: os.Getenv("IMAPTEST_DOVECOT_EXEC"),
		PIDFile:     os.Getenv("IMAPTEST_DOVECOT_PID_FILE"),
		LogFile:     os.Getenv("IMAPTEST_DOVECOT_LOG"),
	}
	requireEnv(t, "Dovecot", []envVar{
		{"IMAPTEST_DOVECOT_ADDR", d.Addr},
		{"IMAPTEST_DOVECOT_TLS_ADDR", d.TLSAddr},
		{"IMAPTEST_CA_FILE", d.CAFile},
		{"IMAPTEST_WRONG_CA_FILE", d.WrongCAFile},
		{"IMAPTEST_DOVECOT_CONF", d.ConfFile},
		{"IMAPTEST_DOVECOT_EXEC", d.ExecCommand},
	})
	if k := os.Getenv("IMAPTEST_OAUTH_KEY"); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(key) == 0 {
			t.Fatalf("testrig: IMAPTEST_OAUTH_KEY is not base64: %v", err)
		}
		d.OAuthKey = key
	}
	return d
}

type envVar struct{ name, value string }

// requireEnv calls unavailable when a variable is empty.
func requireEnv(t testing.TB, server string, vars []envVar) {
	t.Helper()
	var missing []string
	for _, v := range vars {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		unavailable(t, "%s test rig not configured (%s unset)", server, strings.Join(missing, ", "))
	}
}

// ExecArgs returns the argv that runs an IMAP session for user on
// stdin/stdout (Dovecot's imap binary with this rig's config and a userdb
// lookup; it greets with "* PREAUTH"). The rig's Dovecot must be running. The
// process's stdout must be a pipe, not a socket (as root, imap refuses a
// socket), and it logs to stderr. Only Dovecot has it: a test that needs
// it calls RequireFeature(t, s, "exec") first.
func (s *Server) ExecArgs(user string) []string {
	return append(strings.Fields(s.ExecCommand), "-u", user)
}
