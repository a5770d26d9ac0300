package imapclient_test

import (
	"errors"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

func TestServerRawCommand(t *testing.T) {
	c, s := serverLoggedIn(t)
	out, st, err := c.RawCommand(ctxT(t), `LIST "" INBOX`)
	if err != nil || st.Type != imap.StatusOK || len(out) != 1 || out[0].Name != "LIST" {
		t.Fatalf("LIST: %+v %+v %v", out, st, err)
	}
	if _, ok := out[0].Data.(*imapwire.ListData); !ok {
		t.Fatalf("LIST data %T", out[0].Data)
	}
	if s.Has("quota") { // responses the client does not parse
		out, _, err = c.RawCommand(ctxT(t), `GETQUOTAROOT INBOX`)
		if err != nil || len(out) < 2 {
			t.Fatalf("GETQUOTAROOT: %+v %v", out, err)
		}
		if _, ok := out[0].Data.(*imapwire.RawData); !ok {
			t.Fatalf("unknown response not raw: %T", out[0].Data)
		}
	}
	_, st, err = c.RawCommand(ctxT(t), "XNOSUCHCOMMAND")
	if !errors.Is(err, imap.ErrBad) || st == nil {
		t.Fatalf("unknown command: %v", err)
	}
	if _, _, err := c.RawCommand(ctxT(t), "NOOP\r\nA1 LOGOUT"); !errors.Is(err, imapwire.ErrInvalidArgument) {
		t.Fatalf("CRLF accepted: %v", err)
	}
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	_ = imapclient.All
}
