package ob3

import (
	"errors"

	"github.com/badgebake/badgebake/payload"
)

// failedProof is a proof that did not verify, to report when none did.
type failedProof struct {
	err  error
	what string // "VC-JWT" or "embedded proof"
}

// prove checks the credential's proofs (VERIFY_PROOF and the checks the
// proof checker names: RESOLVE_KEY, EXPAND_JSONLD), then that the key is
// the issuer's (CHECK_ISSUER). A VC-JWT may carry embedded proofs too; any
// one valid proof suffices.
func (r *run) prove(c *credential) {
	node := id(c.doc)
	_, hasEmbedded := c.doc["proof"]
	isJWT := c.p.Kind == payload.KindJWS
	if !hasEmbedded && !isJWT {
		r.res.Errorf(CheckVerifyProof, node, "proof", "The credential has no proof: it is neither a VC-JWT nor carries an embedded proof, so nothing shows who issued it or that it is unchanged")
		return
	}
	if r.v.proofs == nil {
		r.res.Errorf(CheckVerifyProof, node, "proof", "The credential's proof was not checked: proof checking is not configured")
		return
	}

	var failed []failedProof
	var keyID string
	authenticated, verified := false, false
	if isJWT {
		out, err := r.v.proofs.JWT(r.ctx, c.p)
		if err == nil && out == nil {
			err = errors.New("the VC-JWT checker returned no outcome")
		}
		if err != nil {
			failed = append(failed, failedProof{err, "VC-JWT"})
		} else {
			c.jwt, verified, keyID, authenticated = out, true, out.KeyID, out.KeyAuthenticated
			if out.Credential != nil {
				c.doc = out.Credential
			}
		}
	}
	if hasEmbedded && !(verified && authenticated) {
		out, err := r.v.proofs.DataIntegrity(r.ctx, c.doc)
		if err == nil && out == nil {
			err = errors.New("the Data Integrity checker returned no outcome")
		}
		if err != nil {
			failed = append(failed, failedProof{err, "embedded proof"})
		} else if !verified || out.KeyAuthenticated {
			verified, keyID, authenticated = true, out.KeyID, out.KeyAuthenticated
		}
	}

	if !verified {
		for _, f := range failed {
			r.addCheckError(f.err, CheckVerifyProof, node, checkFormats[CheckVerifyProof])
		}
		return
	}
	c.proved = true
	for _, f := range failed {
		r.res.Warnf(CheckVerifyProof, node, "proof", "The credential's %s does not verify (another proof does): %v", f.what, f.err)
	}
	if !authenticated {
		key := "the key " + keyID
		if keyID == "" {
			key = "the key in the JWT header (jwk)"
		}
		r.res.Warnf(CheckIssuer, node, "proof", "The issuer key is not authenticated: the signature is intact but %s is only written in the credential, so it does not show who signed", key)
	}
	issuer := issuerID(c.doc)
	if issuer == "" {
		r.res.Warnf(CheckIssuer, node, "issuer", "The credential names no issuer id, so the key that signed cannot be tied to an issuer")
		return
	}
	if err := r.v.proofs.CheckIssuer(r.ctx, keyID, issuer); err != nil {
		r.res.Warnf(CheckIssuer, node, "issuer", "The key %s that signed is not shown to be the issuer %s's: %v", keyID, issuer, err)
	}
}
