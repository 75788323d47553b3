// Package obschema validates Open Badges 2.0 extension objects against the
// JSON schemas their extension contexts name (the obi:validationSchema of
// an obi:validation entry).
//
// The schemas of the official OB 2.0 extensions are embedded, so they are
// never fetched: accessibility, apply link, assessment, the deprecated
// endorsement extension, example, extra description, geo location, issuer
// accreditation, license, original creator and recipient profile. Each is
// served under every URL the extension contexts and the specification
// publish it at (w3id.org and openbadgespec.org, and for the IMS extensions
// their purl.imsglobal.org schema URL), in http and https form. Any other
// schema is fetched with the Set's Fetcher and compiled once per Set.
//
// The embedded files were written for badgebake from the extension
// specifications (1EdTech openbadges-specification, ob_v2p0/extensions: the
// Open Badges Extensions page, extensions/endorsement, and the IMS Extra
// Description, Issuer Accreditation and Assessment specifications, whose
// JSON Schema sections name the machine-readable rules). equivalence_test.go
// proves that each accepts and rejects the same documents as the official
// copy. The published accessibility schema is not a valid JSON schema (its
// "required" list sits inside "properties"); ours requires what that list
// names.
//
// Schemas are compiled and run by this package's own validator of the
// JSON Schema draft-04, draft-06 and draft-07 keywords (compile.go,
// validate.go, formats.go), written from the drafts' texts. Of the
// libraries measured, some compile every draft's metaschema or their
// format regexps in their own init, which every run of the CLI would pay
// for, one lacks draft-04, and the one left needs a newer Go or links far
// more than it (the commit that brought this validator in says which).
// github.com/santhosh-tekuri/jsonschema/v6, used before, checks it in
// oracle_test.go. A schema without "$schema" is read as draft-04, the draft
// openbadges-validator-core's jsonschema 2.6 defaults to; formats (uri,
// date-time, email, …) are asserted (the reference checks none). Later
// drafts (2019-09, 2020-12) are refused with an error that says so.
package obschema

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/jsonld"
)

// Extensions lists the official extensions whose schemas are embedded: the
// same extensions whose contexts package jsonld embeds.
var Extensions = jsonld.Extensions

// purlSchemas are the schema URLs the IMS extensions' contexts name.
var purlSchemas = map[string]string{
	"assessmentExtension":          "https://purl.imsglobal.org/spec/ob-assessment/v1p0/schema/",
	"extraDescription":             "https://purl.imsglobal.org/spec/ob-exdesc/v1p0/schema/",
	"issuerAccreditationExtension": "https://purl.imsglobal.org/spec/ob-accred/v1p0/schema/",
}

// URLs returns the https URLs an official extension's schema is published
// at, canonical (w3id.org) first. Each is also served in its http form.
func URLs(name string) []string {
	urls := []string{
		"https://w3id.org/openbadges/extensions/" + name + "/schema.json",
		"https://openbadgespec.org/extensions/" + name + "/schema.json",
	}
	if p, ok := purlSchemas[name]; ok {
		urls = append(urls, p)
	}
	return urls
}

//go:embed schemas
var schemaFiles embed.FS

// byURL maps every https URL of an embedded schema to its file. Built on
// first use: most runs of the CLI never look a schema up.
var byURL = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, name := range Extensions {
		for _, u := range URLs(name) {
			m[u] = "schemas/" + name + ".json"
		}
	}
	return m
})

func embeddedFile(url string) (string, bool) {
	if rest, ok := strings.CutPrefix(url, "http://"); ok {
		url = "https://" + rest
	}
	f, ok := byURL()[url]
	return f, ok
}

// IsEmbedded reports whether the schema at url is served from the embedded
// copies.
func IsEmbedded(url string) bool {
	_, ok := embeddedFile(url)
	return ok
}

