package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/testnet"
)

// quietLog silences servers whose failed TLS handshakes are the point.
var quietLog = log.New(io.Discard, "", 0)

// noProxy keeps tests independent of the proxy variables of whoever runs them.
func noProxy(*http.Request) (*url.URL, error) { return nil, nil }

// newClient returns a Client with test-friendly options.
func newClient(opts fetch.Options) *fetch.Client {
	if opts.Proxy == nil {
		opts.Proxy = noProxy
	}
	return fetch.New(opts)
}

// server is an httptest server that counts the requests it receives.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// dialMap returns a DialContext that sends the listed "host:port" addresses
// to loopback ones and refuses every other address.
func dialMap(m map[string]string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		to, ok := m[addr]
		if !ok {
			return nil, fmt.Errorf("test dialer: refusing %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, to)
	}
}

func asError(t *testing.T, err error) *fetch.Error {
	t.Helper()
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fetch.Error", err, err)
	}
	return fe
}

// wantError checks that err is a *fetch.Error of kind sentinel whose message
// contains every fragment.
func wantError(t *testing.T, err error, sentinel error, fragments ...string) *fetch.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", sentinel)
	}
	t.Logf("%v: %v", sentinel, err)
	fe := asError(t, err)
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %q (kind %v) is not %v", err, fe.Kind, sentinel)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q lacks %q", err, f)
		}
	}
	return fe
}

func TestStatusCodesPassedThrough(t *testing.T) {
	for _, status := range []int{200, 404, 410, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(status)
				fmt.Fprintf(w, "<p>status %d</p>", status)
			})
			c := newClient(fetch.Options{})
			for i := range 2 {
				r, err := c.Get(t.Context(), srv.URL+"/a.json", "")
				if err != nil {
					t.Fatalf("Get %d: %v", i, err)
				}
				if r.Status != status || string(r.Body) != fmt.Sprintf("<p>status %d</p>", status) || r.ContentType != "text/html" {
					t.Errorf("Get %d: status %d type %q body %q", i, r.Status, r.ContentType, r.Body)
				}
				if r.FromCache != (i == 1) {
					t.Errorf("Get %d: FromCache %v", i, r.FromCache)
				}
				if r.URL != srv.URL+"/a.json" || r.FinalURL != r.URL || r.Redirects != nil {
					t.Errorf("Get %d: URL %q FinalURL %q Redirects %q", i, r.URL, r.FinalURL, r.Redirects)
				}
				if r.Fetched.IsZero() || r.Header.Get("Content-Type") == "" {
					t.Errorf("Get %d: Fetched %v Header %v", i, r.Fetched, r.Header)
				}
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("server saw %d requests, want 1 (a %d is an answer too and is cached)", n, status)
			}
			if s := c.Stats(); s != (fetch.Stats{Requests: 1, CacheHits: 1}) {
				t.Errorf("Stats %+v", s)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	cases := map[string]string{
		"application/ld+json":                    "application/ld+json",
		"application/ld+json; charset=utf-8":     "application/ld+json",
		"Application/JSON;Charset=UTF-8":         "application/json",
		"image/svg+xml;charset=utf-8":            "image/svg+xml",
		" image/png ":                            "image/png",
		"text/html; charset":                     "text/html", // malformed parameter
		`application/json; profile="a;b"; x=y`:   "application/json",
		"application/vnd.api+json ; charset=foo": "application/vnd.api+json",
		"":                                       "",
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if ct := r.URL.Query().Get("ct"); ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no header, no sniffing
		}
		io.WriteString(w, "{}")
	})
	c := newClient(fetch.Options{})
	for header, want := range cases {
		r, err := c.Get(t.Context(), srv.URL+"/?ct="+url.QueryEscape(header), "")
		if err != nil {
			t.Fatal(err)
		}
		if r.ContentType != want {
			t.Errorf("Content-Type %q → %q, want %q", header, r.ContentType, want)
		}
		if header == "" && len(r.Header.Values("Content-Type")) != 0 {
			t.Errorf("server sent Content-Type %q", r.Header.Values("Content-Type"))
		}
	}
}

