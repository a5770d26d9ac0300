package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"golang.org/x/term"

	"github.com/imapclient-go/imapclient"
)

// shell is one imapsh session: a connection and the settings of the
// shell around it.
type shell struct {
	env    *env
	opts   *options
	cfg    *connConfig
	p      *printer
	trace  *slog.LevelVar
	logger *slog.Logger

	c           *imapclient.Client
	useUID      bool
	interactive bool
	folders     []string // for completion; refreshed by folders and friends
	failed      bool     // a command failed (exit status in script mode)
	quit        bool
	stopped     atomic.Bool                // a Ctrl-C stopped a script
	closing     atomic.Bool                // logging out: the BYE is expected
	promptState atomic.Pointer[term.State] // the terminal before the password prompt
	demo        *demoServer
}

// run is the whole program: it parses args, connects, runs the commands
// and returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	opts, err := parseArgs(args, e.getenv, e.stderr)
	if errors.Is(err, errHelp) {
		io.WriteString(e.stdout, usageText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "imapsh: %v\n", err)
		return 2
	}
	s := &shell{env: e, opts: opts, cfg: opts.conn, useUID: !opts.seq,
		p:     &printer{stdout: e.stdout, stderr: e.stderr, json: opts.json},
		trace: new(slog.LevelVar)}
	s.trace.Set(slog.LevelInfo)
	if opts.trace {
		s.trace.Set(slog.LevelDebug)
	}
	s.logger = slog.New(&traceHandler{level: s.trace, p: s.p})
	in, inIsTTY := asFile(e.stdin)
	inIsTTY = inIsTTY && term.IsTerminal(int(in.Fd()))
	out, outIsTTY := asFile(e.stdout)
	outIsTTY = outIsTTY && term.IsTerminal(int(out.Fd()))
	s.interactive = !opts.hasCmds && inIsTTY && outIsTTY

	defer func() {
		if s.demo != nil {
			s.demo.Close()
		}
	}()
	// Until the shell runs, Ctrl-C abandons the start.
	sctx, cancelStart := context.WithCancel(ctx)
	defer cancelStart()
	started := make(chan struct{})
	go s.watchStart(cancelStart, started, in)
	code := s.start(sctx, inIsTTY, in)
	close(started)
	if code >= 0 {
		if sctx.Err() != nil && ctx.Err() == nil {
			return 130
		}
		return code
	}
	defer s.disconnect()

	switch {
	case opts.hasCmds:
		s.runScript(ctx, splitCommands(opts.commands))
	case s.interactive:
		s.runInteractive(ctx, in)
	default:
		s.runReader(ctx, e.stdin)
	}
	if ctx.Err() != nil || s.stopped.Load() {
		return 130
	}
	if s.failed && !s.interactive {
		return 1 // a script with a failed command
	}
	return 0
}

// start starts the demo server, asks for the password and connects. It
// returns the exit status when the program must end, -1 to go on.
func (s *shell) start(ctx context.Context, inIsTTY bool, in *os.File) int {
	e := s.env
	if s.opts.demo {
		d, err := startDemo(ctx, s)
		if err != nil {
			fmt.Fprintf(e.stderr, "imapsh: demo: %v\n", errorLine(err))
			return 1
		}
		s.demo = d
	}
	if err := s.askCredentials(inIsTTY, in); err != nil {
		fmt.Fprintf(e.stderr, "imapsh: %v\n", err)
		return 2
	}
	if !s.opts.json && s.interactive {
		s.p.note("Connecting to %s...", s.cfg.Host)
	}
	err := s.connect(ctx)
	if s.cfg.ExpectFailure != "" {
		return s.checkExpectedFailure(err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "imapsh: %s\n", errorLine(err))
		return 1
	}
	return -1
}

// watchStart cancels the start on Ctrl-C. During the password prompt,
// whose read cannot be interrupted, it restores the terminal and exits.
func (s *shell) watchStart(cancel context.CancelFunc, started <-chan struct{}, in *os.File) {
	select {
	case <-s.env.interrupt:
		if st := s.promptState.Load(); st != nil && s.env.exit != nil {
			term.Restore(int(in.Fd()), st)
			fmt.Fprintln(s.env.stderr)
			s.env.exit(130)
		}
		cancel()
	case <-started:
	}
}

