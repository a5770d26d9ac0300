package imapclient

// The data-loss tests against the rig's server, cut by a TCP proxy (see
// dataloss_test.go).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/internal/testrig"
)

// ---- the rig's server (Dovecot, Cyrus, ...), cut by a proxy ----

// dlProxy forwards one client connection to target and cuts both sides
// at a chosen point: after the client sent a given command line (and
// possibly some bytes of the literal that follows), or before the server's
// tagged answer to it. It records what the client sent.
type dlProxy struct {
	ln     net.Listener
	target string
	cut    dlCut
	atCut  func() // if set, run at the cut point instead of cutting
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
	up    bytes.Buffer // client to server
	down  bytes.Buffer // server to client
	done  bool         // the cut was made
}

// dlCut says where to cut; the zero value never cuts.
type dlCut struct {
	tag        string // the command's tag, such as "A5"
	afterLine  bool   // cut once the client's line starting with tag was forwarded
	literal    int    // with afterLine: forward this many more bytes first
	beforeDone bool   // cut before the server's line starting with tag
}

func (c dlCut) String() string {
	switch {
	case c.afterLine && c.literal > 0:
		return fmt.Sprintf("%s plus %d bytes of its literal sent", c.tag, c.literal)
	case c.afterLine:
		return c.tag + " sent"
	case c.beforeDone:
		return c.tag + " executed, answer lost"
	}
	return "no cut"
}

func dlStartProxy(t *testing.T, target string, cut dlCut) *dlProxy {
	return dlStartProxyAt(t, target, cut, nil)
}

// dlStartProxyAt starts a proxy that, instead of cutting the connection
// at the cut point, forwards what comes before it and calls atCut, which
// makes the server go away (kills it). After a client's line the server's
// side then ends by itself, and whatever the server wrote before it died
// still reaches the client; before the server's tagged answer, the answer
// is dropped and both sides are closed once atCut returns.
func dlStartProxyAt(t *testing.T, target string, cut dlCut, atCut func()) *dlProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dlProxy{ln: ln, target: target, cut: cut, atCut: atCut}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *dlProxy) accept() {
	defer p.wg.Done()
	for {
		cc, err := p.ln.Accept()
		if err != nil {
			return
		}
		sc, err := net.Dial("tcp", p.target)
		if err != nil {
			cc.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, cc, sc)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(sc, cc, &p.up, p.upCut)
		go p.pump(cc, sc, &p.down, p.downCut)
	}
}

func (p *dlProxy) close() {
	p.ln.Close()
	p.cutAll()
	p.wg.Wait()
}

func (p *dlProxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// lineStart returns the offset of the line in b that starts with tag+" ".
func lineStart(b []byte, tag string) int {
	if bytes.HasPrefix(b, []byte(tag+" ")) {
		return 0
	}
	if i := bytes.Index(b, []byte("\r\n"+tag+" ")); i >= 0 {
		return i + 2
	}
	return -1
}

func (p *dlProxy) upCut(seen []byte) int {
	if !p.cut.afterLine {
		return -1
	}
	i := lineStart(seen, p.cut.tag)
	if i < 0 {
		return -1
	}
	j := bytes.Index(seen[i:], []byte("\r\n"))
	if j < 0 {
		return -1
	}
	end := i + j + 2 + p.cut.literal
	if end > len(seen) {
		return -1
	}
	return end
}

func (p *dlProxy) downCut(seen []byte) int {
	if !p.cut.beforeDone {
		return -1
	}
	return lineStart(seen, p.cut.tag)
}

// pump copies src to dst until one side ends or the cut point passes;
// then it closes both connections of every pair.
func (p *dlProxy) pump(dst, src net.Conn, seen *bytes.Buffer, cutAt func([]byte) int) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			prev := seen.Len()
			seen.Write(buf[:n])
			at := -1
			if !p.done {
				at = cutAt(seen.Bytes())
				p.done = at >= 0
			}
			p.mu.Unlock()
			if at >= 0 && p.atCut != nil {
				dst.Write(buf[:min(max(at-prev, 0), n)])
				p.atCut()
				if p.cut.beforeDone {
					p.cutAll()
				}
				// After a line, stop forwarding the client's bytes: the
				// other pump closes everything when the server's side ends.
				return
			}
			if at >= 0 {
				// Close the side the data came from first: after a
				// client's line, nothing the server answers may reach the
				// client (a fast server could otherwise answer before the
				// cut, and the operation would complete).
				src.Close()
				dst.Write(buf[:min(max(at-prev, 0), n)])
				p.cutAll()
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				p.cutAll()
				return
			}
		}
		if err != nil {
			p.cutAll()
			return
		}
	}
}

