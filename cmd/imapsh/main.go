// Command imapsh is an interactive IMAP shell built on the imapclient
// package, in the spirit of IMAPClient's interact module: verbs that mirror
// the client's methods, history and tab completion, scripts with -c, JSON
// output with --json, a resumable export to maildir or mbox, and a demo
// mode that starts an in-memory server seeded with a realistic mailbox:
//
//	go run ./cmd/imapsh --demo
//	imapsh -H imap.example.com -u alice
//	imapsh -f account.ini -c 'select INBOX; search UNSEEN' --json
//
// Type "help" in the shell for the verbs.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// SIGINT is not a reason to quit: it stops the command in progress.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	intr := make(chan struct{}, 1)
	go func() {
		for range interrupts {
			select {
			case intr <- struct{}{}:
			default:
			}
		}
	}()
	code := run(ctx, os.Args[1:], &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		interrupt: intr,
		exit:      os.Exit,
	})
	stop()
	os.Exit(code)
}

// env is what run needs from the process, so that tests can run the shell
// in-process with their own streams, environment and interrupts.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// interrupt receives a value for each Ctrl-C (SIGINT). Nil means none.
	interrupt <-chan struct{}
	// exit ends the process; nil in tests. It is used only to leave the
	// password prompt on Ctrl-C.
	exit func(int)
}

// asFile returns x as an *os.File when it is one, for terminal checks.
func asFile(x any) (*os.File, bool) {
	f, ok := x.(*os.File)
	return f, ok
}
