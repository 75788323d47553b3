package obschema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/jsonld"
)

// TestContextSchemaURLsAreEmbedded checks that the schema every embedded
// extension context names (obi:validationSchema) is served offline.
func TestContextSchemaURLsAreEmbedded(t *testing.T) {
	p := jsonld.NewProcessor(nil)
	for _, name := range jsonld.Extensions {
		doc, err := p.Document(jsonld.ExtensionContextURL(name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.Compact(doc, jsonld.ContextV2)
		if err != nil {
			t.Fatal(err)
		}
		entry, _ := c["validation"].(map[string]any)
		u, _ := entry["validationSchema"].(string)
		if u == "" {
			t.Errorf("%s: no validationSchema in %v", name, c)
			continue
		}
		if !IsEmbedded(u) {
			t.Errorf("%s: its context names %s, which is not embedded", name, u)
		}
	}
}

func TestEmbeddedSchemasCompileOffline(t *testing.T) {
	set := NewSet(nil)
	for _, u := range EmbeddedURLs() {
		for _, spelling := range []string{u, "http://" + strings.TrimPrefix(u, "https://")} {
			if _, err := set.Schema(context.Background(), spelling); err != nil {
				t.Errorf("%s: %v", spelling, err)
			}
		}
	}
}

func TestValidateMessages(t *testing.T) {
	s, err := NewSet(nil).Schema(context.Background(), URLs("geoCoordinatesExtension")[0])
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]any{"description": "here", "geo": map[string]any{"latitude": 1.5, "longitude": 2.0}}
	if err := s.Validate(ok); err != nil {
		t.Fatalf("valid document: %v", err)
	}
	bad := map[string]any{"description": 3.0, "geo": map[string]any{"latitude": 1.5}}
	err = s.Validate(bad)
	var inv *Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want *Invalid", err)
	}
	msg := err.Error()
	for _, want := range []string{"at /description:", "at /geo:", "longitude"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestFetchedSchemaIsCached(t *testing.T) {
	var calls atomic.Int32
	fetch := func(_ context.Context, url string) ([]byte, error) {
		calls.Add(1)
		if url != "https://example.org/schema.json" {
			return nil, errors.New("no such schema")
		}
		return []byte(`{"type": "object", "required": ["unknownProperty"],
			"properties": {"unknownProperty": {"type": "string"}}}`), nil
	}
	set := NewSet(fetch)
	for range 3 {
		s, err := set.Schema(context.Background(), "https://example.org/schema.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(map[string]any{"unknownProperty": 42.0}); err == nil {
			t.Error("a number passed as a string (no $schema: draft-04)")
		}
	}
	if calls.Load() != 1 {
		t.Errorf("fetched %d times, want 1", calls.Load())
	}
	if _, err := set.Schema(context.Background(), "https://example.org/missing.json"); err == nil || !strings.Contains(err.Error(), "no such schema") {
		t.Errorf("missing schema: err = %v", err)
	}
	if _, err := set.Schema(context.Background(), "https://example.org/missing.json"); err == nil {
		t.Error("a failure was cached as a success")
	}
	if calls.Load() != 3 {
		t.Errorf("fetched %d times, want 3 (failures are retried)", calls.Load())
	}
}

func TestOfflineSetRefusesUnknownSchemas(t *testing.T) {
	_, err := NewSet(nil).Schema(context.Background(), "https://example.org/schema.json")
	if !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("err = %v, want ErrNotEmbedded", err)
	}
}

func TestNotJSONSchema(t *testing.T) {
	set := NewSet(func(context.Context, string) ([]byte, error) { return []byte("<html>"), nil })
	if _, err := set.Schema(context.Background(), "https://example.org/s"); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v", err)
	}
	set = NewSet(func(context.Context, string) ([]byte, error) { return []byte(`{"type": 12}`), nil })
	if _, err := set.Schema(context.Background(), "https://example.org/s"); err == nil {
		t.Error("an invalid schema compiled")
	}
}

