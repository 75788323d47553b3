package fetch_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
)

// clock is a fake clock for caches.
type clock struct{ t atomic.Int64 }

func newClock(start time.Time) *clock {
	c := &clock{}
	c.t.Store(start.UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

// entrySize is the documented size estimate of a BoundedCache entry for a
// response with only a body: key and body lengths plus 512 bytes.
func entrySize(key string, bodyLen int) int64 { return int64(len(key)+bodyLen) + 512 }

func bodyOf(n int) []byte { return []byte(strings.Repeat("b", n)) }

func TestBoundedCacheLRU(t *testing.T) {
	const bodyLen = 100
	size := entrySize("k1", bodyLen)
	clk := newClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: 4 * size, TTL: time.Hour, Now: clk.Now})
	put := func(key string) {
		c.Put(key, &fetch.Response{Status: 200, Body: bodyOf(bodyLen), Fetched: clk.Now()})
	}
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		put(k)
	}
	if s := c.Stats(); s != (fetch.BoundedCacheStats{Entries: 4, Bytes: 4 * size}) {
		t.Fatalf("four entries: Stats %+v, want 4 entries of %d bytes", s, size)
	}
	// Using k1 makes k2 the least recently used: k5 pushes k2 out.
	if _, ok := c.Get("k1"); !ok {
		t.Fatal("k1 missing")
	}
	put("k5")
	present := func(key string) bool { _, ok := c.Get(key); return ok }
	if present("k2") || !present("k1") || !present("k3") || !present("k4") || !present("k5") {
		t.Errorf("after k5: k1 %v k2 %v k3 %v k4 %v k5 %v", present("k1"), present("k2"), present("k3"), present("k4"), present("k5"))
	}
	// The Gets just made used k1, k3, k4, k5 in that order: k1 goes next.
	put("k6")
	if present("k1") || !present("k3") {
		t.Errorf("after k6: k1 %v k3 %v", present("k1"), present("k3"))
	}
	if s := c.Stats(); s != (fetch.BoundedCacheStats{Entries: 4, Bytes: 4 * size, Evictions: 2}) {
		t.Errorf("Stats %+v", s)
	}

	// Replacing an entry replaces its size too.
	c.Put("k3", &fetch.Response{Status: 200, Body: bodyOf(10), Fetched: clk.Now()})
	if r, ok := c.Get("k3"); !ok || len(r.Body) != 10 {
		t.Errorf("replaced k3: %v", ok)
	}
	if s := c.Stats(); s.Entries != 4 || s.Bytes != 3*size+entrySize("k3", 10) {
		t.Errorf("after replacing k3: Stats %+v", s)
	}
}

func TestBoundedCacheByteBound(t *testing.T) {
	const max = 64 << 10
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: max})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		key := fmt.Sprintf("key-%d", rng.IntN(300))
		r := &fetch.Response{Status: 200, Body: bodyOf(rng.IntN(max / 4)), Fetched: time.Now()}
		c.Put(key, r)
		if s := c.Stats(); s.Bytes > max || s.Bytes < 0 {
			t.Fatalf("after put %d: %d bytes held, bound %d", i, s.Bytes, max)
		}
	}
	// The byte count is the sum of the entries actually held.
	s := c.Stats()
	var sum int64
	var n int
	for i := range 300 {
		key := fmt.Sprintf("key-%d", i)
		if r, ok := c.Get(key); ok {
			sum += entrySize(key, len(r.Body))
			n++
		}
	}
	if sum != s.Bytes || n != s.Entries || s.Evictions == 0 {
		t.Errorf("Stats %+v, but %d entries of %d bytes found", s, n, sum)
	}
}

func TestBoundedCacheSkips(t *testing.T) {
	const max = 8 << 10
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: max})
	now := time.Now()

	// A response whose estimate exceeds MaxBytes/4 is not stored, and it
	// supersedes an earlier response for the same key.
	fits := max/4 - 512 - len("doc")
	c.Put("doc", &fetch.Response{Status: 200, Body: bodyOf(fits), Fetched: now})
	if _, ok := c.Get("doc"); !ok {
		t.Fatalf("a response of exactly MaxBytes/4 was not stored")
	}
	c.Put("doc", &fetch.Response{Status: 200, Body: bodyOf(fits + 1), Fetched: now})
	if _, ok := c.Get("doc"); ok {
		t.Error("a response over MaxBytes/4 was stored")
	}
	// Headers count towards the size.
	h := http.Header{"X-Padding": {strings.Repeat("h", max/4)}}
	c.Put("hdr", &fetch.Response{Status: 200, Header: h, Fetched: now})
	if _, ok := c.Get("hdr"); ok {
		t.Error("a response with a header over MaxBytes/4 was stored")
	}
	// Transient statuses are not stored.
	for _, status := range []int{500, 502, 503, 408, 429} {
		c.Put("transient", &fetch.Response{Status: status, Fetched: now})
		if _, ok := c.Get("transient"); ok {
			t.Errorf("status %d was stored", status)
		}
	}
	for _, status := range []int{200, 404, 410} {
		key := fmt.Sprint("status-", status)
		c.Put(key, &fetch.Response{Status: status, Fetched: now})
		if _, ok := c.Get(key); !ok {
			t.Errorf("status %d was not stored", status)
		}
	}
	if s := c.Stats(); s != (fetch.BoundedCacheStats{Entries: 3, Bytes: 3*512 + 3*int64(len("status-200"))}) {
		t.Errorf("Stats %+v", s)
	}
}

