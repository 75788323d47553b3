package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/server"
	"github.com/badgebake/badgebake/verify"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	addr            string
	allowPrivate    bool
	allowNets       []string
	maxUpload       byteSize
	maxConcurrent   int
	requestTimeout  time.Duration
	bodyTimeout     time.Duration
	fetchTimeout    time.Duration
	cacheSize       byteSize
	cacheTTL        time.Duration
	cache           string
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	logFormat       string
	offline         bool
	corsOrigins     []string
	at              instant
}

const serveLong = `Serve runs badgebake as an HTTP service: a drop-in replacement for
openbadges-validator-core's server, with a page people can use.

Routes:
  GET  /          the form: a badge URL, JSON or JWS, or a baked PNG/SVG upload
                  (?url= pre-fills the data field)
  POST /results   verify. Body: JSON {"data": …, "profile": …}, a form, or
                  multipart/form-data with fields data, image and profile.
                  Clients sending "Accept: application/json" get the report
                  (exactly what verify --json prints, status 200 whatever the
                  verdict; the Badgebake-Verdict header says valid, invalid,
                  revoked or indeterminate); browsers get a badge card.
  GET  /results   redirects to /
  POST /unbake    an image (multipart field image, or the body with
                  Content-Type image/png or image/svg+xml) → what unbake --json
                  prints; 422 when it carries no badge
  GET  /healthz   {"status": "ok"}; 503 while shutting down
  GET  /metrics   Prometheus metrics

Verification fetches URLs chosen by whoever sends a badge, so by default the
server refuses to connect to loopback, private, link-local (169.254.169.254
included), multicast and other non-public addresses. The check is made on
each address actually dialled, redirects included, so DNS tricks cannot get
around it. --allow-net opens chosen ranges; --allow-private turns the check
off (an intranet deployment). Through a proxy (HTTPS_PROXY) the proxy
resolves host names and must refuse private addresses itself.

Fetched documents are shared by all requests in a memory cache bounded by
--cache-size and --cache-ttl (a revoked badge shows as revoked at most
--cache-ttl after its issuer revokes it). Nothing is written to disk.
--cache redis://HOST:PORT/DB shares them between replicas through Redis,
for --cache-ttl too; if Redis does not answer, they are fetched.

Scripts on other web sites may call the JSON routes only from the origins
given with --cors-origin.

At most --max-concurrent verifications run at once; the next request gets
503 with Retry-After. A request body is read in full before its
verification takes one of those slots; a body that sends nothing for
--body-timeout, or is not complete within a minute, gets 408. A
verification running longer than --request-timeout gets 504. One log
record per request goes to standard error (--log-format text or json).

SIGTERM or SIGINT drains the server: /healthz answers 503 at once, so that
a load balancer takes it out of rotation; after --drain-delay (none by
default) new verifications and unbakes get 503 with Retry-After while those
in progress finish (up to --shutdown-timeout); then serve exits 0. The
listener stays open until then, so clients hear 503, not a refused
connection. Behind a load balancer, set --drain-delay to the time it takes
to notice a failing health check, so that no request is refused while it
still sends them. A second signal stops serve at once.`

