package ob3schema_test

import (
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/verify/ob3/ob3schema"
)

func Example() {
	credential := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": "https://example.edu/issuers/565049", "type": "Profile"},
		"validFrom": "2010-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": "AchievementSubject",
			"achievement": map[string]any{
				"id": "https://example.edu/achievements/1", "type": "Achievement",
				"name": "Teamwork", "description": "Works well with others.",
			},
		},
	}
	fmt.Println(ob3schema.SchemaFor(credential))
	var invalid *ob3schema.Invalid
	if err := ob3schema.Validate(credential); errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json
	// at /credentialSubject/achievement: missing property 'criteria'
}
