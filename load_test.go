package imapclient_test

// Load (issue 7): many connections doing mixed work at once against the
// rig's Dovecot, and one Client shared by many goroutines. Run under -race
// by scripts/test.sh. The package's TestMain fails the run when goroutines
// are left behind; bench/cmd/idlemem measures idle connections.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

// loadSeconds is how long the connections of the load test work:
// IMAPTEST_LOAD_SECONDS, default 8.
func loadSeconds(t *testing.T) time.Duration {
	s := os.Getenv("IMAPTEST_LOAD_SECONDS")
	if s == "" {
		return 8 * time.Second
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		t.Fatalf("IMAPTEST_LOAD_SECONDS=%q: want a positive number", s)
	}
	return time.Duration(f * float64(time.Second))
}

// heapInuse returns HeapInuse after two collections (the second empties
// sync.Pool's victim caches).
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestDovecotLoadConcurrentConnections opens 200 connections to the rig's
// Dovecot (half implicit TLS, half plaintext; 50 per user) and has each do
// mixed work for a bounded time: APPEND, SELECT, FETCH, SEARCH, STORE and
// NOOP on its own messages in a folder its user's other connections work
// in too (so every connection also receives the others' EXISTS and FETCH
// updates). Every call must succeed and return the right answer; after
// the connections are closed the heap must be back where it started.
func TestDovecotLoadConcurrentConnections(t *testing.T) {
	s := testrig.RequireDovecot(t)
	const conns = 200
	work := loadSeconds(t)
	users := []testrig.User{testrig.Alice, testrig.Bob, testrig.Carol, testrig.Dave}

	// One folder per user, created and deleted by a helper connection.
	folders := make([]string, len(users))
	for i, u := range users {
		c := dialTLS(t, s, nil)
		login(t, c, u)
		folders[i] = tempFolder(t, c, "Load")
	}

	before := heapInuse()
	ctx, cancel := context.WithTimeout(context.Background(), work+60*time.Second)
	defer cancel()

	var (
		wg      sync.WaitGroup
		ready   sync.WaitGroup // every connection is logged in
		start   = make(chan struct{})
		mu      sync.Mutex
		errs    []error
		rounds  = make([]int, conns)
		ops     atomic.Int64
		clients = make([]*imapclient.Client, conns)
	)
	fail := func(i int, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 20 {
			errs = append(errs, fmt.Errorf("connection %d: "+format, append([]any{i}, args...)...))
		}
	}
	tlsConfig := s.TLSConfig(t)
	ready.Add(conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, folder := users[i%len(users)], folders[i%len(users)]
			o := &imapclient.Options{Security: imapclient.Plaintext, AllowInsecureAuth: true}
			addr := s.Addr
			if i%2 == 0 {
				o = &imapclient.Options{TLSConfig: tlsConfig.Clone()}
				addr = s.TLSAddr
			}
			c, err := imapclient.Dial(ctx, addr, o)
			if err == nil {
				clients[i] = c
				err = c.Login(ctx, u.Name, u.Password)
			}
			ready.Done()
			if err != nil {
				fail(i, "connect: %v", err)
				return
			}
			<-start
			if err := loadWork(ctx, c, i, folder, &rounds[i], &ops); err != nil {
				fail(i, "%v", err)
			}
			if err := c.Logout(ctx); err != nil {
				fail(i, "Logout: %v", err)
			}
		}()
	}
	ready.Wait()
	// The connections work together until the deadline.
	t0 := time.Now()
	deadline := t0.Add(work)
	loadDeadline.Store(&deadline)
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	for _, c := range clients {
		if c != nil {
			c.Close()
		}
	}
	for _, err := range errs {
		t.Error(err)
	}
	idle := 0
	for _, r := range rounds {
		if r == 0 {
			idle++
		}
	}
	if idle > 0 && len(errs) == 0 {
		t.Errorf("%d of %d connections did not complete one round in %v", idle, conns, work)
	}
	t.Logf("%d connections, %d calls in %v (%.0f calls/s)", conns, ops.Load(), elapsed.Round(time.Millisecond), float64(ops.Load())/elapsed.Seconds())

	clear(clients)
	after := heapInuse()
	t.Logf("HeapInuse before %d KiB, after %d KiB", before>>10, after>>10)
	// 200 connections leaking 10 KiB each would add 2 MiB.
	const bound = 2 << 20
	if after > before+bound {
		t.Errorf("HeapInuse grew from %d KiB to %d KiB after the connections closed (bound %d KiB)", before>>10, after>>10, bound>>10)
	}
}

