package imapclient_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapmemserver"
)

// memClient is example scaffolding: an in-memory server with one message
// and a client logged in to it.
func memClient() (*imapclient.Client, func()) {
	srv := imapmemserver.New(nil)
	srv.AddUser("alice", "secret")
	date := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	srv.Append("alice", "INBOX", []byte("From: Bob <bob@example.org>\r\nTo: alice@example.org\r\n"+
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nDate: Wed, 1 May 2024 09:30:00 +0000\r\n\r\nHello Alice!\r\n"), nil, date)
	ctx := context.Background()
	c, err := imapclient.New(ctx, srv.Pipe(), &imapclient.Options{AllowInsecureAuth: true})
	if err != nil {
		panic(err)
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		panic(err)
	}
	return c, func() { c.Close(); srv.Close() }
}

// Fetch envelopes and flags of every message in a folder, keyed by UID.
func ExampleClient_Fetch() {
	c, done := memClient()
	defer done()
	ctx := context.Background()
	if _, err := c.SelectFolder(ctx, "INBOX", true); err != nil {
		panic(err)
	}
	msgs, err := c.Fetch(ctx, imapclient.All, []string{"FLAGS", "ENVELOPE", "RFC822.SIZE"})
	if err != nil {
		panic(err)
	}
	for uid, m := range msgs {
		fmt.Printf("UID %d: %q from %s, %d bytes\n", uid, m.Envelope.Subject, m.Envelope.From[0].Addr(), m.Size)
	}
	// Output:
	// UID 1: "Grüße" from bob@example.org, 144 bytes
}

// Append a message with flags, then change the flags.
func ExampleClient_Append() {
	c, done := memClient()
	defer done()
	ctx := context.Background()
	res, err := c.Append(ctx, "INBOX", []byte("Subject: note\r\n\r\nremember the milk\r\n"),
		[]string{imapclient.Flagged}, time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println("new UID:", res.UID)
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		panic(err)
	}
	flags, err := c.AddFlags(ctx, imapclient.ID(res.UID), []string{imapclient.Seen, "$Todo"}, false)
	if err != nil {
		panic(err)
	}
	f := flags[res.UID]
	slices.Sort(f)
	fmt.Println("flags:", f)
	// Output:
	// new UID: 2
	// flags: [$Todo \Flagged \Recent \Seen]
}

// Stream message bodies one at a time, without holding them in memory.
func ExampleClient_FetchIter() {
	c, done := memClient()
	defer done()
	ctx := context.Background()
	if _, err := c.SelectFolder(ctx, "INBOX", true); err != nil {
		panic(err)
	}
	for m, err := range c.FetchIter(ctx, imapclient.All, []string{"BODY.PEEK[TEXT]"}) {
		if err != nil {
			panic(err)
		}
		for sec, err := range m.BodySections() {
			if err != nil {
				panic(err)
			}
			n, _ := io.Copy(io.Discard, sec) // or to a file
			fmt.Printf("UID %d: %s, %d bytes\n", m.UID, sec.Key, n)
		}
	}
	// Output:
	// UID 1: BODY[TEXT], 14 bytes
}
