package rdfc

import (
	"strconv"

	"github.com/badgebake/badgebake/errkind"
)

// LimitError is returned when canonicalizing a dataset would take more
// than Options allow: too many blank nodes, or too much work labelling
// blank nodes that look alike (a "poison graph", RDFC-1.0 §Dataset
// Poisoning). The dataset is refused, not canonicalized.
type LimitError struct {
	// Limit names the limit: "blank nodes" or "work".
	Limit string
	// Max is the limit's value.
	Max int
}

func (e *LimitError) Error() string {
	if e.Limit == limitBlankNodes {
		return "canonicalization refused: the graph has more than " + strconv.Itoa(e.Max) + " blank nodes"
	}
	return "canonicalization refused: the graph needs more than " + strconv.Itoa(e.Max) +
		" steps to label its blank nodes (a 'poison graph')"
}

// ErrorKind says a refused dataset is bad input.
func (e *LimitError) ErrorKind() errkind.Kind { return errkind.BadInput }

const (
	limitBlankNodes = "blank nodes"
	limitWork       = "work"
)

// QuadError says a quad given to Canonicalize is not an RDF statement: a
// term of the wrong kind in some position, or text that is not UTF-8.
type QuadError struct {
	Index  int    // index of the quad in the input
	Reason string // e.g. "predicate is not an IRI"
}

func (e *QuadError) Error() string {
	return "rdfc: quad " + strconv.Itoa(e.Index) + ": " + e.Reason
}

// ErrorKind says an ill-formed quad is bad input.
func (e *QuadError) ErrorKind() errkind.Kind { return errkind.BadInput }

// SyntaxError says where N-Quads text is wrong.
type SyntaxError struct {
	Line   int    // 1-based line number
	Column int    // 1-based byte offset in the line
	Msg    string // what was wrong
}

func (e *SyntaxError) Error() string {
	return "n-quads line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Msg
}

// ErrorKind says unparsable N-Quads are bad input.
func (e *SyntaxError) ErrorKind() errkind.Kind { return errkind.BadInput }
