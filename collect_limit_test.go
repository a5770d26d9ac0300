package imapclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient/imapwire"
)

// TestCollectLimit: a server that answers NOOP with more untagged
// responses than the client keeps gets a *imapwire.LimitError after the
// command completed; the responses kept stop at the limit, the folder
// view still follows the ones dropped, and the connection stays usable.
func TestCollectLimit(t *testing.T) {
	old := maxCollected
	maxCollected = 100
	t.Cleanup(func() { maxCollected = old })
	c, _ := newFetchFake(t, fakeCaps, nil, func(tag, line string) string {
		switch {
		case strings.HasPrefix(line, "NOOP"):
			var b strings.Builder
			for i := 1; i <= 5000; i++ {
				fmt.Fprintf(&b, "* %d EXISTS\r\n", i)
			}
			return b.String() + tag + " OK done\r\n"
		case strings.HasPrefix(line, "SELECT"), strings.HasPrefix(line, "EXAMINE"):
			return "* 0 EXISTS\r\n" + tag + " OK [READ-WRITE] done\r\n"
		}
		return ""
	})
	ctx := ctxFetch(t)
	if _, err := c.SelectFolder(ctx, "INBOX", false); err != nil {
		t.Fatal(err)
	}
	out, err := c.Noop(ctx)
	var le *imapwire.LimitError
	if !errors.As(err, &le) || le.Max != 100 {
		t.Fatalf("Noop: %v (%T), want a *imapwire.LimitError", err, err)
	}
	if len(out) != 100 || out[99].Num != 100 {
		t.Errorf("kept %d responses", len(out))
	}
	if v, _ := c.FolderView(); v.Exists != 5000 {
		t.Errorf("folder view: %d messages, want 5000", v.Exists)
	}
	if out, err := c.Noop(ctx); err == nil || len(out) != 100 {
		t.Errorf("second Noop: %d responses, %v", len(out), err)
	}
	if _, err := c.ListFolders(ctx, "", "*"); err != nil {
		t.Errorf("the connection is not usable after the limit: %v", err)
	}
}
