package ob3

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// Message names, one per check (see the package documentation).
const (
	CheckParseCredential          = "PARSE_CREDENTIAL"
	CheckValidateContext          = "VALIDATE_CONTEXT"
	CheckValidateType             = "VALIDATE_TYPE"
	CheckValidateSchema           = "VALIDATE_SCHEMA"
	CheckValidateCredentialSchema = "VALIDATE_CREDENTIAL_SCHEMA"
	CheckExpandJSONLD             = "EXPAND_JSONLD"
	CheckResolveKey               = "RESOLVE_KEY"
	CheckVerifyProof              = "VERIFY_PROOF"
	CheckIssuer                   = "CHECK_ISSUER"
	CheckIssuance                 = "CHECK_ISSUANCE"
	CheckExpiration               = "CHECK_EXPIRATION"
	CheckStatus                   = "CHECK_STATUS"
	CheckRefresh                  = "CHECK_REFRESH"
	CheckVerifyEndorsement        = "VERIFY_ENDORSEMENT"
	CheckRecipient                = "CHECK_RECIPIENT"
)

// DefaultMaxDepth is how deep endorsements of endorsements are verified
// when Options.MaxDepth is zero.
const DefaultMaxDepth = 3

// Proofs checks the proofs of credentials. Its errors may be *CheckError,
// to say which check failed and whether for want of a document; any other
// error counts as a VERIFY_PROOF failure.
//
// Credentials are given as payload.Parse decodes them (numbers are
// json.Number) and are shared with the report: a Proofs must not modify
// them. The same Proofs checks status list credentials, whose issuer may
// differ from the credential's (CheckIssuer is not asked about them), and
// endorsements.
type Proofs interface {
	// DataIntegrity verifies the embedded proof (one object or an array;
	// any one valid proof suffices) of a credential as decoded from JSON.
	DataIntegrity(ctx context.Context, credential map[string]any) (*ProofOutcome, error)
	// JWT verifies a VC-JWT payload (p.Kind is payload.KindJWS) and
	// returns the credential it carries.
	JWT(ctx context.Context, p *payload.Payload) (*JWTOutcome, error)
	// CheckIssuer reports whether the key that signed belongs to the
	// issuer issuerID (an error says why not).
	CheckIssuer(ctx context.Context, keyID, issuerID string) error
}

// ProofOutcome is what a verified Data Integrity proof tells.
type ProofOutcome struct {
	Suite string // e.g. "eddsa-rdfc-2022", "Ed25519Signature2020"
	KeyID string // the verification method that signed
	// KeyAuthenticated is false when the key was taken from the credential
	// itself (a multibase key in a URL fragment, say) rather than from a
	// controller or DID document: the signature is intact, but anyone
	// could have made it.
	KeyAuthenticated bool
}

// JWTOutcome is what a verified VC-JWT tells.
type JWTOutcome struct {
	// Credential is the credential the JWT carries: its payload, or the
	// payload's "vc" claim (VCDM 1.1).
	Credential       map[string]any
	Alg, KeyID       string
	KeyAuthenticated bool // as in ProofOutcome: false for an inline jwk
	// NotBefore and Expires are the nbf and exp claims, when present.
	NotBefore, Expires *time.Time
}

// Schemas validates credentials against JSON schemas. Its errors may be
// *CheckError (Unavailable when a schema cannot be fetched); any other
// error's text lists the problems.
type Schemas interface {
	// Validate checks the credential against the built-in Open Badges 3.0
	// schema for its type and data model version.
	Validate(ctx context.Context, credential map[string]any) error
	// ValidateCredentialSchema checks the credential against the schema a
	// credentialSchema entry of type 1EdTechJsonSchemaValidator2019 names.
	ValidateCredentialSchema(ctx context.Context, schemaURL string, credential map[string]any) error
}

// CheckError is an error of a Proofs or Schemas that says which check
// failed (one of the message names: RESOLVE_KEY, VERIFY_PROOF,
// EXPAND_JSONLD, CHECK_ISSUER, VALIDATE_SCHEMA, …) and whether it failed
// because a document could not be had (Unavailable: the result is then
// indeterminate, not invalid).
type CheckError struct {
	Check       string
	Unavailable bool
	// Warning reports the failure as a WARNING, not an ERROR: the check
	// could not be made in full (a schema in a dialect badgebake does not
	// read), or what failed is a form the specification allows elsewhere
	// (a compacted credential against a schema for the expanded form).
	Warning bool
	Err     error
}

func (e *CheckError) Error() string {
	if e.Err == nil {
		return e.Check + " failed"
	}
	return e.Err.Error()
}

func (e *CheckError) Unwrap() error { return e.Err }

// ErrorKind is errkind.Indeterminate for an Unavailable failure and
// errkind.NotVerified otherwise.
func (e *CheckError) ErrorKind() errkind.Kind {
	if e.Unavailable {
		return errkind.Indeterminate
	}
	return errkind.NotVerified
}

// Options configure a Verifier.
type Options struct {
	// Client fetches credentials given by URL, status lists, revocation
	// lists and refreshed credentials (default: a fetch.Client with its
	// defaults).
	Client *fetch.Client
	// Now is the instant credentials are verified at (time.Now when nil;
	// the command's --at sets another).
	Now func() time.Time
	// MaxDepth bounds how deep endorsements are verified: a credential's
	// own endorsements are at depth 1, theirs at 2 (default
	// DefaultMaxDepth).
	MaxDepth int
	// Proofs checks proofs. When nil, every credential fails VERIFY_PROOF:
	// a proof that was not checked is never taken as valid.
	Proofs Proofs
	// Schemas validates against JSON schemas. When nil, the schema checks
	// are skipped with a WARNING saying so.
	Schemas Schemas
}

