package imapwire

import (
	"strings"
	"testing"
	"testing/iotest"
)

// TestDecoderRelease: Release drops the buffer only when nothing is
// buffered, and the decoder reads on normally with a new one.
func TestDecoderRelease(t *testing.T) {
	in := "* OK one\r\n* OK two\r\nA1 OK done\r\n* 3 EXISTS\r\n"
	d := NewDecoder(iotest.OneByteReader(strings.NewReader(in)), nil)
	if !d.Release() {
		t.Fatal("Release before any read kept the buffer")
	}
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	if !d.Release() || d.buf != nil {
		t.Fatal("Release with nothing buffered kept the buffer")
	}
	for _, want := range []string{"two", "done"} {
		r, err := d.ReadResponse()
		if err != nil || r.Status == nil || r.Status.Text != want {
			t.Fatalf("after Release: %+v, %v; want %q", r, err, want)
		}
	}
	r, err := d.ReadResponse()
	if err != nil || r.Name != "EXISTS" {
		t.Fatalf("after Release: %+v, %v", r, err)
	}

	// Bytes still unread: the buffer stays.
	d = NewDecoder(strings.NewReader("* OK one\r\n* OK two\r\n"), nil)
	if _, err := d.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	if d.Buffered() == 0 {
		t.Fatal("test needs bytes left in the buffer")
	}
	if d.Release() {
		t.Fatal("Release dropped a buffer holding unread bytes")
	}
	if r, err := d.ReadResponse(); err != nil || r.Status.Text != "two" {
		t.Fatalf("%+v, %v", r, err)
	}
}
