package sasl

import "testing"

const testJSONError = `{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}`

func TestXOAuth2(t *testing.T) {
	m := NewXOAuth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
	if m.Name() != "XOAUTH2" {
		t.Errorf("Name() = %q", m.Name())
	}
	ir, hasIR, err := m.Start()
	if err != nil {
		t.Fatal(err)
	}
	want := "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
	if !hasIR || string(ir) != want {
		t.Errorf("Start = %q, %v; want %q, true", ir, hasIR, want)
	}
	r := m.(ServerErrorReporter)
	if r.ServerError() != "" {
		t.Errorf("ServerError before challenge = %q", r.ServerError())
	}
	resp, err := m.Next([]byte(testJSONError))
	if err != nil {
		t.Fatal(err)
	}
	if resp == nil || len(resp) != 0 {
		t.Errorf("response to error challenge = %#v, want empty non-nil", resp)
	}
	if r.ServerError() != testJSONError {
		t.Errorf("ServerError() = %q", r.ServerError())
	}
	if _, err := m.Next([]byte("again")); err == nil {
		t.Error("second challenge: want error")
	}
}

func TestXOAuth2Rejects(t *testing.T) {
	for _, c := range []struct{ user, token string }{
		{"", "tok"},
		{"user\x01auth=x", "tok"},
		{"user", ""},
		{"user", "to\x01ken"},
		{"user", "to ken"},
		{"user", "tök"},
	} {
		m := NewXOAuth2(c.user, c.token)
		if ir, _, err := m.Start(); err == nil {
			t.Errorf("Start(%q, %q) = %q, want error", c.user, c.token, ir)
		}
		if _, err := m.Next([]byte("{}")); err == nil {
			t.Errorf("Next after failed Start(%q, %q): want error", c.user, c.token)
		}
	}
}

func TestOAuthBearer(t *testing.T) {
	tests := []struct {
		name, user, host string
		port             int
		token, want      string
	}{
		// RFC 7628 section 4.1.
		{"rfc", "user@example.com", "server.example.com", 143, "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==",
			"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\x01\x01"},
		{"no host or port", "user@example.com", "", 0, "tok",
			"n,a=user@example.com,\x01auth=Bearer tok\x01\x01"},
		{"host only", "user@example.com", "imap.example.com", 0, "tok",
			"n,a=user@example.com,\x01host=imap.example.com\x01auth=Bearer tok\x01\x01"},
		{"port only", "user@example.com", "", 993, "tok",
			"n,a=user@example.com,\x01port=993\x01auth=Bearer tok\x01\x01"},
		{"no user", "", "imap.example.com", 993, "tok",
			"n,,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"},
		{"escaped user", "a=b,c", "", 0, "tok",
			"n,a=a=3Db=2Cc,\x01auth=Bearer tok\x01\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewOAuthBearer(tt.user, tt.host, tt.port, tt.token)
			if m.Name() != "OAUTHBEARER" {
				t.Errorf("Name() = %q", m.Name())
			}
			ir, hasIR, err := m.Start()
			if err != nil {
				t.Fatal(err)
			}
			if !hasIR || string(ir) != tt.want {
				t.Errorf("Start = %q, %v; want %q, true", ir, hasIR, tt.want)
			}
		})
	}
}

func TestOAuthBearerErrorChallenge(t *testing.T) {
	m := NewOAuthBearer("user@example.com", "server.example.com", 143, "tok")
	if _, _, err := m.Start(); err != nil {
		t.Fatal(err)
	}
	resp, err := m.Next([]byte(testJSONError))
	if err != nil {
		t.Fatal(err)
	}
	// RFC 7628 section 3.2.3: the client answers with a single 0x01.
	if string(resp) != "\x01" {
		t.Errorf("response = %q, want %q", resp, "\x01")
	}
	if got := m.(ServerErrorReporter).ServerError(); got != testJSONError {
		t.Errorf("ServerError() = %q", got)
	}
	if _, err := m.Next([]byte("again")); err == nil {
		t.Error("second challenge: want error")
	}
}

func TestOAuthBearerRejects(t *testing.T) {
	for _, c := range []struct {
		user, host string
		port       int
		token      string
	}{
		{"user", "", 0, ""},
		{"user", "", 0, "to\x01ken"},
		{"us\x01er", "", 0, "tok"},
		{"us\xffer", "", 0, "tok"},
		{"user", "ho\x01st", 0, "tok"},
		{"user", "ho st", 0, "tok"},
		{"user", "host", -1, "tok"},
		{"user", "host", 65536, "tok"},
	} {
		m := NewOAuthBearer(c.user, c.host, c.port, c.token)
		if ir, _, err := m.Start(); err == nil {
			t.Errorf("Start(%q, %q, %d, %q) = %q, want error", c.user, c.host, c.port, c.token, ir)
		}
	}
}