// Verifier verifies Open Badges 3.0 credentials. It is safe for
// concurrent use; share one per process so that status lists are cached.
type Verifier struct {
	client   *fetch.Client
	now      func() time.Time
	maxDepth int
	proofs   Proofs
	schemas  Schemas
	lists    *listCache
}

// New returns a Verifier.
func New(opts Options) *Verifier {
	v := &Verifier{client: opts.Client, now: opts.Now, maxDepth: opts.MaxDepth, proofs: opts.Proofs, schemas: opts.Schemas}
	if v.client == nil {
		v.client = fetch.New(fetch.Options{})
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxDepth <= 0 {
		v.maxDepth = DefaultMaxDepth
	}
	v.lists = newListCache(defaultListCacheSize, defaultListCacheTTL, time.Now)
	return v
}

// Verify verifies an Open Badges 3.0 payload: credential JSON, a VC-JWT,
// or a URL serving either, against a trusted recipient profile (nil: the
// recipient is not checked). It implements verify.Generation.
func (v *Verifier) Verify(ctx context.Context, p *payload.Payload, recipient map[string]any) *report.Result {
	if p.Kind == payload.KindURL {
		url := string(p.Raw)
		resp, err := v.client.Get(ctx, url, "")
		return v.verifyFetched(ctx, url, resp, err, recipient)
	}
	return v.verifyTop(ctx, p, newResult(string(p.Raw), inputType(p.Kind)), recipient)
}

// VerifyFetched verifies the credential at url for a caller that has
// already fetched it (with the default Accept header) and got resp, as
// package verify does to tell a hosted credential from a baked image.
func (v *Verifier) VerifyFetched(ctx context.Context, url string, resp *fetch.Response, recipient map[string]any) *report.Result {
	return v.verifyFetched(ctx, url, resp, nil, recipient)
}

func (v *Verifier) verifyFetched(ctx context.Context, url string, resp *fetch.Response, err error, recipient map[string]any) *report.Result {
	res := newResult(url, report.InputURL)
	body, err := responseBody(url, resp, err)
	if err != nil {
		// The credential's own URL: a server that is down makes the
		// result indeterminate, but one that answers 404 has no
		// credential there.
		if ff := err.(*fetchFailure); ff.transient {
			addFetchFailure(res, CheckParseCredential, url, "the credential", err)
		} else {
			res.Errorf(CheckParseCredential, url, "", "Could not fetch the credential at %s: %v", url, err)
		}
		return finish(res, nil)
	}
	p, perr := payload.Parse(body)
	if perr == nil && p.Kind == payload.KindURL {
		perr = errors.New("it is another URL, not a credential")
	}
	if perr != nil {
		res.Errorf(CheckParseCredential, url, "", "The document at %s is not a credential (JSON or VC-JWT): %v", url, perr)
		return finish(res, nil)
	}
	return v.verifyTop(ctx, p, res, recipient)
}

func inputType(k payload.Kind) string {
	switch k {
	case payload.KindURL:
		return report.InputURL
	case payload.KindJWS:
		return report.InputJWS
	}
	return report.InputJSON
}

func newResult(value, inputType string) *report.Result {
	res := report.New(value, inputType)
	res.Generation = report.GenerationOB3
	res.Report.OpenBadgesVersion = "3.0"
	return res
}

// finish fills in what the credential shows and computes the verdict.
func finish(res *report.Result, cred map[string]any) *report.Result {
	if cred != nil {
		res.Graph = []map[string]any{cred}
		res.Report.ValidationSubject, _ = cred["id"].(string)
		res.Summary = summarize(cred)
	}
	return res.Finish()
}

// fetchFailure is a document that could not be had: no response, or an
// HTTP error status.
type fetchFailure struct {
	url    string
	status int
	err    error
	// transient: the network or the server failed, not the document
	// (fetch.IsTransient, fetch.TransientStatus).
	transient bool
}

func (e *fetchFailure) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("HTTP %d from %s", e.status, e.url)
}

// Unwrap is the fetch client's error, when the request itself failed.
func (e *fetchFailure) Unwrap() error { return e.err }

// responseBody is the body of a fetch that succeeded with a status below
// 400, or a *fetchFailure.
func responseBody(url string, resp *fetch.Response, err error) ([]byte, error) {
	if err != nil {
		return nil, &fetchFailure{url: url, err: err, transient: fetch.IsTransient(err)}
	}
	if resp.Status >= 400 {
		return nil, &fetchFailure{url: url, status: resp.Status, transient: fetch.TransientStatus(resp.Status)}
	}
	return resp.Body, nil
}

// get fetches url through the Client.
func (v *Verifier) get(ctx context.Context, url, accept string) ([]byte, error) {
	return getBody(ctx, v.client, url, accept)
}

// getBody fetches url through client: the body, or a *fetchFailure.
func getBody(ctx context.Context, client *fetch.Client, url, accept string) ([]byte, error) {
	resp, err := client.Get(ctx, url, accept)
	return responseBody(url, resp, err)
}

// addFetchFailure reports that what (e.g. "the status list") at url could
// not be fetched. Such a failure makes the result indeterminate, whatever
// the reason (a 404 included): a key, status list or schema that cannot be
// had says nothing about the credential itself.
func addFetchFailure(res *report.Result, check, url, what string, err error) {
	res.Unavailablef(check, url, "", "Could not fetch %s at %s: %v", what, url, err)
}

// acceptCredential asks for a credential as JSON or as a VC-JWT.
const acceptCredential = "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt, application/jwt;q=0.9, */*;q=0.1"
