package verify

import "github.com/badgebake/badgebake/report"

// Verdict is the one-word outcome of a verification, for summaries, metrics
// and the badge card people see.
type Verdict string

// Verdicts. Revoked is a kind of invalid: the issuer withdrew the badge.
const (
	Valid   Verdict = "valid"
	Invalid Verdict = "invalid"
	Revoked Verdict = "revoked"
)

// revokedTasks are the errors that mean the issuer revoked the badge: a
// hosted assertion answering 410 Gone (or saying revoked: true), or a
// signed assertion on its issuer's revocation list.
var revokedTasks = map[string]bool{
	"PROCESS_410_GONE":                    true,
	"VERIFY_HOSTED_ASSERTION_NOT_REVOKED": true,
	"VERIFY_SIGNED_ASSERTION_NOT_REVOKED": true,
}

// VerdictOf sums up res: Valid, Revoked when an ERROR says the badge was
// revoked, Invalid otherwise.
func VerdictOf(res *report.Result) Verdict {
	if res.Report.Valid {
		return Valid
	}
	for _, m := range res.Report.Messages {
		if m.MessageLevel == report.Error && revokedTasks[m.Name] {
			return Revoked
		}
	}
	return Invalid
}
