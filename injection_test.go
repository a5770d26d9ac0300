package imapclient_test

// Command injection: CR, LF and NUL in every string the API takes must be
// either encoded safely (a literal, modified UTF-7, base64) or refused
// before anything is sent. A scripted server reads each command the way an
// IMAP server does (a line, then the literals it announces and the lines
// that continue it) and records it; every entry point is then called with
// payloads that would, if they leaked onto the command line, make the
// server see a command of its own: "A999 LOGOUT".

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// injPayloads hold CR, LF and NUL, each followed by what a server would
// take for a command of its own if the byte reached the command line.
var injPayloads = map[string]string{
	"CRLF": "evil\r\nA999 LOGOUT\r\n",
	"LF":   "evil\nA999 LOGOUT",
	"CR":   "evil\rA999 LOGOUT",
	"NUL":  "evil\x00A999 LOGOUT",
}

// injCaps announce every extension with an entry point, so that the
// capability checks do not stop a call before its arguments are encoded.
const injCaps = "IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER ID ENABLE UIDPLUS MOVE ACL QUOTA " +
	"SORT THREAD=REFERENCES X-GM-EXT-1 XLIST LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE ESEARCH " +
	"CONDSTORE MULTIAPPEND METADATA UNSELECT OBJECTID APPENDLIMIT BINARY NOTIFY"

// injLit is one literal of a recorded command.
type injLit struct {
	data   []byte
	binary bool // literal8 (~{n}): NUL allowed
}

// injCmd is one command as the server received it.
type injCmd struct {
	lines []string // the command's lines, cut at its literals
	lits  []injLit
}

func (c injCmd) tag() string { tag, _, _ := strings.Cut(c.lines[0], " "); return tag }

func (c injCmd) String() string {
	var b strings.Builder
	for i, l := range c.lines {
		b.WriteString(strconv.Quote(l))
		if i < len(c.lits) {
			fmt.Fprintf(&b, " +lit%q ", c.lits[i].data)
		}
	}
	return b.String()
}

// injRecorder collects what the server received.
type injRecorder struct {
	mu   sync.Mutex
	cmds []injCmd
	bad  []string // framing the server could not follow
}

func (r *injRecorder) add(c injCmd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, c)
}

func (r *injRecorder) fail(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, s)
}

func (r *injRecorder) snapshot() ([]injCmd, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]injCmd(nil), r.cmds...), append([]string(nil), r.bad...)
}

// literalAt returns the size of the literal announced at the end of line
// ("{n}", "{n+}", "{n-}", "~{n}"), whether it is synchronising and binary.
func literalAt(line string) (n int, sync, binary, ok bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false, false, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false, false, false
	}
	num := line[i+1 : len(line)-1]
	sync = true
	if strings.HasSuffix(num, "+") || strings.HasSuffix(num, "-") {
		num, sync = num[:len(num)-1], false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return 0, false, false, false
	}
	return n, sync, i > 0 && line[i-1] == '~', true
}

// injServe is the server: it reads commands until the client leaves and
// answers each with what the client needs to go on.
func injServe(rec *injRecorder, caps string) fakeserver.Step {
	return injServeWith(rec, func(p *fakeserver.Peer, cmd injCmd) error {
		for _, out := range injReply(cmd, caps) {
			if err := p.WriteLine(out); err != nil {
				return err
			}
		}
		return nil
	})
}

// injServeWith is injServe with the answers given by reply, which may
// also converse with the client (SASL). An error from reply ends the
// script quietly.
func injServeWith(rec *injRecorder, reply func(p *fakeserver.Peer, cmd injCmd) error) fakeserver.Step {
	return fakeserver.Do("record commands", func(p *fakeserver.Peer) error {
		for {
			line, err := p.ReadLine()
			if err != nil {
				if strings.Contains(err.Error(), "bare LF") {
					rec.fail(err.Error())
				}
				return nil // the client hung up
			}
			cmd := injCmd{lines: []string{line}}
			for {
				n, sync, binary, ok := literalAt(line)
				if !ok {
					break
				}
				if sync {
					if err := p.WriteLine("+ go ahead"); err != nil {
						return nil
					}
				}
				data, err := p.ReadFull(n)
				if err != nil {
					return nil
				}
				cmd.lits = append(cmd.lits, injLit{data, binary})
				if line, err = p.ReadLine(); err != nil {
					if strings.Contains(err.Error(), "bare LF") {
						rec.fail(err.Error())
					}
					return nil
				}
				cmd.lines = append(cmd.lines, line)
			}
			rec.add(cmd)
			if err := reply(p, cmd); err != nil {
				return nil
			}
		}
	})
}

