package imapclient

// The data-loss tests against imapmemserver, cut by its faults (see
// dataloss_test.go).

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
)

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
	return dlReadBoth(t, ctx, c, e)
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
