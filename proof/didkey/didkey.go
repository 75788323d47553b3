// Package didkey resolves did:key identifiers (the W3C CCG did:key method)
// without a network: the key is written in the identifier itself. An Open
// Badges 3.0 credential signed with a Data Integrity proof or as a VC-JWT
// names its key by a verification method such as
//
//	did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2
//
// and [Parse] turns that into the public key to check the signature with.
//
// The part after "did:key:" is a multibase value: "z" (base58btc) followed
// by a multicodec varint naming the key type and then the key. Two key
// types are read: Ed25519 (codec 0xed, 32 bytes, "z6Mk…") and P-256
// (codec 0x1200, a 33-byte compressed point, "zDn…"). A fragment, when
// there is one, must repeat the multibase value: that is the one
// verification method a did:key document has.
//
// [Document] gives that document, [FromPublicKey] goes the other way.
// Failures are *[Error], whose Reason says what kind of input it was.
//
// An Ed25519 key is accepted as any 32 bytes: whether they encode a point
// of the curve is found out when a signature is checked with it. A P-256
// key must be a point of the curve.
package didkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"strings"
)

// Prefix starts every did:key.
const Prefix = "did:key:"

// KeyType names a key type did:key can carry.
type KeyType string

const (
	Ed25519 KeyType = "Ed25519" // multicodec ed25519-pub, 0xed
	P256    KeyType = "P-256"   // multicodec p256-pub, 0x1200, compressed point
)

// Multicodec codes of the supported public keys.
const (
	codecEd25519 = 0xed
	codecP256    = 0x1200
)

// maxMultibase bounds the multibase value read: the keys read here take
// under 50 characters, and base58 decoding is quadratic in the length.
const maxMultibase = 128

// Key is a did:key read by Parse.
type Key struct {
	// DID is the identifier without a fragment: "did:key:z…".
	DID string
	// Fragment is the fragment as given ("" when there was none); when
	// there is one it equals Multibase.
	Fragment string
	// VerificationMethodID is the id of the key's verification method,
	// "did:key:z…#z…", whether or not the input had the fragment.
	VerificationMethodID string
	// Type is the key type.
	Type KeyType
	// Public is the key: ed25519.PublicKey or *ecdsa.PublicKey (P-256).
	Public crypto.PublicKey
	// Multibase is the multibase value, "z…", as in publicKeyMultibase.
	Multibase string
}

// Reason is the kind of input an *Error refuses.
type Reason string

const (
	// NotDIDKey: the text does not start with "did:key:".
	NotDIDKey Reason = "not did:key"
	// NotBase58btc: the multibase value is not "z" and base58btc digits.
	NotBase58btc Reason = "not base58btc"
	// BadFragment: the fragment is not the multibase value.
	BadFragment Reason = "bad fragment"
	// BadVarint: the multicodec code is not a well-formed varint.
	BadVarint Reason = "bad varint"
	// UnknownCodec: the multicodec code names no supported key type.
	UnknownCodec Reason = "unknown codec"
	// WrongKeyLength: the key has the wrong number of bytes for its type.
	WrongKeyLength Reason = "wrong key length"
	// BadPoint: the P-256 key is not a point of the curve.
	BadPoint Reason = "bad point"
	// UnsupportedKey: FromPublicKey was given a key did:key cannot carry
	// here.
	UnsupportedKey Reason = "unsupported key"
)

// Error is why a did:key, or a key, was refused.
type Error struct {
	// Input is the text given to Parse or Document ("" from
	// FromPublicKey).
	Input string
	// Reason is the kind of failure.
	Reason Reason
	// Codec is the multicodec code read, for UnknownCodec,
	// WrongKeyLength and BadPoint.
	Codec uint64
	// Detail says what is wrong, in words.
	Detail string
}

func (e *Error) Error() string {
	if e.Input == "" {
		return e.Detail
	}
	in := e.Input
	if len(in) > 80 {
		in = in[:77] + "..."
	}
	return fmt.Sprintf("%q is not a usable did:key: %s", in, e.Detail)
}

