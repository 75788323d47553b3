package jsonld

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

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

// DroppedValueError reports a value that JSON-LD to RDF would drop
// silently, and with it every statement it is part of, so that the
// signature would not cover them: a node id that is a relative IRI with
// nothing to resolve it against, an http(s) IRI that json-gold does not
// accept as a URL, an invalid language tag, or a blank node used as a
// property. Value is as it appears after expansion.
type DroppedValueError struct {
	Value  string
	Reason DropReason
}

// DropReason says why JSON-LD to RDF would drop a value.
type DropReason uint8

const (
	// RelativeIRI: a node id with no base IRI to resolve it against.
	RelativeIRI DropReason = iota + 1
	// InvalidIRI: an IRI that does not parse, or an http(s) IRI that
	// json-gold's URL check refuses.
	InvalidIRI
	// InvalidLanguageTag: a literal's language tag is not letters and
	// digits in hyphen-separated parts.
	InvalidLanguageTag
	// BlankNodeProperty: a property that is a blank node (generalized RDF).
	BlankNodeProperty
)

func (e *DroppedValueError) Error() string {
	why := map[DropReason]string{
		RelativeIRI:        "a relative IRI with nothing to resolve it against",
		InvalidIRI:         "which is not a valid IRI",
		InvalidLanguageTag: "which is not a valid language tag",
		BlankNodeProperty:  "a blank node as a property",
	}[e.Reason]
	return fmt.Sprintf("jsonld: the credential uses %q, %s: JSON-LD to RDF drops what it says there, so it would not be covered by the signature", e.Value, why)
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
// mode lets those through). Whatever else JSON-LD to RDF would drop
// silently (a relative node id, an IRI json-gold's URL check refuses, an
// invalid language tag, a blank node property) is a *DroppedValueError. A
// json-gold panic is a *PanicError; other failures wrap json-gold's
// *ld.JsonLdError or the Loader's errors.
//
// Remote contexts are loaded through the Processor's Loader, with its
// limits. Embedded contexts at the start of the document's @context are
// processed once per process (see withActiveContext), and the quads are
// made from json-gold's node map by nodeMapQuads: the same quads as
// json-gold's ToRDF, faster.
func (p *Processor) ToRDF(doc any) (quads []rdfc.Quad, err error) {
	defer recoverPanic("JSON-LD to RDF", &err)
	if n := countValues(doc, MaxDocumentValues+1); n > MaxDocumentValues {
		return nil, &DocumentLimitError{Max: MaxDocumentValues}
	}
	expanded, err := p.expandWith(doc, p.safeOpts)
	if err != nil {
		var jerr *ld.JsonLdError
		if errors.As(err, &jerr) && jerr.Code == ld.InvalidProperty {
			return nil, &UndefinedTermError{Term: p.undefinedProperty(doc), Err: err}
		}
		return nil, fmt.Errorf("jsonld: to RDF: %w", err)
	}
	unusual, err := checkIRIs(expanded)
	if err != nil {
		return nil, err
	}
	if !unusual && p.reuseContexts {
		quads, err := nodeMapQuads(expanded)
		if err == nil {
			return quads, nil
		}
		if !errors.Is(err, errUnusual) {
			return nil, fmt.Errorf("jsonld: to RDF: %w", err)
		}
		// The node map may have changed the expanded document: start
		// again (checkIRIs should have seen what nodeMapQuads did not).
		if expanded, err = p.expandWith(doc, p.safeOpts); err != nil {
			return nil, fmt.Errorf("jsonld: to RDF: %w", err)
		}
	}
	return jsonGoldQuads(expanded, p.safeOpts)
}

// jsonGoldQuads is json-gold's own JSON-LD to RDF of an expanded document.
func jsonGoldQuads(expanded []any, opts *ld.JsonLdOptions) ([]rdfc.Quad, error) {
	dataset, err := ld.NewJsonLdApi().ToRDF(expanded, opts)
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

// checkIRIs walks an expanded document for what JSON-LD to RDF would
// silently drop (json-gold's GraphToRDF and its final validity filter): a
// type (of a node, or a value's datatype) that is not absolute, a relative
// node id, an http(s) IRI anywhere that json-gold's URL check refuses, an
// invalid language tag, a blank node property.
//
// It also reports whether the document holds anything nodeMapQuads leaves
// to json-gold (a list, a JSON literal, a direction, a json.Number).
func checkIRIs(expanded any) (unusual bool, err error) {
	c := newIRIChecker()
	err = c.check(expanded)
	return c.unusual, err
}

// iriChecker remembers the IRIs already checked in one document: the URL
// check is a costly regular expression and vocabulary IRIs repeat.
type iriChecker struct {
	seen    map[string]bool
	unusual bool
}

func newIRIChecker() *iriChecker { return &iriChecker{seen: map[string]bool{}} }

func (c *iriChecker) valid(iri string) bool {
	if !strings.HasPrefix(iri, "http://") && !strings.HasPrefix(iri, "https://") {
		return true
	}
	ok, seen := c.seen[iri]
	if !seen {
		ok = validURL(iri)
		c.seen[iri] = ok
	}
	return ok
}

// validURLs remembers, per process, http(s) IRIs that passed json-gold's
// URL check: the vocabulary IRIs of the embedded contexts come back in
// every credential. Bounded, as documents bring IRIs of their own.
var validURLs = struct {
	sync.Mutex
	m map[string]struct{}
}{m: map[string]struct{}{}}

const maxValidURLs = 4096

func validURL(iri string) bool {
	validURLs.Lock()
	_, ok := validURLs.m[iri]
	validURLs.Unlock()
	if ok {
		return true
	}
	if !ld.IsURL(iri) {
		return false
	}
	validURLs.Lock()
	if len(validURLs.m) < maxValidURLs {
		validURLs.m[iri] = struct{}{}
	}
	validURLs.Unlock()
	return true
}

func (c *iriChecker) check(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := c.check(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch k {
			case "@type":
				for _, t := range arrayOf(v[k]) {
					s, ok := t.(string)
					switch {
					case !ok:
					case isJSONLiteralType(s, v):
						c.unusual = true
					case !ld.IsAbsoluteIri(s):
						return &UndefinedTermError{Term: s, Type: true}
					case !c.valid(s):
						return &DroppedValueError{Value: s, Reason: InvalidIRI}
					}
				}
				continue
			case "@id":
				if s, ok := v[k].(string); ok {
					if !ld.IsAbsoluteIri(s) {
						reason := RelativeIRI
						if strings.Contains(s, ":") {
							reason = InvalidIRI // "https://exa mple.org" does not parse
						}
						return &DroppedValueError{Value: s, Reason: reason}
					}
					if !c.valid(s) {
						return &DroppedValueError{Value: s, Reason: InvalidIRI}
					}
				}
				continue
			case "@language":
				if s, ok := v[k].(string); ok && !validLanguageTag(s) {
					return &DroppedValueError{Value: s, Reason: InvalidLanguageTag}
				}
				continue
			case "@value":
				switch v[k].(type) {
				case string, bool, float64:
				default:
					c.unusual = true
				}
				continue // a literal, even an object (@json)
			case "@list", "@direction":
				c.unusual = true
			}
			if strings.HasPrefix(k, "_:") {
				return &DroppedValueError{Value: k, Reason: BlankNodeProperty}
			}
			if !strings.HasPrefix(k, "@") && !c.valid(k) {
				return &DroppedValueError{Value: k, Reason: InvalidIRI}
			}
			if err := c.check(v[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// validLanguageTag is json-gold's test for the language tag of a literal
// (^[a-zA-Z]+(-[a-zA-Z0-9]+)*$), without a regular expression.
func validLanguageTag(tag string) bool {
	for i, part := range strings.Split(tag, "-") {
		if part == "" {
			return false
		}
		for _, r := range part {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if !letter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
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

// MaxDocumentValues bounds the JSON objects and array elements of a
// document ToRDF converts. Expansion and conversion cost grows with them,
// before the canonicalizer's own work limit is reached: a "poison graph"
// of a few hundred blank nodes that all name each other is 90,000 small
// objects and would take seconds to expand. Real credentials have a few
// hundred at most.
const MaxDocumentValues = 20000

// DocumentLimitError refuses a document with more than Max JSON objects
// and array elements.
type DocumentLimitError struct{ Max int }

func (e *DocumentLimitError) Error() string {
	return fmt.Sprintf("jsonld: the document has more than %d JSON objects and array elements; refused before expansion (a graph this size is not a credential, and would be costly to canonicalize)", e.Max)
}

// countValues counts the objects and array elements in v, stopping once
// the count reaches limit.
func countValues(v any, limit int) int {
	n := 0
	var walk func(any)
	walk = func(v any) {
		if n >= limit {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			n++
			for _, e := range t {
				walk(e)
			}
		case []any:
			n += len(t)
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return n
}
