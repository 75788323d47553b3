package jsonld

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/rdfc"
	"github.com/piprate/json-gold/ld"
)

// ob3Vector reads a file of the corpus's ob3/ folder (skipping without the
// corpus): JSON files decoded, others as text.
func ob3Vector(t testing.TB, path string) (doc map[string]any, text string) {
	t.Helper()
	full := filepath.Join(testcorpus.Dir(t), "ob3", path)
	if strings.HasSuffix(path, ".json") {
		v, err := readJSON(full)
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any), ""
	}
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	return nil, string(b)
}

// urdna2015 canonicalizes quads with json-gold's URDNA2015, as a stand-in
// for rdfc.Canonicalize, by turning them back into a json-gold dataset.
func urdna2015(t testing.TB, quads []rdfc.Quad) string {
	t.Helper()
	ds := ld.NewRDFDataset()
	node := func(term rdfc.Term) ld.Node {
		switch term.Kind {
		case rdfc.IRI:
			return ld.NewIRI(term.Value)
		case rdfc.BlankNode:
			return ld.NewBlankNode("_:" + term.Value)
		case rdfc.Literal:
			return ld.NewLiteral(term.Value, term.Datatype, term.Language)
		}
		t.Fatalf("term %+v in a subject, predicate or object", term)
		return nil
	}
	for _, q := range quads {
		graph := "@default"
		switch q.Graph.Kind {
		case rdfc.IRI:
			graph = q.Graph.Value
		case rdfc.BlankNode:
			graph = "_:" + q.Graph.Value
		}
		ds.Graphs[graph] = append(ds.Graphs[graph], ld.NewQuad(node(q.Subject), node(q.Predicate), node(q.Object), graph))
	}
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out.(string)
}

// withoutProof returns a copy of a signed credential without its proof.
func withoutProof(doc map[string]any) map[string]any {
	m := maps.Clone(doc)
	delete(m, "proof")
	return m
}

// proofConfig returns proof options with the credential's @context, as
// eddsa-rdfc-2022 canonicalizes them.
func proofConfig(options, credential map[string]any) map[string]any {
	m := maps.Clone(options)
	delete(m, "proofValue")
	m["@context"] = credential["@context"]
	return m
}

// TestToRDFVectors: the quads of the OB 3.0 and W3C eddsa-rdfc-2022 test
// vectors, canonicalized, are exactly the published canonical N-Quads.
func TestToRDFVectors(t *testing.T) {
	const ob = "1edtech-ob-v3p0-test-vector/"
	const w3c = "w3c-vc-di-eddsa/"
	signed, _ := ob3Vector(t, ob+"signed-credential.json")
	unsigned, _ := ob3Vector(t, ob+"credential-unsigned.json")
	options, _ := ob3Vector(t, ob+"proof-options.json")
	w3cUnsigned, _ := ob3Vector(t, w3c+"unsigned.json")
	w3cProof, _ := ob3Vector(t, w3c+"eddsa-rdfc-2022/proofConfigDataInt.json")
	tests := []struct {
		name  string
		doc   map[string]any
		canon string
	}{
		{"1EdTech credential", unsigned, ob + "document-canon.txt"},
		{"1EdTech signed credential without proof", withoutProof(signed), ob + "document-canon.txt"},
		{"1EdTech proof options", proofConfig(options, unsigned), ob + "proof-canon.txt"},
		{"1EdTech proof without proofValue", proofConfig(signed["proof"].(map[string]any), unsigned), ob + "proof-canon.txt"},
		{"W3C credential", w3cUnsigned, w3c + "eddsa-rdfc-2022/canonDocDataInt.txt"},
		{"W3C proof configuration", w3cProof, w3c + "eddsa-rdfc-2022/proofCanonDataInt.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, want := ob3Vector(t, tt.canon)
			for _, p := range []*Processor{NewProcessor(nil), plainProcessor()} {
				quads, err := p.ToRDF(tt.doc)
				if err != nil {
					t.Fatal(err)
				}
				if got := urdna2015(t, quads); got != want {
					t.Errorf("reuse %v: canonical N-Quads differ\ngot:\n%s\nwant:\n%s", p.reuseContexts, got, want)
				}
			}
		})
	}
}