func injReply(cmd injCmd, caps string) []string {
	f := strings.Fields(cmd.lines[0])
	tag, name := f[0], ""
	if len(f) > 1 {
		name = strings.ToUpper(f[1])
	}
	ok := tag + " OK done"
	switch name {
	case "CAPABILITY":
		return []string{"* CAPABILITY " + caps, ok}
	case "SELECT", "EXAMINE":
		return []string{"* 1 EXISTS", "* OK [UIDVALIDITY 1] ok", tag + " OK [READ-WRITE] done"}
	case "STATUS":
		return []string{"* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1 UNSEEN 0 RECENT 0)", ok}
	case "ID":
		return []string{"* ID NIL", ok}
	case "LOGOUT":
		return []string{"* BYE bye", ok}
	}
	return []string{ok}
}

// injCheck returns what is wrong with the commands: a command the
// payload started, CR or NUL on a command line, NUL in a literal that is
// not a literal8.
func injCheck(cmds []injCmd) []string {
	var bad []string
	for _, c := range cmds {
		if c.tag() == "A999" {
			bad = append(bad, "the payload became a command: "+c.String())
		}
		for _, l := range c.lines {
			if strings.ContainsAny(l, "\r\x00") {
				bad = append(bad, "CR or NUL on a command line: "+c.String())
			}
		}
		for _, lit := range c.lits {
			if !lit.binary && bytes.IndexByte(lit.data, 0) >= 0 {
				bad = append(bad, "NUL in a literal: "+c.String())
			}
		}
	}
	return bad
}

// injClient connects a client to a recording server in the state the
// entry needs; encode false turns folder name encoding off.
func injClient(t *testing.T, state string, literalPlus, encode bool) (*imapclient.Client, *injRecorder) {
	t.Helper()
	caps := injCaps
	if literalPlus {
		caps += " LITERAL+"
	}
	greet := "* PREAUTH [CAPABILITY " + caps + "] recording server"
	if state == "noauth" {
		greet = "* OK [CAPABILITY " + caps + "] recording server"
	}
	rec := &injRecorder{}
	nc := fakeserver.Start(t, fakeserver.S(greet), injServe(rec, caps))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := imapclient.New(ctx, nc, &imapclient.Options{AllowInsecureAuth: true, RawFolderNames: !encode})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if state == "selected" {
		if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
			t.Fatalf("SelectFolder: %v", err)
		}
	}
	return c, rec
}

// TestInjection calls every entry point with every payload, with and
// without LITERAL+, and for folder names with encoding on and off.
func TestInjection(t *testing.T) {
	for _, e := range injEntries {
		t.Run(e.name, func(t *testing.T) {
			outcomes := map[string]int{}
			for _, literalPlus := range []bool{true, false} {
				for _, encode := range []bool{true, false} {
					for pname, payload := range injPayloads {
						what := fmt.Sprintf("%s, LITERAL+ %v, folder encoding %v", pname, literalPlus, encode)
						outcomes[injOne(t, e, payload, literalPlus, encode, what)]++
					}
				}
			}
			t.Logf("outcomes: %v", outcomes)
		})
	}
}

// injOne runs one call and checks the wire. It returns how the payload
// was handled: "refused", "literal", "encoded" (sent with its CR, LF and
// NUL turned into something else, such as modified UTF-7 or base64).
func injOne(t *testing.T, e injEntry, payload string, literalPlus, encode bool, what string) string {
	t.Helper()
	c, rec := injClient(t, e.state, literalPlus, encode)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	before, _ := rec.snapshot()
	callErr := e.call(ctx, c, payload)
	// A NOOP as a fence: once it is answered, everything the call sent
	// has been read and recorded.
	if _, err := c.Noop(ctx); err != nil {
		t.Errorf("%s: NOOP after the call (error %v): %v", what, callErr, err)
		return "broken"
	}
	all, bad := rec.snapshot()
	sent := all[len(before) : len(all)-1]
	if fence := all[len(all)-1]; !strings.HasSuffix(fence.lines[0], " NOOP") {
		t.Errorf("%s: the last command is %s, not the NOOP", what, fence)
	}
	bad = append(bad, injCheck(sent)...)
	for _, b := range bad {
		t.Errorf("%s: %s", what, b)
	}
	switch {
	case len(sent) == 0:
		if callErr == nil {
			t.Logf("%s: nothing sent and no error", what)
		}
		return "refused"
	case injInLiteral(sent, payload):
		return "literal"
	default:
		return "encoded"
	}
}

