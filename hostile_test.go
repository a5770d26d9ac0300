package imapclient_test

// The hostile-server suite: a scripted server (internal/fakeserver) sends
// what no honest server would, and every case must end in a typed error,
// or be tolerated where the grammar allows, within its deadline, with the
// client's memory bounded (measured around the case) and no goroutine left
// behind (checked after each case; TestMain checks the whole run too).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

const (
	hostileCaps = "IMAP4rev1 LITERAL+ UIDPLUS MOVE ID"
	mib         = 1 << 20
	// hostileHeap is the heap growth a case may cause: far below the
	// sizes the hostile server announces or sends.
	hostileHeap = 16 * mib
	// tera is the literal size a hostile server announces: 2^40 bytes.
	tera = int64(1) << 40
)

// hostileSelect is the script prefix that answers SelectFolder("INBOX").
var hostileSelect = []fakeserver.Step{
	fakeserver.C("A1 SELECT INBOX"),
	fakeserver.S("* 1 EXISTS"),
	fakeserver.S("* OK [UIDVALIDITY 7] ok"),
	fakeserver.S("A1 OK [READ-WRITE] SELECT completed"),
}

// hostileClient starts a fake server that greets with PREAUTH and plays
// script, and returns a client connected to it (closed when the test
// ends, before the server).
func hostileClient(t *testing.T, opts *imapclient.Options, script ...fakeserver.Step) *imapclient.Client {
	t.Helper()
	return hostileClientCaps(t, hostileCaps, opts, script...)
}

