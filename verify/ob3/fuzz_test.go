package ob3

import (
	"context"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// FuzzVerify runs every check on arbitrary payloads, with the fake proofs
// and a network that serves nothing: whatever the credential holds, the
// verifier returns a finished report and never panics.
func FuzzVerify(f *testing.F) {
	f.Add(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:x","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"https://i.test","validFrom":"2024-01-01T00:00:00Z","credentialSubject":{"id":"did:x","identifier":[{"identityType":"emailAddress","hashed":true,"identityHash":"sha256$00","salt":"s"}]},"proof":{"proofValue":"good","verificationMethod":"https://i.test#k"}}`)
	f.Add(`{"credentialStatus":[{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://s.test/l"},{"type":"1EdTechRevocationList","id":"https://s.test/r"}],"id":"urn:y","proof":[{"proofValue":"unauth"}]}`)
	f.Add(`{"endorsement":{"endorsement":[{"proof":{"proofValue":"good"},"endorsementJwt":["a.b.c"]}]},"refreshService":{"type":"1EdTechCredentialRefresh","id":"https://r.test/"},"proof":{"proofValue":"good"}}`)
	f.Add(`eyJhbGciOiJFZERTQSIsImtpZCI6Imdvb2QgaHR0cHM6Ly9pLnRlc3QjayJ9.eyJ2YyI6eyJpZCI6InVybjp6In0sIm5iZiI6MTcwMDAwMDAwMH0.c2ln`)
	v := New(Options{Client: fetch.New(fetch.Options{Transport: newFakeNet()}), Proofs: &fakeProofs{}, Schemas: &fakeSchemas{},
		Now: func() time.Time { return testNow }})
	f.Fuzz(func(t *testing.T, text string) {
		p, err := payload.Parse([]byte(text))
		if err != nil || p.Kind == payload.KindURL {
			return
		}
		res := v.Verify(context.Background(), p, map[string]any{"email": "a@example.com"})
		switch res.Status {
		case report.StatusValid, report.StatusInvalid, report.StatusRevoked, report.StatusIndeterminate:
		default:
			t.Fatalf("status %q", res.Status)
		}
		if res.Status == report.StatusValid && res.Report.ErrorCount > 0 {
			t.Fatalf("valid with %d errors", res.Report.ErrorCount)
		}
	})
}
