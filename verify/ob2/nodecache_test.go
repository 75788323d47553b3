package ob2

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
)

// resettableCache is a fetch cache a test can empty, as a TTL would.
type resettableCache struct {
	mu sync.Mutex
	m  map[string]*fetch.Response
}

func (c *resettableCache) Get(k string) (*fetch.Response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok
}

func (c *resettableCache) Put(k string, r *fetch.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = r
}

func (c *resettableCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = map[string]*fetch.Response{}
}

func hostedV2Docs(badgeName string) docs {
	return docs{
		"https://example.org/a1.json": `{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://example.org/a1.json",
			"recipient": {"type": "email", "hashed": false, "identity": "alice@example.org"},
			"badge": "https://example.org/badge.json", "issuedOn": "2020-01-01T00:00:00Z", "verification": {"type": "HostedBadge"}}`,
		"https://example.org/badge.json": `{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": "https://example.org/badge.json",
			"name": "` + badgeName + `", "description": "d", "image": "https://example.org/badge.png",
			"criteria": {"narrative": "Do it."}, "issuer": "https://example.org/issuer.json"}`,
		"https://example.org/issuer.json": `{"@context": "https://w3id.org/openbadges/v2", "type": "Profile", "id": "https://example.org/issuer.json",
			"name": "Issuer", "url": "https://example.org", "email": "i@example.org"}`,
		"https://example.org/badge.png": "png",
	}
}

// A compacted badge class is reused while the fetch cache serves the same
// response, and replaced once the document is fetched again: a service
// sharing one Verifier must not serve a stale badge class (or revocation
// list) after its fetch cache expired it.
func TestNodeCacheFollowsFetchedResponse(t *testing.T) {
	d := hostedV2Docs("Old name")
	cache := &resettableCache{m: map[string]*fetch.Response{}}
	v := New(Options{Client: fetch.New(fetch.Options{Transport: d, Cache: cache}), Now: func() time.Time { return testNow }})
	name := func() string {
		t.Helper()
		res := v.VerifyURL(t.Context(), "https://example.org/a1.json", nil)
		if !res.Report.Valid {
			t.Fatalf("not valid:\n%s", dump(t, res))
		}
		n, _ := node(res, "https://example.org/badge.json")["name"].(string)
		return n
	}
	if got := name(); got != "Old name" {
		t.Fatalf("first run: badge name %q", got)
	}
	if _, ok := v.nodes.m["https://example.org/badge.json"]; !ok {
		t.Fatal("the badge class was not kept compacted")
	}
	d["https://example.org/badge.json"] = strings.Replace(d["https://example.org/badge.json"], "Old name", "New name", 1)
	if got := name(); got != "Old name" {
		t.Errorf("while the fetch cache holds the old response: badge name %q, want the cached %q", got, "Old name")
	}
	cache.reset()
	if got := name(); got != "New name" {
		t.Errorf("after the document was fetched again: badge name %q, want %q", got, "New name")
	}
}

func TestNodeCacheBounded(t *testing.T) {
	var c nodeCache
	now := testNow
	for i := range maxCachedNodes + 50 {
		c.put(strings.Repeat("x", i%7)+string(rune('a'+i%26))+itoa(i), now, 100, map[string]any{"id": i})
	}
	if len(c.m) > maxCachedNodes {
		t.Errorf("%d entries kept, bound %d", len(c.m), maxCachedNodes)
	}
	big := maxCachedNodeBytes / 20
	for i := range 40 {
		c.put("big"+itoa(i), now, big, map[string]any{})
	}
	if c.bytes > maxCachedNodeBytes {
		t.Errorf("%d bytes kept, bound %d", c.bytes, maxCachedNodeBytes)
	}
	sum := 0
	for _, e := range c.m {
		sum += e.size
	}
	if sum != c.bytes {
		t.Errorf("byte count %d, entries add up to %d", c.bytes, sum)
	}
	c.put("huge", now, maxCachedNodeBytes, map[string]any{})
	if _, ok := c.m["huge"]; ok {
		t.Error("a document over a sixteenth of the bound was kept")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
