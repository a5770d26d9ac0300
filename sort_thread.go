package imapclient

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// Sort returns the messages that match the criteria in the order of the
// sort keys (RFC 5256; UID SORT unless SetUseUID(false)). It needs the SORT
// capability. Each sort key is a key name, optionally preceded by
// REVERSE, and an element may hold both: []string{"REVERSE DATE",
// "SUBJECT"}. The keys of RFC 5256 are ARRIVAL, CC, DATE, FROM, SIZE,
// SUBJECT and TO; DISPLAYFROM and DISPLAYTO (RFC 5957) need SORT=DISPLAY.
// criteria and opts are as for Search; the charset, mandatory in SORT,
// is UTF-8 unless opts say otherwise. The result's IDs are in sorted
// order.
func (c *Client) Sort(ctx context.Context, sortKeys []string, criteria any, opts *SearchOptions) (*SearchResult, error) {
	words, needs, err := sortWords(sortKeys)
	if err != nil {
		return nil, err
	}
	crit, err := criteriaOf(criteria)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	cmd := c.uidCmd("SORT")
	if err := c.requireSelected(cmd, false); err != nil {
		return nil, err
	}
	if err := c.requireCaps(ctx, cmd, append(append([]string{imap.CapSort}, needs...), crit.needs...)); err != nil {
		return nil, err
	}
	p, err := prepareCriteria(crit, opts.charset(), c.utf8Modes(), true)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{}
	_, err = c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Byte('(')
		for i, w := range words {
			if i > 0 {
				e.SP()
			}
			e.Atom(w)
		}
		e.Byte(')').SP().Atom(p.charset).SP()
		writeNodes(e, p.toks)
	}, searchHandler("SORT", res))
	if err != nil {
		return nil, criteriaError(err)
	}
	return res, nil
}

// sortWords splits and checks sort keys: atoms, REVERSE before a key.
func sortWords(keys []string) (words, needs []string, err error) {
	for _, k := range keys {
		if strings.ContainsAny(k, "\r\n\x00") {
			return nil, nil, &InvalidCriteriaError{Msg: fmt.Sprintf("sort key %q holds CR, LF or NUL", k)}
		}
		for _, w := range strings.Fields(k) {
			if !imapwire.IsAtom(w) {
				return nil, nil, &InvalidCriteriaError{Msg: fmt.Sprintf("sort key %q is not an atom", w)}
			}
			w = strings.ToUpper(w)
			if (w == "DISPLAYFROM" || w == "DISPLAYTO") && len(needs) == 0 {
				needs = append(needs, "SORT=DISPLAY")
			}
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, nil, &InvalidCriteriaError{Msg: "no sort keys specified"}
	}
	for i, w := range words {
		if w == "REVERSE" && (i == len(words)-1 || words[i+1] == "REVERSE") {
			return nil, nil, &InvalidCriteriaError{Msg: "REVERSE must precede a sort key"}
		}
	}
	return words, needs, nil
}

// Thread is a message in a conversation tree returned by Client.Thread:
// its id (a UID, or a sequence number after SetUseUID(false)) and its
// replies.
//
// The server's nested form (RFC 5256 section 4) maps onto the tree as
// follows. A parenthesised list is a thread; the ids in it are a chain in
// which each is the parent of the next; the lists that follow the last id
// are its children. So
//
//	(2)(3 6 (4 23)(44 7 96))
//
// is two threads: 2 alone; and 3 → 6, where 6 has two children, 4 (→ 23)
// and 44 (→ 7 → 96):
//
//	[]*Thread{
//		{ID: 2},
//		{ID: 3, Children: []*Thread{
//			{ID: 6, Children: []*Thread{
//				{ID: 4, Children: []*Thread{{ID: 23}}},
//				{ID: 44, Children: []*Thread{{ID: 7, Children: []*Thread{{ID: 96}}}}},
//			}},
//		}},
//	}
//
// A list that starts with lists instead of an id, as in ((3)(5)), has a
// parent the server does not have (not in the folder, or not matching
// the criteria): it is a node with ID 0 whose children are 3 and 5.
type Thread struct {
	ID       uint32 // 0 for a missing parent
	Children []*Thread
}

// IDs returns the ids of t and of all its descendants, depth first, parents
// before children (the server's order), without the 0 of missing parents.
func (t *Thread) IDs() []uint32 {
	var out []uint32
	stack := []*Thread{t}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.ID != 0 {
			out = append(out, n.ID)
		}
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, n.Children[i])
		}
	}
	return out
}

// String returns t in the server's form, such as "(3 6 (4 23)(44 7 96))".
func (t *Thread) String() string {
	var b strings.Builder
	type item struct {
		t     *Thread
		close bool
	}
	stack := []item{{t: t}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.close {
			b.WriteByte(')')
			continue
		}
		b.WriteByte('(')
		n := it.t
		if n == nil {
			b.WriteByte(')')
			continue
		}
		wrote := false
		for {
			if n.ID != 0 {
				if wrote {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.FormatUint(uint64(n.ID), 10))
				wrote = true
			}
			if len(n.Children) != 1 || n.Children[0] == nil || n.Children[0].ID == 0 || n.ID == 0 {
				break
			}
			n = n.Children[0]
		}
		if wrote && len(n.Children) > 0 {
			b.WriteByte(' ')
		}
		stack = append(stack, item{close: true})
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, item{t: n.Children[i]})
		}
	}
	return b.String()
}