func TestHeadersSentExactly(t *testing.T) {
	type seen struct{ ua, accept, referer string }
	var mu sync.Mutex
	var got []seen
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Header.Get("User-Agent"), strings.Join(r.Header.Values("Accept"), "|"), r.Referer()})
		mu.Unlock()
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/target", http.StatusFound)
		}
	})
	ctx := t.Context()

	c := newClient(fetch.Options{})
	if _, err := c.Get(ctx, srv.URL+"/default", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, srv.URL+"/default", "image/png"); err != nil {
		t.Fatal(err)
	}
	c = newClient(fetch.Options{UserAgent: "badgebake/1.2.3"})
	if _, err := c.Get(ctx, srv.URL+"/redirect", "application/ld+json"); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{"badgebake/dev", "application/ld+json, application/json, image/png, image/svg+xml", ""},
		{"badgebake/dev", "image/png", ""}, // another Accept is another cache entry
		{"badgebake/1.2.3", "application/ld+json", ""},
		{"badgebake/1.2.3", "application/ld+json", ""}, // kept across the redirect, no Referer
	}
	if !slices.Equal(got, want) {
		t.Errorf("server saw\n%q\nwant\n%q", got, want)
	}
	if fetch.DefaultAccept != "application/ld+json, application/json, image/png, image/svg+xml" {
		t.Errorf("DefaultAccept = %q", fetch.DefaultAccept)
	}
}

func TestCache(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.URL.Path, r.Header.Get("Accept"))
	})
	ctx := t.Context()
	c := newClient(fetch.Options{})

	r1, err := c.Get(ctx, srv.URL+"/issuer#key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if r1.FromCache || r1.URL != srv.URL+"/issuer#key-1" || r1.FinalURL != srv.URL+"/issuer" {
		t.Errorf("first: FromCache %v URL %q FinalURL %q", r1.FromCache, r1.URL, r1.FinalURL)
	}
	// Another fragment of the same document is the same fetch.
	r2, err := c.Get(ctx, srv.URL+"/issuer#key-2", "")
	if err != nil {
		t.Fatal(err)
	}
	if !r2.FromCache || r2.URL != srv.URL+"/issuer#key-2" || !bytes.Equal(r1.Body, r2.Body) {
		t.Errorf("second: FromCache %v URL %q body %q", r2.FromCache, r2.URL, r2.Body)
	}
	if s := c.Stats(); s.Requests != 1 || s.CacheHits != 1 {
		t.Errorf("Stats %+v", s)
	}
	// A caller changing its copy does not change the cache.
	r2.Header.Set("X-Mine", "1")
	r2.URL = "changed"
	r3, _ := c.Get(ctx, srv.URL+"/issuer", "")
	if r3.Header.Get("X-Mine") != "" || r3.URL != srv.URL+"/issuer" {
		t.Errorf("cached response was modified through a returned copy: %q %v", r3.URL, r3.Header)
	}
	// Another Accept is another entry.
	r4, err := c.Get(ctx, srv.URL+"/issuer", "image/png")
	if err != nil || r4.FromCache || string(r4.Body) != "/issuer image/png" {
		t.Errorf("other Accept: %v %v %q", err, r4.FromCache, r4.Body)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
	if s := c.Stats(); s != (fetch.Stats{Requests: 2, CacheHits: 2}) {
		t.Errorf("Stats %+v", s)
	}
}

// A Cache shared between an online and an offline Client: the offline one
// answers what the online one fetched.
func TestSharedCacheAndOffline(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "doc") })
	ctx := t.Context()
	cache := fetch.NewMemoryCache()
	if _, err := newClient(fetch.Options{Cache: cache}).Get(ctx, srv.URL+"/cached", ""); err != nil {
		t.Fatal(err)
	}
	off := newClient(fetch.Options{Cache: cache, Offline: true})
	r, err := off.Get(ctx, srv.URL+"/cached", "")
	if err != nil || !r.FromCache || string(r.Body) != "doc" {
		t.Fatalf("offline cached Get: %v %+v", err, r)
	}
	_, err = off.Get(ctx, srv.URL+"/other", "")
	wantError(t, err, fetch.ErrOffline)
	if got, want := err.Error(), "fetch "+srv.URL+"/other: badgebake is offline (--offline); the document is not cached"; got != want {
		t.Errorf("message\n%s\nwant\n%s", got, want)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	if s := off.Stats(); s != (fetch.Stats{Requests: 0, CacheHits: 1}) {
		t.Errorf("offline Stats %+v", s)
	}
}

