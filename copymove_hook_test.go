package imapclient

import (
	"testing"

	"github.com/imapclient-go/imapclient/imap"
)

// DisableCapsForTest makes c believe the server lacks the capabilities
// named, for the methods that consult hasCap (Move's fallback, UIDExpunge,
// MultiAppend, ACL, quota, labels), until the test ends. It exists for
// tests only (export_test pattern).
func DisableCapsForTest(t testing.TB, c *Client, names ...string) {
	disabledCaps.Store(c, imap.NewCaps(names...))
	t.Cleanup(func() { disabledCaps.Delete(c) })
}
