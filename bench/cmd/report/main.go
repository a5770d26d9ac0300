// Command report turns the runners' JSON lines into the results table
// (medians over the repetitions), the ratios against each peer and the
// check of the targets. It prints the report and writes it, with
// the machine's description, to -out.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
)

type result struct {
	Peer          string  `json:"peer"`
	Scenario      string  `json:"scenario"`
	WallS         float64 `json:"wall_s"`
	CPUS          float64 `json:"cpu_s"`
	AllocBytes    float64 `json:"alloc_bytes"`
	PeakHeapBytes float64 `json:"peak_heap_bytes"`
	PeakRSSBytes  float64 `json:"peak_rss_bytes"`
	WireIn        float64 `json:"wire_in"`
	WireOut       float64 `json:"wire_out"`
	Messages      float64 `json:"messages"`
	Bytes         float64 `json:"bytes"`
	Error         string  `json:"error"`
}

// agg is the median of each figure over the runs of one peer and scenario.
type agg struct {
	result
	runs  int
	walls []float64
	errs  []string
}

var (
	peerOrder     = []string{"raw", "ours", "go-imap", "imaplib"}
	scenarioOrder = []string{"search", "metadata", "metadata+compress", "bodies", "stream",
		"append", "append@20ms", "copy", "copy@20ms", "move", "move@20ms"}
)

