package imapconn_test

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
	"github.com/imapclient-go/imapclient/sasl"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestLoginFailed(t *testing.T) {
	c := newConn(t, nil, greeting,
		C("A1 LOGIN alice wrong"),
		S("A1 NO [AUTHENTICATIONFAILED] Authentication failed."),
	)
	st, err := c.Login(testCtx(t), "alice", "wrong")
	var se *imap.StatusError
	if !errors.As(err, &se) || se.Command != "LOGIN" || se.Response.Code != imap.CodeAuthFailed {
		t.Fatalf("Login = %+v, %v", st, err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error %q shows the password", err)
	}
	if c.State() != imapconn.NotAuthenticated {
		t.Errorf("State() = %v", c.State())
	}
}

func TestAuthenticatePlain(t *testing.T) {
	ir := b64("\x00alice\x00secret")
	tests := []struct {
		name, greeting string
		script         []fakeserver.Step
	}{
		{"SASL-IR", "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready", []fakeserver.Step{
			C("A1 AUTHENTICATE PLAIN " + ir),
		}},
		{"no SASL-IR", "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready", []fakeserver.Step{
			C("A1 AUTHENTICATE PLAIN"),
			S("+ "),
			C(ir),
		}},
		{"no SASL-IR, bare +", "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready", []fakeserver.Step{
			C("A1 AUTHENTICATE PLAIN"),
			S("+"),
			C(ir),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := append(tt.script, S("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in"))
			c := newConn(t, nil, tt.greeting, script...)
			st, err := c.Authenticate(testCtx(t), sasl.NewPlain("", "alice", "secret"))
			if err != nil || st.Text != "Logged in" {
				t.Fatalf("Authenticate = %+v, %v", st, err)
			}
			if c.State() != imapconn.Authenticated || !c.Caps().Has(imap.CapIdle) || c.Caps().Has(imap.CapSASLIR) {
				t.Errorf("State() = %v, Caps() = %v", c.State(), c.Caps().Names())
			}
		})
	}
}

func TestAuthenticateXOAuth2(t *testing.T) {
	ir := b64("user=alice@example.com\x01auth=Bearer ya29.token\x01\x01")
	const jsonErr = `{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`
	greet := "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready"

	t.Run("success", func(t *testing.T) {
		c := newConn(t, nil, greet,
			C("A1 AUTHENTICATE XOAUTH2 "+ir),
			S("A1 OK Thats all she wrote!"),
		)
		if _, err := c.Authenticate(testCtx(t), sasl.NewXOAuth2("alice@example.com", "ya29.token")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("failure", func(t *testing.T) {
		c := newConn(t, nil, greet,
			C("A1 AUTHENTICATE XOAUTH2 "+ir),
			S("+ "+b64(jsonErr)),
			C(""), // the empty response that lets the server fail the command
			S("A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"),
			C("A2 NOOP"),
			S("A2 OK"),
		)
		mech := sasl.NewXOAuth2("alice@example.com", "ya29.token")
		ctx := testCtx(t)
		st, err := c.Authenticate(ctx, mech)
		var se *imap.StatusError
		if !errors.As(err, &se) || se.Command != "AUTHENTICATE" || se.Response.Code != imap.CodeAuthFailed {
			t.Fatalf("Authenticate = %+v, %v", st, err)
		}
		if st == nil || st.Type != imap.StatusNO {
			t.Errorf("status = %+v", st)
		}
		if got := mech.(sasl.ServerErrorReporter).ServerError(); got != jsonErr {
			t.Errorf("ServerError() = %q", got)
		}
		if c.State() != imapconn.NotAuthenticated {
			t.Errorf("State() = %v", c.State())
		}
		if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
			t.Errorf("next command: %v", err)
		}
	})
}

func TestAuthenticateOAuthBearerFailure(t *testing.T) {
	ir := b64("n,a=alice,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01")
	const jsonErr = `{"status":"invalid_token","scope":"example_scope"}`
	c := newConn(t, nil, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready",
		C("A1 AUTHENTICATE OAUTHBEARER "+ir),
		S("+ "+b64(jsonErr)),
		C("AQ=="), // base64 of "\x01" (RFC 7628 section 3.2.3)
		S("A1 NO SASL authentication failed"),
	)
	mech := sasl.NewOAuthBearer("alice", "imap.example.com", 993, "tok")
	_, err := c.Authenticate(testCtx(t), mech)
	if !errors.Is(err, imap.ErrNo) {
		t.Fatalf("err = %v, want ErrNo", err)
	}
	if got := mech.(sasl.ServerErrorReporter).ServerError(); got != jsonErr {
		t.Errorf("ServerError() = %q", got)
	}
}

// scramServer plays the server side of SCRAM-SHA-256 for the RFC 7677 test
// user: the client nonce is random, so the messages are computed. The
// server checks the client's proof and sends its own signature, spoiled
// when tamper is set; it then expects answer (the client's last line).
func scramServer(tamper bool, answer string) fakeserver.Step {
	const (
		user, password = "user", "pencil"
		serverNonce    = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" // RFC 7677
		salt           = "W22ZaJ0SNY7soEsUEjb6gQ=="       // RFC 7677
		iter           = 4096
	)
	return fakeserver.Do("SCRAM-SHA-256 server", func(p *fakeserver.Peer) error {
		line, err := p.ReadLine()
		if err != nil {
			return err
		}
		ir, ok := strings.CutPrefix(line, "A1 AUTHENTICATE SCRAM-SHA-256 ")
		if !ok {
			return fmt.Errorf("client sent %q", line)
		}
		first, err := base64.StdEncoding.DecodeString(ir)
		if err != nil {
			return err
		}
		bare, ok := strings.CutPrefix(string(first), "n,,")
		clientNonce, ok2 := strings.CutPrefix(bare, "n="+user+",r=")
		if !ok || !ok2 || clientNonce == "" {
			return fmt.Errorf("client-first-message %q", first)
		}
		serverFirst := "r=" + clientNonce + serverNonce + ",s=" + salt + ",i=4096"
		if err := p.WriteLine("+ " + b64(serverFirst)); err != nil {
			return err
		}
		line, err = p.ReadLine()
		if err != nil {
			return err
		}
		final, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			return fmt.Errorf("client-final-message %q: %v", line, err)
		}
		withoutProof, proof, ok := strings.Cut(string(final), ",p=")
		if !ok || withoutProof != "c=biws,r="+clientNonce+serverNonce {
			return fmt.Errorf("client-final-message %q", final)
		}
		authMessage := bare + "," + serverFirst + "," + withoutProof
		saltBytes, _ := base64.StdEncoding.DecodeString(salt)
		clientProof, serverSig := scramProofs(password, saltBytes, iter, authMessage)
		if got := base64.StdEncoding.EncodeToString(clientProof); got != proof {
			return fmt.Errorf("client proof %s, want %s", proof, got)
		}
		if tamper {
			serverSig[0] ^= 0x80
		}
		if err := p.WriteLine("+ " + b64("v="+base64.StdEncoding.EncodeToString(serverSig))); err != nil {
			return err
		}
		line, err = p.ReadLine()
		if err != nil {
			return err
		}
		if line != answer {
			return fmt.Errorf("client answered the server-final-message with %q, want %q", line, answer)
		}
		return nil
	})
}

// scramProofs computes the SCRAM-SHA-256 ClientProof and ServerSignature
// of RFC 5802 section 3.
func scramProofs(password string, salt []byte, iter int, authMessage string) (clientProof, serverSig []byte) {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		panic(err)
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	clientSig := mac(storedKey[:], authMessage)
	clientProof = make([]byte, len(clientKey))
	for i := range clientKey {
		clientProof[i] = clientKey[i] ^ clientSig[i]
	}
	return clientProof, mac(mac(salted, "Server Key"), authMessage)
}

// TestScramProofsVector checks the test's server against RFC 7677 section 3.
func TestScramProofsVector(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	nonce := "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	auth := "n=user,r=rOprNGfwEbeRWgbNEkqO," +
		"r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
		"c=biws,r=" + nonce
	proof, sig := scramProofs("pencil", salt, 4096, auth)
	if got := base64.StdEncoding.EncodeToString(proof); got != "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=" {
		t.Errorf("ClientProof = %s", got)
	}
	if got := base64.StdEncoding.EncodeToString(sig); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("ServerSignature = %s", got)
	}
}

const scramGreeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256] ready"

