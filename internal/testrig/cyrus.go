package testrig

import (
	"cmp"
	"os"
	"testing"
)

// requireCyrus describes the rig's Cyrus from the IMAPTEST_CYRUS_*
// variables that scripts/cyrus.sh exports.
func requireCyrus(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Target:      TargetCyrus,
		Name:        "Cyrus",
		Addr:        os.Getenv("IMAPTEST_CYRUS_ADDR"),
		TLSAddr:     os.Getenv("IMAPTEST_CYRUS_TLS_ADDR"),
		CAFile:      cmp.Or(os.Getenv("IMAPTEST_CYRUS_CA_FILE"), os.Getenv("IMAPTEST_CA_FILE")),
		WrongCAFile: cmp.Or(os.Getenv("IMAPTEST_CYRUS_WRONG_CA_FILE"), os.Getenv("IMAPTEST_WRONG_CA_FILE")),
		ConfFile:    os.Getenv("IMAPTEST_CYRUS_CONF"),
		PIDFile:     os.Getenv("IMAPTEST_CYRUS_PID_FILE"),
		LogFile:     os.Getenv("IMAPTEST_CYRUS_LOG"),
	}
	requireEnv(t, "Cyrus", []envVar{
		{"IMAPTEST_CYRUS_ADDR", s.Addr},
		{"IMAPTEST_CYRUS_TLS_ADDR", s.TLSAddr},
		{"IMAPTEST_CYRUS_CA_FILE", s.CAFile},
		{"IMAPTEST_CYRUS_WRONG_CA_FILE", s.WrongCAFile},
	})
	return s
}
