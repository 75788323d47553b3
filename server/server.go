package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/verify"
)

// Defaults for Options.
const (
	DefaultMaxUpload      = 4 << 20 // the reference's MAX_CONTENT_LENGTH
	DefaultRequestTimeout = 60 * time.Second
	DefaultMaxConcurrent  = 64
	DefaultBodyTimeout    = 10 * time.Second
	DefaultBodyDeadline   = 60 * time.Second

	// Defaults of the fetch client New builds when Options has none.
	DefaultFetchTimeout = 15 * time.Second // for each document
	DefaultCacheTTL     = 5 * time.Minute  // a revoked badge shows as revoked at most this long after
	DefaultFailureTTL   = 30 * time.Second // how long a failed fetch is given again without asking
)

// Options configure a Server. The zero value is safe on the internet: the
// fetch client New builds has a bounded cache and refuses non-public
// addresses, and every limit has its default.
type Options struct {
	// Verifier verifies the badges. One Verifier serves every request, so
	// its fetch client's cache is shared: give it a bounded cache
	// (fetch.NewBoundedCache) and, on the internet, a fetch.Guard.
	// nil: a Verifier on Fetch.
	Verifier *verify.Verifier
	// Fetch is the Verifier's fetch client. The result page fetches the badge image
	// through it (usually from its cache) to show it inline, and /metrics
	// reports its counters. When both Verifier and Fetch are nil, New builds
	// one: a fetch.BoundedCache of fetch.DefaultBoundedCacheBytes kept for
	// DefaultCacheTTL, failures remembered for DefaultFailureTTL, a time
	// limit of DefaultFetchTimeout per document, and a fetch.Guard that
	// refuses loopback, private, link-local and other non-public addresses
	// unless AllowPrivate. When Verifier is set and Fetch is nil, Fetch is
	// the Verifier's client.
	Fetch *fetch.Client
	// AllowPrivate turns off the address guard of the fetch client New
	// builds (an intranet deployment). A client given in Fetch or Verifier is
	// used as it is, with or without its own guard.
	AllowPrivate bool
	// CacheStats, when set, adds the shared cache's figures to /metrics;
	// New sets it for the cache of the client it builds.
	CacheStats func() fetch.BoundedCacheStats
	// MaxUpload bounds a request body (a form with an image, or JSON); a
	// larger one gets 413. Default DefaultMaxUpload.
	MaxUpload int64
	// RequestTimeout bounds one verification, fetches included; past it the
	// client gets 504. Default DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxConcurrent bounds the verifications (and unbakes) running at
	// once; one more gets 503 with Retry-After. Default
	// DefaultMaxConcurrent. A request takes its slot only once its body has
	// been read: slow senders hold none.
	MaxConcurrent int
	// BodyTimeout cuts off, with 408, a request body that delivers nothing
	// for this long. Default DefaultBodyTimeout.
	BodyTimeout time.Duration
	// BodyDeadline cuts off, with 408, a request body not complete this
	// long after the server began to read it. Default DefaultBodyDeadline.
	BodyDeadline time.Duration
	// MaxBodyMemory bounds the bytes of request bodies held at once, being
	// received or being verified; a body that would pass it gets 503 with
	// Retry-After. Default MaxConcurrent × MaxUpload.
	MaxBodyMemory int64
	// Logger gets one access log record per request; nil: slog.Default().
	Logger *slog.Logger
	// Version is shown on the pages and in /healthz and /metrics.
	Version string
	// Now is the clock for the page's expiry notes; nil: time.Now.
	Now func() time.Time
	// CORSOrigins lets scripts on these web origins ("https://example.org")
	// call POST /results and POST /unbake from a browser; "*" lets any
	// origin. Empty: no cross-origin access (browsers refuse such calls).
	// Credentials are never allowed: the service has no sessions.
	CORSOrigins []string
}

// Server is the HTTP service: an http.Handler. It is safe for concurrent
// use.
type Server struct {
	opts     Options
	mux      *http.ServeMux
	slots    chan struct{}
	bodies   bodyBudget
	metrics  *metrics
	draining atomic.Bool // /healthz answers 503

	mu       sync.Mutex
	refusing bool          // new verification work gets 503
	active   int           // verification requests being served
	idle     chan struct{} // closed when active falls to 0 while refusing
}

