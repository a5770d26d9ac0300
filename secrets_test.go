package imapclient_test

// Secrets: passwords, tokens and AUTHENTICATE payloads never appear in the
// protocol log (a debug slog handler writing to a buffer), in error
// strings, or in the %v, %+v, %#v, %s and %q formatting of errors and of
// the SASL mechanisms, whatever the mechanism (LOGIN as atom, quoted string
// and literal; PLAIN; XOAUTH2; OAUTHBEARER; SCRAM-SHA-1 and SCRAM-SHA-256)
// and whatever the outcome (success, the server's NO, a refusal before
// sending, a server that fails SCRAM verification, a lost connection).

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
	"github.com/imapclient-go/imapclient/sasl"
)

const secretCaps = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=SCRAM-SHA-1 AUTH=SCRAM-SHA-256"

// secretLog is a debug logger writing to a buffer.
type secretLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *secretLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *secretLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// secretForms returns the forms in which a secret could leak: as it is,
// Go-quoted (slog's text handler quotes values), IMAP-quoted, and the
// base64 of the SASL messages that carry it.
func secretVariants(secret string, saslMessages ...string) []string {
	forms := []string{secret, strconv.Quote(secret), strings.Trim(strconv.Quote(secret), `"`),
		strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(secret)}
	for _, m := range saslMessages {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(m)))
	}
	return forms
}

// secretOutcome is how the fake server ends an authentication.
type secretOutcome int

const (
	secretOK     secretOutcome = iota // tagged OK
	secretNO                          // tagged NO (for OAuth after an error challenge)
	secretHangUp                      // the connection is cut before the answer
	secretForged                      // SCRAM: OK with a wrong server signature
)

func (o secretOutcome) String() string {
	return [...]string{"success", "NO", "hang-up", "forged server"}[o]
}

// secretServer answers LOGIN and AUTHENTICATE as outcome says, playing the
// server side of SCRAM for password; it records nothing else of interest.
func secretServer(outcome secretOutcome, password string) func(p *fakeserver.Peer, cmd injCmd) error {
	return func(p *fakeserver.Peer, cmd injCmd) error {
		f := strings.Fields(cmd.lines[0])
		tag, name := f[0], strings.ToUpper(f[1])
		ok := tag + " OK [CAPABILITY IMAP4rev1] done"
		no := tag + " NO [AUTHENTICATIONFAILED] Authentication failed."
		if name != "LOGIN" && name != "AUTHENTICATE" {
			return p.WriteLine(tag + " OK done")
		}
		if outcome == secretHangUp {
			return errors.New("hang up")
		}
		mech := ""
		if name == "AUTHENTICATE" {
			mech = strings.ToUpper(f[2])
		}
		switch {
		case strings.HasPrefix(mech, "SCRAM-"):
			newHash := sha256.New
			if mech == "SCRAM-SHA-1" {
				newHash = sha1.New
			}
			ir, err := base64.StdEncoding.DecodeString(f[3])
			if err != nil {
				return err
			}
			return scramServe(p, newHash, password, string(ir), outcome, ok, no)
		case outcome == secretNO && (mech == "XOAUTH2" || mech == "OAUTHBEARER"):
			// The OAuth error challenge, answered with an empty line.
			if err := p.WriteLine("+ " + base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer"}`))); err != nil {
				return err
			}
			if _, err := p.ReadLine(); err != nil {
				return err
			}
			return p.WriteLine(no)
		case outcome == secretNO:
			return p.WriteLine(no)
		}
		return p.WriteLine(ok)
	}
}

