package jsonld

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// contextHost is an in-process issuer of context documents: URL → body,
// with a count of fetches per URL.
type contextHost struct {
	mu      sync.Mutex
	docs    map[string]string
	gen     func(url string) (string, bool) // documents made on demand
	fetches map[string]int
}

func newContextHost(docs map[string]string) *contextHost {
	return &contextHost{docs: docs, fetches: map[string]int{}}
}

func (h *contextHost) fetch(ctx context.Context, url string) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fetches[url]++
	if body, ok := h.docs[url]; ok {
		return []byte(body), nil
	}
	if h.gen != nil {
		if body, ok := h.gen(url); ok {
			return []byte(body), nil
		}
	}
	return nil, errors.New("HTTP 404")
}

func (h *contextHost) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.fetches {
		n += c
	}
	return n
}

const (
	ctxA = "https://issuer.example/ctx/a.json"
	ctxB = "https://issuer.example/ctx/b.json"
	ctxC = "https://issuer.example/ctx/c.json"
)

// expandWithDeadline expands doc with a Processor on h, failing the test if
// it has not returned long after it should (json-gold v0.9.1 never returns
// on a context cycle by itself).
func expandWithDeadline(t *testing.T, h *contextHost, doc map[string]any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := NewProcessor(NewLoader(h.fetch)).WithContext(ctx).Expand(doc)
		done <- err
	}()
	select {
	case err := <-done:
		if ctx.Err() != nil {
			t.Fatalf("expansion only ended at the hang guard's deadline: %v", err)
		}
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("expansion did not return even after its context was cancelled")
		return nil
	}
}

func TestContextCycles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		docs  map[string]string
		chain []string
	}{
		{"A→A", map[string]string{
			ctxA: `{"@context": "` + ctxA + `"}`,
		}, []string{ctxA, ctxA}},
		{"A→B→A", map[string]string{
			ctxA: `{"@context": "` + ctxB + `"}`,
			ctxB: `{"@context": "` + ctxA + `"}`,
		}, []string{ctxA, ctxB, ctxA}},
		{"A→[v2, B]→C→B, in arrays", map[string]string{
			ctxA: `{"@context": ["` + ContextV2 + `", "` + ctxB + `"]}`,
			ctxB: `{"@context": [{"x": "https://x.example/x"}, "` + ctxC + `"]}`,
			ctxC: `{"@context": "` + ctxB + `"}`,
		}, []string{ctxB, ctxC, ctxB}},
		{"@import of itself", map[string]string{
			ctxA: `{"@context": {"@version": 1.1, "@import": "` + ctxA + `"}}`,
		}, []string{ctxA, ctxA}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newContextHost(tc.docs)
			err := expandWithDeadline(t, h, map[string]any{"@context": ctxA, "name": "x"})
			var rce *RecursiveContextError
			if !errors.As(err, &rce) {
				t.Fatalf("err = %v, want *RecursiveContextError", err)
			}
			if !slices.Equal(rce.Chain, tc.chain) {
				t.Errorf("chain %q, want %q", rce.Chain, tc.chain)
			}
			if !strings.Contains(err.Error(), "recursive context inclusion: "+strings.Join(tc.chain, " → ")) {
				t.Errorf("message %q does not name the chain", err)
			}
			for u, n := range h.fetches {
				if n != 1 {
					t.Errorf("%s fetched %d times, want once", u, n)
				}
			}
		})
	}
}

