// Command serve is the load test of "badgebake serve", the HTTP
// verification service (internal/cli/serve.go, package server).
//
// It builds the badgebake command, starts the test issuer
// (internal/testkit/badgehost) in this process on a loopback port, bakes -badges
// distinct PNGs in memory (badge i carries the URL of /assertions/i), and
// then, for each phase, starts a fresh
//
//	badgebake serve --addr 127.0.0.1:0 --allow-private --max-concurrent M --log-format json
//
// as a child process (its address is read from the first log record,
// "listening"; the rest of its log is counted and dropped), waits for
// GET /healthz, and drives POST /results with concurrent clients that send
// "Accept: application/json" and cycle through the badges:
//
//   - Phase A, below the limit: -clients clients (16), -requests requests
//     (10,000), --max-concurrent -max-concurrent-high (64), multipart
//     uploads of the baked PNGs (field image). Every answer must be 200 with
//     Badgebake-Verdict valid and a report whose "valid" is true. Requests
//     are split into cold (the first -badges, whose assertion the server has
//     not fetched yet, give or take the requests in flight at the boundary)
//     and warm (every document in the server's cache).
//   - Phase B, above the limit: -limit-clients clients (64), -limit-requests
//     requests (5,000), --max-concurrent -max-concurrent-low (4). Every
//     answer must be 200 (valid, as above) or 503 with Retry-After: 1 and a
//     JSON body with "error". Clients retry at once: Retry-After is not
//     honoured, the point is to hammer the limit.
//   - Phase C (only with -json-body): phase A again, with JSON bodies
//     {"data": "<assertion URL>"} instead of uploads.
//
// Every phase is bounded by -duration: no request starts after it (those in
// flight finish; the table says when a phase was cut short). After the load
// it reads the server's peak and current resident memory (VmHWM and VmRSS
// in /proc/PID/status), scrapes /metrics, and stops the server with SIGTERM,
// which must make it exit 0 within -shutdown-wait. The number of fetches is
// checked against the issuer's own count: the server's cache should fetch
// each distinct assertion verified once, plus the BadgeClass, the Issuer and
// the image once each.
//
// It prints Markdown tables to paste into BENCHMARKS.md, with the machine
// and the exact command, and exits 1, listing what failed, when any
// expectation fails: an unexpected status, a transport error, a verdict
// other than valid, a 503 without Retry-After: 1 or an error body, or a
// server that does not exit 0 on SIGTERM. Fetch-count mismatches are
// reported but do not fail the run.
//
// Everything runs on loopback and nothing goes to the internet. The load
// generator, the issuer and the server share the machine's CPUs, so the
// figures are those of a server competing with its clients, not its
// ceiling. Run it from the module root:
//
//	go run ./bench/serve
//	go run ./bench/serve -json-body -clients 32 -requests 20000
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/badgebake/badgebake/internal/numfmt"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
)

type config struct {
	clients, requests           int
	limitClients, limitRequests int
	maxHigh, maxLow             int
	badges                      int
	duration                    time.Duration
	shutdownWait                time.Duration
	jsonBody                    bool
	bin                         string
}

// phase is one server run under load.
type phase struct {
	name, title string
	maxConc     int
	clients     int
	requests    int
	json        bool // {"data": URL} bodies instead of uploads
	allow503    bool
}

// sample is one request, stored at its index in a preallocated slice.
type sample struct {
	lat    time.Duration
	status int16 // -1: transport error
	done   bool
}

type result struct {
	phase
	wall       time.Duration
	samples    []sample // one per request index; done says whether it was made
	done       int      // requests made (fewer than requests when cut at -duration)
	failures   []string // the first few, for the report
	nFailures  int
	distinct   int // distinct badges answered 200
	hwm, rss   int64
	metrics    map[string]float64
	issuer     int // requests the issuer got during the phase
	shutdown   time.Duration
	exitErr    error
	logRecords int
}

var (
	cleanups []func()
	tmp      string
)