// hostileClientCaps is hostileClient with the capabilities given.
func hostileClientCaps(t *testing.T, caps string, opts *imapclient.Options, script ...fakeserver.Step) *imapclient.Client {
	t.Helper()
	greet := fakeserver.S("* PREAUTH [CAPABILITY " + caps + "] hostile server")
	nc := fakeserver.Start(t, append([]fakeserver.Step{greet}, script...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := imapclient.New(ctx, nc, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// hostileSelected is hostileClient with INBOX selected.
func hostileSelected(t *testing.T, opts *imapclient.Options, script ...fakeserver.Step) *imapclient.Client {
	t.Helper()
	c := hostileClient(t, opts, append(append([]fakeserver.Step{}, hostileSelect...), script...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		t.Fatalf("SelectFolder: %v", err)
	}
	return c
}

// heapProbe measures the heap during a case: the peak of the live heap
// (sampled every millisecond, with the garbage collector made eager so
// that garbage hardly counts) and what is still retained at the end.
type heapProbe struct {
	base   uint64
	peak   atomic.Uint64
	gcPct  int
	stopc  chan struct{}
	done   chan struct{}
	sample []metrics.Sample
}

func startHeapProbe() *heapProbe {
	p := &heapProbe{stopc: make(chan struct{}), done: make(chan struct{}),
		sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
	p.gcPct = debug.SetGCPercent(10)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.base = ms.HeapAlloc
	p.peak.Store(p.base)
	go func() {
		defer close(p.done)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-p.stopc:
				return
			case <-tk.C:
				metrics.Read(p.sample)
				if v := p.sample[0].Value.Uint64(); v > p.peak.Load() {
					p.peak.Store(v)
				}
			}
		}
	}()
	return p
}

// stop returns the peak growth and the growth still retained after a
// collection, in bytes.
func (p *heapProbe) stop() (peak, retained int64) {
	close(p.stopc)
	<-p.done
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.SetGCPercent(p.gcPct)
	return int64(p.peak.Load()) - int64(p.base), int64(ms.HeapAlloc) - int64(p.base)
}

// hostileLeaks waits up to grace for goroutines running this module's
// code outside a test function (clients, watchers, fake servers) to end,
// and returns the stacks of those still running.
func hostileLeaks(grace time.Duration) string {
	deadline := time.Now().Add(grace)
	for {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/imapclient-go/imapclient") &&
				!strings.Contains(g, "testing.tRunner") &&
				!strings.Contains(g, "internal/leakcheck") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hostileCase runs fn as a subtest with a context bounded by deadline,
// and checks that it returned within the deadline (plus a second for the
// scheduler and the race detector), that the heap grew by less than
// maxHeap at its peak and keeps less than maxHeap, and that no goroutine
// outlived it.
func hostileCase(t *testing.T, name string, deadline time.Duration, maxHeap int64, fn func(t *testing.T, ctx context.Context)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		probe := startHeapProbe()
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		defer func() { // also after t.Fatal in fn
			took := time.Since(start)
			cancel()
			peak, retained := probe.stop()
			t.Logf("returned after %v; heap: peak +%.1f MiB, retained +%.1f MiB", took.Round(time.Millisecond), float64(peak)/mib, float64(retained)/mib)
			if took > deadline+time.Second {
				t.Errorf("took %v, deadline %v", took, deadline)
			}
			if peak > maxHeap {
				t.Errorf("heap grew by %.1f MiB at its peak, limit %.1f MiB", float64(peak)/mib, float64(maxHeap)/mib)
			}
			if retained > maxHeap {
				t.Errorf("heap retains %.1f MiB more after the case, limit %.1f MiB", float64(retained)/mib, float64(maxHeap)/mib)
			}
		}()
		fn(t, ctx)
	})
	if leaked := hostileLeaks(3 * time.Second); leaked != "" {
		t.Errorf("%s: goroutines left behind:\n%s", name, leaked)
	}
}

// wantAbort checks that err reports an unusable connection and wraps
// cause (when not nil).
func wantAbort(t *testing.T, what string, err error, cause error) {
	t.Helper()
	if !errors.Is(err, imapclient.ErrAbort) {
		t.Fatalf("%s: got %v (%T), want an error matching ErrAbort", what, err, err)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("%s: got %v, want it to wrap %v", what, err, cause)
	}
}

// wantLimit checks that err holds an *imapwire.LimitError for limit.
func wantLimit(t *testing.T, what string, err error, limit string) {
	t.Helper()
	var le *imapwire.LimitError
	if !errors.As(err, &le) || le.Limit != limit {
		t.Fatalf("%s: got %v (%T), want a *imapwire.LimitError for %s", what, err, err, limit)
	}
}

// wantSkipped checks that err reports a response the client skipped (a
// *imapclient.ProtocolError, or the decoder's *imapwire.SyntaxError or
// *imapwire.LimitError) without losing the connection.
func wantSkipped(t *testing.T, what string, err error) {
	t.Helper()
	var pe *imapclient.ProtocolError
	if !errors.As(err, &pe) && !imapwire.IsRecoverable(err) {
		t.Fatalf("%s: got %v (%T), want a *imapclient.ProtocolError or a recoverable decoding error", what, err, err)
	}
	if errors.Is(err, imapclient.ErrAbort) {
		t.Fatalf("%s: %v also matches ErrAbort: the connection should have stayed usable", what, err)
	}
}

// noopOK checks that the connection is still in step: NOOP as A<tag>.
func noopOK(t *testing.T, ctx context.Context, c *imapclient.Client) {
	t.Helper()
	if _, err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after the hostile response: %v (the connection should still be in step)", err)
	}
}

// stopOnCleanup returns a channel closed when the test ends, before the
// client and the server are closed: Do steps that stream or drip watch it.
func stopOnCleanup(t *testing.T) <-chan struct{} {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return stop
}

// stream is a Do step that writes n bytes of fill in chunks, without ever
// holding them, then tail. It stops quietly when the client hangs up or
// the test ends.
func stream(stop <-chan struct{}, head string, n int64, fill byte, tail string) fakeserver.Step {
	return fakeserver.Do(fmt.Sprintf("stream %d bytes", n), func(p *fakeserver.Peer) error {
		if err := p.Write([]byte(head)); err != nil {
			return nil
		}
		chunk := bytes.Repeat([]byte{fill}, 256<<10)
		for n > 0 {
			select {
			case <-stop:
				return nil
			default:
			}
			k := min(n, int64(len(chunk)))
			if err := p.Write(chunk[:k]); err != nil {
				return nil // the client hung up: that is its right
			}
			n -= k
		}
		if tail != "" {
			if err := p.Write([]byte(tail)); err != nil {
				return nil
			}
		}
		return nil
	})
}

// drip is a Do step that sends s one byte per interval. It stops quietly
// when the client hangs up or the test ends.
func drip(stop <-chan struct{}, s string, interval time.Duration) fakeserver.Step {
	return fakeserver.Do("drip "+s, func(p *fakeserver.Peer) error {
		for i := 0; i < len(s); i++ {
			select {
			case <-stop:
				return nil
			case <-time.After(interval):
			}
			if err := p.Write([]byte{s[i]}); err != nil {
				return nil
			}
		}
		return nil
	})
}

func TestHostileHugeLiteral(t *testing.T) {
	S, CM := fakeserver.S, fakeserver.CMatch
	announce := fmt.Sprintf("* 1 FETCH (UID 1 BODY[] {%d}\r\n", tera)

	// Fetch holds sections in memory: it must neither allocate what the
	// server announces nor wait for a terabyte; when the server hangs up
	// the error says the connection is gone.
	hostileCase(t, "fetch body 2^40, then hang up", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`), stream(stop, announce, 4*mib, 'x', ""), fakeserver.Close())
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"BODY.PEEK[]"})
		wantAbort(t, "Fetch", err, imapwire.ErrUnexpectedEOF)
	})
	// The same with a server that goes silent after a little data: the
	// context deadline ends the wait, with a timeout error.
	hostileCase(t, "fetch body 2^40, then silence", 2*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`), stream(stop, announce, mib, 'x', ""), fakeserver.Hold())
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"BODY.PEEK[]"})
		if err == nil || !imapclient.IsTimeout(err) {
			t.Fatalf("Fetch: got %v, want a timeout error", err)
		}
	})
	// FetchIter streams the section: the reader delivers what came and
	// then reports the lost connection.
	hostileCase(t, "fetch iter body 2^40", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`), stream(stop, announce, 4*mib, 'x', ""), fakeserver.Close())
		var got int64
		var last error
		for msg, err := range c.FetchIter(ctx, imapclient.ID(1), []string{"BODY.PEEK[]"}) {
			if err != nil {
				last = err
				break
			}
			for sec, err := range msg.BodySections() {
				if err != nil {
					last = err
					break
				}
				if sec.Size != tera {
					t.Errorf("section size %d, want %d", sec.Size, tera)
				}
				n, err := io.Copy(io.Discard, sec)
				got += n
				if err != nil {
					last = err
					break
				}
			}
		}
		if got != 4*mib {
			t.Errorf("read %d bytes of the section, want the %d sent", got, 4*mib)
		}
		wantAbort(t, "FetchIter", last, nil)
	})
	// A folder name is never streamed: a 2^40 literal is over MaxLiteral.
	hostileCase(t, "list name 2^40", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileClient(t, nil, CM(`A1 LIST "" "\*"`),
			stream(stop, fmt.Sprintf("* LIST () \"/\" {%d}\r\n", tera), 2*mib, 'n', ""), fakeserver.Close())
		_, err := c.ListFolders(ctx, "", "*")
		wantAbort(t, "ListFolders", err, nil)
	})
	// A name over MaxLiteral that does end is skipped, and the command
	// reports it; the connection stays in step.
	hostileCase(t, "list name over MaxLiteral", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		lim := &imapwire.Limits{MaxLiteral: mib}
		c := hostileClient(t, &imapclient.Options{Limits: lim}, CM(`A1 LIST "" "\*"`),
			stream(stop, fmt.Sprintf("* LIST () \"/\" {%d}\r\n", 3*mib), 3*mib, 'n', "\r\n* LIST () \"/\" INBOX\r\nA1 OK done\r\n"),
			fakeserver.C("A2 NOOP"), S("A2 OK done"))
		folders, err := c.ListFolders(ctx, "", "*")
		wantLimit(t, "ListFolders", err, "MaxLiteral")
		if len(folders) > 1 {
			t.Errorf("ListFolders returned %d folders, want at most INBOX", len(folders))
		}
		noopOK(t, ctx, c)
	})
}

func TestHostileDeepNesting(t *testing.T) {
	S, C, CM := fakeserver.S, fakeserver.C, fakeserver.CMatch
	const depth = 10000
	bs := strings.Repeat("(", depth) + `"text" "plain" NIL NIL NIL "7bit" 1 1` + strings.Repeat(")", depth) + ` "mixed"`
	hostileCase(t, "bodystructure 10000 levels", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`),
			S("* 1 FETCH (UID 1 BODYSTRUCTURE ("+bs+"))"),
			S("A2 OK done"), C("A3 NOOP"), S("A3 OK done"))
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"BODYSTRUCTURE"})
		wantSkipped(t, "Fetch", err)
		noopOK(t, ctx, c)
	})
	// Nesting in a response the client does not model (kept raw).
	hostileCase(t, "unknown response 10000 levels", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"),
			S("* XNEST "+strings.Repeat("(", depth)+strings.Repeat(")", depth)),
			S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		if _, err := c.Noop(ctx); err != nil {
			wantSkipped(t, "Noop", err)
		}
		noopOK(t, ctx, c)
	})
	hostileCase(t, "list attributes 10000 levels", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, CM(`A1 LIST "" "\*"`),
			S(`* LIST `+strings.Repeat("(", depth)+strings.Repeat(")", depth)+` "/" INBOX`),
			S("A1 OK done"), C("A2 NOOP"), S("A2 OK done"))
		_, err := c.ListFolders(ctx, "", "*")
		wantSkipped(t, "ListFolders", err)
		noopOK(t, ctx, c)
	})
}

