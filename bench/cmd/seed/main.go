// Command seed fills a Dovecot user's Maildir (LAYOUT=fs) directly with a
// deterministic corpus, much faster than APPEND:
//
//	INBOX    -n messages (internal/corpus, 1 KB - 1 MB, most small)
//	Bodies   the first -bodies messages of INBOX (hard links)
//	Big      one message of -big-mb MB
//
// and writes -append-count messages with CRLF line endings into
// -append-dir for the APPEND scenario. Files are owned by -uid/-gid (the
// mail user). Dovecot indexes the folders on first access: warm up with a
// FETCH before timing anything.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapclient-go/imapclient/bench/internal/corpus"
)

func main() {
	maildir := flag.String("maildir", "", "the user's Maildir (INBOX at its root, LAYOUT=fs)")
	n := flag.Int("n", 100000, "messages in INBOX")
	bodies := flag.Int("bodies", 10000, "messages in the Bodies folder (the first of INBOX)")
	bigMB := flag.Int("big-mb", 100, "size of the message in folder Big, in MiB (0: none)")
	appendDir := flag.String("append-dir", "", "directory for the APPEND scenario's messages")
	appendCount := flag.Int("append-count", 1000, "messages to write into -append-dir")
	uid := flag.Int("uid", -1, "owner of the files (-1: unchanged)")
	gid := flag.Int("gid", -1, "group of the files (-1: unchanged)")
	seed := flag.Uint64("seed", 1, "corpus seed")
	flag.Parse()
	if *maildir == "" {
		log.Fatal("seed: -maildir is required")
	}
	start := time.Now()
	g := corpus.New(*seed)
	chown := func(p string) {
		if *uid >= 0 {
			if err := os.Lchown(p, *uid, *gid); err != nil {
				log.Fatal(err)
			}
		}
	}
	mkFolder := func(dir string) string {
		for _, sub := range []string{"", "cur", "new", "tmp"} {
			p := filepath.Join(dir, sub)
			if err := os.MkdirAll(p, 0o700); err != nil {
				log.Fatal(err)
			}
			chown(p)
		}
		return filepath.Join(dir, "cur")
	}
	inbox := mkFolder(*maildir)
	chown(filepath.Dir(*maildir))
	bodiesDir := ""
	if *bodies > 0 {
		bodiesDir = mkFolder(filepath.Join(*maildir, "Bodies"))
	}

	var total atomic.Int64
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= *n {
					return
				}
				m := g.Message(i)
				name := fmt.Sprintf("%d.M%dP1.benchseed,S=%d,W=%d:2,%s", m.Date.Unix(), i, len(m.Data), m.VSize(), m.Flags)
				p := filepath.Join(inbox, name)
				if err := os.WriteFile(p, m.Data, 0o600); err != nil {
					log.Fatal(err)
				}
				chown(p)
				if err := os.Chtimes(p, m.Date, m.Date); err != nil {
					log.Fatal(err)
				}
				if i < *bodies {
					if err := os.Link(p, filepath.Join(bodiesDir, name)); err != nil {
						log.Fatal(err)
					}
				}
				total.Add(int64(len(m.Data)))
			}
		}()
	}
	wg.Wait()
	log.Printf("seed: INBOX %d messages, %.1f MB; Bodies %d messages (%v)", *n, float64(total.Load())/1e6, min(*n, *bodies), time.Since(start).Round(time.Millisecond))

	if *bigMB > 0 {
		dir := mkFolder(filepath.Join(*maildir, "Big"))
		tmp := filepath.Join(dir, "..", "tmp", "big")
		f, err := os.Create(tmp)
		if err != nil {
			log.Fatal(err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		size, lines, err := g.WriteBig(bw, int64(*bigMB)<<20)
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			log.Fatal(err)
		}
		date := time.Date(2023, 1, 2, 9, 0, 0, 0, time.UTC)
		final := filepath.Join(dir, fmt.Sprintf("%d.M1P1.benchseed,S=%d,W=%d:2,S", date.Unix(), size, size+lines))
		if err := os.Rename(tmp, final); err != nil {
			log.Fatal(err)
		}
		chown(final)
		if err := os.Chtimes(final, date, date); err != nil {
			log.Fatal(err)
		}
		log.Printf("seed: Big: one message of %.1f MB", float64(size)/1e6)
	}

	if *appendDir != "" && *appendCount > 0 {
		if err := os.MkdirAll(*appendDir, 0o755); err != nil {
			log.Fatal(err)
		}
		var sum int64
		for k := range *appendCount {
			m := g.Message(50_000_000 + k)
			data := m.CRLF()
			sum += int64(len(data))
			if err := os.WriteFile(filepath.Join(*appendDir, fmt.Sprintf("msg-%05d.eml", k)), data, 0o644); err != nil {
				log.Fatal(err)
			}
		}
		log.Printf("seed: %d messages for APPEND in %s, %.1f MB", *appendCount, *appendDir, float64(sum)/1e6)
	}
	log.Printf("seed: done in %v", time.Since(start).Round(time.Millisecond))
}
