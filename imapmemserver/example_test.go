package imapmemserver_test

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
)

// A test starts a server, adds a user and a message, and talks to it
// through an in-memory connection (or a TCP address: srv.Addr()).
func Example() {
	srv := imapmemserver.New(&imapmemserver.Options{Caps: []string{"IMAP4rev1", "UIDPLUS", "AUTH=PLAIN"}})
	defer srv.Close()
	srv.AddUser("alice", "secret")
	srv.Append("alice", "INBOX", []byte("Subject: hello\r\n\r\nHi Alice!\r\n"), nil, time.Time{})

	conn := srv.Pipe()
	defer conn.Close()
	r := bufio.NewReader(conn)
	fmt.Fprint(conn, "a LOGIN alice secret\r\nb SELECT INBOX\r\nc FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\nd LOGOUT\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.Contains(line, "UIDVALIDITY") {
			line = "* OK [UIDVALIDITY ...] UIDs valid"
		}
		fmt.Println(line)
	}
	// Output:
	// * OK [CAPABILITY IMAP4rev1 UIDPLUS AUTH=PLAIN] imapmemserver ready
	// a OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in
	// * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
	// * 1 EXISTS
	// * 1 RECENT
	// * OK [UNSEEN 1] First unseen
	// * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
	// * OK [UIDVALIDITY ...] UIDs valid
	// * OK [UIDNEXT 2] Predicted next UID
	// b OK [READ-WRITE] Select completed
	// * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}
	// Subject: hello
	//
	// )
	// c OK Fetch completed
	// * BYE Logging out
	// d OK Logout completed
}
