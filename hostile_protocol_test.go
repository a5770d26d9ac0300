package imapclient_test

// The hostile-server suite, continued (see hostile_test.go): slow drip,
// garbage, wrong tags, unexpected continuations, bad values and codes.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestHostileSlowDrip(t *testing.T) {
	C := fakeserver.C
	resp := "* 1 EXISTS\r\n* 2 EXISTS\r\nA1 OK done\r\n"
	// ReadTimeout bounds each wait for a byte: a server slower than that
	// is presumed dead.
	hostileCase(t, "one byte per second, ReadTimeout", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileClient(t, &imapclient.Options{ReadTimeout: 500 * time.Millisecond}, C("A1 NOOP"), drip(stop, resp, time.Second))
		start := time.Now()
		_, err := c.Noop(ctx)
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("Noop took %v with ReadTimeout 500ms", took)
		}
		wantAbort(t, "Noop", err, nil)
		if !imapclient.IsTimeout(err) {
			t.Errorf("IsTimeout(%v) = false", err)
		}
	})
	// Without ReadTimeout the context's deadline ends the wait; the
	// command is abandoned (the server is alive, only slow).
	hostileCase(t, "one byte per second, context deadline", 2*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileClient(t, nil, C("A1 NOOP"), drip(stop, resp, time.Second))
		_, err := c.Noop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || !imapclient.IsTimeout(err) {
			t.Fatalf("Noop: %v, want a context deadline error", err)
		}
		var ce *imapconn.CanceledError
		if !errors.As(err, &ce) {
			t.Errorf("Noop: %v (%T), want an *imapconn.CanceledError", err, err)
		}
	})
	// A drip faster than ReadTimeout is not a dead peer: only the context
	// bounds it.
	hostileCase(t, "drip within ReadTimeout, context deadline", 2500*time.Millisecond, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileClient(t, &imapclient.Options{ReadTimeout: 2 * time.Second}, C("A1 NOOP"), drip(stop, resp, 200*time.Millisecond))
		_, err := c.Noop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Noop: %v, want a context deadline error", err)
		}
	})
}

func TestHostileGarbage(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	SRaw := func(s string) fakeserver.Step { return fakeserver.SRaw([]byte(s)) }
	// Lines that are not responses are skipped and reported; the
	// connection stays in step.
	hostileCase(t, "garbage lines", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"),
			SRaw("\x00\xff\xfe\x01 binary junk\r\n)))(((\r\n* \r\n*\r\n\r\n* 1 FETCH (((\r\n* 99 EXISTS trailing\r\n"),
			S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		_, err := c.Noop(ctx)
		wantSkipped(t, "Noop", err)
		noopOK(t, ctx, c)
	})
	// Random bytes, including CRLFs and literal announcements, then a
	// hang-up: no panic, a typed error.
	for seed := uint64(1); seed <= 5; seed++ {
		hostileCase(t, fmt.Sprintf("random bytes %d", seed), 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			r := rand.New(rand.NewPCG(seed, 42))
			junk := make([]byte, 256<<10)
			for i := range junk {
				switch x := r.IntN(100); {
				case x < 3:
					junk[i] = '\n'
				case x < 6:
					junk[i] = '\r'
				case x < 8:
					junk[i] = '{'
				case x < 10:
					junk[i] = '('
				default:
					junk[i] = byte(r.IntN(256))
				}
			}
			c := hostileSelected(t, nil, fakeserver.CMatch(`A2 UID FETCH 1:\* \(.*\)`), fakeserver.SRaw(junk), fakeserver.Close())
			_, err := c.Fetch(ctx, imapclient.SetString("1:*"), []string{"FLAGS", "ENVELOPE", "BODY.PEEK[]"})
			if err == nil {
				t.Fatal("Fetch succeeded on garbage")
			}
			wantAbort(t, "Fetch", err, nil)
		})
	}
	hostileCase(t, "garbage greeting", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		nc := fakeserver.Start(t, SRaw("\x16\x03\x01\x02\x00 not imap\r\n"))
		c, err := imapclient.New(ctx, nc, nil)
		if err == nil {
			c.Close()
			t.Fatal("New accepted a garbage greeting")
		}
		wantAbort(t, "New", err, nil)
	})
}

func TestHostileTags(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	// A tagged response for a command nobody sent is ignored.
	hostileCase(t, "unknown tag", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("Z99 OK [ALERT] for someone else"), S("X1 BAD what"),
			S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		if _, err := c.Noop(ctx); err != nil {
			t.Fatalf("Noop: %v", err)
		}
		noopOK(t, ctx, c)
	})
	// "+" when no literal and no SASL exchange waits for it: ignored, and
	// the client sends nothing in reply.
	hostileCase(t, "continuation nobody asked for", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("+ send me your password"), fakeserver.Quiet(200*time.Millisecond),
			S("+"), S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		if _, err := c.Noop(ctx); err != nil {
			t.Fatalf("Noop: %v", err)
		}
		noopOK(t, ctx, c)
	})
	// The tag of the next command before it was sent: ignored, and the
	// real completion is waited for.
	hostileCase(t, "tag of a later command", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("A2 NO not yet sent"), S("A1 OK done"),
			C("A2 NOOP"), S("A2 OK done"))
		if _, err := c.Noop(ctx); err != nil {
			t.Fatalf("Noop: %v", err)
		}
		noopOK(t, ctx, c)
	})
	// A server that only ever answers the wrong tag: the deadline ends
	// the wait with a timeout, never a hang or a wrong success.
	hostileCase(t, "only the wrong tag", 1500*time.Millisecond, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("A2 OK done"), S("A0 OK done"), fakeserver.Hold())
		_, err := c.Noop(ctx)
		if !imapclient.IsTimeout(err) {
			t.Fatalf("Noop: %v, want a timeout", err)
		}
	})
}

