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
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
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
// dlReadBoth reads the source and destination folders of e through c,
// failing the test when either cannot be read.
func dlReadBoth(t *testing.T, ctx context.Context, c *Client, e *dlEnv) (dlState, dlState) {
	t.Helper()
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
