package jsonld

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/badgebake/badgebake/rdfc"
	"github.com/piprate/json-gold/ld"
)

// UndefinedTermError reports a property name or a type that no @context in
// force defines, so that it does not expand to an absolute IRI. JSON-LD drops
// such a property from the RDF a signature covers (and a type that stays a
// relative IRI too), so a holder could add or change it without breaking the
// signature: a Data Integrity verifier must refuse the document instead.
//
// Term is the name as the document spells it ("" when it could not be
// pinned down); Type is true when it was used as a type rather than as a
// property.
type UndefinedTermError struct {
	Term string
	Type bool
	// Err is json-gold's own report, when it made one.
	Err error
}

func (e *UndefinedTermError) Error() string {
	switch {
	case e.Term == "":
		return "jsonld: the credential uses a property that no @context defines: it would not be covered by the signature"
	case e.Type:
		return fmt.Sprintf("jsonld: the credential uses %q as a type, which no @context defines: it would not be covered by the signature", e.Term)
	default:
		return fmt.Sprintf("jsonld: the credential uses %q, which no @context defines: it would not be covered by the signature", e.Term)
	}
}

func (e *UndefinedTermError) Unwrap() error { return e.Err }

// RelativeIRIError reports a node identifier (an "id") that is a relative
// IRI with no base to resolve it against. JSON-LD to RDF drops every
// statement about or pointing at such a node, so it would not be covered by
// the signature either.
type RelativeIRIError struct {
	IRI string
}

func (e *RelativeIRIError) Error() string {
	return fmt.Sprintf("jsonld: the credential uses the relative IRI %q as an id: what it says about it would not be covered by the signature", e.IRI)
}

// PanicError reports a document on which json-gold panicked (it does on some
// malformed contexts, e.g. a non-boolean "@protected"). The document is not
// usable; Value is what json-gold panicked with.
type PanicError struct {
	Op    string
	Value any
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("jsonld: %s failed on a malformed document (json-gold: %v)", e.Op, e.Value)
}

// recoverPanic turns a json-gold panic into a PanicError in *err. Deferred
// by every Processor entry point that runs json-gold on a document.
func recoverPanic(op string, err *error) {
	if v := recover(); v != nil {
		*err = &PanicError{Op: op, Value: v}
	}
}

// ToRDF turns doc, a decoded JSON-LD document (not modified), into RDF
// quads, as a Data Integrity proof (eddsa-rdfc-2022, Ed25519Signature2020)
// needs before canonicalization: json-gold's JSON-LD to RDF with its
// defaults (no generalized RDF), the default graph as the zero Term, blank
// nodes labelled as json-gold labels them (canonicalization relabels them).
//
// Unlike json-gold's Normalize, ToRDF expands in safe mode: a property that
// does not expand to an absolute IRI is an *UndefinedTermError instead of
// being dropped. So is a type that stays a relative IRI (json-gold's safe
// mode lets those through), and a relative node id is a *RelativeIRIError.
// Remote contexts are loaded through the Processor's Loader, with its
// limits. Embedded contexts at the start of the document's @context are
// processed once per process (see withActiveContext).
func (p *Processor) ToRDF(doc any) (quads []rdfc.Quad, err error) {
	defer recoverPanic("JSON-LD to RDF", &err)
	expanded, err := p.expandWith(doc, p.safeOpts)
	if err != nil {
		var jerr *ld.JsonLdError
		if errors.As(err, &jerr) && jerr.Code == ld.InvalidProperty {
			return nil, &UndefinedTermError{Term: p.undefinedProperty(doc), Err: err}
		}
		return nil, fmt.Errorf("jsonld: to RDF: %w", err)
	}
	if err := checkIRIs(expanded); err != nil {
		return nil, err
	}
	dataset, err := ld.NewJsonLdApi().ToRDF(expanded, p.safeOpts)
	if err != nil {
		return nil, fmt.Errorf("jsonld: to RDF: %w", err)
	}
	return datasetQuads(dataset), nil
}

// undefinedVocab is the @vocab undefinedProperty adds to find which property
// json-gold's safe mode refused (its error does not say).
const undefinedVocab = "urn:badgebake:undefined-term:"