func TestOfflineSendsNothing(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newClient(fetch.Options{Offline: true})
	for _, u := range []string{srv.URL + "/a.json", "https://example.org/a.json"} {
		_, err := c.Get(t.Context(), u, "")
		fe := wantError(t, err, fetch.ErrOffline, "badgebake is offline (--offline)")
		if fe.URL != u || fe.Kind != fetch.KindOffline {
			t.Errorf("URL %q kind %v", fe.URL, fe.Kind)
		}
	}
	if srv.hits.Load() != 0 || c.Stats().Requests != 0 {
		t.Errorf("offline client sent requests: server %d, stats %+v", srv.hits.Load(), c.Stats())
	}
}

func TestBadURL(t *testing.T) {
	cases := map[string]string{
		"":                           "empty URL",
		"assertion.json":             "not an absolute URL",
		"/badges/1":                  "not an absolute URL",
		"//example.org/a":            "not an absolute URL",
		"ftp://example.org/a.json":   `unsupported scheme "ftp" (only http and https URLs are fetched)`,
		"file:///etc/passwd":         `unsupported scheme "file"`,
		"mailto:issuer@example.org":  `unsupported scheme "mailto"`,
		"urn:uuid:1234":              `unsupported scheme "urn"`,
		"https://":                   "URL has no host",
		"http:example.org":           "URL has no host",
		"https://:443/x":             "URL has no host",
		"http://[::1/x":              "not a valid URL",
		"https://exa mple.org/":      "not a valid URL",
		"https://example.org/%zz":    "not a valid URL",
		"https://example.org\n/a.js": "not a valid URL",
	}
	cases["https://example.org\x1b[31m/a"] = `fetch "https://example.org\x1b[31m/a": not a valid URL`
	cases[""] = `fetch "": empty URL`
	c := newClient(fetch.Options{})
	for u, want := range cases {
		_, err := c.Get(t.Context(), u, "")
		fe := wantError(t, err, fetch.ErrBadURL, want)
		if fe.URL != u {
			t.Errorf("%q: Error.URL = %q", u, fe.URL)
		}
	}
	if n := c.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent for bad URLs", n)
	}
}

func TestTooLarge(t *testing.T) {
	const max = 1 << 20
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	written := make(chan int64, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exact":
			w.Write(bytes.Repeat([]byte("y"), max))
		case "/declared":
			w.Header().Set("Content-Length", fmt.Sprint(1<<30))
			w.Write(chunk) // then the handler gives up; the client must not wait for 1 GiB
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(make([]byte, 4<<20)) // 4 MiB of zeros, about 4 KiB on the wire
			zw.Close()
		case "/stream":
			var n int64
			for n < 64<<20 {
				m, err := w.Write(chunk)
				n += int64(m)
				if err != nil {
					break
				}
			}
			written <- n
		}
	})
	ctx := t.Context()
	c := newClient(fetch.Options{MaxBytes: max})

	r, err := c.Get(ctx, srv.URL+"/exact", "")
	if err != nil || len(r.Body) != max {
		t.Fatalf("body of exactly MaxBytes: %v", err)
	}

	_, err = c.Get(ctx, srv.URL+"/declared", "")
	wantError(t, err, fetch.ErrTooLarge, "response larger than 1 MiB (Content-Length 1024 MiB)")

	_, err = c.Get(ctx, srv.URL+"/gzip", "")
	wantError(t, err, fetch.ErrTooLarge, "response larger than 1 MiB")

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.Get(ctx, srv.URL+"/stream", "")
	runtime.ReadMemStats(&after)
	wantError(t, err, fetch.ErrTooLarge, "fetch "+srv.URL+"/stream: response larger than 1 MiB")
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MiB for a stream capped at 1 MiB", float64(alloc)/(1<<20))
	if alloc > 16<<20 {
		t.Errorf("fetching a 64 MiB stream with a 1 MiB cap allocated %d MiB", alloc>>20)
	}
	select {
	case n := <-written:
		if n >= 64<<20 {
			t.Errorf("the server could write the whole 64 MiB: the client read on past the cap")
		}
	case <-time.After(10 * time.Second):
		t.Error("server handler still writing 10s after the client gave up")
	}

	// The default cap is 10 MiB.
	big := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 10<<20+1)) })
	_, err = newClient(fetch.Options{}).Get(ctx, big.URL, "")
	wantError(t, err, fetch.ErrTooLarge, "response larger than 10 MiB")
}

