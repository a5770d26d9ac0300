package imapmemserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"sync"
	"time"
)

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("imapmemserver: server closed")

// Server is an in-memory IMAP server. Create one with New, add users with
// AddUser, then connect through Addr, TLSAddr or Pipe. Close stops it and
// waits for every connection to end. A Server is safe for concurrent use.
type Server struct {
	opts Options
	caps *capSet
	log  *slog.Logger
	b    *backend
	done chan struct{} // closed by Close

	mu        sync.Mutex
	faults    *Faults
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	addr      string
	tlsAddr   string
	wg        sync.WaitGroup

	certOnce sync.Once
	cert     tls.Certificate
	certErr  error
}

// New returns a server with the given options (nil for the defaults). It
// holds no user and listens nowhere yet.
func New(opts *Options) *Server {
	s := &Server{caps: newCapSet(nil), log: opts.logger(), b: newBackend(), done: make(chan struct{}),
		listeners: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
	if opts != nil {
		s.opts = *opts
		s.caps = newCapSet(opts.Caps)
	}
	s.faults = s.opts.Faults.clone()
	return s
}

// AddUser adds a user with INBOX and the special-use mailboxes Archive,
// Drafts, Junk, Sent and Trash, all subscribed.
func (s *Server) AddUser(name, password string) error {
	if name == "" {
		return errors.New("imapmemserver: empty user name")
	}
	return s.b.addUser(name, password)
}

// CreateMailbox creates a mailbox (and its missing parents) for a user.
// The name is in UTF-8 with "/" as the hierarchy delimiter; specialUse is
// "" or an attribute such as imap.SpecialUseSent.
func (s *Server) CreateMailbox(user, name, specialUse string) error {
	u, err := s.b.userByName(user)
	if err != nil {
		return err
	}
	return s.b.create(u, name, specialUse)
}

// Append stores a message in a user's mailbox, as APPEND would, and
// returns its UID. A zero date means now.
func (s *Server) Append(user, mailbox string, raw []byte, flags []string, date time.Time) (uint32, error) {
	u, err := s.b.userByName(user)
	if err != nil {
		return 0, err
	}
	for _, f := range flags {
		if !validFlag(f) {
			return 0, fmt.Errorf("imapmemserver: invalid flag %q", f)
		}
	}
	_, uid, err := s.b.appendMsg(u, mailbox, append([]byte(nil), raw...), flags, date)
	return uid, err
}

// SetFaults replaces the faults injected into connections made from now
// on (nil for none). Connections already open keep theirs.
func (s *Server) SetFaults(f *Faults) {
	c := f.clone()
	s.mu.Lock()
	s.faults = c
	s.mu.Unlock()
}

func (s *Server) currentFaults() *Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Listen starts serving plaintext connections (with STARTTLS, when it is
// in the capability set) on a loopback TCP port. It does nothing if the
// server listens already.
func (s *Server) Listen() error {
	_, err := s.listen(false)
	return err
}

// ListenTLS starts serving implicit-TLS connections on a loopback TCP
// port, with the server's self-signed certificate (see ClientTLSConfig).
func (s *Server) ListenTLS() error {
	_, err := s.listen(true)
	return err
}

func (s *Server) listen(implicitTLS bool) (string, error) {
	s.mu.Lock()
	if a := s.addrLocked(implicitTLS); *a != "" {
		s.mu.Unlock()
		return *a, nil
	}
	if s.closed {
		s.mu.Unlock()
		return "", ErrServerClosed
	}
	s.mu.Unlock()
	if implicitTLS {
		if _, err := s.certificate(); err != nil {
			return "", err
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("imapmemserver: %w", err)
	}
	s.mu.Lock()
	a := s.addrLocked(implicitTLS)
	if *a != "" || s.closed {
		s.mu.Unlock()
		l.Close()
		return s.listen(implicitTLS)
	}
	*a = l.Addr().String()
	s.listeners[l] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.serve(l, implicitTLS)
	}()
	return l.Addr().String(), nil
}

func (s *Server) addrLocked(implicitTLS bool) *string {
	if implicitTLS {
		return &s.tlsAddr
	}
	return &s.addr
}

// Addr returns the "host:port" of the plaintext listener, starting it if
// needed. It panics if it cannot listen, as httptest.NewServer does.
func (s *Server) Addr() string {
	a, err := s.listen(false)
	if err != nil {
		panic(err)
	}
	return a
}

// TLSAddr returns the "host:port" of the implicit-TLS listener, starting
// it if needed. It panics if it cannot listen.
func (s *Server) TLSAddr() string {
	a, err := s.listen(true)
	if err != nil {
		panic(err)
	}
	return a
}

// Serve accepts plaintext connections on l until l fails or the server
// closes; Close closes l. It returns ErrServerClosed after Close.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	return s.serve(l, false)
}

// ServeTLS accepts implicit-TLS connections on l, as Serve does for
// plaintext ones: the server makes the TLS handshake with its
// certificate (see ClientTLSConfig) on every connection it accepts.
func (s *Server) ServeTLS(l net.Listener) error {
	if _, err := s.certificate(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	return s.serve(l, true)
}

func (s *Server) serve(l net.Listener, implicitTLS bool) error {
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			select {
			case <-s.done:
				return ErrServerClosed
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.start(c, implicitTLS)
	}
}

// Pipe returns the client end of a new in-memory connection to the
// server: no socket, buffered in both directions like a socket, with
// deadlines. STARTTLS works over it.
func (s *Server) Pipe() net.Conn {
	client, server := newPipe()
	s.start(server, false)
	return client
}

// start runs a session on c; it closes c if the server is closed.
func (s *Server) start(c net.Conn, implicitTLS bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
		newSession(s, c, implicitTLS).serve()
	}()
}

// Close stops the listeners, closes every connection and waits for their
// goroutines to end. It may be called more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
		for l := range s.listeners {
			l.Close()
		}
		for c := range s.conns {
			c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, for ServerName "localhost" (the certificate is also valid
// for 127.0.0.1 and ::1).
func (s *Server) ClientTLSConfig() *tls.Config {
	cert, err := s.certificate()
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	return &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

func (s *Server) tlsConfig() *tls.Config {
	cert, err := s.certificate()
	if err != nil {
		// Handshakes fail with a clear error on the server's side.
		return &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, err }}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// certificate returns the server's self-signed certificate, made on
// first use.
func (s *Server) certificate() (tls.Certificate, error) {
	s.certOnce.Do(func() { s.cert, s.certErr = selfSigned() })
	return s.cert, s.certErr
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("imapmemserver: generating a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, err
	}
	start := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"imapmemserver"}, CommonName: "localhost"},
		NotBefore:             start,
		NotAfter:              start.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("imapmemserver: creating the certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