// undefinedProperty names the property of doc that no context defines: it
// expands doc again, without safe mode, with a last context that maps every
// undefined name into undefinedVocab, and looks for that prefix. It returns
// "" when that finds nothing (a nested context can reset the vocabulary, or
// map a term to null explicitly).
func (p *Processor) undefinedProperty(doc any) string {
	m, ok := doc.(map[string]any)
	if !ok {
		return ""
	}
	var contexts []any
	switch c := m["@context"].(type) {
	case nil:
	case []any:
		contexts = slices.Clone(c)
	default:
		contexts = []any{c}
	}
	probe := maps.Clone(m)
	probe["@context"] = append(contexts, map[string]any{"@vocab": undefinedVocab})
	expanded, err := p.expandWith(probe, p.opts)
	if err != nil {
		return ""
	}
	return findVocabKey(expanded)
}

// findVocabKey returns the first key under undefinedVocab in an expanded
// document, depth first with keys in order, without the prefix.
func findVocabKey(v any) string {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if t := findVocabKey(e); t != "" {
				return t
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if t, ok := strings.CutPrefix(k, undefinedVocab); ok {
				return t
			}
			if t := findVocabKey(v[k]); t != "" {
				return t
			}
		}
	}
	return ""
}

// checkIRIs walks an expanded document for the IRIs JSON-LD to RDF would
// silently drop: a type (of a node, or a value's datatype) or a node id
// that is not absolute.
func checkIRIs(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := checkIRIs(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch k {
			case "@type":
				for _, t := range arrayOf(v[k]) {
					if s, ok := t.(string); ok && !ld.IsAbsoluteIri(s) && !isJSONLiteralType(s, v) {
						return &UndefinedTermError{Term: s, Type: true}
					}
				}
				continue
			case "@id":
				if s, ok := v[k].(string); ok && !ld.IsAbsoluteIri(s) {
					return &RelativeIRIError{IRI: s}
				}
				continue
			case "@value":
				continue // a literal, even an object (@json)
			}
			if err := checkIRIs(v[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// isJSONLiteralType reports a JSON literal's "@json" type, which is a
// keyword, not an IRI.
func isJSONLiteralType(t string, value map[string]any) bool {
	_, isValue := value["@value"]
	return isValue && t == "@json"
}

// datasetQuads converts json-gold's dataset: the default graph first, then
// the named graphs in order, each graph's quads in json-gold's order.
func datasetQuads(ds *ld.RDFDataset) []rdfc.Quad {
	names := slices.Sorted(maps.Keys(ds.Graphs))
	if i := slices.Index(names, "@default"); i > 0 {
		names = slices.Insert(slices.Delete(names, i, i+1), 0, "@default")
	}
	var out []rdfc.Quad
	for _, name := range names {
		for _, q := range ds.Graphs[name] {
			out = append(out, rdfc.Quad{
				Subject:   term(q.Subject),
				Predicate: term(q.Predicate),
				Object:    term(q.Object),
				Graph:     graphTerm(name),
			})
		}
	}
	return out
}

func graphTerm(name string) rdfc.Term {
	switch {
	case name == "@default":
		return rdfc.Term{}
	case strings.HasPrefix(name, "_:"):
		return rdfc.Term{Kind: rdfc.BlankNode, Value: name[2:]}
	default:
		return rdfc.Term{Kind: rdfc.IRI, Value: name}
	}
}

func term(n ld.Node) rdfc.Term {
	switch n := n.(type) {
	case ld.IRI:
		return rdfc.Term{Kind: rdfc.IRI, Value: n.Value}
	case *ld.IRI:
		return rdfc.Term{Kind: rdfc.IRI, Value: n.Value}
	case ld.BlankNode:
		return rdfc.Term{Kind: rdfc.BlankNode, Value: strings.TrimPrefix(n.Attribute, "_:")}
	case *ld.BlankNode:
		return rdfc.Term{Kind: rdfc.BlankNode, Value: strings.TrimPrefix(n.Attribute, "_:")}
	case ld.Literal:
		return rdfc.Term{Kind: rdfc.Literal, Value: n.Value, Datatype: n.Datatype, Language: n.Language}
	case *ld.Literal:
		return rdfc.Term{Kind: rdfc.Literal, Value: n.Value, Datatype: n.Datatype, Language: n.Language}
	default:
		return rdfc.Term{}
	}
}
