package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

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
	// {Requests:2 CacheHits:1 Blocked:0}
	// fetch https://example.org/badge.json: badgebake is offline (--offline); the document is not cached
	// true
}

func ExampleGuard() {
	for _, s := range []string{
		"127.0.0.1", "10.0.0.7", "169.254.169.254", "::ffff:192.168.1.1",
		"64:ff9b::a9fe:a9fe", "fd12::1", "8.8.8.8", "2606:4700::1111",
	} {
		category, refused := fetch.Classify(netip.MustParseAddr(s))
		fmt.Printf("%-19s refused=%-5v %s\n", s, refused, category)
	}

	// A Client for a server that fetches URLs chosen by strangers. The
	// refusal happens before any connection is attempted.
	guard := &fetch.Guard{
		Allow: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}, // a trusted intranet range
		Hint:  "start the server with --allow-private to allow them",
	}
	c := fetch.New(fetch.Options{
		Guard: guard,
		Proxy: http.ProxyURL(nil), // no proxy, whatever the environment says
	})
	_, err := c.Get(context.Background(), "http://169.254.169.254/latest/meta-data/", "")
	fmt.Println(err)
	fmt.Println(errors.Is(err, fetch.ErrBlocked))
	// Output:
	// 127.0.0.1           refused=true  loopback
	// 10.0.0.7            refused=true  private
	// 169.254.169.254     refused=true  link-local cloud metadata
	// ::ffff:192.168.1.1  refused=true  private
	// 64:ff9b::a9fe:a9fe  refused=true  NAT64-embedded link-local cloud metadata
	// fd12::1             refused=true  unique-local
	// 8.8.8.8             refused=false public
	// 2606:4700::1111     refused=false public
	// fetch http://169.254.169.254/latest/meta-data/: refused to connect to 169.254.169.254 (link-local cloud metadata address): this server does not fetch from loopback, private, link-local, multicast or other non-public addresses (start the server with --allow-private to allow them)
	// true
}
