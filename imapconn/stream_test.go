package imapconn_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
)

// streamServer greets, then answers each command line with the next
// script entry ("{tag}" is replaced; "{wait}" pauses until release).
func streamServer(t *testing.T, opts *imapconn.Options, script ...string) (*imapconn.Conn, chan struct{}) {
	t.Helper()
	cc, sc := net.Pipe()
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		if _, err := sc.Write([]byte("* OK [CAPABILITY IMAP4rev1] ready\r\n")); err != nil {
			return
		}
		br := bufio.NewReader(sc)
		for _, reply := range script {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			reply = strings.ReplaceAll(reply, "{tag}", tag)
			if before, after, ok := strings.Cut(reply, "{wait}"); ok {
				if _, err := sc.Write([]byte(before)); err != nil {
					return
				}
				<-release
				reply = after
			}
			if _, err := sc.Write([]byte(reply)); err != nil {
				return
			}
		}
		io.Copy(io.Discard, br)
	}()
	c := imapconn.New(cc, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ReadGreeting(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		select {
		case <-release:
		default:
			close(release)
		}
		<-done
	})
	return c, release
}

func streamCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNextClaimsResponses(t *testing.T) {
	var unilateral []string
	opts := &imapconn.Options{
		Unilateral: func(r *imapwire.Response) { unilateral = append(unilateral, r.Name) },
		Limits:     &imapwire.Limits{InlineLiteral: 8},
	}
	c, _ := streamServer(t, opts,
		"* 1 FETCH (UID 4 BODY[] {20}\r\n01234567890123456789)\r\n"+
			"* 3 EXISTS\r\n"+
			"* OK [ALERT] hello\r\n"+
			"* CAPABILITY IMAP4rev1 MOVE\r\n"+
			"* 2 FETCH (UID 5 FLAGS ())\r\n"+
			"{tag} OK done\r\n",
		"{tag} OK noop\r\n",
	)
	ctx := streamCtx(t)
	cmd, err := c.Start(ctx, "UID FETCH", func(e *imapwire.Encoder) { e.SP().Raw("4:5 (BODY[])") }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	claim := func(r *imapwire.Response) bool { return r.Name == "FETCH" }
	var got []string
	for {
		r, err := c.Next(ctx, cmd, claim)
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			break
		}
		var it imapwire.FetchItem
		for {
			ok, err := r.NextFetchItem(&it)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if it.Reader != nil {
				// Read part of the streamed literal; Next skips the rest.
				buf := make([]byte, 5)
				io.ReadFull(it.Reader, buf)
				got = append(got, it.Name+"="+string(buf))
				break
			}
			got = append(got, it.Name)
		}
	}
	if strings.Join(got, " ") != "UID BODY=01234 UID FLAGS" {
		t.Errorf("claimed %q", got)
	}
	if strings.Join(unilateral, " ") != "EXISTS OK CAPABILITY" {
		t.Errorf("unilateral %q", unilateral)
	}
	if !c.Caps().Has("MOVE") {
		t.Error("CAPABILITY was not recorded")
	}
	if r, err := c.Next(ctx, cmd, claim); r != nil || err != nil {
		t.Errorf("Next after completion: %v %v", r, err)
	}
	if st, err := c.Wait(ctx, cmd); err != nil || st.Text != "done" {
		t.Errorf("Wait: %v %v", st, err)
	}
	if _, err := c.Execute(ctx, "NOOP", nil, nil); err != nil {
		t.Errorf("NOOP: %v", err)
	}
}

func TestAbandonDrainsBeforeNextCommand(t *testing.T) {
	c, _ := streamServer(t, nil,
		"* 1 FETCH (UID 4)\r\n* 2 FETCH (UID 5)\r\n* 3 FETCH (UID 6)\r\n{tag} OK fetched\r\n",
		"{tag} OK noop\r\n",
	)
	ctx := streamCtx(t)
	cmd, err := c.Start(ctx, "UID FETCH", func(e *imapwire.Encoder) { e.SP().Raw("4:6 UID") }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Next(ctx, cmd, nil); err != nil || r == nil || r.Num != 1 {
		t.Fatalf("Next: %v %v", r, err)
	}
	c.Abandon(cmd)
	var ce *imapconn.CanceledError
	if _, err := c.Next(ctx, cmd, nil); !errors.As(err, &ce) || !ce.Abandoned {
		t.Errorf("Next on an abandoned command: %v", err)
	}
	var seen []uint32
	st, err := c.Execute(ctx, "NOOP", nil, func(r *imapwire.Response) (bool, error) {
		seen = append(seen, r.Num)
		return true, nil
	})
	if err != nil || st.Text != "noop" {
		t.Fatalf("NOOP after Abandon: %v %v", st, err)
	}
	if len(seen) != 0 {
		t.Errorf("the abandoned command's responses reached NOOP: %v", seen)
	}
	if !cmd.Done() {
		t.Error("the abandoned command was not drained")
	}
	c.Abandon(cmd) // no effect once done
}

func TestBindInterruptsStreamedRead(t *testing.T) {
	c, release := streamServer(t, &imapconn.Options{Limits: &imapwire.Limits{InlineLiteral: 8}},
		"* 1 FETCH (BODY[] {100}\r\n0123456789{wait}"+strings.Repeat("x", 90)+")\r\n{tag} OK\r\n",
		"{tag} OK noop\r\n",
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	unbind := c.Bind(ctx)
	cmd, err := c.Start(ctx, "FETCH", func(e *imapwire.Encoder) { e.SP().Raw("1 BODY[]") }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Next(ctx, cmd, nil)
	if err != nil || r == nil {
		t.Fatalf("Next: %v %v", r, err)
	}
	var it imapwire.FetchItem
	if ok, err := r.NextFetchItem(&it); !ok || err != nil || it.Reader == nil {
		t.Fatalf("item %+v %v %v", it, ok, err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = io.Copy(io.Discard, it.Reader) // blocks after 10 bytes
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read: %v, want context.Canceled", err)
	}
	var ce *imapconn.CanceledError
	if _, err := c.Next(ctx, cmd, nil); !errors.As(err, &ce) || !ce.Abandoned {
		t.Fatalf("Next after cancel: %v", err)
	}
	unbind()
	close(release)
	if _, err := c.Execute(streamCtx(t), "NOOP", nil, nil); err != nil {
		t.Fatalf("NOOP after a cancelled stream: %v", err)
	}
	if c.Err() != nil {
		t.Fatalf("connection lost: %v", c.Err())
	}
}
