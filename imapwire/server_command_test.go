package imapwire_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// srvRender renders a command as "TAG NAME args", or an error as
// "error(TAG): kind" where kind is syntax, limit:NAME or the error text.
func srvRender(cmd *imapwire.ClientCommand, err error) string {
	if err != nil {
		var se *imapwire.SyntaxError
		var le *imapwire.LimitError
		kind := err.Error()
		switch {
		case errors.As(err, &se):
			kind = "syntax"
		case errors.As(err, &le):
			kind = "limit:" + le.Limit
		}
		if cmd == nil {
			return "fatal: " + kind
		}
		return fmt.Sprintf("error(%s): %s", cmd.Tag, kind)
	}
	s := cmd.Tag + " " + cmd.Name
	if len(cmd.Args) > 0 {
		s += " " + imapwire.FormatValues(cmd.Args)
	}
	return s
}

// srvDecodeAll reads every command of input and renders them, one a line,
// with the OnLiteral calls in brackets.
func srvDecodeAll(t *testing.T, input string, lim *imapwire.Limits, refuse func(int64, bool) error) []string {
	t.Helper()
	dec := imapwire.NewCommandDecoder(strings.NewReader(input), lim)
	var out []string
	dec.OnLiteral = func(size int64, nonSync bool) error {
		out = append(out, fmt.Sprintf("[literal %d %v]", size, nonSync))
		if refuse != nil {
			return refuse(size, nonSync)
		}
		return nil
	}
	for range 1000 {
		cmd, err := dec.ReadCommand()
		if cmd == nil && err == io.EOF {
			return out
		}
		out = append(out, srvRender(cmd, err))
		if cmd == nil {
			return out
		}
	}
	t.Fatal("too many commands")
	return nil
}

