package svg

import (
	"strconv"

	"github.com/badgebake/badgebake/errkind"
)

// Sentinel errors. Every error returned by [Find] and [Bake] matches exactly
// one of them with errors.Is; most are an [*Error] carrying details.
var (
	// ErrNotSVG: the input is not an SVG document (no root element, or the
	// root is not svg). The message hints at what the input looks like
	// (PNG, JPEG, JSON, HTML, empty…) when that is cheap to tell.
	ErrNotSVG = errkind.New(errkind.BadInput, "svg: not an SVG document")
	// ErrSyntax: the document is not well-formed XML. The *Error wraps the
	// *xml.SyntaxError when there is one.
	ErrSyntax = errkind.New(errkind.BadInput, "svg: malformed XML")
	// ErrEntity: the document references an entity declared in its DOCTYPE.
	// Entities are never expanded and external entities never fetched.
	ErrEntity = errkind.New(errkind.BadInput, "svg: entity refused")
	// ErrTooLarge: the document is larger than Options.MaxSize, or the
	// body or verify attribute of a badge element larger than
	// Options.MaxTextSize.
	ErrTooLarge = errkind.New(errkind.BadInput, "svg: document too large")
	// ErrTooDeep: elements are nested deeper than Options.MaxDepth.
	ErrTooDeep = errkind.New(errkind.BadInput, "svg: elements nested too deeply")
	// ErrEncoding: the document is not UTF-8 (another encoding is declared,
	// or it is UTF-16).
	ErrEncoding = errkind.New(errkind.BadInput, "svg: unsupported character encoding")
	// ErrInvalidElement: the NewElement passed to Bake cannot be written
	// (unknown namespace, nothing to bake, invalid UTF-8 or characters XML
	// 1.0 forbids).
	ErrInvalidElement = errkind.New(errkind.BadInput, "svg: invalid badge element")
)

// Error is the detailed form of the errors returned by [Find] and [Bake].
// errors.Is(err, Kind) holds, and errors.As reaches Err (for example an
// *xml.SyntaxError) when it is set.
type Error struct {
	Kind error  // one of the Err* sentinels of this package
	Msg  string // what went wrong, without the "svg: " prefix or the line
	Line int    // 1-based line in the document; 0 when not applicable
	Err  error  // underlying cause, or nil
}

func (e *Error) Error() string {
	s := "svg: " + e.Msg
	if e.Line > 0 {
		s += " (line " + strconv.Itoa(e.Line) + ")"
	}
	return s
}

// Unwrap returns the sentinel kind and, when set, the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newError(kind error, line int, msg string, cause error) *Error {
	return &Error{Kind: kind, Msg: msg, Line: line, Err: cause}
}
