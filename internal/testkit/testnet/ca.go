// Package testnet is a private network for tests, on loopback only: a test
// certificate authority that issues server certificates for made-up host
// names such as "badges.test", and a forward proxy that maps such names to
// local test servers and refuses every other target. Together they let a
// test fetch https://badges.test/… through HTTPS_PROXY with SSL_CERT_FILE,
// exactly as a user behind a corporate proxy with a private CA would, while
// nothing leaves the machine.
//
// Typical use:
//
//	ca := testnet.NewCA(t)
//	srv := httptest.NewUnstartedServer(handler)
//	srv.TLS = ca.ServerTLS(t, "badges.test")
//	srv.StartTLS()
//	t.Cleanup(srv.Close)
//	proxy := testnet.NewProxy(t, map[string]string{"badges.test:443": srv.Listener.Addr().String()})
//	// then HTTPS_PROXY=proxy.URL and SSL_CERT_FILE=ca.WritePEM(t, t.TempDir())
//	// in a subprocess, or Options{Proxy: proxy.ProxyFunc(), RootCAs: ca.Pool()}
//
// Go reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY and SSL_CERT_FILE/SSL_CERT_DIR once
// per process, so tests of the environment itself must run in a subprocess.
// Go also never proxies requests to "localhost" or loopback addresses, which
// is why the proxy resolves made-up names instead.
package testnet

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a throw-away certificate authority generated at test time.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// NewCA generates an ECDSA P-256 CA valid from an hour ago for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testnet: CA key: %v", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "badgebake test CA", Organization: []string{"badgebake tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("testnet: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("testnet: CA certificate: %v", err)
	}
	return &CA{
		Cert: cert,
		key:  key,
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}
}

// PEM returns the CA certificate in PEM form.
func (ca *CA) PEM() []byte { return append([]byte(nil), ca.pem...) }

// Pool returns a pool holding only the CA certificate.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// WritePEM writes the CA certificate to dir/ca.pem and returns that path,
// for SSL_CERT_FILE (or a directory for SSL_CERT_DIR).
func (ca *CA) WritePEM(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, ca.pem, 0o644); err != nil {
		t.Fatalf("testnet: %v", err)
	}
	return path
}

// Issue returns a server certificate signed by the CA for hosts (DNS names
// or IP addresses), valid from an hour ago for a day.
func (ca *CA) Issue(t testing.TB, hosts ...string) tls.Certificate {
	t.Helper()
	now := time.Now()
	return ca.IssueValid(t, now.Add(-time.Hour), now.Add(24*time.Hour), hosts...)
}

// IssueValid is Issue with a chosen validity period, for expired or
// not-yet-valid certificates.
func (ca *CA) IssueValid(t testing.TB, notBefore, notAfter time.Time, hosts ...string) tls.Certificate {
	t.Helper()
	if len(hosts) == 0 {
		t.Fatalf("testnet: Issue needs at least one host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testnet: leaf key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatalf("testnet: leaf certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("testnet: leaf certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// ServerTLS returns a server TLS configuration with a certificate for hosts,
// for httptest.Server.TLS before StartTLS.
func (ca *CA) ServerTLS(t testing.TB, hosts ...string) *tls.Config {
	t.Helper()
	return &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, hosts...)}}
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("testnet: serial: %v", err)
	}
	return n.Add(n, big.NewInt(1))
}
