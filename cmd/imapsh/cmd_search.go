package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/imapclient-go/imapclient"
)

// criteria turns the criteria text of search, sort and thread into what
// Search takes. ASCII text goes as IMAPClient's raw criteria string. Text
// with 8-bit characters (SUBJECT "Entwürfe") cannot be sent raw, so it is
// parsed into IMAPClient's list form instead, where the client sends
// quoted strings as values (literals with CHARSET UTF-8) and parenthesised
// groups as groups.
func criteria(text string) (any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "ALL", nil
	}
	ascii := true
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return text, nil
	}
	list, rest, err := parseCriteriaList(text, 0)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(rest) != "" {
		return nil, fmt.Errorf("unbalanced parentheses in the criteria")
	}
	return list, nil
}

// parseCriteriaList reads criteria tokens up to a closing parenthesis
// (when depth > 0) or the end.
func parseCriteriaList(s string, depth int) ([]any, string, error) {
	if depth > 32 {
		return nil, "", fmt.Errorf("criteria nested too deeply")
	}
	var out []any
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			if depth > 0 {
				return nil, "", fmt.Errorf("unbalanced parentheses in the criteria")
			}
			return out, "", nil
		}
		switch s[0] {
		case ')':
			if depth == 0 {
				return nil, "", fmt.Errorf("unbalanced parentheses in the criteria")
			}
			return out, s[1:], nil
		case '(':
			sub, rest, err := parseCriteriaList(s[1:], depth+1)
			if err != nil {
				return nil, "", err
			}
			out = append(out, sub)
			s = rest
		case '"':
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, "", errUnterminated
			}
			out = append(out, b.String())
			s = s[i+1:]
		default:
			i := strings.IndexAny(s, " \t()\"")
			if i < 0 {
				i = len(s)
			}
			out = append(out, s[:i])
			s = s[i:]
		}
	}
}

type searchResult struct {
	IDs    []uint32 `json:"ids"`
	UIDs   bool     `json:"uids"`
	ModSeq uint64   `json:"modseq,omitempty"`
}

func (r searchResult) text(w io.Writer) {
	if len(r.IDs) == 0 {
		fmt.Fprintln(w, "(no messages)")
		return
	}
	fmt.Fprintln(w, joinIDs(r.IDs))
}

func cmdSearch(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	crit, err := criteria(cl.rest)
	if err != nil {
		return nil, err
	}
	res, err := s.c.Search(ctx, crit, nil)
	if err != nil {
		return nil, err
	}
	return newSearchResult(s, res), nil
}

func newSearchResult(s *shell, res *imapclient.SearchResult) searchResult {
	r := searchResult{IDs: res.IDs, UIDs: s.c.UseUID(), ModSeq: res.ModSeq}
	if r.IDs == nil {
		r.IDs = []uint32{}
	}
	return r
}

func cmdSort(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	keyText, critText, _ := strings.Cut(cl.rest, "--")
	fields := strings.Fields(strings.ToUpper(keyText))
	var keys []string
	for i := 0; i < len(fields); i++ {
		k := fields[i]
		if k == "REVERSE" {
			if i+1 >= len(fields) {
				return nil, &usageError{msg: "REVERSE must come before a sort key", usage: lookup("sort").usage}
			}
			i++
			k += " " + fields[i]
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, &usageError{msg: "no sort key", usage: lookup("sort").usage}
	}
	crit, err := criteria(critText)
	if err != nil {
		return nil, err
	}
	res, err := s.c.Sort(ctx, keys, crit, nil)
	if err != nil {
		return nil, err
	}
	return newSearchResult(s, res), nil
}

type threadNode struct {
	ID       uint32        `json:"id"`
	Children []*threadNode `json:"children,omitempty"`
}

type threadResult struct {
	Algorithm string        `json:"algorithm"`
	Threads   []*threadNode `json:"threads"`
	trees     []*imapclient.Thread
}

func (r threadResult) text(w io.Writer) {
	if len(r.trees) == 0 {
		fmt.Fprintln(w, "(no messages)")
		return
	}
	for _, t := range r.trees {
		fmt.Fprintln(w, t.String())
	}
}

func toNodes(ts []*imapclient.Thread) []*threadNode {
	out := make([]*threadNode, 0, len(ts))
	for _, t := range ts {
		out = append(out, &threadNode{ID: t.ID, Children: toNodes(t.Children)})
	}
	return out
}

func cmdThread(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	alg := "REFERENCES"
	critText := cl.rest
	if len(cl.args) > 0 {
		first := strings.ToUpper(cl.args[0])
		known := first == "REFERENCES" || first == "ORDEREDSUBJECT"
		if !known {
			if ok, _ := s.c.HasCapability(ctx, "THREAD="+first); ok {
				known = true
			}
		}
		if known {
			alg = first
			_, critText, _ = strings.Cut(strings.TrimSpace(cl.rest), " ")
		}
	}
	crit, err := criteria(critText)
	if err != nil {
		return nil, err
	}
	ts, err := s.c.Thread(ctx, alg, crit, nil)
	if err != nil {
		return nil, err
	}
	return threadResult{Algorithm: alg, Threads: toNodes(ts), trees: ts}, nil
}
