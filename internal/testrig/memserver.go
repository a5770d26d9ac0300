package testrig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapmemserver"
	"github.com/imapclient-go/imapclient/internal/leakcheck"
)

// MemserverCaps is what the rig's imapmemserver advertises: its defaults
// plus the extensions it implements beyond them that Dovecot has too, so
// that the client takes the same paths against both. (UTF8=ACCEPT and
// IMAP4rev2, which Dovecot 2.3 lacks, stay off.)
var MemserverCaps = append(append([]string(nil), imapmemserver.DefaultCaps...),
	"LIST-EXTENDED", "LIST-STATUS", "MULTIAPPEND")

var mem struct {
	once sync.Once
	srv  *Server
	err  error
}

// requireMemserver starts the binary's imapmemserver on first use: the
// rig's users, a plaintext listener (with STARTTLS) and an implicit-TLS
// listener on 127.0.0.1. The accept loops run for as long as the test
// binary (leakcheck.Background); the server is never closed, so that
// every test sees the same mailboxes, as with a real server.
func requireMemserver(t testing.TB) *Server {
	t.Helper()
	mem.once.Do(func() { mem.srv, mem.err = startMemserver() })
	if mem.err != nil {
		t.Fatalf("testrig: starting imapmemserver: %v", mem.err)
	}
	s := *mem.srv
	return &s
}

func startMemserver() (*Server, error) {
	srv := imapmemserver.New(&imapmemserver.Options{Caps: MemserverCaps})
	for _, u := range users {
		if err := srv.AddUser(u.Name, u.Password); err != nil {
			return nil, err
		}
	}
	wrong, err := unrelatedCA()
	if err != nil {
		return nil, err
	}
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	secure, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		plain.Close()
		return nil, err
	}
	leakcheck.Background(func() { srv.Serve(plain) })
	leakcheck.Background(func() { srv.ServeTLS(secure) })
	return &Server{
		Target:       TargetMemserver,
		Name:         "imapmemserver",
		Addr:         plain.Addr().String(),
		TLSAddr:      secure.Addr().String(),
		Mem:          srv,
		rootCAs:      srv.ClientTLSConfig().RootCAs,
		wrongRootCAs: wrong,
	}, nil
}

// unrelatedCA returns a pool with a fresh self-signed CA that signed
// nothing the servers present.
func unrelatedCA() (*x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "imapclient-go unrelated CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(72 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("unrelated CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool, nil
}
