package jsonld

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

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
	// safeOpts is opts with json-gold's safe mode on, for ToRDF.
	safeOpts *ld.JsonLdOptions
	proc     *ld.JsonLdProcessor

	// reuseContexts is always true outside tests and benchmarks, which turn
	// it off to compare against plain json-gold: no cached contexts, and
	// json-gold's own JSON-LD to RDF in ToRDF.
	reuseContexts bool
}

// NewProcessor returns a Processor that loads documents with l. A nil l is an
// offline Loader (NewLoader(nil)).
func NewProcessor(l *Loader) *Processor {
	if l == nil {
		l = NewLoader(nil)
	}
	safe := newOptions(l)
	safe.SafeMode = true
	return &Processor{
		loader:        l,
		opts:          newOptions(l),
		safeOpts:      safe,
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

// Expand expands doc (a decoded JSON value; it is not modified). A json-gold
// panic (on some malformed contexts) is a *PanicError.
//
// When doc's @context is an embedded URL, or an array starting with
// embedded URLs, a copy of the cached active context for them is used
// instead of processing the contexts again; see withActiveContext.
func (p *Processor) Expand(doc any) (_ []any, err error) {
	defer recoverPanic("expansion", &err)
	out, err := p.expand(doc)
	if err != nil {
		return nil, fmt.Errorf("jsonld: expand: %w", err)
	}
	return out, nil
}

func (p *Processor) expand(doc any) ([]any, error) {
	return p.expandWith(doc, p.opts)
}

// expandWith expands doc with opts (p.opts, or p.safeOpts), using the cached
// contexts when it can.
func (p *Processor) expandWith(doc any, opts *ld.JsonLdOptions) ([]any, error) {
	if p.reuseContexts {
		doc = withActiveContext(doc, opts)
	}
	return p.proc.Expand(doc, opts)
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
func (p *Processor) Compact(doc any, ldContext any) (_ map[string]any, err error) {
	defer recoverPanic("compaction", &err)
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

// withActiveContext returns doc with its top-level @context replaced by
// cached, already processed contexts, when it starts with embedded context
// URLs: a single URL, or the leading URLs of an array, as OB 3.0 credentials
// name them (["https://www.w3.org/ns/credentials/v2", ContextOB3, ...]).
// json-gold accepts a *ld.Context in place of a context, and processes
// whatever follows it in the array (an extension's URL, an inline context)
// on top of it, exactly as if it had processed the URLs itself. If the
// contexts cannot be processed, or too many combinations are cached already,
// doc is returned unchanged and json-gold does the work (and reports any
// error) itself.
//
// The copy is given opts: a json-gold Context carries the options, and so
// the loader and safe mode, that expansion of the document below it uses —
// a nested @context (an extension's, in an achievement) is then loaded
// through this Processor's Loader and counted against its limits, as on
// json-gold's own path.
func withActiveContext(doc any, opts *ld.JsonLdOptions) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	var entries []any
	switch c := m["@context"].(type) {
	case string:
		entries = []any{c}
	case []any:
		entries = c
	default:
		return doc
	}
	var lead []*embeddedContext
	for _, v := range entries[:min(len(entries), maxCachedListLen)] {
		u, ok := v.(string)
		e := lookupEmbedded(u)
		if !ok || e == nil {
			break
		}
		lead = append(lead, e)
	}
	if len(lead) == 0 {
		return doc
	}
	active, err := activeContextOf(lead)
	if err != nil || active == nil {
		return doc
	}
	shallow := maps.Clone(m)
	if len(lead) == len(entries) {
		shallow["@context"] = contextCopy(active, opts)
	} else {
		rest := entries[len(lead):]
		shallow["@context"] = append([]any{contextCopy(active, opts)}, rest...)
	}
	return shallow
}

// contextCopy returns a copy of the shared active context with opts, for one
// call. A copy, because json-gold writes into a *ld.Context it is given as a
// context (the processing mode, new term definitions). Term definitions are
// immutable once made, so the copy shares them; the inverse context, which
// expansion does not use, is left out: still far cheaper than processing the
// contexts. (ld.CopyContext would keep the options the context was processed
// with, offline and without safe mode.) The embedded contexts set no
// "@propagate": false at the top level, so there is no previous context to
// carry over (TestCachedContextsHaveNoPreviousContext).
func contextCopy(active *ld.Context, opts *ld.JsonLdOptions) *ld.Context {
	c := ld.NewContext(nil, opts)
	*c.Values = *active.Values
	maps.Copy(c.TermDefinitions, active.TermDefinitions)
	maps.Copy(c.Protected, active.Protected)
	return c
}

// Cached combinations of embedded contexts. Documents name a few
// combinations (VC 2.0 + OB 3.0.3, maybe + the Ed25519 suite); a hostile
// stream of documents could name a new one each time, so only the first
// maxCachedLists are kept, and only the first maxCachedListLen URLs of an
// array count (json-gold processes the rest on top of them).
const (
	maxCachedLists   = 64
	maxCachedListLen = 8
)

var contextLists = struct {
	sync.Mutex
	m map[string]func() (*ld.Context, error)
}{m: map[string]func() (*ld.Context, error){}}

// activeContextOf returns the shared active context that processing the
// embedded contexts es in order gives, or nil when it is not cached and the
// cache is full.
func activeContextOf(es []*embeddedContext) (*ld.Context, error) {
	if len(es) == 1 {
		return es[0].active()
	}
	urls := make([]any, len(es))
	keys := make([]string, len(es))
	for i, e := range es {
		urls[i], keys[i] = e.urls[0], e.urls[0]
	}
	key := strings.Join(keys, " ")
	contextLists.Lock()
	f, ok := contextLists.m[key]
	if !ok {
		if len(contextLists.m) >= maxCachedLists {
			contextLists.Unlock()
			return nil, nil
		}
		f = sync.OnceValues(func() (*ld.Context, error) {
			return ld.NewContext(nil, newOptions(NewLoader(nil))).Parse(urls)
		})
		contextLists.m[key] = f
	}
	contextLists.Unlock()
	return f()
}
