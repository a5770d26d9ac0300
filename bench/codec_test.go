// Codec microbenchmarks: the same metadata FETCH response stream (5,000
// messages: UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE)
// parsed by our imapwire decoder alone, by our client, and by go-imap v2's
// client. The clients read from an in-memory connection to a fake server
// that answers LOGIN, SELECT and FETCH; each benchmark iteration is one
// FETCH of the whole stream.
//
// The stream is recorded from Dovecot when BENCH_RECORDED names a file of
// raw FETCH responses (scripts/bench.sh records one with `rawread
// -scenario record`), and generated synthetically, in the same shapes,
// otherwise:
//
//	go test -bench . -benchmem
//	BENCH_RECORDED=/tmp/metadata5000.imap go test -bench . -benchmem
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	goimapclient "github.com/emersion/go-imap/v2/imapclient"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapwire"
)

var (
	streamOnce sync.Once
	streamData []byte
	streamN    int
	streamSrc  string
)

// metadataStream returns the FETCH responses and their number.
func metadataStream(tb testing.TB) ([]byte, int) {
	streamOnce.Do(func() {
		if p := os.Getenv("BENCH_RECORDED"); p != "" {
			data, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			// Keep the untagged FETCH responses only: drop the tagged
			// completion the recording ends with.
			if i := bytes.LastIndex(data, []byte("\r\nR")); i >= 0 {
				data = data[:i+2]
			}
			streamData, streamSrc = data, "recorded from Dovecot ("+p+")"
		} else {
			streamData, streamSrc = synthMetadata(5000, 1), "synthetic"
		}
		streamN = bytes.Count(streamData, []byte(" FETCH ("))
	})
	if streamN == 0 {
		tb.Fatal("no FETCH responses in the stream")
	}
	return streamData, streamN
}

func TestStream(t *testing.T) {
	data, n := metadataStream(t)
	t.Logf("%s: %d FETCH responses, %d bytes", streamSrc, n, len(data))
	if got := decodeStream(t, data); got != n {
		t.Fatalf("imapwire decoded %d of %d", got, n)
	}
	if got := oursClient(t, data, n, 1); got != n {
		t.Fatalf("our client decoded %d of %d", got, n)
	}
	if got := goimapClient(t, data, n, 1); got != n {
		t.Fatalf("go-imap decoded %d of %d", got, n)
	}
}

// decodeStream parses every response and FETCH item with imapwire alone.
func decodeStream(tb testing.TB, data []byte) int {
	d := imapwire.NewDecoder(bytes.NewReader(data), nil)
	var it imapwire.FetchItem
	n := 0
	for {
		r, err := d.ReadResponse()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if r.Name != "FETCH" {
			continue
		}
		for {
			ok, err := d.NextFetchItem(&it)
			if err != nil {
				tb.Fatal(err)
			}
			if !ok {
				break
			}
		}
		n++
	}
}

func BenchmarkMetadata(b *testing.B) {
	data, n := metadataStream(b)
	b.Logf("%s: %d messages, %d bytes", streamSrc, n, len(data))
	b.Run("imapwire", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			decodeStream(b, data)
		}
	})
	b.Run("ours-client", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		oursClient(b, data, n, b.N)
	})
	b.Run("go-imap-client", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		goimapClient(b, data, n, b.N)
	})
}

// fakeServer is a server for one client, in memory: a greeting, then OK
// to every command, n EXISTS to SELECT and the stream to FETCH. Its
// answers are ready as soon as the command is written, and the client
// reads them from a buffer: unlike a net.Pipe, which hands bytes over
// one write at a time between two goroutines, it adds almost nothing to
// what the clients themselves cost.
func fakeServer(tb testing.TB, data []byte, n int) net.Conn {
	c := &memConn{data: data, n: n}
	c.cond.L = &c.mu
	c.send("* OK [CAPABILITY IMAP4rev1 LITERAL+] fake server ready\r\n")
	return c
}

