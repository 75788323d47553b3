package jsonld

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/piprate/json-gold/ld"
)

const unknownContext = "https://example.org/contexts/unknown.json"

func TestLoaderOffline(t *testing.T) {
	_, err := NewLoader(nil).LoadDocument(unknownContext)
	if !errors.Is(err, ErrNotEmbedded) {
		t.Fatalf("err = %v, want ErrNotEmbedded", err)
	}
	var nee *NotEmbeddedError
	if !errors.As(err, &nee) || nee.URL != unknownContext {
		t.Fatalf("err = %#v, want *NotEmbeddedError for %s", err, unknownContext)
	}
	want := "jsonld: context " + unknownContext + " is not embedded and badgebake is offline"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// TestProcessorOfflineError checks that ErrNotEmbedded survives json-gold's
// error wrapping.
func TestProcessorOfflineError(t *testing.T) {
	doc := map[string]any{"@context": []any{ContextV2, unknownContext}, "name": "x"}
	p := NewProcessor(nil)
	if _, err := p.Expand(doc); !errors.Is(err, ErrNotEmbedded) || !strings.Contains(err.Error(), unknownContext) {
		t.Errorf("Expand: err = %v, want ErrNotEmbedded naming the URL", err)
	}
	if _, err := p.Compact(doc, ContextV2); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("Compact: err = %v, want ErrNotEmbedded", err)
	}
	if _, err := p.Compact(testdoc(t, "issuer.json"), unknownContext); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("Compact into unknown context: err = %v, want ErrNotEmbedded", err)
	}
}

// countingFetcher serves one context document and counts calls.
type countingFetcher struct {
	calls atomic.Int32
	body  string
	err   error
}

func (f *countingFetcher) fetch(ctx context.Context, url string) ([]byte, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	return []byte(f.body), nil
}

const unknownContextBody = `{"@context": {"color": "https://example.org/vocab#color"}}`

func TestLoaderFetchesAndCaches(t *testing.T) {
	f := &countingFetcher{body: unknownContextBody}
	l := NewLoader(f.fetch)
	for range 3 {
		rd, err := l.LoadDocument(unknownContext)
		if err != nil {
			t.Fatal(err)
		}
		if rd.DocumentURL != unknownContext {
			t.Errorf("DocumentURL = %q", rd.DocumentURL)
		}
	}
	if _, err := l.LoadDocument(ContextV2); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("fetcher called %d times, want 1 (cached; embedded never fetched)", n)
	}
	// WithContext copies share the cache.
	if _, err := l.WithContext(context.Background()).LoadDocument(unknownContext); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("after WithContext: fetcher called %d times, want 1", n)
	}
}

func TestLoaderFetchErrorsAreNotCached(t *testing.T) {
	f := &countingFetcher{err: errors.New("connection refused")}
	l := NewLoader(f.fetch)
	_, err := l.LoadDocument(unknownContext)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.URL != unknownContext || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want *FetchError wrapping the cause", err)
	}
	if errors.Is(err, ErrNotEmbedded) {
		t.Error("a fetch failure is not ErrNotEmbedded")
	}
	f.err = nil
	f.body = unknownContextBody
	if _, err := l.LoadDocument(unknownContext); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("fetcher called %d times, want 2", n)
	}
}

func TestLoaderRejectsNonJSON(t *testing.T) {
	// The 2024 w3id.org outage served HTML (validator issue #257).
	f := &countingFetcher{body: "<!DOCTYPE html><html></html>"}
	_, err := NewLoader(f.fetch).LoadDocument(unknownContext)
	var fe *FetchError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "not JSON") {
		t.Fatalf("err = %v, want *FetchError saying not JSON", err)
	}
}

type ctxKey struct{}

func TestLoaderPassesContextToFetcher(t *testing.T) {
	var got any
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		got = ctx.Value(ctxKey{})
		return []byte(unknownContextBody), nil
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, "request-42")
	p := NewProcessor(NewLoader(fetch)).WithContext(ctx)
	doc := map[string]any{"@context": []any{ContextV2, unknownContext}, "color": "red"}
	out, err := p.Expand(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got != "request-42" {
		t.Errorf("fetcher saw context value %v", got)
	}
	if _, ok := out[0].(map[string]any)["https://example.org/vocab#color"]; !ok {
		t.Errorf("fetched context not applied: %s", mustJSON(out))
	}
}

func TestLoaderCancelledContext(t *testing.T) {
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewLoader(fetch).WithContext(ctx).LoadDocument(unknownContext)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestLoaderReturnsPrivateCopies: whatever a caller does to a loaded
// document, the next load is intact.
func TestLoaderReturnsPrivateCopies(t *testing.T) {
	f := &countingFetcher{body: unknownContextBody}
	l := NewLoader(f.fetch)
	for _, u := range []string{ContextV2, ContextV1, unknownContext} {
		first, err := l.LoadDocument(u)
		if err != nil {
			t.Fatal(err)
		}
		want := ld.CloneDocument(first.Document)
		vandalize(first.Document)
		again, err := l.LoadDocument(u)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Document, want) {
			t.Errorf("%s: a caller's change leaked into the next load", u)
		}
	}
}

