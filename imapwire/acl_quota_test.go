package imapwire

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseQuota(t *testing.T) {
	tests := []struct {
		in   string
		want *QuotaData
	}{
		// Dovecot 2.3 with quota_rule = *:storage=1G.
		{`"User quota" (STORAGE 12 1048576)`, &QuotaData{Root: "User quota", Resources: []QuotaResource{{"STORAGE", 12, 1048576}}}},
		// RFC 9208 section 7.1 example, several resources.
		{`"" (STORAGE 10 512 MESSAGE 3 100)`, &QuotaData{Root: "", Resources: []QuotaResource{{"STORAGE", 10, 512}, {"MESSAGE", 3, 100}}}},
		{`#user/alice (storage 0 9223372036854775000)`, &QuotaData{Root: "#user/alice", Resources: []QuotaResource{{"STORAGE", 0, 9223372036854775000}}}},
		{`root ()`, &QuotaData{Root: "root"}},
		{"{4}\r\nab c (MESSAGE 1 2) ", &QuotaData{Root: "ab c", Resources: []QuotaResource{{"MESSAGE", 1, 2}}}},
	}
	for _, tt := range tests {
		got, err := ParseQuota([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuota(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{``, `root`, `root (STORAGE 1)`, `root (STORAGE x 2)`, `root (STORAGE 1 2`, `root (STORAGE 1 2) junk`, `root (STORAGE 1 99999999999999999999)`, `"unterminated (STORAGE 1 2)`} {
		if got, err := ParseQuota([]byte(bad)); err == nil {
			t.Errorf("ParseQuota(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseQuotaRoot(t *testing.T) {
	tests := []struct {
		in   string
		want *QuotaRootData
	}{
		{`INBOX "User quota"`, &QuotaRootData{Mailbox: "INBOX", Roots: []string{"User quota"}}},
		{`INBOX ""`, &QuotaRootData{Mailbox: "INBOX", Roots: []string{""}}},
		{`"Sent &AOk-t&AOk-"`, &QuotaRootData{Mailbox: "Sent &AOk-t&AOk-"}},
		{`INBOX user/alice shared `, &QuotaRootData{Mailbox: "INBOX", Roots: []string{"user/alice", "shared"}}},
	}
	for _, tt := range tests {
		got, err := ParseQuotaRoot([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuotaRoot(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{``, `INBOX (x)`, `"INBOX`} {
		if got, err := ParseQuotaRoot([]byte(bad)); err == nil {
			t.Errorf("ParseQuotaRoot(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseACL(t *testing.T) {
	tests := []struct {
		in   string
		want *ACLData
	}{
		// Dovecot's answer for the owner of a folder.
		{`"Work 1" owner lrwstipekxacd`, &ACLData{Mailbox: "Work 1", Entries: []ACLEntry{{"owner", "lrwstipekxacd"}}}},
		// RFC 4314 section 3.6 example.
		{`INBOX Fred rwipslxetad Chris lrswi`, &ACLData{Mailbox: "INBOX", Entries: []ACLEntry{{"Fred", "rwipslxetad"}, {"Chris", "lrswi"}}}},
		{`INBOX "$group" "" -Fred lr`, &ACLData{Mailbox: "INBOX", Entries: []ACLEntry{{"$group", ""}, {"-Fred", "lr"}}}},
		{`INBOX`, &ACLData{Mailbox: "INBOX"}},
	}
	for _, tt := range tests {
		got, err := ParseACL([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseACL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{``, `INBOX Fred`, `INBOX Fred (x)`} {
		if got, err := ParseACL([]byte(bad)); err == nil {
			t.Errorf("ParseACL(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseMyRightsListRights(t *testing.T) {
	m, err := ParseMyRights([]byte(`INBOX rwiptsldaex`))
	if err != nil || *m != (MyRightsData{"INBOX", "rwiptsldaex"}) {
		t.Errorf("ParseMyRights = %+v, %v", m, err)
	}
	if _, err := ParseMyRights([]byte(`INBOX`)); err == nil {
		t.Error("ParseMyRights without rights succeeded")
	}
	l, err := ParseListRights([]byte(`~/Mail/saved smith la r swicdkxte`))
	want := &ListRightsData{Mailbox: "~/Mail/saved", Identifier: "smith", Required: "la", Optional: []string{"r", "swicdkxte"}}
	if err != nil || !reflect.DeepEqual(l, want) {
		t.Errorf("ParseListRights = %+v, %v", l, err)
	}
	if _, err := ParseListRights([]byte(`INBOX smith`)); err == nil {
		t.Error("ParseListRights without rights succeeded")
	}
}

// A literal larger than the inline limit inside the payload (a huge
// mailbox name) is read in chunks and the rest of the payload parsed.
func TestParseACLLargeLiteral(t *testing.T) {
	name := strings.Repeat("n", DefaultInlineLiteral+10)
	raw := "{" + itoa(len(name)) + "}\r\n" + name + " bob {2}\r\nlr anyone l"
	got, err := ParseACL([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.Mailbox != name || !reflect.DeepEqual(got.Entries, []ACLEntry{{"bob", "lr"}, {"anyone", "l"}}) {
		t.Fatalf("got %q... %+v", got.Mailbox[:10], got.Entries)
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

func FuzzParseQuotaACL(f *testing.F) {
	for _, s := range []string{`"User quota" (STORAGE 12 1048576)`, `INBOX "User quota"`, `INBOX Fred rwipslxetad`, "{3}\r\nabc lr"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseQuota(b)
		ParseQuotaRoot(b)
		ParseACL(b)
		ParseMyRights(b)
		ParseListRights(b)
	})
}
