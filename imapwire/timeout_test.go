package imapwire

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// resumeLimits stream every body section of the transcripts and keep every
// other literal in the frame, so a timeout can hit anywhere except in the
// one documented non-resumable place.
var resumeLimits = &Limits{InlineLiteral: 64, MaxLine: 1000, ReadBufferSize: 32}

// TestTimeoutBeforeEveryByte feeds the transcripts one byte at a time with
// a timeout before every byte, retrying each call that fails: the decoder
// must produce exactly what it produces from an uninterrupted stream, also
// when sections are read partly or with reads larger than its buffer.
func TestTimeoutBeforeEveryByte(t *testing.T) {
	in := allTranscripts()
	for _, o := range []sumOpts{allOpts, {prefix: 5, readSize: 3}, {prefix: 0}, {prefix: -1, readSize: 4096}} {
		want := summarize(NewDecoder(strings.NewReader(in), resumeLimits), o)
		o.retry = true
		r := &stutterReader{data: []byte(in), chunk: 1, every: true}
		if got := summarize(NewDecoder(r, resumeLimits), o); got != want {
			t.Errorf("opts %+v:\n%s", o, firstDiff(got, want))
		}
	}
}

// TestTimeoutAtEveryOffset interrupts large reads once, at each offset of
// the stream in turn.
func TestTimeoutAtEveryOffset(t *testing.T) {
	in := allTranscripts()
	step := 2
	if testing.Short() || raceEnabled {
		step = 11
	}
	for _, o := range []sumOpts{allOpts, {prefix: 2, readSize: 64 << 10}} {
		want := summarize(NewDecoder(strings.NewReader(in), resumeLimits), o)
		o.retry = true
		for k := 0; k < len(in); k += step {
			r := &stutterReader{data: []byte(in), at: map[int]bool{k: true}}
			if got := summarize(NewDecoder(r, resumeLimits), o); got != want {
				t.Fatalf("timeout at offset %d (%q): opts %+v:\n%s", k, in[max(0, k-20):k], o, firstDiff(got, want))
			}
		}
	}
}

