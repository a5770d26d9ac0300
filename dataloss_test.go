package imapclient

// No data loss: the connection is cut while APPEND, COPY, MOVE (native and
// the fallback), STORE or EXPUNGE is under way, at every step of the
// command: before the command reaches the server (it is not executed), after
// it did but before the answer comes back (it is executed and the client
// cannot know), and in the middle of APPEND's literal. The client must
// report what it knows (ErrAbort when the outcome is unknown, a
// *MoveIncompleteError when the MOVE fallback's copy is known to have
// succeeded, success only when it succeeded), and a new connection must
// find every message still there, in one place or in both, and none
// expunged that should not have been: the MOVE fallback never expunges
// other messages flagged \Deleted.
//
// The cuts are made by a TCP proxy between the client and the rig's server
// (Dovecot, or the target IMAPTEST_TARGET names; its plaintext port), and
// by imapmemserver's DropAfterCommands and
// DropAfterBytes. This file is in package imapclient for
// DisableCapsForTest, which hides MOVE and UIDPLUS from the client.
// dataloss_kill_test.go kills Dovecot itself at the same points.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapmemserver"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

// dlMessage returns a message identified by id, of about size bytes.
func dlMessage(id string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: a@example.org\r\nTo: b@example.org\r\nSubject: %s\r\nMessage-ID: <%s@dataloss>\r\n\r\n", id, id)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "line %06d of %s, some text to make it longer\r\n", i, id)
	}
	return b.Bytes()
}

// dlNew is the message the append scenarios add, big enough to be cut in
// the middle.
var dlNew = dlMessage("new", 256<<10)

// dlCopy is one copy of a message in a folder.
type dlCopy struct {
	flags []string
	size  int64
}

// dlState maps a message id to its copies in a folder.
type dlState map[string][]dlCopy

func (s dlState) count(id string) int { return len(s[id]) }

func (s dlState) deleted(id string) bool {
	return len(s[id]) == 1 && slices.Contains(s[id][0].flags, Deleted)
}

var dlIDRe = regexp.MustCompile(`<([^@>]+)@dataloss>`)

// dlRead examines folder and returns its messages.
func dlRead(ctx context.Context, c *Client, folder string) (dlState, error) {
	if _, err := c.SelectFolder(ctx, folder, true); err != nil {
		return nil, err
	}
	msgs, err := c.Fetch(ctx, All, []string{"FLAGS", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"})
	if err != nil {
		return nil, err
	}
	st := dlState{}
	for _, m := range msgs {
		hdr, _ := m.Section("BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]")
		id := "?"
		if mm := dlIDRe.FindSubmatch(hdr); mm != nil {
			id = string(mm[1])
		}
		st[id] = append(st[id], dlCopy{flags: m.Flags, size: m.Size})
	}
	return st, nil
}

// dlEnv is one run: the folders, the UIDs of the seeded messages m1..m4
// in src (m4 flagged \Deleted from the start), and the client to cut.
type dlEnv struct {
	src, dst string
	uid      map[string]uint32
}

// dlOp is an operation to interrupt. check judges the folders read on a
// new connection and the error the client returned.
type dlOp struct {
	name    string
	hide    []string // capabilities hidden from the client
	deleted []string // seeded messages flagged \Deleted besides m4
	run     func(ctx context.Context, c *Client, e *dlEnv) error
	check   func(t *testing.T, err error, src, dst dlState)
}

// dlUntouched checks that the messages are in src once each, with
// \Deleted exactly when deleted says so.
func dlUntouched(t *testing.T, src dlState, deleted map[string]bool, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if n := src.count(id); n != 1 {
			t.Errorf("%s: %d copies in the source folder, want 1", id, n)
			continue
		}
		if got := src.deleted(id); got != deleted[id] {
			t.Errorf("%s: \\Deleted is %v, want %v", id, got, deleted[id])
		}
	}
}

// dlKnown checks that err is nil or says the connection was lost.
func dlKnown(t *testing.T, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrAbort) {
		t.Errorf("error %v (%T) does not match ErrAbort", err, err)
	}
}

// dlMoved checks a move of m1 and m2 that may or may not have happened:
// each is in exactly one place (MOVE is atomic per message for the
// server; the fallback may leave the source copy), never lost.
func dlMoved(t *testing.T, err error, src, dst dlState, fallback bool) {
	t.Helper()
	for _, id := range []string{"m1", "m2"} {
		s, d := src.count(id), dst.count(id)
		switch {
		case s+d == 0:
			t.Errorf("%s is lost: in neither folder", id)
		case d > 1 || s > 1:
			t.Errorf("%s: %d copies in the source, %d in the destination", id, s, d)
		case !fallback && s+d != 1:
			t.Errorf("%s: in both folders after a native MOVE", id)
		case err == nil && (s != 0 || d != 1):
			t.Errorf("%s: Move succeeded but the source has %d copies and the destination %d", id, s, d)
		}
	}
	var mie *MoveIncompleteError
	if errors.As(err, &mie) && (dst.count("m1") != 1 || dst.count("m2") != 1) {
		t.Errorf("Move reported the copy done (%v) but the destination has %v", err, dst)
	}
}