// TestToRDFMatchesJSONGold: ToRDF gives json-gold's own dataset (from
// ToRDF over the official context copies, without safe mode), and the
// cached-context path gives the plain one.
func TestToRDFMatchesJSONGold(t *testing.T) {
	official := newOfficialLoader(t)
	signed, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/signed-credential.json")
	w3c, _ := ob3Vector(t, "w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
	docs := map[string]map[string]any{
		"1EdTech signed credential": signed,
		"W3C signed credential":     w3c,
		"1EdTech with the Ed25519Signature2020 context": withContexts(signed,
			ContextCredentialsV2, ContextOB3, ContextEd25519Signature2020),
		"1EdTech under OB 3.0.2": withContexts(signed, ContextCredentialsV2, ContextOB3v302),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			got, err := NewProcessor(nil).ToRDF(doc)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := plainProcessor().ToRDF(doc)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := ld.NewJsonLdProcessor().ToRDF(doc, optionsWith(official))
			if err != nil {
				t.Fatal(err)
			}
			want := datasetQuads(ds.(*ld.RDFDataset))
			if len(want) < 10 {
				t.Fatalf("json-gold gives %d quads", len(want))
			}
			// Blank node labels depend on json-gold's map order: compare
			// canonical forms.
			w := urdna2015(t, want)
			if g := urdna2015(t, got); g != w {
				t.Errorf("cached path differs from json-gold\ngot:\n%s\nwant:\n%s", g, w)
			}
			if g := urdna2015(t, plain); g != w {
				t.Errorf("plain path differs from json-gold\ngot:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func withContexts(doc map[string]any, urls ...string) map[string]any {
	m := maps.Clone(doc)
	m["@context"] = toAny(urls)
	return m
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// TestToRDFSafeMode: what no context defines is an error naming it, not a
// silently unsigned statement.
func TestToRDFSafeMode(t *testing.T) {
	cred, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/credential-unsigned.json")
	edit := func(f func(m map[string]any)) map[string]any {
		m := ld.CloneDocument(cred).(map[string]any)
		f(m)
		return m
	}
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	tests := []struct {
		name     string
		doc      map[string]any
		term     string
		typ      bool
		relative string
	}{
		{"top-level property", edit(func(m map[string]any) { m["undefinedTopLevel"] = "x" }), "undefinedTopLevel", false, ""},
		{"property in credentialSubject", edit(func(m map[string]any) { subject(m)["favouriteColour"] = "blue" }), "favouriteColour", false, ""},
		{"property in the achievement", edit(func(m map[string]any) {
			subject(m)["achievement"].(map[string]any)["secretLevel"] = 3.0
		}), "secretLevel", false, ""},
		{"credential type", edit(func(m map[string]any) {
			m["type"] = []any{"VerifiableCredential", "OpenBadgeCredential", "PlatinumCredential"}
		}), "PlatinumCredential", true, ""},
		{"subject type", edit(func(m map[string]any) { subject(m)["type"] = []any{"AchievementSubject", "Gold"} }), "Gold", true, ""},
		{"relative id", edit(func(m map[string]any) { subject(m)["id"] = "someone" }), "", false, "someone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []*Processor{NewProcessor(nil), plainProcessor()} {
				_, err := p.ToRDF(tt.doc)
				if tt.relative != "" {
					var derr *DroppedValueError
					if !errors.As(err, &derr) || derr.Value != tt.relative || derr.Reason != RelativeIRI {
						t.Fatalf("reuse %v: error %v, want a DroppedValueError for the relative IRI %q", p.reuseContexts, err, tt.relative)
					}
					continue
				}
				var uerr *UndefinedTermError
				if !errors.As(err, &uerr) {
					t.Fatalf("reuse %v: error %v (%T), want an UndefinedTermError", p.reuseContexts, err, err)
				}
				if uerr.Term != tt.term || uerr.Type != tt.typ {
					t.Errorf("reuse %v: Term %q, Type %v; want %q, %v", p.reuseContexts, uerr.Term, uerr.Type, tt.term, tt.typ)
				}
				if !strings.Contains(err.Error(), `"`+tt.term+`"`) || !strings.Contains(err.Error(), "signature") {
					t.Errorf("message %q does not name the term and say why it matters", err)
				}
			}
		})
	}
	if _, err := NewProcessor(nil).ToRDF(cred); err != nil {
		t.Errorf("the unmodified credential: %v", err)
	}
	// json-gold's own Normalize, without safe mode, drops the property
	// silently: the reason for the check.
	official := newOfficialLoader(t)
	opts := optionsWith(official)
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	a, err := ld.NewJsonLdProcessor().Normalize(cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ld.NewJsonLdProcessor().Normalize(tests[0].doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("json-gold's Normalize no longer drops undefined properties; the safe-mode note is out of date")
	}
}

// TestToRDFRemoteContext: a context that is not embedded goes through the
// Loader's Fetcher, with its limits, also after embedded URLs served from
// the cache.
func TestToRDFRemoteContext(t *testing.T) {
	cred, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/credential-unsigned.json")
	const ext = "https://issuer.example/contexts/extra.json"
	var fetched []string
	fetch := func(_ context.Context, url string) ([]byte, error) {
		fetched = append(fetched, url)
		if url != ext {
			return nil, errors.New("no such document")
		}
		return []byte(`{"@context": {"favouriteColour": "https://issuer.example/vocab#favouriteColour"}}`), nil
	}
	doc := ld.CloneDocument(cred).(map[string]any)
	doc["@context"] = append(doc["@context"].([]any), ext)
	doc["favouriteColour"] = "blue"
	quads, err := NewProcessor(NewLoader(fetch)).ToRDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fetched, []string{ext}) {
		t.Errorf("fetched %v, want only %s", fetched, ext)
	}
	found := false
	for _, q := range quads {
		if q.Predicate.Value == "https://issuer.example/vocab#favouriteColour" && q.Object.Value == "blue" {
			found = true
		}
	}
	if !found {
		t.Error("the remote context's term is not in the quads")
	}

	// Offline, the same document fails with ErrNotEmbedded.
	if _, err := NewProcessor(nil).ToRDF(doc); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("offline: %v, want ErrNotEmbedded", err)
	}

	// A context naming itself is refused by the Loader's checks.
	self := func(_ context.Context, url string) ([]byte, error) {
		return []byte(`{"@context": ["` + url + `"]}`), nil
	}
	var rerr *RecursiveContextError
	if _, err := NewProcessor(NewLoader(self)).ToRDF(doc); !errors.As(err, &rerr) {
		t.Errorf("self-naming context: %v, want a RecursiveContextError", err)
	}

	// A nested context in the credential (an extension's, say) is loaded
	// through the Fetcher too, below the cached contexts.
	fetched = nil
	nested := ld.CloneDocument(cred).(map[string]any)
	nested["credentialSubject"].(map[string]any)["@context"] = ext
	nested["credentialSubject"].(map[string]any)["favouriteColour"] = "green"
	if _, err := NewProcessor(NewLoader(fetch)).ToRDF(nested); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fetched, []string{ext}) {
		t.Errorf("nested: fetched %v, want only %s", fetched, ext)
	}
	if _, err := NewProcessor(nil).ToRDF(nested); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("nested, offline: %v, want ErrNotEmbedded", err)
	}
}

