package sasl

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"
	"testing"
)

// scramVector is a complete SCRAM exchange from an RFC.
type scramVector struct {
	name                     string
	mech                     string
	hash                     func() hash.Hash
	user, password, nonce    string
	clientFirst, serverFirst string
	clientFinal, serverFinal string
}

var scramVectors = []scramVector{
	{
		// RFC 5802 section 5.
		name: "RFC 5802", mech: "SCRAM-SHA-1", hash: sha1.New,
		user: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL",
		clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
		serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
		clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
		serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
	},
	{
		// RFC 7677 section 3.
		name: "RFC 7677", mech: "SCRAM-SHA-256", hash: sha256.New,
		user: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO",
		clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
		serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
	},
}

// startScram runs a vector's exchange up to the client-final-message.
func startScram(t *testing.T, v scramVector) *scram {
	t.Helper()
	m := newScram(v.mech, v.hash, v.user, v.password, v.nonce)
	if m.Name() != v.mech {
		t.Errorf("Name() = %q, want %q", m.Name(), v.mech)
	}
	ir, hasIR, err := m.Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !hasIR || string(ir) != v.clientFirst {
		t.Fatalf("client-first = %q, %v; want %q", ir, hasIR, v.clientFirst)
	}
	resp, err := m.Next([]byte(v.serverFirst))
	if err != nil {
		t.Fatalf("Next(server-first): %v", err)
	}
	if string(resp) != v.clientFinal {
		t.Fatalf("client-final = %q, want %q", resp, v.clientFinal)
	}
	if m.Verified() {
		t.Error("Verified() before server-final")
	}
	return m
}

func TestScramVectorsFinalAsChallenge(t *testing.T) {
	for _, v := range scramVectors {
		t.Run(v.name, func(t *testing.T) {
			m := startScram(t, v)
			resp, err := m.Next([]byte(v.serverFinal))
			if err != nil {
				t.Fatalf("Next(server-final): %v", err)
			}
			if resp == nil || len(resp) != 0 {
				t.Errorf("response to server-final = %#v, want empty non-nil", resp)
			}
			if !m.Verified() {
				t.Error("Verified() = false after server-final")
			}
			if err := m.Finish(nil); err != nil {
				t.Errorf("Finish(nil): %v", err)
			}
			// The same data repeated as additional data with success.
			if err := m.Finish([]byte(v.serverFinal)); err != nil {
				t.Errorf("Finish(server-final) again: %v", err)
			}
			if _, err := m.Next([]byte("v=xxxx")); err == nil {
				t.Error("challenge after server-final: want error")
			}
		})
	}
}

func TestScramVectorsFinalWithSuccess(t *testing.T) {
	for _, v := range scramVectors {
		t.Run(v.name, func(t *testing.T) {
			m := startScram(t, v)
			if err := m.Finish([]byte(v.serverFinal)); err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if !m.Verified() {
				t.Error("Verified() = false after Finish")
			}
		})
	}
}

func TestScramSuccessWithoutServerFinal(t *testing.T) {
	m := startScram(t, scramVectors[1])
	err := m.Finish(nil)
	if err == nil {
		t.Fatal("Finish(nil) without server signature: want error")
	}
	if m.Verified() {
		t.Error("Verified() = true")
	}
	// Success reported right after the client-first-message.
	m = newScram("SCRAM-SHA-256", sha256.New, "user", "pencil", "abc")
	if _, _, err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if err := m.Finish(nil); err == nil {
		t.Error("Finish before server-first: want error")
	}
}

func TestScramWrongServerSignature(t *testing.T) {
	v := scramVectors[0]
	bad := "v=" + base64.StdEncoding.EncodeToString(make([]byte, sha1.Size))
	for _, path := range []string{"challenge", "finish"} {
		t.Run(path, func(t *testing.T) {
			m := startScram(t, v)
			var err error
			if path == "challenge" {
				_, err = m.Next([]byte(bad))
			} else {
				err = m.Finish([]byte(bad))
			}
			if err == nil || !strings.Contains(err.Error(), "signature mismatch") {
				t.Fatalf("err = %v, want signature mismatch", err)
			}
			if m.Verified() {
				t.Error("Verified() = true")
			}
			if err := m.Finish(nil); err == nil {
				t.Error("Finish after failure: want error")
			}
			// Even the right signature is refused once failed.
			if err := m.Finish([]byte(v.serverFinal)); err == nil {
				t.Error("Finish(correct) after failure: want error")
			}
		})
	}
}

