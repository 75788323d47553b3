package ob2

import (
	"context"

	"github.com/badgebake/badgebake/report"
)

// VerifyJWS verifies a signed assertion. Signature verification is not
// implemented yet: the badge is reported as not verifiable, never valid.
func (v *Verifier) VerifyJWS(ctx context.Context, jws string, recipient Recipient) *report.Result {
	r := v.newRun(ctx, jws, report.InputJWS)
	r.res.Errorf(taskProcessJWS, "", "", "Signed assertions (JWS) are not verified by this version of badgebake")
	return r.finish(nil)
}
