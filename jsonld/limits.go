package jsonld

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Limits on what one verification may make a Loader load. A badge names its
// contexts, and a hostile issuer can name contexts that name each other
// (A → B → A, which json-gold v0.9.1 follows forever), an endless chain of
// new ones, or thousands in one array. These bounds make each of those an
// error after a bounded amount of work and network traffic. Real badges use
// a handful of contexts, most of them embedded.
const (
	// MaxRemoteContexts is how many distinct non-embedded context documents
	// one verification may load (each fetched at most once). Embedded
	// contexts do not count.
	MaxRemoteContexts = 32
	// MaxContextDepth is how deep remote contexts may name further remote
	// contexts: a context the badge names is at depth 1, one that context
	// names at depth 2, and so on.
	MaxContextDepth = 10
	// MaxContextLoads is how many times one verification may load any
	// context document, embedded ones included. json-gold loads a context
	// again each time it meets it, so a context that names another a
	// thousand times over, nested, would otherwise cost millions of loads
	// with few distinct documents. Real badges need a few dozen.
	MaxContextLoads = 256
	// MaxContextBytes bounds the JSON text of the remote context documents
	// one verification loads, counted at every load: json-gold processes a
	// context again each time it loads it, at about 0.15 s and 6 MB of
	// memory per MB of context. A real context is a few kilobytes.
	MaxContextBytes = 4 << 20
)

// RecursiveContextError reports a context that names, directly or through
// other contexts, itself: JSON-LD's "recursive context inclusion". Chain
// lists the URLs from the first inclusion of the repeated context to its
// second, e.g. [A B A].
type RecursiveContextError struct {
	Chain []string
}

func (e *RecursiveContextError) Error() string {
	return "jsonld: recursive context inclusion: " + strings.Join(e.Chain, " → ")
}

// ContextLimitError reports a verification that reached one of the limits
// above. Limit says which ("remote contexts", "context depth" or "context
// loads"), Max its value, and URL the document that would have gone past
// it. Chain is the chain of remote contexts that went too deep (context
// depth only).
type ContextLimitError struct {
	Limit string
	Max   int
	URL   string
	Chain []string
}

// The Limit values of a ContextLimitError.
const (
	LimitRemoteContexts = "remote contexts"
	LimitContextDepth   = "context depth"
	LimitContextLoads   = "context loads"
	LimitContextBytes   = "context bytes"
)

func (e *ContextLimitError) Error() string {
	switch e.Limit {
	case LimitRemoteContexts:
		return fmt.Sprintf("jsonld: more than %d remote JSON-LD contexts in one verification; not loading %s", e.Max, e.URL)
	case LimitContextDepth:
		return fmt.Sprintf("jsonld: remote JSON-LD contexts nested more than %d deep: %s", e.Max, strings.Join(e.Chain, " → "))
	case LimitContextBytes:
		return fmt.Sprintf("jsonld: more than %d MiB of remote JSON-LD contexts in one verification; not loading %s", e.Max>>20, e.URL)
	default:
		return fmt.Sprintf("jsonld: JSON-LD contexts loaded more than %d times in one verification; not loading %s again", e.Max, e.URL)
	}
}

// session is what one verification has loaded so far. Every Loader has one:
// NewLoader and WithContext each start a new one.
type session struct {
	mu      sync.Mutex
	loads   int
	bytes   int             // of remote documents, at every load
	remote  map[string]bool // non-embedded URLs loaded, or being loaded
	checked map[string]bool // remote documents whose own contexts passed check
}

func newSession() *session {
	return &session{remote: map[string]bool{}, checked: map[string]bool{}}
}

// admit counts one load of u and refuses it past a limit.
func (s *session) admit(u string, embedded bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loads >= MaxContextLoads {
		return &ContextLimitError{Limit: LimitContextLoads, Max: MaxContextLoads, URL: u}
	}
	s.loads++
	if embedded || s.remote[u] {
		return nil
	}
	if len(s.remote) >= MaxRemoteContexts {
		return &ContextLimitError{Limit: LimitRemoteContexts, Max: MaxRemoteContexts, URL: u}
	}
	s.remote[u] = true
	return nil
}

// charge counts size bytes of remote document u and refuses them past
// MaxContextBytes.
func (s *session) charge(u string, size int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bytes+size > MaxContextBytes {
		return &ContextLimitError{Limit: LimitContextBytes, Max: MaxContextBytes, URL: u}
	}
	s.bytes += size
	return nil
}

func (s *session) isChecked(u string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checked[u]
}

func (s *session) markChecked(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checked[u] = true
}

// check follows the remote contexts that the remote document doc (at the end
// of chain) names, depth first, before json-gold is given doc: a context
// already on the chain is a RecursiveContextError, a chain longer than
// MaxContextDepth a ContextLimitError. So json-gold only ever processes
// remote contexts whose inclusions end, and the error names the URLs
// involved. Documents are checked once per session.
//
// Only absolute URLs are followed: json-gold resolves a relative context
// reference against the base IRI of the document being processed, which is
// not known here, and the Fetcher refuses relative URLs anyway. Whatever
// check does not see is still bounded by the load limits.
func (l *Loader) check(doc any, chain []string) error {
	u := chain[len(chain)-1]
	if l.session.isChecked(u) {
		return nil
	}
	for _, ref := range contextRefs(doc) {
		if lookupEmbedded(ref) != nil || !isAbsolute(ref) {
			continue
		}
		next := append(slices.Clip(chain), ref)
		if i := slices.Index(chain, ref); i >= 0 {
			return &RecursiveContextError{Chain: next[i:]}
		}
		if len(next) > MaxContextDepth {
			return &ContextLimitError{Limit: LimitContextDepth, Max: MaxContextDepth, URL: ref, Chain: next}
		}
		if err := l.ctx.Err(); err != nil {
			return &CanceledError{URL: ref, Err: err}
		}
		if err := l.session.admit(ref, false); err != nil {
			return err
		}
		child, err := l.remote(ref)
		if err != nil {
			return err
		}
		if err := l.check(child, next); err != nil {
			return err
		}
	}
	l.session.markChecked(u)
	return nil
}

// contextRefs returns the context URLs that processing the context document
// doc loads straight away: the strings of its @context (alone or in an
// array) and the @import of a context object. Scoped contexts in term
// definitions are left out: json-gold processes them only where a document
// uses the term, and a scoped context that names one already being processed
// is allowed (JSON-LD 1.1 skips it), so they are no inclusion cycle; their
// loads pass through LoadDocument, its check and its limits.
func contextRefs(doc any) []string {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	var refs []string
	for _, c := range arrayOf(m["@context"]) {
		switch c := c.(type) {
		case string:
			refs = append(refs, c)
		case map[string]any:
			if inner, ok := c["@context"].(map[string]any); ok {
				c = inner // json-gold reads a context object wrapped in one
			}
			if imp, ok := c["@import"].(string); ok {
				refs = append(refs, imp)
			}
		}
	}
	return refs
}

func arrayOf(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

func isAbsolute(ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.IsAbs()
}

// CanceledError reports a load refused because the verification's context
// was cancelled or timed out. It unwraps to the context's error.
type CanceledError struct {
	URL string
	Err error
}

func (e *CanceledError) Error() string {
	return "jsonld: not loading context " + e.URL + ": " + e.Err.Error()
}

func (e *CanceledError) Unwrap() error { return e.Err }
