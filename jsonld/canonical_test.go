package jsonld

import (
	"errors"
	"testing"
)

// TestCanonicalizeVectors: Canonicalize gives the published canonical
// N-Quads of the 1EdTech OB 3.0 and W3C eddsa-rdfc-2022 vectors, byte for
// byte, and refuses an undefined property.
func TestCanonicalizeVectors(t *testing.T) {
	const ob = "1edtech-ob-v3p0-test-vector/"
	const w3c = "w3c-vc-di-eddsa/eddsa-rdfc-2022/"
	unsigned, _ := ob3Vector(t, ob+"credential-unsigned.json")
	options, _ := ob3Vector(t, ob+"proof-options.json")
	w3cUnsigned, _ := ob3Vector(t, "w3c-vc-di-eddsa/unsigned.json")
	w3cProof, _ := ob3Vector(t, w3c+"proofConfigDataInt.json")
	tests := []struct {
		name  string
		doc   map[string]any
		canon string
	}{
		{"1EdTech credential", unsigned, ob + "document-canon.txt"},
		{"1EdTech proof options", proofConfig(options, unsigned), ob + "proof-canon.txt"},
		{"W3C credential", w3cUnsigned, w3c + "canonDocDataInt.txt"},
		{"W3C proof configuration", w3cProof, w3c + "proofCanonDataInt.txt"},
	}
	p := NewProcessor(nil)
	for _, tt := range tests {
		_, want := ob3Vector(t, tt.canon)
		got, err := p.Canonicalize(tt.doc, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, want)
		}
	}
	bad := withContexts(unsigned, ContextCredentialsV2, ContextOB3)
	bad["undefinedTopLevel"] = "x"
	var uerr *UndefinedTermError
	if _, err := p.Canonicalize(bad, nil); !errors.As(err, &uerr) || uerr.Term != "undefinedTopLevel" {
		t.Errorf("undefined property: %v, want an UndefinedTermError for undefinedTopLevel", err)
	}
}
