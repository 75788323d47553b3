package server

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
)

// postResults posts a badge URL to /results for its JSON report.
func postResults(s *Server, badgeURL string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/results", strings.NewReader(`{"data": "`+badgeURL+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// TestZeroOptionsSafe: a Server from zero Options (but a quiet logger)
// has every limit at its default, a bounded cache whose figures /metrics
// shows, and the address guard on; AllowPrivate turns the guard off.
func TestZeroOptionsSafe(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	s := New(Options{Logger: quiet})
	o := s.opts
	if o.MaxUpload != DefaultMaxUpload || o.RequestTimeout != DefaultRequestTimeout || o.MaxConcurrent != DefaultMaxConcurrent ||
		o.BodyTimeout != DefaultBodyTimeout || o.BodyDeadline != DefaultBodyDeadline || o.MaxBodyMemory != DefaultMaxConcurrent*DefaultMaxUpload {
		t.Errorf("limits not at their defaults: %+v", o)
	}
	if o.Fetch == nil || o.Verifier == nil || o.CacheStats == nil {
		t.Fatalf("no fetch client, verifier or cache figures: %+v", o)
	}
	rec := postResults(s, host.AssertionURL("1"))
	if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "invalid" {
		t.Errorf("loopback badge with zero Options: %d %s", rec.Code, rec.Header().Get("Badgebake-Verdict"))
	}
	if msg := firstError(t, rec.Body.Bytes()); !strings.Contains(msg, "refused to connect to 127.0.0.1") || !strings.Contains(msg, "AllowPrivate") {
		t.Errorf("first error %q, want the guard's refusal", msg)
	}
	if n := host.Total(); n != 0 {
		t.Errorf("the loopback issuer got %d requests, want none", n)
	}
	if got := metricValue(t, &fixture{t: t, srv: s}, "badgebake_fetch_blocked_total"); got != 1 {
		t.Errorf("badgebake_fetch_blocked_total = %v, want 1", got)
	}

	s = New(Options{Logger: quiet, AllowPrivate: true})
	rec = postResults(s, host.AssertionURL("1"))
	if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "valid" {
		t.Errorf("loopback badge with AllowPrivate: %d %s\n%s", rec.Code, rec.Header().Get("Badgebake-Verdict"), rec.Body)
	}
	if st := s.opts.CacheStats(); st.Entries < 3 || st.Bytes <= 0 {
		t.Errorf("the bounded cache holds %+v, want the assertion, badge class and issuer", st)
	}
	if got := metricValue(t, &fixture{t: t, srv: s}, "badgebake_cache_entries"); got < 3 {
		t.Errorf("badgebake_cache_entries = %v, want at least 3", got)
	}
}