// New returns a Server with opts, zero fields taking their defaults.
func New(opts Options) *Server {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = DefaultBodyTimeout
	}
	if opts.BodyDeadline <= 0 {
		opts.BodyDeadline = DefaultBodyDeadline
	}
	if opts.MaxBodyMemory <= 0 {
		opts.MaxBodyMemory = int64(opts.MaxConcurrent) * opts.MaxUpload
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Version == "" {
		opts.Version = "devel"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Verifier == nil && opts.Fetch == nil {
		cache := fetch.NewBoundedCache(fetch.BoundedCacheOptions{TTL: DefaultCacheTTL})
		fopts := fetch.Options{UserAgent: "badgebake/" + opts.Version, Timeout: DefaultFetchTimeout, FailureTTL: DefaultFailureTTL, Cache: cache}
		if !opts.AllowPrivate {
			fopts.Guard = &fetch.Guard{Hint: "the operator can allow them (server.Options.AllowPrivate)"}
		}
		opts.Fetch = fetch.New(fopts)
		if opts.CacheStats == nil {
			opts.CacheStats = cache.Stats
		}
	}
	if opts.Verifier == nil {
		opts.Verifier = verify.New(verify.Config{Client: opts.Fetch})
	}
	if opts.Fetch == nil {
		opts.Fetch = opts.Verifier.Client()
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), slots: make(chan struct{}, opts.MaxConcurrent), metrics: newMetrics()}
	s.bodies.max = opts.MaxBodyMemory
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /results", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/", http.StatusFound) // as the reference does
	})
	s.mux.HandleFunc("POST /results", s.verification("nothing to verify", s.results))
	s.mux.HandleFunc("POST /unbake", s.verification("nothing to unbake", s.unbake))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.serveMetrics)
	s.mux.HandleFunc("GET /static/style.css", serveCSS)
	if len(opts.CORSOrigins) > 0 {
		s.mux.HandleFunc("OPTIONS /results", s.preflight)
		s.mux.HandleFunc("OPTIONS /unbake", s.preflight)
	}
	return s
}

// corsAllowed reports whether a browser page from origin may read answers.
func (s *Server) corsAllowed(origin string) bool {
	for _, o := range s.opts.CORSOrigins {
		if o == "*" || o == origin {
			return true
		}
	}
	return false
}

// cors adds the headers that let an allowed origin's script read the
// answer, and the headers it may look at.
func (s *Server) cors(h http.Header, origin string) {
	if origin == "" || len(s.opts.CORSOrigins) == 0 {
		return
	}
	h.Add("Vary", "Origin")
	if !s.corsAllowed(origin) {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Badgebake-Verdict, X-Request-Id, Retry-After")
}

// preflight answers a browser's CORS preflight for the POST routes.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	if !s.corsAllowed(r.Header.Get("Origin")) || r.Header.Get("Access-Control-Request-Method") != http.MethodPost {
		s.fail(w, r, http.StatusForbidden, "cross-origin requests from "+strconv.Quote(r.Header.Get("Origin"))+" are not allowed here", "the operator lists allowed origins with --cors-origin")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Accept, X-Request-Id")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// Drain makes /healthz answer 503 so that a load balancer stops sending
// new requests; call it when shutdown begins. Requests still arriving are
// served (until Shutdown).
func (s *Server) Drain() { s.draining.Store(true) }

// Shutdown drains (see Drain), refuses new verifications and unbakes with
// 503 and Retry-After, and waits until those in progress have been
// answered, or ctx is done (then it returns ctx's error). It closes no
// listener: the http.Server serving s goes on answering, so that clients
// hear 503 rather than a refused connection. Call its Shutdown afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	s.mu.Lock()
	s.refusing = true
	n := s.active
	if n > 0 && s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	s.opts.Logger.Info("draining: new verifications are refused; waiting for those in progress", "in_progress", n)
	if n == 0 {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin counts a verification request in, or reports false once Shutdown
// has begun.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusing {
		return false
	}
	s.active++
	return true
}

// end counts a verification request out.
func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.active == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// ServeHTTP implements http.Handler: the routes, with security headers,
// an access log record and metrics for every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	id := r.Header.Get("X-Request-Id")
	if !validRequestID(id) {
		id = newRequestID()
	}
	h := rec.Header()
	h.Set("X-Request-Id", id)
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.cors(h, r.Header.Get("Origin"))
	note := &logNote{}
	r = r.WithContext(context.WithValue(r.Context(), logNoteKey{}, note))
	defer func() {
		if p := recover(); p != nil {
			// A bug must not take the process down or leak a stack trace
			// to a stranger; it is logged for the operator.
			s.opts.Logger.Error("panic serving request", "request_id", id, "panic", fmt.Sprint(p))
			if !rec.wrote {
				s.fail(rec, r, http.StatusInternalServerError, "internal error (request "+id+"); the operator's log has the details", "")
			}
		}
		route := r.Pattern
		if route == "" {
			route = "other"
		}
		elapsed := time.Since(start)
		status := rec.status
		if note.clientGone && !rec.wrote {
			// Nothing was sent: log and count it as nginx does, 499.
			status = statusClientClosed
		}
		s.metrics.observe(route, status, elapsed)
		attrs := []any{"method", r.Method, "path", r.URL.Path, "route", route, "status", status,
			"bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds()) / 1000, "remote", r.RemoteAddr, "request_id", id}
		if note.verdict != "" {
			attrs = append(attrs, "verdict", note.verdict, "input_type", note.inputType)
		}
		if note.err != "" {
			attrs = append(attrs, "error", note.err)
		}
		s.opts.Logger.Info("request", attrs...)
	}()
	s.route(rec, r)
}

