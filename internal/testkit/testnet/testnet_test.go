package testnet

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCAIssuesVerifiableCertificates(t *testing.T) {
	ca := NewCA(t)
	if !ca.Cert.IsCA || ca.Cert.Subject.CommonName != "badgebake test CA" {
		t.Fatalf("CA certificate: IsCA=%v subject=%v", ca.Cert.IsCA, ca.Cert.Subject)
	}
	leaf := ca.Issue(t, "badges.test", "127.0.0.1").Leaf
	for _, name := range []string{"badges.test", "127.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: ca.Pool()}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "other.test", Roots: ca.Pool()}); err == nil {
		t.Error("leaf verified for a name it was not issued for")
	}
	// An expired one is refused as expired.
	expired := ca.IssueValid(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), "badges.test").Leaf
	var invalid x509.CertificateInvalidError
	if _, err := expired.Verify(x509.VerifyOptions{DNSName: "badges.test", Roots: ca.Pool()}); !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("expired certificate: %v", err)
	}
	// Another CA's pool does not trust it.
	var unknown x509.UnknownAuthorityError
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "badges.test", Roots: NewCA(t).Pool()}); !errors.As(err, &unknown) {
		t.Errorf("verify against another CA: %v, want UnknownAuthorityError", err)
	}
}

func TestWritePEM(t *testing.T) {
	ca := NewCA(t)
	path := ca.WritePEM(t, t.TempDir())
	if filepath.Base(path) != "ca.pem" {
		t.Errorf("path %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
		t.Fatalf("not one PEM certificate: %q", data)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatal("AppendCertsFromPEM failed")
	}
	if string(ca.PEM()) != string(data) {
		t.Error("PEM() differs from the file")
	}
}

// client returns an HTTP client that uses only p and trusts only ca.
func client(p *Proxy, ca *CA) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:           p.ProxyFunc(),
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
		},
	}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestProxyTunnelsHTTPS(t *testing.T) {
	ca := NewCA(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from "+r.Host+r.URL.Path)
	}))
	srv.TLS = ca.ServerTLS(t, "badges.test")
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p := NewProxy(t, map[string]string{"badges.test:443": srv.Listener.Addr().String()})

	c := client(p, ca)
	for range 3 {
		resp, body := get(t, c, "https://badges.test/assertion.json")
		if resp.StatusCode != 200 || body != "hello from badges.test/assertion.json" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		if resp.TLS == nil || resp.TLS.PeerCertificates[0].DNSNames[0] != "badges.test" {
			t.Fatalf("TLS state %+v", resp.TLS)
		}
	}
	// Keep-alive: three requests, one tunnel.
	if n := p.Requests("badges.test:443"); n != 1 {
		t.Errorf("proxy counted %d CONNECTs, want 1", n)
	}
}

func TestProxyForwardsHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Connection") != "" {
			t.Error("hop-by-hop header forwarded")
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"host":"`+r.Host+`","ua":"`+r.UserAgent()+`"}`)
	}))
	t.Cleanup(srv.Close)
	p := NewProxy(t, map[string]string{"badges.test": srv.Listener.Addr().String()}) // any port

	req, _ := http.NewRequest("GET", "http://badges.test/issuer.json", nil)
	req.Header.Set("User-Agent", "testnet-test")
	resp, err := client(p, NewCA(t)).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"host":"badges.test","ua":"testnet-test"}` {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("Via") != "1.1 testnet" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", resp.Header)
	}
	if n := p.Requests("badges.test:80"); n != 1 {
		t.Errorf("proxy counted %d requests, want 1", n)
	}
}

func TestProxyRefusesUnknownTargets(t *testing.T) {
	p := NewProxy(t, map[string]string{"badges.test:443": "127.0.0.1:1"})
	c := client(p, NewCA(t))

	// https: the CONNECT is refused, so the client gets an error.
	if _, err := c.Get("https://example.org/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("https to example.org: %v", err)
	}
	// http: the proxy answers 403 itself.
	resp, body := get(t, c, "http://example.org/x")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not in the resolve map") {
		t.Errorf("http to example.org: %d %q", resp.StatusCode, body)
	}
	// A mapped name on another port is not mapped.
	if _, err := c.Get("https://badges.test:8443/"); err == nil {
		t.Error("badges.test:8443 was let through")
	}
	want := []string{"example.org:443", "example.org:80", "badges.test:8443"}
	if got := p.Refused(); !slices.Equal(got, want) {
		t.Errorf("Refused() = %q, want %q", got, want)
	}
	if n := p.Requests("example.org:443"); n != 1 {
		t.Errorf("Requests(example.org:443) = %d", n)
	}

	// A plain request to the proxy itself is not a proxy request.
	resp, err := http.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("direct request: %d", resp.StatusCode)
	}
}

func TestProxyCloseEndsTunnels(t *testing.T) {
	ca := NewCA(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = ca.ServerTLS(t, "badges.test")
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p := NewProxy(t, map[string]string{"badges.test:443": srv.Listener.Addr().String()})
	c := client(p, ca)
	get(t, c, "https://badges.test/") // leaves an idle tunnel
	done := make(chan struct{})
	go func() { p.Close(); p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs with an open tunnel")
	}
	if _, err := c.Get("https://badges.test/"); err == nil {
		t.Error("request through a closed proxy succeeded")
	}
}
