package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// table reads the JSON lines of the four runs (ours and goimap, plain and
// TLS) from in, prints the Markdown table of ours/go-imap ratios to out
// and problems to errw, and returns the exit status: 1 when a run failed
// or did not hold n connections, or, with check, when ours/go-imap
// heap+stack per connection is above maxRatio in a mode; 0 otherwise.
// This is idlemem -table, used by bench/idlemem.sh.
func table(in io.Reader, out, errw io.Writer, n int, check bool, maxRatio float64) int {
	rows := map[[2]string]result{}
	var failed, over []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			failed = append(failed, fmt.Sprintf("not a result: %q: %v", sc.Text(), err))
			continue
		}
		m := mode(r.TLS)
		rows[[2]string{r.Lib, m}] = r
		if r.Error != "" || r.Held != n {
			failed = append(failed, fmt.Sprintf("%s %s held %d of %d connections: %s", r.Lib, m, r.Held, n, r.Error))
		}
	}
	if err := sc.Err(); err != nil {
		failed = append(failed, err.Error())
	}

	fmt.Fprintln(out)
	fmt.Fprintln(out, "| mode  | ours heap+stack KB | go-imap heap+stack KB | ratio | ours RSS KB | go-imap RSS KB | ratio |")
	fmt.Fprintln(out, "|-------|-------------------:|----------------------:|------:|------------:|---------------:|------:|")
	for _, m := range []string{"plain", "tls"} {
		o, ok1 := rows[[2]string{"ours", m}]
		g, ok2 := rows[[2]string{"goimap", m}]
		if !ok1 || !ok2 {
			failed = append(failed, fmt.Sprintf("%s: a run is missing", m))
		}
		if !ok1 || !ok2 || o.Error != "" || g.Error != "" || g.HeapStackKB <= 0 || g.RSSKB <= 0 {
			fmt.Fprintf(out, "| %-5s | no result (see above) |\n", m)
			continue
		}
		hs := o.HeapStackKB / g.HeapStackKB
		rs := o.RSSKB / g.RSSKB
		fmt.Fprintf(out, "| %-5s | %18.1f | %21.1f | %5.2f | %11.1f | %14.1f | %5.2f |\n",
			m, o.HeapStackKB, g.HeapStackKB, hs, o.RSSKB, g.RSSKB, rs)
		if hs > maxRatio {
			over = append(over, fmt.Sprintf("%s: ours/go-imap heap+stack per connection is %.2f, above %.2f", m, hs, maxRatio))
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "target: ratio <= %.2f (issue 7)\n", maxRatio)

	for _, f := range failed {
		fmt.Fprintln(errw, "idlemem: FAIL:", f)
	}
	for _, o := range over {
		if check {
			fmt.Fprintln(errw, "idlemem: FAIL:", o)
		} else {
			fmt.Fprintln(errw, "idlemem: warning:", o)
		}
	}
	if len(failed) > 0 || (check && len(over) > 0) {
		return 1
	}
	if check {
		fmt.Fprintf(out, "idlemem: check passed: ratio <= %.2f in both modes, all %d connections held in every run\n", maxRatio, n)
	}
	return 0
}

func mode(tls bool) string {
	if tls {
		return "tls"
	}
	return "plain"
}
