package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/piprate/json-gold/ld"
)

// Fetcher gets a document that is not embedded (e.g. an unknown extension
// context) and returns its bytes. It decides what may be fetched (schemes,
// hosts, size, timeouts) and should honour ctx. A nil Fetcher means no network:
// LoadDocument then fails with an error wrapping ErrNotEmbedded.
type Fetcher func(ctx context.Context, url string) ([]byte, error)

// ErrNotEmbedded is wrapped by the error a Loader without a Fetcher returns
// for a URL that is not embedded. Test for it with errors.Is: json-gold wraps
// loader errors in its own, and Processor errors wrap those.
var ErrNotEmbedded = errors.New("jsonld: document is not embedded")

// NotEmbeddedError reports a document that is neither embedded nor fetchable.
type NotEmbeddedError struct {
	URL string
}

func (e *NotEmbeddedError) Error() string {
	return "jsonld: context " + e.URL + " is not embedded and badgebake is offline"
}

// Is makes errors.Is(err, ErrNotEmbedded) true.
func (e *NotEmbeddedError) Is(target error) bool { return target == ErrNotEmbedded }

// FetchError reports a Fetcher failure or a fetched body that is not JSON.
type FetchError struct {
	URL string
	Err error
}

func (e *FetchError) Error() string {
	return "jsonld: fetching context " + e.URL + ": " + e.Err.Error()
}

func (e *FetchError) Unwrap() error { return e.Err }

// Loader implements json-gold's ld.DocumentLoader. It serves the embedded
// contexts under all their URLs (see IsEmbedded) and falls back to its Fetcher
// for any other URL, caching each document it fetched and parsed for the
// Loader's lifetime (failures are not cached, so a later call retries).
//
// Every LoadDocument result is a private deep copy. json-gold does modify
// documents it loads: processing a context with "@import" merges the importing
// context into the imported document's map, so handing it a shared copy would
// let one badge's context rewrite ContextV2 for every later verification.
//
// A Loader also bounds what it loads (see MaxRemoteContexts and the other
// limits), counting from NewLoader or from WithContext, whichever made it:
// bind one per verification with WithContext. A remote context that names
// itself, directly or through others, is a RecursiveContextError before
// json-gold is given it. Every call looks at the bound context first, so a
// cancelled or timed-out verification stops at its next load.
//
// A Loader is safe for concurrent use. Copies made by WithContext share its
// cache.
type Loader struct {
	fetch   Fetcher
	ctx     context.Context
	cache   *docCache
	session *session
}

// docCache holds fetched documents, parsed, never handed out without a copy.
type docCache struct {
	mu    sync.Mutex
	docs  map[string]cachedDoc
	bytes int // the sizes of docs, added up
}

// cachedDoc is a parsed document and the size of the JSON text it was
// parsed from.
type cachedDoc struct {
	doc  any
	size int
}

// NewLoader returns a Loader that fetches non-embedded documents with fetch
// (nil: offline). Fetches get context.Background() until WithContext is used.
func NewLoader(fetch Fetcher) *Loader {
	return &Loader{
		fetch:   fetch,
		ctx:     context.Background(),
		cache:   &docCache{docs: make(map[string]cachedDoc)},
		session: newSession(),
	}
}

// WithContext returns a Loader that passes ctx to the Fetcher, stops loading
// once ctx is done, and counts its limits afresh. It shares l's Fetcher and
// cache, so a verifier can keep one Loader per process (or per verification,
// whichever cache lifetime it wants) and bind each verification's context
// cheaply: NewProcessor(loader.WithContext(r.Context())).
func (l *Loader) WithContext(ctx context.Context) *Loader {
	c := *l
	c.ctx = ctx
	c.session = newSession()
	return &c
}

// LoadDocument implements ld.DocumentLoader.
func (l *Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if err := l.ctx.Err(); err != nil {
		return nil, &CanceledError{URL: u, Err: err}
	}
	e := lookupEmbedded(u)
	if err := l.session.admit(u, e != nil); err != nil {
		return nil, err
	}
	var doc any
	var err error
	if e != nil {
		doc, err = e.document()
	} else if doc, err = l.remote(u); err == nil {
		err = l.check(doc, []string{u})
	}
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: ld.CloneDocument(doc)}, nil
}

// remote returns the shared parsed document for u, which is not embedded,
// and charges its size to the session.
func (l *Loader) remote(u string) (any, error) {
	d, ok := l.cache.get(u)
	if !ok {
		if l.fetch == nil {
			return nil, &NotEmbeddedError{URL: u}
		}
		body, err := l.fetch(l.ctx, u)
		if err != nil {
			return nil, &FetchError{URL: u, Err: err}
		}
		d.size = len(body)
		if err := l.session.charge(u, d.size); err != nil {
			return nil, err
		}
		if err := jsonin.CheckDepth(body); err != nil {
			return nil, &FetchError{URL: u, Err: fmt.Errorf("the response is %w", err)}
		}
		if err := json.Unmarshal(body, &d.doc); err != nil {
			return nil, &FetchError{URL: u, Err: fmt.Errorf("not JSON: %w", err)}
		}
		l.cache.put(u, d)
		return d.doc, nil
	}
	if err := l.session.charge(u, d.size); err != nil {
		return nil, err
	}
	return d.doc, nil
}

func (c *docCache) get(u string) (cachedDoc, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.docs[u]
	return d, ok
}

// maxCachedDocs and maxCachedBytes bound the fetched documents a Loader
// keeps. Badges use a handful of small contexts; a long-running service is
// sent documents naming any context URL a stranger likes, and must not keep
// them all. Beyond the bounds documents are still served, just fetched
// (from the fetch client's own cache, usually) and parsed again.
const (
	maxCachedDocs  = 256
	maxCachedBytes = 8 << 20 // of JSON text; parsed, a few times that
)

// put keeps the first document stored for u: two concurrent fetches of the
// same URL both succeed, and later callers all see the same one.
func (c *docCache) put(u string, d cachedDoc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.docs[u]; !ok && len(c.docs) < maxCachedDocs && c.bytes+d.size <= maxCachedBytes {
		c.docs[u] = d
		c.bytes += d.size
	}
}