func TestHostileValues(t *testing.T) {
	S, C, CM := fakeserver.S, fakeserver.C, fakeserver.CMatch
	// Names that are not valid modified UTF-7 are returned as sent.
	hostileCase(t, "invalid modified UTF-7 in LIST", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		bad := []string{"&Jjo", "&AGE-", "&-&", "a&b", "&ZeVnLIqe-&", "caf\xc3\xa9", "&2D0-", "&////-", "&ZeVnLIqe-&ZeVnLIqe-", "&Jjo!-"}
		script := []fakeserver.Step{CM(`A1 LIST "" "\*"`)}
		for _, n := range bad {
			script = append(script, S(`* LIST () "/" "`+n+`"`))
		}
		script = append(script, S(`* LIST () "/" "&ZeVnLIqe-"`), S("A1 OK done"))
		c := hostileClient(t, nil, script...)
		folders, err := c.ListFolders(ctx, "", "*")
		if err != nil {
			t.Fatalf("ListFolders: %v", err)
		}
		if len(folders) != len(bad)+1 {
			t.Fatalf("got %d folders, want %d: %+v", len(folders), len(bad)+1, folders)
		}
		for i, n := range bad {
			if folders[i].Name != n {
				t.Errorf("folder %d: name %q, want it as sent: %q", i, folders[i].Name, n)
			}
		}
		if got := folders[len(bad)].Name; got != "日本語" {
			t.Errorf("valid name decoded to %q", got)
		}
	})
	// Dates that do not parse: zero times, the text kept.
	hostileCase(t, "invalid dates", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1:3 \(.*\)`),
			S(`* 1 FETCH (UID 1 INTERNALDATE "31-Foo-2024 25:61:99 +9999" ENVELOPE ("not a date at all" "s" NIL NIL NIL NIL NIL NIL NIL NIL))`),
			S(`* 2 FETCH (UID 2 INTERNALDATE "" ENVELOPE ("Mon, 99 Feb 1994 21:52:25 -0800" NIL NIL NIL NIL NIL NIL NIL NIL NIL))`),
			S(`* 3 FETCH (UID 3 INTERNALDATE NIL ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))`),
			S("A2 OK done"), C("A3 NOOP"), S("A3 OK done"))
		msgs, err := c.Fetch(ctx, imapclient.SetString("1:3"), []string{"INTERNALDATE", "ENVELOPE"})
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		rawDates := map[uint32]string{1: "not a date at all", 2: "Mon, 99 Feb 1994 21:52:25 -0800", 3: ""}
		for uid := uint32(1); uid <= 3; uid++ {
			m := msgs[uid]
			if m == nil {
				t.Fatalf("message %d missing: %v", uid, msgs)
			}
			if !m.InternalDate.IsZero() {
				t.Errorf("%d: InternalDate %v, want zero", uid, m.InternalDate)
			}
			if m.Envelope == nil || m.Envelope.Raw == nil {
				t.Fatalf("%d: no envelope", uid)
			}
			if !m.Envelope.Date.IsZero() {
				t.Errorf("%d: Envelope.Date %v, want zero", uid, m.Envelope.Date)
			}
			if m.Envelope.Raw.Date != rawDates[uid] {
				t.Errorf("%d: Envelope.Raw.Date %q, want %q", uid, m.Envelope.Raw.Date, rawDates[uid])
			}
		}
		if got := string(msgs[1].Raw["INTERNALDATE"]); !strings.Contains(got, "31-Foo-2024") {
			t.Errorf("the unparseable INTERNALDATE is not kept raw: Raw = %q", msgs[1].Raw)
		}
		noopOK(t, ctx, c)
	})
	// Numbers past 32 bits where the grammar says nz-number/number: a
	// typed error, and the connection stays in step.
	for _, tc := range []struct{ name, resp string }{
		{"UID 2^32", `* 1 FETCH (UID 4294967296 FLAGS ())`},
		{"UID 2^32+1", `* 1 FETCH (UID 4294967297 FLAGS ())`},
		{"UID 2^64", `* 1 FETCH (UID 18446744073709551616 FLAGS ())`},
		{"UID 10^30", `* 1 FETCH (UID 1000000000000000000000000000000 FLAGS ())`},
		{"seq 2^32", `* 4294967296 FETCH (UID 1 FLAGS ())`},
		{"size 2^64", `* 1 FETCH (RFC822.SIZE 18446744073709551616 UID 1)`},
	} {
		hostileCase(t, tc.name, 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`), S(tc.resp), S("A2 OK done"), C("A3 NOOP"), S("A3 OK done"))
			msgs, err := c.Fetch(ctx, imapclient.ID(1), []string{"FLAGS", "RFC822.SIZE"})
			wantSkipped(t, "Fetch", err)
			for id, m := range msgs {
				t.Errorf("Fetch returned a message keyed %d (UID %d) from a response that overflows", id, m.UID)
			}
			noopOK(t, ctx, c)
		})
	}
	// A STATUS number past 32 bits is never truncated into a small one.
	hostileCase(t, "STATUS numbers past 32 and 64 bits", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, CM(`A1 STATUS INBOX \(.*\)`),
			S(`* STATUS INBOX (MESSAGES 4294967297 UIDNEXT 4294967298 UIDVALIDITY 18446744073709551617)`),
			S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		st, err := c.FolderStatus(ctx, "INBOX", "MESSAGES", "UIDNEXT", "UIDVALIDITY")
		if err == nil {
			if st.Messages == 1 || st.UIDNext == 2 || st.UIDValidity == 1 {
				t.Errorf("FolderStatus truncated numbers past 32 bits: %+v", st)
			}
		} else {
			wantSkipped(t, "FolderStatus", err)
		}
		noopOK(t, ctx, c)
	})
	for _, tc := range []struct{ name, resp string }{
		{"unsolicited UID 2^32+1", `* 1 FETCH (UID 4294967297 FLAGS (\Deleted))`},
		{"EXISTS 2^32", `* 4294967296 EXISTS`},
		{"EXISTS 2^64", `* 18446744073709551616 EXISTS`},
		{"UIDNEXT 2^32", `* OK [UIDNEXT 4294967296] next`},
		{"UIDVALIDITY 2^64", `* OK [UIDVALIDITY 18446744073709551617] v`},
	} {
		hostileCase(t, tc.name, 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
			var mu sync.Mutex
			var updates []imapclient.Update
			opts := &imapclient.Options{OnUpdate: func(u imapclient.Update) {
				mu.Lock()
				defer mu.Unlock()
				updates = append(updates, u)
			}}
			c := hostileSelected(t, opts, C("A2 NOOP"), S(tc.resp), S("A2 OK done"), C("A3 NOOP"), S("A3 OK done"))
			if _, err := c.Noop(ctx); err != nil {
				wantSkipped(t, "Noop", err)
			}
			mu.Lock()
			for _, u := range updates {
				switch u := u.(type) {
				case *imapclient.FetchUpdate:
					t.Errorf("an overflowing FETCH became an update: %+v", u)
				case *imapclient.ExistsUpdate:
					t.Errorf("an overflowing EXISTS became an update: %+v", u)
				}
			}
			mu.Unlock()
			if v, ok := c.FolderView(); !ok || v.Exists != 1 || v.UIDValidity != 7 {
				t.Errorf("the folder view took the overflowing number: %+v", v)
			}
			noopOK(t, ctx, c)
		})
	}
}