// A Set keeps at most maxCompiled schemas; one past the bound still
// validates, and is compiled (so fetched) again on its next use.
func TestSetBounded(t *testing.T) {
	var calls atomic.Int32
	set := NewSet(func(_ context.Context, url string) ([]byte, error) {
		calls.Add(1)
		return []byte(`{"type": "object"}`), nil
	})
	for i := range maxCompiled + 3 {
		s, err := set.Schema(context.Background(), fmt.Sprintf("https://example.org/s%d.json", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate("not an object"); err == nil {
			t.Fatalf("schema %d accepted a string", i)
		}
	}
	if n := len(set.done); n != maxCompiled {
		t.Errorf("%d schemas kept, want the bound %d", n, maxCompiled)
	}
	before := calls.Load()
	set.Schema(context.Background(), "https://example.org/s0.json")
	set.Schema(context.Background(), fmt.Sprintf("https://example.org/s%d.json", maxCompiled+1))
	if got := calls.Load() - before; got != 1 {
		t.Errorf("%d fetches, want 1 (the first kept, one past the bound compiled again)", got)
	}
}

// A schema whose $refs chain new URLs without end stops after
// MaxSchemaDocuments loads; a $ref cycle compiles (each URL is loaded once).
func TestSchemaRefChainsAreBounded(t *testing.T) {
	var calls atomic.Int32
	fetch := func(_ context.Context, url string) ([]byte, error) {
		calls.Add(1)
		var n int
		if _, err := fmt.Sscanf(url, "https://issuer.example/chain/%d", &n); err == nil {
			return fmt.Appendf(nil, `{"$ref": "https://issuer.example/chain/%d"}`, n+1), nil
		}
		switch url {
		case "https://issuer.example/a":
			return []byte(`{"type": "object", "properties": {"b": {"$ref": "https://issuer.example/b"}}}`), nil
		case "https://issuer.example/b":
			return []byte(`{"type": "object", "properties": {"a": {"$ref": "https://issuer.example/a"}}}`), nil
		}
		return nil, fmt.Errorf("HTTP 404")
	}
	set := NewSet(fetch)
	_, err := set.Schema(context.Background(), "https://issuer.example/chain/0")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d JSON schema documents", MaxSchemaDocuments)) {
		t.Fatalf("err = %v, want the document limit", err)
	}
	if n := calls.Load(); n > MaxSchemaDocuments {
		t.Errorf("%d fetches, want at most %d", n, MaxSchemaDocuments)
	}
	calls.Store(0)
	sch, err := set.Schema(context.Background(), "https://issuer.example/a")
	if err != nil {
		t.Fatalf("a $ref cycle: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d fetches for the cycle, want 2", n)
	}
	if err := sch.Validate(map[string]any{"b": map[string]any{"a": "not an object"}}); err == nil {
		t.Error("the cyclic schema accepted a wrong value")
	}
}

// Schemas are small: one whose documents add up to more than
// MaxSchemaBytes is refused.
func TestLargeSchemaRefused(t *testing.T) {
	big := `{"type": "object", "description": "` + strings.Repeat("x", MaxSchemaBytes) + `"}`
	set := NewSet(func(context.Context, string) ([]byte, error) { return []byte(big), nil })
	_, err := set.Schema(context.Background(), "https://issuer.example/big")
	if err == nil || !strings.Contains(err.Error(), "more than 1024 KiB of JSON schema documents") {
		t.Fatalf("err = %v, want the size limit", err)
	}
}

// A schema that refers to itself without descending into the value would
// recurse without end; validation stops and says why.
func TestSelfReferenceStops(t *testing.T) {
	set := NewSet(func(context.Context, string) ([]byte, error) { return []byte(`{"$ref": "#"}`), nil })
	s, err := set.Schema(context.Background(), "https://issuer.example/loop")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(1.0)
	if err == nil || !strings.Contains(err.Error(), "a $ref cycle") {
		t.Errorf("err = %v, want the nesting limit", err)
	}
}

// Drafts after draft-07 are refused by name, not misread.
func TestLaterDraftsRefused(t *testing.T) {
	set := NewSet(func(context.Context, string) ([]byte, error) {
		return []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}`), nil
	})
	_, err := set.Schema(context.Background(), "https://issuer.example/s")
	if err == nil || !strings.Contains(err.Error(), `$schema "https://json-schema.org/draft/2020-12/schema" is not supported`) {
		t.Errorf("err = %v", err)
	}
}

// A schema whose alternatives refer to alternatives, level after level,
// would take 2^levels evaluations on one value; validation stops at
// maxEvalSteps instead. Under "not" too: the stop is a failure, never a
// pass.
func TestMultiplyingAlternativesStop(t *testing.T) {
	const levels = 40
	var defs []string
	for i := range levels {
		defs = append(defs, fmt.Sprintf(`"d%d": {"anyOf": [{"$ref": "#/definitions/d%d"}, {"$ref": "#/definitions/d%d"}]}`, i, i+1, i+1))
	}
	defs = append(defs, fmt.Sprintf(`"d%d": {"type": "string"}`, levels))
	for _, root := range []string{`"$ref": "#/definitions/d0"`, `"not": {"not": {"$ref": "#/definitions/d0"}}`} {
		doc := `{` + root + `, "definitions": {` + strings.Join(defs, ", ") + `}}`
		set := NewSet(func(context.Context, string) ([]byte, error) { return []byte(doc), nil })
		s, err := set.Schema(context.Background(), "https://issuer.example/s")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate("a string"); err != nil {
			t.Errorf("%s: a valid value: %v", root, err)
		}
		err = s.Validate(1.0)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("validation stopped after %d schema evaluations", maxEvalSteps)) {
			t.Errorf("%s: err = %v, want the step bound", root, err)
		}
	}
}

// Problems past maxProblems are dropped, but the value stays invalid.
func TestProblemsBounded(t *testing.T) {
	set := NewSet(func(context.Context, string) ([]byte, error) { return []byte(`{"items": {"type": "string"}}`), nil })
	s, err := set.Schema(context.Background(), "https://issuer.example/s")
	if err != nil {
		t.Fatal(err)
	}
	many := make([]any, 3*maxProblems)
	for i := range many {
		many[i] = float64(i)
	}
	var inv *Invalid
	if err := s.Validate(many); !errors.As(err, &inv) || len(inv.Problems) != maxProblems {
		t.Errorf("err = %v, want %d problems", err, maxProblems)
	}
	if err := s.Validate(append(make([]any, 0), "a", 1.0)); err == nil {
		t.Error("a number passed as a string")
	}
}

// A number with an exponent past float64's range is read as a big.Float:
// still a number, an integer when it has no fraction, and compared with
// the schema's bounds, without computing its million digits.
func TestHugeNumbers(t *testing.T) {
	set := NewSet(func(context.Context, string) ([]byte, error) {
		return []byte(`{"type": "integer", "maximum": 3, "minimum": 0.5}`), nil
	})
	s, err := set.Schema(context.Background(), "https://issuer.example/s")
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[json.Number]string{
		"2":                 "",
		"1e1000000":         "at /: must be <= 3, got 1e1000000",
		"-1e100000000":      "at /: must be >= 0.5, got -1e100000000",
		"1.5":               "at /: got number, want integer",
		"1e-1000000":        "at /: got number, want integer; at /: must be >= 0.5, got 1e-1000000",
		"1000000E100000000": "at /: must be <= 3, got 1000000E100000000",
	} {
		got := ""
		if err := s.Validate(v); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: %q, want %q", v, got, want)
		}
	}
}

// $ref by plain-name id, in the same document and in one that an id of
// another names, loads no document twice and nothing that is an id.
func TestRefByID(t *testing.T) {
	var fetched []string
	set := NewSet(func(_ context.Context, url string) ([]byte, error) {
		fetched = append(fetched, url)
		if url != "https://issuer.example/root.json" {
			return nil, fmt.Errorf("HTTP 404")
		}
		return []byte(`{
			"definitions": {
				"name": {"id": "#name", "type": "string"},
				"sub": {"id": "https://issuer.example/sub/", "definitions": {"n": {"id": "#n", "type": "number"}}}
			},
			"properties": {
				"a": {"$ref": "#name"},
				"b": {"$ref": "https://issuer.example/sub/#n"},
				"c": {"$ref": "https://issuer.example/sub/#/definitions/n"}
			}}`), nil
	})
	s, err := set.Schema(context.Background(), "https://issuer.example/root.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(fetched) != 1 {
		t.Errorf("fetched %v, want the root only", fetched)
	}
	if err := s.Validate(map[string]any{"a": "x", "b": 1.0, "c": 2.0}); err != nil {
		t.Errorf("valid document: %v", err)
	}
	err = s.Validate(map[string]any{"a": 1.0, "b": "x", "c": "y"})
	for _, want := range []string{"at /a: got number, want string", "at /b: got string, want number", "at /c: got string, want number"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
