package main

import (
	"errors"
	"strings"
)

// splitCommands splits a line into commands at the semicolons that are
// outside quotes. Quotes are kept: each command is parsed later.
func splitCommands(line string) []string {
	var cmds []string
	for _, c := range splitCommandsKeepEmpty(line) {
		if c = strings.TrimSpace(c); c != "" && c[0] != '#' {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// cmdLine is one parsed command: the verb, the text after it exactly as
// typed (for verbs that take IMAP syntax: search, raw, ...), and that text
// split into words as a shell would.
type cmdLine struct {
	text string
	verb string
	rest string
	args []string
}

func parseCommand(text string) (*cmdLine, error) {
	text = strings.TrimSpace(text)
	verb, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(verb, "\t"); i >= 0 {
		verb, rest = verb[:i], verb[i+1:]+" "+rest
	}
	rest = strings.TrimSpace(rest)
	args, err := splitWords(rest)
	if err != nil {
		return nil, err
	}
	return &cmdLine{text: text, verb: strings.ToLower(verb), rest: rest, args: args}, nil
}

var errUnterminated = errors.New("unterminated quote")

// splitWords splits s into words at white space, as a POSIX shell does:
// "double quotes" group words (backslash escapes \" and \\ inside them),
// 'single quotes' group words literally, and adjacent parts join.
func splitWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case ch == '"':
			inWord = true
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errUnterminated
			}
			i = j
		case ch == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errUnterminated
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		default:
			inWord = true
			b.WriteByte(ch)
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// quoteWord returns w quoted for the shell when it needs to be, so that
// splitWords gives it back: completion inserts folder names this way.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\"';") {
		return w
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(w) + `"`
}

// splitFetchItems splits FETCH items: at white space outside brackets, so
// that "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]" is one item, with the
// parentheses of an item list "(FLAGS UID)" removed.
func splitFetchItems(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = s[1 : len(s)-1]
	}
	var items []string
	depth := 0
	start := -1
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '[':
			depth++
		case ch == ']' && depth > 0:
			depth--
		case (ch == ' ' || ch == '\t') && depth == 0:
			if start >= 0 {
				items = append(items, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		items = append(items, s[start:])
	}
	return items
}