// loadDeadline is when the load test's connections stop starting rounds.
var loadDeadline atomic.Pointer[time.Time]

// loadWork is one connection's share of the load test: rounds of APPEND,
// SELECT (every fifth round), FETCH, SEARCH, STORE and NOOP on a message
// of its own, each answer checked, until the deadline.
func loadWork(ctx context.Context, c *imapclient.Client, id int, folder string, rounds *int, ops *atomic.Int64) error {
	var q imapclient.Criteria
	selected := false
	for r := 0; time.Now().Before(*loadDeadline.Load()); r++ {
		// Fixed width: no token is a substring of another.
		token := fmt.Sprintf("L%03dR%05dZ", id, r)
		msg := testMessage("load@example.org", "rig@example.org", "load "+token, "round "+token)
		res, err := c.Append(ctx, folder, []byte(msg), nil, time.Time{})
		if err != nil {
			return fmt.Errorf("round %d: Append: %w", r, err)
		}
		if res.UID == 0 {
			return fmt.Errorf("round %d: Append: no APPENDUID", r)
		}
		uid := res.UID
		if !selected || r%5 == 0 {
			if _, err := c.SelectFolder(ctx, folder, false); err != nil {
				return fmt.Errorf("round %d: SelectFolder: %w", r, err)
			}
			selected = true
		}
		got, err := c.Fetch(ctx, imapclient.ID(uid), []string{"FLAGS", "ENVELOPE", "RFC822.SIZE"})
		if err != nil {
			return fmt.Errorf("round %d: Fetch: %w", r, err)
		}
		m := got[uid]
		if m == nil || m.Envelope == nil || m.Envelope.Subject != "load "+token || m.Size != int64(len(msg)) || !sameSet(m.Flags, nil) {
			return fmt.Errorf("round %d: Fetch(%d) = %+v", r, uid, m)
		}
		flag := imapclient.Flagged
		if r%2 == 1 {
			flag = imapclient.Seen
		}
		fl, err := c.AddFlags(ctx, imapclient.ID(uid), []string{flag}, false)
		if err != nil {
			return fmt.Errorf("round %d: AddFlags: %w", r, err)
		}
		if !sameSet(fl[uid], []string{flag}) {
			return fmt.Errorf("round %d: AddFlags(%d, %s) = %v", r, uid, flag, fl[uid])
		}
		crit := q.Subject(token).Flagged()
		if flag == imapclient.Seen {
			crit = q.Subject(token).Seen()
		}
		sr, err := c.Search(ctx, crit, nil)
		if err != nil {
			return fmt.Errorf("round %d: Search: %w", r, err)
		}
		if !slices.Equal(sr.IDs, []uint32{uid}) {
			return fmt.Errorf("round %d: Search(%s) = %v, want [%d]", r, token, sr.IDs, uid)
		}
		if _, err := c.Noop(ctx); err != nil {
			return fmt.Errorf("round %d: Noop: %w", r, err)
		}
		*rounds = r + 1
		ops.Add(7)
	}
	return nil
}

