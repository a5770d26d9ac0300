package imapclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"
)

// DialCommand speaks IMAP with a process over its standard input and
// output (IMAPClient's stream=True), for example "ssh mailhost imapd" or
// Dovecot's "doveadm exec imap", which greets with PREAUTH. cmd must not
// be started yet and must not have Stdin or Stdout set; its Stderr is
// left as given. The pipe to a local process counts as secure for
// credentials. Close kills the process if it has not exited.
func DialCommand(ctx context.Context, cmd *exec.Cmd, opts *Options) (*Client, error) {
	if cmd.Stdin != nil || cmd.Stdout != nil {
		return nil, errors.New("imapclient: DialCommand: cmd.Stdin and cmd.Stdout must be nil")
	}
	inR, inW, err := os.Pipe() // we write inW, the process reads inR
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe() // the process writes outW, we read outR
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	if err := cmd.Start(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("imapclient: DialCommand: %w", err)
	}
	inR.Close()
	outW.Close()
	pc := &pipeConn{r: outR, w: inW, cmd: cmd}
	var o Options
	if opts != nil {
		o = *opts
	}
	c, err := start(ctx, pc, "", o, true)
	if err != nil {
		pc.Close()
		return nil, err
	}
	return c, nil
}

// pipeConn is a net.Conn over a child process's pipes. os.File pipes
// support deadlines, which contexts and timeouts rely on.
type pipeConn struct {
	r, w *os.File
	cmd  *exec.Cmd
	once sync.Once
	err  error
}

func (p *pipeConn) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *pipeConn) Write(b []byte) (int, error) { return p.w.Write(b) }

// Close closes both pipes, gives the process a moment to exit on its own
// and kills it otherwise.
func (p *pipeConn) Close() error {
	p.once.Do(func() {
		p.w.Close()
		p.r.Close()
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	})
	return p.err
}

func (p *pipeConn) LocalAddr() net.Addr  { return pipeAddr{} }
func (p *pipeConn) RemoteAddr() net.Addr { return pipeAddr{} }
func (p *pipeConn) SetDeadline(t time.Time) error {
	if err := p.r.SetReadDeadline(t); err != nil {
		return err
	}
	return p.w.SetWriteDeadline(t)
}
func (p *pipeConn) SetReadDeadline(t time.Time) error  { return p.r.SetReadDeadline(t) }
func (p *pipeConn) SetWriteDeadline(t time.Time) error { return p.w.SetWriteDeadline(t) }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
