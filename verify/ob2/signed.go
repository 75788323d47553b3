package ob2

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/proof/jws"
	"github.com/badgebake/badgebake/report"
)

// Signed assertions (validator.md §10). An Open Badges 2.0 signed assertion
// is a compact JWS whose payload is the Assertion. It is verified as the
// reference does it: the payload becomes the Assertion node (it is not
// fetched from anywhere), the badge class and issuer are fetched and
// validated as for a hosted badge, the key named by verification.creator is
// fetched and validated as a CryptographicKey, the signature is checked with
// its publicKeyPem, the issuer must list the key in publicKey, and the
// issuer's revocation list, if it has one, must not list the assertion.
//
// Where the reference is lax, badgebake is not (docs/compatibility.md): the
// algorithm must be RS256 (go-jose parses with that allow-list, so "none",
// HS256 with the public key as the HMAC secret and every other algorithm are
// refused by name); a key that cannot be fetched or read, or an assertion
// without verification.creator, is a VERIFY_JWS error instead of a
// signature check silently skipped; the key must be fetched from an
// http(s) URL and the issuer that lists it must be published at one (the
// signed assertion cannot vouch for itself); a revocation entry also
// matches by uid.

// Task names of the signed-assertion checks.
const (
	taskVerifyJWS            = "VERIFY_JWS"
	taskVerifyKeyOwnership   = "VERIFY_KEY_OWNERSHIP"
	taskRevocationEntries    = "VALIDATE_REVOCATIONLIST_ENTRIES"
	taskSignedNotRevoked     = "VERIFY_SIGNED_ASSERTION_NOT_REVOKED"
	propRevokedAssertions    = "revokedAssertions"
	requiredSignatureAlg     = jose.RS256
	maxSignedAssertionLength = 1 << 20
)

// allowedAlgorithms is the JWS "alg" allow-list: the Open Badges 2.0
// specification signs with RS256 only.
var allowedAlgorithms = []jose.SignatureAlgorithm{requiredSignatureAlg}

// VerifyJWS verifies a signed assertion given as a compact JWS.
func (v *Verifier) VerifyJWS(ctx context.Context, token string, recipient Recipient) *report.Result {
	r := v.newRun(ctx, token, report.InputJWS)
	r.verifySigned(readJWS(token))
	return r.finish(recipient)
}

// verifyParsedJWS verifies a signed assertion read by payload.Parse; raw
// is its text.
func (v *Verifier) verifyParsedJWS(ctx context.Context, raw string, tok *jws.JWS, recipient Recipient) *report.Result {
	r := v.newRun(ctx, raw, report.InputJWS)
	r.verifySigned(checkLength(tok))
	return r.finish(recipient)
}

// readJWS reads a compact JWS without verifying it, as the reference's
// PROCESS_JWS_INPUT does. A byte order mark and surrounding white space are
// ignored; base64url padding is tolerated (#210).
func readJWS(s string) (*jws.JWS, error) {
	s = strings.TrimSpace(textin.TrimBOM(s))
	if err := tooLong(len(s)); err != nil {
		return nil, err
	}
	return jws.Parse(s)
}

// checkLength applies the length bound of readJWS to a JWS read elsewhere.
func checkLength(tok *jws.JWS) (*jws.JWS, error) {
	if err := tooLong(len(tok.Compact)); err != nil {
		return nil, err
	}
	return tok, nil
}

func tooLong(n int) error {
	if n > maxSignedAssertionLength {
		return fmt.Errorf("the JWS is %d bytes long; a signed assertion is at most %d", n, maxSignedAssertionLength)
	}
	return nil
}

// verifySigned is the whole verification of a signed assertion.
func (r *run) verifySigned(tok *jws.JWS, err error) {
	if err != nil {
		r.res.Errorf(taskProcessJWS, "", "", "Could not read the signed assertion: %v", err)
		return
	}
	doc, err := decodeJSON(tok.Payload)
	if err != nil {
		r.res.Errorf(taskProcessJWS, "", "", "The JWS payload is not a JSON object: %v", err)
		return
	}
	// The payload is the assertion: it was not fetched from anywhere, so
	// its own id names it (the reference's node_id).
	node := r.intake("", doc, classAssertion, true)
	if node == nil {
		return
	}
	id, _ := node["id"].(string)
	if id == "" {
		r.res.Errorf(taskProcessJWS, "", "id", "The signed assertion has no id, so it cannot be verified")
		return
	}
	r.res.Report.ValidationSubject = id
	if r.signed == nil {
		r.signed = map[string]bool{}
	}
	r.signed[id] = true
	r.addNode(node)
	r.validateClass(node, classAssertion)
	r.assertionChecks(node)
	r.signatureChecks(node, tok)
}