// TestServerSharedClient50Goroutines shares one Client between 50
// goroutines, each working on a message of its own: it sets a flag
// combination, reads it back with FETCH and SEARCH, and checks the
// envelope, many times over. Every answer must be the goroutine's own.
func TestServerSharedClient50Goroutines(t *testing.T) {
	c, _ := serverLoggedIn(t)
	ctx := ctxT(t)
	const workers, rounds = 50, 8
	folder := tempFolder(t, c, "Shared")
	uids := make([]uint32, workers)
	for i := range uids {
		msg := testMessage("shared@example.org", "rig@example.org", fmt.Sprintf("shared W%02dZ", i), "body")
		res, err := c.Append(ctx, folder, []byte(msg), nil, time.Time{})
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		if res.UID == 0 {
			t.Fatalf("Append %d: no APPENDUID", i)
		}
		uids[i] = res.UID
	}
	if _, err := c.SelectFolder(ctx, folder, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.UnselectFolder(context.Background()) })

	all := []string{imapclient.Seen, imapclient.Flagged, imapclient.Answered, imapclient.Draft}
	flagsFor := func(bits int) []string {
		var fs []string
		for b, f := range all {
			if bits&(1<<b) != 0 {
				fs = append(fs, f)
			}
		}
		if fs == nil {
			fs = []string{}
		}
		return fs
	}
	var q imapclient.Criteria
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uid := uids[i]
			subject := fmt.Sprintf("shared W%02dZ", i)
			for r := range rounds {
				want := flagsFor((i + r*7) % 16)
				fl, err := c.SetFlags(ctx, imapclient.ID(uid), want, false)
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: SetFlags: %w", i, r, err)
					return
				}
				if !sameSet(fl[uid], want) {
					errs <- fmt.Errorf("worker %d round %d: SetFlags(%v) returned %v", i, r, want, fl[uid])
					return
				}
				got, err := c.Fetch(ctx, imapclient.ID(uid), []string{"FLAGS", "ENVELOPE"})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: Fetch: %w", i, r, err)
					return
				}
				m := got[uid]
				if m == nil || len(got) != 1 || m.Envelope == nil || m.Envelope.Subject != subject || !sameSet(m.Flags, want) {
					errs <- fmt.Errorf("worker %d round %d: Fetch = %d messages, %+v; want subject %q flags %v", i, r, len(got), m, subject, want)
					return
				}
				// SEARCH: the message is found with its own subject and
				// flags, and not with a flag it lacks.
				crit := q.UID(imapclient.ID(uid)).Subject(subject)
				var missing string
				for _, f := range all {
					if slices.Contains(want, f) {
						crit = crit.Flag(f)
					} else if missing == "" {
						missing = f
					}
				}
				sr, err := c.Search(ctx, crit, nil)
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: Search: %w", i, r, err)
					return
				}
				if !slices.Equal(sr.IDs, []uint32{uid}) {
					errs <- fmt.Errorf("worker %d round %d: Search(own flags %v) = %v, want [%d]", i, r, want, sr.IDs, uid)
					return
				}
				if missing != "" {
					sr, err := c.Search(ctx, q.UID(imapclient.ID(uid)).Flag(missing), nil)
					if err != nil {
						errs <- fmt.Errorf("worker %d round %d: Search: %w", i, r, err)
						return
					}
					if len(sr.IDs) != 0 {
						errs <- fmt.Errorf("worker %d round %d: Search(%s) = %v, want none (flags %v)", i, r, missing, sr.IDs, want)
						return
					}
				}
				if _, err := c.Noop(ctx); err != nil {
					errs <- fmt.Errorf("worker %d round %d: Noop: %w", i, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Everyone's last word stands.
	got, err := c.GetFlags(ctx, imapclient.IDs(uids))
	if err != nil {
		t.Fatal(err)
	}
	for i, uid := range uids {
		if want := flagsFor((i + (rounds-1)*7) % 16); !sameSet(got[uid], want) {
			t.Errorf("message of worker %d: flags %v, want %v", i, got[uid], want)
		}
	}
}

// sameSet reports whether a and b hold the same flags, in any order,
// ignoring \Recent (which the server sets on its own).
func sameSet(a, b []string) bool {
	a = slices.DeleteFunc(slices.Clone(a), func(f string) bool { return f == imapclient.Recent })
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
