// Package textreport writes a verification result for people: the verdict
// in one word, what the badge is, then every message with its node and
// property. (--json is for machines.)
package textreport

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/badgebake/badgebake/report"
)

// Words is how the report says each status.
var Words = map[report.Status]string{
	report.StatusValid:         "VALID",
	report.StatusInvalid:       "INVALID",
	report.StatusRevoked:       "REVOKED",
	report.StatusIndeterminate: "COULD NOT BE CHECKED",
}

// Write writes the verdict for people: the status, what the badge
// is, then every message.
func Write(w io.Writer, res *report.Result) {
	rep := res.Report
	verdict := Words[res.Status]
	if verdict == "" {
		verdict = "INVALID"
	}
	subject := rep.ValidationSubject
	if subject == "" {
		subject = res.Input.Value
		if len(subject) > 80 {
			subject = subject[:80] + "…"
		}
	}
	version := ""
	if rep.OpenBadgesVersion != "" {
		version = " (Open Badges " + rep.OpenBadgesVersion + ")"
	}
	fmt.Fprintf(w, "%s  %s%s\n", verdict, subject, version)
	writeSummary(w, res.Summary)
	if res.Status == report.StatusIndeterminate {
		fmt.Fprintln(w, "the badge could not be checked: a document it depends on could not be fetched (see below); try again later")
	}
	fmt.Fprintf(w, "%d error(s), %d warning(s)\n", rep.ErrorCount, rep.WarningCount)
	for _, k := range slices.Sorted(maps.Keys(rep.RecipientProfile)) {
		fmt.Fprintf(w, "recipient confirmed: %s %s\n", k, rep.RecipientProfile[k])
	}
	for _, m := range rep.Messages {
		where := m.NodeID
		if m.PropName != "" {
			if where != "" {
				where += " "
			}
			where += "(" + m.PropName + ")"
		}
		if where != "" {
			where = "  " + where
		}
		fmt.Fprintf(w, "  %-7s %s%s\n          %s\n", m.MessageLevel, m.Name, where, m.Result)
	}
}

// writeSummary writes what the badge is, a line a fact, aligned.
func writeSummary(w io.Writer, s *report.Summary) {
	if s == nil {
		return
	}
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-10s %s\n", k, v)
		}
	}
	line("badge", s.Name)
	if s.Issuer != nil {
		issuer := s.Issuer.Name
		if id := s.Issuer.ID; id != "" {
			if issuer != "" {
				issuer += " "
			}
			issuer += "(" + id + ")"
		}
		line("issuer", issuer)
	}
	if r := s.Recipient; r != nil {
		who := r.Identity
		if r.Type != "" {
			who = r.Type + " " + who
		}
		if r.Hashed {
			who += " (hashed)"
		}
		line("recipient", who)
	}
	line("issued", s.IssuedOn)
	line("expires", s.Expires)
}
