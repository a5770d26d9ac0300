package imapwire

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
)

func TestParseESearch(t *testing.T) {
	set := imap.MustParseNumSet
	tests := []struct {
		in   string
		want ESearchData
	}{
		// RFC 4731 section 3.1 and Dovecot's answers.
		{`(TAG "A5") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9`, ESearchData{Tag: "A5", UID: true, Min: 2, Max: 9, Count: 4,
			All: set("2:4,9"), Returned: []string{"MIN", "MAX", "COUNT", "ALL"}}},
		{`(TAG "A282") MIN 2 COUNT 3`, ESearchData{Tag: "A282", Min: 2, Count: 3, Returned: []string{"MIN", "COUNT"}}},
		{`(TAG "A283") ALL 2,10:11`, ESearchData{Tag: "A283", All: set("2,10:11"), Returned: []string{"ALL"}}},
		{`(TAG "A284") MIN 4`, ESearchData{Tag: "A284", Min: 4, Returned: []string{"MIN"}}},
		{`(TAG "A285") UID MIN 7 MAX 3800`, ESearchData{Tag: "A285", UID: true, Min: 7, Max: 3800, Returned: []string{"MIN", "MAX"}}},
		{`(TAG "A286") COUNT 15`, ESearchData{Tag: "A286", Count: 15, Returned: []string{"COUNT"}}},
		// No match: nothing after UID (RFC 4731 section 3.1), or COUNT 0.
		{`(TAG "A6") UID`, ESearchData{Tag: "A6", UID: true}},
		{`(TAG "A7") UID COUNT 0`, ESearchData{Tag: "A7", UID: true, Returned: []string{"COUNT"}}},
		{``, ESearchData{}},
		// MODSEQ (RFC 7162 section 3.1.5).
		{`(TAG "a") ALL 1:3,5 MODSEQ 1236`, ESearchData{Tag: "a", All: set("1:3,5"), ModSeq: 1236, Returned: []string{"ALL", "MODSEQ"}}},
		// Without a correlator, lower case, a literal tag, trailing space.
		{`uid all 5`, ESearchData{UID: true, All: set("5"), Returned: []string{"ALL"}}},
		{"(TAG {2}\r\nB1) COUNT 1 ", ESearchData{Tag: "B1", Count: 1, Returned: []string{"COUNT"}}},
		{` (TAG "x") COUNT 1`, ESearchData{Tag: "x", Count: 1, Returned: []string{"COUNT"}}},
		// RFC 7377 correlator items; extension data kept raw.
		{`(TAG "m" MAILBOX "INBOX" UIDVALIDITY 7) UID ALL 1`, ESearchData{Tag: "m", UID: true, All: set("1"), Returned: []string{"ALL"}}},
		{`(TAG "p") UID PARTIAL (1:10 105,107) COUNT 2 ADDTO (1 2:3)`, ESearchData{Tag: "p", UID: true, Count: 2, Returned: []string{"COUNT"},
			Extra: []ESearchItem{{"PARTIAL", "(1:10 105,107)"}, {"ADDTO", "(1 2:3)"}}}},
	}
	for _, tt := range tests {
		got, err := ParseESearch([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseESearch(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseESearch(%q) =\n %+v\nwant\n %+v", tt.in, *got, tt.want)
		}
	}
}

func TestParseESearchErrors(t *testing.T) {
	for _, in := range []string{
		`(TAG "A5" UID`,               // unclosed correlator
		`(TAG) UID`,                   // no tag value
		`UID MIN 0`,                   // nz-number
		`UID MIN x`,                   // not a number
		`UID MAX 4294967296`,          // over 32 bits
		`UID ALL`,                     // no value
		`UID ALL 1::2`,                // bad set
		`UID ALL $`,                   // not a set
		`MODSEQ 99999999999999999999`, // over 63 bits
		`UID COUNT 1 2`,               // a number where a name belongs
		`UID COUNT "1"`,
		`UID FOO ((((`,
	} {
		if got, err := ParseESearch([]byte(in)); err == nil {
			t.Errorf("ParseESearch(%q) = %+v, want an error", in, got)
		} else if _, ok := err.(*SyntaxError); !ok {
			t.Errorf("ParseESearch(%q): %T %v, want *SyntaxError", in, err, err)
		}
	}
}

// A whole ESEARCH response read by the decoder arrives as RawData whose
// bytes ParseESearch takes.
func TestESearchThroughDecoder(t *testing.T) {
	d := NewDecoder(strings.NewReader("* ESEARCH (TAG \"A5\") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9\r\n"), nil)
	r, err := d.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	rd, ok := r.Data.(*RawData)
	if r.Name != "ESEARCH" || !ok {
		t.Fatalf("got %q %T", r.Name, r.Data)
	}
	es, err := ParseESearch(rd.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if es.Tag != "A5" || !es.UID || es.Min != 2 || es.Max != 9 || es.Count != 4 || es.All.String() != "2:4,9" {
		t.Fatalf("got %+v", es)
	}
}

// formatESearch writes data in wire form, for the fuzz round trip.
func formatESearch(es *ESearchData) []byte {
	var b bytes.Buffer
	b.WriteString(`(TAG "` + es.Tag + `")`)
	if es.UID {
		b.WriteString(" UID")
	}
	for _, n := range es.Returned {
		b.WriteString(" " + n + " ")
		switch n {
		case "MIN":
			b.WriteString(strconv.FormatUint(uint64(es.Min), 10))
		case "MAX":
			b.WriteString(strconv.FormatUint(uint64(es.Max), 10))
		case "COUNT":
			b.WriteString(strconv.FormatUint(uint64(es.Count), 10))
		case "MODSEQ":
			b.WriteString(strconv.FormatUint(es.ModSeq, 10))
		case "ALL":
			b.WriteString(es.All.String())
		}
	}
	return b.Bytes()
}

func FuzzParseESearch(f *testing.F) {
	for _, s := range []string{
		`(TAG "A5") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9`,
		`(TAG "a") ALL 1:3,5 MODSEQ 1236`,
		`(TAG "p") UID PARTIAL (1:10 105,107) COUNT 2`,
		"(TAG {2}\r\nB1) COUNT 1",
		`UID`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := ParseESearch(b)
		if err != nil {
			return
		}
		if strings.ContainsAny(es.Tag, "\"\\\r\n") {
			return // the round trip writes the tag quoted without escapes
		}
		// What parsed re-parses to the same modelled data.
		again, err := ParseESearch(formatESearch(es))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", formatESearch(es), err)
		}
		es.Extra, again.Extra = nil, nil
		if !reflect.DeepEqual(es, again) {
			t.Fatalf("round trip:\n %+v\n %+v", es, again)
		}
	})
}
