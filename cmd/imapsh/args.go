package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// options are the command-line options.
type options struct {
	conn     *connConfig
	file     string
	commands string // -c
	hasCmds  bool
	json     bool
	demo     bool
	trace    bool
	seq      bool // start with sequence numbers instead of UIDs
}

const usageText = `usage: imapsh [flags]

Connect to an IMAP server and open a shell (IMAPClient's interact):
  -H, --host HOST        server name or address (host:port allowed)
  -P, --port PORT        port (default 993 with TLS, 143 otherwise)
  -u, --username USER    user name to log in with
  -p, --password PASS    password (prompted without echo when not given)
  -s, --ssl              implicit TLS (the default)
      --starttls         plain connection upgraded with STARTTLS
      --plain            no TLS at all (credentials travel in clear text)
      --insecure         do not verify the server's certificate
      --ca-file FILE     trust the CA certificates in this PEM file
      --timeout SECONDS  connect and read timeout
  -f, --file FILE        INI file with IMAPClient's keys (host, port, ssl,
                         starttls, ssl_check_hostname, ssl_verify_cert,
                         ssl_ca_file, timeout, username, password, oauth2,
                         oauth2_client_id, oauth2_client_secret,
                         oauth2_refresh_token, oauth2_access_token,
                         expect_failure) in [DEFAULT] or the first section;
                         flags given on the command line win over it
      --demo             start a built-in demo server with a seeded mailbox
                         (user demo, password demo) and connect to it
  -c COMMANDS            run the commands (separated by ';') and exit
      --json             print every result as JSON (one value per command)
      --trace            start with the protocol trace on (see "trace")
      --seq              start with sequence numbers (see "uid")

Without -c, commands are read from the terminal (with history and tab
completion) or, when standard input is not a terminal, one per line from it.
Environment: imapclient_username, imapclient_password,
imapclient_oauth2_client_id, imapclient_oauth2_client_secret,
imapclient_oauth2_refresh_token and imapclient_oauth2_access_token (or the
same names in upper case) are used when neither a flag nor the file gives
the value; IMAPSH_HISTORY names the history file ("" or "-" for none).
`

// errHelp is returned by parseArgs for -h: print usage, exit 0.
var errHelp = errors.New("help requested")

// parseArgs parses the command line. getenv supplies the environment
// fallbacks.
func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("imapsh", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		host, user, pass, caFile, file, timeout string
		port                                    int
		ssl, starttls, plain, insecure          bool
		o                                       options
	)
	for _, n := range []string{"H", "host"} {
		fs.StringVar(&host, n, "", "")
	}
	for _, n := range []string{"u", "username"} {
		fs.StringVar(&user, n, "", "")
	}
	for _, n := range []string{"p", "password"} {
		fs.StringVar(&pass, n, "", "")
	}
	for _, n := range []string{"P", "port"} {
		fs.IntVar(&port, n, 0, "")
	}
	for _, n := range []string{"s", "ssl"} {
		fs.BoolVar(&ssl, n, false, "")
	}
	for _, n := range []string{"f", "file"} {
		fs.StringVar(&file, n, "", "")
	}
	fs.BoolVar(&starttls, "starttls", false, "")
	fs.BoolVar(&plain, "plain", false, "")
	fs.BoolVar(&insecure, "insecure", false, "")
	fs.StringVar(&caFile, "ca-file", "", "")
	fs.StringVar(&timeout, "timeout", "", "")
	fs.StringVar(&o.commands, "c", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.BoolVar(&o.trace, "trace", false, "")
	fs.BoolVar(&o.seq, "seq", false, "")
	help := false
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")

	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%v (see imapsh --help)", err)
	}
	if help {
		return nil, errHelp
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (commands go in -c '...'; see imapsh --help)", strings.Join(fs.Args(), " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	given := func(names ...string) bool {
		for _, n := range names {
			if set[n] {
				return true
			}
		}
		return false
	}
	o.hasCmds = set["c"]
	o.file = file
	if o.demo && (file != "" || host != "") {
		return nil, errors.New("--demo connects to its own server: it cannot be combined with -H or -f")
	}
	if n := countTrue(ssl, starttls, plain); n > 1 {
		return nil, errors.New("choose one of --ssl, --starttls and --plain")
	}

	c := defaultConfig(getenv)
	if file != "" {
		if err := loadConfigFile(c, file); err != nil {
			return nil, err
		}
	}
	if given("H", "host") {
		c.Host = host
	}
	if given("P", "port") {
		if port <= 0 || port > 65535 {
			return nil, fmt.Errorf("invalid port %d", port)
		}
		c.Port = port
	}
	if given("u", "username") {
		c.Username = user
	}
	if given("p", "password") {
		c.Password = pass
	}
	switch {
	case ssl:
		c.SSL, c.StartTLS = true, false
	case starttls:
		c.SSL, c.StartTLS = false, true
	case plain:
		c.SSL, c.StartTLS = false, false
	}
	if insecure {
		c.VerifyCert, c.CheckHostname = false, false
	}
	if caFile != "" {
		c.CAFile = expandUser(caFile)
	}
	if given("timeout") {
		d, err := parseSeconds(timeout)
		if err != nil {
			return nil, fmt.Errorf("--timeout %q: %v", timeout, err)
		}
		c.Timeout = d
	}
	if !o.demo && c.Host == "" {
		return nil, errors.New("no server: give -H HOST, -f FILE, or --demo to try the built-in demo server")
	}
	o.conn = c
	return &o, nil
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// parseIdleSeconds reads the optional argument of idle.
func parseIdleSeconds(s string) (time.Duration, error) {
	d, err := parseSeconds(s)
	if err != nil || d == 0 {
		return 0, fmt.Errorf("idle: %q is not a positive number of seconds", s)
	}
	return d, nil
}