func TestAuthenticateScram(t *testing.T) {
	c := newConn(t, nil, scramGreeting,
		scramServer(false, ""),
		S("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in"),
	)
	mech := sasl.NewScramSHA256("user", "pencil")
	if _, err := c.Authenticate(testCtx(t), mech); err != nil {
		t.Fatal(err)
	}
	if !mech.(sasl.Verifier).Verified() || c.State() != imapconn.Authenticated {
		t.Errorf("Verified() = %v, State() = %v", mech.(sasl.Verifier).Verified(), c.State())
	}
}

// TestAuthenticateScramWrongServer: the server does not know the password
// (its signature is wrong) and says OK anyway. The client cancels the
// exchange with "*", refuses the OK and drops the connection: it must not
// go on talking to an impostor.
func TestAuthenticateScramWrongServer(t *testing.T) {
	c := newConn(t, nil, scramGreeting,
		scramServer(true, "*"),
		S("A1 OK Logged in (says the impostor)"),
		fakeserver.CClose(),
	)
	st, err := c.Authenticate(testCtx(t), sasl.NewScramSHA256("user", "pencil"))
	var se *sasl.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("Authenticate = %+v, %v; want a signature error", st, err)
	}
	if !errors.Is(err, imap.ErrAbort) || c.Err() == nil || c.State() == imapconn.Authenticated {
		t.Errorf("err = %v, Err() = %v, State() = %v: the connection was kept", err, c.Err(), c.State())
	}
}

