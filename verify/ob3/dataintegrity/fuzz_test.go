package dataintegrity

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzVerify puts arbitrary JSON in place of the proof of a signed
// credential. Verify must not panic, and its result must agree with its
// error.
func FuzzVerify(f *testing.F) {
	signed := signedSmall(f)
	good, err := json.Marshal(signed["proof"])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`[` + string(good) + `,{"type":"SomeProofType"}]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`"z"`))
	f.Add([]byte(`{"type":"Ed25519Signature2020","proofPurpose":"assertionMethod","verificationMethod":"x","proofValue":"z11","created":"2024-02-30T00:00:00Z"}`))
	f.Add([]byte(`{"type":"DataIntegrityProof","cryptosuite":"eddsa-2022","proofPurpose":"assertionMethod","verificationMethod":"x","proofValue":"z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr","@context":[]}`))
	f.Add([]byte(`{"type":["DataIntegrityProof"],"cryptosuite":1,"proofPurpose":{},"created":-1}`))
	resolver := staticResolver{testPublic(testKey(1))}
	f.Fuzz(func(t *testing.T, proofJSON []byte) {
		var proof any
		if json.Unmarshal(proofJSON, &proof) != nil {
			return
		}
		cred := smallCredential()
		cred["proof"] = proof
		res, err := Verify(context.Background(), cred, &jsonCanon{}, resolver)
		if res == nil {
			t.Fatal("nil result")
		}
		if err == nil {
			if res.Valid == nil || res.Valid.Err != nil {
				t.Fatalf("no error but no valid proof: %+v", res)
			}
			return
		}
		if res.Valid != nil {
			t.Fatalf("error %v with a valid proof", err)
		}
		var pe *ProofError
		switch {
		case errors.Is(err, ErrNoProof):
			if len(res.Proofs) != 0 {
				t.Fatalf("ErrNoProof with %d proofs", len(res.Proofs))
			}
		case errors.As(err, &pe):
			if pe.Index < 0 || pe.Index >= len(res.Proofs) || res.Proofs[pe.Index].Err != err {
				t.Fatalf("error %v does not match the result", err)
			}
			_ = err.Error()
		default:
			t.Fatalf("error %v (%T) is neither ErrNoProof nor *ProofError", err, err)
		}
	})
}
