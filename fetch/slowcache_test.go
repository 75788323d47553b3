package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// gatedCache is a memory cache whose lookups of keys containing "/slow"
// after the first wait for release, as a network cache's might.
type gatedCache struct {
	Cache
	lookups atomic.Int32 // of /slow
	entered chan struct{}
	release chan struct{}
}

func (c *gatedCache) Get(key string) (*Response, bool) {
	if strings.Contains(key, "/slow") && c.lookups.Add(1) == 2 {
		close(c.entered)
		<-c.release
	}
	return c.Cache.Get(key)
}

// TestSlowCacheBlocksNoOtherGet: while one Get waits for a slow cache
// lookup, Gets of other documents go on, and the slow one still ends in
// one fetch.
func TestSlowCacheBlocksNoOtherGet(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte(r.URL.Path))
	}))
	defer srv.Close()
	cache := &gatedCache{Cache: NewMemoryCache(), entered: make(chan struct{}), release: make(chan struct{})}
	c := New(Options{Cache: cache, Proxy: noProxy})

	slow := make(chan *Response, 1)
	go func() {
		r, err := c.Get(context.Background(), srv.URL+"/slow", "")
		if err != nil {
			t.Error(err)
		}
		slow <- r
	}()
	<-cache.entered
	other, err := c.Get(context.Background(), srv.URL+"/other", "")
	if err != nil || string(other.Body) != "/other" {
		t.Fatalf("other document while a lookup waits: %v %q", err, other.Body)
	}
	close(cache.release)
	if r := <-slow; r == nil || string(r.Body) != "/slow" || r.FromCache {
		t.Fatalf("slow document: %+v", r)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}
