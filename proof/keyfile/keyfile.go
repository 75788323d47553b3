package keyfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// Type is a kind of signing key.
type Type string

const (
	Ed25519 Type = "ed25519" // Ed25519, signs EdDSA and eddsa-rdfc-2022
	P256    Type = "p256"    // ECDSA on NIST P-256, signs ES256
	RSA     Type = "rsa"     // RSA, signs RS256
)

// Types lists the key types, in the order they are offered.
var Types = []Type{Ed25519, P256, RSA}

// ParseType reads a key type as people write it: "ed25519", "p256"
// (or "p-256", "ec"), "rsa"; any case.
func ParseType(s string) (Type, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ed25519":
		return Ed25519, nil
	case "p256", "p-256", "ec", "ecdsa", "es256":
		return P256, nil
	case "rsa":
		return RSA, nil
	}
	return "", &UnsupportedError{What: fmt.Sprintf("key type %q", s), Hint: "use ed25519, p256 or rsa"}
}

// RSA key sizes: shorter keys are refused, 0 asks for the default.
const (
	MinRSABits     = 2048
	DefaultRSABits = 3072
)

// EnvVar is the environment variable FromEnv reads a PEM key from.
const EnvVar = "BADGEBAKE_KEY"

// maxKeyFile bounds what Load reads: a PEM private key of any supported
// type is a few kilobytes.
const maxKeyFile = 1 << 20

// Key is a private signing key and its type.
type Key struct {
	Type Type
	// Signer is ed25519.PrivateKey, *ecdsa.PrivateKey (P-256) or
	// *rsa.PrivateKey.
	Signer crypto.Signer
}

// String names the key's type and public identity, never its private
// part, so that a Key printed by mistake leaks nothing.
func (k *Key) String() string {
	return fmt.Sprintf("%s key %s", k.Type, k.Thumbprint())
}

// GoString is String, for %#v.
func (k *Key) GoString() string { return k.String() }

// Public is the public key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// Generate makes a new key of type t. rsaBits is the RSA modulus size
// (0: DefaultRSABits; under MinRSABits is refused) and must be 0 for
// other types.
func Generate(t Type, rsaBits int) (*Key, error) {
	if t != RSA && rsaBits != 0 {
		return nil, &UnsupportedError{What: fmt.Sprintf("a bit size for a %s key", t), Hint: "only RSA keys take a size"}
	}
	switch t {
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Key{Type: Ed25519, Signer: priv}, nil
	case P256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Key{Type: P256, Signer: priv}, nil
	case RSA:
		if rsaBits == 0 {
			rsaBits = DefaultRSABits
		}
		if rsaBits < MinRSABits {
			return nil, &UnsupportedError{What: fmt.Sprintf("an RSA key of %d bits", rsaBits), Hint: fmt.Sprintf("RSA keys have %d bits or more", MinRSABits)}
		}
		priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return nil, err
		}
		return &Key{Type: RSA, Signer: priv}, nil
	}
	_, err := ParseType(string(t))
	return nil, err
}

// PEM writes the private key as PKCS#8, a "PRIVATE KEY" PEM block. Keep
// what it returns in a file only its owner can read.
func (k *Key) PEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, fmt.Errorf("keyfile: writing the %s key as PKCS#8: %w", k.Type, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Alg is the JOSE algorithm the key signs with: EdDSA, ES256 or RS256.
func (k *Key) Alg() string {
	switch k.Type {
	case Ed25519:
		return "EdDSA"
	case P256:
		return "ES256"
	case RSA:
		return "RS256"
	}
	return ""
}

// Load reads the key file at path. The file must be private to its
// owner: a mode granting the group or others any permission is refused
// with a *PermissionError before the file is read (not on Windows, whose
// permissions Go cannot see). Other errors are those of Parse, and
// *os.PathError.
func Load(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("not a regular file")}
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, &PermissionError{Path: path, Mode: fi.Mode().Perm()}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, &FormatError{Source: path, Reason: fmt.Sprintf("is larger than %d bytes, far more than a key", maxKeyFile)}
	}
	k, err := Parse(b)
	if err != nil {
		return nil, withSource(err, path)
	}
	return k, nil
}

