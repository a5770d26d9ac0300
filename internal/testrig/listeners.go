package testrig

import (
	"net"
	"sync"
	"testing"
)

// SilentListener starts a TCP listener on 127.0.0.1 that accepts connections
// and never writes (nor reads) anything: a server that hangs before its
// greeting. Connections stay open until the test ends. It returns the
// listener's host:port; everything is closed by t.Cleanup.
func SilentListener(t testing.TB) string {
	t.Helper()
	return serve(t, true)
}

// ClosingListener starts a TCP listener on 127.0.0.1 that accepts connections
// and closes each at once, before any greeting. It returns its host:port;
// the listener is closed by t.Cleanup.
func ClosingListener(t testing.TB) string {
	t.Helper()
	return serve(t, false)
}

func serve(t testing.TB, keep bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testrig: listen: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // listener closed
			}
			if !keep {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
