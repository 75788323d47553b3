package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// The 1EdTech signed credential, its key, and a json-gold canonicalizer.
func ob3Signed(t *testing.T) (map[string]any, *keys.Key, Canonicalizer) {
	t.Helper()
	gold := newGold(t)
	const dir = "ob3/1edtech-ob-v3p0-test-vector"
	var pair struct{ ID, PrivateKeyHex string }
	pairJSON := readJSON(t, dir, "key-pair.json")
	pair.ID, pair.PrivateKeyHex = pairJSON["id"].(string), pairJSON["privateKeyHex"].(string)
	priv := ed25519.PrivateKey(mustHex(t, pair.PrivateKeyHex))
	return readJSON(t, dir, "signed-credential.json"),
		&keys.Key{ID: pair.ID, Public: priv.Public(), Source: keys.SourceFragment},
		gold
}

// Changes to the real vector, canonicalized for real.
func TestOB3VectorTampered(t *testing.T) {
	signed, key, gold := ob3Signed(t)
	ctx := context.Background()

	t.Run("claim changed", func(t *testing.T) {
		cred := cloneJSON(t, signed)
		cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Leadership"
		_, err := Verify(ctx, cred, gold, staticResolver{key})
		assertReason(t, err, SignatureMismatch)
	})
	t.Run("name changed", func(t *testing.T) {
		cred := cloneJSON(t, signed)
		cred["name"] = "Teamwork Badge (forged)"
		_, err := Verify(ctx, cred, gold, staticResolver{key})
		assertReason(t, err, SignatureMismatch)
	})
	t.Run("wrong key", func(t *testing.T) {
		_, err := Verify(ctx, signed, gold, staticResolver{&keys.Key{ID: key.ID, Public: testKey(9).Public()}})
		assertReason(t, err, SignatureMismatch)
	})
	t.Run("proof created changed", func(t *testing.T) {
		cred := cloneJSON(t, signed)
		cred["proof"].(map[string]any)["created"] = "2010-01-01T19:23:25Z"
		_, err := Verify(ctx, cred, gold, staticResolver{key})
		assertReason(t, err, SignatureMismatch)
	})
	// A property no context defines would be left out of the canonical
	// form, and so unsigned: safe-mode expansion refuses it.
	t.Run("undefined term", func(t *testing.T) {
		cred := cloneJSON(t, signed)
		cred["undefinedTopLevel"] = "x"
		res, err := Verify(ctx, cred, gold, staticResolver{key})
		pe := assertReason(t, err, Canonicalization)
		if pe.Err == nil || res.Proofs[0].Key != nil {
			t.Errorf("error %v, key %v", err, res.Proofs[0].Key)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := Verify(cctx, signed, gold, staticResolver{key})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled inside", err)
		}
	})
	// The unchanged credential still verifies after all that (the edits
	// were on copies).
	if _, err := Verify(ctx, signed, gold, staticResolver{key}); err != nil {
		t.Fatal(err)
	}
}
