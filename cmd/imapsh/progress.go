package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress reports an export's progress on stderr: a bar redrawn in place
// on a terminal, a plain line every tenth of the way otherwise (none with
// --json).
type progress struct {
	w      io.Writer
	tty    bool
	quiet  bool
	width  int
	label  string
	total  int
	done   int
	bytes  int64
	start  time.Time
	drawn  time.Time
	nextAt int // plain mode: next count to report
}

func newProgress(s *shell, label string, total int) *progress {
	p := &progress{w: s.env.stderr, label: label, total: total, start: time.Now(), width: 80}
	if f, ok := asFile(s.env.stderr); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 30 {
			p.width = w
		}
	}
	p.quiet = !p.tty && s.opts.json
	p.nextAt = max(1, total/10)
	if total > 0 && !p.quiet && !p.tty {
		fmt.Fprintf(p.w, "export: %d messages to fetch from %s\n", total, label)
	}
	return p
}

func (p *progress) add(n int64) {
	p.done++
	p.bytes += n
	switch {
	case p.quiet:
	case p.tty:
		if time.Since(p.drawn) >= 100*time.Millisecond || p.done == p.total {
			p.draw()
		}
	case p.done >= p.nextAt:
		fmt.Fprintf(p.w, "export: %d/%d messages, %s\n", p.done, p.total, fmtSize(p.bytes))
		p.nextAt += max(1, p.total/10)
	}
}

func (p *progress) draw() {
	p.drawn = time.Now()
	rate := ""
	if el := time.Since(p.start).Seconds(); el > 0.2 {
		rate = fmt.Sprintf(" %s/s", fmtSize(int64(float64(p.bytes)/el)))
	}
	stats := fmt.Sprintf(" %d/%d %3d%% %s%s", p.done, p.total, 100*p.done/max(1, p.total), fmtSize(p.bytes), rate)
	barW := p.width - len(stats) - 3
	if barW > 40 {
		barW = 40
	}
	bar := ""
	if barW >= 10 {
		fill := barW * p.done / max(1, p.total)
		bar = "[" + strings.Repeat("=", fill) + strings.Repeat(" ", barW-fill) + "]"
	}
	fmt.Fprintf(p.w, "\r%s%s\x1b[K", bar, stats)
}

// finish ends the display: the bar's line is closed.
func (p *progress) finish(ok bool) {
	if p.tty && p.done > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
