package imapwire

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/imapclient-go/imapclient/imap"
)

// decodeAll decodes a whole stream, reading every FETCH item and section,
// and returns the number of responses and FETCH items.
func decodeAll(tb testing.TB, d *Decoder) (responses, items int) {
	var it FetchItem
	for {
		r, err := d.ReadResponse()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatal(err)
		}
		responses++
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
			items++
			if it.Reader != nil {
				io.Copy(io.Discard, it.Reader)
			}
		}
	}
}

func TestGeneratedStreams(t *testing.T) {
	data := genFetchMetadata(500, 1)
	if !bytes.Equal(data, genFetchMetadata(500, 1)) {
		t.Fatal("generator is not deterministic")
	}
	if n, items := decodeAll(t, NewDecoder(bytes.NewReader(data), nil)); n != 501 || items != 500*6 {
		t.Fatalf("%d responses, %d items", n, items)
	}
	// Every shape of body structure occurs, and parses back the same.
	shapes := map[string]bool{}
	d := NewDecoder(bytes.NewReader(data), nil)
	for range 500 {
		if _, err := d.ReadResponse(); err != nil {
			t.Fatal(err)
		}
		items, err := d.ReadAllFetchItems()
		if err != nil {
			t.Fatal(err)
		}
		env, body := items[4].Envelope, items[5].Body
		if len(env.To) == 0 || len(env.Subject) < 20 || env.MessageID == "" || len(env.From) != 1 {
			t.Fatalf("%+v", env)
		}
		shape := body.MediaType()
		body.Walk(func(_ string, p *imap.BodyStructure) bool {
			if p.MediaType() == "message/rfc822" {
				shape += "+rfc822"
			}
			return true
		})
		shapes[shape] = true
		if again := parseBody(t, "BODYSTRUCTURE", formatBody(body), nil); formatBody(again) != formatBody(body) {
			t.Fatal("round trip")
		}
	}
	for _, s := range []string{"text/plain", "multipart/alternative", "multipart/mixed", "multipart/mixed+rfc822"} {
		if !shapes[s] {
			t.Errorf("no %s in %v", s, shapes)
		}
	}
	small := genFetchMetadata(50, 2)
	want := summarize(NewDecoder(bytes.NewReader(small), nil), allOpts)
	if got := summarize(NewDecoder(iotest.OneByteReader(bytes.NewReader(small)), &Limits{ReadBufferSize: 64}), allOpts); got != want {
		t.Fatal(firstDiff(got, want))
	}
	if n, items := decodeAll(t, NewDecoder(bytes.NewReader(genBodies(10, 20<<10)), &Limits{InlineLiteral: 4096})); n != 11 || items != 30 {
		t.Fatalf("%d responses, %d items", n, items)
	}
	d = NewDecoder(bytes.NewReader(genSearch(1000)), nil)
	if r, err := d.ReadResponse(); err != nil || len(r.Data.(*SearchData).Nums) != 1000 {
		t.Fatal(err)
	}
}

func benchmarkDecode(b *testing.B, data []byte, lim *Limits) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rd := bytes.NewReader(data)
	for b.Loop() {
		rd.Reset(data)
		decodeAll(b, NewDecoder(rd, lim))
	}
}

func BenchmarkDecodeFetchMetadata(b *testing.B) {
	benchmarkDecode(b, genFetchMetadata(5000, 1), nil)
}

func BenchmarkDecodeSearch(b *testing.B) {
	benchmarkDecode(b, genSearch(100000), nil)
}

// BenchmarkDecodeSearchConsecutive decodes the answer to UID SEARCH ALL in
// a mailbox of 100,000 messages with no gaps in its UIDs (see scanRun).
func BenchmarkDecodeSearchConsecutive(b *testing.B) {
	var data bytes.Buffer
	data.WriteString("* SEARCH")
	for i := range 100000 {
		data.WriteString(" " + strconv.Itoa(i+1))
	}
	data.WriteString("\r\na6 OK Search completed (0.012 + 0.000 secs).\r\n")
	benchmarkDecode(b, data.Bytes(), nil)
}

func BenchmarkDecodeBodies(b *testing.B) {
	data := genBodies(1000, 20<<10)
	b.Run("inline", func(b *testing.B) { benchmarkDecode(b, data, nil) })
	b.Run("streamed", func(b *testing.B) { benchmarkDecode(b, data, &Limits{InlineLiteral: 4096}) })
}

func BenchmarkEncodeCommand(b *testing.B) {
	e := NewEncoder(EncoderOptions{LiteralPlus: true})
	set := imap.MustParseNumSet("1:100,200,300:*")
	msg := []byte(strings.Repeat("x", 2000))
	b.ReportAllocs()
	for b.Loop() {
		e.Begin("A123", "UID FETCH").SP().NumSet(set).SP().Raw("(UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE)")
		if _, err := e.Finish(); err != nil {
			b.Fatal(err)
		}
		e.Begin("A124", "LOGIN").SP().AString("alice@example.com").SP().BeginSecret().String(`pa"ss w\rd`).EndSecret()
		if _, err := e.Finish(); err != nil {
			b.Fatal(err)
		}
		e.Begin("A125", "APPEND").SP().AString("Sent Items").SP().Byte('(').Flag(`\Seen`).Byte(')').SP().Literal(msg)
		if _, err := e.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}