// signedOnlyAsJWS is the part of ASSERTION_VERIFICATION_DEPENDENCIES for
// SignedBadge verification: such an assertion is verified by its signature,
// so a copy of it that did not come as a JWS (by URL, or as JSON) cannot
// be verified, and the hosted checks do not apply to it. (The reference
// verifies nothing and reports it valid.)
func (r *run) signedOnlyAsJWS(w where) {
	if r.signed[w.id] {
		return
	}
	r.res.Errorf(taskVerificationDeps, w.id, "", "Assertion %s declares SignedBadge verification but was not given as a signed JWS, so its signature cannot be checked; hosted verification does not apply to a signed badge", w)
}

// signatureChecks are VERIFY_JWS, VERIFY_KEY_OWNERSHIP and the revocation
// list checks.
func (r *run) signatureChecks(node map[string]any, tok *jws.JWS) {
	id, _ := node["id"].(string)
	creator := r.creatorOf(node)
	var key map[string]any
	if IsURL(creator) {
		// Only a fetched key is trusted: an http(s) node in the graph is
		// always one that was fetched (embedded copies are re-fetched).
		key = r.fetchNode(creator, classCryptographicKey, false)
		if key != nil && sameNode(key, node) {
			// The assertion names itself (its own http id) as the key:
			// the payload would carry the key that verifies it.
			r.res.Errorf(taskVerifyJWS, id, "", "Signature for node %s failed verification :: the creator key %s is the signed assertion itself", id, creator)
			return
		}
		if key != nil {
			r.validateClass(key, classCryptographicKey)
			if kid, _ := key["id"].(string); kid != "" {
				creator = kid // the id the key document declares is canonical
			}
		}
	}
	r.verifyJWS(id, tok, creator, key)
	issuer := r.issuerOf(node)
	if issuer == nil {
		// The badge class or issuer could not be loaded, and the report
		// already says why: neither check can run without it.
		return
	}
	if creator != "" {
		r.verifyKeyOwnership(id, creator, issuer)
	}
	r.checkRevocationList(node, issuer)
}

// creatorOf returns the id of the key the verification object names.
func (r *run) creatorOf(node map[string]any) string {
	vo, ok := node["verification"].(map[string]any)
	if !ok {
		if ref, isRef := node["verification"].(string); isRef {
			vo = r.byID[ref]
		}
	}
	switch c := vo["creator"].(type) {
	case string:
		return c
	case map[string]any:
		// An embedded key is not trusted (the token would vouch for
		// itself): its id is fetched like a linked one.
		s, _ := c["id"].(string)
		return s
	case []any:
		if len(c) > 0 {
			s, _ := c[0].(string)
			return s
		}
	case nil:
		// Open Badges 1.x signed assertions link the key with verify.url
		// (verification.url once compacted).
		if u, ok := vo["url"].(string); ok && hasType(stringsOf(vo["type"]), "SignedBadge") {
			return u
		}
	}
	return ""
}

