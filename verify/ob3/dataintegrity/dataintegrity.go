package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// Proof types, cryptosuites and the proof purpose this package knows.
const (
	TypeDataIntegrityProof   = "DataIntegrityProof"
	TypeEd25519Signature2020 = "Ed25519Signature2020"
	// CryptosuiteEdDSARDFC2022 is the cryptosuite the Open Badges 3.0
	// certification requires.
	CryptosuiteEdDSARDFC2022 = "eddsa-rdfc-2022"
	// CryptosuiteEdDSA2022 is eddsa-rdfc-2022's name in drafts before the
	// W3C Recommendation; some issuers still sign with it, and the
	// algorithm is the same.
	CryptosuiteEdDSA2022 = "eddsa-2022"
	// PurposeAssertionMethod is the purpose of an issuer's proof on a
	// credential.
	PurposeAssertionMethod = "assertionMethod"
)

// maxProofs bounds the proofs checked: each costs a canonicalization and a
// key resolution, which may fetch; real credentials carry one or two.
const maxProofs = 8

// Canonicalizer turns a JSON-LD document into its canonical N-Quads
// (RDFC-1.0), expanding the JSON-LD in safe mode so that a property no
// context defines is an error rather than silently left unsigned.
type Canonicalizer interface {
	Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error)
}

// KeyResolver finds the public key a proof's verificationMethod names.
// Its errors are passed on wrapped in a *ProofError of Reason Key, so the
// caller can still find them with errors.As.
type KeyResolver interface {
	Resolve(ctx context.Context, id string) (*keys.Key, error)
}

// Result is what Verify found out about each proof.
type Result struct {
	// Proofs has one entry per proof, in the credential's order.
	Proofs []ProofResult
	// Valid is the first proof that verified (it points into Proofs), or
	// nil when none did.
	Valid *ProofResult
}

// ProofResult is one proof's outcome. The string fields are the proof's
// own, "" when absent or not strings.
type ProofResult struct {
	Index              int
	Type               string
	Cryptosuite        string
	VerificationMethod string
	ProofPurpose       string
	Created            string
	// Key is the resolved key, when resolution got that far. Whether it
	// is the issuer's (Key.Controller against the credential's issuer,
	// Key.Authenticated) is for the caller to judge.
	Key *keys.Key
	// Err is nil when the proof verified, else a *ProofError.
	Err error
}

// Verify checks the embedded proofs of credential, a JSON object as
// decoded by encoding/json. It returns a nil error when at least one
// proof verified (Result.Valid). Otherwise the error is ErrNoProof when
// there is no proof, or else the *ProofError of the most telling failure
// (a signature that does not match before an unsupported proof type); the
// Result then lists every proof's failure. Verify does not change
// credential.
func Verify(ctx context.Context, credential map[string]any, c Canonicalizer, r KeyResolver) (*Result, error) {
	proofs := proofList(credential)
	res := &Result{}
	if len(proofs) == 0 {
		return res, ErrNoProof
	}
	v := &verifier{ctx: ctx, credential: credential, proofs: proofs, c: c, r: r}
	res.Proofs = make([]ProofResult, len(proofs))
	for i, p := range proofs {
		if i >= maxProofs {
			res.Proofs[i] = ProofResult{Index: i, Err: &ProofError{Index: i, Reason: MalformedProof,
				Detail: fmt.Sprintf("not checked: the credential has more than %d proofs", maxProofs)}}
			continue
		}
		res.Proofs[i] = v.check(i, p)
	}
	var worst *ProofError
	for i := range res.Proofs {
		pr := &res.Proofs[i]
		if pr.Err == nil {
			res.Valid = pr
			return res, nil
		}
		var pe *ProofError
		if errors.As(pr.Err, &pe) && (worst == nil || pe.Reason.rank() > worst.Reason.rank()) {
			worst = pe
		}
	}
	return res, worst
}

// proofList returns the credential's proofs: "proof" may be one object or
// an array. A proof that is neither is returned as is, to be reported as
// malformed.
func proofList(credential map[string]any) []any {
	switch p := credential["proof"].(type) {
	case nil:
		return nil
	case []any:
		return p
	default:
		return []any{p}
	}
}

// verifier checks the proofs of one credential, canonicalizing the
// document once for all of them.
type verifier struct {
	ctx        context.Context
	credential map[string]any
	proofs     []any
	c          Canonicalizer
	r          KeyResolver

	docHash    []byte // SHA-256 of the canonical unsecured document, once computed
	docHashErr error
}

