package ob2_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify/ob2"
)

// Hostile issuers' JSON-LD contexts, served over loopback HTTP: each
// verification ends with an ERROR naming what went wrong, after a bounded
// number of context fetches, and the verifier stays usable.
func TestHostileIssuerContexts(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{})})
	for _, tc := range []struct {
		id          string
		want        string
		maxContexts int
	}{
		{badgehost.SelfCycle, "recursive context inclusion: " + host.URL + "/ctx/self → " + host.URL + "/ctx/self", 1},
		{badgehost.Cycle, "recursive context inclusion: " + host.URL + "/ctx/a → " + host.URL + "/ctx/b → " + host.URL + "/ctx/a", 2},
		{badgehost.Chain, fmt.Sprintf("remote JSON-LD contexts nested more than %d deep: ", jsonld.MaxContextDepth) + host.URL + "/ctx/chain/0 → ", jsonld.MaxContextDepth},
		{badgehost.ManyContexts, "more than 32 remote JSON-LD contexts in one verification; not loading " + host.URL + "/ctx/many/32", jsonld.MaxRemoteContexts},
	} {
		t.Run(tc.id, func(t *testing.T) {
			before := host.ContextRequests()
			res := verifyWithHangGuard(t, v, host.AssertionURL(tc.id))
			if res.Report.Valid {
				t.Fatal("reported valid")
			}
			found := false
			for _, m := range res.Report.Messages {
				if m.MessageLevel == report.Error && m.Name == "JSONLD_COMPACT_DATA" && strings.Contains(m.Result, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no JSONLD_COMPACT_DATA error containing %q in %+v", tc.want, res.Report.Messages)
			}
			if n := host.ContextRequests() - before; n > tc.maxContexts {
				t.Errorf("%d context requests, want at most %d", n, tc.maxContexts)
			}
		})
	}
	// The verifier is still fine for the next badge.
	if res := verifyWithHangGuard(t, v, host.AssertionURL("1")); !res.Report.Valid {
		t.Errorf("a good badge after the hostile ones: %+v", res.Report.Messages)
	}
}

// An assertion endorsed a thousand times over is fetched from until
// MaxFetches, then each further link is an ERROR without a request.
func TestManyLinksStopAtFetchLimit(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{})})
	res := verifyWithHangGuard(t, v, host.AssertionURL(badgehost.ManyLinks))
	if res.Report.Valid {
		t.Fatal("reported valid")
	}
	if n := host.Total(); n > ob2.MaxFetches {
		t.Errorf("%d requests to the host, want at most %d", n, ob2.MaxFetches)
	}
	want := "not fetched: this verification already fetched 64 documents and images"
	n := 0
	for _, m := range res.Report.Messages {
		if strings.Contains(m.Result, want) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d messages say %q, want 1", n, want)
	}
}

// A verification whose time is up stops even though the documents it
// keeps loading are cached (a cycle on json-gold's side would otherwise
// never look at the context).
func TestCancelledVerificationStops(t *testing.T) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{})})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := v.VerifyURL(ctx, host.AssertionURL("1"), nil)
	if res.Report.Valid || res.Report.ErrorCount == 0 {
		t.Fatalf("a cancelled verification reported %+v", res.Report)
	}
}

func verifyWithHangGuard(t *testing.T, v *ob2.Verifier, url string) *report.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := v.VerifyURL(ctx, url, nil)
	if ctx.Err() != nil {
		t.Fatalf("verification of %s ran into the hang guard's deadline", url)
	}
	return res
}

// BenchmarkHostileIssuer is the cost of verifying each hostile badge of
// badgehost, against a good one, over loopback HTTP, each time with a new
// verifier (nothing cached: every request is made).
func BenchmarkHostileIssuer(b *testing.B) {
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	for _, id := range []string{"1", badgehost.SelfCycle, badgehost.Cycle, badgehost.Chain, badgehost.ManyContexts, badgehost.ManyLinks} {
		b.Run(id, func(b *testing.B) {
			before := host.Total()
			for b.Loop() {
				v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{})})
				v.VerifyURL(context.Background(), host.AssertionURL(id), nil)
			}
			b.ReportMetric(float64(host.Total()-before)/float64(b.N), "requests/op")
		})
	}
}
