package dataintegrity

import (
	"errors"
	"math/big"
	"strings"
)

// The base58btc alphabet: digits and letters without 0, O, I and l.
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// maxProofValue bounds the proofValue read: a 64-byte signature takes at
// most 88 base58 digits plus the "z", and decoding is quadratic.
const maxProofValue = 100

var big58 = big.NewInt(58)

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

// decodeBase58 reads s as a big-endian base-58 number, each leading '1'
// standing for a leading zero byte.
func decodeBase58(s string) ([]byte, bool) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	n := new(big.Int)
	for i := zeros; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return nil, false
		}
		n.Mul(n, big58)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), true
}

// encodeProofValue writes b as multibase base58btc.
func encodeProofValue(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	n := new(big.Int).SetBytes(b[zeros:])
	var digits []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big58, mod)
		digits = append(digits, base58Alphabet[mod.Int64()])
	}
	out := make([]byte, 0, 1+zeros+len(digits))
	out = append(out, 'z')
	for range zeros {
		out = append(out, '1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, digits[i])
	}
	return string(out)
}
