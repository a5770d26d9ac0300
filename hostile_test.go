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
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
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
