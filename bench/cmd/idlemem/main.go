// Command idlemem measures the client memory of idle IMAP connections: it
// opens -n connections to one server (logged in, INBOX selected, IDLE
// running), then reports the growth of the Go heap and stacks (after GC)
// and of the process's resident set, per connection, as one JSON object.
//
// One process measures one library in one mode:
//
//	idlemem -lib ours   -addr 127.0.0.1:143 [-tls -ca ca.pem]
//	idlemem -lib goimap -addr 127.0.0.1:993 -tls -ca ca.pem
//
// With -tls, -addr is an implicit-TLS (imaps) port. The users (-users,
// "name:password" pairs separated by commas) are used in turn, so that a
// server's per-user connection limit is not hit.
//
// "ours" idles with Client.Idle (no goroutine while nobody waits for
// updates); go-imap v2 with Client.Idle, whose IdleCommand runs a
// goroutine next to the client's reader goroutine. Both libraries are used
// as their documentation shows.
//
// Connections are opened -par at a time. After the measurement every
// connection ends IDLE and sends NOOP, proving it was still held; "held"
// in the output counts those that answered. When a connection cannot be
// opened, or is lost, or the run takes longer than -timeout, the JSON
// object carries "error" and the exit status is 1.
//
//	idlemem -table -n 1000 [-check] [-max-ratio 0.67] < results
//
// reads the JSON lines of the four runs and prints the table of ratios
// ours/go-imap (see table).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap/v2/imapclient"

	"github.com/imapclient-go/imapclient"
)

type result struct {
	Lib         string  `json:"lib"`
	TLS         bool    `json:"tls"`
	N           int     `json:"n"`
	HeapStackKB float64 `json:"heap_stack_kb_per_conn"` // (HeapInuse+StackInuse) delta / N
	HeapKB      float64 `json:"heap_kb_per_conn"`
	StackKB     float64 `json:"stack_kb_per_conn"`
	RSSKB       float64 `json:"rss_kb_per_conn"`  // VmRSS delta / N
	Goroutines  int     `json:"goroutines_added"` // per N connections
	OpenS       float64 `json:"open_s"`           // opening all N
	OpenMaxS    float64 `json:"open_max_s"`       // the slowest connection
	Held        int     `json:"held"`             // alive after the measurement (opened, if opening failed)
	GoVersion   string  `json:"go"`
	Error       string  `json:"error,omitempty"`
}

// idler is one open, idling connection.
type idler interface {
	// check ends IDLE and sends NOOP: an error means the connection was
	// lost (it is used only after the measurement).
	check(ctx context.Context) error
	close()
}