// Thread groups the messages that match the criteria into conversations
// (RFC 5256; UID THREAD unless SetUseUID(false)) and returns one tree per
// conversation. algorithm is "REFERENCES" when empty, or
// "ORDEREDSUBJECT", or any other the server announces as THREAD=name:
// without it the call is a *CapabilityError and nothing is sent. criteria
// and opts are as for Search; the charset, mandatory in THREAD, is UTF-8
// unless opts say otherwise. See Thread for how the server's nested form
// maps onto the trees.
func (c *Client) Thread(ctx context.Context, algorithm string, criteria any, opts *SearchOptions) ([]*Thread, error) {
	alg := strings.ToUpper(algorithm)
	if alg == "" {
		alg = "REFERENCES"
	}
	if !imapwire.IsAtom(alg) {
		return nil, &InvalidCriteriaError{Msg: fmt.Sprintf("thread algorithm %q is not an atom", algorithm)}
	}
	crit, err := criteriaOf(criteria)
	if err != nil {
		return nil, err
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	cmd := c.uidCmd("THREAD")
	if err := c.requireSelected(cmd, false); err != nil {
		return nil, err
	}
	if err := c.requireCaps(ctx, cmd, append([]string{"THREAD=" + alg}, crit.needs...)); err != nil {
		return nil, err
	}
	p, err := prepareCriteria(crit, opts.charset(), c.utf8Modes(), true)
	if err != nil {
		return nil, err
	}
	var threads []*Thread
	h := func(r *imapwire.Response) (bool, error) {
		if r.Name != "THREAD" || r.Kind != imapwire.Untagged {
			return false, nil
		}
		raw, ok := r.Data.(*imapwire.RawData)
		if !ok {
			return true, &ProtocolError{Msg: fmt.Sprintf("THREAD response decoded as %T", r.Data)}
		}
		ts, err := parseThreads(raw.Bytes)
		if err != nil {
			return true, &ProtocolError{Msg: "THREAD response: " + err.Error()}
		}
		threads = append(threads, ts...)
		return true, nil
	}
	_, err = c.conn.Execute(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Atom(alg).SP().Atom(p.charset).SP()
		writeNodes(e, p.toks)
	}, h)
	if err != nil {
		return nil, criteriaError(err)
	}
	return threads, nil
}

// parseThreads parses the data of a THREAD response (RFC 5256 section 4):
//
//	thread-data    = "THREAD" [SP 1*thread-list]
//	thread-list    = "(" (thread-members / thread-nested) ")"
//	thread-members = nz-number *(SP nz-number) [SP thread-nested]
//	thread-nested  = 2*thread-list
//
// b is what follows "THREAD ". It is iterative, so nesting depth costs
// heap, not stack; spaces between lists are tolerated, and so is a nested
// part of one list.
func parseThreads(b []byte) ([]*Thread, error) {
	type frame struct {
		attach *[]*Thread // where the list's first node goes
		last   *Thread    // the last node of the chain, or nil
		nested bool       // sublists have begun: no more ids
		empty  bool
	}
	var roots []*Thread
	var stack []*frame
	for i := 0; i < len(b); {
		ch := b[i]
		switch {
		case ch == ' ':
			i++
		case ch == '(':
			attach := &roots
			if len(stack) > 0 {
				f := stack[len(stack)-1]
				if f.last == nil {
					// A list that starts with lists: a missing parent.
					dummy := &Thread{}
					*f.attach = append(*f.attach, dummy)
					f.last = dummy
				}
				f.nested, f.empty = true, false
				attach = &f.last.Children
			}
			stack = append(stack, &frame{attach: attach, empty: true})
			i++
		case ch == ')':
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced ) at offset %d", i)
			}
			if stack[len(stack)-1].empty {
				return nil, fmt.Errorf("empty thread list at offset %d", i)
			}
			stack = stack[:len(stack)-1]
			i++
		case ch >= '0' && ch <= '9':
			if len(stack) == 0 {
				return nil, fmt.Errorf("id outside a thread list at offset %d", i)
			}
			f := stack[len(stack)-1]
			if f.nested {
				return nil, fmt.Errorf("id after nested threads at offset %d", i)
			}
			j := i
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			n, err := strconv.ParseUint(string(b[i:j]), 10, 32)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("invalid id %q at offset %d", b[i:j], i)
			}
			node := &Thread{ID: uint32(n)}
			if f.last == nil {
				*f.attach = append(*f.attach, node)
			} else {
				f.last.Children = append(f.last.Children, node)
			}
			f.last, f.empty = node, false
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", ch, i)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unterminated thread list")
	}
	return roots, nil
}
