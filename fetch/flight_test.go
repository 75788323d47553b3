package fetch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waiters returns how many Gets wait for the fetch of key (0 if none).
func (c *Client) waiters(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[key]; f != nil {
		return f.waiters
	}
	return 0
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func noProxy(*http.Request) (*url.URL, error) { return nil, nil }

func TestSingleFlight(t *testing.T) {
	var hits atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		io.WriteString(w, `{"type":"BadgeClass"}`)
	}))
	defer srv.Close()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock() // before srv.Close, so a failed test does not hang
	c := New(Options{Proxy: noProxy})
	u := srv.URL + "/badge.json"
	key := cacheKey(mustParse(t, u), DefaultAccept)

	const n = 50
	var wg sync.WaitGroup
	resps := make([]*Response, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { resps[i], errs[i] = c.Get(t.Context(), u, "") })
	}
	waitFor(t, "all Gets to join one fetch", func() bool { return c.waiters(key) == n })
	unblock()
	wg.Wait()

	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Get %d: %v", i, errs[i])
		}
		if string(resps[i].Body) != `{"type":"BadgeClass"}` {
			t.Errorf("Get %d: body %q", i, resps[i].Body)
		}
		if !resps[i].FromCache {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d responses not FromCache, want 1", fresh)
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.Load())
	}
	if s := c.Stats(); s != (Stats{Requests: 1, CacheHits: n - 1}) {
		t.Errorf("Stats %+v", s)
	}
	if len(c.flights) != 0 {
		t.Errorf("%d flights left", len(c.flights))
	}
}

// One waiter giving up does not cancel the fetch for the others; the last
// one giving up does.
func TestSingleFlightCancellation(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	never := make(chan struct{})
	canceled := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wait := release
		if r.URL.Path == "/slow" {
			wait = never
		}
		select {
		case <-wait:
			io.WriteString(w, "ok")
		case <-r.Context().Done():
			canceled <- r.URL.Path
		}
	}))
	defer srv.Close()
	defer unblock() // before srv.Close, so a failed test does not hang
	defer close(never)
	c := New(Options{Proxy: noProxy})
	u := srv.URL + "/issuer"
	key := cacheKey(mustParse(t, u), DefaultAccept)

	ctx1, cancel1 := context.WithCancel(t.Context())
	done1 := make(chan error, 1)
	go func() { _, err := c.Get(ctx1, u, ""); done1 <- err }()
	type result struct {
		r   *Response
		err error
	}
	done2 := make(chan result, 1)
	go func() { r, err := c.Get(t.Context(), u, ""); done2 <- result{r, err} }()
	waitFor(t, "two waiters", func() bool { return c.waiters(key) == 2 })

	cancel1()
	if err := <-done1; err == nil || err.(*Error).Kind != KindCanceled {
		t.Fatalf("canceled waiter: %v", err)
	}
	waitFor(t, "one waiter", func() bool { return c.waiters(key) == 1 })
	unblock()
	res := <-done2
	if res.err != nil || string(res.r.Body) != "ok" {
		t.Fatalf("remaining waiter: %v", res.err)
	}

	// The last waiter leaving cancels the request.
	ctx3, cancel3 := context.WithCancel(t.Context())
	done3 := make(chan error, 1)
	slow := srv.URL + "/slow"
	go func() { _, err := c.Get(ctx3, slow, ""); done3 <- err }()
	waitFor(t, "the waiter", func() bool { return c.waiters(cacheKey(mustParse(t, slow), DefaultAccept)) == 1 })
	cancel3()
	<-done3
	select {
	case path := <-canceled:
		if path != "/slow" {
			t.Errorf("request for %s was canceled", path)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned request was not canceled")
	}
	c.mu.Lock()
	n := len(c.flights)
	c.mu.Unlock()
	if n != 0 {
		t.Errorf("%d flights left after cancellation", n)
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := parseURL(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:        "30s",
		time.Minute:             "1m",
		90 * time.Second:        "1m30s",
		time.Hour:               "1h",
		250 * time.Millisecond:  "250ms",
		time.Hour + time.Minute: "1h1m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{
		10 << 20: "10 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 3<<20 + 1: "3145729 bytes",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
