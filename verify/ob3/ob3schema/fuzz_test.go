package ob3schema

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/ob3fixtures"
)

// FuzzValidate: any JSON object is validated without a panic, and a
// failure is always an *Invalid (the built-in schemas never need fetching).
func FuzzValidate(f *testing.F) {
	for _, p := range []string{"1edtech/simple.json", "1edtech/simple_v1.json", "1edtech/endorsement-valid.json", "1edtech/complete.json"} {
		b, err := ob3fixtures.Read(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"@context":"https://www.w3.org/2018/credentials/v1","type":"EndorsementCredential"}`))
	f.Add([]byte(`{"type":[],"proof":[[]],"issuer":{"endorsement":{"endorsement":{}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m map[string]any
		if json.Unmarshal(b, &m) != nil || m == nil {
			return
		}
		err := Validate(m)
		var inv *Invalid
		if err != nil && (!errors.As(err, &inv) || len(inv.Problems) == 0) {
			t.Fatalf("Validate: %v", err)
		}
	})
}
