package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/svg"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// Exit codes come from the kind the errors carry, whatever wraps them.
func TestExitCodeFromKind(t *testing.T) {
	_, svgErr := svg.Find([]byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`), nil)
	_, parseErr := payload.Parse([]byte("hello"))
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"png format", &png.FormatError{Err: png.ErrBadCRC}, ExitBad},
		{"svg", svgErr, ExitBad},
		{"not an image", &carrier.NotImageError{LooksLike: "a JPEG image"}, ExitBad},
		{"no badge", inFile("a.png", unbake.ErrNoBadge), ExitBad},
		{"unreadable payload", &unbake.PayloadError{Err: parseErr}, ExitBad},
		{"payload", &payloadParseError{err: parseErr}, ExitBad},
		{"structure", &payload.StructureError{}, ExitBad},
		{"refused", &bake.ValidationError{Err: &verify.RefusedError{}}, ExitBad},
		{"already baked", fmt.Errorf("x: %w", bake.ErrAlreadyBaked), ExitBad},
		{"not verified", &verify.RefusedError{}, ExitBad},
		{"usage", usagef("bad flag"), ExitUsage},
		{"usage wrapping a bad input", &usageError{unbake.ErrNoBadge}, ExitUsage},
		{"file", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, ExitUsage},
		{"io", errkind.Mark(errkind.IO, errors.New("disk full")), ExitUsage},
		{"unknown", errors.New("something"), ExitUsage},
		{"indeterminate", errkind.Mark(errkind.Indeterminate, errors.New("could not fetch")), ExitIndeterminate},
		{"refused, could not be checked", &bake.ValidationError{Err: &verify.RefusedError{Result: &report.Result{Status: report.StatusIndeterminate}}}, ExitIndeterminate},
	} {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exit %d, want %d (%v)", tt.name, got, tt.want, tt.err)
		}
	}
}