func TestTimeoutInLongLine(t *testing.T) {
	in := "* OK " + strings.Repeat("x", 300) + " {40}\r\n" + strings.Repeat("\r\n", 20) + " " + strings.Repeat("y", 300) + "\r\n* OK next\r\n"
	lim := &Limits{MaxLine: 100, ReadBufferSize: 16}
	for k := 1; k < len(in); k++ {
		d := NewDecoder(&stutterReader{data: []byte(in), chunk: 9, at: map[int]bool{k: true}}, lim)
		_, err := d.ReadResponse()
		if isTimeout(err) {
			_, err = d.ReadResponse()
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "MaxLine" {
			t.Fatalf("timeout at %d: %v", k, err)
		}
		r, err := d.ReadResponse()
		if isTimeout(err) {
			r, err = d.ReadResponse()
		}
		if err != nil || r.Status.Text != "next" {
			t.Fatalf("timeout at %d: next response: %v %v", k, r, err)
		}
	}
}

// retryCall calls f until it fails with something other than a timeout.
func retryCall[T any](t *testing.T, f func() (T, error)) (T, error) {
	t.Helper()
	for i := 0; ; i++ {
		v, err := f()
		if !isTimeout(err) || i > 1000 {
			return v, err
		}
	}
}

// TestTimeoutNotResumable covers the documented exception: a timeout while
// a literal over InlineLiteral is read into memory loses that response,
// which the next call skips and reports as a LimitError for InlineLiteral.
func TestTimeoutNotResumable(t *testing.T) {
	big := strings.Repeat("N", 100)
	cases := map[string]struct {
		in  string
		all bool // read FETCH items with ReadAllFetchItems
	}{
		"list name":           {in: "* LIST () \"/\" " + lit(big) + "\r\n"},
		"unknown response":    {in: "* XFOO " + lit(big) + " tail\r\n"},
		"envelope subject":    {in: "* 1 FETCH (UID 5 ENVELOPE (NIL " + lit(big) + " NIL NIL NIL NIL NIL NIL NIL NIL) FLAGS ())\r\n"},
		"ReadAllFetchItems":   {in: "* 1 FETCH (UID 5 BODY[] " + lit(big) + " FLAGS ())\r\n", all: true},
		"unknown fetch item":  {in: "* 1 FETCH (UID 5 X-BIG (" + lit(big) + ") FLAGS ())\r\n"},
		"frame after literal": {in: "* LIST () \"/\" " + lit(big) + strings.Repeat(" ", 30) + "\r\n"},
	}
	next := "* OK next\r\n"
	for name, tc := range cases {
		stop := strings.Index(tc.in, big) + 50
		if name == "frame after literal" {
			stop = strings.Index(tc.in, big) + len(big) + 10
		}
		d := NewDecoder(&stutterReader{data: []byte(tc.in + next), at: map[int]bool{stop: true}}, &Limits{InlineLiteral: 16, ReadBufferSize: 16})
		r, err := d.ReadResponse()
		if err == nil && r.Name == "FETCH" {
			if tc.all {
				_, err = d.ReadAllFetchItems()
			} else {
				var it FetchItem
				for err == nil {
					var ok bool
					if ok, err = d.NextFetchItem(&it); !ok && err == nil {
						t.Fatalf("%s: FETCH ended without the timeout", name)
					}
				}
			}
		}
		if !isTimeout(err) {
			t.Fatalf("%s: %v, want the timeout", name, err)
		}
		if r != nil && r.Name == "FETCH" {
			var it FetchItem
			_, err = d.NextFetchItem(&it) // the FETCH reports the loss
		} else {
			_, err = d.ReadResponse()
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "InlineLiteral" || le.Max != 16 || !IsRecoverable(err) {
			t.Fatalf("%s: after the retry: %v, want a LimitError for InlineLiteral", name, err)
		}
		r, err = d.ReadResponse()
		if err != nil || r.Status == nil || r.Status.Text != "next" {
			t.Fatalf("%s: next response: %v %v", name, r, err)
		}
		if _, err = d.ReadResponse(); err != io.EOF {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestTimeoutWhileSkipping checks that an error found in a response is not
// lost when a timeout cuts the skip of the rest of that response.
func TestTimeoutWhileSkipping(t *testing.T) {
	big := strings.Repeat("s", 100)
	in := "* FLAGS x " + lit(big) + "\r\n" +
		"* 1 FETCH (UID x BODY[] " + lit(big) + ")\r\n* OK next\r\n"
	stops := map[int]bool{strings.Index(in, big) + 50: true, strings.LastIndex(in, big) + 50: true}
	d := NewDecoder(&stutterReader{data: []byte(in), at: stops}, &Limits{InlineLiteral: 16})
	if _, err := d.ReadResponse(); !isTimeout(err) {
		t.Fatalf("%v, want timeout", err)
	}
	var se *SyntaxError
	if _, err := d.ReadResponse(); !errors.As(err, &se) || !strings.Contains(se.Line, "FLAGS") {
		t.Fatalf("%v, want the FLAGS syntax error", err)
	}
	r, err := d.ReadResponse()
	if err != nil || r.Name != "FETCH" {
		t.Fatal(r, err)
	}
	var it FetchItem
	if _, err := d.NextFetchItem(&it); !isTimeout(err) {
		t.Fatalf("%v, want timeout", err)
	}
	if _, err := d.NextFetchItem(&it); !errors.As(err, &se) || !strings.Contains(se.Line, "FETCH") {
		t.Fatalf("%v, want the FETCH syntax error", err)
	}
	if ok, err := d.NextFetchItem(&it); ok || err != nil {
		t.Fatal(ok, err)
	}
	if r, err := d.ReadResponse(); err != nil || r.Status.Text != "next" {
		t.Fatal(r, err)
	}
}

// TestTimeoutWhileStreaming reads a streamed section through timeouts.
func TestTimeoutWhileStreaming(t *testing.T) {
	body := strings.Repeat("0123456789", 50)
	in := "* 1 FETCH (BODY[] " + lit(body) + " UID 3)\r\n"
	d := NewDecoder(&stutterReader{data: []byte(in), chunk: 13, every: true}, &Limits{InlineLiteral: 16})
	r, err := retryCall(t, d.ReadResponse)
	if err != nil || r.Name != "FETCH" {
		t.Fatal(r, err)
	}
	var it FetchItem
	if ok, err := retryCall(t, func() (bool, error) { return d.NextFetchItem(&it) }); !ok || err != nil || it.Reader == nil {
		t.Fatal(ok, err)
	}
	var got []byte
	timeouts := 0
	buf := make([]byte, 100)
	for {
		n, err := it.Reader.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if isTimeout(err) {
			timeouts++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != body || timeouts == 0 {
		t.Fatalf("got %d bytes after %d timeouts", len(got), timeouts)
	}
	if ok, err := retryCall(t, func() (bool, error) { return d.NextFetchItem(&it) }); !ok || err != nil || it.Num != 3 {
		t.Fatal(ok, err, it)
	}
}