// A context named by a term's scoped context is processed only where the
// term is used, and naming one already being processed is allowed there.
func TestScopedContextNamingItsOwnDocumentIsNoCycle(t *testing.T) {
	h := newContextHost(map[string]string{
		ctxA: `{"@context": {"@version": 1.1, "name": "https://schema.org/name",
			"child": {"@id": "https://x.example/child", "@context": "` + ctxA + `"}}}`,
	})
	doc := map[string]any{"@context": ctxA, "name": "a", "child": map[string]any{"name": "b", "child": map[string]any{"name": "c"}}}
	if err := expandWithDeadline(t, h, doc); err != nil {
		t.Fatalf("Expand: %v", err)
	}
	if n := h.total(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestContextChainStopsAtDepth(t *testing.T) {
	h := newContextHost(nil)
	h.gen = func(url string) (string, bool) {
		var i int
		if _, err := fmt.Sscanf(url, "https://issuer.example/chain/%d", &i); err != nil {
			return "", false
		}
		return fmt.Sprintf(`{"@context": "https://issuer.example/chain/%d"}`, i+1), true
	}
	err := expandWithDeadline(t, h, map[string]any{"@context": "https://issuer.example/chain/0", "name": "x"})
	var cle *ContextLimitError
	if !errors.As(err, &cle) || cle.Limit != LimitContextDepth {
		t.Fatalf("err = %v, want a context depth ContextLimitError", err)
	}
	if len(cle.Chain) != MaxContextDepth+1 || cle.Chain[0] != "https://issuer.example/chain/0" {
		t.Errorf("chain %q, want the %d links from chain/0", cle.Chain, MaxContextDepth+1)
	}
	if n := h.total(); n > MaxContextDepth {
		t.Errorf("%d fetches, want at most %d", n, MaxContextDepth)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("nested more than %d deep", MaxContextDepth)) {
		t.Errorf("message %q", err)
	}
}

// A legitimate context that builds on another remote one still works.
func TestContextChainWithinDepth(t *testing.T) {
	h := newContextHost(map[string]string{
		ctxA: `{"@context": ["` + ctxB + `", {"b": "https://x.example/b"}]}`,
		ctxB: `{"@context": ["` + ContextV2 + `", "` + ctxC + `"]}`,
		ctxC: `{"@context": {"c": "https://x.example/c"}}`,
	})
	l := NewLoader(h.fetch)
	out, err := NewProcessor(l).Expand(map[string]any{"@context": ctxA, "b": "1", "c": "2", "name": "n"})
	if err != nil {
		t.Fatal(err)
	}
	node := out[0].(map[string]any)
	for _, iri := range []string{"https://x.example/b", "https://x.example/c", "http://schema.org/name"} {
		if _, ok := node[iri]; !ok {
			t.Errorf("%s missing from %s", iri, mustJSON(out))
		}
	}
	if n := h.total(); n != 3 {
		t.Errorf("%d fetches, want 3", n)
	}
}

func TestManyRemoteContextsStopAtCap(t *testing.T) {
	h := newContextHost(nil)
	h.gen = func(url string) (string, bool) {
		return `{"@context": {"t` + url[len(url)-4:] + `": "https://x.example/t"}}`, true
	}
	var contexts []any
	for i := range 2000 {
		contexts = append(contexts, fmt.Sprintf("https://issuer.example/many/%04d", i))
	}
	err := expandWithDeadline(t, h, map[string]any{"@context": contexts, "name": "x"})
	var cle *ContextLimitError
	if !errors.As(err, &cle) || cle.Limit != LimitRemoteContexts {
		t.Fatalf("err = %v, want a remote contexts ContextLimitError", err)
	}
	if cle.URL != fmt.Sprintf("https://issuer.example/many/%04d", MaxRemoteContexts) {
		t.Errorf("stopped at %s", cle.URL)
	}
	if n := h.total(); n != MaxRemoteContexts {
		t.Errorf("%d fetches, want %d", n, MaxRemoteContexts)
	}
}

// Contexts that each name ten others, three levels deep, are 31 documents
// but 1,111 loads for json-gold, which loads a context each time it is
// named. (json-gold refuses the same URL twice in one array, so the ten are
// distinct at each level.)
func TestContextLoadsStopAtCap(t *testing.T) {
	level := func(l int) []string {
		var urls []string
		for i := range 10 {
			urls = append(urls, fmt.Sprintf("https://issuer.example/fan/%d/%d", l, i))
		}
		return urls
	}
	ref := func(urls []string) string { return `{"@context": ["` + strings.Join(urls, `", "`) + `"]}` }
	docs := map[string]string{ctxA: ref(level(1))}
	for l := 1; l <= 3; l++ {
		for _, u := range level(l) {
			if l < 3 {
				docs[u] = ref(level(l + 1))
			} else {
				docs[u] = `{"@context": {"c": "https://x.example/c"}}`
			}
		}
	}
	h := newContextHost(docs)
	err := expandWithDeadline(t, h, map[string]any{"@context": ctxA, "c": "x"})
	var cle *ContextLimitError
	if !errors.As(err, &cle) || cle.Limit != LimitContextLoads {
		t.Fatalf("err = %v, want a context loads ContextLimitError", err)
	}
	if n := h.total(); n != len(docs) {
		t.Errorf("%d fetches, want %d (each document once)", n, len(docs))
	}
}

// Embedded contexts count as loads but not as remote documents: a badge
// using only them never reaches the remote limit.
func TestEmbeddedContextsAreNotRemote(t *testing.T) {
	l := NewLoader(nil)
	for range MaxRemoteContexts * 2 {
		for _, u := range []string{ContextV2, ContextV1, ContextLegacyV1} {
			if _, err := l.LoadDocument(u); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Each WithContext starts the count again: one verification's loads do not
// use up the next one's.
func TestLimitsArePerVerification(t *testing.T) {
	h := newContextHost(nil)
	h.gen = func(string) (string, bool) { return unknownContextBody, true }
	l := NewLoader(h.fetch)
	for v := range 3 {
		lv := l.WithContext(context.Background())
		for i := range MaxRemoteContexts {
			if _, err := lv.LoadDocument(fmt.Sprintf("https://issuer.example/v/%d", i)); err != nil {
				t.Fatalf("verification %d, context %d: %v", v, i, err)
			}
		}
		if _, err := lv.LoadDocument("https://issuer.example/v/one-too-many"); err == nil {
			t.Fatalf("verification %d: no error past the limit", v)
		}
	}
}

// A cancelled verification stops at its next load, embedded and cached
// documents included (json-gold loads the same few contexts again and
// again, and no fetch would notice the cancellation).
func TestLoaderHonoursCancellationOnEveryLoad(t *testing.T) {
	h := newContextHost(map[string]string{ctxA: unknownContextBody})
	l := NewLoader(h.fetch)
	if _, err := l.LoadDocument(ctxA); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lc := l.WithContext(ctx)
	for _, u := range []string{ContextV2, ctxA} {
		_, err := lc.LoadDocument(u)
		var ce *CanceledError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &ce) || ce.URL != u {
			t.Errorf("%s: err = %v, want a CanceledError wrapping context.Canceled", u, err)
		}
	}
	if _, err := NewProcessor(l).WithContext(ctx).Expand(map[string]any{"@context": []any{ContextV2, ctxA}, "name": "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Expand: err = %v, want context.Canceled", err)
	}
	if n := h.total(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// bigContext is a context document of about size bytes of term
// definitions.
func bigContext(size int) string {
	var b strings.Builder
	b.WriteString(`{"@context": {`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"term%07d": "https://example.org/vocab#term%07d"`, i, i)
	}
	b.WriteString(`}}`)
	return b.String()
}

// Large contexts cost json-gold time and memory at every load: a badge
// naming twenty 1 MiB contexts stops at MaxContextBytes.
func TestLargeContextsStopAtByteLimit(t *testing.T) {
	big := bigContext(1 << 20)
	h := newContextHost(nil)
	h.gen = func(string) (string, bool) { return big, true }
	var contexts []any
	for i := range 20 {
		contexts = append(contexts, fmt.Sprintf("https://issuer.example/big/%d", i))
	}
	err := expandWithDeadline(t, h, map[string]any{"@context": contexts, "term0000001": "x"})
	var cle *ContextLimitError
	if !errors.As(err, &cle) || cle.Limit != LimitContextBytes {
		t.Fatalf("err = %v, want a context bytes ContextLimitError", err)
	}
	if want := MaxContextBytes/len(big) + 1; h.total() != want {
		t.Errorf("%d fetches, want %d", h.total(), want)
	}
	if !strings.Contains(err.Error(), "more than 4 MiB of remote JSON-LD contexts") {
		t.Errorf("message %q", err)
	}
	// One context loaded again and again is charged at every load.
	h = newContextHost(map[string]string{ctxA: big})
	l := NewLoader(h.fetch)
	n := 0
	for ; n < 100; n++ {
		if _, err := l.LoadDocument(ctxA); err != nil {
			break
		}
	}
	if n != MaxContextBytes/len(big) || h.total() != 1 {
		t.Errorf("%d loads of one 1 MiB context (%d fetches), want %d loads and 1 fetch", n, h.total(), MaxContextBytes/len(big))
	}
}

// The Loader's cache keeps at most maxCachedBytes of documents.
func TestLoaderCacheBoundedInBytes(t *testing.T) {
	big := bigContext(1 << 20)
	h := newContextHost(nil)
	h.gen = func(string) (string, bool) { return big, true }
	l := NewLoader(h.fetch)
	for i := range 20 {
		if _, err := l.WithContext(context.Background()).LoadDocument(fmt.Sprintf("https://issuer.example/big/%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if l.cache.bytes > maxCachedBytes || len(l.cache.docs) != maxCachedBytes/len(big) {
		t.Errorf("cache holds %d documents, %d bytes; want %d documents within %d bytes", len(l.cache.docs), l.cache.bytes, maxCachedBytes/len(big), maxCachedBytes)
	}
}
