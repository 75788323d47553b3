package ob3

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/rdfc"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/keys"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// acceptJSONLD is the Accept header for remote JSON-LD contexts.
const acceptJSONLD = "application/ld+json, application/json"

// NewProofs returns the Proofs badgebake verifies with: Data Integrity
// proofs (eddsa-rdfc-2022, eddsa-2022, Ed25519Signature2020) over
// JSON-LD expanded in safe mode with the built-in contexts and
// canonicalized with RDFC-1.0, VC-JWTs (RS256, PS256, ES256, ES384,
// EdDSA), and keys from did:key, did:web and HTTPS documents. Everything
// fetched (DID and key documents, unknown JSON-LD contexts) goes through
// client, so its SSRF rules, cache and offline mode apply; nil means a
// client with its defaults. Keys and processed contexts are cached, so
// share one Proofs per process.
func NewProofs(client *fetch.Client) Proofs {
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	p := &realProofs{client: client, keys: keys.NewResolver(client)}
	p.ld = jsonld.NewProcessor(jsonld.NewLoader(p.fetchContext))
	return p
}

// NewCanonicalizer returns the Data Integrity canonicalizer NewProofs
// verifies with (JSON-LD in safe mode over the built-in contexts, others
// fetched through client, then RDFC-1.0), for a signer: a proof made with
// it is over exactly the bytes the verifier hashes. nil means a client
// with its defaults. It is safe for concurrent use.
func NewCanonicalizer(client *fetch.Client) dataintegrity.Canonicalizer {
	return canonicalizer{NewProofs(client).(*realProofs).ld}
}

type realProofs struct {
	client *fetch.Client
	keys   *keys.Resolver
	ld     *jsonld.Processor
}

// fetchContext gets a JSON-LD context that is not built in.
func (p *realProofs) fetchContext(ctx context.Context, url string) ([]byte, error) {
	return getBody(ctx, p.client, url, acceptJSONLD)
}

// canonicalizer is the Data Integrity Canonicalizer over package jsonld:
// one JSON-LD session (with its limits on remote contexts) per document.
type canonicalizer struct{ ld *jsonld.Processor }

func (c canonicalizer) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	out, err := c.ld.WithContext(ctx).Canonicalize(doc, nil)
	var undefined *jsonld.UndefinedTermError
	if errors.As(err, &undefined) && undefined.Term == endorsementJwt && !undefined.Type {
		// The OB 3.0 contexts do not define endorsementJwt: its values are
		// JWTs, verified as such, and every JSON-LD processor an issuer
		// signs with outside safe mode drops it. Drop it the same way,
		// and only it: any other undefined term still fails.
		return c.ld.WithContext(ctx).Canonicalize(withoutKey(doc, endorsementJwt), nil)
	}
	return out, err
}

const endorsementJwt = "endorsementJwt"

// withoutKey copies v without any member named key, at any depth; what
// holds no such member is shared, not copied.
func withoutKey(v map[string]any, key string) map[string]any {
	out, _ := dropKey(v, key)
	return out.(map[string]any)
}

func dropKey(v any, key string) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range t {
			if k == key {
				if out == nil {
					out = maps.Clone(t)
				}
				delete(out, k)
				continue
			}
			if ne, changed := dropKey(e, key); changed {
				if out == nil {
					out = maps.Clone(t)
				}
				out[k] = ne
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range t {
			if ne, changed := dropKey(e, key); changed {
				if out == nil {
					out = slices.Clone(t)
				}
				out[i] = ne
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	}
	return v, false
}

func (p *realProofs) DataIntegrity(ctx context.Context, credential map[string]any) (*ProofOutcome, error) {
	res, err := dataintegrity.Verify(ctx, credential, canonicalizer{p.ld}, p.keys)
	if err != nil {
		return nil, classify(err)
	}
	// A proof no context defines is an undefined term in the credential,
	// even beside a proof that verifies: safe mode refuses the document.
	for _, pr := range res.Proofs {
		var pe *dataintegrity.ProofError
		if errors.As(pr.Err, &pe) && pe.Reason == dataintegrity.Canonicalization {
			return nil, classify(pr.Err)
		}
	}
	v := res.Valid
	suite := v.Cryptosuite
	if suite == "" {
		suite = v.Type
	}
	return &ProofOutcome{Suite: suite, KeyID: v.VerificationMethod, KeyAuthenticated: v.Key != nil && v.Key.Authenticated}, nil
}

func (p *realProofs) JWT(ctx context.Context, pl *payload.Payload) (*JWTOutcome, error) {
	var res *vcjwt.Result
	var err error
	if pl.JWS != nil {
		res, err = vcjwt.VerifyParsed(ctx, pl.JWS, pl.Object, p.keys)
	} else {
		res, err = vcjwt.Verify(ctx, string(pl.Raw), p.keys)
	}
	if err != nil {
		return nil, classify(err)
	}
	out := &JWTOutcome{Credential: res.Credential, Alg: res.Alg, KeyID: res.Kid, NotBefore: res.NotBefore, Expires: res.Expires}
	if res.Key != nil {
		out.KeyAuthenticated = res.Key.Authenticated
		if out.KeyID == "" {
			out.KeyID = res.Key.ID
		}
	}
	return out, nil
}

func (p *realProofs) CheckIssuer(ctx context.Context, keyID, issuerID string) error {
	if keyID == "" {
		// An inline key: the unauthenticated-key warning already says
		// that nothing ties it to the issuer.
		return nil
	}
	k, err := p.keys.Resolve(ctx, keyID)
	if err != nil {
		return classify(err)
	}
	if err := p.keys.CheckIssuer(ctx, k, issuerID); err != nil {
		return classify(err)
	}
	return nil
}

// classify names the check an error of the proof packages failed, and
// whether for want of a document (the result is then indeterminate).
func classify(err error) error {
	var (
		unavailable *keys.UnavailableError
		keyErr      *keys.KeyError
		issuerErr   *keys.IssuerError
		undefined   *jsonld.UndefinedTermError
		dropped     *jsonld.DroppedValueError
		panicked    *jsonld.PanicError
		tooLarge    *jsonld.DocumentLimitError
		limit       *rdfc.LimitError
		ctxFetch    *jsonld.FetchError
		ctxLimit    *jsonld.ContextLimitError
		ctxCycle    *jsonld.RecursiveContextError
		notEmbedded *jsonld.NotEmbeddedError
	)
	switch {
	case errors.As(err, &unavailable):
		return &CheckError{Check: CheckResolveKey, Unavailable: true, Err: err}
	case errors.As(err, &keyErr):
		return &CheckError{Check: CheckResolveKey, Err: err}
	case errors.As(err, &issuerErr):
		return &CheckError{Check: CheckIssuer, Err: err}
	case errors.As(err, &ctxFetch), errors.As(err, &notEmbedded):
		return &CheckError{Check: CheckExpandJSONLD, Unavailable: true, Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &CheckError{Check: CheckVerifyProof, Unavailable: true, Err: err}
	case errors.As(err, &undefined), errors.As(err, &dropped), errors.As(err, &panicked), errors.As(err, &tooLarge), errors.As(err, &limit),
		errors.As(err, &ctxLimit), errors.As(err, &ctxCycle):
		return &CheckError{Check: CheckExpandJSONLD, Err: err}
	}
	return &CheckError{Check: CheckVerifyProof, Err: err}
}
