package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAccept is the Accept header sent when Get is given none: the one
// the reference validator (openbadges-validator-core) sends.
const DefaultAccept = "application/ld+json, application/json, image/png, image/svg+xml"

// Defaults for the zero fields of Options.
const (
	DefaultUserAgent      = "badgebake/dev"
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultMaxBytes       = 10 << 20 // 10 MiB
	DefaultMaxRedirects   = 10
)

// Options configure a Client. The zero value is usable: every zero field
// takes its default.
type Options struct {
	// UserAgent is sent with every request; "badgebake/<version>".
	// Default "badgebake/dev".
	UserAgent string
	// Timeout bounds a whole fetch: connecting, every redirect hop and
	// reading the body. Default 30s.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP connect and, separately, the TLS
	// handshake of each new connection. Default 10s. Ignored when
	// Transport is set.
	ConnectTimeout time.Duration
	// MaxBytes caps the body (after any Content-Encoding is undone); a
	// larger body is an ErrTooLarge error, never a silent truncation.
	// Default 10 MiB.
	MaxBytes int64
	// MaxRedirects is how many redirects one fetch follows; one more is an
	// ErrTooManyRedirects error. 0 means the default, 10; a negative value
	// follows none and returns the redirect response itself.
	MaxRedirects int
	// Offline refuses every fetch that the cache cannot answer, with
	// ErrOffline, sending nothing.
	Offline bool
	// RetryFailed, when set, makes every Get try again after a failure.
	// By default a Client remembers a failed fetch (DNS, connection, TLS,
	// timeout, too large, redirects, blocked; never a cancellation) and
	// gives the same error to later Gets of the same URL and Accept, so a
	// dead host costs one timeout per run instead of one per badge.
	RetryFailed bool
	// FailureTTL is how long a failure is remembered: 0 (or less) for the
	// Client's lifetime (right for one run of the CLI), more for a long-running
	// server, where a host that was down should be tried again later. At
	// most MaxRememberedFailures failures are remembered at once; when that
	// many are, expired ones are forgotten and, if none has expired, a new
	// failure is not remembered.
	FailureTTL time.Duration

	// Transport sends the requests. nil: a clone of http.DefaultTransport
	// (proxy from the environment, system trust roots) with ConnectTimeout
	// and the fields below applied. A Transport given here is used as is:
	// ConnectTimeout, Proxy, DialContext and RootCAs are then ignored.
	Transport http.RoundTripper
	// Proxy chooses the proxy for a request; nil: http.ProxyFromEnvironment
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
	// DialContext opens every TCP connection, to servers and proxies alike,
	// given "host:port" before name resolution; nil: a net.Dialer. It is
	// called with a context bounded by ConnectTimeout. With a Guard it is
	// given only the addresses the guard allows, as "ip:port" (and the
	// proxies' addresses as they are). Through a proxy it sees only the
	// proxy's address; the proxy resolves and connects to the target.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Guard, when set, refuses connections to loopback, private,
	// link-local, multicast and other non-public addresses, checking the
	// address actually dialled on every hop; a refused fetch is an
	// ErrBlocked error. Proxies returned by Proxy are let through; a
	// proxied request to a refused IP address is refused before it is
	// sent. See Guard. Ignored when Transport is set: a service that needs
	// the guard must not set Transport, or must use Guard.DialContext in it.
	Guard *Guard
	// RootCAs, when set, replaces the system trust roots for TLS.
	RootCAs *x509.CertPool

	// Cache stores responses; nil: a new in-memory cache for this Client.
	// Several Clients may share one Cache.
	Cache Cache
}

// Response is an HTTP response of any status, with its whole body.
// Responses may be shared through the cache: treat Body as read-only.
type Response struct {
	URL         string      // as requested (fragment included)
	FinalURL    string      // after redirects
	Redirects   []string    // URLs that answered with a followed redirect, in order, starting with the requested one (no fragment); nil without redirects
	Status      int         // HTTP status code
	ContentType string      // media type only, lower-cased, parameters removed (e.g. "application/ld+json"); "" if absent
	Header      http.Header // response header of the final hop
	Body        []byte
	Fetched     time.Time // when the response was received
	FromCache   bool      // answered from the cache or by sharing another Get's fetch
}

// Stats counts a Client's work.
type Stats struct {
	// Requests is the number of HTTP requests sent (attempted) over the
	// network; each redirect hop counts as one request.
	Requests int64
	// CacheHits is the number of Gets answered without a fetch of their
	// own: from the cache, by joining an identical fetch in flight, or with
	// a remembered failure.
	CacheHits int64
	// Blocked is the number of fetches the Guard refused (a remembered
	// refusal given again counts as a cache hit). A request refused by the
	// guard is not counted in Requests: nothing was sent.
	Blocked int64
}

// MaxRememberedFailures bounds how many failed fetches a Client remembers
// at once (see Options.FailureTTL), so that a stream of URLs that fail
// cannot grow a long-running server's memory without end.
const MaxRememberedFailures = 10000

