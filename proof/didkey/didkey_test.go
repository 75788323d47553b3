package didkey

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

// Generated keys of both types go to a did:key and back, with and
// without the fragment.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		typ    KeyType
		prefix string
		gen    func() (crypto.PublicKey, error)
	}{
		{Ed25519, "did:key:z6Mk", func() (crypto.PublicKey, error) {
			pub, _, err := ed25519.GenerateKey(rand.Reader)
			return pub, err
		}},
		{P256, "did:key:zDn", func() (crypto.PublicKey, error) {
			priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return nil, err
			}
			return &priv.PublicKey, nil
		}},
	} {
		for range 20 {
			pub, err := c.gen()
			if err != nil {
				t.Fatal(err)
			}
			did, err := FromPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(did, c.prefix) {
				t.Errorf("%s did:key %s does not start with %s", c.typ, did, c.prefix)
			}
			mb := strings.TrimPrefix(did, Prefix)
			for _, in := range []string{did, did + "#" + mb} {
				k, err := Parse(in)
				if err != nil {
					t.Fatal(err)
				}
				eq := pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public)
				if k.Type != c.typ || !eq || k.DID != did || k.Multibase != mb || k.VerificationMethodID != did+"#"+mb {
					t.Errorf("Parse(%s) = %+v", in, k)
				}
				if in == did && k.Fragment != "" || in != did && k.Fragment != mb {
					t.Errorf("Parse(%s).Fragment = %q", in, k.Fragment)
				}
			}
		}
	}
}

// Published did:key values: P-256 keys from the did:key specification and
// the key of the W3C eddsa Data Integrity vectors.
func TestKnownKeys(t *testing.T) {
	for _, c := range []struct {
		did string
		typ KeyType
	}{
		{"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", Ed25519},
		{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", P256},
		{"did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv", P256},
	} {
		k, err := Parse(c.did)
		if err != nil {
			t.Errorf("Parse(%s): %v", c.did, err)
			continue
		}
		if k.Type != c.typ {
			t.Errorf("Parse(%s).Type = %s, want %s", c.did, k.Type, c.typ)
		}
		back, err := FromPublicKey(k.Public)
		if err != nil || back != c.did {
			t.Errorf("FromPublicKey(Parse(%s)) = %s, %v", c.did, back, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const ed = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	// z + base58(varint codec ‖ key) for keys made up here.
	mk := func(codec uint64, key []byte) string {
		return "did:key:z" + encodeBase58(append(putUvarint(nil, codec), key...))
	}
	// x = 2²⁵⁶-1 is not below the field's prime.
	// x = 1: x³ - 3x + b has no square root mod p.
	xOne := make([]byte, 33)
	xOne[0], xOne[32] = 2, 1
	offCurve := append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)
	for _, c := range []struct {
		in     string
		reason Reason
		codec  uint64
		says   string
	}{
		{"", NotDIDKey, 0, `does not start with "did:key:"`},
		{"did:web:example.com", NotDIDKey, 0, `does not start with "did:key:"`},
		{"DID:KEY:" + ed, NotDIDKey, 0, `does not start with "did:key:"`},
		{"https://example.edu/issuers/565049#" + ed, NotDIDKey, 0, `does not start`},
		{"did:key:", NotBase58btc, 0, "nothing after"},
		{"did:key:#" + ed, NotBase58btc, 0, "nothing after"},
		{"did:key:u7QE", NotBase58btc, 0, `starts with "u"`},
		{"did:key:1.0:" + ed, NotBase58btc, 0, `starts with "1"`},
		{"did:key:z6Mk0rJV", NotBase58btc, 0, `character '0' at position 4`},
		{"did:key:z6MkIrJV", NotBase58btc, 0, `character 'I' at position 4`},
		{"did:key:" + ed + "/path", NotBase58btc, 0, `character '/'`},
		{"did:key:" + ed + "?service=x", NotBase58btc, 0, `character '?'`},
		{"did:key:" + ed + "#", BadFragment, 0, "fragment after \"#\" is empty"},
		{"did:key:" + ed + "#key-1", BadFragment, 0, "fragment #key-1 is not the key"},
		{"did:key:" + ed + "#" + ed + "#" + ed, BadFragment, 0, "is not the key"},
		{"did:key:z", BadVarint, 0, "cut short"},
		{"did:key:z" + encodeBase58([]byte{0xed}), BadVarint, 0, "cut short"},
		{"did:key:z" + encodeBase58([]byte{0xed, 0x81, 0x00}), BadVarint, 0, "not minimally encoded"},
		{"did:key:z" + encodeBase58([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), BadVarint, 0, "longer than 9 bytes"},
		{"did:key:z" + strings.Repeat("2", maxMultibase), WrongKeyLength, 0, "longer than any supported key"},
		{mk(0xe7, make([]byte, 33)), UnknownCodec, 0xe7, "multicodec 0xe7"},
		{mk(0xec, make([]byte, 32)), UnknownCodec, 0xec, "multicodec 0xec"},
		{mk(0x1201, make([]byte, 49)), UnknownCodec, 0x1201, "only Ed25519 (0xed) and P-256 (0x1200)"},
		{"did:key:z11", UnknownCodec, 0, "multicodec 0x0"},
		{mk(0xed, make([]byte, 31)), WrongKeyLength, 0xed, "32 bytes, this one 31"},
		{mk(0xed, make([]byte, 33)), WrongKeyLength, 0xed, "32 bytes, this one 33"},
		{mk(0x1200, make([]byte, 65)), WrongKeyLength, 0x1200, "this one has 65 bytes"},
		{mk(0x1200, nil), WrongKeyLength, 0x1200, "this one has 0 bytes"},
		{mk(0x1200, append([]byte{4}, make([]byte, 32)...)), BadPoint, 0x1200, "starts with byte 0x04; a compressed point starts with 0x02 or 0x03"},
		{mk(0x1200, offCurve), BadPoint, 0x1200, "not a compressed point"},
		{mk(0x1200, xOne), BadPoint, 0x1200, "not a compressed point"},
	} {
		k, err := Parse(c.in)
		var e *Error
		if k != nil || !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, %v; want an *Error", c.in, k, err)
			continue
		}
		if e.Reason != c.reason || e.Codec != c.codec || e.Input != c.in || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Parse(%q): %s (reason %q, codec %#x), want reason %q, codec %#x, saying %q", c.in, err, e.Reason, e.Codec, c.reason, c.codec, c.says)
		}
	}
}

func TestFromPublicKeyErrors(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	off := p256.PublicKey
	off.Y = off.X
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		key    any
		reason Reason
	}{
		{"P-384", &p384.PublicKey, UnsupportedKey},
		{"nil ECDSA", (*ecdsa.PublicKey)(nil), UnsupportedKey},
		{"off the curve", &off, BadPoint},
		{"short Ed25519", ed25519.PublicKey(make([]byte, 31)), WrongKeyLength},
		{"Ed25519 private key", edPriv, UnsupportedKey},
		{"ECDSA by value", p256.PublicKey, UnsupportedKey},
		{"nil", nil, UnsupportedKey},
	} {
		s, err := FromPublicKey(c.key)
		var e *Error
		if s != "" || !errors.As(err, &e) || e.Reason != c.reason {
			t.Errorf("%s: FromPublicKey = %q, %v; want reason %q", c.name, s, err, c.reason)
		}
	}
}
