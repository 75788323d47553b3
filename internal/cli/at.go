package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// instant is the --at flag: the moment a badge is verified as of, instead
// of now. Dates in a badge (issued, not yet valid, expired) are compared
// with it, so an archive can be checked as it stood on the day it was
// received, or a badge tried against tomorrow.
type instant struct {
	t   time.Time
	set bool
}

// instantError is an --at value that is neither an RFC 3339 date-time nor
// a date; hint explains the forms.
type instantError struct {
	value  string
	reason string
}

func (e *instantError) Error() string {
	return fmt.Sprintf("%q is not a time: %s", clipArg(e.value), e.reason)
}

// instantHint is the hint printed after an --at error.
const instantHint = "--at takes an RFC 3339 date-time such as 2024-05-01T00:00:00Z (or with an offset, 2024-05-01T09:30:00+02:00) or a date such as 2024-05-01 (midnight UTC)"

func (a *instant) Set(s string) error {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		*a = instant{t: t, set: true}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		*a = instant{t: t, set: true} // midnight UTC
		return nil
	}
	reason := "not an RFC 3339 date-time or a date"
	if _, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		// The most likely slip: a local time would make the verdict depend
		// on where it runs.
		reason = "it has no time zone; add Z for UTC or an offset such as +02:00"
	}
	return &instantError{value: s, reason: reason}
}

func (a *instant) String() string {
	if !a.set {
		return ""
	}
	return a.t.Format(time.RFC3339Nano)
}

func (a *instant) Type() string { return "TIME" }

// clock is the verifier's clock: nil (the real one) without --at.
func (a *instant) clock() func() time.Time {
	if !a.set {
		return nil
	}
	t := a.t
	return func() time.Time { return t }
}

func addAtFlag(cmd *cobra.Command, a *instant, what string) {
	cmd.Flags().Var(a, "at", what+" as of `TIME` instead of now: an RFC 3339 date-time (2024-05-01T00:00:00Z) or a date (2024-05-01, midnight UTC); issue and expiry dates are compared with it")
}

// isInstantError reports whether err is a bad --at value.
func isInstantError(err error) bool {
	var ie *instantError
	return errors.As(err, &ie)
}
