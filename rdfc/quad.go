// Package rdfc canonicalizes RDF datasets with the W3C RDF Dataset
// Canonicalization algorithm, RDFC-1.0 (the algorithm formerly called
// URDNA2015), and writes canonical N-Quads.
//
// Open Badges 3.0 Data Integrity proofs (eddsa-rdfc-2022,
// Ed25519Signature2020) sign the SHA-256 of a credential's canonical
// N-Quads, so every byte matters: this package escapes literals as
// RDFC-1.0 says (control characters included) and bounds the work the
// blank-node labelling may do, so a "poison graph" is refused quickly
// instead of hanging the verifier.
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