// route serves r by the routes. A path no route has (404), or a route
// asked with another method (405), is answered as every other error is: a
// page, or JSON for a JSON client.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if h, pattern := s.mux.Handler(r); pattern == "" {
		probe := &statusProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		const routes = "this service answers GET /, POST /results, POST /unbake, GET /healthz and GET /metrics"
		switch probe.status {
		case http.StatusNotFound:
			s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no such page: %s %s", r.Method, r.URL.Path), routes)
			return
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", probe.header.Get("Allow"))
			s.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("%s does not take %s", r.URL.Path, r.Method), routes)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// statusProbe is a ResponseWriter that keeps only the status, to learn
// what the mux answers a request no route takes.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }

func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func (p *statusProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

// contentSecurityPolicy allows the page its own stylesheet, inline images
// (badge images are shown as data: URIs, never fetched by the browser from
// wherever a badge points) and forms posting back here; nothing else, and no
// script at all.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// validRequestID accepts a caller's request id (a proxy's, say) only when
// it is short and plain, since it is echoed in a header and the log.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder notes the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logNote carries what a handler wants in the access log record.
type logNote struct {
	verdict, inputType, err string
	clientGone              bool
}

// statusClientClosed is logged for a request whose client left before the
// answer was ready (nginx's 499; nothing is sent).
const statusClientClosed = 499

type logNoteKey struct{}

func noteOf(r *http.Request) *logNote {
	if n, ok := r.Context().Value(logNoteKey{}).(*logNote); ok {
		return n
	}
	return &logNote{}
}

// verification serves POST /results or /unbake (images: a raw image body
// is accepted): refused with 503 once Shutdown has begun; then the body is
// read and parsed (see body.go) before h runs in one of the MaxConcurrent
// slots, or gets 503 with Retry-After at once when all are taken: a client
// retrying later is better served than one queued behind work it cannot
// see.
func (s *Server) verification(nothing string, h func(http.ResponseWriter, *http.Request, *submission)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.begin() {
			s.unavailable(w, r, "the server is shutting down")
			return
		}
		defer s.end()
		if len(s.slots) == cap(s.slots) {
			// Every slot is taken by a verification (bodies being received
			// take none): no need to receive this body first.
			s.busy(w, r)
			return
		}

		body := s.newBodyReader(w, r, time.Now())
		defer body.release()
		r.Body = body
		s.metrics.bodiesReading.Add(1)
		sub, err := readSubmission(w, r, s.opts.MaxUpload, nothing)
		s.metrics.bodiesReading.Add(-1)
		if err != nil {
			s.requestFailed(w, r, err)
			return
		}

		select {
		case s.slots <- struct{}{}:
		default:
			s.busy(w, r)
			return
		}
		s.metrics.inFlight.Add(1)
		defer func() {
			s.metrics.inFlight.Add(-1)
			<-s.slots
		}()
		h(w, r, sub)
	}
}

// busy answers a request that finds every verification slot taken.
func (s *Server) busy(w http.ResponseWriter, r *http.Request) {
	s.metrics.rejected.Add(1)
	s.unavailable(w, r, "the server is busy: "+strconv.Itoa(s.opts.MaxConcurrent)+" verifications are already running")
}

// unavailable answers 503 with Retry-After.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("Retry-After", "1")
	s.fail(w, r, http.StatusServiceUnavailable, msg, "retry after a second")
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	status, code := "ok", http.StatusOK
	if s.draining.Load() {
		status, code = "shutting down", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"status": status, "version": s.opts.Version})
}

// errorBody is the JSON of an error response.
type errorBody struct {
	Error  string `json:"error"`
	Hint   string `json:"hint,omitempty"`
	Status int    `json:"status"`
}

// fail answers with an error: JSON for clients that prefer it, else an
// HTML page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg, hint string) {
	noteOf(r).err = msg
	if wantsJSON(r.Header.Get("Accept")) {
		writeJSON(w, code, errorBody{Error: msg, Hint: hint, Status: code})
		return
	}
	s.render(w, code, "error", errorPage{page: s.page("Error"), Status: code, StatusText: http.StatusText(code), Message: msg, Hint: hint})
}

// writeJSON writes v as the CLI's --json does (two-space indent, no HTML
// escaping), so a JSON client sees exactly what badgebake verify --json
// prints.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