func TestScramServerFinalErrors(t *testing.T) {
	for _, tt := range []struct{ final, want string }{
		{"e=invalid-proof", `server error: "invalid-proof"`},
		{"e=other-error,x=1", `server error: "other-error"`},
		{"v=not base64!", "invalid verifier encoding"},
		{"", "missing verifier"},
		{"x=1,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "missing verifier"},
	} {
		m := startScram(t, scramVectors[0])
		_, err := m.Next([]byte(tt.final))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("server-final %q: err = %v, want %q", tt.final, err, tt.want)
		}
		if m.Verified() {
			t.Errorf("server-final %q: Verified() = true", tt.final)
		}
	}
}

func TestScramServerFirstErrors(t *testing.T) {
	const nonce = "fyko+d2lbbFgONRv9qkxdawL"
	const r = "r=" + nonce + "3rfcNHYJY1ZVvWVs7j"
	const s = "s=QSXCR+Q6sek8bf92"
	for _, tt := range []struct{ first, want string }{
		{"r=fyko+d2lbbFgONRv9qkxdawX3rfc," + s + ",i=4096", "nonce does not extend"},
		{"r=abc," + s + ",i=4096", "nonce does not extend"},
		{"r=" + nonce + "," + s + ",i=4096", "nonce does not extend"},
		{r + "\x7f," + s + ",i=4096", "invalid character in nonce"},
		{"e=unknown-user", `server error: "unknown-user"`},
		{"m=ext," + r + "," + s + ",i=4096", "mandatory extension"},
		{"", "missing nonce"},
		{s + ",i=4096", "missing nonce"},
		{r + ",i=4096", "missing salt"},
		{r + "," + s, "missing iteration count"},
		{r + "," + s + ",x=1", "missing iteration count"},
		{r + ",s=,i=4096", "invalid salt"},
		{r + ",s=!!!,i=4096", "invalid salt"},
		{r + "," + s + ",i=", "invalid iteration count"},
		{r + "," + s + ",i=-1", "invalid iteration count"},
		{r + "," + s + ",i=+5", "invalid iteration count"},
		{r + "," + s + ",i=4k", "invalid iteration count"},
		{r + "," + s + ",i=0", "out of range"},
		{r + "," + s + ",i=1000001", "out of range"},
		{r + "," + s + ",i=99999999999999999999999", "out of range"},
	} {
		m := newScram("SCRAM-SHA-1", sha1.New, "user", "pencil", nonce)
		if _, _, err := m.Start(); err != nil {
			t.Fatal(err)
		}
		resp, err := m.Next([]byte(tt.first))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("server-first %q: resp %q, err = %v, want %q", tt.first, resp, err, tt.want)
			continue
		}
		if _, err := m.Next([]byte("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")); err == nil {
			t.Errorf("server-first %q: Next after failure: want error", tt.first)
		}
	}
}

func TestScramIterationBounds(t *testing.T) {
	// The extremes of the accepted range, with extensions ignored.
	for _, first := range []string{
		"r=abcdef,s=QSXCR+Q6sek8bf92,i=1",
		"r=abcdef,s=QSXCR+Q6sek8bf92,i=1,x=ext",
	} {
		m := newScram("SCRAM-SHA-1", sha1.New, "user", "pencil", "abc")
		if _, _, err := m.Start(); err != nil {
			t.Fatal(err)
		}
		resp, err := m.Next([]byte(first))
		if err != nil || !strings.HasPrefix(string(resp), "c=biws,r=abcdef,p=") {
			t.Errorf("Next(%q) = %q, %v", first, resp, err)
		}
	}
}