func newServeCmd(streams IO) *cobra.Command {
	o := &serveOptions{maxUpload: server.DefaultMaxUpload, cacheSize: byteSize(fetch.DefaultBoundedCacheBytes)}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the verifier as an HTTP service with a web page",
		Long:  serveLong,
		Example: `  badgebake serve
  badgebake serve --addr :8080 --log-format json
  curl -H 'Accept: application/json' -F image=@baked.png http://127.0.0.1:8080/results
  curl -H 'Accept: application/json' -H 'Content-Type: application/json' \
       -d '{"data": "https://example.org/assertions/1"}' http://127.0.0.1:8080/results`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), streams, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (\":8080\" for every interface)")
	f.BoolVar(&o.allowPrivate, "allow-private", false, "let verification fetch loopback, private and link-local addresses (intranet deployments)")
	f.StringSliceVar(&o.allowNets, "allow-net", nil, "let verification fetch addresses in `CIDR` (repeatable), e.g. 10.1.2.0/24")
	f.Var(&o.maxUpload, "max-upload", "largest request body, e.g. 4MiB, 512KiB")
	f.IntVar(&o.maxConcurrent, "max-concurrent", server.DefaultMaxConcurrent, "verifications running at once; more get 503")
	f.DurationVar(&o.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "time limit for one verification, fetches included")
	f.DurationVar(&o.bodyTimeout, "body-timeout", server.DefaultBodyTimeout, "cut off (408) a request body that sends nothing for this long")
	f.DurationVar(&o.fetchTimeout, "timeout", server.DefaultFetchTimeout, "time limit for each HTTP request the verifier makes")
	f.Var(&o.cacheSize, "cache-size", "memory for fetched documents shared by all requests, e.g. 64MiB")
	f.DurationVar(&o.cacheTTL, "cache-ttl", server.DefaultCacheTTL, "how long a fetched document is reused")
	addRedisFlag(cmd, &o.cache, "the other replicas of the service")
	f.DurationVar(&o.drainDelay, "drain-delay", 0, "on SIGTERM, how long to go on taking new work while /healthz answers 503 (time for a load balancer to notice)")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, after --drain-delay, how long requests in progress may take to finish")
	f.StringVar(&o.logFormat, "log-format", "text", "access log format: text or json")
	f.StringSliceVar(&o.corsOrigins, "cors-origin", nil, "let scripts on web `ORIGIN` (e.g. https://badges.example.org; repeatable; * for any) call POST /results and /unbake")
	f.BoolVar(&o.offline, "offline", false, "never use the network: only JSON, JWS and images whose documents need no fetch verify")
	addAtFlag(cmd, &o.at, "verify every request")
	return cmd
}

func (o *serveOptions) validate() ([]netip.Prefix, error) {
	if o.logFormat != "text" && o.logFormat != "json" {
		return nil, usagef("--log-format must be text or json, not %q", o.logFormat)
	}
	for name, d := range map[string]time.Duration{"--request-timeout": o.requestTimeout, "--body-timeout": o.bodyTimeout, "--timeout": o.fetchTimeout, "--cache-ttl": o.cacheTTL, "--shutdown-timeout": o.shutdownTimeout} {
		if d <= 0 {
			return nil, usagef("%s must be positive, not %v", name, d)
		}
	}
	if err := checkListenAddr(o.addr); err != nil {
		return nil, err
	}
	if o.drainDelay < 0 {
		return nil, usagef("--drain-delay must not be negative, not %v", o.drainDelay)
	}
	if o.maxConcurrent <= 0 {
		return nil, usagef("--max-concurrent must be at least 1, not %d", o.maxConcurrent)
	}
	for _, origin := range o.corsOrigins {
		if origin == "*" {
			continue
		}
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, usagef("--cors-origin %q is not a web origin; write it as scheme://host[:port], e.g. https://badges.example.org, or * for any", origin)
		}
	}
	return parseAllowNets(o.allowNets)
}

