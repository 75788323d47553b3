package fetch

import (
	"container/list"
	"net/http"
	"sync"
	"time"
)

// BoundedCacheOptions configure NewBoundedCache.
type BoundedCacheOptions struct {
	// MaxBytes bounds the estimated memory held by the cache's entries
	// (see BoundedCache). Default DefaultBoundedCacheBytes.
	MaxBytes int64
	// TTL is how long a response is served after Response.Fetched.
	// Default DefaultCacheTTL (24h).
	TTL time.Duration
	// Now returns the current time; nil: time.Now. For tests.
	Now func() time.Time
	// StoreTransient stores responses with status 5xx, 408 and 429 too,
	// which are otherwise not stored. One run of the CLI sets it, so that
	// a failing server is asked once per run, not once per badge.
	StoreTransient bool
}

// DefaultBoundedCacheBytes is the default BoundedCacheOptions.MaxBytes.
const DefaultBoundedCacheBytes = 64 << 20

// entryOverhead estimates the bytes an entry costs beyond the lengths it is
// charged for: the Response struct, list element, map slot and header maps.
const entryOverhead = 512

// BoundedCache is an in-memory Cache for a long-running process, such as a
// server shared by many users: unlike NewMemoryCache it forgets.
//
// It holds at most MaxBytes, estimated per entry as the lengths of the key,
// the body, the URLs, the redirects and the header names and values, plus
// 512 bytes of overhead; when a new entry does not fit, the least recently
// used entries are evicted. A response whose estimate exceeds MaxBytes/4
// is not stored, so that one large document cannot flush the cache. An
// entry older than the TTL (measured from Response.Fetched) is a miss and
// is removed when looked up. As with NewDiskCache, responses with status
// 5xx, 408 or 429 are not stored, they are usually transient, unless
// StoreTransient is set.
//
// Get and Put take O(1) time and are safe for concurrent use.
type BoundedCache struct {
	maxBytes       int64
	ttl            time.Duration
	now            func() time.Time
	storeTransient bool

	mu        sync.Mutex
	byKey     map[string]*list.Element // of *boundedEntry
	lru       *list.List               // most recently used first
	bytes     int64
	evictions int64
	expired   int64
}

type boundedEntry struct {
	key    string
	resp   *Response
	stored time.Time // Response.Fetched, or the time of Put if that is zero
	size   int64
}

// BoundedCacheStats describe a BoundedCache's contents and what it has
// dropped.
type BoundedCacheStats struct {
	Entries   int   // responses held
	Bytes     int64 // their estimated size, at most MaxBytes
	Evictions int64 // entries dropped to make room, least recently used first
	Expired   int64 // entries dropped because they were older than the TTL
}

// NewBoundedCache returns an empty BoundedCache; zero fields of opts take
// their defaults.
func NewBoundedCache(opts BoundedCacheOptions) *BoundedCache {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultBoundedCacheBytes
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultCacheTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &BoundedCache{
		maxBytes:       opts.MaxBytes,
		ttl:            opts.TTL,
		now:            opts.Now,
		storeTransient: opts.StoreTransient,
		byKey:          make(map[string]*list.Element),
		lru:            list.New(),
	}
}

// Get returns the response stored under key unless it has expired.
func (c *BoundedCache) Get(key string) (*Response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.byKey[key]
	if el == nil {
		return nil, false
	}
	e := el.Value.(*boundedEntry)
	if !fresh(e.stored, c.now(), c.ttl) {
		// A response from the future (the clock was turned back) is not
		// trusted either, as in the disk cache.
		c.remove(el)
		c.expired++
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.resp, true
}

// Put stores r under key, replacing any earlier response, and evicts the
// least recently used entries until the total fits in MaxBytes.
func (c *BoundedCache) Put(key string, r *Response) {
	size := entrySize(key, r)
	storable := size <= c.maxBytes/4 && (c.storeTransient || !transient(r.Status))
	stored := r.Fetched
	if stored.IsZero() {
		stored = c.now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.byKey[key]; el != nil {
		// Whatever happens to r, the older response is superseded.
		c.remove(el)
	}
	if !storable {
		return
	}
	for c.bytes+size > c.maxBytes {
		c.remove(c.lru.Back())
		c.evictions++
	}
	c.byKey[key] = c.lru.PushFront(&boundedEntry{key: key, resp: r, stored: stored, size: size})
	c.bytes += size
}

// Stats returns the cache's counters.
func (c *BoundedCache) Stats() BoundedCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return BoundedCacheStats{Entries: len(c.byKey), Bytes: c.bytes, Evictions: c.evictions, Expired: c.expired}
}

func (c *BoundedCache) remove(el *list.Element) {
	e := el.Value.(*boundedEntry)
	delete(c.byKey, e.key)
	c.lru.Remove(el)
	c.bytes -= e.size
}

// transient reports whether a response with status is usually a passing
// failure, not worth keeping in a cache: 5xx, 408 and 429.
func transient(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}

// entrySize estimates the memory an entry holds. The header counts: a
// hostile server can send up to a megabyte of it.
func entrySize(key string, r *Response) int64 {
	n := len(key) + len(r.URL) + len(r.FinalURL) + len(r.ContentType) + len(r.Body)
	for _, u := range r.Redirects {
		n += len(u)
	}
	for k, vs := range r.Header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return int64(n) + entryOverhead
}
