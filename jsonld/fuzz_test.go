package jsonld

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzContextDocuments serves two fuzzed context documents, A and B, from an
// issuer and expands and compacts a badge that names A (after the v2 context)
// and uses a few terms. Whatever A and B say — naming each other, themselves,
// embedded contexts, @import, scoped contexts, or nonsense — processing must
// end without a panic, fetch each document at most once, and never more
// than MaxRemoteContexts documents in all.
func FuzzContextDocuments(f *testing.F) {
	for _, seed := range [][2]string{
		{`{"@context": "` + ctxB + `"}`, `{"@context": "` + ctxA + `"}`},
		{`{"@context": "` + ctxA + `"}`, `{}`},
		{`{"@context": ["` + ctxB + `", "` + ctxB + `"]}`, `{"@context": {"x": "https://x.example/x"}}`},
		{`{"@context": {"@version": 1.1, "@import": "` + ctxB + `", "y": "https://x.example/y"}}`, `{"@context": {"x": {"@id": "https://x.example/x", "@context": "` + ctxA + `"}}}`},
		{`{"@context": {"@version": 1.1, "x": {"@id": "https://x.example/x", "@type": "@id", "@context": ["` + ctxB + `", "` + ctxA + `"]}}}`, `{"@context": [null, "` + ContextV2 + `", "` + ctxC + `"]}`},
		{`{"@context": {"@context": {"@context": "` + ctxA + `"}}}`, `[]`},
		{`{"@context": [{"@base": "https://issuer.example/ctx/"}, "b.json"]}`, `{"@context": "a.json"}`},
		{`{"@context": {"x": {"@id": "https://x.example/x", "@context": {"@import": "` + ctxA + `"}}}}`, `{"@context": 1}`},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		h := newContextHost(map[string]string{ctxA: string(a), ctxB: string(b)})
		h.gen = func(url string) (string, bool) { return `{"@context": {"c": "https://x.example/c"}}`, true }
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p := NewProcessor(NewLoader(h.fetch)).WithContext(ctx)
		doc := map[string]any{
			"@context": []any{ContextV2, ctxA},
			"x":        map[string]any{"x": "1", "y": "2", "c": "3"},
			"y":        "value",
			"name":     "badge",
		}
		_, err := p.Expand(doc)
		if _, cerr := p.Compact(doc, ContextV2); err == nil {
			err = cerr
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Fatalf("processing ran into the 20 s deadline: %v", err)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		for u, n := range h.fetches {
			// Two verifications (Expand, then Compact) share a
			// Processor here, and the cache keeps good documents: a
			// document is fetched again only after failing to parse.
			if n > 2 {
				t.Errorf("%s fetched %d times", u, n)
			}
		}
		if len(h.fetches) > MaxRemoteContexts {
			t.Errorf("%d documents fetched, more than the limit %d", len(h.fetches), MaxRemoteContexts)
		}
	})
}
