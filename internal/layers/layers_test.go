// Package layers checks that imports point only downwards, as
// ARCHITECTURE.md lays out: leaves -> codec -> session -> client -> tools,
// with the in-memory server built on the leaves and the codec only.
package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/imapclient-go/imapclient"

// allowed lists, per package, the module packages it may depend on.
var allowed = map[string][]string{
	"imap":          {},
	"mutf7":         {},
	"sasl":          {},
	"imapwire":      {"imap"},
	"imapconn":      {"imap", "imapwire", "sasl"},
	"imapmemserver": {"imap", "imapwire", "mutf7"},
	"":              {"imap", "imapwire", "imapconn", "sasl", "mutf7"},
}

func TestImportsPointDownwards(t *testing.T) {
	for pkg, ok := range allowed {
		path := mod
		if pkg != "" {
			path += "/" + pkg
		}
		out, err := exec.Command("go", "list", "-deps", path).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", path, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if !strings.HasPrefix(dep, mod) || dep == path {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(dep, mod), "/")
			found := false
			for _, a := range ok {
				if rel == a {
					found = true
				}
			}
			if !found {
				t.Errorf("%s imports %s, which is not below it", path, dep)
			}
		}
	}
}