// scramServe plays the server side of SCRAM (RFC 5802 section 3) after
// the client-first-message clientFirst.
func scramServe(p *fakeserver.Peer, newHash func() hash.Hash, password, clientFirst string, outcome secretOutcome, ok, no string) error {
	bare := strings.TrimPrefix(clientFirst, "n,,")
	_, cnonce, _ := strings.Cut(bare, ",r=")
	salt := []byte("NaCl-for-secrets")
	serverFirst := "r=" + cnonce + "srvnonce,s=" + base64.StdEncoding.EncodeToString(salt) + ",i=4096"
	if err := p.WriteLine("+ " + base64.StdEncoding.EncodeToString([]byte(serverFirst))); err != nil {
		return err
	}
	line, err := p.ReadLine()
	if err != nil {
		return err
	}
	clientFinal, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return err
	}
	withoutProof, _, _ := strings.Cut(string(clientFinal), ",p=")
	if outcome == secretNO {
		return p.WriteLine(no)
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(newHash, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	salted, err := pbkdf2.Key(newHash, password, salt, 4096, newHash().Size())
	if err != nil {
		return err
	}
	sig := mac(mac(salted, "Server Key"), bare+","+serverFirst+","+withoutProof)
	if outcome == secretForged {
		sig[0] ^= 0xff
	}
	if err := p.WriteLine("+ " + base64.StdEncoding.EncodeToString([]byte("v="+base64.StdEncoding.EncodeToString(sig)))); err != nil {
		return err
	}
	if _, err := p.ReadLine(); err != nil { // the empty response, or "*"
		return err
	}
	return p.WriteLine(ok)
}

// secretCase is one authentication to check.
type secretCase struct {
	name    string
	secrets []string // the secret values (password, token)
	payload func(rec []injCmd) []string
	mech    func() sasl.Mechanism // nil for LOGIN
	login   func(ctx context.Context, c *imapclient.Client) error
}

func TestSecretsNeverShown(t *testing.T) {
	const (
		atomPW    = "Hunter2Secret"
		quotedPW  = `hunter 2 "secret" \pw`
		literalPW = "pässwörd-secret\r\nline2"
		plainPW   = "plain-Secret-pw"
		token     = "ya29.SecretTokenValue-abc_DEF"
		scramPW   = "scram-Secret-pw"
	)
	// authPayloads returns the AUTHENTICATE messages the server received
	// (the initial response and every line after the command), decoded.
	cases := []secretCase{
		{name: "LOGIN atom", secrets: []string{atomPW}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.Login(ctx, "alice", atomPW)
		}},
		{name: "LOGIN quoted", secrets: []string{quotedPW}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.Login(ctx, "alice", quotedPW)
		}},
		{name: "LOGIN literal", secrets: []string{literalPW, "pässwörd-secret", "line2"}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.Login(ctx, "alice", literalPW)
		}},
		{name: "PLAIN", secrets: []string{plainPW}, mech: func() sasl.Mechanism { return sasl.NewPlain("", "alice", plainPW) }},
		{name: "PLAIN (PlainLogin)", secrets: []string{plainPW}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.PlainLogin(ctx, "alice", plainPW, "")
		}},
		{name: "XOAUTH2", secrets: []string{token}, mech: func() sasl.Mechanism { return sasl.NewXOAuth2("alice", token) }},
		{name: "XOAUTH2 (OAuth2Login)", secrets: []string{token}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.OAuth2Login(ctx, "alice", token)
		}},
		{name: "OAUTHBEARER", secrets: []string{token}, mech: func() sasl.Mechanism { return sasl.NewOAuthBearer("alice", "localhost", 143, token) }},
		{name: "OAUTHBEARER (OAuthBearerLogin)", secrets: []string{token}, login: func(ctx context.Context, c *imapclient.Client) error {
			return c.OAuthBearerLogin(ctx, "alice", token)
		}},
		{name: "SCRAM-SHA-1", secrets: []string{scramPW}, mech: func() sasl.Mechanism { return sasl.NewScramSHA1("alice", scramPW) }},
		{name: "SCRAM-SHA-256", secrets: []string{scramPW}, mech: func() sasl.Mechanism { return sasl.NewScramSHA256("alice", scramPW) }},
	}
	for _, tc := range cases {
		outcomes := []secretOutcome{secretOK, secretNO, secretHangUp}
		if strings.HasPrefix(tc.name, "SCRAM") {
			outcomes = append(outcomes, secretForged)
		}
		for _, outcome := range outcomes {
			t.Run(tc.name+"/"+outcome.String(), func(t *testing.T) {
				secretRun(t, tc, outcome)
			})
		}
	}
}