func TestRedirects(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		switch {
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.org/assertion.json", http.StatusFound)
		case r.URL.Path == "/js":
			w.Header().Set("Location", "javascript:alert(1)")
			w.WriteHeader(http.StatusMovedPermanently)
		case r.URL.Path == "/badloc":
			w.Header().Set("Location", "http://[::1/x")
			w.WriteHeader(http.StatusFound)
		case r.URL.Path == "/final":
			io.WriteString(w, "final")
		default:
			if _, err := fmt.Sscanf(r.URL.Path, "/hop/%d", &n); err != nil {
				http.NotFound(w, r)
				return
			}
			next := "/final"
			if n > 1 {
				next = fmt.Sprintf("/hop/%d", n-1)
			}
			http.Redirect(w, r, next, http.StatusMovedPermanently)
		}
	})
	ctx := t.Context()
	c := newClient(fetch.Options{})

	r, err := c.Get(ctx, srv.URL+"/hop/3#frag", "")
	if err != nil {
		t.Fatal(err)
	}
	wantChain := []string{srv.URL + "/hop/3", srv.URL + "/hop/2", srv.URL + "/hop/1"}
	if string(r.Body) != "final" || r.FinalURL != srv.URL+"/final" || !slices.Equal(r.Redirects, wantChain) {
		t.Errorf("body %q FinalURL %q Redirects %q", r.Body, r.FinalURL, r.Redirects)
	}
	if s := c.Stats(); s.Requests != 4 {
		t.Errorf("Stats.Requests = %d, want 4 (each hop counts)", s.Requests)
	}

	// Exactly 10 redirects are followed, 11 are too many.
	if _, err := c.Get(ctx, srv.URL+"/hop/10", ""); err != nil {
		t.Errorf("10 redirects: %v", err)
	}
	_, err = c.Get(ctx, srv.URL+"/hop/11", "")
	wantError(t, err, fetch.ErrTooManyRedirects, "fetch "+srv.URL+"/hop/11: more than 10 redirects (the last to "+srv.URL+"/final)")

	c3 := newClient(fetch.Options{MaxRedirects: 3})
	_, err = c3.Get(ctx, srv.URL+"/hop/4", "")
	wantError(t, err, fetch.ErrTooManyRedirects, "more than 3 redirects")

	// A negative limit returns the redirect itself.
	r, err = newClient(fetch.Options{MaxRedirects: -1}).Get(ctx, srv.URL+"/hop/2", "")
	if err != nil || r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/hop/1" || r.FinalURL != srv.URL+"/hop/2" {
		t.Errorf("MaxRedirects -1: %v %+v", err, r)
	}

	// Only http and https redirects are followed.
	_, err = c.Get(ctx, srv.URL+"/ftp", "")
	wantError(t, err, fetch.ErrBadRedirect, "redirected to ftp://example.org/assertion.json, which is not an http or https URL")
	_, err = c.Get(ctx, srv.URL+"/js", "")
	wantError(t, err, fetch.ErrBadRedirect, "javascript:alert(1)")
	_, err = c.Get(ctx, srv.URL+"/badloc", "")
	wantError(t, err, fetch.ErrBadRedirect, "invalid Location")
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.WriteHeader(200)
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := newClient(fetch.Options{Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		_, err := c.Get(t.Context(), srv.URL+path, "")
		wantError(t, err, fetch.ErrTimeout, "fetch "+srv.URL+path+": timed out after 200ms")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", path, d)
		}
		if errors.Is(err, fetch.ErrConnect) || errors.Is(err, context.Canceled) {
			t.Errorf("%s: timeout also matches another kind: %v", path, err)
		}
	}
}

