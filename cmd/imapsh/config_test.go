package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

func writeINI(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "account.ini")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseINI(t *testing.T) {
	f, err := parseINI("\ufeff# comment\n; another\n[DEFAULT]\nHost = imap.example.com\nport: 993\nuser = alice\n" +
		"password = %(user)s-100%%\nnote = first\n  second line\n\n[other]\nhost = other.example\n")
	if err != nil {
		t.Fatal(err)
	}
	def, err := f.section("DEFAULT")
	if err != nil {
		t.Fatal(err)
	}
	if def["host"] != "imap.example.com" || def["port"] != "993" || def["password"] != "alice-100%" || def["note"] != "first\nsecond line" {
		t.Errorf("DEFAULT = %q", def)
	}
	other, _ := f.section("other")
	if other["host"] != "other.example" || other["user"] != "alice" {
		t.Errorf("[other] = %q (defaults apply to every section)", other)
	}
	for _, bad := range []string{"key = value\n", "[DEFAULT\nx=1\n", "[DEFAULT]\nnovalue\n", "[a]\n[a]\n"} {
		if _, err := parseINI(bad); err == nil {
			t.Errorf("parseINI(%q) succeeded", bad)
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, err := interpolate(map[string]string{"a": "50%", "b": "%(missing)s", "c": "%(c)s"}, k, 0); err == nil {
			t.Errorf("interpolation of %s succeeded", k)
		}
	}
}

func TestConfigFile(t *testing.T) {
	env := testEnv(map[string]string{"imapclient_password": "from-env", "IMAPCLIENT_OAUTH2_CLIENT_ID": "id-from-env"})
	c := defaultConfig(env)
	home, _ := os.UserHomeDir()
	err := loadConfigFile(c, writeINI(t, "[DEFAULT]\nhost = mail.example\nport = 1143\nssl = no\nstarttls = On\n"+
		"ssl_check_hostname = false\nssl_verify_cert = 1\nssl_ca_file = ~/ca.pem\ntimeout = 2.5\nusername = bob\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := connConfig{Host: "mail.example", Port: 1143, SSL: false, StartTLS: true, CheckHostname: false, VerifyCert: true,
		CAFile: filepath.Join(home, "ca.pem"), Timeout: 2500 * time.Millisecond, Username: "bob", Password: "from-env",
		OAuth2ClientID: "id-from-env"}
	if *c != want {
		t.Errorf("config\n%+v, want\n%+v", *c, want)
	}

	// The file wins over the environment; an empty value does not.
	c = defaultConfig(env)
	if err := loadConfigFile(c, writeINI(t, "[DEFAULT]\nhost = h\npassword = from-file\noauth2_client_id =\n")); err != nil {
		t.Fatal(err)
	}
	if c.Password != "from-file" || c.OAuth2ClientID != "id-from-env" || !c.SSL || !c.VerifyCert || !c.CheckHostname {
		t.Errorf("config %+v", c)
	}

	// Without [DEFAULT], the first section is read.
	c = defaultConfig(env)
	if err := loadConfigFile(c, writeINI(t, "[gmail]\nhost = imap.gmail.com\nusername = a\n[other]\nhost = x\n")); err != nil {
		t.Fatal(err)
	}
	if c.Host != "imap.gmail.com" || c.Username != "a" {
		t.Errorf("first section: %+v", c)
	}

	for text, msg := range map[string]string{
		"[DEFAULT]\nhost = h\nexpect_failure = nope\n": "expect_failure should not be set for the DEFAULT section",
		"[DEFAULT]\nhost = h\nsssl = true\n":           `unknown key "sssl"`,
		"[DEFAULT]\nhost = h\nssl = maybe\n":           "not a boolean",
		"[DEFAULT]\nhost = h\nport = 99999\n":          "port",
		"[DEFAULT]\nhost = h\ntimeout = soon\n":        "timeout",
		"[DEFAULT]\nhost = h\nstream = true\n":         "stream connections are not supported",
		"[DEFAULT]\nusername = u\n":                    "no host",
		"":                                             "no [DEFAULT] section",
	} {
		err := loadConfigFile(defaultConfig(env), writeINI(t, text))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", text, err, msg)
		}
	}
}

// TestConfigFlagsWin checks the order: flag, file, environment, default.
func TestConfigFlagsWin(t *testing.T) {
	ini := writeINI(t, "[DEFAULT]\nhost = file.example\nusername = fileuser\nssl = true\n")
	o, err := parseArgs([]string{"-f", ini, "-u", "flaguser", "--starttls", "-P", "1143", "--insecure", "--timeout", "3"},
		testEnv(map[string]string{"imapclient_username": "envuser", "imapclient_password": "envpw"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.conn
	if c.Host != "file.example" || c.Username != "flaguser" || c.Password != "envpw" || !c.StartTLS || c.SSL ||
		c.Port != 1143 || c.VerifyCert || c.Timeout != 3*time.Second {
		t.Errorf("config %+v", c)
	}
}

// memServer starts a plain-text in-memory server with the user alice.
func memServer(t *testing.T) (host string, port int) {
	t.Helper()
	srv := imapmemserver.New(nil)
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	h, p, _ := strings.Cut(srv.Addr(), ":")
	port, _ = strconv.Atoi(p)
	return h, port
}

// TestConfigConnect connects with a configuration file and the
// environment, as IMAPClient's interact does.
func TestConfigConnect(t *testing.T) {
	t.Parallel()
	host, port := memServer(t)
	base := "[DEFAULT]\nhost = " + host + "\nport = " + strconv.Itoa(port) + "\n"

	// Plain text, password from the environment.
	ini := writeINI(t, base+"ssl = false\nusername = alice\n")
	r := runShell(t, map[string]string{"imapclient_password": "secret"}, "-f", ini, "-c", "folders; select INBOX")
	if r.code != 0 || !strings.Contains(r.stdout, "INBOX (read-write): 0 messages") {
		t.Errorf("plain login: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// STARTTLS against the self-signed certificate: refused, unless
	// verification is off.
	ini = writeINI(t, base+"ssl = false\nstarttls = true\nusername = alice\npassword = secret\n")
	r = runShell(t, nil, "-f", ini, "-c", "noop")
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("unverified certificate: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runShell(t, nil, "-f", writeINI(t, base+"ssl = false\nstarttls = true\nssl_verify_cert = false\nusername = alice\npassword = secret\n"), "-c", "noop")
	if r.code != 0 {
		t.Errorf("ssl_verify_cert = false: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runShell(t, nil, "-H", host, "-P", strconv.Itoa(port), "--starttls", "--insecure", "-u", "alice", "-p", "secret", "-c", "capabilities")
	if r.code != 0 || !strings.Contains(r.stdout, "IMAP4REV1") {
		t.Errorf("--starttls --insecure: exit %d, stderr %q", r.code, r.stderr)
	}

	// A wrong password is a clear error; with expect_failure it is the
	// expected outcome (IMAPClient's livetest sections).
	r = runShell(t, nil, "-f", writeINI(t, base+"ssl = false\nusername = alice\npassword = wrong\n"), "-c", "noop")
	if r.code != 1 || !strings.Contains(r.stderr, "authentication with LOGIN failed") {
		t.Errorf("wrong password: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runShell(t, nil, "-f", writeINI(t, "[bad-password]\nhost = "+host+"\nport = "+strconv.Itoa(port)+
		"\nssl = false\nusername = alice\npassword = wrong\nexpect_failure = authentication with LOGIN failed\n"), "-c", "noop")
	if r.code != 0 || !strings.Contains(r.stderr, "failed as expected") {
		t.Errorf("expect_failure: exit %d, stderr %q", r.code, r.stderr)
	}

	// OAuth2: a refresh token alone cannot be used; an access token can
	// (the memserver has no XOAUTH2, so that fails at the server).
	r = runShell(t, nil, "-f", writeINI(t, base+"ssl = false\noauth2 = true\nusername = alice\noauth2_client_id = id\n"+
		"oauth2_client_secret = s\noauth2_refresh_token = r\n"), "-c", "noop")
	if r.code != 1 || !strings.Contains(r.stderr, "refresh token") || !strings.Contains(r.stderr, "oauth2_access_token") {
		t.Errorf("refresh token: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runShell(t, map[string]string{"imapclient_oauth2_access_token": "tok"}, "-f", writeINI(t, base+"ssl = false\noauth2 = true\nusername = alice\n"), "-c", "noop")
	if r.code != 1 || !strings.Contains(r.stderr, "XOAUTH2") {
		t.Errorf("access token: exit %d, stderr %q", r.code, r.stderr)
	}

	// No password and no terminal to ask on.
	r = runShell(t, nil, "-H", host, "-P", strconv.Itoa(port), "--plain", "-u", "alice", "-c", "noop")
	if r.code != 2 || !strings.Contains(r.stderr, "no password") {
		t.Errorf("no password: exit %d, stderr %q", r.code, r.stderr)
	}
}
