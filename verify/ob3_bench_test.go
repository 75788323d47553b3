package verify_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// benchCanon canonicalizes with the built-in contexts only.
type benchCanon struct{ p *jsonld.Processor }

func (c benchCanon) Canonicalize(_ context.Context, doc map[string]any) ([]byte, error) {
	return c.p.Canonicalize(doc, nil)
}

// ob3Credentials returns n OB 3.0 credentials signed by one did:key
// issuer: as eddsa-rdfc-2022 JSON and as EdDSA VC-JWTs. Each has its own
// id and subject, so nothing but keys and contexts can be shared.
func ob3Credentials(tb testing.TB, n int) (di [][]byte, jwts [][]byte) {
	tb.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	did, err := didkey.FromPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	k, _ := didkey.Parse(did)
	canon := benchCanon{jsonld.NewProcessor(jsonld.NewLoader(nil))}
	for i := range n {
		cred := map[string]any{
			"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
			"id":        fmt.Sprintf("urn:uuid:bench-%d", i),
			"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
			"name":      "Teamwork",
			"issuer":    map[string]any{"id": did, "type": []any{"Profile"}, "name": "Example Corp"},
			"validFrom": "2024-01-01T00:00:00Z",
			"credentialSubject": map[string]any{
				"id":   fmt.Sprintf("did:example:learner-%d", i),
				"type": []any{"AchievementSubject"},
				"achievement": map[string]any{
					"id": "https://example.org/achievements/teamwork", "type": []any{"Achievement"},
					"name": "Teamwork", "description": "Works well in a group.",
					"criteria": map[string]any{"narrative": "Team projects."},
				},
			},
		}
		signed, err := dataintegrity.Sign(context.Background(), cred, dataintegrity.SignOptions{VerificationMethod: k.VerificationMethodID, Created: "2024-01-01T00:00:00Z"}, priv, canon)
		if err != nil {
			tb.Fatal(err)
		}
		b, _ := json.Marshal(signed)
		di = append(di, b)
		tok, err := vcjwt.Sign(cred, priv, vcjwt.SignOptions{Alg: "EdDSA", Kid: k.VerificationMethodID})
		if err != nil {
			tb.Fatal(err)
		}
		jwts = append(jwts, []byte(tok))
	}
	return di, jwts
}

func benchmarkOB3(b *testing.B, pick func(di, jwts [][]byte) [][]byte) {
	di, jwts := ob3Credentials(b, 64)
	inputs := pick(di, jwts)
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true}), Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }})
	// One run to warm the caches (processed contexts, keys), as a batch has.
	for _, in := range inputs {
		res, err := v.Verify(context.Background(), verify.Input{Data: in}, nil)
		if err != nil || res.Status != report.StatusValid {
			b.Fatalf("not valid: %v %+v", err, res.Report.Messages)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			res, _ := v.Verify(context.Background(), verify.Input{Data: inputs[i%len(inputs)]}, nil)
			if res.Status != report.StatusValid {
				b.Errorf("not valid: %+v", res.Report.Messages)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}

// BenchmarkVerifyOB3DataIntegrity verifies eddsa-rdfc-2022 credentials
// (did:key, so nothing is fetched) on every core.
func BenchmarkVerifyOB3DataIntegrity(b *testing.B) {
	benchmarkOB3(b, func(di, _ [][]byte) [][]byte { return di })
}

// BenchmarkVerifyOB3JWT verifies EdDSA VC-JWTs (did:key) on every core.
func BenchmarkVerifyOB3JWT(b *testing.B) {
	benchmarkOB3(b, func(_, jwts [][]byte) [][]byte { return jwts })
}