func TestConnectTimeout(t *testing.T) {
	// A dialer that never connects stands in for an unroutable address.
	block := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	c := newClient(fetch.Options{ConnectTimeout: 100 * time.Millisecond, Timeout: 10 * time.Second, DialContext: block})
	start := time.Now()
	_, err := c.Get(t.Context(), "http://badges.test/a.json", "")
	wantError(t, err, fetch.ErrTimeout, "connecting to badges.test:80 timed out after 100ms")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v; ConnectTimeout not applied", d)
	}

	// A server that accepts but never speaks TLS: the handshake times out.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	c = newClient(fetch.Options{
		ConnectTimeout: 150 * time.Millisecond,
		Timeout:        10 * time.Second,
		DialContext:    dialMap(map[string]string{"badges.test:443": ln.Addr().String()}),
	})
	_, err = c.Get(t.Context(), "https://badges.test/a.json", "")
	wantError(t, err, fetch.ErrTimeout, "TLS handshake timed out after 150ms")
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = newClient(fetch.Options{}).Get(t.Context(), "http://"+addr+"/a.json", "")
	fe := wantError(t, err, fetch.ErrConnect, "cannot connect to "+addr+": connection refused")
	var op *net.OpError
	if !errors.As(fe, &op) {
		t.Errorf("cause %T is not a *net.OpError", fe.Err)
	}
}

func TestDNSError(t *testing.T) {
	// The lookup itself is simulated: tests never query real DNS.
	nxdomain := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}
	_, err := newClient(fetch.Options{DialContext: nxdomain}).Get(t.Context(), "https://badges.invalid/a.json", "")
	wantError(t, err, fetch.ErrDNS, "fetch https://badges.invalid/a.json: DNS lookup of badges.invalid failed: no such host")
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound {
		t.Errorf("cause is not the DNS error: %v", err)
	}
}

func TestContextCancellation(t *testing.T) {
	started := make(chan struct{}, 1)
	gone := make(chan struct{}, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
		gone <- struct{}{}
	})
	c := newClient(fetch.Options{})

	// Already canceled: nothing is sent.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Get(ctx, srv.URL+"/a", "")
	wantError(t, err, fetch.ErrCanceled, "canceled")
	if !errors.Is(err, context.Canceled) || srv.hits.Load() != 0 {
		t.Errorf("pre-canceled Get: %v, server saw %d", err, srv.hits.Load())
	}

	// Canceled while waiting: Get returns at once and the request is abandoned.
	ctx, cancel = context.WithCancel(t.Context())
	go func() { <-started; cancel() }()
	start := time.Now()
	_, err = c.Get(ctx, srv.URL+"/b", "")
	wantError(t, err, fetch.ErrCanceled)
	if !errors.Is(err, context.Canceled) || errors.Is(err, fetch.ErrTimeout) {
		t.Errorf("canceled Get: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("canceled Get took %v", d)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Error("the server request was not canceled")
	}

	// The caller's own deadline is a cancellation, not a fetch timeout.
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, srv.URL+"/c", "")
	wantError(t, err, fetch.ErrCanceled, "the caller's deadline passed")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}

	// A cancellation is not remembered: the next Get fetches again.
	srv2 := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	c.Get(ctx, srv2.URL, "")
	if r, err := c.Get(t.Context(), srv2.URL, ""); err != nil || string(r.Body) != "ok" {
		t.Errorf("Get after a canceled one: %v", err)
	}
}