// FromEnv reads the PEM key in the BADGEBAKE_KEY environment variable.
// ok is false when the variable is unset or empty. A key in the
// environment has no file mode to check: keeping it secret is the CI
// system's business.
func FromEnv() (k *Key, ok bool, err error) {
	v := os.Getenv(EnvVar)
	if strings.TrimSpace(v) == "" {
		return nil, false, nil
	}
	k, err = Parse([]byte(v))
	if err != nil {
		return nil, true, withSource(err, EnvVar)
	}
	return k, true, nil
}

// Parse reads a PEM private key: PKCS#8 "PRIVATE KEY", PKCS#1 "RSA
// PRIVATE KEY" or SEC 1 "EC PRIVATE KEY" (an "EC PARAMETERS" block
// before it is skipped). Errors are *FormatError (not a PEM key),
// *PublicKeyError (a public key or certificate, with no private key)
// and *UnsupportedError (an encrypted key, another curve, a short RSA
// key); none holds any of the key's bytes.
func Parse(pemBytes []byte) (*Key, error) {
	rest := pemBytes
	var public string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "PRIVATE KEY":
			priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, &FormatError{Reason: "holds a PRIVATE KEY block that is not PKCS#8: " + cleanX509(err)}
			}
			return fromPrivate(priv)
		case "RSA PRIVATE KEY":
			priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, &FormatError{Reason: "holds an RSA PRIVATE KEY block that is not PKCS#1: " + cleanX509(err)}
			}
			return fromPrivate(priv)
		case "EC PRIVATE KEY":
			priv, err := x509.ParseECPrivateKey(block.Bytes)
			if err != nil {
				return nil, &FormatError{Reason: "holds an EC PRIVATE KEY block that is not SEC 1: " + cleanX509(err)}
			}
			return fromPrivate(priv)
		case "ENCRYPTED PRIVATE KEY":
			return nil, &UnsupportedError{What: "an encrypted private key", Hint: "decrypt it first, e.g. openssl pkey -in KEY.pem -out plain.pem, and keep plain.pem mode 600"}
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			if public == "" {
				public = block.Type
			}
		}
	}
	if public != "" {
		return nil, &PublicKeyError{Block: public}
	}
	return nil, &FormatError{Reason: "holds no PEM private key (a -----BEGIN PRIVATE KEY----- block)"}
}

// cleanX509 is the text of an x509 parse error, which names the problem
// and never the key's bytes.
func cleanX509(err error) string {
	return strings.TrimPrefix(err.Error(), "x509: ")
}

func fromPrivate(priv any) (*Key, error) {
	switch p := priv.(type) {
	case ed25519.PrivateKey:
		return &Key{Type: Ed25519, Signer: p}, nil
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return nil, &UnsupportedError{What: "an ECDSA key on curve " + p.Curve.Params().Name, Hint: "only P-256 ECDSA keys are used (ES256)"}
		}
		return &Key{Type: P256, Signer: p}, nil
	case *rsa.PrivateKey:
		if bits := p.N.BitLen(); bits < MinRSABits {
			return nil, &UnsupportedError{What: fmt.Sprintf("an RSA key of %d bits", bits), Hint: fmt.Sprintf("RSA keys have %d bits or more", MinRSABits)}
		}
		if err := p.Validate(); err != nil {
			return nil, &FormatError{Reason: "holds an RSA key that is not consistent: " + cleanX509(err)}
		}
		return &Key{Type: RSA, Signer: p}, nil
	}
	return nil, &UnsupportedError{What: fmt.Sprintf("a %s private key", describe(priv)), Hint: "use an ed25519, p256 or rsa key (badgebake keygen makes one)"}
}

func describe(priv any) string {
	s := fmt.Sprintf("%T", priv)
	switch {
	case strings.Contains(s, "ecdh"):
		return "X25519 or ECDH"
	case strings.Contains(s, "dsa"):
		return "DSA"
	}
	return "different kind of"
}
