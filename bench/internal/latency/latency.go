// Package latency is a TCP proxy that adds a fixed one-way delay in each
// direction, simulating a remote server on loopback without limiting the
// bandwidth: each direction reads chunks as they come, stamps them with
// the time they may be delivered, and a writer delivers them in order once
// that time has come. A chunk is never held longer than the delay (plus
// the timer's slack), however much data is in flight.
package latency

import (
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// Proxy forwards connections to Upstream with Delay added each way.
type Proxy struct {
	Upstream string
	Delay    time.Duration
	Logf     func(format string, args ...any)

	ln net.Listener
	wg sync.WaitGroup
}

// Listen starts the proxy on addr ("127.0.0.1:0" for a free port).
func (p *Proxy) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p.ln = ln
	if p.Logf == nil {
		p.Logf = log.Printf
	}
	p.wg.Add(1)
	go p.accept()
	return ln.Addr(), nil
}

// Close stops accepting and waits for the open connections to end.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

func (p *Proxy) serve(client net.Conn) {
	defer client.Close()
	up, err := net.Dial("tcp", p.Upstream)
	if err != nil {
		p.Logf("latency: dial %s: %v", p.Upstream, err)
		return
	}
	defer up.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(up, client) }()
	go func() { defer wg.Done(); p.pipe(client, up) }()
	wg.Wait()
}

type chunk struct {
	due  time.Time
	data []byte // nil: end of stream
}

const chunkSize = 64 << 10

var pool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// pipe copies src to dst, delaying every chunk by p.Delay.
func (p *Proxy) pipe(dst, src net.Conn) {
	// Enough room for the bytes of one delay at several GB/s: the reader
	// never waits for the writer unless the receiver is slow.
	q := make(chan chunk, 4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		timer := time.NewTimer(time.Hour)
		defer timer.Stop()
		broken := false
		for c := range q {
			if c.data == nil {
				if tc, ok := dst.(*net.TCPConn); ok && !broken {
					time.Sleep(time.Until(c.due))
					tc.CloseWrite()
				}
				continue
			}
			if wait := time.Until(c.due); wait > 0 {
				timer.Reset(wait)
				<-timer.C
			}
			if !broken {
				if _, err := dst.Write(c.data); err != nil {
					broken = true
				}
			}
			b := c.data[:cap(c.data)]
			pool.Put(&b)
		}
	}()
	for {
		bp := pool.Get().(*[]byte)
		n, err := src.Read(*bp)
		if n > 0 {
			q <- chunk{due: time.Now().Add(p.Delay), data: (*bp)[:n]}
		} else {
			pool.Put(bp)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.Logf("latency: read: %v", err)
			}
			q <- chunk{due: time.Now().Add(p.Delay)}
			break
		}
	}
	close(q)
	<-done
}
