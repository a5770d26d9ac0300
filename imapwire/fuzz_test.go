package imapwire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/imapclient-go/imapclient/imap"
)

// fuzzLimits are small so that fuzzing reaches every limit and streams
// literals often.
var fuzzLimits = &Limits{MaxLine: 512, InlineLiteral: 16, MaxLiteral: 64, MaxDepth: 8, ReadBufferSize: 24}

// resumeFuzzLimits make every literal that is not streamed fail the
// MaxLiteral check before any read, so a timeout can only hit resumable
// places (see TestTimeoutNotResumable for the exception).
var resumeFuzzLimits = &Limits{MaxLine: 512, InlineLiteral: 16, MaxLiteral: 1, MaxDepth: 8, ReadBufferSize: 16}

// decoderSeeds returns the transcripts, whole and response by response.
func decoderSeeds() []string {
	var seeds []string
	for _, k := range transcriptOrder {
		seeds = append(seeds, transcripts[k])
	}
	for _, tc := range decodeTests {
		seeds = append(seeds, tc.in)
	}
	for _, tc := range fetchTests {
		seeds = append(seeds, tc.in)
	}
	return append(seeds,
		"* LIST () \"/\" {30}\r\n012345678901234567890123456789\r\n* OK x\r\n",
		"* LIST () \"/\" ~backup\r\n* 1 FETCH (X-A ~x X-B (~{2}\r\nab))\r\n",
		"* 1 FETCH (X-FOO (a {20}\r\n01234567890123456789 b) UID 1)\r\n",
		"* OK "+strings.Repeat("x", 600)+" {3}\r\nabc\r\n* OK y\r\n",
	)
}

// drive decodes everything in d, reading streamed sections partly, and
// fails on a decoder that stops making progress.
func drive(t *testing.T, d *Decoder) {
	var it FetchItem
	buf := make([]byte, 5)
	for calls := 0; ; calls++ {
		if calls > maxCalls {
			t.Fatal("decoder makes no progress")
		}
		r, err := d.ReadResponse()
		if err != nil {
			if IsRecoverable(err) {
				continue
			}
			return
		}
		for n := 0; ; n++ {
			if n > maxCalls {
				t.Fatal("FETCH item loop makes no progress")
			}
			ok, err := r.NextFetchItem(&it)
			if err != nil || !ok {
				break
			}
			if it.Reader != nil && n%2 == 0 {
				it.Reader.Read(buf)
			}
		}
	}
}

func FuzzDecoder(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		drive(t, NewDecoder(bytes.NewReader(data), fuzzLimits))
		drive(t, NewDecoder(bytes.NewReader(data), &Limits{MaxLine: 64, InlineLiteral: 4, MaxLiteral: 8, MaxDepth: 2, ReadBufferSize: 1}))
	})
}

// compareCuts checks that data decodes the same whole, one byte at a time,
// and one byte at a time behind timeouts that are retried.
func compareCuts(t *testing.T, data []byte) {
	o := sumOpts{prefix: 3, readSize: 2}
	whole := summarize(NewDecoder(bytes.NewReader(data), fuzzLimits), o)
	if got := summarize(NewDecoder(iotest.OneByteReader(bytes.NewReader(data)), fuzzLimits), o); got != whole {
		t.Fatalf("one byte at a time:\n%s", firstDiff(got, whole))
	}
	// A buffer that never fills: no line is parsed while it arrives
	// (search_stream.go), and nothing may change.
	roomy := *fuzzLimits
	roomy.ReadBufferSize = len(data) + 16
	if got := summarize(NewDecoder(bytes.NewReader(data), &roomy), o); got != whole {
		t.Fatalf("with a buffer that holds everything:\n%s", firstDiff(got, whole))
	}
	want := summarize(NewDecoder(bytes.NewReader(data), resumeFuzzLimits), o)
	o.retry = true
	got := summarize(NewDecoder(&stutterReader{data: data, chunk: 1, every: true}, resumeFuzzLimits), o)
	if got != want && !strings.Contains(got, "exceeds InlineLiteral") {
		t.Fatalf("with timeouts:\n%s", firstDiff(got, want))
	}
}

func FuzzDecoderOneByte(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { compareCuts(t, data) })
}

func FuzzFetch(f *testing.F) {
	for _, tc := range fetchTests {
		if i := strings.Index(tc.in, "("); i > 0 {
			f.Add([]byte(strings.TrimSuffix(tc.in[i+1:], ")\r\n")))
		}
	}
	for _, tc := range envelopeTests {
		f.Add([]byte("ENVELOPE " + tc.in))
	}
	f.Add([]byte("BODY[] {20}\r\n01234567890123456789 UID 1 BODY[1] {17}\r\n01234567890123456"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := append(append([]byte("* 1 FETCH ("), data...), ")\r\n"...)
		compareCuts(t, in)
	})
}

func FuzzBodyStructure(f *testing.F) {
	for _, tc := range bodyStructures {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := append(append([]byte("* 1 FETCH (BODYSTRUCTURE "), data...), ")\r\n"...)
		d := NewDecoder(bytes.NewReader(in), fuzzLimits)
		if _, err := d.ReadResponse(); err != nil {
			return
		}
		items, err := d.ReadAllFetchItems()
		if len(items) == 0 || items[0].Body == nil {
			return
		}
		b := items[0].Body
		b.Walk(func(section string, p *imap.BodyStructure) bool {
			_ = p.Filename() + p.MediaType()
			return true
		})
		// What was understood, written back, is understood the same.
		text := formatBody(b)
		d = NewDecoder(strings.NewReader("* 1 FETCH (BODYSTRUCTURE "+text+")\r\n"), nil)
		if _, err = d.ReadResponse(); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		again, err := d.ReadAllFetchItems()
		if err != nil || len(again) != 1 || again[0].Body == nil {
			t.Fatalf("%s: %v %v", text, again, err)
		}
		if got := formatBody(again[0].Body); got != text {
			t.Fatalf("round trip:\n got %s\nwant %s", got, text)
		}
	})
}

func FuzzEncodeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "INBOX", "Sent Items", "NIL", `a"b\c`, "a\r\nb", "café", "~9", "{5}", "a\x00b", strings.Repeat("x y", 500), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, opts := range roundTripOptions {
			for _, astring := range []bool{false, true} {
				got, err := roundTrip(opts, s, astring)
				if strings.IndexByte(s, 0) >= 0 {
					if !errors.Is(err, ErrInvalidArgument) {
						t.Fatalf("%q: %v, want ErrInvalidArgument", s, err)
					}
					continue
				}
				if err != nil || got != s {
					t.Fatalf("%q with %+v (astring %v): got %q, %v", s, opts, astring, got, err)
				}
			}
		}
	})
}
