package imapclient

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func forestString(ts []*Thread) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(t.String())
	}
	return b.String()
}

func TestParseThreadsRFC5256(t *testing.T) {
	// RFC 5256 section 4, first example.
	ts, err := parseThreads([]byte("(2)(3 6 (4 23)(44 7 96))"))
	if err != nil {
		t.Fatal(err)
	}
	want := []*Thread{
		{ID: 2},
		{ID: 3, Children: []*Thread{
			{ID: 6, Children: []*Thread{
				{ID: 4, Children: []*Thread{{ID: 23}}},
				{ID: 44, Children: []*Thread{{ID: 7, Children: []*Thread{{ID: 96}}}}},
			}},
		}},
	}
	if !reflect.DeepEqual(ts, want) {
		t.Fatalf("tree %s", forestString(ts))
	}
	if got := ts[1].IDs(); !slices.Equal(got, []uint32{3, 6, 4, 23, 44, 7, 96}) {
		t.Fatalf("IDs %v", got)
	}
	if s := forestString(ts); s != "(2)(3 6 (4 23)(44 7 96))" {
		t.Fatalf("String %q", s)
	}

	// Second example: 3 and 5 are siblings under a missing parent.
	ts, err = parseThreads([]byte("((3)(5))"))
	if err != nil {
		t.Fatal(err)
	}
	want = []*Thread{{ID: 0, Children: []*Thread{{ID: 3}, {ID: 5}}}}
	if !reflect.DeepEqual(ts, want) || forestString(ts) != "((3)(5))" {
		t.Fatalf("tree %s", forestString(ts))
	}
	if got := ts[0].IDs(); !slices.Equal(got, []uint32{3, 5}) {
		t.Fatalf("IDs %v", got)
	}
}

func TestParseThreadsForms(t *testing.T) {
	tests := []struct{ in, out string }{
		{"", ""},
		{"(1)", "(1)"},
		{"(1 2 3 4)", "(1 2 3 4)"},
		{"(1)(2)(3)", "(1)(2)(3)"},
		{"(1) (2)", "(1)(2)"},                      // tolerated space between threads
		{"(1 (2)(3 4))", "(1 (2)(3 4))"},           // children of the root
		{"(1 (2))", "(1 2)"},                       // one nested list: a plain chain
		{"(1 ((2)(3)))", "(1 ((2)(3)))"},           // a missing parent under 1
		{"((1 2)(3 (4)(5)))", "((1 2)(3 (4)(5)))"}, // missing root, deeper
		{"(166)(167)(168)(169)(172)(170 171)", "(166)(167)(168)(169)(172)(170 171)"}, // Dovecot style
	}
	for _, tt := range tests {
		ts, err := parseThreads([]byte(tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := forestString(ts); got != tt.out {
			t.Errorf("%q: String %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestParseThreadsMalformed(t *testing.T) {
	for _, in := range []string{
		"(", ")", "()", "(1", "1", "(1))", "(0)", "(1 0)", "((1)", "(1 (2) 3)",
		"(4294967296)", "(1,2)", "(a)", "(1 (2)(3)) x", "(()(1))", "(-1)", "\x00",
	} {
		if ts, err := parseThreads([]byte(in)); err == nil {
			t.Errorf("%q parsed as %s", in, forestString(ts))
		}
	}
}

// TestThreadDeep checks that a very long chain (one conversation of a
// million replies, or a hostile server) costs no stack.
func TestThreadDeep(t *testing.T) {
	var b strings.Builder
	b.WriteString("(")
	const n = 200000
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(' ')
		}
		b.WriteString("7")
	}
	b.WriteString(")")
	ts, err := parseThreads([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts[0].IDs()) != n || ts[0].String() != b.String() {
		t.Fatal("deep chain did not round-trip")
	}
	nested := strings.Repeat("((1)", 50000) + "(1)" + strings.Repeat(")", 50000)
	ts, err = parseThreads([]byte(nested))
	if err != nil {
		t.Fatal(err)
	}
	if got := ts[0].String(); got != nested {
		t.Fatalf("deep nesting did not round-trip (%d bytes)", len(got))
	}
}

func FuzzThreadParse(f *testing.F) {
	for _, s := range []string{
		"(2)(3 6 (4 23)(44 7 96))", "((3)(5))", "", "(1)", "(1 ((2)(3)))", "(1 (2) 3)", "((", "(0)",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := parseThreads(b)
		if err != nil {
			return
		}
		// What parses, prints in the server's form and parses back the same.
		s := forestString(ts)
		again, err := parseThreads([]byte(s))
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", b, s, err)
		}
		if !reflect.DeepEqual(ts, again) || forestString(again) != s {
			t.Fatalf("%q: round trip through %q changed the tree", b, s)
		}
		for _, th := range ts {
			for _, id := range th.IDs() {
				if id == 0 {
					t.Fatal("IDs returned 0")
				}
			}
		}
	})
}