// verifyJWS is VERIFY_JWS: the algorithm must be RS256 and the signature
// must verify with the creator key's publicKeyPem.
func (r *run) verifyJWS(id string, tok *jws.JWS, creator string, key map[string]any) {
	failed := func(format string, args ...any) {
		r.res.Errorf(taskVerifyJWS, id, "", "Signature for node %s failed verification :: %s", id, fmt.Sprintf(format, args...))
	}
	sig, err := tok.Signed(allowedAlgorithms)
	if err != nil {
		var unexpected *jws.AlgorithmError
		if errors.As(err, &unexpected) {
			failed("%s", describeAlgorithm(unexpected.Alg))
		} else {
			failed("the JWS could not be parsed: %v", err)
		}
		return
	}
	switch {
	case creator == "":
		failed("the assertion's verification object names no creator key, so there is no key to check the signature with")
		return
	case !IsURL(creator):
		failed("the creator key %s is not an http(s) URL: a signing key must be fetched from where its issuer publishes it, not taken from the signed assertion", abbreviate(creator))
		return
	case key == nil:
		failed("the signing key %s could not be loaded (see above), so the signature was not checked", creator)
		r.markUnavailableIf(creator)
		return
	}
	pemText, ok := key["publicKeyPem"].(string)
	if !ok || strings.TrimSpace(pemText) == "" {
		failed("the signing key %s has no publicKeyPem", creator)
		return
	}
	pub, err := parsePublicKeyPEM(pemText)
	if err != nil {
		failed("the publicKeyPem of key %s could not be read: %v", creator, err)
		return
	}
	payload, err := sig.Verify(pub)
	switch {
	case errors.Is(err, jose.ErrCryptoFailure):
		failed("the signature does not match the payload and key %s: the assertion was changed after it was signed, or it was signed with another key (%v)", creator, err)
		return
	case err != nil:
		failed("the signature could not be checked with key %s: %v", creator, err)
		return
	}
	if !bytes.Equal(payload, tok.Payload) {
		// Cannot happen with one base64url decoder; checked because the
		// validated payload must be the signed one.
		failed("the verified payload differs from the payload that was read")
	}
}

// describeAlgorithm explains why a JWS algorithm is refused.
func describeAlgorithm(alg string) string {
	switch {
	case strings.EqualFold(alg, "none"):
		return fmt.Sprintf(`the JWS algorithm is %q: the assertion is not signed at all; Open Badges 2.0 signed assertions use RS256`, alg)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return fmt.Sprintf(`the JWS algorithm is %q, a shared-secret (HMAC) algorithm; Open Badges 2.0 signed assertions use RS256, and an HMAC "signature" keyed with the public key proves nothing`, alg)
	case alg == "":
		return `the JWS header has no "alg"; Open Badges 2.0 signed assertions use RS256`
	}
	return fmt.Sprintf("the JWS algorithm is %q; Open Badges 2.0 signed assertions use RS256 only", alg)
}

// parsePublicKeyPem reads an RSA public key from PEM: a PKIX
// SubjectPublicKeyInfo ("PUBLIC KEY") or a PKCS #1 ("RSA PUBLIC KEY") block.
func parsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("it is not PEM (-----BEGIN PUBLIC KEY----- …)")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		switch k := k.(type) {
		case *rsa.PublicKey:
			return k, nil
		case *ecdsa.PublicKey:
			return nil, errors.New("it is an ECDSA key; Open Badges 2.0 signatures are RS256 and need an RSA key")
		case ed25519.PublicKey:
			return nil, errors.New("it is an Ed25519 key; Open Badges 2.0 signatures are RS256 and need an RSA key")
		default:
			return nil, fmt.Errorf("it is a %T key; Open Badges 2.0 signatures are RS256 and need an RSA key", k)
		}
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("its PEM block is %q, not a public key (PUBLIC KEY or RSA PUBLIC KEY)", block.Type)
}

// verifyKeyOwnership is VERIFY_KEY_OWNERSHIP: the issuer must list the
// signing key in publicKey (one key or several), and be published at an
// http(s) URL: an issuer profile that came with the signed assertion (a
// urn:uuid one embedded in it) would vouch for whatever key the signer
// chose.
func (r *run) verifyKeyOwnership(id, keyID string, issuer map[string]any) {
	issuerID, _ := issuer["id"].(string)
	if !IsURL(issuerID) {
		r.res.Errorf(taskVerifyKeyOwnership, id, "", "Issuer profile %s is not published at an http(s) URL, so nothing but the signed assertion itself vouches for its signing key %s", abbreviate(issuerID), keyID)
		return
	}
	for _, k := range listOf(issuer["publicKey"]) {
		switch k := k.(type) {
		case string:
			if k == keyID {
				return
			}
		case map[string]any:
			if s, _ := k["id"].(string); s == keyID {
				return
			}
		}
	}
	r.res.Errorf(taskVerifyKeyOwnership, id, "", "Assertion signed by a key %s other than those authorized by issuer profile %s", keyID, issuerID)
}

