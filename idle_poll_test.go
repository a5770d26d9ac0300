package imapclient_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapmemserver"
)

// Without the IDLE capability, Idle is emulated by NOOP polling and
// delivers the same updates.
func TestIdleNoopFallback(t *testing.T) {
	caps := slices.DeleteFunc(slices.Clone(imapmemserver.DefaultCaps), func(c string) bool { return c == "IDLE" })
	srv := imapmemserver.New(&imapmemserver.Options{Caps: caps})
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	c, err := imapclient.New(ctx, srv.Pipe(), &imapclient.Options{AllowInsecureAuth: true, IdlePollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "u", "pw"); err != nil {
		t.Fatal(err)
	}
	if has, _ := c.HasCapability(ctx, "IDLE"); has {
		t.Fatal("server announces IDLE")
	}
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		t.Fatal(err)
	}
	if err := c.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		srv.Append("u", "INBOX", []byte("Subject: poll\r\n\r\nhi\r\n"), nil, time.Now())
	}()
	deadline := time.Now().Add(5 * time.Second)
	got := false
	for !got && time.Now().Before(deadline) {
		ups, err := c.IdleCheck(ctx, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups {
			if e, ok := u.(*imapclient.ExistsUpdate); ok && e.Count == 1 {
				got = true
			}
		}
	}
	if !got {
		t.Fatal("no EXISTS through NOOP polling")
	}
	// Other calls still work while "idling".
	if _, err := c.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IdleDone(context.Background()); err != nil {
		t.Fatal(err)
	}
}