// TestAuthenticateScramNoSignature: the server skips its final message and
// says OK: the server is not verified, so authentication fails.
func TestAuthenticateScramNoSignature(t *testing.T) {
	c := newConn(t, nil, scramGreeting,
		fakeserver.Do("SCRAM server without final message", func(p *fakeserver.Peer) error {
			line, err := p.ReadLine()
			if err != nil {
				return err
			}
			first, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "A1 AUTHENTICATE SCRAM-SHA-256 "))
			nonce := strings.TrimPrefix(string(first), "n,,n=user,r=")
			if err := p.WriteLine("+ " + b64("r="+nonce+"xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")); err != nil {
				return err
			}
			_, err = p.ReadLine() // the client-final-message
			return err
		}),
		S("A1 OK Logged in"),
		fakeserver.CClose(),
	)
	_, err := c.Authenticate(testCtx(t), sasl.NewScramSHA256("user", "pencil"))
	var se *sasl.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "not authenticated") {
		t.Fatalf("err = %v, want the mechanism's refusal", err)
	}
	if !errors.Is(err, imap.ErrAbort) || c.State() == imapconn.Authenticated {
		t.Errorf("err = %v, State() = %v: the connection was kept", err, c.State())
	}
}

func TestAuthenticateMechanismError(t *testing.T) {
	// A mechanism that cannot start sends nothing.
	c := newConn(t, nil, scramGreeting, C("A1 NOOP"), S("A1 OK"))
	ctx := testCtx(t)
	if _, err := c.Authenticate(ctx, sasl.NewPlain("", "alice", "")); err == nil {
		t.Fatal("PLAIN with an empty password started")
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Fatalf("next command: %v", err)
	}
}

// TestAuthenticateBehindPipelinedCommand: the challenge goes to the
// command that converses, not to an earlier command still in flight.
func TestAuthenticateBehindPipelinedCommand(t *testing.T) {
	c := newConn(t, nil, greeting,
		C("A1 NOOP"),
		C("A2 AUTHENTICATE PLAIN"),
		S("+ "),
		C(b64("\x00alice\x00secret")),
		S("A1 OK NOOP done"),
		S("A2 OK Logged in"),
	)
	ctx := testCtx(t)
	noop, err := c.Start(ctx, "NOOP", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(ctx, sasl.NewPlain("", "alice", "secret")); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Wait(ctx, noop); err != nil || st.Text != "NOOP done" {
		t.Fatalf("Wait(NOOP) = %+v, %v", st, err)
	}
}
