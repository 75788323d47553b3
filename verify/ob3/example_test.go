package ob3_test

import (
	"context"
	"fmt"
	"time"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/verify/ob3"
)

// trustingProofs stands in for the real proof checkers: it takes every
// embedded proof as verified with an authenticated key of the issuer.
type trustingProofs struct{}

func (trustingProofs) DataIntegrity(ctx context.Context, credential map[string]any) (*ob3.ProofOutcome, error) {
	p, _ := credential["proof"].(map[string]any)
	vm, _ := p["verificationMethod"].(string)
	return &ob3.ProofOutcome{Suite: "eddsa-rdfc-2022", KeyID: vm, KeyAuthenticated: true}, nil
}

func (trustingProofs) JWT(ctx context.Context, p *payload.Payload) (*ob3.JWTOutcome, error) {
	return nil, &ob3.CheckError{Check: ob3.CheckVerifyProof, Err: fmt.Errorf("no VC-JWT support in this example")}
}

func (trustingProofs) CheckIssuer(ctx context.Context, keyID, issuerID string) error { return nil }

// acceptingSchemas stands in for the JSON schemas.
type acceptingSchemas struct{}

func (acceptingSchemas) Validate(context.Context, map[string]any) error { return nil }
func (acceptingSchemas) ValidateCredentialSchema(context.Context, string, map[string]any) error {
	return nil
}

func Example() {
	v := ob3.New(ob3.Options{
		Proofs:  trustingProofs{},
		Schemas: acceptingSchemas{},
		Now:     func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) },
	})
	p, err := payload.Parse([]byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2",
	               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
	  "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
	  "type": ["VerifiableCredential", "OpenBadgeCredential"],
	  "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"], "name": "Example University"},
	  "validFrom": "2024-01-01T00:00:00Z",
	  "validUntil": "2025-01-01T00:00:00Z",
	  "credentialSubject": {
	    "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
	    "type": ["AchievementSubject"],
	    "achievement": {"id": "https://example.edu/achievements/1", "type": ["Achievement"],
	                    "name": "Teamwork", "description": "Works well with others.",
	                    "criteria": {"narrative": "Nominated by peers."}}
	  },
	  "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
	            "verificationMethod": "https://example.edu/issuers/565049#key-1",
	            "proofPurpose": "assertionMethod", "proofValue": "z58DAdFfa9SkqZMVPxAQp"}
	}`))
	if err != nil {
		panic(err)
	}
	res := v.Verify(context.Background(), p, nil)
	fmt.Println(res.Status, res.Summary.Name, "from", res.Summary.Issuer.Name)
	for _, m := range res.Report.Messages {
		fmt.Println(m.MessageLevel, m.Name+":", m.Result)
	}
	// Output:
	// invalid Teamwork from Example University
	// ERROR CHECK_EXPIRATION: The credential expired on 2025-01-01T00:00:00Z (validUntil)
}
