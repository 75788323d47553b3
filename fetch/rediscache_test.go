package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/redistest"
)

// newRedisCache returns a RedisCache on the test server (or a proxy to it)
// with keys of the test's own.
func newRedisCache(t *testing.T, url, prefix string, opts fetch.RedisCacheOptions) *fetch.RedisCache {
	t.Helper()
	opts.Prefix = prefix
	c, err := fetch.NewRedisCache(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisCacheGetPut(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	rdb := redistest.Client(t, url)
	ctx := context.Background()
	now := time.Now().Round(0)
	clock := now
	c := newRedisCache(t, url, prefix, fetch.RedisCacheOptions{TTL: 2 * time.Hour, MaxBytes: 1000, Now: func() time.Time { return clock }})

	if _, ok := c.Get("GET https://example.org/a"); ok {
		t.Fatal("a hit in an empty cache")
	}
	want := &fetch.Response{URL: "https://example.org/a", FinalURL: "https://example.org/b", Redirects: []string{"https://example.org/a"},
		Status: 200, ContentType: "application/ld+json", Header: http.Header{"Etag": {`"1"`}}, Body: []byte(`{"id": 1}`), Fetched: now.Add(-time.Hour)}
	c.Put("GET https://example.org/a", want)
	got, ok := c.Get("GET https://example.org/a")
	if !ok {
		t.Fatal("miss after Put")
	}
	if fmt.Sprint(*got) != fmt.Sprint(*want) || !got.Fetched.Equal(want.Fetched) {
		t.Errorf("got  %+v\nwant %+v", *got, *want)
	}

	// One key, in the namespace, expiring when the response stops being
	// fresh: an hour after Put (fetched an hour before, TTL 2h).
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 1 || !regexp.MustCompile(`^`+regexp.QuoteMeta(prefix)+`[0-9a-f]{64}$`).MatchString(keys[0]) {
		t.Fatalf("keys %q (%v), want one: prefix and a SHA-256", keys, err)
	}
	ttl, err := rdb.PTTL(ctx, keys[0]).Result()
	if err != nil || ttl > time.Hour || ttl < 59*time.Minute {
		t.Errorf("key expires in %v (%v), want 1h", ttl, err)
	}

	// Another namespace does not see it; the same namespace does.
	if _, ok := newRedisCache(t, url, prefix+"other:", fetch.RedisCacheOptions{}).Get("GET https://example.org/a"); ok {
		t.Error("hit in another namespace")
	}
	if _, ok := newRedisCache(t, url, prefix, fetch.RedisCacheOptions{}).Get("GET https://example.org/a"); !ok {
		t.Error("miss in a second cache with the same namespace")
	}

	// Past its TTL the response is a miss even if Redis still has it.
	clock = now.Add(time.Hour)
	if _, ok := c.Get("GET https://example.org/a"); ok {
		t.Error("hit past the TTL")
	}
	clock = now

	// A value that is not an entry for the key is a miss.
	rdb.Set(ctx, keys[0], "garbage", time.Minute)
	if _, ok := c.Get("GET https://example.org/a"); ok {
		t.Error("hit on a corrupt value")
	}
	c.Put("GET https://example.org/other", want)
	keys2, _ := rdb.Keys(ctx, prefix+"*").Result()
	for _, k := range keys2 {
		if k != keys[0] {
			v, _ := rdb.Get(ctx, k).Result()
			rdb.Set(ctx, keys[0], v, time.Minute) // another key's entry
		}
	}
	if _, ok := c.Get("GET https://example.org/a"); ok {
		t.Error("hit on another key's entry")
	}

	// Not stored: transient statuses, bodies over MaxBytes, expired ones.
	for i, r := range []*fetch.Response{
		{Status: 503, Fetched: now}, {Status: 429, Fetched: now}, {Status: 408, Fetched: now},
		{Status: 200, Body: make([]byte, 1001), Fetched: now},
		{Status: 200, Fetched: now.Add(-2 * time.Hour)},
	} {
		key := fmt.Sprint("GET https://example.org/not-stored/", i)
		c.Put(key, r)
		if _, ok := c.Get(key); ok {
			t.Errorf("response %d (status %d, %d bytes, fetched %v ago) was stored", i, r.Status, len(r.Body), now.Sub(r.Fetched))
		}
	}
	if n, _ := rdb.Keys(ctx, prefix+"*").Result(); len(n) != 2 {
		t.Errorf("%d keys, want 2", len(n))
	}
	if s := c.Stats(); s.Hits != 1 || s.Errors != 0 || s.Skipped != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestRedisCacheExpiry: Redis forgets a response when it stops being fresh.
func TestRedisCacheExpiry(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	rdb := redistest.Client(t, url)
	c := newRedisCache(t, url, prefix, fetch.RedisCacheOptions{TTL: time.Hour})
	c.Put("k", &fetch.Response{Status: 200, Fetched: time.Now().Add(-time.Hour + 20*time.Millisecond)})
	deadline := time.Now().Add(10 * time.Second)
	for {
		keys, err := rdb.Keys(context.Background(), prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("key %s still there 10s after it should have expired", keys[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := c.Get("k"); ok {
		t.Error("hit after expiry")
	}
}

// countingIssuer serves /doc/N as JSON and counts the requests by path.
type countingIssuer struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
}

func newCountingIssuer(t *testing.T) *countingIssuer {
	h := &countingIssuer{counts: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.counts[r.URL.Path]++
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q}`, r.URL.Path)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *countingIssuer) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[path]
}

// shardClient is one shard of a batch run, or one replica of a service: a
// fetch client with its own memory cache, in front of the shared Redis.
func shardClient(t *testing.T, url, prefix string, opts fetch.RedisCacheOptions) (*fetch.Client, *fetch.RedisCache) {
	rc := newRedisCache(t, url, prefix, opts)
	return fetch.New(fetch.Options{Cache: fetch.Layered(fetch.NewBoundedCache(fetch.BoundedCacheOptions{}), rc)}), rc
}

func getBody(t *testing.T, c *fetch.Client, url string) *fetch.Response {
	t.Helper()
	r, err := c.Get(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || !strings.Contains(string(r.Body), `"id"`) {
		t.Fatalf("%s: status %d, body %q", url, r.Status, r.Body)
	}
	return r
}

// TestRedisCacheShards: two clients with their own memory caches, sharing
// one Redis, fetch each document from the issuer once in all.
func TestRedisCacheShards(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	issuer := newCountingIssuer(t)
	a, _ := shardClient(t, url, prefix, fetch.RedisCacheOptions{})
	b, rb := shardClient(t, url, prefix, fetch.RedisCacheOptions{})
	paths := []string{"/doc/1", "/doc/2", "/doc/3"}
	first := map[string]*fetch.Response{}
	for _, p := range paths {
		first[p] = getBody(t, a, issuer.URL+p)
	}
	for _, p := range paths {
		r := getBody(t, b, issuer.URL+p)
		if !r.FromCache || string(r.Body) != string(first[p].Body) || !r.Fetched.Equal(first[p].Fetched) {
			t.Errorf("%s from the second shard: FromCache %v, fetched %v (first %v), body %q", p, r.FromCache, r.Fetched, first[p].Fetched, r.Body)
		}
		getBody(t, b, issuer.URL+p) // now from b's memory
	}
	for _, p := range paths {
		if n := issuer.count(p); n != 1 {
			t.Errorf("%s fetched from the issuer %d times, want 1", p, n)
		}
	}
	if s := rb.Stats(); s.Hits != int64(len(paths)) || s.Errors != 0 {
		t.Errorf("second shard's Redis stats %+v, want %d hits", s, len(paths))
	}
	if s := b.Stats(); s.Requests != 0 {
		t.Errorf("second shard sent %d requests", s.Requests)
	}
}

// TestRedisCacheOutage: when Redis goes away mid-run, documents are fetched
// from the issuer, correctly and without errors; the outage is reported
// once and counted.
func TestRedisCacheOutage(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	issuer := newCountingIssuer(t)
	proxy := redistest.NewProxy(t, url)
	var mu sync.Mutex
	var reported []error
	opts := fetch.RedisCacheOptions{OnError: func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }}
	a, _ := shardClient(t, proxy.URL(), prefix, opts)
	getBody(t, a, issuer.URL+"/doc/1")

	proxy.Cut()
	b, rb := shardClient(t, proxy.URL(), prefix, opts)
	for _, p := range []string{"/doc/1", "/doc/2", "/doc/3"} {
		r := getBody(t, b, issuer.URL+p)
		if r.FromCache || !strings.Contains(string(r.Body), p) {
			t.Errorf("%s during the outage: FromCache %v, body %q", p, r.FromCache, r.Body)
		}
	}
	if n := issuer.count("/doc/1"); n != 2 {
		t.Errorf("/doc/1 fetched %d times, want 2 (once before, once during the outage)", n)
	}
	s := rb.Stats()
	if s.Errors == 0 || s.Hits != 0 || s.Errors+s.Skipped < 3 {
		t.Errorf("stats during the outage %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 {
		t.Errorf("outage reported %d times, want once: %v", len(reported), reported)
	}
}

// TestRedisCacheHang: a Redis that accepts connections and never answers
// costs one Timeout; later operations skip it for Pause.
func TestRedisCacheHang(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, url)
	proxy := redistest.NewProxy(t, url)
	proxy.Hang()
	c := newRedisCache(t, proxy.URL(), prefix, fetch.RedisCacheOptions{Timeout: 100 * time.Millisecond, Pause: time.Hour})
	if _, ok := c.Get("k"); ok {
		t.Fatal("hit from a Redis that does not answer")
	}
	c.Put("k", &fetch.Response{Status: 200, Fetched: time.Now()})
	if _, ok := c.Get("k"); ok {
		t.Fatal("hit from a Redis that does not answer")
	}
	if s := c.Stats(); s.Errors != 1 || s.Skipped != 2 || s.Misses != 2 {
		t.Errorf("stats %+v, want 1 error, then 2 operations skipped", s)
	}
}

func TestNewRedisCacheURL(t *testing.T) {
	for _, u := range []string{"redis://127.0.0.1:6379/0", "redis://localhost", "rediss://cache.example.org:6380/3",
		"redis://:secret@127.0.0.1:6379/1", "redis://user:secret@[::1]:6379", "redis://[::1]/2", "redis://host:6379/"} {
		c, err := fetch.NewRedisCache(u, fetch.RedisCacheOptions{})
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		c.Close()
	}
	for _, u := range []string{"", "127.0.0.1:6379", "http://127.0.0.1:6379", "unix:///tmp/redis.sock", "redis://", "redis:///0",
		"redis://host:port/0", "redis://host:0", "redis://host:70000", "redis://host:", "redis://host/db", "redis://host/-1",
		"redis://host/1/2", "redis://host/+1", "redis://host/0?dial_timeout=1s", "redis://:secret@host:x/0", "redis:opaque"} {
		_, err := fetch.NewRedisCache(u, fetch.RedisCacheOptions{})
		var ue *fetch.RedisURLError
		if !errors.As(err, &ue) {
			t.Errorf("%q: error %v, want a RedisURLError", u, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error shows the password: %v", u, err)
		}
	}
}
