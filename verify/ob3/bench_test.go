package ob3

import (
	"context"
	"testing"
)

// BenchmarkVerify measures the orchestration alone (the fakes check no
// signature): a credential with a Bitstring status entry whose list is
// cached after the first verification, and an endorsement.
func BenchmarkVerify(b *testing.B) {
	h := newHarness(b)
	h.net.serve(statusURL, statusListCredential(b, "revocation", "good", 1))
	doc := withStatus(sampleCredential(), bitstringEntry("revocation", "2"))
	doc["endorsement"] = []any{endorsementOf("urn:uuid:e1", "good")}
	p := parse(b, doc)
	recipient := map[string]any{"id": "did:example:alice"}
	b.ReportAllocs()
	for b.Loop() {
		if res := h.v.Verify(context.Background(), p, recipient); !res.Report.Valid {
			b.Fatalf("status %s: %+v", res.Status, res.Report.Messages)
		}
	}
}
