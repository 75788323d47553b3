package dataintegrity

import (
	"errors"

	"github.com/badgebake/badgebake/proof/didkey"
)

// maxProofValue bounds the proofValue read: a 64-byte signature takes at
// most 88 base58 digits plus the "z", and decoding is quadratic.
const maxProofValue = 100

// decodeProofValue reads a multibase base58btc value ("z…") holding an
// Ed25519 signature.
func decodeProofValue(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("proofValue is empty")
	}
	if s[0] != 'z' {
		return nil, errors.New("proofValue is not multibase base58btc (it does not start with \"z\")")
	}
	if len(s) > maxProofValue {
		return nil, errors.New("proofValue is too long for an Ed25519 signature")
	}
	b, ok := decodeBase58(s[1:])
	if !ok {
		return nil, errors.New("proofValue has a character that is not a base58btc digit")
	}
	if len(b) != 64 {
		return nil, errors.New("proofValue does not hold a 64-byte Ed25519 signature")
	}
	return b, nil
}

// decodeBase58 reads base58btc digits; ok is false for anything else.
func decodeBase58(s string) ([]byte, bool) {
	b, err := didkey.DecodeBase58(s)
	return b, err == nil
}

// encodeProofValue writes b as multibase base58btc.
func encodeProofValue(b []byte) string { return "z" + didkey.EncodeBase58(b) }
