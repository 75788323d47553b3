package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// Validator runs the verifier on a payload before it is baked (it
// implements bake.Validator). A payload with ERROR messages is refused;
// WARNING messages come back as warnings. Payloads of every generation
// and kind are verified: Open Badges 2.0 hosted URLs, JSON and signed
// JWS, Open Badges 3.0 credential JSON and VC-JWTs.
type Validator struct {
	Verifier *Verifier // nil: a Verifier of its own
	Options  Options
}

// RefusedError carries the report of a payload the verifier rejected.
type RefusedError struct {
	Result *report.Result
}

func (e *RefusedError) Error() string {
	if e.Result == nil {
		return "the verifier refused the payload"
	}
	var errs []string
	for _, m := range e.Result.Report.Messages {
		if m.MessageLevel == report.Error {
			errs = append(errs, fmt.Sprintf("%s: %s", m.Name, m.Result))
		}
	}
	if e.Indeterminate() {
		return fmt.Sprintf("the badge could not be verified because a document it depends on could not be fetched: %s", strings.Join(errs, "; "))
	}
	return fmt.Sprintf("the verifier found %d error(s): %s", len(errs), strings.Join(errs, "; "))
}

// Indeterminate reports whether the payload was refused only because the
// verifier could not fetch what it depends on (the network or the issuer's
// host failed), not for anything wrong with it.
func (e *RefusedError) Indeterminate() bool {
	return e.Result != nil && e.Result.Status == report.StatusIndeterminate
}

// ErrorKind is errkind.Indeterminate when the verifier could not fetch what
// the payload depends on, errkind.NotVerified when it found it invalid.
func (e *RefusedError) ErrorKind() errkind.Kind {
	if e.Indeterminate() {
		return errkind.Indeterminate
	}
	return errkind.NotVerified
}

// Validate implements bake.Validator.
func (v Validator) Validate(ctx context.Context, p *payload.Payload) ([]string, error) {
	warnings, err := p.CheckStructure()
	if err != nil {
		return warnings, err
	}
	verifier := v.Verifier
	if verifier == nil {
		verifier = New(Config{})
	}
	res := verifier.VerifyPayload(ctx, p, &v.Options)
	for _, m := range res.Report.Messages {
		if m.MessageLevel == report.Warning {
			warnings = append(warnings, fmt.Sprintf("%s: %s", m.Name, m.Result))
		}
	}
	if !res.Report.Valid {
		return warnings, &RefusedError{Result: res}
	}
	return warnings, nil
}

// IsRefused reports whether err is a verifier refusal.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}
