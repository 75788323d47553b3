package ob3

import (
	"context"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// run is the verification of one credential: the one given, or one of its
// endorsements.
type run struct {
	v     *Verifier
	ctx   context.Context
	res   *report.Result
	depth int // 0 for the credential given, 1 for its endorsements, …
	// endorsements counts the endorsements verified so far in the whole
	// verification, shared by the runs of the endorsements, so that a
	// credential cannot ask for more than maxEndorsements in all.
	endorsements *int
}

// credential is a credential being verified and what its proof check
// found.
type credential struct {
	p      *payload.Payload
	doc    map[string]any
	jwt    *JWTOutcome // the VC-JWT's outcome, when it verified
	proved bool        // one proof verified
}

// verifyTop verifies the credential the user gave, reporting into res.
func (v *Verifier) verifyTop(ctx context.Context, p *payload.Payload, res *report.Result, recipient map[string]any) *report.Result {
	return v.verifyAt(ctx, p, res, recipient, 0, new(int))
}

// verifyAt runs every check on p at an endorsement depth. The refresh
// service is followed for the credential given only (depth 0): an
// endorsement is verified as it stands.
func (v *Verifier) verifyAt(ctx context.Context, p *payload.Payload, res *report.Result, recipient map[string]any, depth int, endorsements *int) *report.Result {
	r := &run{v: v, ctx: ctx, res: res, depth: depth, endorsements: endorsements}
	c := r.parse(p)
	if c == nil {
		return finish(r.res, nil)
	}
	r.conform(c)
	r.prove(c)
	if depth == 0 && c.proved {
		c = r.refresh(c)
	}
	r.checkStatus(c)
	r.checkDates(c)
	if recipient != nil {
		r.checkRecipient(c, recipient)
	}
	r.checkEndorsements(c)
	return finish(r.res, c.doc)
}

// parse finds the credential in the payload (PARSE_CREDENTIAL).
func (r *run) parse(p *payload.Payload) *credential {
	switch p.Kind {
	case payload.KindJSON, payload.KindJWS:
	default:
		r.res.Errorf(CheckParseCredential, "", "", "The input is not a credential: want credential JSON or a VC-JWT")
		return nil
	}
	if p.Object == nil {
		what := "a JSON object"
		if p.Kind == payload.KindJWS {
			what = "a JWT whose payload is a JSON object"
		}
		r.res.Errorf(CheckParseCredential, "", "", "The input could not be read as a credential: want %s", what)
		return nil
	}
	if p.Kind == payload.KindJWS {
		if vc, has := p.Object["vc"]; has {
			if _, ok := vc.(map[string]any); !ok {
				r.res.Errorf(CheckParseCredential, "", "vc", "The JWT's \"vc\" claim, where a VCDM 1.1 VC-JWT carries the credential, is not a JSON object")
				return nil
			}
		}
	}
	return &credential{p: p, doc: p.Credential()}
}

// conform runs the conformance checks of the specification's first step:
// context, type, the built-in schema, then each credentialSchema.
func (r *run) conform(c *credential) {
	r.checkContext(c.doc)
	r.checkType(c.doc)
	r.checkSchema(c.doc)
	r.checkCredentialSchemas(c.doc)
}