func TestScramStartTwiceAndNextBeforeStart(t *testing.T) {
	m := newScram("SCRAM-SHA-1", sha1.New, "user", "pencil", "abc")
	if _, err := m.Next([]byte("r=abcd,s=QSXCR+Q6sek8bf92,i=1")); err == nil {
		t.Error("Next before Start: want error")
	}
	if _, _, err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Start(); err == nil {
		t.Error("second Start: want error")
	}
}

func TestScramRandomNonce(t *testing.T) {
	seen := map[string]bool{}
	for _, newMech := range []func(string, string) Mechanism{NewScramSHA1, NewScramSHA256, NewScramSHA256} {
		m := newMech("user", "pencil")
		ir, _, err := m.Start()
		if err != nil {
			t.Fatal(err)
		}
		nonce, ok := strings.CutPrefix(string(ir), "n,,n=user,r=")
		if !ok {
			t.Fatalf("client-first = %q", ir)
		}
		raw, err := base64.StdEncoding.DecodeString(nonce)
		if err != nil || len(raw) != scramNonceBytes {
			t.Errorf("nonce %q: %d bytes, %v", nonce, len(raw), err)
		}
		if seen[nonce] {
			t.Errorf("nonce %q repeated", nonce)
		}
		seen[nonce] = true
	}
}

func TestScramUsernameEscaping(t *testing.T) {
	m := newScram("SCRAM-SHA-256", sha256.New, "a=b,c", "pencil", "abc")
	ir, _, err := m.Start()
	if err != nil {
		t.Fatal(err)
	}
	if want := "n,,n=a=3Db=2Cc,r=abc"; string(ir) != want {
		t.Errorf("client-first = %q, want %q", ir, want)
	}
}

// clientFinalFor returns the client-final-message for the RFC 5802 vector
// with the given password.
func clientFinalFor(t *testing.T, password string) string {
	t.Helper()
	v := scramVectors[0]
	m := newScram(v.mech, v.hash, v.user, password, v.nonce)
	if _, _, err := m.Start(); err != nil {
		t.Fatalf("Start(%q): %v", password, err)
	}
	resp, err := m.Next([]byte(v.serverFirst))
	if err != nil {
		t.Fatal(err)
	}
	return string(resp)
}

func TestScramSASLprep(t *testing.T) {
	// RFC 4013 section 2.1 mappings: non-ASCII space to SPACE, soft
	// hyphen to nothing.
	if a, b := clientFinalFor(t, "pen\u00a0cil"), clientFinalFor(t, "pen cil"); a != b {
		t.Error("NO-BREAK SPACE not mapped to SPACE")
	}
	if a, b := clientFinalFor(t, "pen\u00adcil"), clientFinalFor(t, "pencil"); a != b {
		t.Error("SOFT HYPHEN not mapped to nothing")
	}
	if a, b := clientFinalFor(t, "pässwörd"), clientFinalFor(t, "passwörd"); a == b {
		t.Error("different non-ASCII passwords give the same proof")
	}
	for _, c := range []struct{ user, pass, want string }{
		{"user", "pen\ncil", "password contains a control character"},
		{"user", "pen\x00cil", "password contains a control character"},
		{"user", "pen\u0085cil", "password contains a control character"},
		{"user", "pen\ue000cil", "password contains a character prohibited by SASLprep"},
		{"user", "pen\u200ecil", "password contains a character prohibited by SASLprep"},
		{"user", "pen\xffcil", "password is not valid UTF-8"},
		{"us\ter", "pencil", "username contains a control character"},
		{"", "pencil", "empty username"},
		{"user", "", "empty password"},
		{"user", "\u00ad", "empty after SASLprep"},
	} {
		m := NewScramSHA256(c.user, c.pass)
		_, _, err := m.Start()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Start(%q, %q): err = %v, want %q", c.user, c.pass, err, c.want)
		}
		if _, err := m.Next([]byte("r=x,s=QSXCR+Q6sek8bf92,i=1")); err == nil {
			t.Errorf("Next after failed Start(%q, %q): want error", c.user, c.pass)
		}
	}
}
