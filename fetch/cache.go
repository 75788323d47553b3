package fetch

import (
	"net/url"
	"sync"
)

// Cache stores responses by key. Keys are opaque strings built by the Client
// from the request URL (without fragment) and the Accept header; a persistent
// implementation should hash them into file names. Get and Put must be safe
// for concurrent use. They may take their time (a cache over the network):
// the Client holds no lock of its own while calling them, and identical
// concurrent Gets that miss share one second lookup and one fetch. Stored
// responses must be treated as read-only; the Client never modifies a
// response after Put or one returned by Get.
// An implementation with a time to live can use [Response.Fetched].
type Cache interface {
	Get(key string) (*Response, bool)
	Put(key string, r *Response)
}

// NewMemoryCache returns an empty in-memory Cache that keeps every response
// for its lifetime.
func NewMemoryCache() Cache {
	return &memoryCache{m: make(map[string]*Response)}
}

type memoryCache struct {
	mu sync.RWMutex
	m  map[string]*Response
}

func (c *memoryCache) Get(key string) (*Response, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	r, ok := c.m[key]
	return r, ok
}

func (c *memoryCache) Put(key string, r *Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = r
}

// cacheKey is the key of a GET of u (fragment already removed) with accept.
func cacheKey(u *url.URL, accept string) string {
	return "GET " + u.String() + "\nAccept: " + accept
}
