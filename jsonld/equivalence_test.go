package jsonld

// These tests prove that every context we wrote means the same as the
// official copy in the shared corpus: same terms, same parsed term
// definitions, and the same expansion and compaction of a generated document
// that uses every term in every way its definition allows. A final test
// checks that the generated documents are sensitive to every single term.

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
)

// loaderFunc adapts a function to ld.DocumentLoader.
type loaderFunc func(u string) (*ld.RemoteDocument, error)

func (f loaderFunc) LoadDocument(u string) (*ld.RemoteDocument, error) { return f(u) }

// TestCorpusIndexMatchesRegistry checks that the embedded contexts are exactly
// the contexts of the corpus index (JSON schemas aside) plus those kept in
// testdata/official, each alias naming one file.
func TestCorpusIndexMatchesRegistry(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		want, ok := official.file(e.urls[0])
		if !ok {
			if _, inTestdata := officialTestdata[e.urls[0]]; !inTestdata {
				t.Errorf("%s is embedded but not in the corpus index", e.urls[0])
			}
			continue
		}
		for _, u := range e.urls[1:] {
			if got, _ := official.file(u); got != want {
				t.Errorf("alias %s: corpus file %q, want %q (as for %s)", u, got, want, e.urls[0])
			}
		}
	}
	for u, f := range official.index {
		if !strings.HasSuffix(u, "schema.json") && !IsEmbedded(u) {
			t.Errorf("corpus context %s (%s) is not embedded", u, f)
		}
	}
}

// inlineTerms returns the term names of a context document's inline
// context object(s).
func inlineTerms(t *testing.T, doc any) []string {
	t.Helper()
	var terms []string
	for _, c := range inlineContexts(t, doc) {
		terms = append(terms, slices.Collect(maps.Keys(c))...)
	}
	slices.Sort(terms)
	return terms
}

func inlineContexts(t *testing.T, doc any) []map[string]any {
	t.Helper()
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("context document is %T, want an object", doc)
	}
	var out []map[string]any
	for _, c := range arrayOf(m["@context"]) {
		if cm, ok := c.(map[string]any); ok {
			out = append(out, cm)
		}
	}
	return out
}

func TestTermSetsMatchOfficial(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		t.Run(e.urls[0], func(t *testing.T) {
			ours, err := e.document()
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := official.LoadDocument(e.urls[0])
			if err != nil {
				t.Fatal(err)
			}
			got, want := inlineTerms(t, ours), inlineTerms(t, theirs.Document)
			if !slices.Equal(got, want) {
				t.Errorf("terms differ\nours:     %v\nofficial: %v", got, want)
			}
			if len(got) == 0 {
				t.Error("no terms")
			}
		})
	}
}

// parsedContexts processes url with our loader and with the official one.
func parsedContexts(t *testing.T, url string, official ld.DocumentLoader) (ours, theirs *ld.Context) {
	t.Helper()
	ours, err := ld.NewContext(nil, optionsWith(NewLoader(nil))).Parse(url)
	if err != nil {
		t.Fatalf("our %s: %v", url, err)
	}
	theirs, err = ld.NewContext(nil, optionsWith(official)).Parse(url)
	if err != nil {
		t.Fatalf("official %s: %v", url, err)
	}
	return ours, theirs
}

// TestTermDefinitionsMatchOfficial compares json-gold's processed term
// definitions field by field, including the prefix flag (whether a term may
// start a compact IRI), which a string versus object definition can change.
func TestTermDefinitionsMatchOfficial(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		t.Run(e.urls[0], func(t *testing.T) {
			ours, theirs := parsedContexts(t, e.urls[0], official)
			got := slices.Sorted(maps.Keys(ours.TermDefinitions))
			want := slices.Sorted(maps.Keys(theirs.TermDefinitions))
			if !slices.Equal(got, want) {
				t.Fatalf("defined terms differ\nours:     %v\nofficial: %v", got, want)
			}
			for _, term := range got {
				a, b := ours.TermDefinitions[term], theirs.TermDefinitions[term]
				if (a == nil) != (b == nil) {
					t.Errorf("%s: null mapping differs", term)
					continue
				}
				if a == nil {
					continue
				}
				if !ld.DeepCompareTermDef(a, b, true) || prefixFlag(a) != prefixFlag(b) {
					t.Errorf("%s: ours %+v (prefix %v), official %+v (prefix %v)", term, *a, prefixFlag(a), *b, prefixFlag(b))
				}
			}
			if !reflect.DeepEqual(ours.Values, theirs.Values) {
				t.Errorf("context values differ: ours %+v, official %+v", *ours.Values, *theirs.Values)
			}
			if !reflect.DeepEqual(ours.Protected, theirs.Protected) {
				t.Errorf("protected terms differ: ours %v, official %v", ours.Protected, theirs.Protected)
			}
		})
	}
}

