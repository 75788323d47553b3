package verify

import (
	"testing"

	"github.com/badgebake/badgebake/report"
)

func TestVerdictOf(t *testing.T) {
	result := func(graph bool, msgs ...report.Message) *report.Result {
		r := report.New("https://example.org/a", report.InputURL)
		if graph {
			r.Graph = append(r.Graph, map[string]any{"id": "https://example.org/a"})
		}
		r.Report.Messages = msgs
		return r.Finish()
	}
	msg := func(name string, level report.Level) report.Message {
		return report.Message{Name: name, MessageLevel: level, Result: "x"}
	}
	for _, c := range []struct {
		name string
		res  *report.Result
		want Verdict
	}{
		{"no messages", result(true), Valid},
		{"warnings only", result(true, msg("VALIDATE_PROPERTY", report.Warning)), Valid},
		{"empty graph", result(false), Invalid},
		{"an error", result(true, msg("VALIDATE_PROPERTY", report.Error)), Invalid},
		{"410 Gone", result(true, msg("PROCESS_410_GONE", report.Error)), Revoked},
		{"hosted revoked", result(true, msg("VALIDATE_PROPERTY", report.Error), msg("VERIFY_HOSTED_ASSERTION_NOT_REVOKED", report.Error)), Revoked},
		{"on the revocation list", result(true, msg("VERIFY_SIGNED_ASSERTION_NOT_REVOKED", report.Error)), Revoked},
		{"revocation task only a warning", result(true, msg("VALIDATE_PROPERTY", report.Error), msg("PROCESS_410_GONE", report.Warning)), Invalid},
	} {
		if got := VerdictOf(c.res); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
