package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// Format is how a credential is signed.
type Format string

const (
	FormatVCJWT         Format = "vc-jwt"          // OB 3.0: a VC-JWT
	FormatEdDSARDFC2022 Format = "eddsa-rdfc-2022" // OB 3.0: an embedded DataIntegrityProof (Ed25519)
	FormatJWS           Format = "jws"             // OB 2.0: a signed assertion, compact JWS RS256
)

// Formats lists the formats.
var Formats = []Format{FormatVCJWT, FormatEdDSARDFC2022, FormatJWS}

// ParseFormat reads a format name ("" is the empty Format: the default).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "", FormatVCJWT, FormatEdDSARDFC2022, FormatJWS:
		return f, nil
	case "jwt", "vcjwt":
		return FormatVCJWT, nil
	case "di", "eddsa", "data-integrity":
		return FormatEdDSARDFC2022, nil
	}
	return "", &FormatError{Reason: fmt.Sprintf("unknown format %q: use vc-jwt, eddsa-rdfc-2022 or jws", s)}
}

// DefaultFormat is the format a credential of generation gen is signed in
// with k when none is asked for: jws for Open Badges 2.0; for 3.0,
// eddsa-rdfc-2022 with an Ed25519 key, vc-jwt with P-256 and RSA keys.
func DefaultFormat(k *keyfile.Key, gen payload.Generation) Format {
	switch {
	case gen == payload.OB2:
		return FormatJWS
	case k != nil && k.Type == keyfile.Ed25519:
		return FormatEdDSARDFC2022
	}
	return FormatVCJWT
}

// Options say how a Signer signs. The zero value signs in the default
// format for each credential, with the key's did:key.
type Options struct {
	// Format is the signature format; "" picks DefaultFormat for each
	// credential's generation.
	Format Format
	// VerificationMethod names the key in the proof (a Data Integrity
	// verificationMethod, a VC-JWT kid, an OB 2.0 verification.creator).
	// "" means: for OB 3.0, the key's did:key method (Ed25519, P-256) or,
	// for a did:web issuer, the issuer's "#key-1" (as keygen --did-web
	// writes it); for OB 2.0, the input's verification.creator. An RSA
	// key signing OB 3.0 for an https issuer needs it.
	VerificationMethod string
	// Now is the clock for the proof's created time and the verifier's
	// date checks (time.Now when nil).
	Now func() time.Time
	// Verifier checks what is signed; nil: verify.New with an offline
	// fetch client (enough for did:key issuers: the key is in the DID).
	Verifier *verify.Verifier
	// CheckedByCaller leaves the verification of a signed Open Badges 3.0
	// credential to the caller, who verifies it anyway (issue verifies
	// each baked image before it writes it): verifying twice costs a
	// Data Integrity credential as much again as signing it. The
	// structure and the issuer's key are still checked before signing,
	// and Signed.Report is then nil.
	CheckedByCaller bool
}

// Signer signs credentials with one key. It is safe for concurrent use.
type Signer struct {
	key      *keyfile.Key
	opts     Options
	verifier *verify.Verifier
	canon    dataintegrity.Canonicalizer
	proofs   ob3.Proofs // for status list credentials, which are no badges
}

// Signed is a signed credential, checked.
type Signed struct {
	// Payload is the signed payload, parsed once: bake it as it is.
	Payload *payload.Payload
	// Bytes is the signed payload's text: credential JSON or a compact
	// JWS (no trailing newline).
	Bytes []byte
	// Format is the format it was signed in.
	Format Format
	// Report is the verifier's report on it (an OB 2.0 signed assertion's
	// is the local check's). An unchecked status appears as INFO. nil
	// with Options.CheckedByCaller.
	Report *report.Result
}

