package jsonld

import (
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestIsEmbedded(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{ContextV2, true},
		{"http://w3id.org/openbadges/v2", true},
		{"https://openbadgespec.org/v2/context.json", true},
		{"http://openbadgespec.org/v2/context.json", true},
		{ContextV1, true},
		{"https://openbadgespec.org/v1/context.json", true},
		{ContextLegacyV1, true},
		{"http://w3id.org/openbadges/legacy-v1", true},
		{"https://w3id.org/openbadges/extensions/licenseExtension/context.json", true},
		{"http://openbadgespec.org/extensions/geoCoordinatesExtension/context.json", true},
		// Spellings that are not published URLs are not guessed at.
		{"https://w3id.org/openbadges/v2/", false},
		{"https://w3id.org/openbadges/v2#", false},
		{"HTTPS://w3id.org/openbadges/v2", false},
		{"https://w3id.org/openbadges/extensions/licenseExtension/schema.json", false},
		{"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", true},
		{"http://purl.imsglobal.org/spec/ob/v3p0/context.json", true},
		{"https://www.w3.org/2018/credentials/v1", true},
		{"https://www.w3.org/ns/credentials/v2", true},
		{"https://w3id.org/security/multikey/v1", true},
		{"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.4.json", false},
		{"https://www.w3.org/ns/credentials/v2/", false},
		{"https://w3id.org/security/v2", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsEmbedded(tt.url); got != tt.want {
			t.Errorf("IsEmbedded(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestEmbeddedURLs(t *testing.T) {
	urls := EmbeddedURLs()
	// v2 and v1 (w3id + openbadgespec), legacy-v1, two URLs per extension,
	// then one URL for each of the 17 OB 3.0 and VC contexts.
	if want := 2 + 2 + 1 + 2*len(Extensions) + 17; len(urls) != want {
		t.Errorf("%d URLs, want %d: %v", len(urls), want, urls)
	}
	if !slices.IsSorted(urls) {
		t.Error("not sorted")
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "https://") || !IsEmbedded(u) {
			t.Errorf("bad URL %s", u)
		}
	}
}

// TestEmbeddedFiles checks that every file under contexts/ is registered and
// parses to a JSON object with an @context.
func TestEmbeddedFiles(t *testing.T) {
	files := map[string]bool{}
	for _, e := range registry {
		files[e.file] = true
		doc, err := e.document()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := doc.(map[string]any)["@context"]; !ok {
			t.Errorf("%s has no @context", e.file)
		}
		if _, err := e.active(); err != nil {
			t.Errorf("%s: %v", e.file, err)
		}
	}
	err := fs.WalkDir(contextFiles, "contexts", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !files[path] {
			t.Errorf("%s is embedded but not registered", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestContextURLs(t *testing.T) {
	ext := ExtensionContextURL("exampleExtension")
	tests := []struct {
		name string
		doc  map[string]any
		want []string
	}{
		{"string", map[string]any{"@context": ContextV2}, []string{ContextV2}},
		{"array", map[string]any{"@context": []any{ContextV2, map[string]any{"x": "urn:x"}, ext}}, []string{ContextV2, ext}},
		{"object", map[string]any{"@context": map[string]any{"x": "urn:x"}}, nil},
		{"none", map[string]any{"id": "urn:x"}, nil},
		{"null", map[string]any{"@context": nil}, nil},
	}
	for _, tt := range tests {
		if got := ContextURLs(tt.doc); !slices.Equal(got, tt.want) {
			t.Errorf("%s: ContextURLs = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAllContextURLs(t *testing.T) {
	ext := ExtensionContextURL("exampleExtension")
	geo := ExtensionContextURL("geoCoordinatesExtension")
	doc := map[string]any{
		"@context": []any{ContextV2, map[string]any{"x": "urn:x"}},
		"b":        map[string]any{"@context": ext, "c": map[string]any{"@context": []any{geo, ext}}},
		"a":        []any{map[string]any{"@context": geo}, "text", []any{map[string]any{"@context": "https://example.org/c"}}},
	}
	want := []string{ContextV2, geo, "https://example.org/c", ext}
	if got := AllContextURLs(doc); !slices.Equal(got, want) {
		t.Errorf("AllContextURLs = %v, want %v", got, want)
	}
	if got := AllContextURLs("text"); got != nil {
		t.Errorf("AllContextURLs(text) = %v", got)
	}
}

func TestCanonicalURL(t *testing.T) {
	for u, want := range map[string]string{
		ContextV2: ContextV2,
		"http://openbadgespec.org/v2/context.json":                           ContextV2,
		"https://openbadgespec.org/extensions/recipientProfile/context.json": ExtensionContextURL("recipientProfile"),
		"https://example.org/context.json":                                   "",
		ContextV2 + "/":                                                      "",
	} {
		if got := CanonicalURL(u); got != want {
			t.Errorf("CanonicalURL(%s) = %q, want %q", u, got, want)
		}
	}
}

// TestEmbeddedParsedOnce: every load of an embedded context starts from the
// same parsed document and the same active context.
func TestEmbeddedParsedOnce(t *testing.T) {
	e := lookupEmbedded(ContextV2)
	a, _ := e.document()
	b, _ := e.document()
	if reflect.ValueOf(a).Pointer() != reflect.ValueOf(b).Pointer() {
		t.Error("ContextV2 parsed twice")
	}
	x, _ := e.active()
	y, _ := e.active()
	if x != y {
		t.Error("ContextV2 processed twice")
	}
}
