package sign_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
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

func ExampleSigner_StatusListCredential() {
	key, _ := keyfile.Generate(keyfile.Ed25519, 0)
	did, _ := key.DIDKey()
	signer, _ := sign.New(key, sign.Options{Format: sign.FormatVCJWT})

	list := statuslist.New(statuslist.MinBits)
	list.Set(7, 1, 1) // revoke the credential at index 7
	signed, err := signer.StatusListCredential(context.Background(), "https://example.org/status/1", did, list,
		statuslist.PurposeRevocation, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	back, purpose, _ := statuslist.FromCredential(signed.Payload.Credential())
	revoked, _ := back.Status(7, 1)
	fmt.Println(signed.Format, signed.Report.Status, purpose, revoked)
	// Output:
	// vc-jwt valid revocation 1
}
