package fakeserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"time"
)

// testCert is the self-signed certificate, made once per process.
var testCert = sync.OnceValues(func() (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "fakeserver test certificate"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
})

// Certificate returns the package's self-signed certificate for localhost,
// 127.0.0.1 and ::1, valid for a week from the first call. It panics if the
// certificate cannot be generated.
func Certificate() tls.Certificate {
	c, err := testCert()
	if err != nil {
		panic("fakeserver: generating the test certificate: " + err.Error())
	}
	return *c
}

// CertPool returns a pool holding only the test certificate, for a client's
// RootCAs.
func CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(Certificate().Leaf)
	return pool
}

// ServerTLSConfig returns a server configuration presenting the test
// certificate.
func ServerTLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{Certificate()},
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientTLSConfig returns a client configuration that trusts the test
// certificate only, for server name "localhost".
func ClientTLSConfig() *tls.Config {
	return &tls.Config{
		RootCAs:    CertPool(),
		ServerName: "localhost",
		MinVersion: tls.VersionTLS12,
	}
}
