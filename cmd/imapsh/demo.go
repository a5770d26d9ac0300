package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapmemserver"
)

const (
	demoUser     = "demo"
	demoPassword = "demo"
)

// demoServer is the in-memory server of --demo.
type demoServer struct {
	srv   *imapmemserver.Server
	addr  string
	stats seedStats
}

func (d *demoServer) Close() error { return d.srv.Close() }

// demoCaps are the capabilities of the demo server: the memserver's
// defaults and the extensions it implements beyond them that imapsh can
// show off.
func demoCaps() []string {
	caps := slices.Clone(imapmemserver.DefaultCaps)
	for _, c := range []string{"MULTIAPPEND", "LIST-EXTENDED", "LIST-STATUS"} {
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps
}

// startDemo starts an in-memory server on 127.0.0.1 with the user
// demo/demo, seeds its mailbox through the client library and points the shell's configuration at it: STARTTLS, trusting
// the server's self-signed certificate.
func startDemo(ctx context.Context, s *shell) (*demoServer, error) {
	srv := imapmemserver.New(&imapmemserver.Options{Caps: demoCaps(), Greeting: "imapsh demo server ready"})
	if err := srv.AddUser(demoUser, demoPassword); err != nil {
		srv.Close()
		return nil, err
	}
	if err := srv.Listen(); err != nil {
		srv.Close()
		return nil, err
	}
	d := &demoServer{srv: srv, addr: srv.Addr()}
	c := s.cfg
	c.Host, c.Port = d.addr, 0
	c.SSL, c.StartTLS = false, true
	c.TLSConfig = srv.ClientTLSConfig()
	c.Username, c.Password = demoUser, demoPassword
	c.OAuth2 = false
	start := time.Now()
	st, err := seedDemo(ctx, d.addr, s)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the demo mailbox: %w", err)
	}
	d.stats = st
	s.p.note("Demo server on %s (STARTTLS, self-signed certificate; user %s, password %s): %d messages (%s) in %d folders, seeded in %v.",
		d.addr, demoUser, demoPassword, st.Messages, fmtSize(st.Bytes), st.Folders, time.Since(start).Round(time.Millisecond))
	return d, nil
}

// seedDemo connects as the demo user and fills the mailbox with the
// generated messages, through the client library itself.
func seedDemo(ctx context.Context, addr string, s *shell) (seedStats, error) {
	var st seedStats
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := imapclient.Dial(ctx, addr, &imapclient.Options{
		Security:  imapclient.StartTLS,
		TLSConfig: s.cfg.TLSConfig,
		Logger:    discardLogger(),
	})
	if err != nil {
		return st, err
	}
	defer c.Close()
	if err := c.Login(ctx, demoUser, demoPassword); err != nil {
		return st, err
	}
	existing := map[string]bool{}
	fs, err := c.ListFolders(ctx, "", "*")
	if err != nil {
		return st, err
	}
	for _, f := range fs {
		existing[f.Name] = true
	}
	multi, _ := c.HasCapability(ctx, "MULTIAPPEND")
	for _, fold := range generateMailbox() {
		if !existing[fold.name] {
			if err := c.CreateFolder(ctx, fold.name); err != nil {
				return st, fmt.Errorf("create %q: %w", fold.name, err)
			}
		}
		st.Folders++
		if err := appendAll(ctx, c, fold, multi); err != nil {
			return st, fmt.Errorf("append to %q: %w", fold.name, err)
		}
		for _, m := range fold.msgs {
			st.Messages++
			st.Bytes += int64(len(m.raw))
		}
	}
	return st, c.Logout(ctx)
}

// appendAll appends a folder's messages: in batches with MULTIAPPEND, one
// by one otherwise.
func appendAll(ctx context.Context, c *imapclient.Client, f seedFolder, multi bool) error {
	const batch = 50
	if !multi {
		for _, m := range f.msgs {
			if _, err := c.Append(ctx, f.name, m.raw, m.flags, m.date); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < len(f.msgs); i += batch {
		var ms []imapclient.AppendMessage
		for _, m := range f.msgs[i:min(i+batch, len(f.msgs))] {
			ms = append(ms, imapclient.AppendMessage{Msg: m.raw, Flags: m.flags, Date: m.date})
		}
		if _, err := c.MultiAppend(ctx, f.name, ms); err != nil {
			return err
		}
	}
	return nil
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
