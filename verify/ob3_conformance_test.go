package verify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/ob3fixtures"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
)

// fixtureDay is the instant the upstream fixtures' verdicts were worked
// out for: their expiry dates are judged against it, not the test's clock.
var fixtureDay = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// TestOB3UpstreamFixtures verifies the 1EdTech validator's and the DCC's
// public OB 3.0 fixtures (JSON, VC-JWT, baked PNG and SVG) with nothing but
// the documents they need served in-process, and holds each to the
// verdict its upstream states and the message name that maps to it.
func TestOB3UpstreamFixtures(t *testing.T) {
	tr := ob3fixtures.NewTransport()
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Transport: tr}), Now: func() time.Time { return fixtureDay }})
	for _, fx := range ob3fixtures.All() {
		t.Run(fx.Name, func(t *testing.T) {
			if fx.NeedsNetwork {
				t.Skipf("upstream's verdict needs the real network: %s", fx.Why)
			}
			data, err := ob3fixtures.Read(fx.Path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), verify.Input{Data: data, Name: fx.Path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, m := range res.Report.Messages {
				if m.MessageLevel == report.Error {
					errs = append(errs, m.Name+": "+m.Result)
				}
			}
			if string(res.Status) != fx.Want {
				t.Fatalf("status %s, want %s (%s)\nerrors: %q", res.Status, fx.Want, fx.Why, errs)
			}
			if res.Generation != report.GenerationOB3 {
				t.Errorf("generation %q, want ob3", res.Generation)
			}
			if fx.Want != "valid" && !slices.ContainsFunc(res.Report.Messages, func(m report.Message) bool {
				return m.Name == fx.WantMessage && m.MessageLevel == report.Error
			}) {
				t.Errorf("no ERROR %s (%s)\nerrors: %q", fx.WantMessage, fx.Why, errs)
			}
		})
	}
}
