// Command capabilities connects to an IMAP server over TLS, prints its
// greeting and capabilities, and logs in when a user name is given (the
// password is read from IMAP_PASSWORD).
//
//	go run ./examples/capabilities -host imap.gmail.com
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient"
)

func main() {
	host := flag.String("host", "imap.gmail.com", "IMAP server (implicit TLS)")
	port := flag.Int("port", 993, "port")
	user := flag.String("user", "", "user name; the password comes from $IMAP_PASSWORD")
	debug := flag.Bool("debug", false, "log the protocol (passwords redacted)")
	flag.Parse()

	opts := &imapclient.Options{Port: *port, ConnectTimeout: 15 * time.Second, ReadTimeout: 30 * time.Second}
	if *debug {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := imapclient.Dial(ctx, *host, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	defer c.Close()
	fmt.Println("greeting:", c.Welcome().String())
	caps, err := c.Capabilities(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("capabilities:", strings.Join(caps.Names(), " "))
	if *user != "" {
		if err := c.Login(ctx, *user, os.Getenv("IMAP_PASSWORD")); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		caps, _ = c.Capabilities(ctx)
		fmt.Println("after login:", strings.Join(caps.Names(), " "))
	}
	_ = c.Logout(ctx)
}