func main() {
	var c config
	flag.IntVar(&c.clients, "clients", 16, "concurrent clients in phases A and C (below the limit)")
	flag.IntVar(&c.requests, "requests", 10000, "requests in phases A and C")
	flag.IntVar(&c.limitClients, "limit-clients", 64, "concurrent clients in phase B (above the limit)")
	flag.IntVar(&c.limitRequests, "limit-requests", 5000, "requests in phase B")
	flag.IntVar(&c.maxHigh, "max-concurrent-high", 64, "serve --max-concurrent in phases A and C")
	flag.IntVar(&c.maxLow, "max-concurrent-low", 4, "serve --max-concurrent in phase B")
	flag.IntVar(&c.badges, "badges", 2000, "distinct baked badges (assertions) the clients cycle through")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "longest time a phase may run (no request starts after it)")
	flag.DurationVar(&c.shutdownWait, "shutdown-wait", 10*time.Second, "how long the server may take to exit after SIGTERM")
	flag.BoolVar(&c.jsonBody, "json-body", false, "also run phase C: JSON bodies {\"data\": URL} instead of uploads")
	flag.StringVar(&c.bin, "badgebake", "", "badgebake binary (default: built from the module into a temporary folder)")
	flag.Parse()
	if c.clients < 1 || c.requests < 1 || c.limitClients < 1 || c.limitRequests < 1 || c.maxLow < 1 || c.maxHigh < 1 || c.badges < 1 {
		fatalf("counts must be positive")
	}
	if c.clients > c.maxHigh {
		fatalf("-clients %d is above -max-concurrent-high %d: phase A would not be below the limit", c.clients, c.maxHigh)
	}
	if c.limitClients <= c.maxLow {
		fatalf("-limit-clients %d must be above -max-concurrent-low %d for phase B to go past the limit", c.limitClients, c.maxLow)
	}

	var err error
	tmp, err = os.MkdirTemp("", "badgebake-serve-")
	must(err)
	cleanups = append(cleanups, func() { os.RemoveAll(tmp) })
	defer runCleanups()

	loadBefore := loadavg()
	if c.bin == "" {
		root, err := moduleRoot()
		must(err)
		c.bin = filepath.Join(tmp, "badgebake")
		t := time.Now()
		cmd := exec.Command("go", "build", "-o", c.bin, "./cmd/badgebake")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fatalf("go build: %v\n%s", err, out)
		}
		fmt.Fprintf(os.Stderr, "built %s in %v\n", c.bin, time.Since(t).Round(time.Millisecond))
	}

	h := badgehost.Start(badgehost.Options{})
	cleanups = append(cleanups, h.Close)

	t := time.Now()
	uploads, urls := make([][]byte, c.badges), make([][]byte, c.badges)
	var boundary string
	for i := range c.badges {
		png, err := h.Baked(strconv.Itoa(i), false)
		must(err)
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		boundary = "badgebake-load-test-boundary"
		must(mw.SetBoundary(boundary))
		fw, err := mw.CreateFormFile("image", fmt.Sprintf("badge-%d.png", i))
		must(err)
		fw.Write(png)
		must(mw.Close())
		uploads[i] = b.Bytes()
		urls[i], err = json.Marshal(map[string]string{"data": h.AssertionURL(strconv.Itoa(i))})
		must(err)
	}
	fmt.Fprintf(os.Stderr, "baked %d badges in %v (upload body %d bytes)\n", c.badges, time.Since(t).Round(time.Millisecond), len(uploads[0]))
	multipartType := "multipart/form-data; boundary=" + boundary

	phases := []phase{
		{name: "A", title: "below the limit, PNG uploads", maxConc: c.maxHigh, clients: c.clients, requests: c.requests},
		{name: "B", title: "above the limit, PNG uploads", maxConc: c.maxLow, clients: c.limitClients, requests: c.limitRequests, allow503: true},
	}
	if c.jsonBody {
		phases = append(phases, phase{name: "C", title: "below the limit, JSON {\"data\": URL}", maxConc: c.maxHigh, clients: c.clients, requests: c.requests, json: true})
	}
	var results []*result
	for _, p := range phases {
		bodies, ct := uploads, multipartType
		if p.json {
			bodies, ct = urls, "application/json"
		}
		fmt.Fprintf(os.Stderr, "phase %s: %s: %d clients, %d requests, --max-concurrent %d\n", p.name, p.title, p.clients, p.requests, p.maxConc)
		r := run(c, p, h, bodies, ct)
		fmt.Fprintf(os.Stderr, "phase %s: %d requests in %v, %d failures\n", p.name, r.done, r.wall.Round(time.Millisecond), r.nFailures)
		results = append(results, r)
	}
	loadAfter := loadavg()

	printReport(c, results, loadBefore, loadAfter)

	var failed []string
	for _, r := range results {
		for _, f := range r.failures {
			failed = append(failed, "phase "+r.name+": "+f)
		}
		if r.nFailures > len(r.failures) {
			failed = append(failed, fmt.Sprintf("phase %s: … %d failures in all", r.name, r.nFailures))
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "\nFAILED:\n  %s\n", strings.Join(failed, "\n  "))
		runCleanups()
		os.Exit(1)
	}
	fmt.Println("\nAll expectations met.")
}

