package sign_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
)

func Example() {
	key, err := keyfile.Generate(keyfile.Ed25519, 0)
	if err != nil {
		panic(err)
	}
	did, _ := key.DIDKey()
	unsigned, err := payload.Parse([]byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
	  "id": "urn:uuid:6d5b7b8c-1f1e-4f3a-9c55-000000000001",
	  "type": ["VerifiableCredential", "OpenBadgeCredential"],
	  "issuer": {"id": "` + did + `", "type": ["Profile"], "name": "Example Issuer"},
	  "validFrom": "2024-01-01T00:00:00Z",
	  "name": "Teamwork",
	  "credentialSubject": {
	    "type": ["AchievementSubject"],
	    "achievement": {"id": "https://example.org/achievements/1", "type": ["Achievement"], "name": "Teamwork",
	      "description": "Works well with others.", "criteria": {"narrative": "Nominated by peers."}}
	  }
	}`))
	if err != nil {
		panic(err)
	}

	signer, err := sign.New(key, sign.Options{}) // the default format, checked offline
	if err != nil {
		panic(err)
	}
	signed, err := signer.Sign(context.Background(), unsigned)
	if err != nil {
		panic(err)
	}
	proof := signed.Payload.Object["proof"].(map[string]any)
	fmt.Println(signed.Format, signed.Report.Status)
	fmt.Println(proof["type"], proof["proofPurpose"], strings.HasPrefix(proof["verificationMethod"].(string), did+"#"))
	// Output:
	// eddsa-rdfc-2022 valid
	// DataIntegrityProof assertionMethod true
}
