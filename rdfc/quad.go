// Package rdfc canonicalizes RDF datasets with the W3C RDF Dataset
// Canonicalization algorithm, RDFC-1.0 (the algorithm formerly called
// URDNA2015), and writes canonical N-Quads.
//
// Open Badges 3.0 Data Integrity proofs (eddsa-rdfc-2022,
// Ed25519Signature2020) sign the SHA-256 of a credential's canonical
// N-Quads, so every byte matters. Canonicalize relabels blank nodes
// _:c14n0, _:c14n1, … and returns one line per distinct quad, sorted by
// code point. Labels returns the same labelling as a map.
//
// Escaping follows the canonical N-Quads of RDFC-1.0 (appendix A):
// in literals, backspace, tab, line feed, form feed, carriage return,
// quotation mark and backslash are written \b \t \n \f \r \" \\; the other
// control characters (U+0000–U+001F), DEL and U+FFFE/U+FFFF are written
// \uXXXX with uppercase hex; everything else, IRIs included, is written as
// it is. Literals typed xsd:string are written without their datatype.
// Older URDNA2015 implementations left some control characters raw, so a
// credential with control characters in its literals may verify here and
// not elsewhere, or the other way round.
//
// Most datasets are labelled from each blank node's own quads, but blank
// nodes that look alike need the Hash N-Degree Quads algorithm, whose
// work grows factorially with their number: a "poison graph" (RDFC-1.0
// §Dataset Poisoning) would hang a verifier. Options bound the number of
// blank nodes and that work; past either bound Canonicalize returns a
// *LimitError at once. The defaults let every credential and every
// non-poison W3C test through and refuse the W3C's 10-node clique in
// milliseconds.
//
// Because IRIs are written as they are, Canonicalize refuses (with a
// *QuadError) an IRI holding '>' or a control character, a blank node
// label holding a space or a control character, and a language tag
// holding anything but letters, digits and '-': such terms would make the
// N-Quads ambiguous, and two different datasets could then share canonical
// bytes, hence a signature. Credentials have no use for such terms.
//
// ParseNQuads reads N-Quads, for tests, fuzzing and tools.
package rdfc

// TermKind says what an RDF term is.
type TermKind uint8

const (
	// None is the zero Kind: in Quad.Graph it means the default graph.
	None TermKind = iota
	IRI
	BlankNode
	Literal
)

// Term is an RDF term. For an IRI, Value is the IRI; for a blank node,
// Value is its label without "_:"; for a literal, Value is the lexical
// form, Datatype its datatype IRI (xsd:string when empty and Language is
// empty; rdf:langString when Language is set) and Language its language
// tag.
type Term struct {
	Kind     TermKind
	Value    string
	Datatype string
	Language string
}

// Quad is one statement. Graph is the zero Term (Kind None) for the
// default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}
