package ob2

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/jsonld"
)

// TestFindExtensions follows upstream's CompactJsonExtensionDiscoveryTests:
// Extension objects are found at any depth, in lists too, with their path.
func TestFindExtensions(t *testing.T) {
	paths := func(v any) []string {
		var out []string
		for _, e := range findExtensions(v, []any{"_:b0"}) {
			out = append(out, fmt.Sprint(e.path))
		}
		return out
	}
	node := map[string]any{"string_prop": "string_val"}
	if got := paths(node); len(got) != 0 {
		t.Errorf("no extension: %v", got)
	}
	node["dict_prop_1"] = map[string]any{"type": "Extension"}
	if got := paths(node); !slices.Equal(got, []string{"[_:b0 dict_prop_1]"}) {
		t.Errorf("one extension: %v", got)
	}
	node["dict_prop_1"] = map[string]any{"type": []any{"Extension", "extensions:ApplyLink"}}
	node["dict_prop_2"] = map[string]any{"type": "NotAnExtension"}
	if got := paths(node); !slices.Equal(got, []string{"[_:b0 dict_prop_1]"}) {
		t.Errorf("type list, and a non-extension: %v", got)
	}
	node["dict_prop_2"] = map[string]any{"type": "obi:Extension"}
	if got := paths(node); len(got) != 2 {
		t.Errorf("a second extension (compact IRI): %v", got)
	}
	deep := map[string]any{"dict_prop_3": map[string]any{"string_prop_2": "x", "dict_prop_4": map[string]any{"type": "Extension"}}}
	if got := paths(deep); !slices.Equal(got, []string{"[_:b0 dict_prop_3 dict_prop_4]"}) {
		t.Errorf("nested: %v", got)
	}
	list := map[string]any{"list_prop_1": []any{
		map[string]any{"prop": "not an extension"},
		map[string]any{"id": "_:b0", "type": "Extension", "dict_prop_1": map[string]any{"id": "_:b1"}},
		"string_val",
	}}
	if got := paths(list); !slices.Equal(got, []string{"[_:b0 list_prop_1 1]"}) {
		t.Errorf("in a list: %v", got)
	}
	self := map[string]any{"type": []any{"Extension", "extensions:X"}, "id": map[string]any{"type": "Extension"}}
	if got := paths(self); !slices.Equal(got, []string{"[_:b0]"}) {
		t.Errorf("the node itself, and not inside id: %v", got)
	}
}

const (
	testExtContext = "https://example.org/ext/context.json"
	testExtSchema  = "https://example.org/ext/schema.json"
)

// extContext returns an extension context document whose validation entry
// validates vt, with extra inline terms.
func extContext(vt string, terms string) string {
	return `{"@context": {"obi": "https://w3id.org/openbadges#", "extensions": "https://w3id.org/openbadges/extensions#",
		"myext": "https://example.org/vocab#"` + terms + `},
		"obi:validation": [{"obi:validatesType": "` + vt + `", "obi:validationSchema": "` + testExtSchema + `"}]}`
}

// TestExtensionMatcher checks which validation entries apply to which node
// types: compared as expanded IRIs whichever way either is written (#207).
func TestExtensionMatcher(t *testing.T) {
	tests := []struct {
		name      string
		context   string // served at testExtContext, or an embedded context URL
		nodeTypes []string
		want      bool
	}{
		{"prefixed both", extContext("extensions:UnknownExtension", ""), []string{"extensions:UnknownExtension"}, true},
		{"full IRI entry", extContext("https://w3id.org/openbadges/extensions#UnknownExtension", ""), []string{"extensions:UnknownExtension"}, true},
		{"full IRI node type", extContext("extensions:UnknownExtension", ""), []string{"https://w3id.org/openbadges/extensions#UnknownExtension"}, true},
		{"obi prefix", extContext("obi:Thing", ""), []string{"https://w3id.org/openbadges#Thing"}, true},
		{"other type", extContext("extensions:UnknownExtension", ""), []string{"extensions:OtherExtension"}, false},
		{"case differs", extContext("extensions:UnknownExtension", ""), []string{"extensions:unknownExtension"}, false},
		{"the context's own prefix", extContext("myext:Thing", ""), []string{"https://example.org/vocab#Thing"}, true},
		{"the context's own term", extContext("Thing", `, "Thing": "myext:Thing"`), []string{"https://example.org/vocab#Thing"}, true},
		{"one of several types", extContext("extensions:UnknownExtension", ""), []string{"schema:Place", "extensions:UnknownExtension"}, true},
		{"no type", extContext("extensions:UnknownExtension", ""), nil, false},
		{"geo", jsonld.ExtensionContextURL("geoCoordinatesExtension"), []string{"extensions:GeoCoordinates", "schema:Place"}, true},
		{"deprecated endorsement extension", jsonld.ExtensionContextURL("endorsement"), []string{"extensions:Endorsement"}, true},
		{"endorsement as the v2 context reads it (the reference)", jsonld.ExtensionContextURL("endorsement"), []string{"https://w3id.org/credentials#credential"}, true},
		{"original creator as specified", "https://openbadgespec.org/extensions/originalCreatorExtension/context.json", []string{"extensions:OriginalCreator"}, true},
		{"original creator as its context says", jsonld.ExtensionContextURL("originalCreatorExtension"), []string{"extensions:originalCreator"}, true},
		{"accessibility as specified", "http://w3id.org/openbadges/extensions/accessibilityExtension/context.json", []string{"extensions:Accessibility"}, true},
		{"apply link is not original creator", jsonld.ExtensionContextURL("applyLinkExtension"), []string{"extensions:OriginalCreator"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.context
			d := docs{}
			if strings.HasPrefix(tt.context, "{") {
				url = testExtContext
				d[url] = tt.context
			}
			r := testVerifier(d).newRun(t.Context(), "", "url")
			matches, failed := r.matchingEntries([]string{url}, tt.nodeTypes)
			if failed {
				t.Fatalf("context could not be read: %s", dump(t, r.res))
			}
			if got := len(matches) > 0; got != tt.want {
				t.Errorf("match = %v, want %v (entries %+v)", got, tt.want, r.extContexts[url].entries)
			}
		})
	}
}

