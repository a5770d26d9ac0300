package imapconn_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
	"github.com/imapclient-go/imapclient/sasl"
)

// secretForms returns the ways a secret could leak into a log: as it is,
// quoted as Go or slog would, and in base64 inside a SASL message.
func secretForms(secret string, saslMessages ...string) []string {
	forms := []string{secret, strconv.Quote(secret), strings.Trim(strconv.Quote(secret), `"`)}
	for _, m := range saslMessages {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(m)))
	}
	return forms
}

func checkLog(t *testing.T, log string, mustContain []string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the log shows the secret %q:\n%s", s, log)
		}
	}
	for _, s := range mustContain {
		if !strings.Contains(log, s) {
			t.Errorf("the log lacks %q:\n%s", s, log)
		}
	}
}

func TestLogRedactsLogin(t *testing.T) {
	var log logBuffer
	c := newConn(t, &imapconn.Options{Logger: log.logger()}, greeting,
		C("A1 LOGIN alice hunter2"),
		S("A1 NO [AUTHENTICATIONFAILED] try again"),
		C("A2 LOGIN alice {20}"),
		S("+ Ready"),
		CBytes("line1\nliteral-secret"),
		C(""),
		S("A2 OK [CAPABILITY IMAP4rev1] Logged in"),
	)
	ctx := testCtx(t)
	c.Login(ctx, "alice", "hunter2")
	if _, err := c.Login(ctx, "alice", "line1\nliteral-secret"); err != nil {
		t.Fatal(err)
	}
	secrets := append(secretForms("hunter2"), secretForms("line1\nliteral-secret")...)
	secrets = append(secrets, "literal-secret")
	checkLog(t, log.String(), []string{"imap C: A1 LOGIN [redacted]", "[redacted literal]", "Logged in"}, secrets...)
}

func TestLogRedactsSASL(t *testing.T) {
	plainIR := "\x00alice\x00sasl-password"
	xoauthIR := "user=alice\x01auth=Bearer secret-token\x01\x01"
	tests := []struct {
		name, greeting string
		mech           sasl.Mechanism
		script         []fakeserver.Step
		secrets        []string
	}{
		{"PLAIN with SASL-IR", "* OK [CAPABILITY IMAP4rev1 SASL-IR] hi",
			sasl.NewPlain("", "alice", "sasl-password"),
			[]fakeserver.Step{C("A1 AUTHENTICATE PLAIN " + b64(plainIR))},
			secretForms("sasl-password", plainIR)},
		{"PLAIN without SASL-IR", "* OK [CAPABILITY IMAP4rev1] hi",
			sasl.NewPlain("", "alice", "sasl-password"),
			[]fakeserver.Step{C("A1 AUTHENTICATE PLAIN"), S("+ "), C(b64(plainIR))},
			secretForms("sasl-password", plainIR)},
		{"XOAUTH2", "* OK [CAPABILITY IMAP4rev1 SASL-IR] hi",
			sasl.NewXOAuth2("alice", "secret-token"),
			[]fakeserver.Step{C("A1 AUTHENTICATE XOAUTH2 " + b64(xoauthIR))},
			secretForms("secret-token", xoauthIR)},
		{"SCRAM-SHA-256", scramGreeting,
			sasl.NewScramSHA256("user", "pencil"),
			[]fakeserver.Step{scramServer(false, "")},
			append(secretForms("pencil"), "c=biws", "p=", "Yz1iaXdz" /* base64 "c=biws" */)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log logBuffer
			script := append(tt.script, S("A1 OK done"))
			c := newConn(t, &imapconn.Options{Logger: log.logger()}, tt.greeting, script...)
			if _, err := c.Authenticate(testCtx(t), tt.mech); err != nil {
				t.Fatal(err)
			}
			checkLog(t, log.String(), []string{"AUTHENTICATE", "[redacted]"}, tt.secrets...)
		})
	}
}

func TestLogSummarisesLiterals(t *testing.T) {
	const size = 10240
	data := strings.Repeat("z", size)
	var log logBuffer
	c := newConn(t, &imapconn.Options{Logger: log.logger()}, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi",
		C("A1 APPEND INBOX {10240+}"),
		CBytes(data),
		C(""),
		S("A1 OK appended"),
		C("A2 FETCH 1 BODY[]"),
		SRaw("* 1 FETCH (BODY[] {10240}\r\n"+data+" FLAGS (\\Seen) BODY[HEADER] {5}\r\nshort)\r\n"),
		S("A2 OK fetched"),
	)
	ctx := testCtx(t)
	if _, err := c.Execute(ctx, "APPEND", func(e *imapwire.Encoder) {
		e.SP().Atom("INBOX").SP().Literal([]byte(data))
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(ctx, "FETCH", func(e *imapwire.Encoder) { e.SP().Raw("1 BODY[]") }, nil); err != nil {
		t.Fatal(err)
	}
	got := log.String()
	checkLog(t, got, []string{
		"imap C: A1 APPEND INBOX {10240+} {10240 bytes}",
		"imap S: * 1 FETCH (BODY[] {10240} {10240 bytes}",
		`\"short\"`, // small literals are shown
	}, strings.Repeat("z", 100))
	if len(got) > 4096 {
		t.Errorf("the log is %d bytes long", len(got))
	}
}