func TestHostileLongLine(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	const size = 100 * mib
	// With MaxLine at 1 MiB, a 100 MB line without CRLF costs at most
	// about that much; the server then hangs up.
	hostileCase(t, "100 MB without CRLF, MaxLine 1 MiB", 20*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		opts := &imapclient.Options{Limits: &imapwire.Limits{MaxLine: mib}}
		c := hostileClient(t, opts, C("A1 NOOP"), stream(stop, "* OK ", size, 'x', ""), fakeserver.Close())
		_, err := c.Noop(ctx)
		wantAbort(t, "Noop", err, imapwire.ErrUnexpectedEOF)
	})
	// With the default limits the line is dropped once past MaxLine
	// (64 MiB): the memory it costs is bounded by that limit, and a line
	// that finally ends is skipped without losing the connection.
	// While the buffer doubles up to MaxLine the old and new buffers
	// are both alive for a moment: the peak is bounded by 1.5 MaxLine, and
	// nothing is retained once the line was dropped.
	hostileCase(t, "100 MB line, default limits", 30*time.Second, 2*imapwire.DefaultMaxLine+hostileHeap, func(t *testing.T, ctx context.Context) {
		stop := stopOnCleanup(t)
		c := hostileClient(t, nil, C("A1 NOOP"), stream(stop, "* OK ", size, 'x', "\r\nA1 OK done\r\n"),
			C("A2 NOOP"), S("A2 OK done"))
		_, err := c.Noop(ctx)
		wantLimit(t, "Noop", err, "MaxLine")
		wantSkipped(t, "Noop", err)
		noopOK(t, ctx, c)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > 3*imapwire.DefaultMaxLine/2 {
			t.Errorf("the heap holds %d MiB after the line was dropped", ms.HeapAlloc/mib)
		}
	})
}