func main() {
	in := flag.String("in", "", "JSON lines of the runs")
	out := flag.String("out", "", "results file to write (markdown)")
	machine := flag.String("machine", "", "machine description")
	goVer := flag.String("go", "", "Go version")
	dovecot := flag.String("dovecot", "", "Dovecot version")
	python := flag.String("python", "", "Python version")
	goimap := flag.String("goimap", "", "go-imap module version")
	load := flag.String("load", "", "load average during the run")
	data := flag.String("data", "", "data set")
	repeat := flag.Int("repeat", 3, "repetitions")
	repeatShort := flag.Int("repeat-short", 0, "repetitions of the short scenarios (0: as -repeat)")
	short := flag.String("short", "", "the short scenarios, space-separated")
	repeatMedium := flag.Int("repeat-medium", 0, "repetitions of the medium scenarios (0: as -repeat)")
	medium := flag.String("medium", "", "the medium scenarios, space-separated")
	delay := flag.String("delay", "10ms", "latency proxy delay each way")
	elapsed := flag.Int("elapsed", 0, "seconds the run took so far")
	slow := flag.Float64("slow", 0, "runs slower than this many seconds were not repeated")
	codec := flag.String("codec", "", "output of the codec microbenchmarks (go test -bench -v)")
	notesFile := flag.String("notes", "", "markdown appended to the results file (the analysis)")
	flag.Parse()

	runs, err := readRuns(*in)
	if err != nil {
		log.Fatal(err)
	}
	med := aggregate(runs)

	// reps describes the repetitions: "3 (search bodies stream: 40;
	// metadata: 10)".
	reps := fmt.Sprint(*repeat)
	var groups []string
	for _, g := range []struct {
		names string
		n     int
	}{{*short, *repeatShort}, {*medium, *repeatMedium}} {
		if g.names != "" && g.n > *repeat {
			groups = append(groups, fmt.Sprintf("%s: %d", g.names, g.n))
		}
	}
	if len(groups) > 0 {
		reps += " (" + strings.Join(groups, "; ") + ")"
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "# Benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `scripts/bench.sh` on %s. Every figure in the tables is the median of %s runs, one process per library, scenario and run; the peers take turns within each repetition, in an order shuffled afresh for each repetition. The wall-time targets compare mean wall times over the same runs (see Targets).\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), reps)
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	row2 := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, v)
		}
	}
	row2("machine", *machine)
	row2("Go", *goVer)
	row2("server", *dovecot+" (Dovecot, maildir, no quota plugin, on loopback)")
	row2("peers", "go-imap: "+*goimap+"; imaplib: "+*python+"; raw: a socket reader that parses nothing (the floor)")
	row2("data", *data)
	row2("latency proxy", fmt.Sprintf("%s each way (the @20ms scenarios)", *delay))
	row2("load average", *load)
	if *slow > 0 {
		row2("repetitions", fmt.Sprintf("%s; a run whose first repetition took over %g s was not repeated (see the runs column)", reps, *slow))
	}
	if *elapsed > 0 {
		row2("run time", fmt.Sprintf("%d s (seeding excluded when the data was cached)", *elapsed))
	}
	b.WriteString("\n")

	writeTable(&b, med)
	writeRatios(&b, med)
	writeTargets(&b, med)
	if *codec != "" {
		writeCodec(&b, *codec)
	}

	os.Stdout.Write(b.Bytes())
	if *out != "" {
		var full bytes.Buffer
		full.Write(b.Bytes())
		if *notesFile != "" {
			extra, err := os.ReadFile(*notesFile)
			if err != nil {
				log.Fatal(err)
			}
			full.Write(extra)
			full.WriteString("\n")
		}
		full.WriteString(notes)
		if err := os.WriteFile(*out, full.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func readRuns(path string) ([]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rs []result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%q: %v", line, err)
		}
		rs = append(rs, r)
	}
	return rs, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

type key struct{ scenario, peer string }

func aggregate(rs []result) map[key]*agg {
	groups := map[key][]result{}
	errs := map[key][]string{}
	for _, r := range rs {
		k := key{r.Scenario, r.Peer}
		if r.Error != "" {
			errs[k] = append(errs[k], r.Error)
			continue
		}
		groups[k] = append(groups[k], r)
	}
	out := map[key]*agg{}
	for k, g := range groups {
		col := func(f func(r *result) float64) float64 {
			v := make([]float64, len(g))
			for i := range g {
				v[i] = f(&g[i])
			}
			return median(v)
		}
		a := &agg{runs: len(g), errs: errs[k]}
		a.Peer, a.Scenario = k.peer, k.scenario
		a.WallS = col(func(r *result) float64 { return r.WallS })
		a.CPUS = col(func(r *result) float64 { return r.CPUS })
		a.AllocBytes = col(func(r *result) float64 { return r.AllocBytes })
		a.PeakHeapBytes = col(func(r *result) float64 { return r.PeakHeapBytes })
		a.PeakRSSBytes = col(func(r *result) float64 { return r.PeakRSSBytes })
		a.WireIn = col(func(r *result) float64 { return r.WireIn })
		a.WireOut = col(func(r *result) float64 { return r.WireOut })
		a.Messages = col(func(r *result) float64 { return r.Messages })
		for i := range g {
			a.walls = append(a.walls, g[i].WallS)
		}
		out[k] = a
	}
	for k, e := range errs {
		if out[k] == nil {
			a := &agg{errs: e}
			a.Peer, a.Scenario = k.peer, k.scenario
			out[k] = a
		}
	}
	return out
}

func scenarios(m map[key]*agg) []string {
	seen := map[string]bool{}
	for k := range m {
		seen[k.scenario] = true
	}
	var s []string
	for _, sc := range scenarioOrder {
		if seen[sc] {
			s = append(s, sc)
			delete(seen, sc)
		}
	}
	var rest []string
	for sc := range seen {
		rest = append(rest, sc)
	}
	sort.Strings(rest)
	return append(s, rest...)
}

func mb(v float64) string {
	if v < 0 || math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", v/1e6)
}

func secs(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v < 0.1:
		return fmt.Sprintf("%.4f", v)
	case v < 10:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func writeTable(b *bytes.Buffer, m map[key]*agg) {
	b.WriteString("## Results (medians)\n\n")
	b.WriteString("Wall: the timed commands only (after login and SELECT). CPU: the client's user+system time (getrusage) over the same span. Alloc: bytes allocated (Go: MemStats.TotalAlloc). Heap: peak of the heap's live+unswept objects, read after every garbage collection and every 10 ms. RSS: the process's peak resident set. Wire: bytes on the socket in / out. n/a: not measurable in that peer (Python's allocations) or not supported.\n\n")
	b.WriteString("| scenario | peer | wall s | CPU s | alloc MB | peak heap MB | peak RSS MB | wire in MB | wire out MB | messages | runs (wall s) |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, sc := range scenarios(m) {
		for _, p := range peerOrder {
			a := m[key{sc, p}]
			if a == nil {
				continue
			}
			if a.runs == 0 {
				fmt.Fprintf(b, "| %s | %s | failed: %s |||||||||\n", sc, p, strings.ReplaceAll(a.errs[0], "|", "/"))
				continue
			}
			walls := make([]string, len(a.walls))
			for i, w := range a.walls {
				walls[i] = secs(w)
			}
			msgs := fmt.Sprintf("%.0f", a.Messages)
			if a.Messages == 0 {
				msgs = "-"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sc, p,
				secs(a.WallS), secs(a.CPUS), mb(a.AllocBytes), mb(a.PeakHeapBytes), mb(a.PeakRSSBytes),
				mb(a.WireIn), mb(a.WireOut), msgs, strings.Join(walls, ", "))
		}
	}
	b.WriteString("\n")
}

func ratio(peer, ours float64) string {
	if ours <= 0 || peer <= 0 || math.IsNaN(peer) || math.IsNaN(ours) {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", peer/ours)
}

func writeRatios(b *bytes.Buffer, m map[key]*agg) {
	b.WriteString("## Ratios: peer / ours\n\n")
	b.WriteString("Above 1: ours is faster, uses less CPU or allocates less. Against raw, below 1 is expected: raw parses nothing, and its wall time is the server's floor.\n\n")
	b.WriteString("| scenario | peer | wall | CPU | alloc | peak RSS | wire in |\n|---|---|--:|--:|--:|--:|--:|\n")
	for _, sc := range scenarios(m) {
		o := m[key{sc, "ours"}]
		if o == nil || o.runs == 0 {
			continue
		}
		for _, p := range peerOrder {
			a := m[key{sc, p}]
			if p == "ours" || a == nil || a.runs == 0 {
				continue
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", sc, p,
				ratio(a.WallS, o.WallS), ratio(a.CPUS, o.CPUS), ratio(a.AllocBytes, o.AllocBytes),
				ratio(a.PeakRSSBytes, o.PeakRSSBytes), ratio(a.WireIn, o.WireIn))
		}
	}
	// COMPRESS: the bytes received with and without it.
	if c, p := m[key{"metadata+compress", "ours"}], m[key{"metadata", "ours"}]; c != nil && p != nil && c.runs > 0 && p.runs > 0 {
		fmt.Fprintf(b, "\nCOMPRESS=DEFLATE (ours; go-imap v2 and imaplib do not support it): the metadata FETCH received %s MB instead of %s MB on the wire (%s smaller), wall %s s instead of %s s, CPU %s s instead of %s s.\n",
			mb(c.WireIn), mb(p.WireIn), ratio(p.WireIn, c.WireIn), secs(c.WallS), secs(p.WallS), secs(c.CPUS), secs(p.CPUS))
	}
	b.WriteString("\n")
}

// wallRatio is the estimate the wall-time targets are judged by: the
// ratio of a's mean wall time to b's over the repetitions both have (the
// peers take turns within a repetition, so a slow spell of the machine or
// the server hits both), with a bootstrap 90% interval that resamples
// those repetitions. Means, not medians: one run's time depends on how
// much of it fell into the machine's slow spells, which come and go every
// few hundred milliseconds, so a peer's run times gather around two
// values; the median of such a sample jumps between them from one
// benchmark run to the next, while the mean (the total time of all the
// runs, what one run that many times longer would take) moves smoothly.
// A repetition in which either run took over twice its peer's median is
// left out (dropped counts them): a stall of the machine or the server
// (one run of 3.5 s among runs of 0.7 s was seen) would otherwise weigh
// on the mean of whichever peer it hit; the two spells differ by less
// than 1.7x, so no ordinary run is left out. See analysis.md ("Noise").
func wallRatio(a, b *agg) (r, lo, hi float64, idx []int, dropped int) {
	n := min(len(a.walls), len(b.walls))
	ma, mb := median(a.walls[:n]), median(b.walls[:n])
	for i := range n {
		if a.walls[i] > 2*ma || b.walls[i] > 2*mb {
			dropped++
			continue
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return math.NaN(), math.NaN(), math.NaN(), idx, dropped
	}
	ratio := func(pick func(k int) int) float64 {
		var sa, sb float64
		for k := range idx {
			i := pick(k)
			sa += a.walls[i]
			sb += b.walls[i]
		}
		return sa / sb
	}
	r = ratio(func(k int) int { return idx[k] })
	if len(idx) < 3 {
		return r, math.NaN(), math.NaN(), idx, dropped
	}
	rng := rand.New(rand.NewPCG(1, uint64(len(idx)))) // the same report for the same runs
	boot := make([]float64, 4000)
	for j := range boot {
		boot[j] = ratio(func(int) int { return idx[rng.IntN(len(idx))] })
	}
	sort.Float64s(boot)
	return r, boot[len(boot)/20], boot[len(boot)-1-len(boot)/20], idx, dropped
}

// wallCheck judges a wall-time target, a's wall time at most limit times
// b's by wallRatio's estimate, and describes the measurement: the means,
// their ratio with its interval, and the ratios repetition by repetition
// (median and range), to show how far noise moves a single comparison.
func wallCheck(a, b *agg, limit float64) (ok bool, detail string) {
	r, lo, hi, idx, dropped := wallRatio(a, b)
	ok = r <= limit
	var wa, wb, rs []float64
	for _, i := range idx {
		wa, wb = append(wa, a.walls[i]), append(wb, b.walls[i])
		rs = append(rs, a.walls[i]/b.walls[i])
	}
	s := fmt.Sprintf("%s %s s, %s %s s (means of %d runs", a.Peer, secs(mean(wa)), b.Peer, secs(mean(wb)), len(idx))
	if dropped > 0 {
		s += fmt.Sprintf("; %d repetition(s) with a run over twice its median left out", dropped)
	}
	s += fmt.Sprintf("): %.2fx", r)
	if len(idx) < 3 {
		return ok, s
	}
	return ok, s + fmt.Sprintf(" (90%% interval %.2fx to %.2fx; per repetition: median %.2fx, %.2fx to %.2fx)",
		lo, hi, median(rs), slices.Min(rs), slices.Max(rs))
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

type check struct {
	target string
	ok     bool
	known  bool
	detail string
}

func writeTargets(b *bytes.Buffer, m map[key]*agg) {
	get := func(sc, p string) *agg {
		if a := m[key{sc, p}]; a != nil && a.runs > 0 {
			return a
		}
		return nil
	}
	var cs []check
	add := func(target string, ok bool, known bool, format string, args ...any) {
		cs = append(cs, check{target, ok, known, fmt.Sprintf(format, args...)})
	}
	// wall adds a wall-time target's check (wallCheck).
	wall := func(target string, a, b *agg, limit float64) {
		ok, detail := wallCheck(a, b, limit)
		cs = append(cs, check{target, ok, true, detail})
	}
	o, r, g := get("metadata", "ours"), get("metadata", "raw"), get("metadata", "go-imap")
	if o != nil && r != nil {
		wall("metadata FETCH: wall <= 1.15x the raw floor", o, r, 1.15)
	}
	if o != nil && g != nil {
		add("metadata FETCH: CPU <= 1/5 of go-imap's", o.CPUS*5 <= g.CPUS, true,
			"ours %s s, go-imap %s s: 1/%.1f", secs(o.CPUS), secs(g.CPUS), g.CPUS/o.CPUS)
		add("metadata FETCH: allocations <= 1/4 of go-imap's", o.AllocBytes*4 <= g.AllocBytes, true,
			"ours %s MB, go-imap %s MB: 1/%.1f", mb(o.AllocBytes), mb(g.AllocBytes), g.AllocBytes/o.AllocBytes)
	}
	for _, sc := range []string{"bodies", "search"} {
		o, r, g := get(sc, "ours"), get(sc, "raw"), get(sc, "go-imap")
		if o != nil && g != nil {
			wall(sc+": wall no worse than go-imap's", o, g, 1)
		}
		if o != nil && r != nil {
			wall(sc+": wall <= 1.1x the raw floor", o, r, 1.1)
		}
	}
	if o, g := get("stream", "ours"), get("stream", "go-imap"); o != nil {
		add("stream 100 MB: peak heap < 8 MB", o.PeakHeapBytes < 8e6, true, "ours %s MB (peak RSS %s MB)", mb(o.PeakHeapBytes), mb(o.PeakRSSBytes))
		if g != nil {
			wall("stream 100 MB: as fast as go-imap (within 5%)", o, g, 1.05)
		}
	}
	for _, sc := range []string{"append", "copy", "move"} {
		l, p := get(sc, "ours"), get(sc+"@20ms", "ours")
		if l != nil && p != nil {
			add(sc+" through the 20 ms proxy: <= loopback + 1 s", p.WallS <= l.WallS+1, true,
				"ours %s s through the proxy, %s s on loopback (+%.3f s)", secs(p.WallS), secs(l.WallS), p.WallS-l.WallS)
		}
	}
	b.WriteString("## Targets (issue 6)\n\n")
	b.WriteString("A wall-time target is judged by the ratio of the mean wall times over the repetitions (the total time of all runs, as one run that many times longer would measure), not by the medians: on this kind of shared machine one run's time depends on how much of it fell into the machine's slow spells, so run times gather around two values and a median jumps between them (see Noise below). The interval is a bootstrap 90% interval over the repetitions; the per-repetition ratios show how far one pair of runs can stray.\n\n")
	b.WriteString("| target | holds | measured |\n|---|---|---|\n")
	for _, c := range cs {
		v := "yes"
		if !c.ok {
			v = "**no**"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", c.target, v, c.detail)
	}
	b.WriteString("\n")
}

// notes is appended to the results file (not printed): how to read the
// figures.
const notes = `## Scenarios

| scenario | folder | what each peer does |
|---|---|---|
| search | INBOX | UID SEARCH ALL, 10 times in a row (one takes some 50 ms: too short to time alone on a shared machine) |
| metadata | INBOX | UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE); ours: FetchIter (typed, RFC 2047-decoded envelopes and body structures, one message at a time); go-imap: Fetch + Next + Collect per message; imaplib: uid('FETCH') (returns raw lines, parses nothing) |
| metadata+compress | INBOX | the same after COMPRESS DEFLATE (ours only: go-imap v2 and imaplib have no COMPRESS) |
| bodies | Bodies | UID FETCH 1:* BODY.PEEK[], each body streamed to io.Discard (ours: FetchIter sections; go-imap: literal readers; imaplib: all in memory) |
| stream | Big | UID FETCH BODY.PEEK[] of the one 100 MB message, copied to a file (ours: FetchIter + io.Copy; go-imap: its literal reader + io.Copy; imaplib: in memory, then written; raw: every byte received written) |
| append | a new folder | APPEND of the same 1,000 messages (CRLF .eml files, loaded before timing). ours: one MULTIAPPEND with LITERAL+ literals; go-imap: one APPEND per message (no MULTIAPPEND; it waits for the continuation request before each literal over 4 KiB); imaplib: one APPEND per message, each with its continuation round trip; raw: one MULTIAPPEND with LITERAL+ |
| copy | Bodies | UID COPY 1:* (all 10,000 messages) to a new folder: one command for every peer |
| move | a copy of Bodies | UID MOVE 1:* (10,000 messages) to a new folder: one command for every peer (the untimed set-up copies Bodies into the source folder) |
| @20ms | | the same through bench/cmd/latencyproxy, 10 ms added each way |

Folders created by a run are deleted by it. The proxy queues timestamped chunks per direction, so it adds latency without capping bandwidth.
`

// writeCodec summarises the codec microbenchmarks: the median of each
// benchmark's runs.
func writeCodec(b *bytes.Buffer, path string) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return
	}
	type bench struct {
		ns, mbs, bop, aop []float64
	}
	var order []string
	benches := map[string]*bench{}
	var notes []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], "codec_test.go:") {
			notes = append(notes, strings.Join(f[1:], " "))
			continue
		}
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkMetadata/")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		x := benches[name]
		if x == nil {
			x = &bench{}
			benches[name] = x
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i++ {
			var v float64
			if _, err := fmt.Sscan(f[i], &v); err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				x.ns = append(x.ns, v)
			case "MB/s":
				x.mbs = append(x.mbs, v)
			case "B/op":
				x.bop = append(x.bop, v)
			case "allocs/op":
				x.aop = append(x.aop, v)
			}
		}
	}
	if len(order) == 0 {
		b.WriteString("## Codec microbenchmarks\n\nNo result: see the run's output.\n\n")
		return
	}
	b.WriteString("## Codec microbenchmarks (bench/codec_test.go)\n\n")
	b.WriteString("The same recorded metadata FETCH stream parsed in memory: by imapwire alone (every response and item decoded), and by each client over an in-memory connection to a fake server (one FETCH of the whole stream per iteration; typed messages out). Medians of the runs.\n\n")
	for _, n := range notes {
		fmt.Fprintf(b, "Stream: %s.\n\n", n)
		break
	}
	b.WriteString("| parser | ms/op | MB/s | MB allocated/op | allocs/op | vs go-imap client (time) |\n|---|--:|--:|--:|--:|--:|\n")
	ref := benches["go-imap-client"]
	for _, name := range order {
		x := benches[name]
		vs := "-"
		if ref != nil && len(ref.ns) > 0 && len(x.ns) > 0 {
			vs = fmt.Sprintf("%.1fx faster", median(ref.ns)/median(x.ns))
			if name == "go-imap-client" {
				vs = "1x"
			}
		}
		fmt.Fprintf(b, "| %s | %.1f | %.1f | %.1f | %.0f | %s |\n", name, median(x.ns)/1e6, median(x.mbs), median(x.bop)/1e6, median(x.aop), vs)
	}
	b.WriteString("\n")
}
