package sasl

import "testing"

func TestXOAuth2Vendor(t *testing.T) {
	m := NewXOAuth2Vendor("user@example.com", "ya29.tok", "Example")
	ir, ok, err := m.Start()
	if err != nil || !ok {
		t.Fatal(err)
	}
	want := "user=user@example.com\x01auth=Bearer ya29.tok\x01vendor=Example\x01\x01"
	if string(ir) != want {
		t.Fatalf("got %q want %q", ir, want)
	}
	if _, _, err := NewXOAuth2Vendor("u", "t", "bad vendor").Start(); err == nil {
		t.Fatal("vendor with a space accepted")
	}
}