func (v *verifier) check(i int, p any) ProofResult {
	pr := ProofResult{Index: i}
	fail := func(reason Reason, err error, format string, args ...any) ProofResult {
		pr.Err = &ProofError{Index: i, Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
		return pr
	}
	proof, ok := p.(map[string]any)
	if !ok {
		return fail(MalformedProof, nil, "the proof is not a JSON object")
	}
	pr.Type, _ = proof["type"].(string)
	pr.Cryptosuite, _ = proof["cryptosuite"].(string)
	pr.VerificationMethod, _ = proof["verificationMethod"].(string)
	pr.ProofPurpose, _ = proof["proofPurpose"].(string)
	pr.Created, _ = proof["created"].(string)

	if reason, detail := checkSuite(proof); reason != "" {
		if reason == UnsupportedType {
			// A proof badgebake cannot check is still part of the
			// credential: safe mode refuses it when no context defines
			// its terms, as it would anywhere else in the document.
			if docContext, err := documentContext(v.credential, proof); err == nil {
				if _, err := canonicalHash(v.ctx, v.c, proofConfig(proof, docContext)); err != nil {
					return fail(Canonicalization, err, "the proof of type %s cannot be read", describe(proof["type"]))
				}
			}
		}
		return fail(reason, nil, "%s", detail)
	}
	pv, ok := proof["proofValue"].(string)
	if !ok {
		return fail(MalformedProof, nil, "the proof has no proofValue string")
	}
	sig, err := decodeProofValue(pv)
	if err != nil {
		return fail(MalformedProof, nil, "%v", err)
	}
	if created, present := proof["created"]; present {
		if s, ok := created.(string); !ok || !validDateTime(s) {
			return fail(MalformedProof, nil, "created is not an xsd:dateTime: %s", describe(created))
		}
	}
	switch purpose, ok := proof["proofPurpose"].(string); {
	case !ok:
		return fail(MalformedProof, nil, "the proof has no proofPurpose string")
	case purpose != PurposeAssertionMethod:
		return fail(WrongPurpose, nil, "proofPurpose is %q, not %q", purpose, PurposeAssertionMethod)
	}
	if pr.VerificationMethod == "" {
		return fail(MalformedProof, nil, "the proof has no verificationMethod string")
	}
	if !absoluteURI(pr.VerificationMethod) {
		// Said before canonicalization, which would refuse the relative
		// IRI in terms of JSON-LD rather than of keys.
		return fail(Key, &keys.KeyError{ID: truncate(pr.VerificationMethod), Reason: "the verificationMethod is not a URL or DID"}, "cannot get the key %q", truncate(pr.VerificationMethod))
	}
	docContext, err := documentContext(v.credential, proof)
	if err != nil {
		return fail(MalformedProof, nil, "%v", err)
	}

	previous, err := previousProofs(proof, v.proofs)
	if err != nil {
		return fail(MalformedProof, nil, "%v", err)
	}

	// Canonicalize before resolving the key: a credential that does not
	// canonicalize fails anyway, and then no key is fetched for it.
	var docHash []byte
	if previous == nil && sameContext(docContext, v.credential["@context"]) {
		if v.docHash == nil && v.docHashErr == nil {
			v.docHash, v.docHashErr = canonicalHash(v.ctx, v.c, unsecured(v.credential, docContext, nil))
		}
		docHash, err = v.docHash, v.docHashErr
	} else {
		docHash, err = canonicalHash(v.ctx, v.c, unsecured(v.credential, docContext, previous))
	}
	if err != nil {
		return fail(Canonicalization, err, "cannot canonicalize the credential")
	}
	proofHash, err := canonicalHash(v.ctx, v.c, proofConfig(proof, docContext))
	if err != nil {
		return fail(Canonicalization, err, "cannot canonicalize the proof configuration")
	}

	vm := truncate(pr.VerificationMethod)
	key, err := v.r.Resolve(v.ctx, pr.VerificationMethod)
	if err != nil {
		return fail(Key, err, "cannot get the key %q", vm)
	}
	if key == nil {
		return fail(Key, nil, "no key found for %q", vm)
	}
	pr.Key = key
	pub, ok := key.Public.(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return fail(KeyType, nil, "the key %q is %s, not an Ed25519 public key", vm, describeKey(key.Public))
	}
	// Only a controller document the resolver read can say what a key
	// is for; a key taken from a URL fragment or a JWT header has no
	// such document, and its Authenticated is false.
	if key.Authenticated && !key.AssertionMethod {
		return fail(KeyNotForPurpose, nil, "the controller document of %q does not list it under assertionMethod", vm)
	}
	if !ed25519.Verify(pub, append(proofHash, docHash...), sig) {
		return fail(SignatureMismatch, nil, "signature does not match: the credential was changed after signing, or signed with another key")
	}
	return pr
}

// checkSuite returns why the proof's type and cryptosuite are not
// supported, or "".
func checkSuite(proof map[string]any) (Reason, string) {
	typ, ok := proof["type"].(string)
	switch {
	case !ok && proof["type"] == nil:
		return UnsupportedType, "the proof has no type"
	case !ok:
		return UnsupportedType, "the proof type is not a string: " + describe(proof["type"])
	case typ == TypeEd25519Signature2020:
		return "", ""
	case typ != TypeDataIntegrityProof:
		return UnsupportedType, fmt.Sprintf("proof type %q is not supported", typ)
	}
	switch cs, ok := proof["cryptosuite"].(string); {
	case !ok:
		return UnsupportedCryptosuite, "the DataIntegrityProof has no cryptosuite string"
	case cs != CryptosuiteEdDSARDFC2022 && cs != CryptosuiteEdDSA2022:
		return UnsupportedCryptosuite, fmt.Sprintf("cryptosuite %q is not supported", cs)
	}
	return "", ""
}

// HashData returns the 64 bytes an Ed25519 proof signs:
// SHA-256(canonical proof configuration) ‖ SHA-256(canonical document).
// credential may carry proofs, which are not signed unless proof names
// them in previousProof (a proof chain), and proof may carry a proofValue,
// which is not signed either. Errors are *ProofError with
// Reason MalformedProof or Canonicalization.
func HashData(ctx context.Context, credential, proof map[string]any, c Canonicalizer) ([]byte, error) {
	docContext, err := documentContext(credential, proof)
	if err != nil {
		return nil, &ProofError{Reason: MalformedProof, Detail: err.Error()}
	}
	previous, err := previousProofs(proof, proofList(credential))
	if err != nil {
		return nil, &ProofError{Reason: MalformedProof, Detail: err.Error()}
	}
	docHash, err := canonicalHash(ctx, c, unsecured(credential, docContext, previous))
	if err != nil {
		return nil, &ProofError{Reason: Canonicalization, Detail: "cannot canonicalize the credential", Err: err}
	}
	proofHash, err := canonicalHash(ctx, c, proofConfig(proof, docContext))
	if err != nil {
		return nil, &ProofError{Reason: Canonicalization, Detail: "cannot canonicalize the proof configuration", Err: err}
	}
	return append(proofHash, docHash...), nil
}

// documentContext returns the @context both the document and the proof
// configuration are canonicalized with: the credential's, or, when the
// proof has its own @context, that one, which must then be the start of
// the credential's (VC Data Integrity, Verify Proof).
func documentContext(credential, proof map[string]any) (any, error) {
	docCtx, ok := credential["@context"]
	if !ok || docCtx == nil {
		return nil, errors.New("the credential has no @context")
	}
	proofCtx, ok := proof["@context"]
	if !ok {
		return docCtx, nil
	}
	docList, proofList := contextList(docCtx), contextList(proofCtx)
	if len(proofList) == 0 || len(proofList) > len(docList) {
		return nil, errors.New("the proof's @context is not the start of the credential's")
	}
	for i := range proofList {
		if !reflect.DeepEqual(proofList[i], docList[i]) {
			return nil, errors.New("the proof's @context is not the start of the credential's")
		}
	}
	return proofCtx, nil
}

func contextList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// sameContext reports whether a and b are the same @context value.
func sameContext(a, b any) bool {
	return reflect.DeepEqual(contextList(a), contextList(b))
}

// unsecured is the credential without its proofs and with the given
// @context: a shallow copy. A proof in a chain signs the proofs it names
// as previousProof: they are left, as an array.
func unsecured(credential map[string]any, context any, previous []any) map[string]any {
	doc := make(map[string]any, len(credential))
	for k, v := range credential {
		if k != "proof" {
			doc[k] = v
		}
	}
	doc["@context"] = context
	if previous != nil {
		doc["proof"] = previous
	}
	return doc
}

// previousProofs returns the proofs, among all, that proof names in its
// previousProof (one id or an array of them), in that order; nil when it
// names none.
func previousProofs(proof map[string]any, all []any) ([]any, error) {
	var ids []any
	switch p := proof["previousProof"].(type) {
	case nil:
		if _, present := proof["previousProof"]; present {
			return nil, errors.New("previousProof is null")
		}
		return nil, nil
	case string:
		ids = []any{p}
	case []any:
		if len(p) == 0 {
			return nil, errors.New("previousProof is empty")
		}
		ids = p
	default:
		return nil, errors.New("previousProof is not an id nor an array of ids")
	}
	previous := make([]any, 0, len(ids))
	for _, id := range ids {
		s, ok := id.(string)
		if !ok || s == "" {
			return nil, errors.New("previousProof has an entry that is not an id")
		}
		found := false
		for _, other := range all {
			if m, ok := other.(map[string]any); ok && m["id"] == s && !reflect.DeepEqual(m, proof) {
				previous = append(previous, m)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("previousProof %q is not among the credential's proofs", truncate(s))
		}
	}
	return previous, nil
}

// proofConfig is the proof without its proofValue and with the
// document's @context: a shallow copy.
func proofConfig(proof map[string]any, context any) map[string]any {
	cfg := make(map[string]any, len(proof)+1)
	for k, v := range proof {
		if k != "proofValue" {
			cfg[k] = v
		}
	}
	cfg["@context"] = context
	return cfg
}

func canonicalHash(ctx context.Context, c Canonicalizer, doc map[string]any) ([]byte, error) {
	nquads, err := c.Canonicalize(ctx, doc)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(nquads)
	return h[:], nil
}

// describe shows a JSON value briefly, for error details.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", truncate(v))
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T %s", v, truncate(fmt.Sprint(v)))
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func describeKey(k any) string {
	if k == nil {
		return "missing"
	}
	return fmt.Sprintf("a %T", k)
}

// absoluteURI reports whether s starts with a URI scheme (RFC 3986:
// a letter, then letters, digits, "+", "-" or ".", then ":").
func absoluteURI(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}