// sentTags returns the tags of the command lines the client sent from
// offset on.
func (p *dlProxy) sentTags(from int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var tags []string
	for _, m := range regexp.MustCompile(`(?m)^(A\d+) `).FindAllSubmatch(p.up.Bytes()[from:], -1) {
		tags = append(tags, string(m[1]))
	}
	return tags
}

func (p *dlProxy) sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.up.Len()
}

type dlRig struct {
	s     *testrig.Server
	setup *Client // direct connection for seeding and reading
	seq   int
}

func (b *dlRig) seed(t *testing.T, ctx context.Context, op dlOp) *dlEnv {
	b.seq++
	base := fmt.Sprintf("dataloss-%d-%d", time.Now().UnixNano()%1e9, b.seq)
	e := &dlEnv{src: base + "-src", dst: base + "-dst"}
	for _, f := range []string{e.src, e.dst} {
		if err := b.setup.CreateFolder(ctx, f); err != nil {
			t.Fatalf("CreateFolder: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			b.setup.DeleteFolder(ctx, f)
		})
	}
	e.uid = dlSeed(t, ctx, b.setup, e.src, op)
	return e
}

func (b *dlRig) read(t *testing.T, ctx context.Context, e *dlEnv) (dlState, dlState) {
	// A new connection, so nothing of the cut one's state is reused.
	c := dlRigDial(t, b.s)
	defer c.Close()
	return dlReadBoth(t, ctx, c, e)
}

func dlRigDial(t *testing.T, s *testrig.Server) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, s.TLSAddr, &Options{TLSConfig: s.TLSConfig(t)})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if err := c.Login(ctx, testrig.Alice.Name, testrig.Alice.Password); err != nil {
		c.Close()
		t.Fatalf("Login: %v", err)
	}
	return c
}

// TestDataLossRigServer runs each operation once through the proxy without
// a cut, to learn the commands it sends, then once per cut point: after
// each command was sent, before each answer came back, and for APPEND in
// the middle of its literal. It runs against the rig's server: Dovecot by
// default, Cyrus or the shared imapmemserver with IMAPTEST_TARGET.
func TestDataLossRigServer(t *testing.T) {
	srv := testrig.RequireServer(t)
	b := &dlRig{s: srv, setup: dlRigDial(t, srv)}
	t.Cleanup(func() { b.setup.Close() })
	for _, op := range dlOps {
		t.Run(op.name, func(t *testing.T) {
			if op.name == "MOVE" && !srv.Has("move") {
				t.Skipf("%s lacks MOVE", srv.Name)
			}
			var tags []string
			t.Run("no cut", func(t *testing.T) {
				p := dlStartProxy(t, srv.Addr, dlCut{})
				var from int
				err := dlRun(t, b, op, func(ctx context.Context) (*Client, error) { return dlProxyClient(ctx, p) },
					func() { from = p.sent() })
				tags = p.sentTags(from)
				t.Logf("commands: %v, error: %v", tags, err)
			})
			for _, cut := range dlCuts(op, tags) {
				t.Run(cut.String(), func(t *testing.T) {
					p := dlStartProxy(t, srv.Addr, cut)
					err := dlRun(t, b, op, func(ctx context.Context) (*Client, error) { return dlProxyClient(ctx, p) }, nil)
					if err == nil {
						t.Errorf("%s: no error although the connection was cut", cut)
					}
				})
			}
		})
	}
}

// dlCuts returns the cut points of op, whose commands have tags: after
// each command was sent, before each answer came back, and for APPEND in
// the middle of its literal.
func dlCuts(op dlOp, tags []string) []dlCut {
	var cuts []dlCut
	for _, tag := range tags {
		cuts = append(cuts, dlCut{tag: tag, afterLine: true}, dlCut{tag: tag, beforeDone: true})
		if op.name == "APPEND" {
			cuts = append(cuts, dlCut{tag: tag, afterLine: true, literal: len(dlNew) / 2})
		}
	}
	return cuts
}

// dlProxyClient logs in through the proxy (plain text: the proxy must see
// the commands).
func dlProxyClient(ctx context.Context, p *dlProxy) (*Client, error) {
	c, err := Dial(ctx, p.ln.Addr().String(), &Options{Security: Plaintext, AllowInsecureAuth: true})
	if err != nil {
		return nil, err
	}
	if err := c.Login(ctx, testrig.Alice.Name, testrig.Alice.Password); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
