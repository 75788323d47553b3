package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/svg"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// exitCode is the exit status for err, from its kind: a finding about the
// image or the payload is ExitBad, a command that could not run (a usage
// or I/O error, or an error that does not say) ExitUsage.
func exitCode(err error) int {
	switch errkind.Of(err) {
	case errkind.BadInput, errkind.NotVerified:
		return ExitBad
	case errkind.Indeterminate:
		return ExitIndeterminate
	default: // Usage, IO, Unknown
		return ExitUsage
	}
}

// payloadParseError is a PAYLOAD argument that is not a badge payload.
type payloadParseError struct {
	arg string
	err error
}

func (e *payloadParseError) Error() string { return e.err.Error() }
func (e *payloadParseError) Unwrap() error { return e.err }

func (e *payloadParseError) ErrorKind() errkind.Kind { return errkind.BadInput }

// hint suggests what to do about an error, or returns "".
func hint(err error) string {
	var notImage *carrier.NotImageError
	var validation *bake.ValidationError
	var parse *payloadParseError
	var refused *verify.RefusedError
	switch {
	case errors.Is(err, png.ErrBadCRC):
		return "badges baked by Mozilla's 2011-2012 baker carry wrong CRCs; --lenient accepts them"
	case errors.As(err, &notImage) && errors.As(err, new(*bakeImageError)) &&
		(strings.Contains(notImage.LooksLike, "JSON") || strings.Contains(notImage.LooksLike, "URL")):
		return "the image comes first: badgebake bake IMAGE PAYLOAD"
	case errors.As(err, &notImage) && notImage.LooksLike == magic.Empty:
		return ""
	case errors.Is(err, carrier.ErrNotImage):
		return "badgebake reads PNG and SVG images; convert other formats first"
	case errors.Is(err, bake.ErrAlreadyBaked):
		return "drop --no-overwrite to replace the existing badge"
	case errors.Is(err, bake.ErrNoHostedURL):
		return "bake the assertion into a PNG, or bake its hosted URL or signed JWS into the SVG"
	case errors.As(err, &validation) && errors.As(err, &refused) && refused.Indeterminate():
		return "the network or the issuer's host failed, not the payload: try again later, or bake with --no-verify to skip the verifier (structure checks still run)"
	case errors.As(err, &validation):
		return "fix the payload; --no-verify skips the verifier, but structure checks still run"
	case errors.As(err, &parse):
		return "PAYLOAD is an http(s) URL, a JSON or JWS literal, @FILE to read a file, or - for standard input"
	case errors.Is(err, svg.ErrEntity):
		return "badgebake never expands entities; remove the DOCTYPE entity declarations from the SVG"
	case errors.Is(err, unbake.ErrNoBadge):
		return ""
	case isInstantError(err):
		return instantHint
	}
	return ""
}

// printError writes "badgebake: error: …" and a hint line, the way every
// error reaches people.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "badgebake: error: %v\n", err)
	if h := hint(err); h != "" {
		fmt.Fprintf(w, "badgebake: hint: %s\n", h)
	}
}

func printWarnings(w io.Writer, prefix string, warnings []string) {
	for _, warning := range warnings {
		fmt.Fprintf(w, "badgebake: warning: %s%s\n", prefix, warning)
	}
}

// bakeImageError is a problem with bake's IMAGE argument; it lets hints
// speak of the argument order.
type bakeImageError struct {
	image string
	err   error
}

func (e *bakeImageError) Error() string { return inFile(e.image, e.err).Error() }
func (e *bakeImageError) Unwrap() error { return e.err }

// inFile prefixes err with the file it concerns, unless it already names
// it (as *os.PathError does).
func inFile(file string, err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) && pathErr.Path == file {
		return err
	}
	return fmt.Errorf("%s: %w", displayName(file), err)
}
