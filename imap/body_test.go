package imap

import (
	"slices"
	"testing"
)

func TestWalkSections(t *testing.T) {
	text := func() *BodyStructure { return &BodyStructure{Type: "text", Subtype: "plain"} }
	inner := &BodyStructure{Type: "multipart", Subtype: "mixed", Parts: []*BodyStructure{text(), text()}}
	msg := &BodyStructure{Type: "message", Subtype: "rfc822", Body: inner}
	single := &BodyStructure{Type: "message", Subtype: "rfc822", Body: text()}
	top := &BodyStructure{Type: "multipart", Subtype: "mixed", Parts: []*BodyStructure{text(), msg, single}}
	var got []string
	top.Walk(func(sec string, p *BodyStructure) bool {
		got = append(got, sec+"="+p.MediaType())
		return true
	})
	want := []string{"=multipart/mixed", "1=text/plain", "2=message/rfc822", "2.1=text/plain", "2.2=text/plain", "3=message/rfc822", "3.1=text/plain"}
	if !slices.Equal(got, want) {
		t.Fatalf("Walk = %v\nwant %v", got, want)
	}
	n := 0
	top.Walk(func(string, *BodyStructure) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatalf("Walk did not stop: %d", n)
	}
}

func TestNumSetForms(t *testing.T) {
	for in, want := range map[string]string{"2:*": "2:*", "2,4:7,9,12:*": "2,4:7,9,12:*", "50-65": "50:65", " 1 , 3 ": "1,3"} {
		s, err := ParseNumSet(in)
		if err != nil || s.String() != want {
			t.Errorf("ParseNumSet(%q) = %v, %v", in, s, err)
		}
	}
	for _, bad := range []string{"", "0", "a", "1:", ",", "4294967296", "1\r\n"} {
		if _, err := ParseNumSet(bad); err == nil {
			t.Errorf("ParseNumSet(%q) accepted", bad)
		}
	}
	if s := NumSetOf(7, 1, 2, 3, 3, 9, 8); s.String() != "1:3,7:9" {
		t.Errorf("NumSetOf = %v", s)
	}
	parts := NumSetOf(1, 3, 5, 7, 9, 11).Split(4)
	if len(parts) != 3 || parts[0].String() != "1,3" {
		t.Errorf("Split = %v", parts)
	}
}
