package server

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the counters /metrics exposes in the Prometheus text format.
// Labels come from fixed sets (the mux's route patterns, status codes,
// verdicts), so a stranger's URLs cannot grow them.
type metrics struct {
	mu        sync.Mutex
	requests  map[routeCode]uint64
	durations map[string]*histogram
	verdicts  map[string]uint64

	rejected      atomic.Uint64 // 503 busy
	inFlight      atomic.Int64
	bodiesReading atomic.Int64
	bodyTimeouts  atomic.Uint64 // 408
}

type routeCode struct {
	route string
	code  int
}

// latencyBuckets are the upper bounds (seconds) of the request duration
// histogram: from a cached badge (milliseconds) to a slow issuer.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[routeCode]uint64{}, durations: map[string]*histogram{}, verdicts: map[string]uint64{}}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeCode{route, code}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.durations[route] = h
	}
	sec := d.Seconds()
	for i, ub := range latencyBuckets {
		if sec <= ub {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

func (m *metrics) verdict(v string) {
	m.mu.Lock()
	m.verdicts[v]++
	m.mu.Unlock()
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w, s)
}

func (m *metrics) write(w io.Writer, s *Server) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	// sample writes a metric that has one unlabelled value.
	sample := func(name, typ, help string, v int64) {
		p("# HELP %s %s", name, help)
		p("# TYPE %s %s", name, typ)
		p("%s %d", name, v)
	}

	p("# HELP badgebake_build_info The running version.")
	p("# TYPE badgebake_build_info gauge")
	p("badgebake_build_info{version=%q} 1", s.opts.Version)

	p("# HELP badgebake_http_requests_total HTTP requests served, by route and status code.")
	p("# TYPE badgebake_http_requests_total counter")
	keys := make([]routeCode, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	for _, k := range keys {
		p("badgebake_http_requests_total{route=%q,code=\"%d\"} %d", k.route, k.code, m.requests[k])
	}

	p("# HELP badgebake_http_request_duration_seconds Time to answer a request, by route.")
	p("# TYPE badgebake_http_request_duration_seconds histogram")
	for _, route := range sortedKeys(m.durations) {
		h := m.durations[route]
		var cum uint64
		for i, ub := range latencyBuckets {
			cum += h.counts[i]
			p("badgebake_http_request_duration_seconds_bucket{route=%q,le=%q} %d", route, strconv.FormatFloat(ub, 'g', -1, 64), cum)
		}
		p("badgebake_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d", route, h.n)
		p("badgebake_http_request_duration_seconds_sum{route=%q} %g", route, h.sum)
		p("badgebake_http_request_duration_seconds_count{route=%q} %d", route, h.n)
	}

	p("# HELP badgebake_verifications_total Verifications finished, by verdict (valid, invalid, revoked, timeout).")
	p("# TYPE badgebake_verifications_total counter")
	for _, v := range []string{"valid", "invalid", "revoked", "indeterminate", "timeout"} {
		p("badgebake_verifications_total{verdict=%q} %d", v, m.verdicts[v])
	}
	sample("badgebake_verifications_in_flight", "gauge", "Verifications and unbakes running now.", int64(m.inFlight.Load()))
	sample("badgebake_rejected_busy_total", "counter", "Requests refused with 503 because every verification slot was taken, or request bodies filled their memory.", int64(m.rejected.Load()))
	sample("badgebake_request_bodies_reading", "gauge", "Request bodies of POST /results and /unbake being received now (they hold no verification slot).", m.bodiesReading.Load())
	sample("badgebake_request_body_bytes", "gauge", "Bytes of request bodies in memory, being received or verified.", s.bodies.used.Load())
	sample("badgebake_body_timeouts_total", "counter", "Request bodies cut off with 408 for arriving too slowly.", int64(m.bodyTimeouts.Load()))

	if c := s.opts.Fetch; c != nil {
		st := c.Stats()
		sample("badgebake_fetch_requests_total", "counter", "HTTP requests sent to fetch badge documents and images (each redirect hop counts).", int64(st.Requests))
		sample("badgebake_fetch_cache_hits_total", "counter", "Fetches answered without a request of their own (cache, shared in-flight fetch, remembered failure).", int64(st.CacheHits))
		sample("badgebake_fetch_blocked_total", "counter", "Fetches refused because the address is loopback, private, link-local or otherwise not public.", int64(st.Blocked))
	}
	if s.opts.CacheStats != nil {
		cs := s.opts.CacheStats()
		sample("badgebake_cache_entries", "gauge", "Responses in the shared fetch cache.", int64(cs.Entries))
		sample("badgebake_cache_bytes", "gauge", "Approximate size of the shared fetch cache.", int64(cs.Bytes))
		sample("badgebake_cache_evictions_total", "counter", "Responses dropped from the shared fetch cache to stay within its size.", int64(cs.Evictions))
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sample("badgebake_go_heap_bytes", "gauge", "Bytes of allocated heap objects.", int64(ms.HeapAlloc))
	sample("badgebake_go_goroutines", "gauge", "Goroutines that currently exist.", int64(runtime.NumGoroutine()))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
