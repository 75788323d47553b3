package fetch_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/testnet"
)

// childMode, when set, makes TestEnvironment run one fetch and check it,
// in a subprocess whose environment the parent chose.
const childMode = "BADGEBAKE_FETCH_TEST_CHILD"

const assertionJSON = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://badges.test/assertion.json"}`

// TestEnvironment proves the whole path a user behind a corporate proxy with
// a private CA takes: HTTPS_PROXY / HTTP_PROXY and SSL_CERT_FILE /
// SSL_CERT_DIR, read by Go from the environment (once per process, hence the
// subprocesses), with a default Client. Nothing leaves the machine: the
// proxy resolves badges.test to local servers and refuses everything else.
func TestEnvironment(t *testing.T) {
	if mode := os.Getenv(childMode); mode != "" {
		child(t, mode)
		return
	}
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	ca := testnet.NewCA(t)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/ld+json")
		io.WriteString(w, assertionJSON)
	})
	httpsSrv := httptest.NewUnstartedServer(handler)
	httpsSrv.TLS = ca.ServerTLS(t, "badges.test")
	httpsSrv.Config.ErrorLog = quietLog
	httpsSrv.StartTLS()
	t.Cleanup(httpsSrv.Close)
	httpSrv := httptest.NewServer(handler)
	t.Cleanup(httpSrv.Close)
	proxy := testnet.NewProxy(t, map[string]string{
		"badges.test:443": httpsSrv.Listener.Addr().String(),
		"badges.test:80":  httpSrv.Listener.Addr().String(),
	})
	caFile := ca.WritePEM(t, t.TempDir())

	cases := []struct {
		name, mode, target string
		env                []string
	}{
		{"HTTPS_PROXY and SSL_CERT_FILE", "ok", "badges.test:443",
			[]string{"HTTPS_PROXY=" + proxy.URL, "SSL_CERT_FILE=" + caFile}},
		{"https_proxy and SSL_CERT_DIR", "ok", "badges.test:443",
			[]string{"https_proxy=" + proxy.URL, "SSL_CERT_DIR=" + filepath.Dir(caFile)}},
		{"proxy without scheme", "ok", "badges.test:443",
			[]string{"HTTPS_PROXY=" + strings.TrimPrefix(proxy.URL, "http://"), "SSL_CERT_FILE=" + caFile}},
		{"NO_PROXY for other hosts", "ok", "badges.test:443",
			[]string{"HTTPS_PROXY=" + proxy.URL, "NO_PROXY=example.org,.other.test,10.0.0.0/8", "SSL_CERT_FILE=" + caFile}},
		{"system roots only", "unknown-ca", "badges.test:443",
			[]string{"HTTPS_PROXY=" + proxy.URL}},
		{"SSL_CERT_FILE missing", "unknown-ca-missing", "badges.test:443",
			[]string{"HTTPS_PROXY=" + proxy.URL, "SSL_CERT_FILE=" + caFile + ".missing"}},
		{"HTTP_PROXY for http", "ok-http", "badges.test:80",
			[]string{"HTTP_PROXY=" + proxy.URL}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := proxy.Requests(tc.target)
			cmd := exec.Command(os.Args[0], "-test.run=^TestEnvironment$", "-test.v")
			cmd.Env = append(cleanEnv(), childMode+"="+tc.mode)
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child (%s) failed: %v\n%s", strings.Join(tc.env, " "), err, out)
			}
			if marker := "child " + tc.mode + ": checked"; !strings.Contains(string(out), marker) {
				t.Fatalf("child output lacks %q (did it run the test?):\n%s", marker, out)
			}
			t.Logf("child:\n%s", out)
			if proxy.Requests(tc.target) == before {
				t.Errorf("the request did not go through the proxy")
			}
		})
	}
	if r := proxy.Refused(); len(r) != 0 {
		t.Errorf("proxy refused %q: something tried to leave the test network", r)
	}
}

// cleanEnv is the environment without any proxy or trust-root setting.
func cleanEnv() []string {
	drop := map[string]bool{
		"HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true, "ALL_PROXY": true,
		"REQUEST_METHOD": true, "SSL_CERT_FILE": true, "SSL_CERT_DIR": true, childMode: true,
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[strings.ToUpper(k)] {
			env = append(env, kv)
		}
	}
	return env
}

func child(t *testing.T, mode string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := fetch.New(fetch.Options{UserAgent: "badgebake/test"}) // defaults: environment proxy and roots
	url := "https://badges.test/assertion.json"
	if mode == "ok-http" {
		url = "http://badges.test/assertion.json"
	}
	r, err := c.Get(ctx, url, "")
	switch mode {
	case "ok", "ok-http":
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if r.Status != 200 || string(r.Body) != assertionJSON || r.ContentType != "application/ld+json" {
			t.Fatalf("Get: %d %q %q", r.Status, r.ContentType, r.Body)
		}
		if mode == "ok-http" && r.Header.Get("Via") != "1.1 testnet" {
			t.Fatalf("http response did not come through the proxy: %v", r.Header)
		}
	case "unknown-ca", "unknown-ca-missing":
		if !errors.Is(err, fetch.ErrTLS) {
			t.Fatalf("Get: %v, want ErrTLS", err)
		}
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("cause is not x509.UnknownAuthorityError: %v", err)
		}
		wants := []string{"signed by an unknown authority", "SSL_CERT_FILE or SSL_CERT_DIR"}
		if mode == "unknown-ca-missing" {
			wants = append(wants, "SSL_CERT_FILE="+fmt.Sprintf("%q", os.Getenv("SSL_CERT_FILE"))+" cannot be read: no such file or directory")
		} else if strings.Contains(err.Error(), "cannot be read") {
			t.Fatalf("message %q reports an unreadable setting", err)
		}
		for _, want := range wants {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("message %q lacks %q", err, want)
			}
		}
	default:
		t.Fatalf("unknown child mode %q", mode)
	}
	t.Logf("Get: %v", err)
	fmt.Printf("child %s: checked\n", mode)
}
