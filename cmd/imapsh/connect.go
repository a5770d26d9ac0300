package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/imapclient-go/imapclient"
)

const logoutTimeout = 3 * time.Second

// tlsConfig builds the TLS settings from IMAPClient's keys: verification
// on by default, ssl_ca_file added to the system roots, ssl_verify_cert
// false (--insecure) for none, ssl_check_hostname false for a verified
// chain whatever the name.
func (c *connConfig) tlsConfig() (*tls.Config, error) {
	if c.TLSConfig != nil {
		return c.TLSConfig, nil
	}
	host := c.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	cfg := imapclient.DefaultTLSConfig(host)
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ssl_ca_file: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ssl_ca_file %s: no PEM certificate in it", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case !c.VerifyCert:
		cfg.InsecureSkipVerify = true
	case !c.CheckHostname:
		// Verify the chain but not the name: Go has no switch for that,
		// so verification is done here.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, ic := range cs.PeerCertificates[1:] {
				inter.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return cfg, nil
}

// clientOptions returns the options of Dial for the configuration.
func (s *shell) clientOptions() (*imapclient.Options, error) {
	c := s.cfg
	o := &imapclient.Options{
		Port:            c.Port,
		ConnectTimeout:  c.Timeout,
		ReadTimeout:     c.Timeout,
		Logger:          s.logger,
		SequenceNumbers: !s.useUID,
		OnUpdate:        s.onUpdate,
	}
	switch {
	case c.StartTLS:
		o.Security = imapclient.StartTLS
	case c.SSL:
		o.Security = imapclient.ImplicitTLS
	default:
		o.Security = imapclient.Plaintext
		o.AllowInsecureAuth = true
	}
	if o.Security != imapclient.Plaintext {
		cfg, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		o.TLSConfig = cfg
	}
	return o, nil
}

// connect dials and logs in as configured.
func (s *shell) connect(ctx context.Context) error {
	opts, err := s.clientOptions()
	if err != nil {
		return err
	}
	if opts.Security == imapclient.Plaintext && s.cfg.Username != "" && !isLoopback(s.cfg.Host) && !s.opts.json {
		s.p.note("warning: no TLS: the password travels in clear text")
	}
	c, err := imapclient.Dial(ctx, s.cfg.Host, opts)
	if err != nil {
		return err
	}
	if err := s.login(ctx, c); err != nil {
		c.Close()
		return err
	}
	s.c = c
	if s.interactive {
		s.refreshFolders(ctx)
	}
	return nil
}

func (s *shell) login(ctx context.Context, c *imapclient.Client) error {
	cfg := s.cfg
	switch {
	case cfg.OAuth2:
		if cfg.Username == "" {
			return errors.New("oauth2 needs a username")
		}
		if cfg.OAuth2AccessToken != "" {
			return c.OAuth2Login(ctx, cfg.Username, cfg.OAuth2AccessToken)
		}
		if cfg.OAuth2RefreshToken != "" {
			return errors.New("oauth2: a refresh token must be exchanged for an access token at the provider's token endpoint, which imapsh does not call; " +
				"get an access token yourself and give it as oauth2_access_token (or imapclient_oauth2_access_token in the environment)")
		}
		return errors.New("oauth2: no token: set oauth2_access_token (or imapclient_oauth2_access_token in the environment)")
	case cfg.Username != "":
		return c.Login(ctx, cfg.Username, cfg.Password)
	}
	return nil // no credentials: stay unauthenticated (or PREAUTH)
}

func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// onUpdate shows what the server says on its own: alerts and goodbyes
// always, mailbox changes in interactive sessions.
func (s *shell) onUpdate(u imapclient.Update) {
	switch u := u.(type) {
	case *imapclient.StatusUpdate:
		switch {
		case u.IsAlert():
			s.p.note("server alert: %s", u.Status.Text)
		case u.Status.Type == "BYE" && !s.closing.Load():
			s.p.note("server says goodbye: %s", u.Status.Text)
		}
	case *imapclient.ExistsUpdate:
		if s.interactive {
			s.p.note("(%d messages in the folder now)", u.Count)
		}
	case *imapclient.ExpungeUpdate:
		if s.interactive {
			s.p.note("(message %d was expunged)", u.SeqNum)
		}
	}
}

// refreshFolders reloads the folder names used by tab completion.
func (s *shell) refreshFolders(ctx context.Context) {
	if s.c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	fs, err := s.c.ListFolders(ctx, "", "*")
	if err != nil {
		return
	}
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, f.Name)
	}
	s.folders = names
}

func cmdReconnect(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	s.dropConnection()
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	return message{"connected to " + s.cfg.Host}, nil
}

func onOff(cl *cmdLine, cur bool) (bool, error) {
	if len(cl.args) == 0 {
		return cur, nil
	}
	switch cl.args[0] {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, &usageError{msg: fmt.Sprintf("%q is neither on nor off", cl.args[0])}
}

func cmdTrace(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	on, err := onOff(cl, s.trace.Level() == slog.LevelDebug)
	if err != nil {
		return nil, err
	}
	if on {
		s.trace.Set(slog.LevelDebug)
	} else {
		s.trace.Set(slog.LevelInfo)
	}
	return stateResult{Name: "trace", On: on}, nil
}

func cmdUID(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	on, err := onOff(cl, s.useUID)
	if err != nil {
		return nil, err
	}
	s.useUID = on
	if s.c != nil {
		s.c.SetUseUID(on)
	}
	return stateResult{Name: "uid", On: on}, nil
}

type stateResult struct {
	Name string `json:"setting"`
	On   bool   `json:"on"`
}

func (r stateResult) String() string {
	if r.On {
		return r.Name + " on"
	}
	return r.Name + " off"
}