// EmbeddedURLs returns, sorted, every https URL served from the embedded
// copies.
func EmbeddedURLs() []string {
	urls := make([]string, 0, len(byURL()))
	for u := range byURL() {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	return urls
}

// Document returns a fresh parsed copy of an embedded schema (numbers are
// json.Number).
func Document(url string) (any, error) {
	f, ok := embeddedFile(url)
	if !ok {
		return nil, fmt.Errorf("obschema: %s is not embedded", url)
	}
	b, err := schemaFiles.ReadFile(f)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

// Fetcher gets the bytes of a schema that is not embedded. It decides what
// may be fetched and should honour ctx. A nil Fetcher means offline.
type Fetcher func(ctx context.Context, url string) ([]byte, error)

// ErrNotEmbedded is wrapped by the error for a schema that is neither
// embedded nor fetchable (a Set without a Fetcher).
var ErrNotEmbedded = errors.New("obschema: schema is not embedded and there is no fetcher")

// A Set compiles schemas by URL and keeps them for its lifetime, up to
// maxCompiled of them (every embedded schema fits; a long-running service
// is sent extensions naming any schema URL, and beyond the bound a schema
// is compiled again on each use). A failed load or compilation is not
// kept, so a later call tries again (the Fetcher may cache failures
// itself). A Set is safe for concurrent use.
type Set struct {
	fetch Fetcher
	mu    sync.Mutex
	done  map[string]*Schema
	bytes int // the JSON text the schemas in done were compiled from
}

// maxCompiled and maxCompiledBytes bound the schemas a Set keeps (the JSON
// text they were fetched as; compiled, a few times that).
const (
	maxCompiled      = 256
	maxCompiledBytes = 8 << 20
)

// NewSet returns a Set that fetches schemas that are not embedded with
// fetch (nil: offline).
func NewSet(fetch Fetcher) *Set {
	return &Set{fetch: fetch, done: map[string]*Schema{}}
}

// Schema is a compiled schema.
type Schema struct {
	URL string
	n   *node
}

// Schema returns the compiled schema at url: embedded, or fetched with ctx.
func (s *Set) Schema(ctx context.Context, url string) (*Schema, error) {
	s.mu.Lock()
	sch := s.done[url]
	s.mu.Unlock()
	if sch != nil {
		return sch, nil
	}
	// Compiled outside the lock, so one slow fetch does not hold up other
	// verifications; two concurrent first uses both compile, the first
	// stored wins.
	l := &loader{ctx: ctx, fetch: s.fetch}
	compiled, err := newCompiler(l.Load).compile(url)
	if err != nil {
		return nil, loadError(url, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.done[url]; old != nil {
		return old, nil
	}
	sch = &Schema{URL: url, n: compiled}
	if len(s.done) < maxCompiled && s.bytes+l.bytes <= maxCompiledBytes {
		s.done[url] = sch
		s.bytes += l.bytes
	}
	return sch, nil
}

// loadError keeps the cause of a load failure readable: the compiler wraps
// it in a loadURLError.
func loadError(url string, err error) error {
	var le *loadURLError
	if errors.As(err, &le) && le.Err != nil {
		return fmt.Errorf("could not load JSON schema %s: %w", le.URL, le.Err)
	}
	return fmt.Errorf("could not compile JSON schema %s: %w", url, err)
}

// MaxSchemaDocuments is how many documents compiling one schema may load:
// the schema and those its $refs name, transitively. The compiler loads
// each URL once, so a $ref cycle ends by itself, but a hostile schema can
// chain new URLs without end (each one a request from the verifier).
const MaxSchemaDocuments = 32

// MaxSchemaBytes bounds the JSON text of the fetched documents one schema
// is compiled from. Extension schemas are a few kilobytes.
const MaxSchemaBytes = 1 << 20

// loader serves embedded schemas and fetches the rest, for one compilation.
type loader struct {
	ctx   context.Context
	fetch Fetcher
	loads int
	bytes int // fetched
}

func (l *loader) Load(url string) (any, error) {
	if err := l.ctx.Err(); err != nil {
		return nil, err
	}
	if l.loads++; l.loads > MaxSchemaDocuments {
		return nil, fmt.Errorf("more than %d JSON schema documents for one schema; not loading %s", MaxSchemaDocuments, url)
	}
	if IsEmbedded(url) {
		return Document(url)
	}
	if l.fetch == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotEmbedded, url)
	}
	b, err := l.fetch(l.ctx, url)
	if err != nil {
		return nil, err
	}
	if l.bytes += len(b); l.bytes > MaxSchemaBytes {
		return nil, fmt.Errorf("more than %d KiB of JSON schema documents for one schema; not using %s", MaxSchemaBytes>>10, url)
	}
	b = textin.TrimBOM(b)
	if err := jsonin.CheckDepth(b); err != nil {
		return nil, fmt.Errorf("the schema is %w", err)
	}
	doc, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	return doc, nil
}

// Validate validates a decoded JSON value (maps, slices, strings,
// float64 or json.Number, bools, nil). A failure is an *Invalid.
func (s *Schema) Validate(v any) error {
	e := &evaluation{}
	if e.validate(s.n, v, nil) && e.stopped == "" {
		return nil
	}
	problems := slices.Compact(e.problems)
	if e.stopped != "" {
		problems = append(problems, e.stopped)
	}
	return &Invalid{Problems: problems}
}

// Invalid is a document the schema rejects: one problem per failed
// keyword, each "at <JSON pointer>: <what>", most specific first.
type Invalid struct {
	Problems []string
}

func (e *Invalid) Error() string { return strings.Join(e.Problems, "; ") }
