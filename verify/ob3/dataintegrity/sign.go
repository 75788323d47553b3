package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Suite contexts Sign adds to a credential whose @context lacks the terms
// of the proof it signs with.
const (
	contextCredentialsV2   = "https://www.w3.org/ns/credentials/v2"
	contextDataIntegrityV1 = "https://w3id.org/security/data-integrity/v1"
	contextDataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
	contextEd25519_2020    = "https://w3id.org/security/suites/ed25519-2020/v1"
)

// SignOptions says what proof Sign makes. Empty fields take defaults.
type SignOptions struct {
	// Type is DataIntegrityProof (the default) or Ed25519Signature2020.
	Type string
	// Cryptosuite is eddsa-rdfc-2022 (the default for DataIntegrityProof)
	// or eddsa-2022; it must be empty for Ed25519Signature2020.
	Cryptosuite string
	// VerificationMethod is the URL of the public key; required.
	VerificationMethod string
	// Created is an xsd:dateTime; the default is the current time in UTC,
	// to the second.
	Created string
	// ProofPurpose defaults to assertionMethod.
	ProofPurpose string
}

// Sign returns a copy of credential with an Ed25519 proof added: "proof"
// becomes the new proof, or an array of the existing proofs followed by
// the new one (a proof set: the new proof does not sign the others). When
// credential's @context lacks the proof's terms (the Data Integrity
// context, or the Ed25519Signature2020 suite context), that context is
// appended to it first, as jsonld-signatures does. The copy is shallow:
// it shares nested values with credential, which is not changed.
func Sign(ctx context.Context, credential map[string]any, opts SignOptions, key ed25519.PrivateKey, c Canonicalizer) (map[string]any, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("dataintegrity: the private key is not an Ed25519 key")
	}
	if opts.Type == "" {
		opts.Type = TypeDataIntegrityProof
	}
	var suiteContext string
	switch opts.Type {
	case TypeDataIntegrityProof:
		if opts.Cryptosuite == "" {
			opts.Cryptosuite = CryptosuiteEdDSARDFC2022
		}
		if opts.Cryptosuite != CryptosuiteEdDSARDFC2022 && opts.Cryptosuite != CryptosuiteEdDSA2022 {
			return nil, fmt.Errorf("dataintegrity: cannot sign with cryptosuite %q", opts.Cryptosuite)
		}
		suiteContext = contextDataIntegrityV2
	case TypeEd25519Signature2020:
		if opts.Cryptosuite != "" {
			return nil, errors.New("dataintegrity: Ed25519Signature2020 takes no cryptosuite")
		}
		suiteContext = contextEd25519_2020
	default:
		return nil, fmt.Errorf("dataintegrity: cannot sign with proof type %q", opts.Type)
	}
	if opts.VerificationMethod == "" {
		return nil, errors.New("dataintegrity: no verification method")
	}
	if opts.ProofPurpose == "" {
		opts.ProofPurpose = PurposeAssertionMethod
	}
	if opts.Created == "" {
		opts.Created = time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	if !validDateTime(opts.Created) {
		return nil, fmt.Errorf("dataintegrity: created %q is not an xsd:dateTime", opts.Created)
	}

	docContext, err := withSuiteContext(credential["@context"], opts.Type, suiteContext)
	if err != nil {
		return nil, err
	}
	proof := map[string]any{
		"type":               opts.Type,
		"created":            opts.Created,
		"verificationMethod": opts.VerificationMethod,
		"proofPurpose":       opts.ProofPurpose,
	}
	if opts.Cryptosuite != "" {
		proof["cryptosuite"] = opts.Cryptosuite
	}
	signed := unsecured(credential, docContext, nil)
	hashData, err := HashData(ctx, signed, proof, c)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = encodeProofValue(ed25519.Sign(key, hashData))

	switch existing := credential["proof"].(type) {
	case nil:
		signed["proof"] = proof
	case []any:
		signed["proof"] = append(slices.Clone(existing), proof)
	default:
		signed["proof"] = []any{existing, proof}
	}
	return signed, nil
}

// withSuiteContext returns the @context with suiteContext appended when
// the proof's terms are not already defined: the VC 2.0 context defines
// DataIntegrityProof's, no credentials context defines
// Ed25519Signature2020's.
func withSuiteContext(docContext any, proofType, suiteContext string) (any, error) {
	var list []any
	switch v := docContext.(type) {
	case nil:
		return nil, errors.New("dataintegrity: the credential has no @context")
	case string:
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, errors.New("dataintegrity: the credential's @context is neither a URL nor an array")
	}
	if slices.Contains(list, any(suiteContext)) ||
		(proofType == TypeDataIntegrityProof && (slices.Contains(list, any(contextCredentialsV2)) || slices.Contains(list, any(contextDataIntegrityV1)))) {
		return docContext, nil
	}
	return append(slices.Clone(list), suiteContext), nil
}
