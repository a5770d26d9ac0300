// Command latencyproxy forwards TCP connections to -upstream with -delay
// added in each direction (10 ms each way: a 20 ms round trip), at full
// bandwidth. It prints the address it listens on, then serves until it is
// terminated.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/imapclient-go/imapclient/bench/internal/latency"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	upstream := flag.String("upstream", "", "address to forward to")
	delay := flag.Duration("delay", 10*time.Millisecond, "delay added in each direction")
	flag.Parse()
	if *upstream == "" {
		log.Fatal("latencyproxy: -upstream is required")
	}
	p := &latency.Proxy{Upstream: *upstream, Delay: *delay}
	addr, err := p.Listen(*listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
