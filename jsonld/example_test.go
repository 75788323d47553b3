package jsonld_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/jsonld"
)

// A hosted assertion, compacted and expanded offline. Note the compacted
// verification type: "hosted", not the "HostedBadge" the document uses.
func Example() {
	var doc map[string]any
	err := json.Unmarshal([]byte(`{
		"@context": "https://w3id.org/openbadges/v2",
		"type": "Assertion",
		"id": "https://example.org/assertions/123",
		"issuedOn": "2016-12-31T23:59:59+00:00",
		"verification": {"type": "HostedBadge"}
	}`), &doc)
	if err != nil {
		panic(err)
	}

	p := jsonld.NewProcessor(jsonld.NewLoader(nil)) // nil Fetcher: offline
	compacted, err := p.Compact(doc, jsonld.ContextV2)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(compacted["verification"])
	fmt.Println(string(out))

	expanded, err := p.Expand(doc)
	if err != nil {
		panic(err)
	}
	verification := expanded[0].(map[string]any)["https://w3id.org/openbadges#verify"].([]any)[0]
	out, _ = json.Marshal(verification)
	fmt.Println(string(out))
	// Output:
	// {"type":"hosted"}
	// {"@type":["https://w3id.org/openbadges#HostedBadge"]}
}

// Without a Fetcher, a context that is not embedded is an error wrapping
// ErrNotEmbedded.
func ExampleLoader_offline() {
	doc := map[string]any{
		"@context": []any{jsonld.ContextV2, "https://example.org/my-extension/context.json"},
	}
	_, err := jsonld.NewProcessor(nil).Expand(doc)
	fmt.Println(errors.Is(err, jsonld.ErrNotEmbedded))
	// Output:
	// true
}

// A Fetcher gets what is not embedded; embedded contexts never reach it.
func ExampleNewLoader() {
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		fmt.Println("fetching", url)
		return []byte(`{"@context": {"color": "https://example.org/vocab#color"}}`), nil
	}
	p := jsonld.NewProcessor(jsonld.NewLoader(fetch).WithContext(context.Background()))
	doc := map[string]any{
		"@context": []any{jsonld.ContextV2, "https://example.org/colors.json"},
		"name":     "Badge",
		"color":    "red",
	}
	for range 2 { // the second call is served from the Loader's cache
		expanded, err := p.Expand(doc)
		if err != nil {
			panic(err)
		}
		fmt.Println(len(expanded[0].(map[string]any)), "properties")
	}
	// Output:
	// fetching https://example.org/colors.json
	// 2 properties
	// 2 properties
}
