package payload

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckUnsigned(t *testing.T) {
	p, err := Parse([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:key:z6Mk","credentialSubject":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	var se *StructureError
	if _, err := p.CheckStructure(); !errors.As(err, &se) || !strings.HasPrefix(se.Problems[0], `missing "proof"`) {
		t.Errorf("CheckStructure of an unsigned credential: %v, want the missing proof", err)
	}
	if _, err := p.CheckUnsigned(); err != nil {
		t.Errorf("CheckUnsigned of an unsigned credential: %v", err)
	}
	delete(p.Object, "issuer")
	if _, err := p.CheckUnsigned(); !errors.As(err, &se) || len(se.Problems) != 1 || se.Problems[0] != `missing "issuer"` {
		t.Errorf("CheckUnsigned without an issuer: %v, want that problem only", err)
	}
}
