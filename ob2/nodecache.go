package ob2

import "sync"

// maxCachedNodes bounds the compacted documents a Verifier keeps.
const maxCachedNodes = 10000

// nodeCache keeps compacted linked documents (badge classes, issuers,
// keys) for a Verifier's lifetime, by the URL they were fetched from. The
// fetch client already keeps the responses; this saves compacting them
// again, which is most of the cost of verifying a badge whose badge class
// and issuer were seen before. Nodes are copied in and out, because a run
// changes the nodes of its graph.
type nodeCache struct {
	mu sync.RWMutex
	m  map[string]map[string]any
}

func (c *nodeCache) get(url string) (map[string]any, bool) {
	c.mu.RLock()
	n, ok := c.m[url]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return deepCopy(n).(map[string]any), true
}

func (c *nodeCache) put(url string, n map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]map[string]any{}
	}
	if len(c.m) < maxCachedNodes {
		c.m[url] = deepCopy(n).(map[string]any)
	}
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
