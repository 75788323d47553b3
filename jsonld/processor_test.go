package jsonld

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/piprate/json-gold/ld"
)

const obi = "https://w3id.org/openbadges#"

// plainProcessor is a Processor that lets json-gold process every context,
// as the reference for the cached paths.
func plainProcessor() *Processor {
	p := NewProcessor(nil)
	p.reuseContexts = false
	return p
}

// compactionCase is one Compact call compared between the cached and the
// plain path.
type compactionCase struct {
	name    string
	doc     any
	context string
}

func compactionCases(t *testing.T) []compactionCase {
	t.Helper()
	var cases []compactionCase
	targets := []string{ContextV2, ContextV1, "http://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}
	for _, name := range testdocs {
		for _, target := range targets {
			cases = append(cases, compactionCase{name, testdoc(t, name), target})
		}
	}
	for _, e := range registry {
		active, err := e.active()
		if err != nil {
			t.Fatal(err)
		}
		doc := newDocGen(active).document(t, e.urls[0])
		if _, err := plainProcessor().Compact(doc, e.urls[0]); err != nil {
			// json-gold cannot compact some generated documents (VC 1.1's
			// scoped sec: prefix: "IRI confused with prefix").
			continue
		}
		cases = append(cases, compactionCase{"generated", doc, e.urls[0]})
	}
	two := []any{testdoc(t, "issuer.json"), testdoc(t, "badgeclass.json")}
	cases = append(cases,
		compactionCase{"two nodes (@graph)", two, ContextV2},
		compactionCase{"empty", map[string]any{}, ContextV2},
		compactionCase{"only a context", map[string]any{"@context": ContextV2}, ContextV2},
		compactionCase{"unmapped properties only", map[string]any{"@context": ContextV2, "nope": 1.0}, ContextV2},
	)
	return cases
}

// TestReusedContextsMatchJSONGold: the cached active contexts give exactly
// what json-gold gives when it processes the contexts itself.
func TestReusedContextsMatchJSONGold(t *testing.T) {
	cached, plain := NewProcessor(nil), plainProcessor()
	for _, c := range compactionCases(t) {
		t.Run(fmt.Sprintf("%s into %s", c.name, c.context), func(t *testing.T) {
			got, err := cached.Compact(c.doc, c.context)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.Compact(c.doc, c.context)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("compaction differs\ncached: %s\nplain:  %s", mustJSON(got), mustJSON(want))
			}
			gotX, err := cached.Expand(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			wantX, err := plain.Expand(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotX, wantX) {
				t.Errorf("expansion differs\ncached: %s\nplain:  %s", mustJSON(gotX), mustJSON(wantX))
			}
		})
	}
}

func TestWithActiveContext(t *testing.T) {
	tests := []struct {
		name   string
		doc    any
		reused bool
	}{
		{"one embedded URL", testdoc(t, "assertion-signed.json"), true},
		{"http alias", map[string]any{"@context": "http://w3id.org/openbadges/v2", "name": "x"}, true},
		{"nested extension context", testdoc(t, "assertion.json"), true},
		{"array", map[string]any{"@context": []any{ContextV2}, "name": "x"}, true},
		{"OB 3.0 array", map[string]any{"@context": []any{ContextCredentialsV2, ContextOB3}}, true},
		{"embedded, then unknown", map[string]any{"@context": []any{ContextCredentialsV2, unknownContext}}, true},
		{"unknown, then embedded", map[string]any{"@context": []any{unknownContext, ContextCredentialsV2}}, false},
		{"unknown URL", map[string]any{"@context": unknownContext}, false},
		{"inline context", map[string]any{"@context": map[string]any{"name": "urn:name"}}, false},
		{"not an object", []any{testdoc(t, "issuer.json")}, false},
	}
	opts := newOptions(NewLoader(nil))
	for _, tt := range tests {
		got := withActiveContext(tt.doc, opts)
		m, _ := got.(map[string]any)
		c := m["@context"]
		if a, ok := c.([]any); ok && len(a) > 0 {
			c = a[0]
		}
		_, reused := c.(*ld.Context)
		if reused != tt.reused {
			t.Errorf("%s: reused = %v, want %v", tt.name, reused, tt.reused)
		}
	}
}

func TestProcessorLeavesInputAlone(t *testing.T) {
	p := NewProcessor(nil)
	for _, c := range compactionCases(t) {
		before := ld.CloneDocument(c.doc)
		if _, err := p.Compact(c.doc, c.context); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Expand(c.doc); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.doc, before) {
			t.Errorf("%s: input modified", c.name)
		}
	}
}