func TestFailuresRemembered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	u := "http://" + addr + "/issuer"

	c := newClient(fetch.Options{})
	_, err1 := c.Get(t.Context(), u+"#a", "")
	_, err2 := c.Get(t.Context(), u+"#b", "")
	wantError(t, err1, fetch.ErrConnect)
	fe := wantError(t, err2, fetch.ErrConnect)
	if fe.URL != u+"#b" {
		t.Errorf("remembered error names %q", fe.URL)
	}
	if s := c.Stats(); s != (fetch.Stats{Requests: 1, CacheHits: 1}) {
		t.Errorf("Stats %+v, want one request and one hit", s)
	}

	c = newClient(fetch.Options{RetryFailed: true})
	c.Get(t.Context(), u, "")
	c.Get(t.Context(), u, "")
	if s := c.Stats(); s != (fetch.Stats{Requests: 2}) {
		t.Errorf("RetryFailed: Stats %+v, want two requests", s)
	}

	// A failure remembered for 1ns has been forgotten by the next Get.
	c = newClient(fetch.Options{FailureTTL: time.Nanosecond})
	_, err1 = c.Get(t.Context(), u, "")
	_, err2 = c.Get(t.Context(), u, "")
	wantError(t, err1, fetch.ErrConnect)
	wantError(t, err2, fetch.ErrConnect)
	if s := c.Stats(); s != (fetch.Stats{Requests: 2}) {
		t.Errorf("FailureTTL 1ns: Stats %+v, want two requests", s)
	}
}

func TestPlainHTTPServerForHTTPSURL(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	addr := srv.Listener.Addr().String()
	_, err := newClient(fetch.Options{}).Get(t.Context(), "https://"+addr+"/", "")
	wantError(t, err, fetch.ErrTLS, "plain HTTP", "http://")
}