func runServe(ctx context.Context, streams IO, o *serveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	nets, err := o.validate()
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(streams.Err, nil)
	if o.logFormat == "json" {
		handler = slog.NewJSONHandler(streams.Err, nil)
	}
	logger := slog.New(handler)

	cache := fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: int64(o.cacheSize), TTL: o.cacheTTL})
	shared, err := withRedis(cache, o.cache, !o.allowPrivate, o.cacheTTL, fetch.DefaultMaxBytes, func(err error) {
		logger.Warn("the --cache Redis does not answer; documents are fetched without it", "error", err.Error())
	})
	if err != nil {
		return err
	}
	fopts := fetch.Options{
		UserAgent: "badgebake/" + version(), Timeout: o.fetchTimeout, Offline: o.offline, Cache: shared,
		// A failure is remembered briefly: enough to spare a dead host a
		// stampede, short enough that a host back up is tried again.
		FailureTTL: server.DefaultFailureTTL,
	}
	if !o.allowPrivate {
		fopts.Guard = &fetch.Guard{Allow: nets, Hint: "the operator can allow them with --allow-private or --allow-net"}
	}
	client := fetch.New(fopts)
	srv := server.New(server.Options{
		Verifier: verify.New(verify.Config{Client: client, Now: o.at.clock()}), Fetch: client, CacheStats: cache.Stats, Now: o.at.clock(),
		MaxUpload: int64(o.maxUpload), RequestTimeout: o.requestTimeout, MaxConcurrent: o.maxConcurrent, BodyTimeout: o.bodyTimeout,
		Logger: logger, Version: version(), CORSOrigins: trimSlashes(o.corsOrigins),
	})

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: %w (is another server using that port? choose another with --addr)", o.addr, err)
		}
		return fmt.Errorf("cannot listen on %s: %w", o.addr, err)
	}
	hs := &http.Server{
		Handler: srv,
		// A client must send its headers promptly; the bodies of POST
		// /results and /unbake have their own limits (--body-timeout, and
		// server.DefaultBodyDeadline in all), and ReadTimeout bounds what
		// else is read, such as a body the server discards.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       server.DefaultBodyDeadline,
		// The body may take its whole deadline before the verification its
		// own.
		WriteTimeout:   server.DefaultBodyDeadline + o.requestTimeout + 30*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(handler, slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	guard := "public addresses only"
	switch {
	case o.allowPrivate:
		guard = "any address (--allow-private)"
	case len(nets) > 0:
		guard = "public addresses and " + strings.Join(o.allowNets, ", ")
	}
	logger.Info("listening", "url", "http://"+displayAddr(ln.Addr()), "version", version(), "fetches", guard,
		"max_upload", int64(o.maxUpload), "max_concurrent", o.maxConcurrent, "body_timeout", o.bodyTimeout.String(), "cache_size", int64(o.cacheSize), "cache_ttl", o.cacheTTL.String())
	if o.at.set {
		logger.Info("verifying as of another time (--at)", "at", o.at.String())
	}
	if !o.allowPrivate && proxyConfigured() {
		logger.Warn("a proxy is set (HTTPS_PROXY/HTTP_PROXY): host names are resolved by the proxy, which must refuse private addresses itself; IP addresses in URLs are still checked here")
	}

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving on %s: %w", o.addr, err)
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once

	// The listener stays open while the work drains: a load balancer's
	// health check hears 503 and takes this instance out, and clients
	// hear 503 with Retry-After rather than a refused connection.
	srv.Drain()
	hs.SetKeepAlivesEnabled(false)
	logger.Info("shutting down: /healthz answers 503", "drain_delay", o.drainDelay.String(), "timeout", o.shutdownTimeout.String())
	if o.drainDelay > 0 {
		select {
		case <-time.After(o.drainDelay):
		case err := <-served:
			return fmt.Errorf("serving on %s: %w", o.addr, err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if err == nil {
		err = hs.Shutdown(sctx) // closes the listener, then waits for other requests
	}
	if err != nil {
		logger.Warn("requests still running at the shutdown timeout were cut off", "error", err)
		hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// displayAddr is the listening address as a URL host: the port actually
// bound (for --addr :0) and 127.0.0.1 for "every interface".
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := ta.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}

// trimSlashes drops a trailing slash from each origin: browsers send
// "https://example.org" without one.
func trimSlashes(origins []string) []string {
	out := make([]string, len(origins))
	for i, o := range origins {
		out[i] = strings.TrimSuffix(o, "/")
	}
	return out
}

func proxyConfigured() bool {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	return false
}

// byteSize is a size flag: 4194304, 4MiB, 4MB (read as MiB), 512KiB, 512K.
type byteSize int64

func (b *byteSize) String() string {
	n := int64(*b)
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return fmt.Errorf("%q is not a size; write e.g. 4MiB, 512KiB or a number of bytes", s)
	}
	*b = byteSize(n * mult)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// checkListenAddr refuses an --addr that is not HOST:PORT before anything
// is listened on.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil && port != "" {
		// A number up to 65535, or a service name ("http").
		if _, perr := net.LookupPort("tcp", port); perr == nil {
			return nil
		}
	}
	return usagef("--addr %q is not a host:port address; e.g. 127.0.0.1:8080, or :8080 for every interface", addr)
}
