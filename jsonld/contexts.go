package jsonld

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// The Open Badges context URLs. Documents name one of them in @context.
const (
	ContextV2       = "https://w3id.org/openbadges/v2"
	ContextV1       = "https://w3id.org/openbadges/v1"
	ContextLegacyV1 = "https://w3id.org/openbadges/legacy-v1"
)

// Extensions lists the official Open Badges 2.0 extensions whose contexts are
// embedded, by the folder name used in their URLs
// (https://w3id.org/openbadges/extensions/<name>/context.json).
var Extensions = []string{
	"accessibilityExtension",
	"applyLinkExtension",
	"assessmentExtension",
	"endorsement",
	"exampleExtension",
	"extraDescription",
	"geoCoordinatesExtension",
	"issuerAccreditationExtension",
	"licenseExtension",
	"originalCreatorExtension",
	"recipientProfile",
}

// ExtensionContextURL returns the canonical (w3id.org) URL of an official
// extension's context, e.g. ExtensionContextURL("licenseExtension").
func ExtensionContextURL(name string) string {
	return "https://w3id.org/openbadges/extensions/" + name + "/context.json"
}

//go:embed contexts
var contextFiles embed.FS

// An embeddedContext is one context document we ship: the file holding our
// copy and every URL it is published under (https form, canonical first).
type embeddedContext struct {
	file string
	urls []string

	// document parses the file once per process. The result is shared and
	// must never be handed to json-gold without a copy (see Loader).
	document func() (any, error)
	// active is the document processed into a json-gold active context, for
	// compaction and expansion; see Processor.
	active func() (*ld.Context, error)
}

// registry holds every embedded context; byURL indexes it by each https URL.
var (
	registry = buildRegistry()
	byURL    = indexRegistry(registry)
)

// buildRegistry lists the embedded contexts. The files were written for
// badgebake from the specifications (1EdTech openbadges-specification,
// ob_v2p0/), grouped by the class that uses each term:
//
//   - contexts/v2.json: Open Badges 2.0 (index.md, "Open Badges Vocabulary"
//     through "Endorsement"; term IRIs and types as in the specification's
//     v2 context, which the text names as where its term definitions appear;
//     targetFramework is schema:educationalFramework, as published since
//     2020, not the schema:targetFramework of the validator's test copy);
//   - contexts/v1.json and contexts/legacy-v1.json: Open Badges 1.1
//     (history/1.1-specification.md, including its "Validation" section) and
//     the 1.0 terms its context imports (v1/legacy-v1.json);
//   - contexts/extensions/*.json: extensions/index.md (Example, Apply Link,
//     Endorsement, Geo Location, Accessibility, Creative Commons License,
//     Original Creator), extensions/endorsement/index.md, and the IMS
//     extension specifications (Assessment, Extra Description, Issuer
//     Accreditation; their "JSON-LD Context" sections), with each context
//     document's obi:validation entry. recipientProfile has no prose page;
//     its folder in the specification (context and schema) is the source.
//
// The prose tables name terms and value types but rarely IRIs; those come
// from the specification's own context documents (ob_v2p0/v2/context.json,
// v1/context.json, v1/legacy-v1.json, extensions/<name>/context.json).
//
// equivalence_test.go proves each file means the same as the official copy.
func buildRegistry() []*embeddedContext {
	r := []*embeddedContext{
		newEmbedded("contexts/v2.json", ContextV2, "https://openbadgespec.org/v2/context.json"),
		newEmbedded("contexts/v1.json", ContextV1, "https://openbadgespec.org/v1/context.json"),
		newEmbedded("contexts/legacy-v1.json", ContextLegacyV1),
	}
	for _, name := range Extensions {
		r = append(r, newEmbedded("contexts/extensions/"+name+".json",
			ExtensionContextURL(name),
			"https://openbadgespec.org/extensions/"+name+"/context.json"))
	}
	return r
}

func newEmbedded(file string, urls ...string) *embeddedContext {
	e := &embeddedContext{file: file, urls: urls}
	e.document = sync.OnceValues(e.parse)
	e.active = sync.OnceValues(e.process)
	return e
}

func indexRegistry(r []*embeddedContext) map[string]*embeddedContext {
	m := make(map[string]*embeddedContext)
	for _, e := range r {
		for _, u := range e.urls {
			m[u] = e
		}
	}
	return m
}

func (e *embeddedContext) parse() (any, error) {
	b, err := contextFiles.ReadFile(e.file)
	if err != nil {
		return nil, fmt.Errorf("jsonld: embedded context %s: %w", e.urls[0], err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("jsonld: embedded context %s (%s) is not valid JSON: %w", e.urls[0], e.file, err)
	}
	return doc, nil
}

// process turns the document into an active context with its inverse context
// already built. Building the inverse is the expensive part of compaction and
// json-gold builds it lazily inside the Context, so doing it here, before the
// Context is shared, also makes every later use read-only (and race-free).
// An embedded context only ever refers to other embedded contexts (v1 imports
// legacy-v1), so an offline loader is enough.
func (e *embeddedContext) process() (*ld.Context, error) {
	ctx, err := ld.NewContext(nil, newOptions(NewLoader(nil))).Parse(e.urls[0])
	if err != nil {
		return nil, fmt.Errorf("jsonld: processing embedded context %s: %w", e.urls[0], err)
	}
	ctx.GetInverse()
	return ctx, nil
}

// lookupEmbedded finds the embedded context served at u. Both http:// and
// https:// spellings are served: documents in the wild use either.
func lookupEmbedded(u string) *embeddedContext {
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		u = "https://" + rest
	}
	return byURL[u]
}

// IsEmbedded reports whether url is served from the embedded copies.
func IsEmbedded(url string) bool {
	return lookupEmbedded(url) != nil
}

// CanonicalURL returns the canonical URL of the embedded context served at
// url (e.g. https://w3id.org/openbadges/v2 for
// http://openbadgespec.org/v2/context.json), or "" when none is.
func CanonicalURL(url string) string {
	if e := lookupEmbedded(url); e != nil {
		return e.urls[0]
	}
	return ""
}

// EmbeddedURLs returns, sorted, every https URL served from the embedded
// copies (each is also served in its http form).
func EmbeddedURLs() []string {
	urls := make([]string, 0, len(byURL))
	for u := range byURL {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	return urls
}

// ContextURLs returns the context URLs a document's @context names (a string,
// or the strings inside an array), in order. Inline context objects are
// skipped. See AllContextURLs for the contexts of nested objects too.
func ContextURLs(doc map[string]any) []string {
	var urls []string
	switch c := doc["@context"].(type) {
	case string:
		urls = append(urls, c)
	case []any:
		for _, v := range c {
			if s, ok := v.(string); ok {
				urls = append(urls, s)
			}
		}
	}
	return urls
}

// AllContextURLs returns every context URL a document names, in its own
// @context and in those of the objects nested in it at any depth (an
// extension object usually names its extension's context), in document
// order (object keys sorted), each once. Inline context objects are
// skipped. The verifier uses it to find extension contexts.
func AllContextURLs(doc any) []string {
	var urls []string
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, u := range ContextURLs(v) {
				if !seen[u] {
					seen[u] = true
					urls = append(urls, u)
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				if k != "@context" {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return urls
}
