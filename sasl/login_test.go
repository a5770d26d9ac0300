package sasl

import "testing"

func TestLogin(t *testing.T) {
	m := NewLogin("tim", "tanstaaf")
	if m.Name() != "LOGIN" {
		t.Errorf("Name() = %q", m.Name())
	}
	if _, err := m.Next([]byte("Username:")); err == nil {
		t.Error("Next before Start: want error")
	}
	ir, hasIR, err := m.Start()
	if err != nil || hasIR || ir != nil {
		t.Fatalf("Start = %q, %v, %v; want no initial response", ir, hasIR, err)
	}
	// Answers go by order, whatever the challenge text says.
	for _, step := range []struct{ challenge, want string }{
		{"Username:", "tim"},
		{"Passwort:", "tanstaaf"},
	} {
		resp, err := m.Next([]byte(step.challenge))
		if err != nil {
			t.Fatalf("Next(%q): %v", step.challenge, err)
		}
		if string(resp) != step.want {
			t.Errorf("Next(%q) = %q, want %q", step.challenge, resp, step.want)
		}
	}
	if _, err := m.Next([]byte("Something:")); err == nil {
		t.Error("third challenge: want error")
	}
}

func TestLoginRejects(t *testing.T) {
	for _, c := range []struct{ user, pass string }{
		{"", "pass"},
		{"user", ""},
		{"user\r\nA1 LOGOUT", "pass"},
		{"user", "pa\nss"},
		{"user", "pa\xffss"},
	} {
		m := NewLogin(c.user, c.pass)
		if _, _, err := m.Start(); err == nil {
			t.Errorf("Start(%q, %q): want error", c.user, c.pass)
		}
		if _, err := m.Next([]byte("Username:")); err == nil {
			t.Errorf("Next after failed Start(%q, %q): want error", c.user, c.pass)
		}
	}
}
