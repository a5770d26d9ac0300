package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// connConfig holds everything needed to connect and log in: IMAPClient's
// configuration keys (config.py), from the command line, an INI file and
// the environment.
type connConfig struct {
	Host     string
	Port     int
	SSL      bool // implicit TLS (IMAPClient's ssl, the default)
	StartTLS bool
	// CheckHostname and VerifyCert are IMAPClient's ssl_check_hostname
	// and ssl_verify_cert; CAFile its ssl_ca_file.
	CheckHostname bool
	VerifyCert    bool
	CAFile        string
	Timeout       time.Duration

	Username string
	Password string

	OAuth2             bool
	OAuth2ClientID     string
	OAuth2ClientSecret string
	OAuth2RefreshToken string
	// OAuth2AccessToken is an imapsh extension: a ready access token, as
	// imapsh cannot reach a provider's token endpoint to use a refresh
	// token.
	OAuth2AccessToken string

	// ExpectFailure is IMAPClient's expect_failure (livetest): the
	// connection must fail with an error containing this text.
	ExpectFailure string

	// TLSConfig, when set, replaces the TLS settings above (--demo).
	TLSConfig *tls.Config
}

// configKeys are the keys an INI file may hold: IMAPClient's, plus
// oauth2_access_token. Others are refused, so a typo does not pass
// silently. (stream is IMAPClient's, but imapsh cannot use it.)
var configKeys = map[string]bool{
	"host": true, "port": true, "ssl": true, "starttls": true,
	"ssl_check_hostname": true, "ssl_verify_cert": true, "ssl_ca_file": true,
	"timeout": true, "username": true, "password": true, "stream": true,
	"oauth2": true, "oauth2_client_id": true, "oauth2_client_secret": true,
	"oauth2_refresh_token": true, "oauth2_access_token": true,
	"expect_failure": true,
}

// envFallbacks are the keys IMAPClient takes from the environment when
// neither the file nor the command line gives them: imapclient_<key>
// (IMAPClient's own spelling; IMAPCLIENT_<KEY> is accepted too).
var envFallbacks = []string{
	"username", "password", "oauth2_client_id", "oauth2_client_secret",
	"oauth2_refresh_token", "oauth2_access_token",
}

// defaultConfig returns IMAPClient's defaults (get_config_defaults) with
// the environment fallbacks applied.
func defaultConfig(getenv func(string) string) *connConfig {
	c := &connConfig{SSL: true, CheckHostname: true, VerifyCert: true}
	for _, k := range envFallbacks {
		v := getenv("imapclient_" + k)
		if v == "" {
			v = getenv("IMAPCLIENT_" + strings.ToUpper(k))
		}
		if v != "" {
			c.set(k, v) // string keys: cannot fail
		}
	}
	return c
}

// set assigns one key from its text, with configparser's conversions.
func (c *connConfig) set(key, v string) error {
	var err error
	switch key {
	case "host":
		c.Host = v
	case "port":
		if v == "" {
			c.Port = 0
			break
		}
		c.Port, err = strconv.Atoi(v)
		if err == nil && (c.Port <= 0 || c.Port > 65535) {
			err = errors.New("out of range")
		}
	case "ssl":
		c.SSL, err = parseBool(v)
	case "starttls":
		c.StartTLS, err = parseBool(v)
	case "ssl_check_hostname":
		c.CheckHostname, err = parseBool(v)
	case "ssl_verify_cert":
		c.VerifyCert, err = parseBool(v)
	case "ssl_ca_file":
		c.CAFile = expandUser(v)
	case "timeout":
		c.Timeout, err = parseSeconds(v)
	case "username":
		c.Username = v
	case "password":
		c.Password = v
	case "stream":
		var on bool
		on, err = parseBool(v)
		if err == nil && on {
			err = errors.New("stream connections are not supported by imapsh")
		}
	case "oauth2":
		c.OAuth2, err = parseBool(v)
	case "oauth2_client_id":
		c.OAuth2ClientID = v
	case "oauth2_client_secret":
		c.OAuth2ClientSecret = v
	case "oauth2_refresh_token":
		c.OAuth2RefreshToken = v
	case "oauth2_access_token":
		c.OAuth2AccessToken = v
	case "expect_failure":
		c.ExpectFailure = v
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	if err != nil {
		return fmt.Errorf("%s = %q: %v", key, v, err)
	}
	return nil
}

// parseBool accepts what Python's configparser accepts.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, errors.New("not a boolean (use true/false, yes/no, on/off, 1/0)")
}

// parseSeconds reads a timeout in seconds (a float, as IMAPClient does) or
// a Go duration ("30s"). Empty means none.
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 {
			return 0, errors.New("negative timeout")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, errors.New("not a number of seconds")
	}
	return d, nil
}

