// Package measure holds what the Go runners share: flags, a byte-counting
// net.Conn, the measurement of one timed section and the JSON result.
package measure

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Flags are the runners' common flags.
type Flags struct {
	Scenario  string
	Addr      string
	User      string
	Pass      string
	Label     string
	AppendDir string
	Out       string
	Compress  bool
	CPUProf   string
	MemProf   string
	// HeapEvery is how often the peak-heap sampler wakes between
	// collections; it also reads the heap once after every collection.
	HeapEvery time.Duration
}

// Parse parses the common flags.
func Parse() *Flags {
	f := &Flags{}
	flag.StringVar(&f.Scenario, "scenario", "", "search, metadata, bodies, stream, append, copy, move")
	flag.StringVar(&f.Addr, "addr", "127.0.0.1:143", "server address (plain IMAP)")
	flag.StringVar(&f.User, "user", "alice", "user name")
	flag.StringVar(&f.Pass, "pass", "alicepw", "password")
	flag.StringVar(&f.Label, "label", "", "label of the result (default: the scenario)")
	flag.StringVar(&f.AppendDir, "append-dir", "", "directory of .eml files for the append scenario")
	flag.StringVar(&f.Out, "out", "", "output file for the stream scenario (default: a temp file, removed)")
	flag.BoolVar(&f.Compress, "compress", false, "turn on COMPRESS=DEFLATE")
	flag.StringVar(&f.CPUProf, "cpuprofile", "", "write a CPU profile of the timed section")
	flag.StringVar(&f.MemProf, "memprofile", "", "write an allocation profile after the timed section")
	flag.DurationVar(&f.HeapEvery, "heap-every", 10*time.Millisecond, "peak-heap sampling interval (the heap is also read after every collection)")
	flag.Parse()
	if f.Label == "" {
		f.Label = f.Scenario
	}
	return f
}

// Fatal prints an error result and exits.
func Fatal(peer string, f *Flags, err error) {
	fmt.Fprintf(os.Stderr, "%s %s: %v\n", peer, f.Scenario, err)
	json.NewEncoder(os.Stdout).Encode(map[string]any{"peer": peer, "scenario": f.Label, "error": err.Error()})
	os.Exit(1)
}

// Conn counts the bytes read and written on a net.Conn.
type Conn struct {
	net.Conn
	In, Out atomic.Int64
}

func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.In.Add(int64(n))
	return n, err
}

func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.Out.Add(int64(n))
	return n, err
}

// Dial connects with a counting conn.
func Dial(addr string) (*Conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: nc}, nil
}

// Result is one runner's output, one JSON object.
type Result struct {
	Peer     string  `json:"peer"`
	Scenario string  `json:"scenario"`
	WallS    float64 `json:"wall_s"`
	CPUS     float64 `json:"cpu_s"`
	// AllocBytes is runtime.MemStats.TotalAlloc over the timed section.
	AllocBytes int64 `json:"alloc_bytes"`
	// PeakHeapBytes is the highest live-and-unswept heap (heap objects,
	// runtime/metrics) seen during the timed section: read after every
	// collection, when the heap is at its highest (unswept objects still
	// count), every HeapEvery in between, and at the end.
	PeakHeapBytes int64 `json:"peak_heap_bytes"`
	// PeakRSSBytes is getrusage's maxrss of the whole process.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// WireIn and WireOut count the bytes on the socket during the timed
	// section (compressed, when COMPRESS is on).
	WireIn  int64 `json:"wire_in"`
	WireOut int64 `json:"wire_out"`
	// Messages and Bytes are what the scenario handled (messages fetched,
	// appended, copied; payload bytes) as a sanity check.
	Messages int64  `json:"messages"`
	Bytes    int64  `json:"bytes"`
	Note     string `json:"note,omitempty"`
}

// Timer measures one timed section.
type Timer struct {
	peer, scenario string
	conn           *Conn
	start          time.Time
	ru             syscall.Rusage
	ms             runtime.MemStats
	in0, out0      int64
	peak           atomic.Int64
	stopped        atomic.Bool
	every          time.Duration
	stop           chan struct{}
	done           sync.WaitGroup
	cpuProf        *os.File
	memProf        string
}