// TestProcessorConcurrent is meant for go test -race: one Processor, many
// goroutines, shared cached contexts. Afterwards the cached contexts must
// still equal freshly processed ones.
func TestProcessorConcurrent(t *testing.T) {
	p := NewProcessor(nil)
	cases := compactionCases(t)
	want := make([]map[string]any, len(cases))
	for i, c := range cases {
		out, err := plainProcessor().Compact(c.doc, c.context)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, c := range cases {
				got, err := p.Compact(c.doc, c.context)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%s: concurrent result differs", c.name)
				}
			}
		})
	}
	wg.Wait()
	for _, e := range registry {
		cached, _ := e.active()
		fresh, err := e.process()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cached.TermDefinitions, fresh.TermDefinitions) ||
			!reflect.DeepEqual(cached.Values, fresh.Values) ||
			!reflect.DeepEqual(cached.GetInverse(), fresh.GetInverse()) {
			t.Errorf("cached active context for %s changed", e.urls[0])
		}
	}
}

func TestCompactWithContextValues(t *testing.T) {
	p := NewProcessor(nil)
	doc := testdoc(t, "issuer.json")
	want, err := p.Compact(doc, ContextV2)
	if err != nil {
		t.Fatal(err)
	}
	for name, ctx := range map[string]any{
		"array":    []any{ContextV2},
		"document": map[string]any{"@context": ContextV2},
	} {
		got, err := p.Compact(doc, ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Only the echoed @context differs.
		got["@context"] = ContextV2
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %s, want %s", name, mustJSON(got), mustJSON(want))
		}
	}
	inline := map[string]any{"n": "http://schema.org/name"}
	got, err := p.Compact(doc, inline)
	if err != nil {
		t.Fatal(err)
	}
	if got["n"] != "Example Maker Society" {
		t.Errorf("inline context: %s", mustJSON(got))
	}
}

// TestTermSelectionTrap pins the spellings json-gold chooses where the OB v2
// context has two terms for one IRI (validator.md §15). openbadges-validator-
// core on PyLD 0.7.1 picks the lexicographically least term instead, so it
// prints "HostedBadge" and "SignedBadge" where json-gold gives "hosted" and
// "signed"; both pick "verification" and "revokedAssertions" for nodes. The
// verifier must compare expanded IRIs, or map these spellings, rather than
// test compacted values against the validator's strings.
func TestTermSelectionTrap(t *testing.T) {
	tests := []struct {
		name     string
		expanded map[string]any
		key      string
		want     any
	}{
		{"HostedBadge as a type", map[string]any{"@type": obi + "HostedBadge"}, "type", "hosted"},
		{"SignedBadge as a type", map[string]any{"@type": obi + "SignedBadge"}, "type", "signed"},
		{"both types", map[string]any{"@type": []any{obi + "HostedBadge", obi + "SignedBadge"}}, "type", []any{"hosted", "signed"}},
		{"verify with a node", map[string]any{obi + "verify": []any{map[string]any{"@type": []any{obi + "HostedBadge"}}}},
			"verification", map[string]any{"type": "hosted"}},
		{"verify with an IRI", map[string]any{obi + "verify": []any{map[string]any{"@id": "https://example.org/v"}}},
			"verification", "https://example.org/v"},
		{"verify with a literal", map[string]any{obi + "verify": []any{map[string]any{"@value": "text"}}}, "verify", "text"},
		{"revoked, xsd:boolean", map[string]any{obi + "revoked": []any{map[string]any{"@value": true, "@type": "http://www.w3.org/2001/XMLSchema#boolean"}}},
			"revoked", true},
		{"revoked, untyped boolean", map[string]any{obi + "revoked": []any{map[string]any{"@value": true}}}, "revokedAssertions", true},
		{"revoked with a node", map[string]any{obi + "revoked": []any{map[string]any{"@id": "urn:uuid:1"}}},
			"revokedAssertions", map[string]any{"id": "urn:uuid:1"}},
		{"revoked with a string", map[string]any{obi + "revoked": []any{map[string]any{"@value": "urn:uuid:1"}}},
			"revokedAssertions", "urn:uuid:1"},
	}
	p := NewProcessor(nil)
	for _, tt := range tests {
		got, err := p.Compact(tt.expanded, ContextV2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[tt.key], tt.want) || len(got) != 2 {
			t.Errorf("%s: got %s, want %q: %s", tt.name, mustJSON(got), tt.key, mustJSON(tt.want))
		}
	}
}