// tlsServer starts an HTTPS server with a certificate from ca for hosts.
func tlsServer(t *testing.T, ca *testnet.CA, h http.HandlerFunc, hosts ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = ca.ServerTLS(t, hosts...)
	srv.Config.ErrorLog = quietLog
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestTLS(t *testing.T) {
	ca := testnet.NewCA(t)
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"type":"Assertion"}`) }
	good := tlsServer(t, ca, ok, "badges.test")
	wrongName := tlsServer(t, ca, ok, "other.test")
	dial := dialMap(map[string]string{
		"badges.test:443": good.Listener.Addr().String(),
		"wrong.test:443":  wrongName.Listener.Addr().String(),
	})
	ctx := t.Context()

	// The system roots do not know the test CA.
	_, err := newClient(fetch.Options{DialContext: dial}).Get(ctx, "https://badges.test/a.json", "")
	fe := wantError(t, err, fetch.ErrTLS,
		"fetch https://badges.test/a.json: TLS certificate signed by an unknown authority (for a private CA set SSL_CERT_FILE or SSL_CERT_DIR",
		"intermediate", `issuer: "badgebake test CA"`)
	var unknown x509.UnknownAuthorityError
	if !errors.As(fe, &unknown) {
		t.Errorf("cause is not an x509.UnknownAuthorityError: %#v", fe.Err)
	}

	// With the CA as root it works.
	c := newClient(fetch.Options{DialContext: dial, RootCAs: ca.Pool()})
	r, err := c.Get(ctx, "https://badges.test/a.json", "")
	if err != nil || string(r.Body) != `{"type":"Assertion"}` {
		t.Fatalf("with RootCAs: %v", err)
	}

	// A certificate for another name.
	_, err = c.Get(ctx, "https://wrong.test/a.json", "")
	wantError(t, err, fetch.ErrTLS, "TLS certificate is not valid for this host", "other.test", "wrong.test")

	// An expired certificate.
	expired := httptest.NewUnstartedServer(http.HandlerFunc(ok))
	expired.TLS = &tls.Config{Certificates: []tls.Certificate{
		ca.IssueValid(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), "expired.test"),
	}}
	expired.Config.ErrorLog = quietLog
	expired.StartTLS()
	defer expired.Close()
	c = newClient(fetch.Options{
		DialContext: dialMap(map[string]string{"expired.test:443": expired.Listener.Addr().String()}),
		RootCAs:     ca.Pool(),
	})
	_, err = c.Get(ctx, "https://expired.test/a.json", "")
	wantError(t, err, fetch.ErrTLS, "TLS certificate is not valid: certificate has expired", "(if the site works in a browser, check this machine's clock)")
}

// The in-process counterpart of TestEnvironment: the same proxy and CA,
// given through Options instead of the environment.
func TestProxy(t *testing.T) {
	ca := testnet.NewCA(t)
	var hits atomic.Int64
	h := func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/ld+json")
		fmt.Fprintf(w, `{"id":"%s://%s%s"}`, map[bool]string{true: "https", false: "http"}[r.TLS != nil], r.Host, r.URL.Path)
	}
	httpsSrv := tlsServer(t, ca, h, "badges.test")
	httpSrv := newServer(t, h)
	proxy := testnet.NewProxy(t, map[string]string{
		"badges.test:443": httpsSrv.Listener.Addr().String(),
		"badges.test:80":  httpSrv.Listener.Addr().String(),
	})
	// Everything goes through the proxy: dialling anything but the proxy fails.
	proxyAddr := strings.TrimPrefix(proxy.URL, "http://")
	c := fetch.New(fetch.Options{
		Proxy:       proxy.ProxyFunc(),
		RootCAs:     ca.Pool(),
		DialContext: dialMap(map[string]string{proxyAddr: proxyAddr}),
	})
	ctx := t.Context()

	r, err := c.Get(ctx, "https://badges.test/assertion.json", "")
	if err != nil || string(r.Body) != `{"id":"https://badges.test/assertion.json"}` || r.ContentType != "application/ld+json" {
		t.Fatalf("https through the proxy: %v %+v", err, r)
	}
	r, err = c.Get(ctx, "http://badges.test/badge.json", "")
	if err != nil || string(r.Body) != `{"id":"http://badges.test/badge.json"}` || r.Header.Get("Via") != "1.1 testnet" {
		t.Fatalf("http through the proxy: %v %+v", err, r)
	}
	if proxy.Requests("badges.test:443") != 1 || proxy.Requests("badges.test:80") != 1 || hits.Load() != 2 {
		t.Errorf("proxy counts %d/%d, servers %d", proxy.Requests("badges.test:443"), proxy.Requests("badges.test:80"), hits.Load())
	}

	// The proxy refuses the tunnel.
	_, err = c.Get(ctx, "https://elsewhere.test/a.json", "")
	wantError(t, err, fetch.ErrProxy, "refused CONNECT to elsewhere.test:443: 403 Forbidden", "HTTPS_PROXY")
	// For http the proxy's answer is a response like any other.
	r, err = c.Get(ctx, "http://elsewhere.test/a.json", "")
	if err != nil || r.Status != http.StatusForbidden {
		t.Errorf("http refused by the proxy: %v %+v", err, r)
	}
	if got := proxy.Refused(); !slices.Equal(got, []string{"elsewhere.test:443", "elsewhere.test:80"}) {
		t.Errorf("Refused %q", got)
	}

	// The proxy is down.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()
	c = fetch.New(fetch.Options{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: down})})
	_, err = c.Get(ctx, "https://badges.test/a.json", "")
	wantError(t, err, fetch.ErrProxy, "cannot connect to proxy "+down+": connection refused (check HTTPS_PROXY")

	// A broken proxy setting.
	c = fetch.New(fetch.Options{Proxy: func(*http.Request) (*url.URL, error) {
		return nil, errors.New(`invalid proxy address "http://[::1": missing ']' in host`)
	}})
	_, err = c.Get(ctx, "https://badges.test/a.json", "")
	wantError(t, err, fetch.ErrProxy, "invalid proxy setting", "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY")
}

func TestErrorValue(t *testing.T) {
	cause := errors.New("boom")
	e := &fetch.Error{URL: "https://example.org/a", Kind: fetch.KindTLS, Err: cause}
	if e.Error() != "fetch https://example.org/a: boom" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, fetch.ErrTLS) || errors.Is(e, fetch.ErrDNS) || !errors.Is(e, cause) {
		t.Error("errors.Is does not follow Kind and Err")
	}
	e = &fetch.Error{URL: "u", Kind: fetch.KindTimeout}
	if e.Error() != "fetch u: timeout" || e.Kind.String() != "timeout" || fetch.ErrorKind(99).String() != "ErrorKind(99)" {
		t.Errorf("%q %q", e.Error(), fetch.ErrorKind(99))
	}
}