// New returns a Signer for k. An explicit format must suit the key:
// eddsa-rdfc-2022 takes an Ed25519 key, jws an RSA key.
func New(k *keyfile.Key, opts Options) (*Signer, error) {
	if k == nil || k.Signer == nil {
		return nil, errors.New("sign: no key")
	}
	if _, err := ParseFormat(string(opts.Format)); err != nil {
		return nil, err
	}
	switch {
	case opts.Format == FormatEdDSARDFC2022 && k.Type != keyfile.Ed25519:
		return nil, &FormatError{Reason: fmt.Sprintf("eddsa-rdfc-2022 signs with an Ed25519 key, and this is a %s key: use --format vc-jwt, or an ed25519 key", k.Type)}
	case opts.Format == FormatJWS && k.Type != keyfile.RSA:
		return nil, &FormatError{Reason: fmt.Sprintf("Open Badges 2.0 signed assertions (jws) are RS256, and this is a %s key: make an RSA key (keygen --type rsa)", k.Type)}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	v := opts.Verifier
	if v == nil {
		v = verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true}), Now: opts.Now})
	}
	return &Signer{
		key:      k,
		opts:     opts,
		verifier: v,
		canon:    ob3.NewCanonicalizer(v.Client()),
		proofs:   ob3.NewProofs(v.Client()),
	}, nil
}

// Key is the signer's key.
func (s *Signer) Key() *keyfile.Key { return s.key }

// Sign signs p, an unsigned Open Badges 3.0 credential or 2.0 assertion
// (JSON), and verifies the result. Errors: *payload.StructureError (the
// input cannot be a badge), *FormatError (the format does not suit the
// input or the key), *IssuerMismatchError (the key is not the issuer's),
// *verify.RefusedError (the verifier refused what was signed).
func (s *Signer) Sign(ctx context.Context, p *payload.Payload) (*Signed, error) {
	if p == nil {
		return nil, errors.New("sign: no payload")
	}
	switch p.Kind {
	case payload.KindURL:
		return nil, &FormatError{Reason: "a hosted badge URL is not signed: sign the credential or assertion JSON itself"}
	case payload.KindJWS:
		return nil, &FormatError{Reason: "the input is already signed (a compact JWS)"}
	}
	if err := checkUnsigned(p); err != nil {
		return nil, err
	}
	format := s.opts.Format
	if format == "" {
		format = DefaultFormat(s.key, p.Generation)
	}
	if p.Generation == payload.OB2 {
		if format != FormatJWS {
			return nil, &FormatError{Reason: fmt.Sprintf("an Open Badges 2.0 assertion is signed as jws, not %s", format)}
		}
		if s.key.Type != keyfile.RSA {
			return nil, &FormatError{Reason: fmt.Sprintf("Open Badges 2.0 signed assertions are RS256, and this is a %s key: make an RSA key (keygen --type rsa)", s.key.Type)}
		}
		return s.signOB2(ctx, p)
	}
	if format == FormatJWS {
		return nil, &FormatError{Reason: "jws signs Open Badges 2.0 assertions; an Open Badges 3.0 credential is signed as vc-jwt or eddsa-rdfc-2022"}
	}
	// (An eddsa-rdfc-2022 signer has an Ed25519 key: New saw to it.)
	cred := p.Object
	if _, has := cred["proof"]; has && format == FormatVCJWT {
		return nil, &FormatError{Reason: "the credential already carries an embedded proof; a VC-JWT signs the credential without one (--format eddsa-rdfc-2022 adds a second proof instead)"}
	}
	vm, err := s.methodFor(issuerOf(cred))
	if err != nil {
		return nil, err
	}
	out, err := s.signOB3(ctx, cred, format, vm)
	if err != nil {
		return nil, err
	}
	signed, err := payload.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("sign: the signed credential does not read back: %w", err)
	}
	if s.opts.CheckedByCaller {
		return &Signed{Payload: signed, Bytes: signed.Raw, Format: format}, nil
	}
	res := s.verifier.VerifyPayload(ctx, signed, nil)
	res = withoutUnpublishedStatus(res)
	if !res.Report.Valid {
		return nil, &verify.RefusedError{Result: res}
	}
	return &Signed{Payload: signed, Bytes: signed.Raw, Format: format, Report: res}, nil
}

