package dataintegrity

import (
	"context"
	"path/filepath"
	"testing"
)

const setChainDir = "testdata/w3c-proof-set-chain"

// In a proof set every proof signs the credential without the others;
// all of the W3C vector's verify.
func TestW3CProofSet(t *testing.T) {
	gold := newGold(t)
	cred := readJSONFile(t, filepath.Join(setChainDir, "signedProofSet2.json"))
	res, err := Verify(context.Background(), cred, gold, didKeyResolver{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proofs) != 2 || res.Valid.Index != 0 {
		t.Fatalf("result %+v", res)
	}
	for _, pr := range res.Proofs {
		if pr.Err != nil {
			t.Errorf("proof %d: %v", pr.Index, pr.Err)
		}
	}
}

// In a proof chain a proof also signs the proofs it names as
// previousProof.
func TestW3CProofChain(t *testing.T) {
	gold := newGold(t)
	ctx := context.Background()
	cred := readJSONFile(t, filepath.Join(setChainDir, "signedProofChain2.json"))
	res, err := Verify(ctx, cred, gold, didKeyResolver{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proofs) != 4 {
		t.Fatalf("%d proofs", len(res.Proofs))
	}
	for _, pr := range res.Proofs {
		if pr.Err != nil {
			t.Errorf("proof %d: %v", pr.Index, pr.Err)
		}
	}

	// The document the last proof signs is the vector's.
	proofs := cred["proof"].([]any)
	last := proofs[3].(map[string]any)
	previous, err := previousProofs(last, proofs)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, unsecured(cred, cred["@context"], previous), readJSONFile(t, filepath.Join(setChainDir, "proofChainTempDoc2.json")))

	// Changing a previous proof breaks the proofs that chain to it.
	tampered := cloneJSON(t, cred)
	tampered["proof"].([]any)[2].(map[string]any)["created"] = "2023-02-26T22:06:39Z"
	res, err = Verify(ctx, tampered, gold, didKeyResolver{})
	if err != nil || res.Valid.Index != 0 {
		t.Fatalf("error %v, result %+v", err, res)
	}
	for i, want := range []Reason{"", "", SignatureMismatch, SignatureMismatch} {
		if want == "" {
			if res.Proofs[i].Err != nil {
				t.Errorf("proof %d: %v", i, res.Proofs[i].Err)
			}
			continue
		}
		assertReason(t, res.Proofs[i].Err, want)
	}

	// A chain to a proof that is not there is malformed.
	broken := cloneJSON(t, cred)
	broken["proof"] = []any{broken["proof"].([]any)[3]}
	_, err = Verify(ctx, broken, gold, didKeyResolver{})
	assertReason(t, err, MalformedProof)
}
