package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/jsonld"
)

// A hostile issuer's JSON-LD contexts (cycles, endless chains, thousands of
// them) get a report with the ERROR that names them, and the service stays
// up for the next client.
func TestHostileIssuerContexts(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	for id, want := range map[string]string{
		badgehost.SelfCycle:    "recursive context inclusion: " + f.host.URL + "/ctx/self",
		badgehost.Cycle:        "recursive context inclusion: " + f.host.URL + "/ctx/a → " + f.host.URL + "/ctx/b → " + f.host.URL + "/ctx/a",
		badgehost.Chain:        fmt.Sprintf("nested more than %d deep", jsonld.MaxContextDepth),
		badgehost.ManyContexts: "more than 32 remote JSON-LD contexts",
	} {
		body, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(id)})
		rec := f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(string(body)))
		if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "invalid" {
			t.Fatalf("%s: %d, verdict %q: %s", id, rec.Code, rec.Header().Get("Badgebake-Verdict"), rec.Body)
		}
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: the report does not say %q: %s", id, want, rec.Body)
		}
		// The page says it too.
		page := f.do("POST", "/results", "application/json", "text/html", strings.NewReader(string(body)))
		if page.Code != 200 || !strings.Contains(page.Body.String(), want) {
			t.Errorf("%s page: %d, does not say %q", id, page.Code, want)
		}
	}
	if n, most := f.host.ContextRequests(), 1+2+jsonld.MaxContextDepth+jsonld.MaxRemoteContexts; n > most {
		t.Errorf("%d context requests for the four badges, want at most %d", n, most)
	}
	if rec := f.do("GET", "/healthz", "", "", nil); rec.Code != 200 {
		t.Errorf("healthz after the hostile badges: %d", rec.Code)
	}
	body, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1")})
	if rec := f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(string(body))); rec.Header().Get("Badgebake-Verdict") != "valid" {
		t.Errorf("a good badge after the hostile ones: %d %s", rec.Code, rec.Body)
	}
}
