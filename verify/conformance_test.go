package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
)

// fixedNow is the suite's clock, so time-relative cases are stable.
var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// TestConformance runs testdata/conformance in process: documents are
// served by an http.RoundTripper, so nothing leaves the process.
func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "../testdata/conformance", fixedNow) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			res, srv := verifyCase(t, c)
			c.Check(t, res, srv)
		})
	}
}

// verifyCase verifies a case's input, its documents served in process.
func verifyCase(t *testing.T, c *conformance.Case) (*report.Result, *conformance.Server) {
	t.Helper()
	srv := conformance.NewServer(c)
	client := fetch.New(fetch.Options{Transport: srv, UserAgent: "badgebake/test"})
	v := verify.New(verify.Config{Client: client, Now: func() time.Time { return fixedNow }})
	in := c.InputOf()
	data := in.File
	if data == nil {
		data = []byte(in.Text)
	}
	res, err := v.Verify(context.Background(), verify.Input{Data: data, Name: "input"}, &verify.Options{Recipient: c.Recipient})
	if err != nil {
		t.Fatalf("%s: Verify: %v", c.Name, err)
	}
	return res, srv
}