// run starts a server for p, drives it, measures it and stops it.
func run(c config, p phase, h *badgehost.Host, bodies [][]byte, contentType string) *result {
	r := &result{phase: p}
	fail := func(format string, args ...any) {
		r.nFailures++
		if len(r.failures) < 10 {
			r.failures = append(r.failures, fmt.Sprintf(format, args...))
		}
	}
	srv, err := startServer(c.bin, p.maxConc)
	if err != nil {
		fatalf("phase %s: %v", p.name, err)
	}
	issuerBefore := h.Total()

	tr := &http.Transport{
		Proxy:               nil, // loopback only, whatever the environment says
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        2 * p.clients,
		MaxIdleConnsPerHost: p.clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	samples := make([]sample, p.requests)
	var next atomic.Int64
	var mu sync.Mutex // guards fail
	deadline := time.Now().Add(c.duration)
	target := srv.url + "/results"
	var wg sync.WaitGroup
	start := time.Now()
	for range p.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for {
				if time.Now().After(deadline) {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= p.requests {
					return
				}
				body := bodies[i%len(bodies)]
				req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
				if err != nil {
					panic(err)
				}
				req.Header.Set("Content-Type", contentType)
				req.Header.Set("Accept", "application/json")
				t := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					buf.Reset()
					_, err = buf.ReadFrom(resp.Body)
					resp.Body.Close()
				}
				lat := time.Since(t)
				if err != nil {
					samples[i] = sample{lat: lat, status: -1, done: true}
					mu.Lock()
					fail("request %d: transport error: %v", i, err)
					mu.Unlock()
					continue
				}
				samples[i] = sample{lat: lat, status: int16(resp.StatusCode), done: true}
				if msg := check(resp, buf.Bytes(), p.allow503); msg != "" {
					mu.Lock()
					fail("request %d (badge %d): %s", i, i%len(bodies), msg)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	r.samples = samples
	seen := make([]bool, len(bodies))
	for i, s := range samples {
		if s.done {
			r.done++
		}
		if s.done && s.status == http.StatusOK && !seen[i%len(bodies)] {
			seen[i%len(bodies)] = true
			r.distinct++
		}
	}

	r.hwm, r.rss = procStatus(srv.cmd.Process.Pid)
	r.metrics, err = scrape(client, srv.url+"/metrics")
	if err != nil {
		fail("GET /metrics: %v", err)
	}
	r.issuer = h.Total() - issuerBefore
	tr.CloseIdleConnections()

	r.shutdown, r.exitErr = srv.stop(c.shutdownWait)
	if r.exitErr != nil {
		fail("server did not exit cleanly on SIGTERM: %v; last log lines:\n%s", r.exitErr, srv.log.tailString())
	}
	r.logRecords = srv.log.lines()
	return r
}

// check returns what is wrong with a response, or "".
func check(resp *http.Response, body []byte, allow503 bool) string {
	switch resp.StatusCode {
	case http.StatusOK:
		if v := resp.Header.Get("Badgebake-Verdict"); v != "valid" {
			return fmt.Sprintf("200 with Badgebake-Verdict %q, want valid: %s", v, snippet(body))
		}
		var rep struct {
			Report struct {
				Valid *bool `json:"valid"`
			} `json:"report"`
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			return fmt.Sprintf("200 with a body that is not a JSON report: %v: %s", err, snippet(body))
		}
		if rep.Report.Valid == nil || !*rep.Report.Valid {
			return "200 with a report whose valid is not true: " + snippet(body)
		}
	case http.StatusServiceUnavailable:
		if !allow503 {
			return "503 below the concurrency limit: " + snippet(body)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "1" {
			return fmt.Sprintf("503 with Retry-After %q, want 1", ra)
		}
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			return "503 without a JSON body with \"error\": " + snippet(body)
		}
	default:
		return fmt.Sprintf("unexpected status %d: %s", resp.StatusCode, snippet(body))
	}
	return ""
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// server is a running "badgebake serve" child process.
type server struct {
	cmd   *exec.Cmd
	url   string
	log   *logSink
	exitc chan error
}

func startServer(bin string, maxConc int) (*server, error) {
	s := &server{log: &logSink{first: make(chan string, 1)}, exitc: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--allow-private",
		"--max-concurrent", strconv.Itoa(maxConc), "--log-format", "json")
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = s.log
	// The server fetches from the loopback issuer only: no proxy.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.EqualFold(k, "HTTP_PROXY") && !strings.EqualFold(k, "HTTPS_PROXY") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.exitc <- s.cmd.Wait() }()
	// Killed if we exit early; a no-op once it has exited.
	cleanups = append(cleanups, func() { s.cmd.Process.Kill() })

	select {
	case line := <-s.log.first:
		var rec struct {
			Msg string `json:"msg"`
			URL string `json:"url"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Msg != "listening" || rec.URL == "" {
			s.cmd.Process.Kill()
			return nil, fmt.Errorf("the server's first log record is not \"listening\" with a url: %s", line)
		}
		s.url = rec.URL
	case err := <-s.exitc:
		return nil, fmt.Errorf("the server exited at start (%v):\n%s", err, s.log.tailString())
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		return nil, errors.New("the server logged nothing within 10 s")
	}

	hc := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: time.Second}
	defer hc.CloseIdleConnections()
	for t := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		resp, err := hc.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Since(t) > 10*time.Second {
			s.cmd.Process.Kill()
			return nil, fmt.Errorf("GET %s/healthz not 200 within 10 s (last error %v)", s.url, err)
		}
	}
}

// stop sends SIGTERM and waits up to wait for the process to exit; it
// returns how long that took and an error unless it exited 0.
func (s *server) stop(wait time.Duration) (time.Duration, error) {
	t := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-s.exitc:
		return time.Since(t), err
	case <-time.After(wait):
		s.cmd.Process.Kill()
		<-s.exitc
		return time.Since(t), fmt.Errorf("still running %v after SIGTERM (killed)", wait)
	}
}

// logSink receives the server's standard error: it hands over the first
// line (the "listening" record), counts lines and keeps the last few KiB
// for error messages.
type logSink struct {
	mu      sync.Mutex
	first   chan string
	head    []byte // until the first newline
	gotHead bool
	n       int
	tail    []byte
}

func (l *logSink) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.gotHead {
		l.head = append(l.head, b...)
		if i := bytes.IndexByte(l.head, '\n'); i >= 0 {
			l.gotHead = true
			l.first <- string(l.head[:i])
			l.head = nil
		}
	}
	l.n += bytes.Count(b, []byte("\n"))
	l.tail = append(l.tail, b...)
	if len(l.tail) > 8<<10 {
		l.tail = append(l.tail[:0], l.tail[len(l.tail)-4<<10:]...)
	}
	return len(b), nil
}

func (l *logSink) lines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func (l *logSink) tailString() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.tail[max(0, len(l.tail)-2<<10):])
}

// procStatus returns VmHWM and VmRSS of pid, in KiB.
func procStatus(pid int) (hwm, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1, -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss
}

// scrape reads the samples of a Prometheus text page, keyed by name and
// labels as written (badgebake_x{route="POST /results"}).
func scrape(c *http.Client, url string) (map[string]float64, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	m := map[string]float64{}
	for line := range strings.SplitSeq(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		name, val := line[:i], line[i+1:]
		if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			m[name] = f
		}
	}
	return m, nil
}

// Reporting.

func printReport(c config, results []*result, loadBefore, loadAfter string) {
	cpu := benchdata.CPUModel()
	kernel := "unknown"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)

	fmt.Printf("# Serve load test, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("- Machine: %s, %d CPUs (GOMAXPROCS %d); Go %s, %s/%s, Linux %s; load average %s before, %s after\n",
		cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), strings.TrimPrefix(runtime.Version(), "go"), runtime.GOOS, runtime.GOARCH, kernel, loadBefore, loadAfter)
	fmt.Printf("- Command: `go run ./bench/serve%s` (from the module root)\n", argString())
	fmt.Printf("- The load generator and the issuer (this process, max RSS %.1f MiB) share the %d CPUs with the server: the figures are a server competing with its clients for CPU, not its ceiling.\n",
		float64(ru.Maxrss)/1024, runtime.NumCPU())
	fmt.Printf("- Every request is a POST /results with Accept: application/json over keep-alive connections on loopback; clients cycle through %d distinct baked badges (assertion i for request i mod %d). Phase B clients do not honour Retry-After: they send the next request at once.\n",
		c.badges, c.badges)
	fmt.Printf("- Server: `badgebake serve --addr 127.0.0.1:0 --allow-private --max-concurrent M --log-format json`, a fresh process (and fetch cache) per phase.\n\n")

	fmt.Printf("| Phase | --max-concurrent | clients | requests | wall | req/s | responses | p50 | p90 | p99 | max |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n")
	for _, r := range results {
		all := lats(r.samples, func(int, sample) bool { return true })
		done := numfmt.Group(r.done)
		if r.done < r.requests {
			done += fmt.Sprintf(" of %s (cut at -duration)", numfmt.Group(r.requests))
		}
		fmt.Printf("| %s: %s | %d | %d | %s | %s | %s | %s | %s |\n", r.name, r.title, r.maxConc, r.clients, done,
			fmtDur(r.wall), numfmt.Group(int(float64(r.done)/r.wall.Seconds()+0.5)), responses(r), pct(all))
		if !r.allow503 {
			k := c.badges
			cold := lats(r.samples, func(i int, s sample) bool { return i < k && s.status == 200 })
			warm := lats(r.samples, func(i int, s sample) bool { return i >= k && s.status == 200 })
			if len(cold) > 0 {
				fmt.Printf("| ↳ cold: first %s requests (assertion not yet fetched) | | | %s | | | | %s |\n", numfmt.Group(k), numfmt.Group(len(cold)), pct(cold))
			}
			if len(warm) > 0 {
				fmt.Printf("| ↳ warm: later requests (every document cached) | | | %s | | | | %s |\n", numfmt.Group(len(warm)), pct(warm))
			}
		} else {
			ok := lats(r.samples, func(_ int, s sample) bool { return s.status == 200 })
			busy := lats(r.samples, func(_ int, s sample) bool { return s.status == 503 })
			fmt.Printf("| ↳ 200 (valid) | | | %s | | | | %s |\n", numfmt.Group(len(ok)), pct(ok))
			fmt.Printf("| ↳ 503 (busy) | | | %s | | | | %s |\n", numfmt.Group(len(busy)), pct(busy))
		}
	}

	fmt.Printf("\n| Phase | server VmHWM | VmRSS after load | Go heap | goroutines | fetch requests | fetch cache hits | issuer requests | expected (distinct badges verified + 3) | 503 counted (`badgebake_rejected_busy_total`) | server-side mean time of POST /results | SIGTERM → exit | log records |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n")
	for _, r := range results {
		m := r.metrics
		fetches := int(m["badgebake_fetch_requests_total"])
		want := r.distinct + 3
		exp := numfmt.Group(want)
		if fetches != want || r.issuer != want {
			exp += " (**differs**)"
		}
		exit := fmtDur(r.shutdown) + ", exit 0"
		if r.exitErr != nil {
			exit = fmtDur(r.shutdown) + ", **" + r.exitErr.Error() + "**"
		}
		mean := "–"
		if n := m[`badgebake_http_request_duration_seconds_count{route="POST /results"}`]; n > 0 {
			mean = fmtDur(time.Duration(m[`badgebake_http_request_duration_seconds_sum{route="POST /results"}`] / n * float64(time.Second)))
		}
		fmt.Printf("| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, mib(r.hwm), mib(r.rss),
			mib(int64(m["badgebake_go_heap_bytes"])/1024), int(m["badgebake_go_goroutines"]), numfmt.Group(fetches),
			numfmt.Group(int(m["badgebake_fetch_cache_hits_total"])), numfmt.Group(r.issuer), exp,
			numfmt.Group(int(m["badgebake_rejected_busy_total"])), mean, exit, numfmt.Group(r.logRecords))
	}
	fmt.Printf("\nLatency is measured by the client, from sending the request to reading the whole response. Memory figures are the server process's (/proc/PID/status), read after the load and before SIGTERM; Go heap, goroutines, fetch counters and the server-side mean (handler start to end, 200s and 503s together, from the duration histogram) come from /metrics at the same moment. A cold request is a fetch miss for its assertion and a cache hit for the BadgeClass, Issuer and image; a warm one hits all four. Log records: one per request, plus the healthz poll, the metrics scrape and the listening, shutting-down and stopped records.\n")
}

func argString() string {
	var b strings.Builder
	for _, a := range os.Args[1:] {
		b.WriteString(" " + a)
	}
	return b.String()
}

func responses(r *result) string {
	counts := map[int16]int{}
	for _, s := range r.samples {
		if s.done {
			counts[s.status]++
		}
	}
	codes := make([]int16, 0, len(counts))
	for k := range counts {
		codes = append(codes, k)
	}
	slices.Sort(codes)
	var parts []string
	for _, k := range codes {
		switch k {
		case -1:
			parts = append(parts, fmt.Sprintf("**%s transport errors**", numfmt.Group(counts[k])))
		case 200:
			parts = append(parts, fmt.Sprintf("%s × 200", numfmt.Group(counts[k])))
		case 503:
			parts = append(parts, fmt.Sprintf("%s × 503 (%.1f%%)", numfmt.Group(counts[k]), 100*float64(counts[k])/float64(r.done)))
		default:
			parts = append(parts, fmt.Sprintf("**%s × %d**", numfmt.Group(counts[k]), k))
		}
	}
	s := strings.Join(parts, ", ")
	if r.nFailures == 0 {
		s += "; all as expected"
	} else {
		s += fmt.Sprintf("; **%s failures**", numfmt.Group(r.nFailures))
	}
	return s
}

func lats(ss []sample, keep func(int, sample) bool) []time.Duration {
	var d []time.Duration
	for i, s := range ss {
		if s.done && keep(i, s) {
			d = append(d, s.lat)
		}
	}
	slices.Sort(d)
	return d
}

// pct formats p50, p90, p99 and max of sorted latencies as table cells.
func pct(d []time.Duration) string {
	if len(d) == 0 {
		return "– | – | – | –"
	}
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	return fmt.Sprintf("%s | %s | %s | %s", fmtDur(q(0.50)), fmtDur(q(0.90)), fmtDur(q(0.99)), fmtDur(d[len(d)-1]))
}

func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

func mib(kib int64) string {
	if kib < 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// moduleRoot is the nearest folder at or above the working directory whose
// go.mod declares the badgebake module.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/badgebake/badgebake\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of github.com/badgebake/badgebake at or above the working directory; run from the module")
		}
		dir = parent
	}
}

func runCleanups() {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
}

func must(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "serve: "+format+"\n", args...)
	runCleanups()
	os.Exit(1)
}
