// Package leakcheck finds goroutines of this module that outlive a test
// run. Test packages call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(leakcheck.Run(m)) }
//
// A goroutine meant to live as long as the test binary (the accept loop of
// a server shared by every test, see internal/testrig) is started with
// [Background]: its stack then holds this package's frame, and neither
// [Leaked] nor other checks that ignore this package's goroutines report it.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Run runs the tests and then fails the run when goroutines whose stacks
// hold this module's code are still running after a grace period of 3
// seconds (connections being closed, servers shutting down).
func Run(m *testing.M) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	if leaked := Leaked(3 * time.Second); leaked != "" {
		fmt.Fprintf(os.Stderr, "FAIL: goroutines still running after the tests:\n\n%s\n", leaked)
		return 1
	}
	return 0
}

// Leaked waits up to grace for the module's goroutines to end and returns
// the stacks of those still running, or "".
func Leaked(grace time.Duration) string {
	deadline := time.Now().Add(grace)
	for {
		var leaked []string
		buf := make([]byte, 8<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/imapclient-go/imapclient") &&
				!strings.Contains(g, "internal/leakcheck.") &&
				!strings.Contains(g, ".TestMain(") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Background runs f in a new goroutine that is expected to outlive the
// tests: [Leaked] does not report it (nor what f calls, as long as f runs
// in that goroutine). Goroutines that f starts are reported as usual.
func Background(f func()) {
	go background(f)
}

// background is the frame that marks a goroutine started by Background.
//
//go:noinline
func background(f func()) {
	f()
}