func prefixFlag(td *ld.TermDefinition) bool { return td.Prefix != nil && *td.Prefix }

// docGen writes a JSON-LD document that uses every term of an active context:
// each term as a property with values suited to its definition, as a type
// value, and as the prefix of a compact IRI; with nested node objects.
type docGen struct {
	ctx      *ld.Context
	terms    []string // terms with a non-null definition, sorted
	prefixes []string // terms usable as compact IRI prefixes
	idKey    string   // the alias of @id, or "@id"
	typeKey  string   // the alias of @type, or "@type"
}

func newDocGen(ctx *ld.Context) *docGen {
	g := &docGen{ctx: ctx, idKey: "@id", typeKey: "@type"}
	for _, term := range slices.Sorted(maps.Keys(ctx.TermDefinitions)) {
		td := ctx.TermDefinitions[term]
		if td == nil {
			continue
		}
		g.terms = append(g.terms, term)
		if prefixFlag(td) {
			g.prefixes = append(g.prefixes, term)
		}
		// Prefer the shortest alias so the choice is stable.
		if td.ID == "@id" && (g.idKey == "@id" || len(term) < len(g.idKey)) {
			g.idKey = term
		}
		if td.ID == "@type" && (g.typeKey == "@type" || len(term) < len(g.typeKey)) {
			g.typeKey = term
		}
	}
	return g
}

func (g *docGen) document(t *testing.T, contextURL string) map[string]any {
	t.Helper()
	root := map[string]any{
		"@context": contextURL,
		g.idKey:    "https://example.org/root",
		// Defined by no term: dropped, or mapped by @vocab where the
		// context has one.
		"notDefinedByAnyTerm": "undefined",
	}
	var types, aliasUses, typed []any
	for _, term := range g.terms {
		td := g.ctx.TermDefinitions[term]
		root[term+":prop"] = "compact IRI key " + term
		types = append(types, term+":Class")
		switch {
		case td.ID == "@id" || td.ID == "@type":
			// Keyword aliases: each used in its own node, since two aliases
			// of one keyword in the same object collide.
			aliasUses = append(aliasUses, map[string]any{term: g.keywordValue(td.ID, term)})
		case strings.HasPrefix(td.ID, "@"):
			t.Fatalf("term %s aliases %s, which the generator does not handle", term, td.ID)
		default:
			root[term] = g.container(t, term, td, g.values(term, td))
			if td.HasContext {
				// A type-scoped context is tried in a node of its own: two
				// of them on one node may clash over protected terms.
				if n := g.typedNode(t, term, td); n != nil {
					typed = append(typed, n)
				}
			} else {
				types = append(types, term)
			}
		}
	}
	for _, p := range g.prefixes {
		types = append(types, p+":Thing")
	}
	root[g.typeKey] = append(types, "NotDefinedByAnyTerm")
	if len(aliasUses) > 0 {
		root["https://example.org/keywordAliases"] = aliasUses
	}
	if len(typed) > 0 {
		root["https://example.org/typedNodes"] = typed
	}
	return root
}

// typedNode is a node of type term, whose definition has a scoped context,
// using every term that scoped context defines, so that those terms are
// compared too.
func (g *docGen) typedNode(t *testing.T, term string, td *ld.TermDefinition) map[string]any {
	t.Helper()
	node := map[string]any{g.typeKey: term, g.idKey: "https://example.org/typed/" + term}
	scoped, err := g.ctx.Parse(td.Context)
	if err != nil {
		// A property-scoped context may override protected terms, which
		// Parse refuses; the term is still used as a property, and its
		// scoped context is compared by TestTermDefinitionsMatchOfficial.
		return nil
	}
	sg := newDocGen(scoped)
	// Prefixes a scoped context defines do not reach nested nodes, where a
	// compact IRI would stay unexpanded and break compaction.
	sg.prefixes = nil
	for _, st := range sg.terms {
		std := scoped.TermDefinitions[st]
		top := g.ctx.TermDefinitions[st]
		if strings.HasPrefix(std.ID, "@") || (top != nil && ld.DeepCompareTermDef(std, top, true)) {
			continue // keyword aliases, and terms the top level already covers
		}
		node[st] = sg.container(t, st, std, sg.scopedValues(st, std))
	}
	return node
}