// TestHostileCodes: response codes whose numbers or sets claim far more
// than the command concerned must not be expanded into memory, nor
// truncated into other numbers.
func TestHostileCodes(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	// The MOVE fallback flags and expunges only the messages the server
	// says it copied: a COPYUID naming 16 million UIDs for one message
	// must cost nothing, and touch nothing else.
	hostileCase(t, "COPYUID with 2^24 UIDs in the MOVE fallback", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClientCaps(t, "IMAP4rev1 UIDPLUS", nil, append(append([]fakeserver.Step{}, hostileSelect...),
			C("A2 UID FETCH 5 (UID)"), S("* 1 FETCH (UID 5)"), S("A2 OK done"),
			C("A3 UID COPY 5 Archive"), S("A3 OK [COPYUID 7 1:16777215 1:16777215] done"),
			C(`A4 UID STORE 5 +FLAGS.SILENT (\Deleted)`), S("A4 OK done"),
			C("A5 UID EXPUNGE 5"), S("* 1 EXPUNGE"), S("A5 OK done"))...)
		if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Move(ctx, imapclient.ID(5), "Archive"); err != nil {
			t.Fatalf("Move: %v", err)
		}
	})
	hostileCase(t, "APPENDUID past 32 bits", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, fakeserver.CMatch(`A1 APPEND INBOX \{\d+\+\}`), fakeserver.CLiteral(12), C(""),
			S("A1 OK [APPENDUID 4294967297 4294967298] done"), C("A2 NOOP"), S("A2 OK done"))
		res, err := c.Append(ctx, "INBOX", []byte("Subject: x\r\n"), nil, time.Time{})
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if res.UIDValidity == 1 || res.UID == 2 {
			t.Errorf("APPENDUID truncated: %+v", res)
		}
		noopOK(t, ctx, c)
	})
}