// vandalize changes every map and slice in v in place.
func vandalize(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			vandalize(e)
			v[k] = "vandalized"
		}
		v["added"] = true
	case []any:
		for i := range v {
			vandalize(v[i])
			v[i] = "vandalized"
		}
	}
}

// sharingLoader hands out the same parsed embedded documents on every load,
// as a loader without copies would.
type sharingLoader struct {
	mu   sync.Mutex
	docs map[string]any
}

func (s *sharingLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		s.docs = map[string]any{}
	}
	doc, ok := s.docs[u]
	if !ok {
		rd, err := NewLoader(nil).LoadDocument(u)
		if err != nil {
			return nil, err
		}
		doc = rd.Document
		s.docs[u] = doc
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// importingContext is a context that @imports ContextV2 and adds a term.
var importingContext = map[string]any{
	"@context": map[string]any{
		"@import": ContextV2,
		"extra":   "https://example.org/extra",
	},
}

// TestJSONGoldMutatesImportedContexts pins the json-gold behaviour that makes
// the Loader's copies necessary: processing "@import" writes the importing
// context's terms into the imported document.
func TestJSONGoldMutatesImportedContexts(t *testing.T) {
	s := &sharingLoader{}
	doc := map[string]any{"@context": importingContext["@context"], "extra": "x"}
	if _, err := ld.NewJsonLdProcessor().Expand(doc, optionsWith(s)); err != nil {
		t.Fatal(err)
	}
	shared := s.docs[ContextV2].(map[string]any)["@context"].(map[string]any)
	if _, ok := shared["extra"]; !ok {
		t.Skip("json-gold no longer writes into imported contexts; the Loader's copies may be unnecessary")
	}

	// The same document through our Loader leaves the embedded copy alone.
	if _, err := NewProcessor(nil).Expand(doc); err != nil {
		t.Fatal(err)
	}
	e := lookupEmbedded(ContextV2)
	embedded, _ := e.document()
	fresh, _ := e.parse()
	if !reflect.DeepEqual(embedded, fresh) {
		t.Error("embedded ContextV2 was modified through the Loader")
	}
}

// TestJSONGoldLeavesOtherDocumentsAlone runs every realistic document and the
// generated documents through json-gold with shared (uncopied) contexts and
// checks that nothing but @import (above) writes into loaded documents.
func TestJSONGoldLeavesOtherDocumentsAlone(t *testing.T) {
	s := &sharingLoader{}
	p := ld.NewJsonLdProcessor()
	compact := func(doc map[string]any, target string) {
		t.Helper()
		if _, err := p.Compact(doc, target, optionsWith(s)); err != nil {
			t.Fatalf("compacting into %s: %v", target, err)
		}
	}
	for _, name := range testdocs {
		compact(testdoc(t, name), ContextV2)
		compact(testdoc(t, name), ContextV1)
	}
	for _, e := range registry {
		active, err := e.active()
		if err != nil {
			t.Fatal(err)
		}
		doc := newDocGen(active).document(t, e.urls[0])
		if _, err := p.Compact(doc, e.urls[0], optionsWith(NewLoader(nil))); err != nil {
			continue // json-gold cannot compact it (see compactionCases)
		}
		compact(doc, e.urls[0])
	}
	for u, doc := range s.docs {
		fresh, _ := lookupEmbedded(u).parse()
		if !reflect.DeepEqual(doc, fresh) {
			t.Errorf("json-gold modified %s", u)
		}
	}
	if len(s.docs) < 3 {
		t.Errorf("only %d contexts were loaded", len(s.docs))
	}
}

// A Loader keeps at most maxCachedDocs fetched documents: the ones beyond
// are served (fetched again each time), never stored. (Each load is its own
// verification here, as in a long-running service.)
func TestLoaderCacheBounded(t *testing.T) {
	f := &countingFetcher{body: unknownContextBody}
	l := NewLoader(f.fetch)
	for i := range maxCachedDocs + 10 {
		if _, err := l.WithContext(context.Background()).LoadDocument(fmt.Sprintf("https://example.org/ctx/%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(l.cache.docs); n != maxCachedDocs {
		t.Errorf("%d documents cached, want the bound %d", n, maxCachedDocs)
	}
	before := f.calls.Load()
	if _, err := l.LoadDocument("https://example.org/ctx/0"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LoadDocument(fmt.Sprintf("https://example.org/ctx/%d", maxCachedDocs+5)); err != nil {
		t.Fatal(err)
	}
	if got := f.calls.Load() - before; got != 1 {
		t.Errorf("%d fetches, want 1 (the first document cached, one past the bound fetched again)", got)
	}
}

// A context nested deeper than any real one is refused before it is
// decoded, saying so.
func TestLoaderRefusesTooDeepContexts(t *testing.T) {
	deep := `{"@context": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	_, err := NewLoader((&countingFetcher{body: deep}).fetch).LoadDocument(unknownContext)
	var fe *FetchError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "the response is JSON nested more than 1000 levels deep") {
		t.Fatalf("err = %v, want a FetchError saying it is nested too deep", err)
	}
}
