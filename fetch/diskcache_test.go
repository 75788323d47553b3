package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer serves a small JSON document at every path and counts the
// requests it gets.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/gone" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
		fmt.Fprintf(w, `{"id": %q}`, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func diskClient(t *testing.T, dir string, opts DiskCacheOptions, offline bool) *Client {
	t.Helper()
	disk, err := NewDiskCache(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Cache: Layered(NewMemoryCache(), disk), Offline: offline})
}

func TestDiskCacheSecondClient(t *testing.T) {
	srv, n := countingServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	c1 := diskClient(t, dir, DiskCacheOptions{}, false)
	r1, err := c1.Get(ctx, srv.URL+"/a#frag", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Fatalf("requests = %d, want 1", n.Load())
	}
	c2 := diskClient(t, dir, DiskCacheOptions{}, false)
	r2, err := c2.Get(ctx, srv.URL+"/a", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("second client sent a request: %d requests", got)
	}
	if !r2.FromCache || string(r2.Body) != string(r1.Body) || r2.Status != 200 ||
		r2.ContentType != "application/ld+json" || r2.FinalURL != r1.FinalURL || !r2.Fetched.Equal(r1.Fetched) {
		t.Errorf("from disk: %+v, want %+v", r2, r1)
	}
	if r2.URL != srv.URL+"/a" {
		t.Errorf("URL = %q", r2.URL)
	}
	// Another Accept is another entry.
	if _, err := c2.Get(ctx, srv.URL+"/a", "image/png"); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
	if s := c2.Stats(); s.Requests != 1 || s.CacheHits != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestDiskCacheExpired(t *testing.T) {
	srv, n := countingServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := diskClient(t, dir, DiskCacheOptions{TTL: time.Hour}, false).Get(ctx, srv.URL+"/a", ""); err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	c := diskClient(t, dir, DiskCacheOptions{TTL: time.Hour, Now: later}, false)
	if _, err := c.Get(ctx, srv.URL+"/a", ""); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("expired entry not refetched: %d requests", got)
	}
	// The refetch replaced the entry: fresh for a client an hour and a half on.
	c = diskClient(t, dir, DiskCacheOptions{TTL: time.Hour, Now: func() time.Time { return time.Now().Add(30 * time.Minute) }}, false)
	if _, err := c.Get(ctx, srv.URL+"/a", ""); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("refreshed entry not served: %d requests", got)
	}
}

func TestDiskCacheCorrupt(t *testing.T) {
	srv, n := countingServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := diskClient(t, dir, DiskCacheOptions{}, false).Get(ctx, srv.URL+"/a", ""); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	orig, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	flip := append([]byte(nil), orig...)
	flip[len(flip)-10] ^= 1
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": orig[:len(orig)/2],
		"bit flip":  flip,
		"garbage":   []byte("not a cache file at all, not at all"),
	} {
		if err := os.WriteFile(files[0], data, 0o644); err != nil {
			t.Fatal(err)
		}
		before := n.Load()
		r, err := diskClient(t, dir, DiskCacheOptions{}, false).Get(ctx, srv.URL+"/a", "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n.Load() != before+1 || r.FromCache || r.Status != 200 {
			t.Errorf("%s: not treated as a miss (requests %d→%d, %+v)", name, before, n.Load(), r)
		}
	}
	// Over MaxBytes is a miss too, and is not written.
	c := diskClient(t, t.TempDir(), DiskCacheOptions{MaxBytes: 4}, false)
	c.Get(ctx, srv.URL+"/a", "")
	disk, _ := NewDiskCache(t.TempDir(), DiskCacheOptions{MaxBytes: 4})
	disk.Put("k", &Response{Status: 200, Body: []byte("12345"), Fetched: time.Now()})
	if _, ok := disk.Get("k"); ok {
		t.Error("body over MaxBytes stored")
	}
}

func TestDiskCacheOffline(t *testing.T) {
	srv, n := countingServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := diskClient(t, dir, DiskCacheOptions{}, false).Get(ctx, srv.URL+"/a", ""); err != nil {
		t.Fatal(err)
	}
	c := diskClient(t, dir, DiskCacheOptions{}, true)
	r, err := c.Get(ctx, srv.URL+"/a", "")
	if err != nil || string(r.Body) != `{"id": "/a"}` {
		t.Fatalf("offline from disk: %v, %v", r, err)
	}
	if _, err := c.Get(ctx, srv.URL+"/b", ""); !errors.Is(err, ErrOffline) {
		t.Errorf("offline, not cached: %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d", n.Load())
	}
}

func TestDiskCacheTransientNotStored(t *testing.T) {
	srv, n := countingServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	for range 2 {
		r, err := diskClient(t, dir, DiskCacheOptions{}, false).Get(ctx, srv.URL+"/gone", "")
		if err != nil || r.Status != 503 {
			t.Fatal(r, err)
		}
	}
	if n.Load() != 2 {
		t.Errorf("503 served from disk: %d requests", n.Load())
	}
}

// Several caches (as in several processes) on one folder, writing and
// reading the same keys at once, never see a partial entry.
func TestDiskCacheConcurrent(t *testing.T) {
	dir := t.TempDir()
	body := make([]byte, 64<<10)
	for i := range body {
		body[i] = byte(i)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := NewDiskCache(dir, DiskCacheOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 200 {
				key := fmt.Sprint("k", i%5)
				if (i+w)%2 == 0 {
					c.Put(key, &Response{Status: 200, Body: body, Fetched: time.Now()})
				} else if r, ok := c.Get(key); ok && len(r.Body) != len(body) {
					t.Errorf("partial entry: %d bytes", len(r.Body))
				}
			}
		}()
	}
	wg.Wait()
	tmps, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