// Parse reads did, "did:key:z…" with an optional "#z…" fragment that
// repeats the multibase value. Errors are *Error.
func Parse(did string) (*Key, error) {
	fail := func(r Reason, codec uint64, format string, args ...any) (*Key, error) {
		return nil, &Error{Input: did, Reason: r, Codec: codec, Detail: fmt.Sprintf(format, args...)}
	}
	mb, ok := strings.CutPrefix(did, Prefix)
	if !ok {
		return fail(NotDIDKey, 0, "it does not start with %q", Prefix)
	}
	mb, frag, hasFrag := strings.Cut(mb, "#")
	if mb == "" {
		return fail(NotBase58btc, 0, "there is nothing after %q", Prefix)
	}
	if mb[0] != 'z' {
		return fail(NotBase58btc, 0, "the key starts with %q, not with \"z\" (multibase base58btc)", mb[:1])
	}
	if hasFrag && frag != mb {
		if frag == "" {
			return fail(BadFragment, 0, "the fragment after \"#\" is empty; it should repeat the key %s", mb)
		}
		return fail(BadFragment, 0, "the fragment #%s is not the key %s; a did:key has just the one verification method", frag, mb)
	}
	if len(mb) > maxMultibase {
		return fail(WrongKeyLength, 0, "the key takes %d characters, longer than any supported key (at most %d)", len(mb), maxMultibase)
	}
	raw, bad, ok := decodeBase58(mb[1:])
	if !ok {
		return fail(NotBase58btc, 0, "character %q at position %d of the key is not a base58btc digit", mb[1+bad], 1+bad)
	}
	codec, n, err := readUvarint(raw)
	if err != "" {
		return fail(BadVarint, 0, "the key type (multicodec varint) %s", err)
	}
	key := raw[n:]
	k := &Key{
		DID:                  Prefix + mb,
		VerificationMethodID: Prefix + mb + "#" + mb,
		Multibase:            mb,
	}
	if hasFrag {
		k.Fragment = frag
	}
	switch codec {
	case codecEd25519:
		if len(key) != ed25519.PublicKeySize {
			return fail(WrongKeyLength, codec, "an Ed25519 key (multicodec 0xed) has %d bytes, this one %d", ed25519.PublicKeySize, len(key))
		}
		k.Type = Ed25519
		k.Public = ed25519.PublicKey(key)
	case codecP256:
		if len(key) != 33 {
			return fail(WrongKeyLength, codec, "a P-256 key (multicodec 0x1200) is a 33-byte compressed point, this one has %d bytes", len(key))
		}
		if key[0] != 2 && key[0] != 3 {
			return fail(BadPoint, codec, "the P-256 key (multicodec 0x1200) starts with byte 0x%02x; a compressed point starts with 0x02 or 0x03", key[0])
		}
		x, y := elliptic.UnmarshalCompressed(elliptic.P256(), key)
		if x == nil {
			return fail(BadPoint, codec, "the P-256 key (multicodec 0x1200) is not a compressed point of the curve")
		}
		k.Type = P256
		k.Public = &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	default:
		return fail(UnknownCodec, codec, "the key type is multicodec 0x%x; only Ed25519 (0xed) and P-256 (0x1200) are supported", codec)
	}
	return k, nil
}

// readUvarint reads a multiformats unsigned varint: little-endian groups
// of 7 bits, the high bit set on all but the last byte, at most 9 bytes,
// and no needless trailing zero group. It returns the value and the bytes
// read, or what is wrong.
func readUvarint(b []byte) (uint64, int, string) {
	var v uint64
	for i := 0; i < len(b) && i < 9; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			if b[i] == 0 && i > 0 {
				return 0, 0, "is not minimally encoded"
			}
			return v, i + 1, ""
		}
	}
	if len(b) >= 9 {
		return 0, 0, "is longer than 9 bytes"
	}
	return 0, 0, "is cut short"
}

// putUvarint appends v as a multiformats unsigned varint.
func putUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// FromPublicKey writes the did:key (without a fragment) of pub, an
// ed25519.PublicKey or a P-256 *ecdsa.PublicKey. Errors are *Error with
// Reason UnsupportedKey or WrongKeyLength.
func FromPublicKey(pub crypto.PublicKey) (string, error) {
	var raw []byte
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", &Error{Reason: WrongKeyLength, Codec: codecEd25519, Detail: fmt.Sprintf("an Ed25519 public key has %d bytes, this one %d", ed25519.PublicKeySize, len(k))}
		}
		raw = append(putUvarint(nil, codecEd25519), k...)
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil || k.Curve.Params().Name != elliptic.P256().Params().Name {
			return "", &Error{Reason: UnsupportedKey, Detail: "only P-256 ECDSA keys can be written as a did:key here"}
		}
		if k.X == nil || k.Y == nil || !k.Curve.IsOnCurve(k.X, k.Y) {
			return "", &Error{Reason: BadPoint, Codec: codecP256, Detail: "the P-256 key is not a point of the curve"}
		}
		raw = append(putUvarint(nil, codecP256), elliptic.MarshalCompressed(k.Curve, k.X, k.Y)...)
	default:
		return "", &Error{Reason: UnsupportedKey, Detail: fmt.Sprintf("a %T cannot be written as a did:key here: only Ed25519 and P-256 keys", pub)}
	}
	return Prefix + "z" + encodeBase58(raw), nil
}
