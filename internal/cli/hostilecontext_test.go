package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/jsonld"
)

// verify and bake's check end a hostile issuer's context cycle with an
// ERROR and exit 1 (they used to grow without bound and never return).
func TestVerifyHostileContexts(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	code, stdout, _ := run(t, "verify", host.AssertionURL(badgehost.Cycle))
	want := "recursive context inclusion: " + host.URL + "/ctx/a → " + host.URL + "/ctx/b → " + host.URL + "/ctx/a"
	if code != ExitBad || !strings.HasPrefix(stdout, "INVALID") || !strings.Contains(stdout, want) {
		t.Fatalf("verify: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "verify", "--json", host.AssertionURL(badgehost.ManyContexts))
	if code != ExitBad || !strings.Contains(stdout, `"valid": false`) || !strings.Contains(stdout, "more than 32 remote JSON-LD contexts") {
		t.Fatalf("verify --json of 2,000 contexts: exit %d:\n%s", code, stdout)
	}
	out := filepath.Join(t.TempDir(), "baked.png")
	code, _, stderr := run(t, "bake", filepath.Join("..", "..", "testdata", "badge.png"), host.AssertionURL(badgehost.Chain), "-o", out)
	if code != ExitBad || !strings.Contains(stderr, "payload refused") {
		t.Fatalf("bake: exit %d: %s", code, stderr)
	}
	if n, most := host.ContextRequests(), 2+jsonld.MaxRemoteContexts+jsonld.MaxContextDepth; n > most {
		t.Errorf("%d context requests, want at most %d", n, most)
	}
}
