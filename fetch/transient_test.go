package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestTransient(t *testing.T) {
	for k, want := range map[ErrorKind]bool{
		KindOther: false, KindOffline: true, KindBadURL: false, KindDNS: true, KindConnect: true, KindProxy: true,
		KindTLS: true, KindTimeout: true, KindTooLarge: false, KindTooManyRedirects: false, KindBadRedirect: false,
		KindCanceled: true, KindBlocked: false,
	} {
		if k.Transient() != want {
			t.Errorf("%v.Transient() = %v", k, !want)
		}
		if got := IsTransient(fmt.Errorf("wrapped: %w", &Error{URL: "https://x.example/", Kind: k})); got != want {
			t.Errorf("IsTransient(%v) = %v", k, got)
		}
	}
	if IsTransient(errors.New("other")) {
		t.Error("a non-fetch error is transient")
	}
	for code, want := range map[int]bool{200: false, 404: false, 410: false, 408: true, 429: true, 500: true, 503: true} {
		if TransientStatus(code) != want {
			t.Errorf("TransientStatus(%d) = %v", code, !want)
		}
	}
}

// A Get with a ForRetry context asks again for what failed or was
// answered 503 before; a plain Get keeps the remembered answer.
func TestForRetry(t *testing.T) {
	var status atomic.Int32
	status.Store(503)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	c := New(Options{})
	get := func(ctx context.Context) int {
		t.Helper()
		r, err := c.Get(ctx, srv.URL+"/a", "")
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if s := get(t.Context()); s != 503 {
		t.Fatalf("status %d", s)
	}
	status.Store(200)
	if s := get(t.Context()); s != 503 || hits.Load() != 1 {
		t.Fatalf("plain Get: status %d after %d requests, want the cached 503 after 1", s, hits.Load())
	}
	if s := get(ForRetry(t.Context())); s != 200 || hits.Load() != 2 {
		t.Fatalf("retry: status %d after %d requests, want 200 after 2", s, hits.Load())
	}
	if s := get(ForRetry(t.Context())); s != 200 || hits.Load() != 2 {
		t.Errorf("a retry of a good answer: status %d after %d requests, want the cached 200", s, hits.Load())
	}

	// A remembered connection failure.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/a"
	dead.Close()
	if _, err := c.Get(t.Context(), deadURL, ""); !IsTransient(err) {
		t.Fatalf("err = %v, want a transient failure", err)
	}
	if _, err := c.Get(ForRetry(t.Context()), deadURL, ""); err == nil || c.Stats().Requests != 4 {
		t.Errorf("retry of a dead host: err %v after %d requests, want a new attempt", err, c.Stats().Requests)
	}
}
