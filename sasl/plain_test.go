package sasl

import (
	"strings"
	"testing"
)

func TestPlain(t *testing.T) {
	tests := []struct {
		name                        string
		authzid, username, password string
		want                        string
	}{
		// RFC 4616 section 4 examples.
		{"no authzid", "", "tim", "tanstaaftanstaaf", "\x00tim\x00tanstaaftanstaaf"},
		{"authzid", "Ursel", "Kurt", "xipj3plmq", "Ursel\x00Kurt\x00xipj3plmq"},
		// Non-ASCII text passes through unchanged as UTF-8.
		{"utf8 password", "", "user", "pässwörd€", "\x00user\x00p\xc3\xa4ssw\xc3\xb6rd\xe2\x82\xac"},
		{"utf8 all fields", "zoë", "jürgen", "日本", "zo\xc3\xab\x00j\xc3\xbcrgen\x00\xe6\x97\xa5\xe6\x9c\xac"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewPlain(tt.authzid, tt.username, tt.password)
			if m.Name() != "PLAIN" {
				t.Errorf("Name() = %q", m.Name())
			}
			ir, hasIR, err := m.Start()
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if !hasIR {
				t.Error("hasIR = false, want true")
			}
			if string(ir) != tt.want {
				t.Errorf("ir = %q, want %q", ir, tt.want)
			}
			if _, err := m.Next(nil); err == nil {
				t.Error("Next after PLAIN message: want error")
			}
			if _, _, err := m.Start(); err == nil {
				t.Error("second Start: want error")
			}
		})
	}
}

func TestPlainRejects(t *testing.T) {
	tests := []struct {
		name                        string
		authzid, username, password string
		wantMsg                     string
	}{
		{"NUL in authzid", "a\x00b", "user", "pass", "authorization identity contains NUL"},
		{"NUL in username", "", "us\x00er", "pass", "username contains NUL"},
		{"NUL in password", "", "user", "pa\x00ss", "password contains NUL"},
		{"empty username", "", "", "pass", "empty username"},
		{"empty password", "", "user", "", "empty password"},
		{"invalid UTF-8", "", "user", "pa\xffss", "password is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ir, _, err := NewPlain(tt.authzid, tt.username, tt.password).Start()
			if err == nil {
				t.Fatalf("Start = %q, want error", ir)
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error type %T, want *Error", err)
			}
			if e.Mechanism != "PLAIN" || e.Msg != tt.wantMsg {
				t.Errorf("error = %+v, want Msg %q", e, tt.wantMsg)
			}
			if tt.password != "" && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}