// TestToRDFDIDKeyDocument expands a did:key DID document using the DID and
// Multikey contexts: the Multikey terms must reach the quads.
func TestToRDFDIDKeyDocument(t *testing.T) {
	const did = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	doc := map[string]any{
		"@context": []any{ContextDIDv1, ContextMultikey},
		"id":       did,
		"verificationMethod": []any{map[string]any{
			"id":                 did + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
			"type":               "Multikey",
			"controller":         did,
			"publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
		}},
		"assertionMethod": []any{did + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"},
	}
	quads, err := NewProcessor(nil).ToRDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	const sec = "https://w3id.org/security#"
	want := map[string]rdfc.Term{
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {Kind: rdfc.IRI, Value: sec + "Multikey"},
		sec + "controller":         {Kind: rdfc.IRI, Value: did},
		sec + "publicKeyMultibase": {Kind: rdfc.Literal, Value: "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", Datatype: sec + "multibase"},
		sec + "assertionMethod":    {Kind: rdfc.IRI, Value: did + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"},
	}
	for _, q := range quads {
		if w, ok := want[q.Predicate.Value]; ok && q.Object == w {
			delete(want, q.Predicate.Value)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing statements %v in %+v", want, quads)
	}
	// Without the Multikey context, publicKeyMultibase is undefined.
	doc["@context"] = ContextDIDv1
	var uerr *UndefinedTermError
	if _, err := NewProcessor(nil).ToRDF(doc); !errors.As(err, &uerr) {
		t.Errorf("without the Multikey context: %v, want an UndefinedTermError", err)
	}
}

// TestToRDFPanicIsAnError: json-gold panics on a non-boolean @protected.
func TestToRDFPanicIsAnError(t *testing.T) {
	doc := map[string]any{"@context": map[string]any{"@protected": "yes", "x": "urn:x"}, "x": 1.0}
	var perr *PanicError
	if _, err := NewProcessor(nil).ToRDF(doc); !errors.As(err, &perr) {
		t.Errorf("error %v, want a PanicError", err)
	}
}

// TestCachedContextsHaveNoPreviousContext: contextCopy cannot carry a
// json-gold previous context (set by a top-level "@propagate": false), so
// no cached context may have one.
func TestCachedContextsHaveNoPreviousContext(t *testing.T) {
	check := func(name string, c *ld.Context) {
		t.Helper()
		if !reflect.ValueOf(c).Elem().FieldByName("previousContext").IsNil() {
			t.Errorf("%s has a previous context", name)
		}
	}
	for _, e := range registry {
		active, err := e.active()
		if err != nil {
			t.Fatal(err)
		}
		check(e.urls[0], active)
	}
	active, err := activeContextOf([]*embeddedContext{lookupEmbedded(ContextCredentialsV2), lookupEmbedded(ContextOB3)})
	if err != nil {
		t.Fatal(err)
	}
	check("VC 2.0 + OB 3.0.3", active)
}

func TestExpandCompactPanicIsAnError(t *testing.T) {
	doc := map[string]any{"@context": map[string]any{"@protected": "yes", "x": "urn:x"}, "x": 1.0}
	var perr *PanicError
	if _, err := NewProcessor(nil).Expand(doc); !errors.As(err, &perr) {
		t.Errorf("Expand: %v, want a PanicError", err)
	}
	if _, err := NewProcessor(nil).Compact(doc, ContextV2); !errors.As(err, &perr) {
		t.Errorf("Compact: %v, want a PanicError", err)
	}
}

// TestToRDFConcurrent is meant for go test -race: one Processor, many
// goroutines converting OB 3.0 credentials over the shared cached contexts.
func TestToRDFConcurrent(t *testing.T) {
	cred, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/credential-unsigned.json")
	_, want := ob3Vector(t, "1edtech-ob-v3p0-test-vector/document-canon.txt")
	p := NewProcessor(nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				quads, err := p.WithContext(context.Background()).ToRDF(cred)
				if err != nil {
					t.Error(err)
					return
				}
				if got := urdna2015(t, quads); got != want {
					t.Error("canonical N-Quads differ")
				}
			}
		})
	}
	wg.Wait()
}

