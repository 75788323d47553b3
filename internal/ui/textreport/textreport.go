// Package textreport writes a verification result for people: the verdict
// in one word, what the badge is, then every message with its node and
// property. (--json is for machines.)
package textreport

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/internal/ui/badgecard"
	"github.com/badgebake/badgebake/report"
)

// Words is how the report says each status.
var Words = map[report.Status]string{
	report.StatusValid:         "VALID",
	report.StatusInvalid:       "INVALID",
	report.StatusRevoked:       "REVOKED",
	report.StatusIndeterminate: "NOT CHECKED",
}

// colors are the ANSI colours of the verdicts, bold: green for valid,
// red for invalid and revoked, yellow for a badge not checked.
var colors = map[report.Status]string{
	report.StatusValid:         "\x1b[1;32m",
	report.StatusInvalid:       "\x1b[1;31m",
	report.StatusRevoked:       "\x1b[1;31m",
	report.StatusIndeterminate: "\x1b[1;33m",
}

const reset = "\x1b[0m"

// Options change how a result is written.
type Options struct {
	// Color writes the verdict in colour, for a terminal.
	Color bool
}

// Write writes the verdict for people, without colour: the status and
// what the badge is, then every message.
func Write(w io.Writer, res *report.Result) { WriteOptions(w, res, Options{}) }

// WriteOptions writes the verdict for people: the status with the badge's
// name and issuer, the input on the next line, the recipient and dates,
// then every message.
func WriteOptions(w io.Writer, res *report.Result, o Options) {
	rep := res.Report
	verdict := Words[res.Status]
	if verdict == "" {
		verdict = "INVALID"
	}
	if o.Color {
		color := colors[res.Status]
		if color == "" {
			color = colors[report.StatusInvalid]
		}
		verdict = color + verdict + reset
	}
	subject := rep.ValidationSubject
	if subject == "" {
		subject = textin.Clip(res.Input.Value, 80)
	}
	version := ""
	if rep.OpenBadgesVersion != "" {
		version = " (Open Badges " + rep.OpenBadgesVersion + ")"
	}
	subject = clean(subject)
	if head := headline(res.Summary); head != "" {
		fmt.Fprintf(w, "%s  %s\n", verdict, head)
		if subject != "" {
			fmt.Fprintf(w, "  %s%s\n", subject, version)
		}
	} else {
		fmt.Fprintf(w, "%s  %s%s\n", verdict, subject, version)
	}
	writeSummary(w, res.Summary)
	if res.Status == report.StatusIndeterminate {
		fmt.Fprintln(w, "the badge could not be checked: a document it depends on could not be fetched (see below); try again later")
	}
	fmt.Fprintf(w, "%d error(s), %d warning(s)\n", rep.ErrorCount, rep.WarningCount)
	for _, k := range slices.Sorted(maps.Keys(rep.RecipientProfile)) {
		fmt.Fprintf(w, "recipient confirmed: %s %s\n", k, rep.RecipientProfile[k])
	}
	for _, m := range rep.Messages {
		where := m.ShownNode()
		if m.PropName != "" {
			if where != "" {
				where += " "
			}
			where += "(" + m.PropName + ")"
		}
		if where != "" {
			where = "  " + where
		}
		fmt.Fprintf(w, "  %-7s %s%s\n          %s\n", m.MessageLevel, m.Name, clean(where), clean(m.Result))
	}
}

// headline names the badge and its issuer: "Robotics" by Example
// Academy; empty when the summary names neither.
func headline(s *report.Summary) string {
	if s == nil {
		return ""
	}
	head := ""
	if s.Name != "" {
		head = strconv.Quote(s.Name)
	}
	if s.Issuer != nil {
		by := s.Issuer.Name
		if by == "" {
			by = s.Issuer.ID
		}
		if by != "" {
			if head == "" {
				head = "a badge"
			}
			head += " by " + clean(by)
		}
	}
	return head
}

// writeSummary writes the issuer's id, who the badge is for and its dates,
// a line a fact, aligned. (The headline names the badge and its issuer.)
func writeSummary(w io.Writer, s *report.Summary) {
	if s == nil {
		return
	}
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-10s %s\n", k, clean(v))
		}
	}
	if s.Issuer != nil && s.Issuer.ID != "" {
		// The name is the issuer's own claim; its id says who it is.
		line("issuer", s.Issuer.ID)
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
	line("issued", badgecard.Date(s.IssuedOn))
	line("expires", badgecard.Date(s.Expires))
}

// clean shows the badge's own text safely on a terminal: control
// characters (an escape sequence could fake a verdict or its colour) are
// written as Go escapes.
func clean(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