// scopedValues are values for a term of a scoped context: like values, but
// nested nodes are untyped, so that no further type-scoped context applies.
func (g *docGen) scopedValues(term string, td *ld.TermDefinition) []any {
	var out []any
	for _, v := range g.values(term, td) {
		if m, ok := v.(map[string]any); ok && m[g.typeKey] != nil {
			m = maps.Clone(m)
			delete(m, g.typeKey)
			v = m
		}
		out = append(out, v)
	}
	return out
}

func (g *docGen) keywordValue(keyword, term string) any {
	if keyword == "@id" {
		return "https://example.org/alias/" + term
	}
	return []any{"https://example.org/AliasType", term + ":Class"}
}

// nested is a node object inside a value, so that terms are also expanded
// below the top level.
func (g *docGen) nested(term string) map[string]any {
	return map[string]any{
		g.idKey:          "https://example.org/nested/" + term,
		g.typeKey:        term,
		term:             "nested-" + term,
		term + ":nested": true,
	}
}

// iris returns IRI values: absolute, relative, a bare term and a compact
// IRI with every prefix.
func (g *docGen) iris(term string) []any {
	v := []any{"https://example.org/" + term, "relative/" + term, term}
	for _, p := range g.prefixes {
		v = append(v, p+":"+term)
	}
	return v
}

func (g *docGen) values(term string, td *ld.TermDefinition) []any {
	const xsd = "http://www.w3.org/2001/XMLSchema#"
	switch td.Type {
	case "@id", "@vocab":
		return append(g.iris(term), g.nested(term))
	case "":
		return []any{
			"text " + term, 42.0, 2.5, true, false,
			map[string]any{"@value": "texte", "@language": "fr"},
			map[string]any{"@value": "2016-12-31", "@type": "xsd:date"},
			map[string]any{"@id": "https://example.org/ref/" + term},
			g.nested(term),
		}
	case xsd + "dateTime":
		return []any{"2016-12-31T23:59:59+00:00", "2017-01-01T00:00:00Z"}
	case xsd + "boolean":
		return []any{"true", "false", true, false}
	default:
		return []any{"lexical-" + term, 1.0}
	}
}

// container shapes values as the term's @container requires.
func (g *docGen) container(t *testing.T, term string, td *ld.TermDefinition, values []any) any {
	t.Helper()
	if td.Reverse {
		return []any{map[string]any{g.idKey: "https://example.org/reverse/" + term}}
	}
	c := td.Container
	switch {
	case len(c) == 0, slices.Equal(c, []string{"@set"}), slices.Equal(c, []string{"@list"}):
		return values
	case slices.Contains(c, "@graph"):
		// Graph containers hold node objects.
		return []any{g.nested(term), map[string]any{g.idKey: "https://example.org/graph/" + term}}
	case slices.Contains(c, "@language"):
		return map[string]any{"en": "english " + term, "fr": []any{"un", "deux"}, "@none": "none"}
	case slices.Contains(c, "@index"):
		return map[string]any{"a": values[0], "b": values[1:]}
	case slices.Contains(c, "@id"):
		return map[string]any{"https://example.org/keyed/" + term: map[string]any{term: "keyed"}}
	case slices.Contains(c, "@type"):
		return map[string]any{"https://example.org/Keyed": map[string]any{g.idKey: "https://example.org/k/" + term}}
	default:
		t.Fatalf("term %s: container %v is not handled by the generator", term, c)
		return nil
	}
}

// expandAndCompact expands doc with l, then compacts the result into url.
func expandAndCompact(t *testing.T, l ld.DocumentLoader, doc map[string]any, url string) ([]any, map[string]any) {
	t.Helper()
	p := ld.NewJsonLdProcessor()
	expanded, err := p.Expand(doc, optionsWith(l))
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	compacted, err := p.Compact(expanded, url, optionsWith(l))
	if err != nil {
		// json-gold refuses to compact some documents (e.g. "IRI confused
		// with prefix" for VC 1.1's sec: terms); then the errors must agree.
		return expanded, map[string]any{"compaction error": err.Error()}
	}
	return expanded, compacted
}