// TestExtensionMatcherTypeIRIs: the deprecated endorsement extension's
// validatesType, "endorsement", is a v2 term too (cred:credential); the
// reference expands it that way only, badgebake also in the extension's own
// context, where it names extensions:Endorsement.
func TestExtensionMatcherTypeIRIs(t *testing.T) {
	r := newTestRun()
	got := r.typeIRIs(jsonld.ExtensionContextURL("endorsement"), "endorsement")
	if !slices.Contains(got, "https://w3id.org/openbadges/extensions#Endorsement") {
		t.Errorf("typeIRIs = %v", got)
	}
}

func TestExtensionContextUnreadable(t *testing.T) {
	r := testVerifier(docs{testExtContext: "<html>"}).newRun(t.Context(), "", "url")
	matches, failed := r.matchingEntries([]string{testExtContext, testExtContext}, []string{"extensions:X"})
	if !failed || len(matches) != 0 {
		t.Errorf("matches %v, failed %v", matches, failed)
	}
	r.matchingEntries([]string{testExtContext}, []string{"extensions:X"})
	if len(r.res.Report.Messages) != 1 {
		t.Errorf("want one message for an unreadable context, read once: %s", dump(t, r.res))
	}
}

func TestWithoutContext(t *testing.T) {
	doc := decode(t, `{"@context": ["https://w3id.org/openbadges/v2", "https://x.org/c"], "a": {"@context": "https://x.org/c", "b": 1},
		"l": [{"@context": ["https://x.org/c"], "c": 2}, {"@context": "https://y.org/c"}]}`)
	got := asJSON(withoutContext(doc, "https://x.org/c"))
	want := `{"@context":["https://w3id.org/openbadges/v2"],"a":{"b":1},"l":[{"c":2},{"@context":"https://y.org/c"}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !strings.Contains(asJSON(doc), `"a":{"@context":"https://x.org/c"`) {
		t.Error("the original was modified")
	}
}

// TestExtensionCompactionKeepsGraph: an unreachable extension context is
// left out and reported once; the document is still read.
func TestExtensionCompactionKeepsGraph(t *testing.T) {
	r := newTestRun()
	doc := decode(t, `{"@context": "https://w3id.org/openbadges/v2", "id": "https://example.org/a", "type": "Assertion",
		"extensions:x": {"@context": "https://example.org/gone.json", "type": ["Extension", "extensions:X"], "p": 1},
		"extensions:y": {"@context": ["https://example.org/gone.json", "https://example.org/gone2.json"], "type": ["Extension", "extensions:Y"]}}`)
	c, failed, err := r.compact("https://example.org/a", doc, classAssertion)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 || c["id"] != "https://example.org/a" {
		t.Errorf("failed %v, compacted %v", failed, c)
	}
	if len(r.res.Report.Messages) != 2 {
		t.Errorf("want one error per context: %s", dump(t, r.res))
	}
	r.validateExtensions("https://example.org/a", c, jsonld.AllContextURLs(doc), failed)
	if len(r.res.Report.Messages) != 2 {
		t.Errorf("extensions of a context that failed got more errors: %s", dump(t, r.res))
	}
}
