package imapclient_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/internal/fakeserver"
)

// searchExampleClient dials the example server, logs in and selects INBOX
// (tags A1 and A2).
func searchExampleClient(ctx context.Context, addr string) *imapclient.Client {
	cfg := imapclient.DefaultTLSConfig("localhost")
	cfg.RootCAs = fakeserver.CertPool()
	c, err := imapclient.Dial(ctx, addr, &imapclient.Options{TLSConfig: cfg})
	if err != nil {
		panic(err)
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		panic(err)
	}
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		panic(err)
	}
	return c
}

func searchExampleSession(caps string, script ...fakeserver.Step) []fakeserver.Step {
	return append(append([]fakeserver.Step{
		fakeserver.S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready"),
		fakeserver.C("A1 LOGIN alice secret"),
		fakeserver.S("A1 OK [CAPABILITY IMAP4rev1 " + caps + "] Logged in"),
		fakeserver.C("A2 SELECT INBOX"),
		fakeserver.S("* 12 EXISTS"),
		fakeserver.S("A2 OK [READ-WRITE] Select completed"),
	}, script...), logout("A5")...)
}

// Search takes criteria built with Criteria's methods, a raw string, or
// IMAPClient's nested slices. Values are always sent as values: quoted,
// or as a literal for 8-bit text, which also adds CHARSET UTF-8.
func ExampleClient_Search() {
	addr, stop := exampleServer(searchExampleSession("LITERAL+",
		fakeserver.C("A3 UID SEARCH CHARSET UTF-8 UNSEEN SINCE 01-Mar-2024 OR FROM alice SUBJECT {18+}"),
		fakeserver.CBytes("Bericht für März"),
		fakeserver.C(""),
		fakeserver.S("* SEARCH 5 9 12"),
		fakeserver.S("A3 OK Search completed"),
		fakeserver.C(`A4 UID SEARCH OR (FROM alice) (SUBJECT "weekly report") SINCE 01-Mar-2024`),
		fakeserver.S("* SEARCH 5 12"),
		fakeserver.S("A4 OK Search completed"),
	)...)
	defer stop()
	ctx := context.Background()
	c := searchExampleClient(ctx, addr)
	defer c.Close()

	march := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var q imapclient.Criteria // the empty starting point
	res, err := c.Search(ctx, q.Unseen().Since(march).Or(q.From("alice"), q.Subject("Bericht für März")), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("builder:", res.IDs)

	// The same in IMAPClient's style.
	res, err = c.Search(ctx, []any{"OR", []any{"FROM", "alice"}, []any{"SUBJECT", "weekly report"}, "SINCE", march}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("slice:", res.IDs)
	fmt.Println("logout:", c.Logout(ctx))
	// Output:
	// builder: [5 9 12]
	// slice: [5 12]
	// logout: <nil>
}

// Thread returns one tree per conversation: ids in a chain are parent and
// child; a node with ID 0 stands for a parent the server does not have.
func ExampleClient_Thread() {
	addr, stop := exampleServer(searchExampleSession("THREAD=REFERENCES SORT",
		fakeserver.C("A3 UID THREAD REFERENCES UTF-8 ALL"),
		fakeserver.S("* THREAD (2)(3 6 (4 23)(44 7 96))((8)(9))"),
		fakeserver.S("A3 OK Thread completed"),
		fakeserver.C("A4 UID SORT (REVERSE DATE) UTF-8 UNSEEN"),
		fakeserver.S("* SORT 96 44 23"),
		fakeserver.S("A4 OK Sort completed"),
	)...)
	defer stop()
	ctx := context.Background()
	c := searchExampleClient(ctx, addr)
	defer c.Close()

	threads, err := c.Thread(ctx, "REFERENCES", "ALL", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var show func(t *imapclient.Thread, depth int)
	show = func(t *imapclient.Thread, depth int) {
		label := fmt.Sprint(t.ID)
		if t.ID == 0 {
			label = "(missing parent)"
		}
		fmt.Println(strings.Repeat("  ", depth) + label)
		for _, child := range t.Children {
			show(child, depth+1)
		}
	}
	for _, t := range threads {
		show(t, 0)
	}
	fmt.Println("all of the second:", threads[1].IDs())

	sorted, err := c.Sort(ctx, []string{"REVERSE DATE"}, "UNSEEN", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("newest unseen first:", sorted.IDs)
	fmt.Println("logout:", c.Logout(ctx))
	// Output:
	// 2
	// 3
	//   6
	//     4
	//       23
	//     44
	//       7
	//         96
	// (missing parent)
	//   8
	//   9
	// all of the second: [3 6 4 23 44 7 96]
	// newest unseen first: [96 44 23]
	// logout: <nil>
}