// injInLiteral reports whether the payload went out in a literal.
func injInLiteral(cmds []injCmd, payload string) bool {
	for _, c := range cmds {
		for _, lit := range c.lits {
			if bytes.Contains(lit.data, []byte(payload)) {
				return true
			}
		}
	}
	return false
}

// TestInjectionEncodedForms checks the forms a few safe encodings take on
// the wire, byte for byte: a search value and a LOGIN password go as
// literals holding the CR LF; a folder name as modified UTF-7; an
// AUTHENTICATE initial response as base64 on the command line.
func TestInjectionEncodedForms(t *testing.T) {
	const crlf = "evil\r\nA999 LOGOUT"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, rec := injClient(t, "selected", true, true)
	if _, err := c.Search(ctx, injQ.Subject(crlf), nil); err != nil {
		t.Fatalf("Search: %v", err)
	}
	if err := c.CreateFolder(ctx, crlf); err != nil {
		t.Fatalf("CreateFolder: %v", err)
	}
	cmds, _ := rec.snapshot()
	search, create := cmds[len(cmds)-2], cmds[len(cmds)-1]
	if want := fmt.Sprintf("A2 UID SEARCH SUBJECT {%d+}", len(crlf)); search.lines[0] != want || len(search.lits) != 1 || string(search.lits[0].data) != crlf {
		t.Errorf("search sent as %s, want %q and the value as its literal", search, want)
	}
	if len(create.lits) != 0 || create.lines[0] != `A3 CREATE "evil&AA0ACg-A999 LOGOUT"` {
		t.Errorf("folder name sent as %s, want it in modified UTF-7", create)
	}

	c, rec = injClient(t, "noauth", false, true)
	if err := c.Login(ctx, "alice", crlf); err != nil {
		t.Fatalf("Login: %v", err)
	}
	cmds, _ = rec.snapshot()
	if login := cmds[0]; login.lines[0] != fmt.Sprintf("A1 LOGIN alice {%d}", len(crlf)) || len(login.lits) != 1 || string(login.lits[0].data) != crlf {
		t.Errorf("LOGIN sent as %s, want the password as a synchronising literal", login)
	}

	c, rec = injClient(t, "noauth", false, true)
	if err := c.PlainLogin(ctx, "alice", crlf, ""); err != nil {
		t.Fatalf("PlainLogin: %v", err)
	}
	cmds, _ = rec.snapshot()
	ir := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + crlf))
	if auth := cmds[0]; auth.lines[0] != "A1 AUTHENTICATE PLAIN "+ir || len(auth.lits) != 0 {
		t.Errorf("AUTHENTICATE sent as %s, want the initial response in base64", auth)
	}
}

// TestInjectionDetector proves that injCheck sees what a leaking client
// would send.
func TestInjectionDetector(t *testing.T) {
	leaks := [][]injCmd{
		{{lines: []string{"A5 SELECT evil"}}, {lines: []string{"A999 LOGOUT"}}},
		{{lines: []string{"A5 SELECT \"evil\rA999 LOGOUT\""}}},
		{{lines: []string{"A5 SELECT evil\x00A999"}}},
		{{lines: []string{"A5 SELECT {9}", ""}, lits: []injLit{{data: []byte("evil\x00A999")}}}},
	}
	for i, cmds := range leaks {
		if bad := injCheck(cmds); len(bad) == 0 {
			t.Errorf("leak %d not detected: %v", i, cmds)
		}
	}
	safe := []injCmd{{lines: []string{"A5 SELECT {9+}", ""}, lits: []injLit{{data: []byte("evil\r\nA99")}}},
		{lines: []string{"A6 SETMETADATA INBOX (/private/x ~{3}", ")"}, lits: []injLit{{data: []byte("a\x00b"), binary: true}}}}
	if bad := injCheck(safe); len(bad) != 0 {
		t.Errorf("safe commands flagged: %v", bad)
	}
	for line, want := range map[string]int{"A1 LOGIN {5}": 5, "x {12+}": 12, "x ~{3}": 3, "x {4-}": 4} {
		if n, _, _, ok := literalAt(line); !ok || n != want {
			t.Errorf("literalAt(%q) = %d, %v", line, n, ok)
		}
	}
}