// memConn is fakeServer's net.Conn.
type memConn struct {
	data []byte
	n    int

	mu     sync.Mutex
	cond   sync.Cond
	in     []byte   // the client's unanswered partial line
	out    [][]byte // answers not yet read; the stream is not copied
	closed bool
}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 && !c.closed {
		c.cond.Wait()
	}
	if c.closed {
		return 0, net.ErrClosed
	}
	n := copy(p, c.out[0])
	if c.out[0] = c.out[0][n:]; len(c.out[0]) == 0 {
		c.out = c.out[1:]
	}
	return n, nil
}

func (c *memConn) send(s string) { c.out = append(c.out, []byte(s)) }

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	c.in = append(c.in, p...)
	for {
		i := bytes.IndexByte(c.in, '\n')
		if i < 0 {
			break
		}
		c.answer(string(c.in[:i+1]))
		c.in = c.in[i+1:]
	}
	c.cond.Broadcast()
	return len(p), nil
}

// answer queues the answer to one command line.
func (c *memConn) answer(line string) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return
	}
	tag, cmd := f[0], strings.ToUpper(f[1])
	if cmd == "UID" && len(f) > 2 {
		cmd = strings.ToUpper(f[2])
	}
	switch cmd {
	case "CAPABILITY":
		c.send("* CAPABILITY IMAP4rev1 LITERAL+\r\n")
	case "SELECT", "EXAMINE":
		c.send(fmt.Sprintf("* %d EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* OK [UIDNEXT %d] x\r\n", c.n, c.n+1))
	case "FETCH":
		c.out = append(c.out, c.data)
	case "LOGOUT":
		c.send("* BYE bye\r\n")
	}
	c.send(fmt.Sprintf("%s OK %s done\r\n", tag, cmd))
}

func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.cond.Broadcast()
	return nil
}