// askCredentials prompts for the password (without echo) when a user
// name is set and no password or token is known.
func (s *shell) askCredentials(tty bool, in *os.File) error {
	c := s.cfg
	if c.Username == "" || c.Password != "" || c.OAuth2 || c.ExpectFailure != "" {
		return nil
	}
	if !tty {
		return errors.New("no password: give -p, password= in the -f file, or imapclient_password in the environment (or run on a terminal to be asked)")
	}
	if st, err := term.GetState(int(in.Fd())); err == nil {
		s.promptState.Store(st)
		defer s.promptState.Store(nil)
	}
	fmt.Fprintf(s.env.stderr, "password for %s: ", c.Username)
	pw, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(s.env.stderr)
	if err != nil {
		return fmt.Errorf("reading the password: %v", err)
	}
	c.Password = string(pw)
	return nil
}

func (s *shell) checkExpectedFailure(err error) int {
	if err == nil {
		s.disconnect()
		fmt.Fprintf(s.env.stderr, "imapsh: expected the connection to fail with %q, but it succeeded\n", s.cfg.ExpectFailure)
		return 1
	}
	if !strings.Contains(err.Error(), s.cfg.ExpectFailure) {
		fmt.Fprintf(s.env.stderr, "imapsh: expected a failure with %q, got: %s\n", s.cfg.ExpectFailure, errorLine(err))
		return 1
	}
	s.p.note("connection failed as expected: %s", errorLine(err))
	return 0
}

// runScript runs commands until the end, a quit, or an interrupt; a
// failed command is reported and the next one runs.
func (s *shell) runScript(ctx context.Context, cmds []string) {
	for _, c := range cmds {
		if s.quit || ctx.Err() != nil || s.interrupted() {
			return
		}
		s.execute(ctx, c)
		if s.stopped.Load() {
			return
		}
	}
}

// runReader runs the commands read from r, one or more per line.
func (s *shell) runReader(ctx context.Context, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for !s.quit && sc.Scan() {
		s.runScript(ctx, splitCommands(sc.Text()))
		if s.stopped.Load() {
			return
		}
	}
}

// interrupted reports (and consumes) a Ctrl-C that came between commands.
func (s *shell) interrupted() bool {
	select {
	case <-s.env.interrupt:
		s.stopped.Store(true)
		return true
	default:
		return false
	}
}

// execute runs one command and prints its result or its error. It
// reports whether the command succeeded.
func (s *shell) execute(ctx context.Context, text string) bool {
	cl, err := parseCommand(text)
	if err != nil {
		s.fail("", err)
		return false
	}
	cmd := lookup(cl.verb)
	if cmd == nil {
		s.fail("", fmt.Errorf("unknown command %q (type help for the list)", cl.verb))
		return false
	}
	if err := cmd.checkArgs(cl); err != nil {
		s.fail(cmd.name, err)
		return false
	}
	if cmd.conn && s.c == nil {
		s.fail(cmd.name, errors.New("not connected (type reconnect)"))
		return false
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-s.env.interrupt:
			if !s.interactive {
				s.stopped.Store(true)
			}
			cancel()
		case <-done:
		}
	}()
	res, err := s.safeRun(cmd, cctx, cl)
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil && errors.Is(err, context.Canceled) {
			err = errInterrupted
		}
		s.fail(cmd.name, err)
		if isConnLost(err) {
			s.dropConnection()
		}
		return false
	}
	s.p.result(res)
	return true
}

var errInterrupted = errors.New("interrupted")

// safeRun runs a command, turning a panic into an error: a bug in one
// command must not end the session.
func (s *shell) safeRun(cmd *command, ctx context.Context, cl *cmdLine) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error (please report it): %v", r)
		}
	}()
	return cmd.run(s, ctx, cl)
}

func (s *shell) fail(verb string, err error) {
	s.failed = true
	s.p.failure(verb, err)
}

// dropConnection forgets a connection that failed.
func (s *shell) dropConnection() {
	if s.c != nil {
		s.c.Close()
		s.c = nil
	}
}

// disconnect logs out politely, within a short time.
func (s *shell) disconnect() {
	if s.c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), logoutTimeout)
	defer cancel()
	s.closing.Store(true)
	defer s.closing.Store(false)
	s.c.Logout(ctx)
	s.c.Close()
	s.c = nil
}