var dlOps = []dlOp{
	{name: "APPEND", run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Append(ctx, e.src, dlNew, nil, time.Time{})
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlUntouched(t, src, map[string]bool{"m4": true}, "m1", "m2", "m3", "m4")
		switch n := src.count("new"); {
		case n > 1:
			t.Errorf("the message was appended %d times", n)
		case n == 1 && src["new"][0].size != int64(len(dlNew)):
			t.Errorf("a truncated message was stored: %d bytes of %d", src["new"][0].size, len(dlNew))
		case n == 0 && err == nil:
			t.Error("Append succeeded but the message is not there")
		}
	}},
	{name: "COPY", run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Copy(ctx, IDs{e.uid["m1"], e.uid["m2"]}, e.dst)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlUntouched(t, src, map[string]bool{"m4": true}, "m1", "m2", "m3", "m4")
		n1, n2 := dst.count("m1"), dst.count("m2")
		if n1 != n2 || n1 > 1 || (err == nil && n1 != 1) {
			t.Errorf("destination has %d and %d copies (error %v)", n1, n2, err)
		}
	}},
	{name: "MOVE", run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Move(ctx, IDs{e.uid["m1"], e.uid["m2"]}, e.dst)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlMoved(t, err, src, dst, false)
		dlUntouched(t, src, map[string]bool{"m4": true}, "m3", "m4")
	}},
	{name: "MOVE fallback", hide: []string{imap.CapMove}, run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Move(ctx, IDs{e.uid["m1"], e.uid["m2"]}, e.dst)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlMoved(t, err, src, dst, true)
		dlUntouched(t, src, map[string]bool{"m4": true}, "m3", "m4")
	}},
	{name: "MOVE fallback without UIDPLUS", hide: []string{imap.CapMove, imap.CapUIDPlus}, run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Move(ctx, IDs{e.uid["m1"], e.uid["m2"]}, e.dst)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		var mie *MoveIncompleteError
		if err == nil {
			t.Error("Move without MOVE and UIDPLUS reported success")
		} else if !errors.As(err, &mie) && !errors.Is(err, ErrAbort) {
			t.Errorf("error %v (%T): want a *MoveIncompleteError or ErrAbort", err, err)
		}
		// Nothing may be expunged: the source keeps m1 and m2 (maybe
		// flagged \Deleted) and m4.
		for _, id := range []string{"m1", "m2", "m3", "m4"} {
			if n := src.count(id); n != 1 {
				t.Errorf("%s: %d copies in the source, want 1 (nothing may be expunged)", id, n)
			}
		}
		dlMoved(t, err, src, dst, true)
	}},
	{name: "STORE", run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.AddFlags(ctx, IDs{e.uid["m1"]}, []string{Flagged}, false)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlUntouched(t, src, map[string]bool{"m4": true}, "m1", "m2", "m3", "m4")
		if err == nil && !slices.Contains(src["m1"][0].flags, Flagged) {
			t.Errorf("AddFlags succeeded but m1 has flags %v", src["m1"][0].flags)
		}
	}},
	{name: "UID EXPUNGE", deleted: []string{"m1"}, run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.UIDExpunge(ctx, ID(e.uid["m1"]))
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		// m4 is flagged \Deleted too, but was not named.
		dlUntouched(t, src, map[string]bool{"m4": true}, "m2", "m3", "m4")
		if n := src.count("m1"); n > 1 || (err == nil && n != 0) {
			t.Errorf("m1: %d copies after UIDExpunge (error %v)", n, err)
		}
	}},
	{name: "EXPUNGE", deleted: []string{"m1"}, run: func(ctx context.Context, c *Client, e *dlEnv) error {
		_, err := c.Expunge(ctx)
		return err
	}, check: func(t *testing.T, err error, src, dst dlState) {
		dlKnown(t, err)
		dlUntouched(t, src, nil, "m2", "m3")
		for _, id := range []string{"m1", "m4"} {
			if n := src.count(id); n > 1 || (err == nil && n != 0) {
				t.Errorf("%s: %d copies after Expunge (error %v)", id, n, err)
			}
		}
	}},
}

// dlBackend runs one interrupted operation on some server.
type dlBackend interface {
	// seed prepares the folders and messages of a run.
	seed(t *testing.T, ctx context.Context, op dlOp) *dlEnv
	// read returns the folders' contents on a new connection.
	read(t *testing.T, ctx context.Context, e *dlEnv) (src, dst dlState)
}

