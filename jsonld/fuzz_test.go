package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"
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

// FuzzToRDF turns arbitrary JSON into RDF under the embedded contexts a
// credential names (its own @context, if any, comes after them): no panic,
// and every failure is one of the package's typed errors or json-gold's.
func FuzzToRDF(f *testing.F) {
	for _, seed := range []string{
		`{"id": "urn:x", "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "n"}`,
		`{"undefinedTopLevel": "x"}`,
		`{"type": "Nope", "credentialSubject": {"id": "relative", "type": "AchievementSubject"}}`,
		`{"@context": {"@protected": "yes"}, "x": 1}`,
		`{"@context": {"x": {"@id": "urn:x", "@type": "@json"}}, "x": {"a": [1, 2.5, null]}}`,
		`{"@context": [null], "name": "x"}`,
		`{"proof": {"type": "DataIntegrityProof", "created": "nope", "proofValue": "z1"}}`,
		`{"credentialSubject": {"@context": {"@vocab": "urn:v:"}, "anything": {"@list": [1, {"@id": "_:b"}]}}}`,
		`{"@graph": [{"@id": "urn:a", "urn:p": {"@value": "v", "@language": "en"}}]}`,
		`[1, "two", {"name": 3}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return
		}
		if m, ok := doc.(map[string]any); ok {
			m["@context"] = append([]any{ContextCredentialsV2, ContextOB3}, arrayOf(m["@context"])...)
		}
		var results []string
		for _, p := range []*Processor{NewProcessor(nil), plainProcessor()} {
			quads, err := p.ToRDF(doc)
			if err != nil {
				results = append(results, fmt.Sprintf("error %T", err))
			} else {
				results = append(results, sortedQuads(quads))
			}
			if err == nil {
				for _, q := range quads {
					if q.Subject.Kind == 0 || q.Predicate.Kind == 0 || q.Object.Kind == 0 {
						t.Fatalf("quad with an empty term: %+v", q)
					}
				}
				continue
			}
			if !typedError(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		// The cached contexts and badgebake's node map conversion give
		// exactly json-gold's own result.
		if results[0] != results[1] {
			t.Fatalf("cached path and json-gold differ\ncached:\n%s\njson-gold:\n%s", results[0], results[1])
		}
	})
}

// typedError reports whether err is, or wraps, one of the package's error
// types or json-gold's.
func typedError(err error) bool {
	var (
		undefined   *UndefinedTermError
		dropped     *DroppedValueError
		panicked    *PanicError
		notEmbedded *NotEmbeddedError
		limit       *ContextLimitError
		recursive   *RecursiveContextError
		jsonld      *ld.JsonLdError
	)
	return errors.As(err, &undefined) || errors.As(err, &dropped) || errors.As(err, &panicked) ||
		errors.As(err, &notEmbedded) || errors.As(err, &limit) || errors.As(err, &recursive) ||
		errors.As(err, &jsonld)
}