func expandUser(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// iniFile is a parsed INI file in Python configparser's dialect.
type iniFile struct {
	defaults map[string]string
	sections []iniSection
}

type iniSection struct {
	name   string
	values map[string]string
}

// parseINI parses configparser's syntax: [section] headers, "key = value"
// or "key: value" lines (keys case-insensitive), full-line comments
// starting with # or ;, and indented continuation lines. Values in
// [DEFAULT] apply to every section.
func parseINI(text string) (*iniFile, error) {
	f := &iniFile{defaults: map[string]string{}}
	var cur map[string]string
	var lastKey string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		line := strings.TrimSpace(raw)
		if line == "" {
			lastKey = ""
			continue
		}
		if line[0] == '#' || line[0] == ';' {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if cur != nil && lastKey != "" {
				cur[lastKey] += "\n" + line
				continue
			}
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated section header", n)
			}
			name := line[1:end]
			if name == "DEFAULT" {
				cur = f.defaults
			} else {
				for _, s := range f.sections {
					if s.name == name {
						return nil, fmt.Errorf("line %d: section [%s] repeated", n, name)
					}
				}
				f.sections = append(f.sections, iniSection{name: name, values: map[string]string{}})
				cur = f.sections[len(f.sections)-1].values
			}
			lastKey = ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: key outside a section (start with [DEFAULT])", n)
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("line %d: expected key = value", n)
		}
		key := strings.ToLower(strings.TrimSpace(line[:i]))
		cur[key] = strings.TrimSpace(line[i+1:])
		lastKey = key
	}
	return f, sc.Err()
}

// section returns the values of a section with the defaults filled in
// and %(name)s interpolation done, as configparser's BasicInterpolation.
func (f *iniFile) section(name string) (map[string]string, error) {
	merged := map[string]string{}
	for k, v := range f.defaults {
		merged[k] = v
	}
	if name != "DEFAULT" {
		for _, s := range f.sections {
			if s.name == name {
				for k, v := range s.values {
					merged[k] = v
				}
			}
		}
	}
	out := make(map[string]string, len(merged))
	for k := range merged {
		v, err := interpolate(merged, k, 0)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func interpolate(vals map[string]string, key string, depth int) (string, error) {
	if depth > 10 {
		return "", fmt.Errorf("%s: interpolation too deep (a loop of %%(name)s references?)", key)
	}
	v := vals[key]
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		switch {
		case i+1 < len(v) && v[i+1] == '%':
			b.WriteByte('%')
			i++
		case i+1 < len(v) && v[i+1] == '(':
			end := strings.Index(v[i:], ")s")
			if end < 0 {
				return "", fmt.Errorf("%s: bad interpolation syntax in %q", key, v)
			}
			ref := strings.ToLower(v[i+2 : i+end])
			if _, ok := vals[ref]; !ok {
				return "", fmt.Errorf("%s: %%(%s)s refers to a missing key", key, ref)
			}
			sub, err := interpolate(vals, ref, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(sub)
			i += end + 1
		default:
			return "", fmt.Errorf("%s: '%%' must be followed by '%%' or '(' (write %%%% for a percent sign)", key)
		}
	}
	return b.String(), nil
}

// loadConfigFile applies an INI file to c: its [DEFAULT] section, or its
// first section when it has no [DEFAULT] values, as IMAPClient's
// parse_config_file reads DEFAULT.
func loadConfigFile(c *connConfig, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := parseINI(string(data))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	name := "DEFAULT"
	if len(f.defaults) == 0 {
		if len(f.sections) == 0 {
			return fmt.Errorf("%s: no [DEFAULT] section", path)
		}
		name = f.sections[0].name
	}
	vals, err := f.section(name)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if name == "DEFAULT" && vals["expect_failure"] != "" {
		return fmt.Errorf("%s: expect_failure should not be set for the DEFAULT section", path)
	}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if !configKeys[k] {
			return fmt.Errorf("%s: [%s]: unknown key %q", path, name, k)
		}
		// An empty value means "not given" for the keys that default to
		// the environment, as in IMAPClient where the environment is the
		// parser's default.
		if vals[k] == "" && isEnvKey(k) {
			continue
		}
		if err := c.set(k, vals[k]); err != nil {
			return fmt.Errorf("%s: [%s]: %w", path, name, err)
		}
	}
	if c.Host == "" {
		return fmt.Errorf("%s: [%s]: no host", path, name)
	}
	return nil
}

func isEnvKey(k string) bool {
	for _, e := range envFallbacks {
		if e == k {
			return true
		}
	}
	return false
}