// Client fetches documents. It is safe for concurrent use.
type Client struct {
	opts  Options
	hc    *http.Client
	cache Cache

	mu      sync.Mutex
	flights map[string]*flight
	failed  failures

	requests  atomic.Int64
	cacheHits atomic.Int64
	blocked   atomic.Int64
}

// flight is one fetch in progress, shared by every Get waiting for it.
type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int // guarded by Client.mu
	resp    *Response
	err     *Error
	cached  bool // resp came from the cache: no fetch was needed after all
}

// New returns a Client with opts, zero fields taking their defaults.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.Cache == nil {
		opts.Cache = NewMemoryCache()
	}
	rt := opts.Transport
	if rt == nil {
		rt = newTransport(&opts)
	}
	c := &Client{
		opts:    opts,
		cache:   opts.Cache,
		flights: make(map[string]*flight),
		failed:  newFailures(opts.FailureTTL, MaxRememberedFailures, time.Now),
	}
	c.hc = &http.Client{
		Transport:     countingTransport{rt, &c.requests},
		CheckRedirect: c.checkRedirect,
	}
	return c
}

// Stats returns the Client's counters so far.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.requests.Load(), CacheHits: c.cacheHits.Load(), Blocked: c.blocked.Load()}
}

// CloseIdleConnections closes the idle keep-alive connections of the
// Client's transport, if it supports that.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Get fetches rawURL with the given Accept header ("" means DefaultAccept).
//
// Any HTTP status is returned as a Response (the verifier decides what
// 404, 410 or 500 mean). An error, always an *Error, means there was no
// response: offline, bad URL, DNS, connection, proxy, TLS, timeout, too many
// or bad redirects, body too large, address refused by the Guard, or ctx
// done. Only absolute http and https URLs are fetched; the fragment is not
// sent.
//
// Identical concurrent Gets share one fetch, and completed responses are
// stored in the Cache by (URL without fragment, Accept), every status
// included (the default cache keeps them for the Client's lifetime; see
// ForRetry for asking again). A Get
// whose ctx ends returns at once; the shared fetch goes on while other Gets
// still wait for it and is canceled otherwise.
func (c *Client) Get(ctx context.Context, rawURL, accept string) (*Response, error) {
	if accept == "" {
		accept = DefaultAccept
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	key := cacheKey(u, accept)
	retrying := ctx.Value(retryKey{}) != nil
	if r, ok := c.cache.Get(key); ok && !(retrying && TransientStatus(r.Status)) {
		c.cacheHits.Add(1)
		return r.forCaller(rawURL, true), nil
	}
	if c.opts.Offline {
		return nil, &Error{URL: rawURL, Kind: KindOffline, msg: "badgebake is offline (--offline); the document is not cached"}
	}
	if ctx.Err() != nil {
		return nil, canceledError(rawURL, ctx)
	}

	c.mu.Lock()
	if e := c.failed.get(key); e != nil && !retrying {
		c.mu.Unlock()
		c.cacheHits.Add(1)
		return nil, e.withURL(rawURL)
	}
	f, leader := c.flights[key], false
	if f == nil {
		f, leader = c.startFlight(ctx, key, u, accept), true
	} else {
		c.cacheHits.Add(1)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err.withURL(rawURL)
		}
		if leader && f.cached {
			c.cacheHits.Add(1)
		}
		return f.resp.forCaller(rawURL, !leader || f.cached), nil
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
		}
		c.mu.Unlock()
		return nil, canceledError(rawURL, ctx)
	}
}

type retryKey struct{}

// ForRetry returns a context whose Gets ask the network again for a URL
// whose fetch failed before or was answered with 5xx, 429 or 408, instead of
// answering with the remembered failure or the cached answer: a caller
// retrying work that failed for a transient reason (batch verify's
// --retry) needs the host asked again. Other cached answers are used.
func ForRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, true)
}

// startFlight starts the shared fetch for key; c.mu is held. The fetch keeps
// ctx's values but not its cancellation: it is canceled when its last waiter
// leaves.
func (c *Client) startFlight(ctx context.Context, key string, u *url.URL, accept string) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel}
	c.flights[key] = f
	go func() {
		defer cancel()
		// A fetch may have completed since the caller's first look: it
		// stores its response before leaving c.flights. Looking again here,
		// not under c.mu, lets a cache take its time (a network cache).
		resp, cached := c.cache.Get(key)
		if cached && ctx.Value(retryKey{}) != nil && TransientStatus(resp.Status) {
			cached = false // see ForRetry
		}
		var err *Error
		if !cached {
			resp, err = c.fetch(fctx, u, accept)
			if err == nil {
				c.cache.Put(key, resp)
			}
		}
		if err != nil && err.Kind == KindBlocked {
			c.blocked.Add(1)
		}
		c.mu.Lock()
		if err != nil && err.Kind != KindCanceled && !c.opts.RetryFailed {
			c.failed.put(key, err)
		} else if err == nil {
			c.failed.forget(key)
		}
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		f.resp, f.err, f.cached = resp, err, cached
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}

