package imapclient_test

import (
	"os"
	"testing"

	"github.com/imapclient-go/imapclient/internal/leakcheck"
)

// TestMain fails the run when the client leaves goroutines behind.
func TestMain(m *testing.M) { os.Exit(leakcheck.Run(m)) }
