package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// BenchmarkVerify verifies the 1EdTech OB 3.0 vector with json-gold; the
// sub-benchmarks split its time between canonicalization (document and
// proof configuration) and the rest (Ed25519 and the bookkeeping).
func BenchmarkVerify(b *testing.B) {
	gold := newGold(b)
	ctx := context.Background()
	const dir = "ob3/1edtech-ob-v3p0-test-vector"
	signed := readJSON(b, dir, "signed-credential.json")
	priv := ed25519.PrivateKey(mustHex(b, readJSON(b, dir, "key-pair.json")["privateKeyHex"].(string)))
	r := staticResolver{&keys.Key{Public: priv.Public(), Source: keys.SourceFragment}}
	proof := signed["proof"].(map[string]any)

	b.Run("json-gold", func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify(ctx, signed, gold, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("canonicalize-document", func(b *testing.B) {
		doc := unsecured(signed, signed["@context"], nil)
		for b.Loop() {
			if _, err := gold.Canonicalize(ctx, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("canonicalize-proof", func(b *testing.B) {
		cfg := proofConfig(proof, signed["@context"])
		for b.Loop() {
			if _, err := gold.Canonicalize(ctx, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("without-canonicalization", func(b *testing.B) {
		// A canonicalizer that answers from memory leaves Ed25519
		// verification and the bookkeeping.
		fixed := &memoCanon{next: gold, memo: map[string][]byte{}}
		if _, err := Verify(ctx, signed, fixed, r); err != nil {
			b.Fatal(err)
		}
		fixed.next = nil
		for b.Loop() {
			if _, err := Verify(ctx, signed, fixed, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// memoCanon answers by the document's "type" from what next gave.
type memoCanon struct {
	next Canonicalizer
	memo map[string][]byte
}

func (m *memoCanon) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	key := "document"
	if _, ok := doc["proofPurpose"]; ok {
		key = "proof"
	}
	if out, ok := m.memo[key]; ok {
		return out, nil
	}
	out, err := m.next.Canonicalize(ctx, doc)
	m.memo[key] = out
	return out, err
}
