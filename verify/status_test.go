package verify_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
)

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Each result carries its generation, a status and, when something was
// read, a summary; network failures are indeterminate, definite answers
// invalid or revoked.
func TestStatus(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	// A host that answers 503 for the badge class, and one that drops the
	// connection, both serving the assertion from the good host.
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	dropping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer dropping.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	v := verify.New(verify.Config{})
	for _, tc := range []struct {
		name, input string
		status      report.Status
		summary     bool
	}{
		{"valid", host.AssertionURL("1"), report.StatusValid, true},
		{"revoked (410)", host.AssertionURL(badgehost.Revoked), report.StatusRevoked, false},
		{"invalid document", host.AssertionURL(badgehost.Bad), report.StatusInvalid, true},
		{"404", host.URL + "/nothing-here", report.StatusInvalid, false},
		{"HTTP 503", busy.URL + "/assertions/1", report.StatusIndeterminate, false},
		{"connection dropped", dropping.URL + "/assertions/1", report.StatusIndeterminate, false},
		{"connection refused", deadURL + "/assertions/1", report.StatusIndeterminate, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), verify.Input{Data: []byte(tc.input)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || res.Generation != "ob2" || (res.Summary != nil) != tc.summary {
				t.Errorf("status %q, generation %q, summary %+v; want %q, ob2, summary %v", res.Status, res.Generation, res.Summary, tc.status, tc.summary)
			}
			if res.Report.Valid != (tc.status == report.StatusValid) {
				t.Errorf("report.valid %v with status %s", res.Report.Valid, res.Status)
			}
			b, _ := json.Marshal(res)
			if strings.Contains(string(b), `"graph":null`) || !strings.Contains(string(b), `"status":"`+string(tc.status)+`"`) {
				t.Errorf("JSON: %s", b)
			}
		})
	}
	if res, _ := v.Verify(context.Background(), verify.Input{Data: []byte(host.AssertionURL("1"))}, nil); res.Summary == nil ||
		res.Summary.Name != "Robotics" || res.Summary.Issuer == nil || res.Summary.Issuer.Name != "Example Issuer" ||
		res.Summary.Recipient == nil || res.Summary.Recipient.Identity != "alice@example.org" || res.Summary.IssuedOn != "2024-01-01T00:00:00Z" ||
		res.Summary.Image != host.URL+"/badges/robotics.png" {
		t.Errorf("summary %+v", res.Summary)
	}
}

// A DNS failure, through a transport that fails as a resolver would, and
// offline mode with nothing cached are indeterminate too.
func TestStatusDNSAndOffline(t *testing.T) {
	dns := fetch.New(fetch.Options{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsNotFound: true}}
	})})
	offline := fetch.New(fetch.Options{Offline: true})
	for name, c := range map[string]*fetch.Client{"DNS": dns, "offline": offline} {
		res, err := verify.New(verify.Config{Client: c}).Verify(context.Background(), verify.Input{Data: []byte("https://issuer.example/assertions/1")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != report.StatusIndeterminate || res.Report.Valid || res.Report.ErrorCount != 1 {
			t.Errorf("%s: status %s, %+v", name, res.Status, res.Report)
		}
	}
}

// Input that is no badge at all still has a graph that is a list.
func TestGraphIsNeverNull(t *testing.T) {
	for _, in := range []string{"hello world", `{"no": "url"}`} {
		res, err := verify.Verify(context.Background(), verify.Input{Data: []byte(in)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		if !strings.Contains(string(b), `"graph":[]`) || res.Status != report.StatusInvalid {
			t.Errorf("%q: %s", in, b)
		}
	}
}