func cpu(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Start begins the timed section. conn may be nil.
func Start(peer string, f *Flags, conn *Conn) *Timer {
	t := &Timer{peer: peer, scenario: f.Label, conn: conn, stop: make(chan struct{}), memProf: f.MemProf, every: f.HeapEvery}
	if f.MemProf != "" {
		runtime.MemProfileRate = 64 << 10
	}
	runtime.GC()
	debug.FreeOSMemory()
	if f.CPUProf != "" {
		pf, err := os.Create(f.CPUProf)
		if err == nil && pprof.StartCPUProfile(pf) == nil {
			t.cpuProf = pf
		}
	}
	if conn != nil {
		t.in0, t.out0 = conn.In.Load(), conn.Out.Load()
	}
	runtime.ReadMemStats(&t.ms)
	t.done.Add(1)
	go t.sample()
	t.armGC()
	syscall.Getrusage(syscall.RUSAGE_SELF, &t.ru)
	t.start = time.Now()
	return t
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// readHeap reads the heap-objects metric and raises the peak to it.
func (t *Timer) readHeap() {
	s := [1]metrics.Sample{{Name: heapMetric}}
	metrics.Read(s[:])
	v := int64(s[0].Value.Uint64())
	for {
		p := t.peak.Load()
		if v <= p || t.peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// armGC reads the heap after the next collection and re-arms itself until
// the timed section stops. The heap (unswept objects included) is at its
// highest as a collection ends, so a read there sees the peak without a
// sampler that wakes often: a 1 ms ticker cost about 0.1 s of CPU over a
// 3 s run, charged to every peer alike.
func (t *Timer) armGC() {
	sentinel := new([64]byte) // not a tiny allocation, so it is collected on its own
	runtime.AddCleanup(sentinel, func(t *Timer) {
		t.readHeap()
		if !t.stopped.Load() {
			t.armGC()
		}
	}, t)
}

func (t *Timer) sample() {
	defer t.done.Done()
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		t.readHeap()
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
	}
}

// Stop ends the timed section and returns the result.
func (t *Timer) Stop(messages, bytes int64) *Result {
	wall := time.Since(t.start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t.stopped.Store(true)
	t.readHeap()
	close(t.stop)
	t.done.Wait()
	if t.cpuProf != nil {
		pprof.StopCPUProfile()
		t.cpuProf.Close()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if t.memProf != "" {
		if pf, err := os.Create(t.memProf); err == nil {
			pprof.Lookup("allocs").WriteTo(pf, 0)
			pf.Close()
		}
	}
	r := &Result{
		Peer: t.peer, Scenario: t.scenario,
		WallS:         wall.Seconds(),
		CPUS:          (cpu(&ru) - cpu(&t.ru)).Seconds(),
		AllocBytes:    int64(ms.TotalAlloc - t.ms.TotalAlloc),
		PeakHeapBytes: t.peak.Load(),
		PeakRSSBytes:  ru.Maxrss * 1024,
		Messages:      messages,
		Bytes:         bytes,
	}
	if t.conn != nil {
		r.WireIn = t.conn.In.Load() - t.in0
		r.WireOut = t.conn.Out.Load() - t.out0
	}
	return r
}

// Print writes the result as one JSON line to stdout.
func (r *Result) Print() {
	json.NewEncoder(os.Stdout).Encode(r)
}

// LoadAppendDir reads the .eml files of dir in name order.
func LoadAppendDir(dir string) ([][]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .eml files in %q", dir)
	}
	sort.Strings(names)
	out := make([][]byte, len(names))
	for i, n := range names {
		if out[i], err = os.ReadFile(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TempFolder returns a folder name unique to this process.
func TempFolder(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9)
}

// OutFile opens the output file of the stream scenario; cleanup removes
// it when it was a temp file. It first flushes what earlier runs left in
// the page cache (sync(2)): the 100 MB a previous peer wrote must not be
// written back to disk during the next peer's timed section.
func OutFile(f *Flags) (*os.File, func(), error) {
	syscall.Sync()
	if f.Out != "" {
		fh, err := os.Create(f.Out)
		return fh, func() { fh.Close() }, err
	}
	fh, err := os.CreateTemp("", "imapbench-stream-*")
	if err != nil {
		return nil, nil, err
	}
	return fh, func() { fh.Close(); os.Remove(fh.Name()) }, nil
}

// Scenario constants: the folders and the request.
const (
	Inbox         = "INBOX"
	BodiesFolder  = "Bodies"
	BigFolder     = "Big"
	MetadataItems = "UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE"
	// SearchRepeat is how many UID SEARCH ALL the search scenario sends,
	// one after the other: one takes some 50 ms, too short to time alone
	// on a shared machine.
	SearchRepeat = 10
)
