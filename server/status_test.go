package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
)

// A badge whose host is down could not be checked: the header, the JSON
// status and the page say so, never "Invalid".
func TestIndeterminateVerdict(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	body, _ := json.Marshal(map[string]string{"data": down.URL + "/assertions/1"})
	rec := f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(string(body)))
	if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "indeterminate" || decodeAny(t, rec.Body.Bytes())["status"] != "indeterminate" {
		t.Fatalf("JSON: %d %q %s", rec.Code, rec.Header().Get("Badgebake-Verdict"), rec.Body)
	}
	page := f.do("POST", "/results", "application/json", "text/html", strings.NewReader(string(body))).Body.String()
	for _, want := range []string{`class="card verdict-indeterminate"`, "? Could not be checked", "try again later", "HTTP 503"} {
		if !strings.Contains(page, want) {
			t.Errorf("page: no %q", want)
		}
	}
	if strings.Contains(page, "✘ Invalid") {
		t.Error("page says Invalid")
	}
	metrics := f.do("GET", "/metrics", "", "", nil).Body.String()
	if !strings.Contains(metrics, `badgebake_verifications_total{verdict="indeterminate"} 2`) {
		t.Errorf("metrics: %s", metrics)
	}
}
