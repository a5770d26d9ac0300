package imapwire_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/imapclient-go/imapclient/imapwire"
)

func ExampleDecoder() {
	transcript := "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"Sent Items\"\r\n" +
		"* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n)\r\n" +
		"A1 OK Fetch completed.\r\n"
	d := imapwire.NewDecoder(strings.NewReader(transcript), nil)
	for {
		r, err := d.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch {
		case r.Status != nil:
			fmt.Printf("%q %s code=%s text=%q\n", r.Tag, r.Status.Type, r.Status.Code, r.Status.Text)
		case r.Name == "LIST":
			l := r.Data.(*imapwire.ListData)
			fmt.Printf("LIST %q delim %q attrs %v\n", l.Mailbox, l.Delim, l.Attrs)
		case r.Name == "FETCH":
			var it imapwire.FetchItem
			for {
				ok, err := d.NextFetchItem(&it)
				if err != nil || !ok {
					break
				}
				switch {
				case it.HasSection:
					fmt.Printf("  %s[%s] %q\n", it.Name, it.Section, it.Literal)
				case it.Name == "FLAGS":
					fmt.Printf("  %s %v\n", it.Name, it.Strings)
				default:
					fmt.Printf("  %s %d\n", it.Name, it.Num)
				}
			}
		}
	}
	// Output:
	// "" OK code=CAPABILITY text="Dovecot ready."
	// LIST "Sent Items" delim '/' attrs [\HasNoChildren]
	//   UID 7
	//   FLAGS [\Seen]
	//   BODY[HEADER.FIELDS (SUBJECT)] "Subject: hi\r\n\r\n"
	// "A1" OK code= text="Fetch completed."
}

func ExampleEncoder() {
	e := imapwire.NewEncoder(imapwire.EncoderOptions{})
	cmd, err := e.Begin("A1", "LOGIN").SP().AString("alice").SP().
		BeginSecret().String("correct horse").EndSecret().Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cmd.Chunks {
		fmt.Printf("%q secrets=%v\n", c.Text, c.Secrets)
	}

	// A password with a line break must go as a literal: the writer sends
	// the first chunk, waits for "+", then sends the literal and the rest.
	cmd, _ = e.Begin("A2", "LOGIN").SP().AString("alice").SP().
		BeginSecret().String("two\r\nlines").EndSecret().Finish()
	for _, c := range cmd.Chunks {
		fmt.Printf("%q sync=%v secret literal=%v\n", c.Text, c.Sync, c.SecretLiteral)
	}
	// Output:
	// "A1 LOGIN alice \"correct horse\"\r\n" secrets=[[15 30]]
	// "A2 LOGIN alice {10}\r\n" sync=true secret literal=true
	// "\r\n" sync=false secret literal=false
}