// signOB3 signs a credential as a VC-JWT or with a Data Integrity proof.
func (s *Signer) signOB3(ctx context.Context, cred map[string]any, format Format, vm string) ([]byte, error) {
	switch format {
	case FormatVCJWT:
		tok, err := vcjwt.Sign(cred, s.key.Signer, vcjwt.SignOptions{Kid: vm})
		if err != nil {
			return nil, errkind.Mark(errkind.BadInput, fmt.Errorf("the credential cannot be signed as a VC-JWT: %s", strings.TrimPrefix(err.Error(), "vcjwt: ")))
		}
		return []byte(tok), nil
	case FormatEdDSARDFC2022:
		priv, ok := s.key.Signer.(ed25519.PrivateKey)
		if !ok {
			return nil, &FormatError{Reason: "eddsa-rdfc-2022 needs an Ed25519 key"}
		}
		doc, err := dataintegrity.Sign(ctx, cred, dataintegrity.SignOptions{
			VerificationMethod: vm,
			Created:            s.opts.Now().UTC().Truncate(time.Second).Format(time.RFC3339),
		}, priv, s.canon)
		if err != nil {
			return nil, errkind.Mark(errkind.BadInput, fmt.Errorf("the credential cannot be signed with a Data Integrity proof: %s", strings.TrimPrefix(err.Error(), "dataintegrity: ")))
		}
		return marshal(doc)
	}
	return nil, &FormatError{Reason: fmt.Sprintf("unknown format %q", format)}
}

// withoutUnpublishedStatus turns the verifier's CHECK_STATUS errors
// about the status list (it cannot be fetched, it is not there yet, it
// does not hold the index yet) into INFO: the list of a credential being
// issued is published after it. The entries themselves were checked by
// checkStatusEntries; a list that already says the credential is revoked
// is still an error.
func withoutUnpublishedStatus(res *report.Result) *report.Result {
	changed := false
	msgs := make([]report.Message, len(res.Report.Messages))
	for i, m := range res.Report.Messages {
		if m.Name == ob3.CheckStatus && m.MessageLevel == report.Error && !m.Revocation {
			m.MessageLevel, m.Success, m.Unavailable = report.Info, true, false
			m.Result = "Not checked while signing (the status list is published after the credential): " + m.Result
			changed = true
		}
		msgs[i] = m
	}
	if !changed {
		return res
	}
	out := *res
	out.Report.Messages = msgs
	return out.Finish()
}

// checkUnsigned checks the input's structure as CheckStructure does,
// but for an unsigned OB 3.0 credential, which has no proof yet, and
// reads its Bitstring status entries (their lists are not consulted).
func checkUnsigned(p *payload.Payload) error {
	_, err := p.CheckUnsigned()
	var se *payload.StructureError
	if err != nil && !errors.As(err, &se) {
		return err
	}
	var problems []string
	if se != nil {
		problems = se.Problems
	}
	if p.Generation == payload.OB3 {
		problems = append(problems, checkStatusEntries(p.Object)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &payload.StructureError{Kind: p.Kind, Generation: p.Generation, Problems: problems}
}

// checkStatusEntries reads the credential's credentialStatus entries of
// the types the verifier reads from lists: the verifier's own reading of
// them is set aside with the list's (see withoutUnpublishedStatus).
func checkStatusEntries(cred map[string]any) (problems []string) {
	v, ok := cred["credentialStatus"]
	if !ok {
		return nil
	}
	entries, isList := v.([]any)
	if !isList {
		entries = []any{v}
	}
	for i, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			return append(problems, "credentialStatus is not an object or a list of objects")
		}
		switch m["type"] {
		case statuslist.TypeEntry, statuslist.TypeEntry2021:
			if _, err := statuslist.ParseEntry(m); err != nil {
				where := "credentialStatus"
				if isList {
					where = fmt.Sprintf("credentialStatus[%d]", i)
				}
				problems = append(problems, fmt.Sprintf("%s cannot be read: %v", where, err))
			}
		}
	}
	return problems
}