func secretRun(t *testing.T, tc secretCase, outcome secretOutcome) {
	var log secretLog
	rec := &injRecorder{}
	password := ""
	if len(tc.secrets) > 0 {
		password = tc.secrets[0]
	}
	nc := fakeserver.Start(t, fakeserver.S("* OK [CAPABILITY "+secretCaps+"] ready"), injServeWith(rec, secretServer(outcome, password)), fakeserver.Close())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := imapclient.New(ctx, nc, &imapclient.Options{AllowInsecureAuth: true,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })

	var mech sasl.Mechanism
	if tc.mech != nil {
		mech = tc.mech()
		err = c.Authenticate(ctx, mech)
	} else {
		err = tc.login(ctx, c)
	}
	switch outcome {
	case secretOK:
		if err != nil {
			t.Fatalf("authentication failed: %v", err)
		}
	case secretNO, secretForged:
		var le *imapclient.LoginError
		if !errors.As(err, &le) {
			t.Fatalf("got %v, want a *LoginError", err)
		}
	case secretHangUp:
		if !errors.Is(err, imapclient.ErrAbort) {
			t.Fatalf("got %v, want ErrAbort", err)
		}
	}

	// Everything that carried a secret on the wire: the command lines and
	// literals, and for AUTHENTICATE every client message, in base64 as
	// sent and decoded.
	cmds, _ := rec.snapshot()
	var wire []string
	for _, cmd := range cmds {
		f := strings.Fields(cmd.lines[0])
		if len(f) < 2 {
			continue
		}
		switch strings.ToUpper(f[1]) {
		case "LOGIN":
			for _, lit := range cmd.lits {
				wire = append(wire, string(lit.data))
			}
			wire = append(wire, strings.Join(f[2:], " "))
		case "AUTHENTICATE":
			if len(f) > 3 {
				wire = append(wire, f[3])
				if ir, err := base64.StdEncoding.DecodeString(f[3]); err == nil {
					wire = append(wire, string(ir))
				}
			}
		}
	}
	var forms []string
	for _, s := range tc.secrets {
		forms = append(forms, secretVariants(s)...)
	}
	for _, w := range wire {
		if len(w) > 8 { // an empty or trivial message gives nothing away
			forms = append(forms, w)
		}
	}
	if outcome != secretHangUp && len(wire) == 0 {
		t.Fatalf("the server saw no credentials; commands: %v", cmds)
	}

	shown := map[string]string{
		"log":   log.String(),
		"error": secretErrorForms(err),
	}
	if mech != nil {
		shown["mechanism"] = fmt.Sprintf("%v %+v %#v %s %q %x", mech, mech, mech, mech, mech, mech)
	}
	shown["client"] = fmt.Sprintf("%v %+v", c, c)
	for where, text := range shown {
		for _, f := range forms {
			if f != "" && strings.Contains(text, f) {
				t.Errorf("the %s shows a secret (%q):\n%s", where, f, text)
			}
		}
	}
	if !strings.Contains(log.String(), "[redacted") {
		t.Errorf("the log has no redaction mark; log:\n%s", log.String())
	}
}

// secretErrorForms formats err and every error in its chain with the
// usual verbs.
func secretErrorForms(err error) string {
	var b strings.Builder
	for _, e := range secretChain(err) {
		fmt.Fprintf(&b, "%v\n%+v\n%#v\n%s\n%q\n", e, e, e, e, e)
	}
	return b.String()
}

func secretChain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, secretChain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, secretChain(e)...)
		}
	}
	return out
}

// TestSecretsRefusedLocally: credentials a mechanism refuses before
// sending (NUL in a PLAIN password, a token with spaces, a password
// SASLprep prohibits) are not quoted in the error either.
func TestSecretsRefusedLocally(t *testing.T) {
	cases := []struct {
		name, secret string
		mech         sasl.Mechanism
	}{
		{"PLAIN NUL", "nul\x00Secret-pw", sasl.NewPlain("", "alice", "nul\x00Secret-pw")},
		{"XOAUTH2 bad token", "bad token Secret\r\n", sasl.NewXOAuth2("alice", "bad token Secret\r\n")},
		{"OAUTHBEARER bad token", "bearer\x01Secret", sasl.NewOAuthBearer("alice", "", 0, "bearer\x01Secret")},
		{"SCRAM prohibited", "pen\ue000cil-Secret", sasl.NewScramSHA256("alice", "pen\ue000cil-Secret")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log secretLog
			rec := &injRecorder{}
			nc := fakeserver.Start(t, fakeserver.S("* OK [CAPABILITY "+secretCaps+"] ready"), injServeWith(rec, secretServer(secretOK, "")))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := imapclient.New(ctx, nc, &imapclient.Options{AllowInsecureAuth: true,
				Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			err = c.Authenticate(ctx, tc.mech)
			if err == nil {
				t.Fatal("Authenticate accepted invalid credentials")
			}
			if cmds, _ := rec.snapshot(); len(cmds) > 1 { // the CAPABILITY at most
				t.Errorf("commands sent: %v", cmds)
			}
			text := secretErrorForms(err) + log.String() + fmt.Sprintf("%v %+v %#v", tc.mech, tc.mech, tc.mech)
			for _, f := range secretVariants(tc.secret, "Secret") {
				if strings.Contains(text, f) {
					t.Errorf("the error, log or mechanism shows %q:\n%s", f, text)
				}
			}
		})
	}
}
