package jsonld

import (
	"context"
	"fmt"
	"maps"

	"github.com/piprate/json-gold/ld"
)

// Processor runs json-gold (JSON-LD 1.1 processing mode, json-gold's default)
// with a Loader. It is safe for concurrent use.
//
// For the embedded contexts it reuses one processed active context per
// process instead of letting json-gold rebuild it on every call: see Compact
// and Expand.
type Processor struct {
	loader *Loader
	opts   *ld.JsonLdOptions
	proc   *ld.JsonLdProcessor

	// reuseContexts is always true outside tests and benchmarks, which turn
	// it off to compare against plain json-gold.
	reuseContexts bool
}

// NewProcessor returns a Processor that loads documents with l. A nil l is an
// offline Loader (NewLoader(nil)).
func NewProcessor(l *Loader) *Processor {
	if l == nil {
		l = NewLoader(nil)
	}
	return &Processor{
		loader:        l,
		opts:          newOptions(l),
		proc:          ld.NewJsonLdProcessor(),
		reuseContexts: true,
	}
}

// WithContext returns a Processor whose Loader passes ctx to the Fetcher.
func (p *Processor) WithContext(ctx context.Context) *Processor {
	q := NewProcessor(p.loader.WithContext(ctx))
	q.reuseContexts = p.reuseContexts
	return q
}

// Document returns a private copy of the JSON document at url as the
// Processor's Loader serves it: an embedded context, or a document fetched
// (and cached) by its Fetcher. The verifier reads extension contexts'
// validation entries with it.
func (p *Processor) Document(url string) (any, error) {
	rd, err := p.loader.LoadDocument(url)
	if err != nil {
		return nil, err
	}
	return rd.Document, nil
}

// newOptions returns json-gold options using l. json-gold copies the options
// on every call, so one value per Processor is never modified.
func newOptions(l *Loader) *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	return opts
}

// Expand expands doc (a decoded JSON value; it is not modified).
//
// When doc's @context is a single embedded URL and doc holds no other
// @context, a copy of the cached active context is used instead of processing
// the context again. Other documents (e.g. with extensions, which carry their
// own @context) take json-gold's normal path; see withActiveContext.
func (p *Processor) Expand(doc any) ([]any, error) {
	out, err := p.expand(doc)
	if err != nil {
		return nil, fmt.Errorf("jsonld: expand: %w", err)
	}
	return out, nil
}

func (p *Processor) expand(doc any) ([]any, error) {
	if p.reuseContexts {
		doc = withActiveContext(doc)
	}
	return p.proc.Expand(doc, p.opts)
}

// Compact compacts doc (a decoded JSON value; it is not modified) with
// ldContext: a URL string such as ContextV2, or a context value (an object,
// an array, or a document with an @context member).
//
// For an embedded context URL, the processed active context (with its inverse
// context, the costly part) is built once per process and reused; the output
// is the same as json-gold's Compact (tests compare both). The result's
// "@context" is the URL exactly as given.
//
// Term selection is json-gold's, not PyLD 0.7's: see the package
// documentation (HostedBadge comes out as "hosted").
func (p *Processor) Compact(doc any, ldContext any) (map[string]any, error) {
	out, err := p.compact(doc, ldContext)
	if err != nil {
		return nil, fmt.Errorf("jsonld: compact: %w", err)
	}
	return out, nil
}

func (p *Processor) compact(doc any, ldContext any) (map[string]any, error) {
	if url, ok := ldContext.(string); ok && p.reuseContexts {
		if e := lookupEmbedded(url); e != nil {
			active, err := e.active()
			if err != nil {
				return nil, err
			}
			return p.compactWith(doc, url, active)
		}
	}
	return p.proc.Compact(doc, ldContext, p.opts)
}

// compactWith is ld.JsonLdProcessor.Compact for a string context, with the
// active context supplied instead of parsed from the context.
func (p *Processor) compactWith(doc any, url string, active *ld.Context) (map[string]any, error) {
	if _, isURL := doc.(string); isURL {
		// json-gold then takes its base IRI from the document URL, which a
		// shared active context cannot have.
		return p.proc.Compact(doc, url, p.opts)
	}
	expanded, err := p.expand(doc)
	if err != nil {
		return nil, err
	}
	compacted, err := ld.NewJsonLdApi().Compact(active, "", expanded, p.opts.CompactArrays)
	if err != nil {
		return nil, err
	}
	// The rest mirrors the end of ld.JsonLdProcessor.Compact.
	switch c := compacted.(type) {
	case []any:
		if len(c) == 0 {
			return map[string]any{}, nil
		}
		graph, err := active.CompactIri("@graph", nil, false, false)
		if err != nil {
			return nil, err
		}
		return map[string]any{graph: c, "@context": url}, nil
	case map[string]any:
		if len(c) > 0 {
			c["@context"] = url
		}
		return c, nil
	default:
		return nil, fmt.Errorf("unexpected compaction result %T", compacted)
	}
}

// withActiveContext returns doc with its top-level @context replaced by a
// copy of the cached active context, when that is safe: the @context is one
// embedded URL (json-gold accepts a *ld.Context in place of a context) and no
// nested @context would be processed on top of it. Otherwise, or if the
// context cannot be processed, doc is returned unchanged and json-gold
// reports any error itself.
//
// Why so narrow: a json-gold Context carries the options, and so the loader,
// it was processed with, and json-gold loads contexts met further down the
// document with the loader of the active context there. The cached contexts
// were processed offline, so a nested extension context would bypass this
// Processor's Fetcher. Arrays of contexts are left to json-gold too; they are
// rare in OB 2.0 documents.
func withActiveContext(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	url, ok := m["@context"].(string)
	if !ok {
		return doc
	}
	e := lookupEmbedded(url)
	if e == nil {
		return doc
	}
	for k, v := range m {
		if k != "@context" && hasContext(v) {
			return doc
		}
	}
	active, err := e.active()
	if err != nil {
		return doc
	}
	shallow := maps.Clone(m)
	// A copy, because json-gold writes the processing mode into a *ld.Context
	// it is given as a context. CopyContext copies the term definition map
	// (pointers to immutable definitions) but not the inverse context, which
	// expansion does not use: still far cheaper than processing the context.
	shallow["@context"] = ld.CopyContext(active)
	return shallow
}

// hasContext reports whether v contains an "@context" key at any depth.
func hasContext(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["@context"]; ok {
			return true
		}
		for _, e := range v {
			if hasContext(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasContext(e) {
				return true
			}
		}
	}
	return false
}
