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

// The contexts of Open Badges 3.0 credentials and of the documents their
// verification reads (DID documents, keys, status lists). All are embedded.
const (
	ContextCredentialsV2       = "https://www.w3.org/ns/credentials/v2"
	ContextCredentialsV1       = "https://www.w3.org/2018/credentials/v1"
	ContextCredentialsExamples = "https://www.w3.org/ns/credentials/examples/v2"
	// ContextOB3 is the current Open Badges 3.0 context; ContextOB3v300,
	// ContextOB3v301 and ContextOB3v302 are the earlier versions, which
	// credentials issued under them still name.
	ContextOB3                    = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextOB3v300                = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
	ContextOB3v301                = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
	ContextOB3v302                = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
	ContextOB3Extensions          = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
	ContextDataIntegrityV1        = "https://w3id.org/security/data-integrity/v1"
	ContextDataIntegrityV2        = "https://w3id.org/security/data-integrity/v2"
	ContextEd25519Signature2020   = "https://w3id.org/security/suites/ed25519-2020/v1"
	ContextX25519KeyAgreement2020 = "https://w3id.org/security/suites/x25519-2020/v1"
	ContextMultikey               = "https://w3id.org/security/multikey/v1"
	ContextBitstringStatusList    = "https://www.w3.org/ns/credentials/status/v1"
	ContextStatusList2021         = "https://w3id.org/vc/status-list/2021/v1"
	ContextDIDv1                  = "https://www.w3.org/ns/did/v1"
	ContextDCCv1                  = "https://w3id.org/dcc/v1"
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
// The Open Badges 3.0 contexts and those of Verifiable Credentials, Data
// Integrity, status lists, DIDs and keys (contexts/ob3, vc, security, did,
// dcc) carry the term definitions of the published context documents, laid
// out for badgebake: keyword aliases, then prefixes, then classes, then
// properties, each group in alphabetical order. contexts/security/
// multikey-v1.json was written from the Controlled Identifiers
// specification's Multikey section (a type-scoped Multikey term defining
// controller, expires, revoked, publicKeyMultibase and secretKeyMultibase).
// Each is served only at the URL it is published at.
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
	return append(r,
		newEmbedded("contexts/vc/credentials-v2.json", ContextCredentialsV2),
		newEmbedded("contexts/vc/credentials-v1.json", ContextCredentialsV1),
		newEmbedded("contexts/vc/examples-v2.json", ContextCredentialsExamples),
		newEmbedded("contexts/vc/status-v1.json", ContextBitstringStatusList),
		newEmbedded("contexts/vc/status-list-2021-v1.json", ContextStatusList2021),
		newEmbedded("contexts/ob3/context-3.0.3.json", ContextOB3),
		newEmbedded("contexts/ob3/context-3.0.2.json", ContextOB3v302),
		newEmbedded("contexts/ob3/context-3.0.1.json", ContextOB3v301),
		newEmbedded("contexts/ob3/context-3.0.0.json", ContextOB3v300),
		newEmbedded("contexts/ob3/extensions.json", ContextOB3Extensions),
		newEmbedded("contexts/security/data-integrity-v1.json", ContextDataIntegrityV1),
		newEmbedded("contexts/security/data-integrity-v2.json", ContextDataIntegrityV2),
		newEmbedded("contexts/security/ed25519-2020-v1.json", ContextEd25519Signature2020),
		newEmbedded("contexts/security/x25519-2020-v1.json", ContextX25519KeyAgreement2020),
		newEmbedded("contexts/security/multikey-v1.json", ContextMultikey),
		newEmbedded("contexts/did/did-v1.json", ContextDIDv1),
		newEmbedded("contexts/dcc/dcc-v1.json", ContextDCCv1),
	)
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