// dlRun connects c (through whatever cuts it), selects the source, runs
// op and checks the outcome on a new connection.
func dlRun(t *testing.T, b dlBackend, op dlOp, dial func(ctx context.Context) (*Client, error), selected func()) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := b.seed(t, ctx, op)
	c, err := dial(ctx)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	DisableCapsForTest(t, c, op.hide...)
	if _, err := c.SelectFolder(ctx, e.src, false); err != nil {
		if errors.Is(err, ErrAbort) {
			t.Skipf("the cut came before the operation: %v", err)
		}
		t.Fatalf("SelectFolder: %v", err)
	}
	if selected != nil {
		selected()
	}
	opErr := op.run(ctx, c, e)
	c.Close()
	src, dst := b.read(t, ctx, e)
	op.check(t, opErr, src, dst)
	var mie *MoveIncompleteError
	t.Logf("error: %v (MoveIncompleteError: %v); source %d messages, destination %d", opErr, errors.As(opErr, &mie), len(src), len(dst))
	if t.Failed() {
		t.Logf("error: %v\nsource: %v\ndestination: %v", opErr, src, dst)
	}
	return opErr
}

// dlSeed appends m1..m4 to src with c, m4 and the deleted ones flagged
// \Deleted, and returns their UIDs.
func dlSeed(t *testing.T, ctx context.Context, c *Client, src string, op dlOp) map[string]uint32 {
	t.Helper()
	uid := map[string]uint32{}
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		var flags []string
		if id == "m4" || slices.Contains(op.deleted, id) {
			flags = []string{Deleted}
		}
		res, err := c.Append(ctx, src, dlMessage(id, 2000), flags, time.Time{})
		if err != nil || res.UID == 0 {
			t.Fatalf("seeding %s: %+v, %v", id, res, err)
		}
		uid[id] = res.UID
	}
	return uid
}

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
	src, err := dlRead(ctx, c, e.src)
	if err != nil {
		t.Fatalf("reading %s: %v", e.src, err)
	}
	dst, err := dlRead(ctx, c, e.dst)
	if err != nil {
		t.Fatalf("reading %s: %v", e.dst, err)
	}
	return src, dst
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

// ---- imapmemserver, cut by its faults ----

type dlMem struct {
	srv  *imapmemserver.Server
	caps []string
}

func (b *dlMem) seed(t *testing.T, ctx context.Context, op dlOp) *dlEnv {
	b.srv = imapmemserver.New(&imapmemserver.Options{Caps: b.caps})
	srv := b.srv
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	e := &dlEnv{src: "INBOX", dst: "Archive", uid: map[string]uint32{}}
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		var flags []string
		if id == "m4" || slices.Contains(op.deleted, id) {
			flags = []string{Deleted}
		}
		u, err := srv.Append("alice", e.src, dlMessage(id, 2000), flags, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		e.uid[id] = u
	}
	return e
}