func TestHostileCutResponses(t *testing.T) {
	S, C, CM := fakeserver.S, fakeserver.C, fakeserver.CMatch
	SRaw := func(s string) fakeserver.Step { return fakeserver.SRaw([]byte(s)) }
	hostileCase(t, "BYE inside a literal", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`),
			SRaw("* 1 FETCH (UID 1 BODY[] {100}\r\nSubject: hi\r\n\r\n* BYE shutting down\r\n"),
			fakeserver.Close())
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"BODY.PEEK[]"})
		wantAbort(t, "Fetch", err, imapwire.ErrUnexpectedEOF)
	})
	hostileCase(t, "BYE inside a large literal", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`),
			SRaw(fmt.Sprintf("* 1 FETCH (UID 1 BODY[] {%d}\r\n", 10*mib)),
			SRaw(strings.Repeat("z", 300<<10)+"\r\n* BYE shutting down\r\n"),
			fakeserver.Close())
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"BODY.PEEK[]"})
		wantAbort(t, "Fetch", err, imapwire.ErrUnexpectedEOF)
	})
	hostileCase(t, "closed mid-response", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileSelected(t, nil, CM(`A2 UID FETCH 1 \(.*\)`),
			SRaw(`* 1 FETCH (UID 1 FLAGS (\Seen`), fakeserver.Close())
		_, err := c.Fetch(ctx, imapclient.ID(1), []string{"FLAGS"})
		wantAbort(t, "Fetch", err, imapwire.ErrUnexpectedEOF)
		// Every later call fails at once, the same way.
		if _, err := c.Noop(ctx); !errors.Is(err, imapclient.ErrAbort) && !errors.Is(err, imapclient.ErrClosed) {
			t.Fatalf("Noop after the loss: %v", err)
		}
	})
	hostileCase(t, "closed between responses", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("* 3 EXISTS"), fakeserver.Close())
		_, err := c.Noop(ctx)
		wantAbort(t, "Noop", err, io.EOF)
	})
	hostileCase(t, "BYE then close", 5*time.Second, hostileHeap, func(t *testing.T, ctx context.Context) {
		c := hostileClient(t, nil, C("A1 NOOP"), S("* BYE [UNAVAILABLE] maintenance"), fakeserver.Close())
		_, err := c.Noop(ctx)
		wantAbort(t, "Noop", err, nil)
		if !strings.Contains(err.Error(), "maintenance") {
			t.Errorf("the error does not quote the BYE: %v", err)
		}
		if !imapclient.IsRetryable(err) {
			t.Errorf("IsRetryable(%v) = false", err)
		}
	})
}

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