func TestGeneratedDocumentsExpandLikeOfficial(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		t.Run(e.urls[0], func(t *testing.T) {
			_, theirs := parsedContexts(t, e.urls[0], official)
			g := newDocGen(theirs)
			doc := g.document(t, e.urls[0])

			gotX, gotC := expandAndCompact(t, NewLoader(nil), doc, e.urls[0])
			wantX, wantC := expandAndCompact(t, official, doc, e.urls[0])
			if !reflect.DeepEqual(gotX, wantX) {
				t.Errorf("expansion differs\nours:     %s\nofficial: %s", mustJSON(gotX), mustJSON(wantX))
			}
			if !reflect.DeepEqual(gotC, wantC) {
				t.Errorf("compaction differs\nours:     %s\nofficial: %s", mustJSON(gotC), mustJSON(wantC))
			}
			// Each term is a key of the root node (keyword aliases aside), so
			// expansion dropping terms would show here.
			props := len(gotX[0].(map[string]any))
			if props < len(g.terms) {
				t.Errorf("expanded root has %d properties for %d terms", props, len(g.terms))
			}
			t.Logf("%d terms (%d prefixes), %d expanded root properties", len(g.terms), len(g.prefixes), props)
		})
	}
}

// TestGeneratedDocumentsCatchEveryTermChange shows the generated documents
// are a strong check: redefining any single term of our copy changes the
// expansion, so the comparison above would fail.
func TestGeneratedDocumentsCatchEveryTermChange(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		t.Run(e.urls[0], func(t *testing.T) {
			_, theirs := parsedContexts(t, e.urls[0], official)
			doc := newDocGen(theirs).document(t, e.urls[0])
			want, _ := expandAndCompact(t, official, doc, e.urls[0])
			ours, err := e.document()
			if err != nil {
				t.Fatal(err)
			}
			for _, term := range inlineTerms(t, ours) {
				if strings.HasPrefix(term, "@") && term != "@vocab" {
					continue // @protected, @version: not mappings
				}
				changed := redefine(t, ours, term, "urn:changed:"+term)
				l := loaderFunc(func(u string) (*ld.RemoteDocument, error) {
					if lookupEmbedded(u) == e {
						return &ld.RemoteDocument{DocumentURL: u, Document: ld.CloneDocument(changed)}, nil
					}
					return NewLoader(nil).LoadDocument(u)
				})
				got, err := ld.NewJsonLdProcessor().Expand(doc, optionsWith(l))
				if err == nil && reflect.DeepEqual(got, want) {
					t.Errorf("redefining %q does not change the expansion", term)
				}
			}
		})
	}
}

// redefine returns a copy of a context document with term mapped to iri.
func redefine(t *testing.T, doc any, term, iri string) any {
	t.Helper()
	c := ld.CloneDocument(doc)
	for _, m := range inlineContexts(t, c) {
		if _, ok := m[term]; ok {
			m[term] = iri
			return c
		}
	}
	t.Fatalf("term %s not found", term)
	return nil
}

// TestContextDocumentsExpandLikeOfficial expands the context documents
// themselves: besides @context they carry data the verifier reads, the
// extension validation entries (obi:validation) and v1's validation list.
func TestContextDocumentsExpandLikeOfficial(t *testing.T) {
	official := newOfficialLoader(t)
	for _, e := range registry {
		t.Run(e.urls[0], func(t *testing.T) {
			ours, err := NewLoader(nil).LoadDocument(e.urls[0])
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := official.LoadDocument(e.urls[0])
			if err != nil {
				t.Fatal(err)
			}
			p := ld.NewJsonLdProcessor()
			got, err := p.Expand(ours.Document, optionsWith(NewLoader(nil)))
			if err != nil {
				t.Fatal(err)
			}
			want, err := p.Expand(theirs.Document, optionsWith(official))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("expansion differs\nours:     %s\nofficial: %s", mustJSON(got), mustJSON(want))
			}
		})
	}
}

// TestRealisticDocumentsLikeOfficial compacts realistic OB documents with our
// Processor (embedded contexts, cached active contexts) and with plain
// json-gold over the official copies.
func TestRealisticDocumentsLikeOfficial(t *testing.T) {
	official := newOfficialLoader(t)
	p := NewProcessor(nil)
	jg := ld.NewJsonLdProcessor()
	for _, name := range testdocs {
		doc := testdoc(t, name)
		targets := []string{ContextV2}
		if doc["@context"] == ContextV1 {
			targets = append(targets, ContextV1)
		}
		for _, target := range targets {
			t.Run(fmt.Sprintf("%s into %s", name, target), func(t *testing.T) {
				got, err := p.Compact(doc, target)
				if err != nil {
					t.Fatal(err)
				}
				want, err := jg.Compact(doc, target, optionsWith(official))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("compaction differs\nours:     %s\nofficial: %s", mustJSON(got), mustJSON(want))
				}
			})
		}
		t.Run(name+" expanded", func(t *testing.T) {
			got, err := p.Expand(doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := jg.Expand(doc, optionsWith(official))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("expansion differs\nours:     %s\nofficial: %s", mustJSON(got), mustJSON(want))
			}
		})
	}
}