// checkRevocationList fetches and validates the issuer's revocation list,
// if it has one, and checks that it does not list the assertion.
func (r *run) checkRevocationList(node, issuer map[string]any) {
	var list map[string]any
	switch l := issuer["revocationList"].(type) {
	case nil:
		return
	case string:
		switch {
		case r.byID[l] != nil:
			// A node of the graph (validated as a RevocationList with the
			// issuer): it can only revoke, so it is used as it is.
			list = r.byID[l]
		case IsURL(l):
			if list = r.fetchNode(l, classRevocationList, false); list == nil {
				return // the report says why
			}
			r.validateClass(list, classRevocationList)
		default:
			return // VALIDATE_PROPERTY reports the value
		}
	case map[string]any:
		list = l // embedded: validated with the issuer
	default:
		return
	}
	entries, ok := r.revocationEntries(list)
	if !ok {
		return
	}
	r.notRevoked(node, list, entries)
}

// revocationEntries is VALIDATE_REVOCATIONLIST_ENTRIES: revokedAssertions
// is required, and each entry is an IRI, {id: IRI} or {uid: text}. It
// returns the well-formed entries, and false when there is no list of
// entries to check the assertion against.
func (r *run) revocationEntries(list map[string]any) ([]any, bool) {
	listID, _ := list["id"].(string)
	value, present := list[propRevokedAssertions]
	if !present || value == nil {
		r.res.Errorf(taskRevocationEntries, listID, "", "RevocationList %s missing required property revokedAssertions.", listID)
		return nil, false
	}
	var good []any
	var problems []string
	for _, e := range listOf(value) {
		var problem string
		switch e := e.(type) {
		case string:
			if !IsIRI(e) {
				problem = fmt.Sprintf("RevocationList %s has entry with id %s not in IRI format", listID, abbreviate(e))
			}
		case map[string]any:
			if eid, has := e["id"]; has {
				if s, ok := eid.(string); !ok || !IsIRI(s) {
					problem = fmt.Sprintf("RevocationList %s has entry with id %s not in IRI format", listID, abbreviate(eid))
				}
			} else if _, ok := e["uid"].(string); !ok {
				problem = fmt.Sprintf("RevocationList %s has entry with uid '%s' not in text format.", listID, abbreviate(e["uid"]))
			}
		default:
			problem = fmt.Sprintf("RevocationList %s has entry with id %s not in IRI format", listID, abbreviate(e))
		}
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		good = append(good, e)
	}
	switch len(problems) {
	case 0:
	case 1:
		r.res.Errorf(taskRevocationEntries, listID, "", "%s", problems[0])
	default:
		r.res.Errorf(taskRevocationEntries, listID, "", "%s (and %d more malformed %s)", problems[0], len(problems)-1, map[bool]string{true: "entry", false: "entries"}[len(problems) == 2])
	}
	return good, true
}

// notRevoked is VERIFY_SIGNED_ASSERTION_NOT_REVOKED: an entry naming the
// assertion (a string or an entry id equal to its id, or an entry uid equal
// to its uid) revokes it. As in the reference, the list in the report's
// graph keeps only the matching entries.
func (r *run) notRevoked(node, list map[string]any, entries []any) {
	id, _ := node["id"].(string)
	uid, _ := node["uid"].(string)
	matches := []any{}
	reason := ""
	for _, e := range entries {
		match := false
		switch e := e.(type) {
		case string:
			match = e == id
		case map[string]any:
			eid, _ := e["id"].(string)
			euid, _ := e["uid"].(string)
			match = (eid != "" && eid == id) || (uid != "" && euid == uid)
			if s, ok := e["revocationReason"].(string); match && ok && s != "" && reason == "" {
				reason = s
			}
		}
		if match {
			matches = append(matches, e)
		}
	}
	list[propRevokedAssertions] = matches
	if listID, _ := list["id"].(string); listID != "" && sameNode(r.byID[listID], list) {
		r.addNode(list) // patched: moves to the end, as in the reference
	}
	if len(matches) == 0 {
		return
	}
	listName, _ := list["id"].(string)
	msg := fmt.Sprintf("Assertion %s has been revoked in RevocationList %s", id, listName)
	if reason != "" {
		msg += " with reason: " + reason
	}
	r.res.Revokedf(taskSignedNotRevoked, id, "", "%s", msg)
}
