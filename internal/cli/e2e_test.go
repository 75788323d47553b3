package cli

import (
	"encoding/json"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/testnet"
	"github.com/badgebake/badgebake/report"
)

// e2eMain is set in the environment of the subprocesses TestConformanceEndToEnd
// starts: the test binary then runs the badgebake command instead of tests.
const e2eMain = "BADGEBAKE_TEST_RUN_MAIN"

// TestConformanceEndToEnd runs the conformance suite through the real
// network stack: for each case an HTTPS server with a certificate from a
// test CA (and a plain HTTP server) serve the case's documents for
// example.org and other.org (and the legacy fixtures' a.com and
// oldstyle.com), a forward proxy on loopback maps those names
// to them, and `badgebake verify --json` runs in a subprocess with
// HTTPS_PROXY, HTTP_PROXY and SSL_CERT_FILE set, as behind a corporate
// proxy with a private CA. Nothing leaves the machine: the proxy refuses
// every name it does not map.
func TestConformanceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end suite skipped in -short mode")
	}
	ca := testnet.NewCA(t)
	caFile := ca.WritePEM(t, t.TempDir())
	for _, c := range conformance.Load(t, filepath.Join("..", "..", "testdata", "conformance"), time.Now()) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			srv := conformance.NewServer(c)
			tlsSrv := httptest.NewUnstartedServer(srv)
			tlsSrv.TLS = ca.ServerTLS(t, "example.org", "other.org")
			tlsSrv.StartTLS()
			t.Cleanup(tlsSrv.Close)
			plain := httptest.NewServer(srv)
			t.Cleanup(plain.Close)
			resolve := map[string]string{}
			// a.com and oldstyle.com host the reference's 0.5 and 1.0
			// fixtures (over plain HTTP).
			for _, host := range []string{"example.org", "other.org", "a.com", "oldstyle.com"} {
				resolve[net.JoinHostPort(host, "443")] = tlsSrv.Listener.Addr().String()
				resolve[net.JoinHostPort(host, "80")] = plain.Listener.Addr().String()
			}
			proxy := testnet.NewProxy(t, resolve)

			args := []string{"verify", "--json"}
			in := c.InputOf()
			switch {
			case in.File != nil:
				path := filepath.Join(t.TempDir(), "input")
				if err := os.WriteFile(path, in.File, 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, path)
			case in.IsURL:
				args = append(args, in.Text)
			default:
				args = append(args, "--data", in.Text)
			}
			if c.Recipient != nil {
				b, _ := json.Marshal(c.Recipient)
				args = append(args, "--recipient", string(b))
			}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(environWithout("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"),
				e2eMain+"=1", "HTTPS_PROXY="+proxy.URL, "HTTP_PROXY="+proxy.URL, "SSL_CERT_FILE="+caFile)
			out, err := cmd.Output()
			if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() != ExitBad {
				t.Fatalf("badgebake %s: exit %d: %s", strings.Join(args, " "), exit.ExitCode(), exit.Stderr)
			} else if err != nil && !ok {
				t.Fatal(err)
			}
			var res report.Result
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("output is not a report: %v\n%s", err, out)
			}
			c.Check(t, &res, srv)
		})
	}
}

// environWithout returns the environment without the named variables.
func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, n := range names {
			keep = keep && !strings.HasPrefix(kv, n+"=")
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