// TestTermSelectionInDocuments shows the trap on whole documents: the spec's
// own spellings go in, json-gold's come out.
func TestTermSelectionInDocuments(t *testing.T) {
	p := NewProcessor(nil)
	tests := []struct {
		doc, context, written string
		key                   string
		want                  any
	}{
		{"assertion.json", ContextV2, `"verification": {"type": "HostedBadge"}`,
			"verification", map[string]any{"type": "hosted"}},
		{"assertion-signed.json", ContextV2, `"verification": {"type": "SignedBadge", …}`,
			"verification", map[string]any{"type": "signed", "creator": "https://example.org/issuer/key"}},
		{"assertion-v1.json", ContextV2, `"verify": {"type": "hosted", …}`,
			"verification", map[string]any{"type": "hosted", "url": "https://example.org/beths-robotics-badge.json"}},
		{"assertion-v1.json", ContextV1, `"verify": {"type": "hosted", …}`,
			"verify", map[string]any{"type": "hosted", "url": "https://example.org/beths-robotics-badge.json"}},
	}
	for _, tt := range tests {
		got, err := p.Compact(testdoc(t, tt.doc), tt.context)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[tt.key], tt.want) {
			t.Errorf("%s (%s) into %s: %s = %s, want %s", tt.doc, tt.written, tt.context, tt.key, mustJSON(got[tt.key]), mustJSON(tt.want))
		}
	}
	// v1 has two terms for obi:Issuer; the shorter one wins (PyLD agrees).
	got, err := p.Compact(map[string]any{"@type": obi + "Issuer"}, ContextV1)
	if err != nil {
		t.Fatal(err)
	}
	if got["type"] != "Issuer" {
		t.Errorf("obi:Issuer into v1: %s", mustJSON(got))
	}
}

// TestEndorsementExtensionIRI pins a json-gold difference from PyLD 0.7.1
// (JSON-LD 1.0): the endorsement extension maps endorsedObject to
// "endorsement:/endorsedObject", but "endorsement" does not end in a
// gen-delim character, so json-gold does not treat it as a prefix and keeps
// the IRI as is, where a JSON-LD 1.0 processor expands it to
// https://w3id.org/openbadges/extensions#Endorsement/endorsedObject.
func TestEndorsementExtensionIRI(t *testing.T) {
	doc := map[string]any{"@context": ExtensionContextURL("endorsement"), "endorsedObject": "x"}
	got, err := NewProcessor(nil).Expand(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"endorsement:/endorsedObject": []any{map[string]any{"@value": "x"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s", mustJSON(got))
	}
}

// TestProcessorDocument: Document serves embedded and fetched documents
// through the Loader (cached), each call a private copy.
func TestProcessorDocument(t *testing.T) {
	fetches := 0
	p := NewProcessor(NewLoader(func(_ context.Context, url string) ([]byte, error) {
		fetches++
		return []byte(`{"@context": {"x": "urn:x:"}}`), nil
	}))
	doc, err := p.Document(ExtensionContextURL("exampleExtension"))
	if err != nil {
		t.Fatal(err)
	}
	doc.(map[string]any)["@context"] = "changed"
	again, _ := p.Document(ExtensionContextURL("exampleExtension"))
	if _, ok := again.(map[string]any)["@context"].(map[string]any); !ok {
		t.Errorf("a change to one copy reached the next: %v", again)
	}
	for range 2 {
		if _, err := p.Document("https://example.org/c.json"); err != nil {
			t.Fatal(err)
		}
	}
	if fetches != 1 {
		t.Errorf("fetched %d times, want 1", fetches)
	}
	if _, err := NewProcessor(nil).Document("https://example.org/c.json"); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("offline: err = %v", err)
	}
}