func (b *dlMem) read(t *testing.T, ctx context.Context, e *dlEnv) (dlState, dlState) {
	b.srv.SetFaults(nil)
	c, err := New(ctx, b.srv.Pipe(), &Options{AllowInsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	src, err := dlRead(ctx, c, e.src)
	if err != nil {
		t.Fatalf("reading %s: %v", e.src, err)
	}
	dst, err := dlRead(ctx, c, e.dst)
	if err != nil {
		t.Fatalf("reading %s: %v", e.dst, err)
	}
	return src, dst
}

// dlCounter counts the commands a client writes and the bytes it reads.
type dlCounter struct {
	net.Conn
	mu    sync.Mutex
	read  int
	lines int
}

func (c *dlCounter) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read += n
	c.mu.Unlock()
	return n, err
}

func (c *dlCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.lines += len(regexp.MustCompile(`(?m)^A\d+ `).FindAll(p, -1))
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *dlCounter) counts() (cmds, read int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines, c.read
}

// TestDataLossMemserver runs each operation on imapmemserver without a
// fault to count the commands before it and the bytes of its answers, then
// with DropAfterCommands at each of its commands (the command is never
// executed) and with DropAfterBytes at points spread over its answers (it
// was executed; the answer is cut).
func TestDataLossMemserver(t *testing.T) {
	for _, op := range dlOps {
		t.Run(op.name, func(t *testing.T) {
			b := &dlMem{}
			var cmds0, cmds1, read0, read1 int
			t.Run("no fault", func(t *testing.T) {
				var cnt *dlCounter
				dlRun(t, b, op, func(ctx context.Context) (*Client, error) {
					nc, err := net.Dial("tcp", b.srv.Addr())
					if err != nil {
						return nil, err
					}
					cnt = &dlCounter{Conn: nc}
					return dlMemLogin(ctx, cnt)
				}, func() { cmds0, read0 = cnt.counts() })
				cmds1, read1 = cnt.counts()
				t.Logf("%d commands before the operation, %d in it; %d bytes of answers", cmds0, cmds1-cmds0, read1-read0)
			})
			var faults []imapmemserver.Faults
			for k := cmds0; k < cmds1; k++ {
				faults = append(faults, imapmemserver.Faults{DropAfterCommands: k})
			}
			for i := 1; i <= 12; i++ {
				faults = append(faults, imapmemserver.Faults{DropAfterBytes: read0 + (read1-read0)*i/13})
			}
			for _, f := range faults {
				name := fmt.Sprintf("drop after %d commands", f.DropAfterCommands)
				if f.DropAfterBytes > 0 {
					name = fmt.Sprintf("drop after %d bytes", f.DropAfterBytes)
				}
				t.Run(name, func(t *testing.T) {
					dlRun(t, b, op, func(ctx context.Context) (*Client, error) {
						b.srv.SetFaults(&f)
						nc, err := net.Dial("tcp", b.srv.Addr())
						if err != nil {
							return nil, err
						}
						c, err := dlMemLogin(ctx, nc)
						if err != nil {
							t.Skipf("the fault hit before the operation: %v", err)
						}
						return c, nil
					}, nil)
				})
			}
		})
	}
}

func dlMemLogin(ctx context.Context, nc net.Conn) (*Client, error) {
	c, err := New(ctx, nc, &Options{AllowInsecureAuth: true})
	if err != nil {
		nc.Close()
		return nil, err
	}
	if err := c.Login(ctx, "alice", "pw"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TestDataLossMoveFallbackLeavesOthers checks the fallback's commands
// directly: with other messages flagged \Deleted in the folder, it never
// sends a plain EXPUNGE or CLOSE, with or without UIDPLUS.
func TestDataLossMoveFallbackLeavesOthers(t *testing.T) {
	for _, hide := range [][]string{{imap.CapMove}, {imap.CapMove, imap.CapUIDPlus}} {
		t.Run(strings.Join(hide, "+"), func(t *testing.T) {
			b := &dlMem{}
			op := dlOp{hide: hide}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e := b.seed(t, ctx, op)
			nc, err := net.Dial("tcp", b.srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			rec := &dlRecorder{Conn: nc}
			c, err := dlMemLogin(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			DisableCapsForTest(t, c, hide...)
			if _, err := c.SelectFolder(ctx, e.src, false); err != nil {
				t.Fatal(err)
			}
			_, err = c.Move(ctx, IDs{e.uid["m1"], e.uid["m2"]}, e.dst)
			var mie *MoveIncompleteError
			if len(hide) == 2 && !errors.As(err, &mie) {
				t.Errorf("Move without UIDPLUS: %v, want a *MoveIncompleteError", err)
			}
			if len(hide) == 1 && err != nil {
				t.Errorf("Move: %v", err)
			}
			for _, line := range strings.Split(rec.String(), "\r\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && (strings.EqualFold(f[1], "EXPUNGE") || strings.EqualFold(f[1], "CLOSE")) {
					t.Errorf("the fallback sent %q, which expunges every message flagged \\Deleted", line)
				}
			}
			src, dst := b.read(t, ctx, e)
			if src.count("m4") != 1 || !src.deleted("m4") {
				t.Errorf("m4 (flagged \\Deleted, not moved) was touched: %v", src)
			}
			if dst.count("m1") != 1 || dst.count("m2") != 1 {
				t.Errorf("destination: %v", dst)
			}
		})
	}
}

// dlRecorder keeps what the client wrote.
type dlRecorder struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *dlRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.buf.Write(p)
	r.mu.Unlock()
	return r.Conn.Write(p)
}

func (r *dlRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// TestDataLossCopiedUIDs: the fallback flags and expunges exactly the
// copied messages among those it asked for, whatever COPYUID claims.
func TestDataLossCopiedUIDs(t *testing.T) {
	for _, tc := range []struct{ asked, copied, want string }{
		{"1:5,9", "3:4,9,100:200", "3:4,9"},
		{"1:5,9", "5:3", "3:5"},
		{"1:5,9", "", "1:5,9"},
		{"1:5,9", "6:8", "1:5,9"}, // nothing in common: the server's data is unusable
		{"1:5,9", "1:4294967295", "1:5,9"},
		{"2,4,6", "1:3,3:7", "2,4,6"},
		{"7", "7,7,7", "7"},
	} {
		res := &CopyResult{}
		if tc.copied != "" {
			res.SourceUIDs = imap.MustParseNumSet(tc.copied)
		}
		if got := copiedUIDs(imap.MustParseNumSet(tc.asked), res); got.String() != tc.want {
			t.Errorf("copiedUIDs(%s, %s) = %s, want %s", tc.asked, tc.copied, got, tc.want)
		}
	}
}
