package imapclient

import (
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

func TestFetchPreviewFallbackScripted(t *testing.T) {
	S, C := fakeserver.S, fakeserver.C
	html := "<html><head><style>p{x}</style></head><body><p>Hall&ouml; <b>Welt</b></p>"
	c := flSelected(t, "IMAP4rev1",
		C(`A2 UID FETCH 1:4 (UID BODYSTRUCTURE)`),
		S(`* 1 FETCH (UID 1 BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 30 1 NIL NIL NIL NIL))`),
		S(`* 2 FETCH (UID 2 BODYSTRUCTURE (("TEXT" "HTML" ("CHARSET" "ISO-8859-1") NIL NIL "7BIT" 80 1 NIL NIL NIL NIL) ("APPLICATION" "PDF" NIL NIL NIL "BASE64" 100 NIL ("ATTACHMENT" ("FILENAME" "a.pdf")) NIL NIL) "MIXED" ("BOUNDARY" "x") NIL NIL NIL))`),
		S(`* 3 FETCH (UID 3 BODYSTRUCTURE ("IMAGE" "PNG" NIL NIL NIL "BASE64" 100 NIL NIL NIL NIL))`),
		S(`* 4 FETCH (UID 4 BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "BASE64" 30 1 NIL ("ATTACHMENT" NIL) NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "BASE64" 30 1 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "x") NIL NIL NIL))`),
		S(`A2 OK done`),
		C(`A3 UID FETCH 1:2 (UID BODY.PEEK[1]<0.1024>)`),
		S(`* 1 FETCH (UID 1 BODY[1]<0> {28}`),
		fakeserver.SRaw([]byte("Gr=C3=BC=C3=9Fe,\r\n  Welt =\r\n)\r\n")),
		S(`* 2 FETCH (UID 2 BODY[1]<0> {`+itoaTest(len(html))+`}`),
		fakeserver.SRaw([]byte(html+")\r\n")),
		S(`A3 OK done`),
		C(`A4 UID FETCH 4 (UID BODY.PEEK[2]<0.1024>)`),
		S(`* 4 FETCH (UID 4 BODY[2]<0> {14}`),
		fakeserver.SRaw([]byte("U2Vjb25kIHBhcn)\r\n")),
		S(`A4 OK done`),
	)
	got, err := c.FetchPreview(flCtx(t), SetString("1:4"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]string{1: "Grüße, Welt", 2: "Hallö Welt", 3: "", 4: "Second pa"}
	for id, w := range want {
		if g, ok := got[id]; !ok || g != w {
			t.Errorf("preview %d = %q, want %q", id, g, w)
		}
	}
}

func itoaTest(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

func TestFetchPreviewServerScripted(t *testing.T) {
	c := flSelected(t, "IMAP4rev1 PREVIEW",
		fakeserver.C(`A2 UID FETCH 5 (UID PREVIEW)`),
		fakeserver.S(`* 1 FETCH (UID 5 PREVIEW "Hi there")`),
		fakeserver.S(`A2 OK done`),
	)
	got, err := c.FetchPreview(flCtx(t), ID(5))
	if err != nil || got[5] != "Hi there" {
		t.Fatalf("FetchPreview = %v, %v", got, err)
	}
}

func TestMakePreview(t *testing.T) {
	plain := func(enc, charset string) *imap.BodyStructure {
		bs := &imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN", Encoding: enc}
		if charset != "" {
			bs.Params = []imap.Param{{Name: "charset", Value: charset}}
		}
		return bs
	}
	long := strings.Repeat("abcd ", 100)
	for _, tc := range []struct {
		part *imap.BodyStructure
		data string
		want string
	}{
		{plain("7BIT", ""), "  Hello\r\n\tworld  ", "Hello world"},
		{plain("8BIT", "utf-8"), "caf\xc3\xa9 \xc3", "café"}, // a rune cut by the partial fetch
		{plain("8BIT", "iso-8859-1"), "caf\xe9", "café"},
		{plain("BASE64", "utf-8"), "SGVs\r\nbG8g\r\nd29y\r\nbGQ=", "Hello world"},
		{plain("base64", ""), "SGVsbG8gd29ybGQh\r\nSGVsbG", "Hello world!Hel"}, // cut group dropped
		{plain("QUOTED-PRINTABLE", "utf-8"), "a=3Db soft=\r\nbreak =C3", "a=b softbreak"},
		{plain("7BIT", ""), long, strings.TrimSpace(long[:200])},
		{plain("8BIT", "utf-8"), strings.Repeat("é", 300), strings.Repeat("é", 200)},
		{&imap.BodyStructure{Type: "text", Subtype: "html"}, "<!-- c --><script>x<y</script><p>a&amp;b</p><br>c<di", "a&b c"},
	} {
		if got := makePreview(tc.part, []byte(tc.data)); got != tc.want {
			t.Errorf("makePreview(%s %q) = %q, want %q", tc.part.Encoding, tc.data, got, tc.want)
		}
	}
}

func TestPreviewPart(t *testing.T) {
	text := func(sub, disp string) *imap.BodyStructure {
		return &imap.BodyStructure{Type: "TEXT", Subtype: sub, Disposition: disp}
	}
	multi := func(parts ...*imap.BodyStructure) *imap.BodyStructure {
		return &imap.BodyStructure{Type: "MULTIPART", Subtype: "MIXED", Parts: parts}
	}
	msg := &imap.BodyStructure{Type: "MESSAGE", Subtype: "RFC822", Body: text("plain", "")}
	for i, tc := range []struct {
		bs   *imap.BodyStructure
		want string
	}{
		{text("plain", ""), "1"},
		{text("html", ""), "1"},
		{&imap.BodyStructure{Type: "IMAGE", Subtype: "PNG"}, ""},
		{multi(text("html", ""), multi(text("calendar", ""), text("plain", ""))), "2.2"},
		{multi(text("plain", "attachment"), text("html", "")), "2"},
		{multi(msg, text("html", "")), "2"},
		{multi(msg), ""},
	} {
		sec, part := previewPart(tc.bs)
		if sec != tc.want || (part == nil) != (tc.want == "") {
			t.Errorf("case %d: previewPart = %q, %v; want %q", i, sec, part, tc.want)
		}
	}
}