func (c *memConn) LocalAddr() net.Addr                { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr               { return memAddr{} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "fake" }

// oursClient fetches the stream iterations times with our client and
// returns the messages of the last fetch.
func oursClient(tb testing.TB, data []byte, n, iterations int) int {
	ctx := context.Background()
	c, err := imapclient.New(ctx, fakeServer(tb, data, n), &imapclient.Options{AllowInsecureAuth: true, SequenceNumbers: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "u", "p"); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.SelectFolder(ctx, "INBOX", true); err != nil {
		tb.Fatal(err)
	}
	set := imapclient.SetString(fmt.Sprintf("1:%d", n))
	got := 0
	for range iterations {
		got = 0
		for m, err := range c.FetchIter(ctx, set, []string{"UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE"}) {
			if err != nil {
				tb.Fatal(err)
			}
			if m.Envelope != nil && m.BodyStructure != nil {
				got++
			}
		}
	}
	return got
}

// goimapClient is oursClient with go-imap v2.
func goimapClient(tb testing.TB, data []byte, n, iterations int) int {
	c := goimapclient.New(fakeServer(tb, data, n), nil)
	defer c.Close()
	if err := c.Login("u", "p").Wait(); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Select("INBOX", &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		tb.Fatal(err)
	}
	set := goimap.SeqSet{{Start: 1, Stop: uint32(n)}}
	opts := &goimap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true,
		BodyStructure: &goimap.FetchItemBodyStructure{Extended: true}}
	got := 0
	for range iterations {
		got = 0
		cmd := c.Fetch(set, opts)
		for {
			m := cmd.Next()
			if m == nil {
				break
			}
			buf, err := m.Collect()
			if err != nil {
				tb.Fatal(err)
			}
			if buf.Envelope != nil && buf.BodyStructure != nil {
				got++
			}
		}
		if err := cmd.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return got
}

// synthMetadata generates n FETCH responses shaped like Dovecot's answers
// for the seeded corpus: encoded-word names and subjects, 1-5 recipients,
// replies with In-Reply-To, and body structures from text/plain to
// multipart/mixed with attachments and a forwarded message/rfc822.
func synthMetadata(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	names := []string{`"Alice Example"`, `"Bob Smith"`, `"=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?="`,
		`"=?UTF-8?B?Wm/DqyBEdWJvaXM=?="`, `"Carol O'Brien"`, `NIL`, `"=?UTF-8?Q?Fran=C3=A7ois_Lef=C3=A8vre?="`}
	subjects := []string{`"Quarterly report #%d"`, `"Re: Meeting notes #%d"`, `"=?UTF-8?B?w5xiZXJwcsO8ZnVuZyBkZXIgQW5nZWJvdGU=?= #%d"`,
		`"=?UTF-8?Q?R=C3=A9union_de_l'=C3=A9quipe?= #%d"`, `"Build failure on main #%d"`}
	addr := func() string {
		return fmt.Sprintf(`(%s NIL "user%d" "example.org")`, names[r.IntN(len(names))], r.IntN(500))
	}
	addrs := func(k int) string {
		if k == 0 {
			return "NIL"
		}
		var s strings.Builder
		s.WriteByte('(')
		for range k {
			s.WriteString(addr())
		}
		s.WriteByte(')')
		return s.String()
	}
	text := func(sub string) string {
		return fmt.Sprintf(`("text" "%s" ("charset" "utf-8") NIL NIL "quoted-printable" %d %d NIL NIL NIL NIL)`, sub, 200+r.IntN(5000), 5+r.IntN(100))
	}
	alt := func() string {
		return fmt.Sprintf(`(%s%s "alternative" ("boundary" "=_b%08x_alt") NIL NIL NIL)`, text("plain"), text("html"), r.Uint32())
	}
	attach := func() string {
		types := []string{`"application" "pdf"`, `"image" "jpeg"`, `"application" "vnd.openxmlformats-officedocument.wordprocessingml.document"`, `"application" "zip"`}
		return fmt.Sprintf(`(%s ("name" "report-%d.pdf") NIL NIL "base64" %d NIL ("attachment" ("filename" "report-%d.pdf")) NIL NIL)`,
			types[r.IntN(len(types))], r.IntN(9), 1000+r.IntN(500000), r.IntN(9))
	}
	var envelope func(i int) string
	envelope = func(i int) string {
		from := addrs(1)
		irt := "NIL"
		if r.IntN(10) < 3 {
			irt = fmt.Sprintf(`"<%d.%08x@example.com>"`, i-1-r.IntN(40), r.Uint32())
		}
		return fmt.Sprintf(`("Mon, %d Jan 2019 %02d:%02d:%02d +0100" %s %s %s %s %s %s NIL %s "<%d.%08x@example.org>")`,
			1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), fmt.Sprintf(subjects[r.IntN(len(subjects))], i%10007),
			from, from, from, addrs(1+r.IntN(3)), addrs(r.IntN(3)*r.IntN(2)), irt, i, r.Uint32())
	}
	var out bytes.Buffer
	for i := 1; i <= n; i++ {
		var body string
		switch k := r.IntN(100); {
		case k < 45:
			body = text("plain")
		case k < 75:
			body = alt()
		case k < 95:
			parts := alt()
			for range 1 + r.IntN(2) {
				parts += attach()
			}
			body = fmt.Sprintf(`(%s "mixed" ("boundary" "=_b%08x") NIL NIL NIL)`, parts, r.Uint32())
		default:
			fwd := fmt.Sprintf(`("message" "rfc822" NIL NIL NIL "7bit" %d %s %s %d NIL ("inline" NIL) NIL NIL)`,
				2000+r.IntN(9000), envelope(i+1000000), text("plain"), 40+r.IntN(100))
			body = fmt.Sprintf(`(%s%s%s "mixed" ("boundary" "=_b%08x") NIL NIL NIL)`, text("plain"), fwd, attach(), r.Uint32())
		}
		flags := []string{`\Seen`, `\Seen \Answered`, ``, `\Flagged \Seen`}[r.IntN(4)]
		fmt.Fprintf(&out, "* %d FETCH (UID %d FLAGS (%s) RFC822.SIZE %d INTERNALDATE \"%02d-Jan-2019 %02d:%02d:%02d +0000\" ENVELOPE %s BODYSTRUCTURE %s)\r\n",
			i, i, flags, 1024+r.IntN(60000), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), envelope(i), body)
	}
	return out.Bytes()
}
