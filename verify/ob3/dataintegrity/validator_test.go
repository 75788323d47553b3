package dataintegrity

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// fragmentResolver takes the key from a multibase verificationMethod
// fragment without fetching, as the 1EdTech validator does.
type fragmentResolver struct{}

func (fragmentResolver) Resolve(_ context.Context, id string) (*keys.Key, error) {
	controller, fragment, ok := strings.Cut(id, "#")
	if !ok {
		return nil, errors.New("no fragment")
	}
	dk, err := didkey.Parse(didkey.Prefix + fragment)
	if err != nil {
		return nil, err
	}
	return &keys.Key{ID: id, Controller: controller, Public: dk.Public, Source: keys.SourceFragment}, nil
}

// Fixtures of the 1EdTech validator: eddsa-2022, a proof set with an
// unknown proof (whose type no context defines: a Canonicalization
// failure beside the valid proof, as the validator reports it), a real
// Ed25519Signature2020 credential, and a bad signature.
func TestValidatorFixtures(t *testing.T) {
	gold := newGold(t)
	tests := []struct {
		file      string
		valid     int // index of the valid proof, -1 for none
		typ       string
		suite     string
		reasons   []Reason
		wantError Reason
	}{
		{file: "simple-eddsa-2022.json", valid: 0, typ: TypeDataIntegrityProof, suite: CryptosuiteEdDSA2022},
		{file: "simple-multiple-proofs.json", valid: 1, typ: TypeDataIntegrityProof, suite: CryptosuiteEdDSARDFC2022, reasons: []Reason{Canonicalization, ""}},
		{file: "credential-status-revoked.json", valid: 0, typ: TypeEd25519Signature2020},
		{file: "simple-err-proof-value.json", valid: -1, reasons: []Reason{SignatureMismatch}, wantError: SignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cred := readJSONFile(t, filepath.Join("testdata", "1edtech-validator", tt.file))
			res, err := Verify(context.Background(), cred, gold, fragmentResolver{})
			if tt.valid < 0 {
				assertReason(t, err, tt.wantError)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if res.Valid.Index != tt.valid || res.Valid.Type != tt.typ || res.Valid.Cryptosuite != tt.suite {
					t.Errorf("valid proof %+v", res.Valid)
				}
				if !strings.HasSuffix(res.Valid.VerificationMethod, "#"+"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi") {
					t.Errorf("verification method %q", res.Valid.VerificationMethod)
				}
			}
			for i, want := range tt.reasons {
				var pe *ProofError
				errors.As(res.Proofs[i].Err, &pe)
				if (want == "") != (pe == nil) || (pe != nil && pe.Reason != want) {
					t.Errorf("proof %d: %v, want %q", i, res.Proofs[i].Err, want)
				}
			}

			// Any change to the credential breaks a good signature.
			if tt.valid >= 0 {
				tampered := cloneJSON(t, cred)
				tampered["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Forged"
				_, err := Verify(context.Background(), tampered, gold, fragmentResolver{})
				assertReason(t, err, SignatureMismatch)
			}
		})
	}
}
