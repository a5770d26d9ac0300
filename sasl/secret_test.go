package sasl

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"testing"
)

// Compile-time checks of the optional interfaces.
var (
	_ Finisher            = (*scram)(nil)
	_ Verifier            = (*scram)(nil)
	_ ServerErrorReporter = (*xoauth2)(nil)
	_ ServerErrorReporter = (*oauthBearer)(nil)
)

const (
	testPassword = "Sup3r-Secret-Pa55"
	testToken    = "ya29.SECRET-TOKEN-value"
)

func allMechanisms() []Mechanism {
	return []Mechanism{
		NewPlain("", "user", testPassword),
		NewLogin("user", testPassword),
		NewXOAuth2("user", testToken),
		NewOAuthBearer("user", "imap.example.com", 993, testToken),
		NewScramSHA1("user", testPassword),
		NewScramSHA256("user", testPassword),
	}
}

func TestAllResponsesSecret(t *testing.T) {
	for _, m := range allMechanisms() {
		s, ok := m.(Secret)
		if !ok || !s.SecretResponses() {
			t.Errorf("%s: does not report its responses as secret", m.Name())
		}
	}
}

func TestFormattingHidesCredentials(t *testing.T) {
	for _, m := range allMechanisms() {
		if _, _, err := m.Start(); err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			got := fmt.Sprintf(verb, m)
			if want := "sasl.Mechanism(" + m.Name() + ")"; got != want {
				t.Errorf("Sprintf(%q, %s) = %q, want %q", verb, m.Name(), got, want)
			}
		}
	}
}

// TestErrorsHideCredentials drives every mechanism into as many failures
// as possible and checks that no error text contains a credential.
func TestErrorsHideCredentials(t *testing.T) {
	var errs []error
	collect := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	start := func(m Mechanism) {
		_, _, err := m.Start()
		collect(nil, err)
	}
	secrets := []string{testPassword, testToken}

	// Invalid credentials that still contain the secret.
	for _, m := range []Mechanism{
		NewPlain("", "user", testPassword+"\x00"),
		NewPlain("", "", testPassword),
		NewLogin("user", testPassword+"\n"),
		NewXOAuth2("user", testToken+" x"),
		NewXOAuth2("", testToken),
		NewOAuthBearer("user", "host", 0, testToken+"\x01"),
		NewOAuthBearer("user", "host", 70000, testToken),
		NewScramSHA256("user", testPassword+"\x7f"),
		NewScramSHA256("", testPassword),
	} {
		start(m)
	}

	// Protocol failures after a valid start.
	for _, m := range allMechanisms() {
		start(m)
		for range 3 {
			collect(m.Next([]byte("e=bad,r=x")))
		}
		if f, ok := m.(Finisher); ok {
			collect(nil, f.Finish(nil))
		}
	}
	for _, final := range []string{"v=AAAA", "e=invalid-proof", "junk"} {
		m := newScram("SCRAM-SHA-1", sha1.New, "user", testPassword, "abc")
		start(m)
		collect(m.Next([]byte("r=abcdef,s=QSXCR+Q6sek8bf92,i=1")))
		collect(m.Next([]byte(final)))
	}

	if len(errs) < 20 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	for _, err := range errs {
		if _, ok := err.(*Error); !ok {
			t.Errorf("error %q has type %T, want *Error", err, err)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains a secret", err)
			}
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Mechanism: "PLAIN", Msg: "empty password"}
	if got, want := e.Error(), "sasl: PLAIN: empty password"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestQuoteServer(t *testing.T) {
	if got, want := quoteServer("a\"b\x00c\\d\xff"), `"a?b?c?d?"`; got != want {
		t.Errorf("quoteServer = %s, want %s", got, want)
	}
	if got := quoteServer(strings.Repeat("x", 500)); len(got) != 100+len(`"..."`) {
		t.Errorf("quoteServer did not truncate: %d bytes", len(got))
	}
}