// TestToRDFDroppedValues: what json-gold's JSON-LD to RDF would drop
// silently is an error; the same document without it is not, and json-gold
// does drop it (so the check is needed).
func TestToRDFDroppedValues(t *testing.T) {
	cred, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/credential-unsigned.json")
	achievement := func(m map[string]any) map[string]any {
		return m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	}
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		value  string
		reason DropReason
	}{
		{"invalid http IRI as id", func(m map[string]any) { achievement(m)["id"] = "https://exa mple.com/a" }, "https://exa mple.com/a", InvalidIRI},
		{"invalid http IRI as a property", func(m map[string]any) { m["https://exa mple.com/p"] = "v" }, "https://exa mple.com/p", InvalidIRI},
		{"invalid language tag", func(m map[string]any) {
			achievement(m)["name"] = map[string]any{"@value": "Teamwork", "@language": "en_GB"}
		}, "en_gb", InvalidLanguageTag}, // json-gold lower-cases tags
		{"blank node property", func(m map[string]any) { m["_:secret"] = "v" }, "_:secret", BlankNodeProperty},
	}
	official := newOfficialLoader(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := ld.CloneDocument(cred).(map[string]any)
			tt.edit(doc)
			_, err := NewProcessor(nil).ToRDF(doc)
			var derr *DroppedValueError
			if !errors.As(err, &derr) || derr.Value != tt.value || derr.Reason != tt.reason {
				t.Fatalf("error %v, want a DroppedValueError for %q (reason %d)", err, tt.value, tt.reason)
			}
			if !strings.Contains(err.Error(), "signature") {
				t.Errorf("message %q does not say why it matters", err)
			}
			// json-gold drops a statement: fewer quads than the value
			// would give if kept.
			ds, err := ld.NewJsonLdProcessor().ToRDF(doc, optionsWith(official))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := ld.NewJsonLdProcessor().ToRDF(cred, optionsWith(official))
			if err != nil {
				t.Fatal(err)
			}
			if n, m := len(datasetQuads(ds.(*ld.RDFDataset))), len(datasetQuads(plain.(*ld.RDFDataset))); n > m {
				t.Errorf("json-gold keeps it: %d quads, %d without the change", n, m)
			}
		})
	}
}

func TestValidLanguageTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"en": true, "en-GB": true, "zh-Hant-TW": true, "x-1": true, "de-1996": true,
		"": false, "en_GB": false, "en-": false, "-en": false, "1en": false, "en--GB": false, "é": false,
	} {
		if got := validLanguageTag(tag); got != want {
			t.Errorf("validLanguageTag(%q) = %v, want %v", tag, got, want)
		}
	}
}

// sortedQuads renders quads one a line, sorted, for comparison.
func sortedQuads(quads []rdfc.Quad) string {
	lines := make([]string, len(quads))
	for i, q := range quads {
		lines[i] = fmt.Sprintf("%+v", q)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestNodeMapQuadsMatchJSONGold: badgebake's conversion of the node map
// gives exactly json-gold's quads (same blank node labels, as both label
// through the same node map) for the test vectors and for the generated
// documents that use every term of every embedded context in every way.
func TestNodeMapQuadsMatchJSONGold(t *testing.T) {
	signed, _ := ob3Vector(t, "1edtech-ob-v3p0-test-vector/signed-credential.json")
	w3c, _ := ob3Vector(t, "w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
	docs := map[string]any{"1EdTech": signed, "W3C": w3c}
	for _, e := range registry {
		active, err := e.active()
		if err != nil {
			t.Fatal(err)
		}
		docs[e.urls[0]] = newDocGen(active).document(t, e.urls[0])
	}
	p := NewProcessor(nil)
	compared := 0
	for name, doc := range docs {
		expand := func() []any {
			x, err := p.Expand(doc)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return x
		}
		// Generated documents hold relative IRIs, which stop checkIRIs
		// before it sees everything; what nodeMapQuads leaves to json-gold
		// is skipped here.
		got, err := nodeMapQuads(expand())
		if errors.Is(err, errUnusual) {
			t.Logf("%s: left to json-gold", name)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want, err := jsonGoldQuads(expand(), p.opts)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := sortedQuads(got), sortedQuads(want); g != w {
			t.Errorf("%s: quads differ\nours:\n%s\njson-gold:\n%s", name, g, w)
		}
		compared++
	}
	if compared < len(docs)/2 {
		t.Errorf("only %d of %d documents compared", compared, len(docs))
	}
}

// A document with more objects than any credential has is refused before
// expansion: a clique of 300 blank nodes, each naming all the others.
func TestToRDFRefusesHugeDocuments(t *testing.T) {
	const n = 300
	nodes := make([]any, n)
	for i := range nodes {
		refs := make([]any, 0, n-1)
		for j := range n {
			if j != i {
				refs = append(refs, map[string]any{"@id": fmt.Sprintf("_:b%d", j)})
			}
		}
		nodes[i] = map[string]any{"@id": fmt.Sprintf("_:b%d", i), "http://example.org/knows": refs}
	}
	doc := map[string]any{"@graph": nodes}
	p := NewProcessor(NewLoader(nil))
	_, err := p.ToRDF(doc)
	var le *DocumentLimitError
	if !errors.As(err, &le) || le.Max != MaxDocumentValues {
		t.Fatalf("ToRDF of a %d-clique: %v, want a *DocumentLimitError", n, err)
	}
	// Just under the limit is converted.
	small := map[string]any{"@graph": nodes[:2]}
	if _, err := p.ToRDF(small); err != nil {
		t.Fatalf("two nodes: %v", err)
	}
	if got := countValues(doc, MaxDocumentValues+1); got != MaxDocumentValues+1 {
		t.Errorf("countValues stops at the limit: got %d", got)
	}
}
