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

// An Open Badges 3.0 credential as RDF, offline, in safe mode: what a Data
// Integrity proof covers. A property no context defines is refused rather
// than silently left unsigned.
func ExampleProcessor_ToRDF() {
	var credential map[string]any
	err := json.Unmarshal([]byte(`{
		"@context": [
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
		],
		"id": "urn:uuid:4c1bb2e2-7b8e-4d43-9c4b-9f6d8a8e2a10",
		"type": ["VerifiableCredential", "OpenBadgeCredential"],
		"issuer": {"id": "https://example.edu/issuers/1", "type": "Profile", "name": "Example"},
		"validFrom": "2024-01-01T00:00:00Z",
		"credentialSubject": {
			"type": "AchievementSubject",
			"achievement": {
				"id": "https://example.edu/achievements/1",
				"type": "Achievement",
				"name": "Teamwork",
				"criteria": {"narrative": "Worked well with others."}
			}
		}
	}`), &credential)
	if err != nil {
		panic(err)
	}
	p := jsonld.NewProcessor(nil)
	quads, err := p.ToRDF(credential)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(quads), "quads")

	credential["favouriteColour"] = "blue"
	_, err = p.ToRDF(credential)
	var undefined *jsonld.UndefinedTermError
	fmt.Println(errors.As(err, &undefined), undefined.Term)
	fmt.Println(err)
	// Output:
	// 13 quads
	// true favouriteColour
	// jsonld: the credential uses "favouriteColour", which no @context defines: it would not be covered by the signature
}