func srvCheck(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCommandAsClientsSendThem(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"login quoted", "a001 LOGIN \"joe\" \"pa ss\\\"wd\\\\\"\r\n",
			[]string{`a001 LOGIN "joe" "pa ss\"wd\\"`}},
		{"login literal", "a002 login {3}\r\njoe {6}\r\nsecret\r\n",
			[]string{"[literal 3 false]", "[literal 6 false]", `a002 LOGIN "joe" "secret"`}},
		{"login literal+", "a003 LOGIN joe {6+}\r\nsecret\r\n",
			[]string{"[literal 6 true]", `a003 LOGIN joe "secret"`}},
		{"select literal", "A1 SELECT {9}\r\nMy Folder (CONDSTORE)\r\n",
			[]string{"[literal 9 false]", `A1 SELECT "My Folder" (CONDSTORE)`}},
		{"select gmail", "A2 select [Gmail]/Sent\r\n", []string{"A2 SELECT [Gmail]/Sent"}},
		{"uid fetch", "A4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)\r\n",
			[]string{"A4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)"}},
		{"fetch sections", "A5 fetch 2,4:7 (UID BODY[] BINARY.PEEK[1.2] BODY[HEADER.FIELDS (\"a]b\" {5}\r\nX-Bar)] BODY[TEXT]<0.2048>) (CHANGEDSINCE 12345)\r\n",
			[]string{"[literal 5 false]", `A5 FETCH 2,4:7 (UID BODY[] BINARY.PEEK[1.2] BODY[HEADER.FIELDS ("a]b" X-Bar)] BODY[TEXT]<0.2048>) (CHANGEDSINCE 12345)`}},
		{"fetch quoted literal in section", "A6 FETCH 1 BODY[HEADER.FIELDS.NOT ({3}\r\na b)]\r\n",
			[]string{"[literal 3 false]", `A6 FETCH 1 BODY[HEADER.FIELDS.NOT ("a b")]`}},
		{"uid search", "A7 UID SEARCH CHARSET UTF-8 OR (FROM \"alice\" NOT SEEN) (SUBJECT {6}\r\nna\xc3\xafve SINCE 1-Feb-1994) NOT DELETED LARGER 1000 UID 1:5\r\n",
			[]string{"[literal 6 false]", `A7 UID SEARCH CHARSET UTF-8 OR (FROM "alice" NOT SEEN) (SUBJECT "naïve" SINCE 1-Feb-1994) NOT DELETED LARGER 1000 UID 1:5`}},
		{"search nested", "A8 SEARCH NOT (OR (OR FLAGGED ANSWERED) (NOT (HEADER \"X-Spam\" \"\")))\r\n",
			[]string{`A8 SEARCH NOT (OR (OR FLAGGED ANSWERED) (NOT (HEADER "X-Spam" "")))`}},
		{"multiappend literal+", "A9 APPEND INBOX (\\Seen) {5+}\r\nhello {6+}\r\nworld!\r\n",
			[]string{"[literal 5 true]", "[literal 6 true]", `A9 APPEND INBOX (\Seen) "hello" "world!"`}},
		{"append literal8", "B1 APPEND INBOX ~{3}\r\na\x00b\r\n",
			[]string{"[literal 3 false]", `B1 APPEND INBOX ~"a\x00b"`}},
		{"append literal-", "B2 APPEND INBOX {2-}\r\nhi\r\n", []string{"[literal 2 true]", `B2 APPEND INBOX "hi"`}},
		{"store silent", "B3 UID STORE 1:3,5 +FLAGS.SILENT (\\Deleted)\r\n",
			[]string{`B3 UID STORE 1:3,5 +FLAGS.SILENT (\Deleted)`}},
		{"store flags", "B4 STORE 1 FLAGS ()\r\nB5 STORE 2 -FLAGS ($Forwarded \\Seen)\r\nB6 UID STORE 7 (UNCHANGEDSINCE 5) +FLAGS (\\Flagged)\r\n",
			[]string{"B4 STORE 1 FLAGS ()", `B5 STORE 2 -FLAGS ($Forwarded \Seen)`, `B6 UID STORE 7 (UNCHANGEDSINCE 5) +FLAGS (\Flagged)`}},
		{"list", "B7 LIST \"\" *\r\nB8 LIST (SUBSCRIBED) \"\" (\"a\" %) RETURN (CHILDREN)\r\n",
			[]string{`B7 LIST "" *`, `B8 LIST (SUBSCRIBED) "" ("a" %) RETURN (CHILDREN)`}},
		{"id nil and lenient spaces", "B9 ID NIL\r\nC1 ID ( \"name\"  \"x\" )  \r\nC2 noop\n",
			[]string{"B9 ID NIL", `C1 ID ("name" "x")`, "C2 NOOP"}},
		{"brackets outside fetch", "C3 RENAME a[1 b]2\r\n", []string{"C3 RENAME a[1 b]2"}},
		{"empty literal", "C4 LOGIN {0}\r\n {0+}\r\n\r\n",
			[]string{"[literal 0 false]", "[literal 0 true]", `C4 LOGIN "" ""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srvCheck(t, srvDecodeAll(t, tt.in, nil, nil), tt.want...)
		})
	}
}

func TestCommandValues(t *testing.T) {
	dec := imapwire.NewCommandDecoder(strings.NewReader(
		"A4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)\r\n"+
			"A5 SELECT 2024 nil 007 99999999999999999999\r\n"), nil)
	cmd, err := dec.ReadCommand()
	if err != nil || cmd.Tag != "A4" || cmd.Name != "UID FETCH" || len(cmd.Args) != 2 {
		t.Fatalf("%+v %v", cmd, err)
	}
	set, err := imap.ParseNumSet(cmd.Args[0].Atom)
	if err != nil || set.String() != "1:*" {
		t.Fatal(set, err)
	}
	items := cmd.Args[1]
	if items.Kind != imapwire.ValueList || len(items.List) != 2 || !items.List[0].IsAtom("flags") ||
		items.List[1].Atom != "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>" || items.List[1].Kind != imapwire.ValueAtom {
		t.Fatalf("%+v", items)
	}
	if _, ok := items.AString(); ok {
		t.Error("a list is not an astring")
	}
	cmd, err = dec.ReadCommand()
	if err != nil || len(cmd.Args) != 4 {
		t.Fatal(cmd, err)
	}
	a := cmd.Args
	if a[0].Kind != imapwire.ValueNumber || a[0].Num != 2024 || a[1].Kind != imapwire.ValueNIL ||
		a[2].Num != 7 || a[2].Atom != "007" || a[3].Kind != imapwire.ValueAtom {
		t.Fatalf("%+v", a)
	}
	for i, want := range []string{"2024", "nil", "007", "99999999999999999999"} {
		if s, ok := a[i].AString(); !ok || s != want {
			t.Errorf("arg %d: %q %v", i, s, ok)
		}
	}
	if imapwire.ValueNIL.String() != "NIL" || imapwire.ValueKind(99).String() != "ValueKind(99)" {
		t.Error("kind names")
	}
}

// A synchronising literal: the client sends the data only after the
// continuation request, which the server writes from OnLiteral. A decoder
// that read ahead would dead-lock here.
func TestCommandSyncLiteralWaitsForContinuation(t *testing.T) {
	cr, cw := io.Pipe()
	defer cr.Close()
	dec := imapwire.NewCommandDecoder(cr, nil)
	cont := make(chan int64, 4)
	dec.OnLiteral = func(size int64, nonSync bool) error {
		if nonSync {
			return errors.New("unexpected non-synchronising literal")
		}
		cont <- size // "+ Ready"
		return nil
	}
	msg := "Subject: hi\r\n\r\nhello\r\n"
	go func() {
		io.WriteString(cw, "A1 APPEND Drafts (\\Seen \\Draft) \"17-Jul-1996 02:44:25 -0700\" {"+fmt.Sprint(len(msg))+"}\r\n")
		if <-cont != int64(len(msg)) {
			cw.CloseWithError(errors.New("bad size"))
			return
		}
		io.WriteString(cw, msg+"\r\n")
		io.WriteString(cw, "A2 LOGIN {3}\r\n")
		<-cont
		io.WriteString(cw, "bob {2}\r\n")
		<-cont
		io.WriteString(cw, "pw\r\n")
		cw.Close()
	}()
	type result struct {
		s   string
		err error
	}
	done := make(chan result)
	go func() {
		var out []string
		for {
			cmd, err := dec.ReadCommand()
			if cmd == nil {
				done <- result{strings.Join(out, "\n"), err}
				return
			}
			out = append(out, srvRender(cmd, err))
		}
	}()
	select {
	case r := <-done:
		want := `A1 APPEND Drafts (\Seen \Draft) "17-Jul-1996 02:44:25 -0700" "Subject: hi\r\n\r\nhello\r\n"` + "\n" + `A2 LOGIN "bob" "pw"`
		if r.s != want || r.err != io.EOF {
			t.Fatalf("got %q, %v", r.s, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dead-lock: the decoder read past a synchronising literal announcement")
	}
}

func TestCommandIdleAndAuthenticate(t *testing.T) {
	in := "A1 IDLE\r\nDONE\r\n" +
		"A2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n" +
		"A3 AUTHENTICATE PLAIN\r\nAGJvYgBwdw==\r\n" +
		"A4 AUTHENTICATE PLAIN =\r\n" +
		"A5 AUTHENTICATE XOAUTH2\r\n*\n"
	dec := imapwire.NewCommandDecoder(strings.NewReader(in), nil)
	next := func(want string) *imapwire.ClientCommand {
		t.Helper()
		cmd, err := dec.ReadCommand()
		if got := srvRender(cmd, err); got != want {
			t.Fatalf("got %q want %q", got, want)
		}
		return cmd
	}
	line := func(want string) {
		t.Helper()
		l, err := dec.ReadLine()
		if err != nil || string(l) != want {
			t.Fatalf("ReadLine: %q %v, want %q", l, err, want)
		}
	}
	next("A1 IDLE")
	line("DONE")
	cmd := next("A2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==")
	if ir, err := base64.StdEncoding.DecodeString(cmd.Args[1].Atom); err != nil || string(ir) != "\x00alice\x00secret" {
		t.Fatalf("%q %v", ir, err)
	}
	next("A3 AUTHENTICATE PLAIN")
	line("AGJvYgBwdw==")
	next("A4 AUTHENTICATE PLAIN =")
	next("A5 AUTHENTICATE XOAUTH2")
	line("*")
	if _, err := dec.ReadLine(); err != io.EOF {
		t.Fatal(err)
	}
}

func TestCommandMalformed(t *testing.T) {
	deep := strings.Repeat("(", 70) + strings.Repeat(")", 70)
	tests := []struct{ in, want string }{
		{" NOOP\r\n", "error(): syntax"},
		{"\r\n", "error(): syntax"},
		{"A1\r\n", "error(A1): syntax"},
		{"A+1 NOOP\r\n", "error(): syntax"},
		{"A1 UID\r\n", "error(A1): syntax"},
		{"A1 NOOP(\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 (FLAGS\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 FLAGS)\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 BODY[HEADER\r\n", "error(A1): syntax"},
		{"A1 LOGIN \"joe secret\r\n", "error(A1): syntax"},
		{"A1 LOGIN a\"b\"\r\n", "error(A1): syntax"},
		{"A1 LOGIN a b\x00\r\n", "error(A1): syntax"},
		{"A1 SELECT \"a\rb\"\r\n", "error(A1): syntax"},
		{"A1 SELECT \"abcdefghij\rklmnop\"\r\n", "error(A1): syntax"},
		{"A1 SELECT \"a\\\rb\"\r\n", "error(A1): syntax"},
		// In a FETCH section, quoted strings are kept as sent: they must
		// still be quoted strings (RFC 3501 section 9, QUOTED-CHAR).
		{"A1 FETCH 1 BODY[\"\r\"]\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 BODY[HEADER.FIELDS (\"X-abcdefgh\ri\")]\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 BODY[HEADER.FIELDS (\"X\\\r\")]\r\n", "error(A1): syntax"},
		{"A1 FETCH 1 BODY[HEADER.FIELDS (\"X\x00\")]\r\n", "error(A1): syntax"},
		{"A1 NOOP\rX\r\n", "error(A1): syntax"},
		{"A1 SEARCH " + deep + "\r\n", "error(A1): limit:MaxDepth"},
		{"A1 LOGIN {abc}\r\n", "error(A1): syntax"},
		{"A1 LOGIN {5} x\r\n", "error(A1): syntax"},
		{"A1 LOGIN {99999999999999999999}\r\n", "error(A1): syntax"},
		// After an error the rest of the command goes as the client sends
		// it: a non-synchronising literal's data is skipped, a synchronising
		// literal ends the command (the client waits for "+").
		{"A1 FETCH 1 (FLAGS)) {5+}\r\nhello {3+}\r\nabc\r\n", "error(A1): syntax"},
		{"A1 LOGIN ) {5}\r\n", "error(A1): syntax"},
		{"+ bad {5+}\r\nhello\r\n", "error(): syntax"},
		{"A1 LOGIN {2+}\r\nab (\r\n", "[literal 2 true]\nerror(A1): syntax"},
		{"A1 LOGIN {2+}\r\nab ) {2+}\r\n)(\r\n", "[literal 2 true]\nerror(A1): syntax"},
	}
	for _, tt := range tests {
		got := srvDecodeAll(t, tt.in+"Z9 NOOP\r\n", nil, nil)
		srvCheck(t, got, tt.want, "Z9 NOOP")
	}
}

func TestCommandSyntaxErrorRedactsCredentials(t *testing.T) {
	dec := imapwire.NewCommandDecoder(strings.NewReader("A1 LOGIN joe \"hunter2\r\nA2 SELECT \"x\r\n"), nil)
	for _, want := range []string{"A1 LOGIN [redacted]", "A2 SELECT \"x\r\n"} {
		cmd, err := dec.ReadCommand()
		var se *imapwire.SyntaxError
		if cmd == nil || !errors.As(err, &se) || se.Line != want {
			t.Fatalf("%+v %v", cmd, err)
		}
	}
}

var errTooBig = errors.New("too big")

func TestCommandRefusedLiterals(t *testing.T) {
	refuse := func(size int64, _ bool) error {
		if size > 10 {
			return errTooBig
		}
		return nil
	}
	big := strings.Repeat("x", 100)
	// Refused synchronising literal: the client sends nothing more.
	srvCheck(t, srvDecodeAll(t, "A1 APPEND INBOX {100}\r\nZ9 NOOP\r\n", nil, refuse),
		"[literal 100 false]", "error(A1): too big", "Z9 NOOP")
	// Refused non-synchronising literal: its data and the rest are skipped.
	srvCheck(t, srvDecodeAll(t, "A2 APPEND INBOX {100+}\r\n"+big+" {3+}\r\nabc\r\nZ9 NOOP\r\n", nil, refuse),
		"[literal 100 true]", "error(A2): too big", "Z9 NOOP")
	// Over MaxLiteral: refused without asking OnLiteral.
	lim := &imapwire.Limits{MaxLiteral: 50}
	srvCheck(t, srvDecodeAll(t, "A3 APPEND INBOX {100+}\r\n"+big+"\r\nA4 APPEND INBOX {100}\r\nZ9 NOOP\r\n", lim, nil),
		"error(A3): limit:MaxLiteral", "error(A4): limit:MaxLiteral", "Z9 NOOP")
	// MaxLiteral bounds the literals of one command together.
	x30 := strings.Repeat("y", 30)
	srvCheck(t, srvDecodeAll(t, "A5 APPEND INBOX {30+}\r\n"+x30+" {30+}\r\n"+x30+"\r\nA6 APPEND INBOX {30+}\r\n"+x30+"\r\n", lim, nil),
		"[literal 30 true]", "error(A5): limit:MaxLiteral", "[literal 30 true]", `A6 APPEND INBOX "`+x30+`"`)
}

func TestCommandLineTooLong(t *testing.T) {
	lim := &imapwire.Limits{MaxLine: 64}
	long := strings.Repeat("a", 100)
	srvCheck(t, srvDecodeAll(t, "A1 LOGIN "+long+"\r\nZ9 NOOP\r\n", lim, nil),
		"error(A1): limit:MaxLine", "Z9 NOOP")
	srvCheck(t, srvDecodeAll(t, "A1 X "+long+" {5+}\r\nhello "+long+" {5}\r\nZ9 NOOP\r\n", lim, nil),
		"error(A1): limit:MaxLine", "Z9 NOOP")
	srvCheck(t, srvDecodeAll(t, long+"\r\nZ9 NOOP\r\n", lim, nil),
		"error(): limit:MaxLine", "Z9 NOOP")
	// MaxLine bounds the lines of one command together.
	srvCheck(t, srvDecodeAll(t, "A2 LOGIN {3+}\r\nabc "+long[:60]+"\r\nZ9 NOOP\r\n", lim, nil),
		"[literal 3 true]", "error(A2): limit:MaxLine", "Z9 NOOP")
	dec := imapwire.NewCommandDecoder(strings.NewReader(long+"\r\nDONE\r\n"), lim)
	var le *imapwire.LimitError
	if _, err := dec.ReadLine(); !errors.As(err, &le) {
		t.Fatal(err)
	}
	if l, err := dec.ReadLine(); err != nil || string(l) != "DONE" {
		t.Fatal(string(l), err)
	}
}

func TestCommandEOF(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"A1 NOOP":                     "fatal: " + imapwire.ErrUnexpectedEOF.Error(),
		"A1 LOGIN {10}\r\nabc":        "[literal 10 false]\nfatal: " + imapwire.ErrUnexpectedEOF.Error(),
		"A1 LOGIN {3}\r\nabc":         "[literal 3 false]\nfatal: " + imapwire.ErrUnexpectedEOF.Error(),
		"A1 LOGIN ( {3+}\r\nab":       "[literal 3 true]\nfatal: " + imapwire.ErrUnexpectedEOF.Error(),
		"A1 NOOP\r\nA2 LOGIN {3}\r\n": "A1 NOOP\n[literal 3 false]\nfatal: " + imapwire.ErrUnexpectedEOF.Error(),
	} {
		if got := strings.Join(srvDecodeAll(t, in, nil, nil), "\n"); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
	dec := imapwire.NewCommandDecoder(strings.NewReader("A1 NOOP"), nil)
	_, err1 := dec.ReadCommand()
	_, err2 := dec.ReadCommand()
	if err1 != imapwire.ErrUnexpectedEOF || err2 != err1 {
		t.Fatal(err1, err2)
	}
}

// The size a client announces is never allocated before the data arrives.
func TestCommandLiteralNotPreallocated(t *testing.T) {
	lim := &imapwire.Limits{MaxLiteral: 1 << 40}
	dec := imapwire.NewCommandDecoder(strings.NewReader("A1 APPEND INBOX {1000000000000+}\r\nabc"), lim)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cmd, err := dec.ReadCommand()
	runtime.ReadMemStats(&after)
	if cmd != nil || err != imapwire.ErrUnexpectedEOF {
		t.Fatal(cmd, err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
		t.Fatalf("allocated %d bytes", d)
	}
}

// timeoutReader fails with a timeout once, then reads from r.
type timeoutReader struct {
	r     io.Reader
	fired bool
}

type srvTimeout struct{}

func (srvTimeout) Error() string { return "timeout" }
func (srvTimeout) Timeout() bool { return true }

func (t *timeoutReader) Read(p []byte) (int, error) {
	if !t.fired {
		t.fired = true
		return 0, srvTimeout{}
	}
	return t.r.Read(p)
}

func TestCommandTimeoutBeforeCommandRetries(t *testing.T) {
	dec := imapwire.NewCommandDecoder(&timeoutReader{r: strings.NewReader("A1 NOOP\r\n")}, nil)
	if cmd, err := dec.ReadCommand(); cmd != nil || !errors.Is(err, srvTimeout{}) {
		t.Fatal(cmd, err)
	}
	if cmd, err := dec.ReadCommand(); err != nil || cmd.Name != "NOOP" {
		t.Fatal(cmd, err)
	}
	dec = imapwire.NewCommandDecoder(strings.NewReader("A1 COMPRESS DEFLATE\r\nxyz"), nil)
	if cmd, err := dec.ReadCommand(); err != nil || cmd.Name != "COMPRESS" || string(dec.TakeBuffered()) != "xyz" {
		t.Fatal(cmd, err)
	}
	dec.Reset(strings.NewReader("B1 CAPABILITY\r\n"))
	if cmd, err := dec.ReadCommand(); err != nil || cmd.Name != "CAPABILITY" || dec.Buffered() != 0 {
		t.Fatal(cmd, err)
	}
}