// fetch sends one GET (following redirects) and reads the body.
func (c *Client) fetch(parent context.Context, u *url.URL, accept string) (*Response, *Error) {
	ctx, cancel := context.WithTimeout(parent, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: err, msg: "invalid URL: " + err.Error()}
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	hr, err := c.hc.Do(req)
	if err != nil {
		return nil, c.classify(parent, ctx, u.String(), err)
	}
	defer hr.Body.Close()

	r := &Response{
		URL:         u.String(),
		FinalURL:    hr.Request.URL.String(),
		Redirects:   redirectChain(hr.Request),
		Status:      hr.StatusCode,
		ContentType: mediaType(hr.Header.Get("Content-Type")),
		Header:      hr.Header,
	}
	if hr.ContentLength > c.opts.MaxBytes {
		return nil, c.tooLarge(u.String(), r.FinalURL, hr.ContentLength)
	}
	r.Body, err = readCapped(hr.Body, c.opts.MaxBytes, hr.ContentLength)
	if err == errTooLarge {
		return nil, c.tooLarge(u.String(), r.FinalURL, -1)
	}
	if err != nil {
		e := c.classify(parent, ctx, u.String(), err)
		if e.Kind != KindTimeout && e.Kind != KindCanceled {
			e.msg = "reading the response: " + e.msg
			if r.FinalURL != u.String() {
				e.msg = "after redirect to " + r.FinalURL + ": " + e.msg
			}
		}
		return nil, e
	}
	r.Fetched = time.Now()
	return r, nil
}

func (c *Client) tooLarge(reqURL, finalURL string, contentLength int64) *Error {
	msg := "response larger than " + formatSize(c.opts.MaxBytes)
	if contentLength >= 0 {
		msg += " (Content-Length " + formatSize(contentLength) + ")"
	}
	if finalURL != reqURL {
		msg = "after redirect to " + finalURL + ": " + msg
	}
	return &Error{URL: reqURL, Kind: KindTooLarge, msg: msg}
}

var errTooLarge = &Error{Kind: KindTooLarge}

// readCapped reads r to the end, or returns errTooLarge as soon as more than
// max bytes arrive; it never holds more than max+1 bytes (plus slack).
func readCapped(r io.Reader, max, contentLength int64) ([]byte, error) {
	size := int64(512)
	if contentLength >= 0 && contentLength <= max {
		size = contentLength + 1 // +1 so the final EOF read needs no growth
	}
	b := make([]byte, 0, size)
	lr := io.LimitReader(r, max+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &badRedirectError{to: req.URL.Redacted()}
	}
	if c.opts.MaxRedirects < 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > c.opts.MaxRedirects {
		return &tooManyRedirectsError{max: c.opts.MaxRedirects, last: req.URL.Redacted()}
	}
	// Do not tell the next server where we came from.
	req.Header.Del("Referer")
	return nil
}

// redirectChain lists the URLs that redirected to final, oldest first.
func redirectChain(final *http.Request) []string {
	var chain []string
	for r := final; r.Response != nil && r.Response.Request != nil; {
		r = r.Response.Request
		chain = append(chain, r.URL.String())
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain
}

// forCaller returns a copy of r for one Get; Body is shared.
func (r *Response) forCaller(rawURL string, fromCache bool) *Response {
	cp := *r
	cp.URL = rawURL
	cp.FromCache = fromCache
	cp.Header = r.Header.Clone()
	if r.Redirects != nil {
		cp.Redirects = append([]string(nil), r.Redirects...)
	}
	return &cp
}

// parseURL accepts absolute http and https URLs with a host and returns them
// without fragment.
func parseURL(rawURL string) (*url.URL, error) {
	bad := func(msg string, err error) error {
		return &Error{URL: rawURL, Kind: KindBadURL, Err: err, msg: msg}
	}
	if rawURL == "" {
		return nil, bad("empty URL", nil)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return nil, bad("not a valid URL: "+err.Error(), err)
	}
	switch {
	case u.Scheme == "":
		return nil, bad("not an absolute URL (only http and https URLs are fetched)", nil)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("unsupported scheme "+quote(u.Scheme)+" (only http and https URLs are fetched)", nil)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, bad("URL has no host", nil)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// mediaType returns the lower-cased media type of a Content-Type value,
// without parameters.
func mediaType(v string) string {
	if v == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(v); err == nil {
		return mt // already lower-cased
	}
	mt, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// countingTransport counts the requests handed to the transport, except
// those the guard refused: nothing was sent for them.
type countingTransport struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	var blocked *BlockedError
	if err == nil || !errors.As(err, &blocked) {
		t.n.Add(1)
	}
	return resp, err
}

func (t countingTransport) CloseIdleConnections() {
	if c, ok := t.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
