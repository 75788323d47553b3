package ob2

import (
	"sync"
	"time"
)

// Bounds of the compacted documents a Verifier keeps. A long-running
// service shares one Verifier across requests, so the cache must not grow
// with every URL strangers send it.
const (
	maxCachedNodes     = 10000
	maxCachedNodeBytes = 64 << 20 // by the size of the fetched bodies
)

// nodeCache keeps compacted linked documents (badge classes, issuers,
// keys, revocation lists) by the URL they were fetched from. The fetch
// client already keeps the responses; this saves compacting them again,
// which is most of the cost of verifying a badge whose badge class and
// issuer were seen before. Nodes are copied in and out, because a run
// changes the nodes of its graph.
//
// An entry belongs to one fetched response: it is used only while the
// client still answers with that response (same fetch time), so when the
// fetch cache expires a document and fetches it again — a new revocation
// list, a changed issuer — the stale compaction is replaced, never served.
type nodeCache struct {
	mu    sync.RWMutex
	m     map[string]cachedNode
	bytes int
}

type cachedNode struct {
	fetched time.Time // Response.Fetched of the document compacted
	size    int       // len(Response.Body)
	node    map[string]any
}

func (c *nodeCache) get(url string, fetched time.Time) (map[string]any, bool) {
	c.mu.RLock()
	e, ok := c.m[url]
	c.mu.RUnlock()
	if !ok || !e.fetched.Equal(fetched) {
		return nil, false
	}
	return deepCopy(e.node).(map[string]any), true
}

func (c *nodeCache) put(url string, fetched time.Time, size int, n map[string]any) {
	if size > maxCachedNodeBytes/16 {
		return
	}
	n = deepCopy(n).(map[string]any)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedNode{}
	}
	if old, ok := c.m[url]; ok {
		c.bytes -= old.size
		delete(c.m, url)
	}
	// Make room by dropping arbitrary entries: they are only a saving,
	// and the ones still in use come back on their next compaction.
	for k, e := range c.m {
		if len(c.m) < maxCachedNodes && c.bytes+size <= maxCachedNodeBytes {
			break
		}
		c.bytes -= e.size
		delete(c.m, k)
	}
	c.m[url] = cachedNode{fetched: fetched, size: size, node: n}
	c.bytes += size
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
