package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/badgebake/badgebake/fetch"
)

func Example() {
	// A stand-in for an issuer's server.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/assertion.json":
			w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
			io.WriteString(w, `{"type": "Assertion"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	c := fetch.New(fetch.Options{UserAgent: "badgebake/1.0.0"})
	for range 2 {
		r, err := c.Get(ctx, srv.URL+"/assertion.json", "")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.Status, r.ContentType, r.FromCache, string(r.Body))
	}
	// A 404 is a response, not an error: the verifier decides what it means.
	r, err := c.Get(ctx, srv.URL+"/revoked.json", "")
	fmt.Println(r.Status, err)
	fmt.Printf("%+v\n", c.Stats())

	// Offline, anything not cached is refused without a request.
	offline := fetch.New(fetch.Options{Offline: true})
	_, err = offline.Get(ctx, "https://example.org/badge.json", "")
	fmt.Println(err)
	fmt.Println(errors.Is(err, fetch.ErrOffline))
	// Output:
	// 200 application/ld+json false {"type": "Assertion"}
	// 200 application/ld+json true {"type": "Assertion"}
	// 404 <nil>
	// {Requests:2 CacheHits:1}
	// fetch https://example.org/badge.json: badgebake is offline (--offline); the document is not cached
	// true
}