func main() {
	lib := flag.String("lib", "ours", "library: ours or goimap")
	addr := flag.String("addr", "", "server host:port (implicit TLS with -tls)")
	useTLS := flag.Bool("tls", false, "implicit TLS")
	caFile := flag.String("ca", os.Getenv("IMAPTEST_CA_FILE"), "PEM CA file for -tls")
	n := flag.Int("n", 1000, "connections")
	par := flag.Int("par", 20, "connections opened at once")
	users := flag.String("users", "alice:alicepw,bob:bobpw", "name:password,... used in turn")
	settle := flag.Duration("settle", 2*time.Second, "wait after the last connection before measuring")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up (exit status 1) after this long")
	tableMode := flag.Bool("table", false, "read results on stdin and print the table (-n: the N wanted)")
	check := flag.Bool("check", false, "with -table: exit 1 when a heap+stack ratio is above -max-ratio")
	maxRatio := flag.Float64("max-ratio", 0.67, "with -table: ours/go-imap heap+stack target (issue 7: 2/3)")
	flag.Parse()
	if *tableMode {
		os.Exit(table(os.Stdin, os.Stdout, os.Stderr, *n, *check, *maxRatio))
	}
	if *addr == "" {
		fatal(errors.New("-addr is required"))
	}
	if *n < 1 {
		fatal(errors.New("-n must be at least 1"))
	}
	if *par < 1 {
		*par = 1
	}
	res := result{Lib: *lib, TLS: *useTLS, N: *n, GoVersion: runtime.Version()}
	// A stuck server must not hang CI: report and exit. go-imap v2's calls
	// take no context, so a deadline per call is not enough.
	base := res
	time.AfterFunc(*timeout, func() {
		fail(base, fmt.Errorf("not done after -timeout %v", *timeout))
	})
	var creds [][2]string
	for _, u := range strings.Split(*users, ",") {
		name, pass, ok := strings.Cut(u, ":")
		if !ok {
			fatal(fmt.Errorf("-users: %q is not name:password", u))
		}
		creds = append(creds, [2]string{name, pass})
	}
	var tc *tls.Config
	if *useTLS {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fatal(fmt.Errorf("-ca: %w", err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fatal(errors.New("-ca: no certificate"))
		}
		tc = &tls.Config{RootCAs: pool, ServerName: "localhost"}
	}
	var open func(user, pass string) (idler, error)
	switch *lib {
	case "ours":
		open = func(u, p string) (idler, error) { return openOurs(*addr, tc, u, p) }
	case "goimap":
		open = func(u, p string) (idler, error) { return openGoimap(*addr, tc, u, p) }
	default:
		fatal(fmt.Errorf("-lib %q: want ours or goimap", *lib))
	}

	// Warm up both paths once (TLS, package-level state, the runtime's
	// first allocations) so that the baseline holds them.
	w, err := open(creds[0][0], creds[0][1])
	if err != nil {
		fail(res, fmt.Errorf("warm-up connection: %w", err))
	}
	w.close()
	time.Sleep(200 * time.Millisecond)

	g0 := runtime.NumGoroutine()
	h0, s0 := memNow()
	r0 := rss()
	start := time.Now()
	conns := make([]idler, *n)
	var (
		mu       sync.Mutex
		firstErr error
		openMax  time.Duration
	)
	parallel(*n, *par, func(i int) {
		c := creds[i%len(creds)]
		t := time.Now()
		x, err := open(c[0], c[1])
		d := time.Since(t)
		mu.Lock()
		defer mu.Unlock()
		openMax = max(openMax, d)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("connection %d: %w", i, err)
			}
			return
		}
		conns[i] = x
	})
	res.OpenS = time.Since(start).Seconds()
	res.OpenMaxS = openMax.Seconds()
	if firstErr != nil {
		for _, c := range conns {
			if c != nil {
				res.Held++
				c.close()
			}
		}
		fail(res, firstErr)
	}
	time.Sleep(*settle)
	h1, s1 := memNow()
	r1 := rss()
	g1 := runtime.NumGoroutine()
	res.HeapStackKB = float64(h1+s1-h0-s0) / 1024 / float64(*n)
	res.HeapKB = float64(h1-h0) / 1024 / float64(*n)
	res.StackKB = float64(s1-s0) / 1024 / float64(*n)
	res.RSSKB = float64(r1-r0) / 1024 / float64(*n)
	res.Goroutines = g1 - g0

	// Were they all still there? Every connection ends IDLE and sends
	// NOOP (after the measurement, which this does not disturb).
	var lost error
	parallel(*n, *par, func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := conns[i].check(ctx)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if lost == nil {
				lost = fmt.Errorf("connection %d lost: %w", i, err)
			}
			return
		}
		res.Held++
	})
	for _, c := range conns {
		c.close()
	}
	if lost != nil {
		fail(res, lost)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

// parallel calls f(0) ... f(n-1), at most par at once, and waits for them.
func parallel(n, par int, f func(i int)) {
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// memNow returns HeapInuse and StackInuse after two full collections (the
// second frees what sync.Pool victim caches kept).
func memNow() (heap, stack int64) {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// rss returns VmRSS from /proc/self/status in bytes (0 when unknown).
func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "idlemem:", err)
	os.Exit(1)
}

// fail prints res with err as its error, for the driver to report, and
// exits with status 1.
func fail(res result, err error) {
	res.Error = err.Error()
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	fatal(err)
}

type oursIdler struct{ c *imapclient.Client }

func (o oursIdler) check(ctx context.Context) error {
	if _, err := o.c.IdleDone(ctx); err != nil {
		return err
	}
	_, err := o.c.Noop(ctx)
	return err
}

func (o oursIdler) close() { o.c.Close() }

func openOurs(addr string, tc *tls.Config, user, pass string) (idler, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o := &imapclient.Options{Security: imapclient.Plaintext, AllowInsecureAuth: true}
	if tc != nil {
		o = &imapclient.Options{Security: imapclient.ImplicitTLS, TLSConfig: tc.Clone()}
	}
	c, err := imapclient.Dial(ctx, addr, o)
	if err != nil {
		return nil, err
	}
	if err := c.Login(ctx, user, pass); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Idle(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return oursIdler{c}, nil
}

type goimapIdler struct {
	c    *goimap.Client
	idle *goimap.IdleCommand
}

// check ignores ctx: go-imap v2's calls take none (-timeout bounds them).
func (g goimapIdler) check(context.Context) error {
	if err := g.idle.Close(); err != nil {
		return err
	}
	if err := g.idle.Wait(); err != nil {
		return err
	}
	return g.c.Noop().Wait()
}

func (g goimapIdler) close() {
	g.idle.Close() // an error when check closed it already
	g.c.Close()
}

func openGoimap(addr string, tc *tls.Config, user, pass string) (idler, error) {
	var (
		c   *goimap.Client
		err error
	)
	if tc != nil {
		c, err = goimap.DialTLS(addr, &goimap.Options{TLSConfig: tc.Clone()})
	} else {
		c, err = goimap.DialInsecure(addr, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	idle, err := c.Idle()
	if err != nil {
		c.Close()
		return nil, err
	}
	return goimapIdler{c, idle}, nil
}