func TestBoundedCacheTTL(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := newClock(start)
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{TTL: time.Hour, Now: clk.Now})
	c.Put("a", &fetch.Response{Status: 200, Body: []byte("a"), Fetched: start})
	clk.Advance(30 * time.Minute)
	c.Put("b", &fetch.Response{Status: 200, Body: []byte("b")}) // no Fetched: from now

	clk.Advance(30*time.Minute - time.Nanosecond)
	if r, ok := c.Get("a"); !ok || string(r.Body) != "a" {
		t.Fatal("a expired early")
	}
	clk.Advance(time.Nanosecond)
	if _, ok := c.Get("a"); ok {
		t.Error("a served an hour after it was fetched")
	}
	if _, ok := c.Get("b"); !ok {
		t.Error("b expired early")
	}
	if s := c.Stats(); s.Entries != 1 || s.Expired != 1 || s.Bytes != entrySize("b", 1) {
		t.Errorf("Stats %+v, want b only and one expiry", s)
	}
	clk.Advance(30 * time.Minute)
	if _, ok := c.Get("b"); ok {
		t.Error("b served an hour after it was stored")
	}
	if s := c.Stats(); s != (fetch.BoundedCacheStats{Expired: 2}) {
		t.Errorf("Stats %+v", s)
	}

	// A response fetched in the future (the clock was turned back) is not
	// trusted.
	c.Put("future", &fetch.Response{Status: 200, Fetched: clk.Now().Add(time.Hour)})
	if _, ok := c.Get("future"); ok {
		t.Error("a response from the future was served")
	}
}

func TestBoundedCacheConcurrent(t *testing.T) {
	const max = 32 << 10
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: max, TTL: time.Hour})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 2000 {
				key := fmt.Sprintf("k%d", rng.IntN(100))
				if rng.IntN(2) == 0 {
					body := bodyOf(rng.IntN(2000))
					c.Put(key, &fetch.Response{Status: 200, Body: body, Fetched: time.Now()})
				} else if r, ok := c.Get(key); ok && strings.Trim(string(r.Body), "b") != "" {
					t.Errorf("Get %s: corrupt body", key)
				}
				if s := c.Stats(); s.Bytes > max {
					t.Errorf("%d bytes held, bound %d", s.Bytes, max)
				}
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.Entries == 0 || s.Bytes > max {
		t.Errorf("Stats %+v", s)
	}
}

// A BoundedCache shared by two Clients, as a server shares it between
// requests.
func TestBoundedCacheAsClientCache(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, r.URL.Path)
	})
	clk := newClock(time.Now())
	cache := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: 1 << 20, TTL: time.Hour, Now: clk.Now})
	c1 := newClient(fetch.Options{Cache: cache})
	c2 := newClient(fetch.Options{Cache: cache})
	ctx := t.Context()

	r, err := c1.Get(ctx, srv.URL+"/badge.json", "")
	if err != nil || r.FromCache || string(r.Body) != "/badge.json" {
		t.Fatalf("first Get: %v %+v", err, r)
	}
	r, err = c2.Get(ctx, srv.URL+"/badge.json#x", "")
	if err != nil || !r.FromCache || string(r.Body) != "/badge.json" || r.URL != srv.URL+"/badge.json#x" {
		t.Fatalf("other Client: %v %+v", err, r)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	// A 503 is not kept: each Client asks again.
	c1.Get(ctx, srv.URL+"/busy", "")
	c2.Get(ctx, srv.URL+"/busy", "")
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
	// Once the TTL has passed the document is fetched again. (The clock
	// started before the fetch, so a little more than the TTL.)
	clk.Advance(time.Hour + time.Minute)
	r, err = c2.Get(ctx, srv.URL+"/badge.json", "")
	if err != nil || r.FromCache {
		t.Fatalf("after the TTL: %v %+v", err, r)
	}
	if n := srv.hits.Load(); n != 4 {
		t.Errorf("server saw %d requests, want 4", n)
	}
	if s := cache.Stats(); s.Entries != 1 || s.Expired != 1 {
		t.Errorf("cache Stats %+v", s)
	}
}

// TestBoundedCacheStoreTransient: with StoreTransient, 5xx, 408 and 429
// responses are kept like any other.
func TestBoundedCacheStoreTransient(t *testing.T) {
	c := fetch.NewBoundedCache(fetch.BoundedCacheOptions{StoreTransient: true})
	for _, status := range []int{500, 503, 408, 429, 200} {
		key := fmt.Sprint("status-", status)
		c.Put(key, &fetch.Response{Status: status, Fetched: time.Now()})
		if r, ok := c.Get(key); !ok || r.Status != status {
			t.Errorf("status %d was not stored", status)
		}
	}
}
