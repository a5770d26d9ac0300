package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/term"
)

// runInteractive reads commands from the terminal with line editing,
// history and tab completion (golang.org/x/term). The terminal is in raw
// mode only while a line is read: commands run in the normal mode, where
// Ctrl-C is a SIGINT that stops the command in progress (see execute).
func (s *shell) runInteractive(ctx context.Context, in *os.File) {
	fd := int(in.Fd())
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{&ctrlCReader{r: in}, s.env.stdout}, "")
	hist := openHistory(s.historyPath())
	t.History = hist
	t.AutoCompleteCallback = s.completer(t)
	if !s.opts.json {
		s.p.note("Connected. Type help for the commands, Tab to complete, Ctrl-D or quit to leave.")
	}
	for !s.quit && ctx.Err() == nil {
		if w, h, err := term.GetSize(fd); err == nil {
			t.SetSize(w, h)
		}
		t.SetPrompt(s.prompt())
		old, err := term.MakeRaw(fd)
		if err != nil {
			s.p.note("imapsh: terminal: %v", err)
			return
		}
		line, err := t.ReadLine()
		term.Restore(fd, old)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(s.env.stdout)
			return
		}
		if err != nil && !errors.Is(err, term.ErrPasteIndicator) {
			s.p.note("imapsh: terminal: %v", err)
			return
		}
		// A Ctrl-C typed at the prompt is not for the next command.
		for len(s.env.interrupt) > 0 {
			<-s.env.interrupt
		}
		for _, c := range splitCommands(line) {
			if s.quit {
				break
			}
			s.execute(ctx, c)
		}
	}
}

func (s *shell) prompt() string {
	where := ""
	if s.c != nil {
		if name, ro, ok := s.c.SelectedFolder(); ok {
			where = " " + name
			if ro {
				where += " (read-only)"
			}
		}
	} else {
		where = " (disconnected)"
	}
	if !s.useUID {
		where += " [seq]"
	}
	return "imapsh" + where + "> "
}

// ctrlCReader turns Ctrl-C at the prompt into "clear the line" (Ctrl-E,
// Ctrl-U): x/term's line editor would otherwise end the input as if
// Ctrl-D had been typed.
type ctrlCReader struct {
	r       io.Reader
	pending []byte
}

func (c *ctrlCReader) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		buf := make([]byte, len(p))
		n, err := c.r.Read(buf)
		if n == 0 {
			return 0, err
		}
		for _, b := range buf[:n] {
			if b == 3 {
				c.pending = append(c.pending, 5, 21)
			} else {
				c.pending = append(c.pending, b)
			}
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// completer returns the tab completion of the line editor: verbs first,
// then each verb's arguments (folder names, keywords).
func (s *shell) completer(t *term.Terminal) func(line string, pos int, key rune) (string, int, bool) {
	return func(line string, pos int, key rune) (string, int, bool) {
		if key != '\t' {
			return "", 0, false
		}
		head, tail := line[:pos], line[pos:]
		// Complete only the last command of the line.
		cmds := lastCommandStart(head)
		words, partial, start := splitPartial(head[cmds:])
		start += cmds
		var cands []string
		fold := true
		if len(words) == 0 {
			cands = verbNames()
		} else if c := lookup(words[0]); c != nil {
			switch c.argKind(len(words) - 1) {
			case argFolder:
				cands, fold = s.folders, false
			case argVerb:
				cands = verbNames()
			case argWords:
				cands = c.words
			}
		}
		matches := matchPrefix(cands, partial, fold)
		switch len(matches) {
		case 0:
			return line, pos, true
		case 1:
			repl := quoteWord(matches[0]) + " "
			return head[:start] + repl + tail, start + len(repl), true
		}
		common := commonPrefix(matches, fold)
		if len([]rune(common)) > len([]rune(partial)) {
			repl := quoteWord(common)
			if strings.HasPrefix(repl, `"`) {
				repl = strings.TrimSuffix(repl, `"`)
			}
			return head[:start] + repl + tail, start + len(repl), true
		}
		shown := make([]string, len(matches))
		for i, m := range matches {
			shown[i] = quoteWord(m)
		}
		fmt.Fprintln(t, strings.Join(shown, "  "))
		return line, pos, true
	}
}

// lastCommandStart returns where the last ';'-separated command of s
// starts.
func lastCommandStart(s string) int {
	cmds := splitCommandsKeepEmpty(s)
	return len(s) - len(cmds[len(cmds)-1])
}

// splitCommandsKeepEmpty splits a line at the semicolons outside quotes
// and keeps every piece, empty ones included, untrimmed.
func splitCommandsKeepEmpty(line string) []string {
	var out []string
	var quote byte
	start := 0
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote == '"' && ch == '\\':
			i++
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == ';':
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}

// splitPartial splits s into the complete words and the word being typed
// (unquoted), with the offset where that word starts.
func splitPartial(s string) (words []string, partial string, start int) {
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else if quote == '"' && ch == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else {
				b.WriteByte(ch)
			}
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		default:
			if !inWord {
				inWord, start = true, i
			}
			if ch == '"' || ch == '\'' {
				quote = ch
			} else {
				b.WriteByte(ch)
			}
		}
	}
	if !inWord {
		start = len(s)
	}
	return words, b.String(), start
}

func matchPrefix(cands []string, prefix string, fold bool) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) || (fold && strings.HasPrefix(strings.ToLower(c), strings.ToLower(prefix))) ||
			(strings.EqualFold(c, "INBOX") && strings.HasPrefix("inbox", strings.ToLower(prefix))) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func commonPrefix(ss []string, fold bool) string {
	p := []rune(ss[0])
	for _, s := range ss[1:] {
		r := []rune(s)
		n := 0
		for n < len(p) && n < len(r) && (p[n] == r[n] || (fold && strings.EqualFold(string(p[n]), string(r[n])))) {
			n++
		}
		p = p[:n]
	}
	return string(p)
}

// historyPath is the file of the command history: IMAPSH_HISTORY, or
// ~/.imapsh_history; "-" for none.
func (s *shell) historyPath() string {
	p := s.env.getenv("IMAPSH_HISTORY")
	if p == "-" {
		return ""
	}
	if p == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		p = filepath.Join(home, ".imapsh_history")
	}
	return p
}

// fileHistory is the line editor's history, kept in a file between
// sessions (the last maxHistory lines).
type fileHistory struct {
	path    string
	entries []string // oldest first
}

const maxHistory = 1000

func openHistory(path string) *fileHistory {
	h := &fileHistory{path: path}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			h.entries = append(h.entries, l)
		}
	}
	if len(h.entries) > maxHistory {
		h.entries = h.entries[len(h.entries)-maxHistory:]
	}
	return h
}

func (h *fileHistory) Add(e string) {
	e = strings.TrimSpace(e)
	if e == "" || (len(h.entries) > 0 && h.entries[len(h.entries)-1] == e) {
		return
	}
	h.entries = append(h.entries, e)
	if len(h.entries) > maxHistory {
		h.entries = h.entries[1:]
	}
	if h.path == "" {
		return
	}
	f, err := os.OpenFile(h.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintln(f, e)
	f.Close()
}

func (h *fileHistory) Len() int { return len(h.entries) }

func (h *fileHistory) At(i int) string { return h.entries[len(h.entries)-1-i] }
