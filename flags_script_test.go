package imapclient

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// Helpers for the scripted tests of flags, labels, append, copy/move,
// expunge, ACL and quota.

// flCtx returns a context for one scripted test.
func flCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// flClient connects a client to a scripted server that greets with
// PREAUTH and caps.
func flClient(t *testing.T, caps string, script ...fakeserver.Step) *Client {
	t.Helper()
	steps := append([]fakeserver.Step{fakeserver.S("* PREAUTH [CAPABILITY " + caps + "] ready")}, script...)
	nc := fakeserver.Start(t, steps...)
	c, err := New(flCtx(t), nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// flSelected is flClient with INBOX selected (read-write) by the first
// command, A1; the script's commands start at A2.
func flSelected(t *testing.T, caps string, script ...fakeserver.Step) *Client {
	t.Helper()
	S, C := fakeserver.S, fakeserver.C
	steps := append([]fakeserver.Step{C("A1 SELECT INBOX"), S("* 3 EXISTS"), S("A1 OK [READ-WRITE] selected")}, script...)
	c := flClient(t, caps, steps...)
	err := c.Do(flCtx(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(flCtx(t), "SELECT", func(e *imapwire.Encoder) { e.SP().AString("INBOX") }, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.sel.set("INBOX", false, 1)
	return c
}

func flIsCapErr(err error, capName string) bool {
	var ce *CapabilityError
	return errors.As(err, &ce) && ce.Capability == capName
}

func flIsInvalid(err error) bool { return errors.Is(err, imapwire.ErrInvalidArgument) }