// marshal writes JSON without escaping HTML characters (the signed text
// is what a baker stores, and readers see).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// signOB2 signs an Open Badges 2.0 assertion as a compact JWS (RS256)
// and checks it locally (see the package documentation).
func (s *Signer) signOB2(ctx context.Context, p *payload.Payload) (*Signed, error) {
	assertion := maps.Clone(p.Object)
	creator, err := s.creatorFor(assertion)
	if err != nil {
		return nil, err
	}
	if err := checkOB2Issuer(assertion, creator); err != nil {
		return nil, err
	}
	body, err := marshal(assertion)
	if err != nil {
		return nil, err
	}
	header := `{"alg":"RS256"}`
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, err := s.key.Signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign: RS256: %w", err)
	}
	compact := input + "." + base64.RawURLEncoding.EncodeToString(sig)

	signed, err := payload.Parse([]byte(compact))
	if err != nil {
		return nil, fmt.Errorf("sign: the signed assertion does not read back: %w", err)
	}
	res := report.New(compact, report.InputJWS)
	res.Generation = string(payload.OB2)
	res.Report.OpenBadgesVersion = signed.Version
	if err := verifyLocally(signed, s.key); err != nil {
		res.Errorf("VERIFY_JWS", creator, "", "The signature does not verify with the key: %v", err)
	} else {
		res.Infof("VERIFY_JWS", creator, "", "The RS256 signature verifies with the signing key (checked locally: %s is not fetched)", creator)
	}
	if _, err := signed.CheckStructure(); err != nil {
		res.Errorf("VALIDATE_PROPERTY", "", "", "%v", err)
	}
	res.Graph = []map[string]any{signed.Object}
	res.Finish()
	if !res.Report.Valid {
		return nil, &verify.RefusedError{Result: res}
	}
	return &Signed{Payload: signed, Bytes: signed.Raw, Format: FormatJWS, Report: res}, nil
}

// verifyLocally checks a JWS's signature with the signer's public key.
func verifyLocally(p *payload.Payload, k *keyfile.Key) error {
	sig, err := p.JWS.Signed([]jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return err
	}
	_, err = sig.Verify(k.Public())
	return err
}

// creatorFor sets the assertion's verification to a signed badge whose
// creator is the key URL, and returns it.
func (s *Signer) creatorFor(assertion map[string]any) (string, error) {
	opt := s.opts.VerificationMethod
	var verification map[string]any
	switch v := assertion["verification"].(type) {
	case nil:
		verification = map[string]any{"type": "SignedBadge"}
	case map[string]any:
		verification = maps.Clone(v)
	default:
		return "", &FormatError{Reason: `the assertion's "verification" is not an object`}
	}
	switch t, _ := verification["type"].(string); strings.ToLower(t) {
	case "signedbadge", "signed":
	case "hostedbadge", "hosted":
		return "", &FormatError{Reason: fmt.Sprintf(`the assertion says "verification": {"type": %q}: a hosted badge is not signed; set its type to "SignedBadge" to sign it`, t)}
	default:
		return "", &FormatError{Reason: fmt.Sprintf(`the assertion's verification type %q is neither SignedBadge nor HostedBadge`, t)}
	}
	creator, _ := verification["creator"].(string)
	switch {
	case creator == "" && opt == "":
		return "", &FormatError{Reason: "an Open Badges 2.0 signed assertion names its key by verification.creator, and there is none: give --verification-method KEY_URL (the CryptographicKey that keygen --key-url writes)"}
	case creator == "":
		creator = opt
		verification["creator"] = creator
	case opt != "" && opt != creator:
		return "", &IssuerMismatchError{VerificationMethod: opt, Reason: fmt.Sprintf("the assertion's verification.creator is %s, not %s", creator, opt),
			Hint: "drop --verification-method, or change the assertion's verification.creator"}
	}
	if !isHTTPS(creator) && !strings.HasPrefix(creator, "http://") {
		return "", &FormatError{Reason: fmt.Sprintf("verification.creator %q is not the http(s) URL of a CryptographicKey", creator)}
	}
	assertion["verification"] = verification
	return creator, nil
}

// issuerOf is the id of a credential's issuer.
func issuerOf(cred map[string]any) string { return jsonin.Ref(cred["issuer"]) }
