package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/testnet"
)

const testHint = "start the server with --allow-private to allow them"

// target is a server a guarded Client must not reach. It counts the
// connections it accepts as well as the requests it answers.
type target struct {
	*httptest.Server
	conns  atomic.Int64
	hits   atomic.Int64
	probes int64 // wantReached's own requests, one connection each
}

// newTarget starts a target on ln (nil: 127.0.0.1, port chosen by the
// system) answering with h (nil: "ok").
func newTarget(t *testing.T, ln net.Listener, h http.HandlerFunc) *target {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	}
	tg := &target{}
	tg.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.hits.Add(1)
		h(w, r)
	}))
	tg.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			tg.conns.Add(1)
		}
	}
	if ln != nil {
		tg.Listener.Close()
		tg.Listener = ln
	}
	tg.Start()
	t.Cleanup(tg.Close)
	return tg
}

// port returns the target's port.
func (tg *target) port() string {
	_, port, _ := net.SplitHostPort(tg.Listener.Addr().String())
	return port
}

// wantReached checks that the target accepted exactly conns connections
// and answered exactly hits requests in all, besides its probes. It first makes a probe request of
// its own, unguarded: the server counts a connection on its accept loop
// before serving it, so once the probe is answered every connection made
// before it has been counted and the check cannot pass merely by being
// early.
func (tg *target) wantReached(t *testing.T, conns, hits int64) {
	t.Helper()
	probe := &http.Client{
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := probe.Get(tg.URL + "/probe")
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	resp.Body.Close()
	tg.probes++
	if got := tg.conns.Load() - tg.probes; got != conns {
		t.Errorf("target accepted %d connections, want %d", got, conns)
	}
	if got := tg.hits.Load() - tg.probes; got != hits {
		t.Errorf("target answered %d requests, want %d", got, hits)
	}
}

// mapResolver resolves the names it lists and no others.
type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := m[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return addrs, nil
}

func addrs(ss ...string) []netip.Addr {
	var as []netip.Addr
	for _, s := range ss {
		as = append(as, netip.MustParseAddr(s))
	}
	return as
}

// dialRecorder is an Options.DialContext that records every address it is
// asked to dial. It connects to loopback addresses and to those in routes
// (mapped to loopback ones) and refuses everything else, so that no test
// reaches the network.
type dialRecorder struct {
	routes map[string]string
	mu     sync.Mutex
	dialed []string
}

func (d *dialRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	to, ok := d.routes[addr]
	if !ok {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().IsLoopback() {
			return nil, fmt.Errorf("test dialer: refusing %s", addr)
		}
		to = addr
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, to)
}

func (d *dialRecorder) calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dialed...)
}

// wantBlocked checks that err is an ErrBlocked *fetch.Error whose cause is
// a *fetch.BlockedError for addr of category, and whose message holds every
// fragment.
func wantBlocked(t *testing.T, err error, addr, category string, fragments ...string) *fetch.BlockedError {
	t.Helper()
	fe := wantError(t, err, fetch.ErrBlocked, append(fragments, "("+category+" address)", testHint)...)
	if fe.Kind != fetch.KindBlocked || fe.Kind.String() != "blocked" {
		t.Errorf("Kind %v", fe.Kind)
	}
	var be *fetch.BlockedError
	if !errors.As(err, &be) {
		t.Fatalf("cause of %v is not a *fetch.BlockedError", err)
	}
	if be.Addr.String() != addr || be.Category != category || be.Hint != testHint {
		t.Errorf("BlockedError %+v, want Addr %s Category %q", be, addr, category)
	}
	return be
}

// a) A URL naming the loopback address of the server itself.
func TestGuardRefusesLoopback(t *testing.T) {
	tg := newTarget(t, nil, nil)
	c := newClient(fetch.Options{Guard: &fetch.Guard{Hint: testHint}})
	_, err := c.Get(t.Context(), tg.URL+"/assertion.json", "")
	wantBlocked(t, err, "127.0.0.1", "loopback",
		"fetch "+tg.URL+"/assertion.json: refused to connect to 127.0.0.1 (loopback address): "+
			"this server does not fetch from loopback, private, link-local, multicast or other non-public addresses ("+testHint+")")
	tg.wantReached(t, 0, 0)

	// Remembered like any failure; not a request, since nothing was sent.
	_, err = c.Get(t.Context(), tg.URL+"/assertion.json", "")
	wantBlocked(t, err, "127.0.0.1", "loopback")
	if s := c.Stats(); s != (fetch.Stats{Requests: 0, CacheHits: 1, Blocked: 1}) {
		t.Errorf("Stats %+v", s)
	}
	// IPv6 loopback and the IPv4-mapped form are refused as well.
	for _, u := range []string{"http://[::1]:" + tg.port() + "/", "http://[::ffff:127.0.0.1]:" + tg.port() + "/"} {
		_, err = c.Get(t.Context(), u, "")
		wantError(t, err, fetch.ErrBlocked, "(loopback address)")
	}
	tg.wantReached(t, 0, 0)
}

// b) The cloud metadata service: refused before any dial.
func TestGuardRefusesCloudMetadata(t *testing.T) {
	rec := &dialRecorder{}
	c := newClient(fetch.Options{Guard: &fetch.Guard{Hint: testHint}, DialContext: rec.dial})
	_, err := c.Get(t.Context(), "http://169.254.169.254/latest/meta-data/", "")
	wantBlocked(t, err, "169.254.169.254", "link-local cloud metadata",
		"fetch http://169.254.169.254/latest/meta-data/: refused to connect to 169.254.169.254 (link-local cloud metadata address)")
	// The same address in disguise: IPv4-mapped, and NAT64.
	_, err = c.Get(t.Context(), "http://[::ffff:169.254.169.254]/", "")
	wantBlocked(t, err, "::ffff:169.254.169.254", "link-local cloud metadata")
	_, err = c.Get(t.Context(), "http://[64:ff9b::a9fe:a9fe]/", "")
	wantBlocked(t, err, "64:ff9b::a9fe:a9fe", "NAT64-embedded link-local cloud metadata")
	if calls := rec.calls(); len(calls) != 0 {
		t.Errorf("dialer was asked to dial %q", calls)
	}
	if s := c.Stats(); s.Requests != 0 || s.Blocked != 3 {
		t.Errorf("Stats %+v", s)
	}
}

// c) Host names that resolve to non-public addresses.
func TestGuardRefusesNamesResolvingToPrivateAddresses(t *testing.T) {
	tg := newTarget(t, nil, nil)
	rec := &dialRecorder{}
	c := newClient(fetch.Options{
		Guard: &fetch.Guard{Hint: testHint, Resolver: mapResolver{
			"badges.internal.example": addrs("127.0.0.1"),
			"db.internal.example":     addrs("10.0.0.7"),
		}},
		DialContext: rec.dial,
	})
	u := "http://badges.internal.example:" + tg.port() + "/badge.json"
	_, err := c.Get(t.Context(), u, "")
	wantBlocked(t, err, "127.0.0.1", "loopback",
		"fetch "+u+`: refused to connect to 127.0.0.1 (loopback address) for host "badges.internal.example"`)
	_, err = c.Get(t.Context(), "https://db.internal.example/issuer.json", "")
	be := wantBlocked(t, err, "10.0.0.7", "private", `refused to connect to 10.0.0.7 (private address) for host "db.internal.example"`)
	if be.Host != "db.internal.example" {
		t.Errorf("Host %q", be.Host)
	}
	if calls := rec.calls(); len(calls) != 0 {
		t.Errorf("dialer was asked to dial %q", calls)
	}
	tg.wantReached(t, 0, 0)

	// A name that does not resolve is a DNS error, as without the guard.
	_, err = c.Get(t.Context(), "https://nowhere.example/a.json", "")
	wantError(t, err, fetch.ErrDNS, "DNS lookup of nowhere.example failed: no such host")
}

// d) A public server redirecting to a private one: the redirect hop is
// refused at dial time.
func TestGuardRefusesRedirectToPrivateAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2 (%v): this test needs all of 127.0.0.0/8 routed to loopback, as Linux does", err)
	}
	private := newTarget(t, nil, nil)
	public := newTarget(t, ln, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/secret", http.StatusFound)
	})
	c := newClient(fetch.Options{Guard: &fetch.Guard{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, // stands in for a public address
		Hint:  testHint,
	}})
	_, err = c.Get(t.Context(), public.URL+"/assertion.json", "")
	wantBlocked(t, err, "127.0.0.1", "loopback",
		"fetch "+public.URL+"/assertion.json: after redirect to "+private.URL+"/secret: refused to connect to 127.0.0.1 (loopback address)")
	public.wantReached(t, 1, 1)
	private.wantReached(t, 0, 0)
	if s := c.Stats(); s != (fetch.Stats{Requests: 1, Blocked: 1}) {
		t.Errorf("Stats %+v, want the public request only", s)
	}
}

// e) Allow, and DNS answers mixing refused and allowed addresses.
func TestGuardAllowAndMixedAnswers(t *testing.T) {
	tg := newTarget(t, nil, nil)
	port := tg.port()

	// An allowed prefix connects.
	c := newClient(fetch.Options{Guard: &fetch.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/30")}}})
	r, err := c.Get(t.Context(), tg.URL+"/a", "")
	if err != nil || string(r.Body) != "ok" {
		t.Fatalf("allowed prefix: %v", err)
	}
	tg.wantReached(t, 1, 1)

	// One refused and one allowed answer: the allowed one is dialled, the
	// refused one never.
	rec := &dialRecorder{}
	c = newClient(fetch.Options{
		Guard: &fetch.Guard{
			Allow:    []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			Resolver: mapResolver{"mixed.example": addrs("10.0.0.7", "127.0.0.1")},
		},
		DialContext: rec.dial,
	})
	r, err = c.Get(t.Context(), "http://mixed.example:"+port+"/b", "")
	if err != nil || string(r.Body) != "ok" {
		t.Fatalf("mixed answers: %v", err)
	}
	if calls := rec.calls(); len(calls) != 1 || calls[0] != "127.0.0.1:"+port {
		t.Errorf("dialled %q, want only 127.0.0.1:%s", calls, port)
	}

	// The same with a public address (routed to the test server by the
	// dialer): Options.DialContext receives the checked IP address, not
	// the name, so it cannot resolve the name again differently.
	rec = &dialRecorder{routes: map[string]string{"93.184.215.14:80": tg.Listener.Addr().String()}}
	c = newClient(fetch.Options{
		Guard:       &fetch.Guard{Resolver: mapResolver{"issuer.example": addrs("192.168.1.20", "::1", "93.184.215.14")}},
		DialContext: rec.dial,
	})
	r, err = c.Get(t.Context(), "http://issuer.example/profile.json", "")
	if err != nil || string(r.Body) != "ok" {
		t.Fatalf("public among private answers: %v", err)
	}
	if calls := rec.calls(); len(calls) != 1 || calls[0] != "93.184.215.14:80" {
		t.Errorf("dialled %q, want only 93.184.215.14:80", calls)
	}
	tg.wantReached(t, 3, 3)
}

func TestClassify(t *testing.T) {
	cases := []struct {
		addr, category string
		refused        bool
	}{
		{"0.0.0.0", "unspecified", true},
		{"0.1.2.3", "unspecified", true},
		{"10.0.0.1", "private", true},
		{"10.255.255.255", "private", true},
		{"100.64.0.1", "RFC 6598 shared", true},
		{"100.127.255.254", "RFC 6598 shared", true},
		{"127.0.0.1", "loopback", true},
		{"127.255.0.9", "loopback", true},
		{"169.254.0.1", "link-local", true},
		{"169.254.169.254", "link-local cloud metadata", true},
		{"172.16.0.1", "private", true},
		{"172.31.255.255", "private", true},
		{"192.0.0.8", "reserved", true},
		{"192.0.2.1", "documentation", true},
		{"192.168.1.1", "private", true},
		{"198.18.0.1", "benchmarking", true},
		{"198.19.255.255", "benchmarking", true},
		{"198.51.100.7", "documentation", true},
		{"203.0.113.9", "documentation", true},
		{"224.0.0.1", "multicast", true},
		{"239.255.255.250", "multicast", true},
		{"240.0.0.1", "reserved", true},
		{"255.255.255.255", "broadcast", true},
		{"::", "unspecified", true},
		{"::1", "loopback", true},
		{"::ffff:10.0.0.1", "private", true},
		{"::ffff:127.0.0.1", "loopback", true},
		{"64:ff9b::a9fe:a9fe", "NAT64-embedded link-local cloud metadata", true},
		{"64:ff9b::7f00:1", "NAT64-embedded loopback", true},
		{"64:ff9b:1::1", "NAT64 local-use", true},
		{"2002:c0a8:101::1", "6to4-embedded private", true},
		{"2001:db8::1", "documentation", true},
		{"fc00::1", "unique-local", true},
		{"fd12:3456::1", "unique-local", true},
		{"fd00:ec2::254", "unique-local cloud metadata", true},
		{"fe80::1", "link-local", true},
		{"fe80::1%eth0", "link-local", true},
		{"fec0::1", "site-local", true},
		{"ff02::1", "multicast", true},
		{"100::1", "reserved", true},
		{"::127.0.0.1", "reserved", true}, // IPv4-compatible, deprecated
		// Public.
		{"8.8.8.8", "public", false},
		{"1.1.1.1", "public", false},
		{"100.63.255.255", "public", false},
		{"100.128.0.0", "public", false},
		{"172.15.255.255", "public", false},
		{"172.32.0.0", "public", false},
		{"169.253.255.255", "public", false},
		{"192.169.0.1", "public", false},
		{"223.255.255.255", "public", false},
		{"::ffff:8.8.8.8", "public", false},
		{"64:ff9b::808:808", "public", false},
		{"2002:808:808::1", "public", false},
		{"2606:4700::1111", "public", false},
		{"2a00:1450:4001:80b::200e", "public", false},
	}
	for _, tc := range cases {
		category, refused := fetch.Classify(netip.MustParseAddr(tc.addr))
		if category != tc.category || refused != tc.refused {
			t.Errorf("Classify(%s) = %q, %v; want %q, %v", tc.addr, category, refused, tc.category, tc.refused)
		}
	}
	if category, refused := fetch.Classify(netip.Addr{}); category != "invalid" || !refused {
		t.Errorf("Classify(invalid) = %q, %v", category, refused)
	}
}

// Guard.DialContext on its own, as a net/http.Transport's DialContext.
func TestGuardDialContext(t *testing.T) {
	tg := newTarget(t, nil, nil)
	ctx := t.Context()
	g := &fetch.Guard{Hint: testHint, Resolver: mapResolver{"localhost": addrs("127.0.0.1", "::1")}}

	_, err := g.DialContext(ctx, "tcp", tg.Listener.Addr().String())
	var be *fetch.BlockedError
	if !errors.As(err, &be) || be.Category != "loopback" || be.Host != "127.0.0.1" {
		t.Fatalf("dial to loopback: %v", err)
	}
	_, err = g.DialContext(ctx, "tcp", "localhost:"+tg.port())
	want := `refused to connect to 127.0.0.1 (loopback address) for host "localhost": ` +
		"this server does not fetch from loopback, private, link-local, multicast or other non-public addresses (" + testHint + ")"
	if err == nil || err.Error() != want {
		t.Errorf("dial to localhost:\n%v\nwant\n%s", err, want)
	}
	// A Policy replaces the server's sentence, in the dial refusal and in
	// the second check on the socket's address alike.
	g2 := &fetch.Guard{Hint: testHint, Policy: "told to refuse non-public addresses"}
	_, err = g2.DialContext(ctx, "tcp", tg.Listener.Addr().String())
	want = "refused to connect to 127.0.0.1 (loopback address): told to refuse non-public addresses (" + testHint + ")"
	if err == nil || err.Error() != want {
		t.Errorf("with a Policy:\n%v\nwant\n%s", err, want)
	}
	_, err = g.DialContext(ctx, "udp", "8.8.8.8:53")
	if err == nil || !strings.Contains(err.Error(), `dials only tcp, tcp4 and tcp6, not "udp"`) {
		t.Errorf("udp: %v", err)
	}
	tg.wantReached(t, 0, 0)

	// Used as the Transport's DialContext, with Allow.
	allow := &fetch.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	hc := &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: allow.DialContext}}
	resp, err := hc.Get(tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("body %q", body)
	}
	hc.CloseIdleConnections()
	tg.wantReached(t, 1, 1)
}

// f) Through a proxy: the proxy's own (loopback) address is let through,
// and a request for a refused IP address is refused before it is sent.
func TestGuardWithProxy(t *testing.T) {
	ca := testnet.NewCA(t)
	h := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "%s%s", r.Host, r.URL.Path) }
	httpsSrv := tlsServer(t, ca, h, "badges.test")
	httpSrv := newTarget(t, nil, h)
	private := newTarget(t, nil, nil)
	privateAddr := private.Listener.Addr().String()
	// The proxy would forward to the private server if asked: only the
	// guard stands in the way.
	proxy := testnet.NewProxy(t, map[string]string{
		"badges.test:443":                      httpsSrv.Listener.Addr().String(),
		"badges.test:80":                       httpSrv.Listener.Addr().String(),
		privateAddr:                            privateAddr,
		"localhost:" + private.port():          privateAddr,
		"2130706433:" + private.port():         privateAddr,
		"[::ffff:127.0.0.1]:" + private.port(): privateAddr,
	})
	proxyURL, _ := url.Parse(proxy.URL)
	rec := &dialRecorder{}
	c := fetch.New(fetch.Options{
		Guard: &fetch.Guard{Hint: testHint, Resolver: mapResolver{"direct.test": addrs("127.0.0.1")}},
		Proxy: func(r *http.Request) (*url.URL, error) {
			if r.URL.Hostname() == "direct.test" {
				return nil, nil
			}
			return proxyURL, nil
		},
		RootCAs:     ca.Pool(),
		DialContext: rec.dial,
	})
	ctx := t.Context()

	r, err := c.Get(ctx, "https://badges.test/assertion.json", "")
	if err != nil || string(r.Body) != "badges.test/assertion.json" {
		t.Fatalf("https through the proxy: %v", err)
	}
	r, err = c.Get(ctx, "http://badges.test/badge.json", "")
	if err != nil || string(r.Body) != "badges.test/badge.json" {
		t.Fatalf("http through the proxy: %v", err)
	}
	if proxy.Requests("badges.test:443") != 1 || proxy.Requests("badges.test:80") != 1 {
		t.Errorf("proxy saw %d CONNECT and %d http requests, want 1 and 1", proxy.Requests("badges.test:443"), proxy.Requests("badges.test:80"))
	}
	proxyHost := proxyURL.Host
	for _, call := range rec.calls() {
		if call != proxyHost {
			t.Errorf("dialled %s, want only the proxy %s", call, proxyHost)
		}
	}

	// IP addresses (in any spelling) and localhost are refused before the
	// proxy is asked.
	for _, tc := range []struct{ url, addr, host string }{
		{"http://" + privateAddr + "/secret", "127.0.0.1", "127.0.0.1"},
		{"http://localhost:" + private.port() + "/secret", "127.0.0.1", "localhost"},
		{"http://2130706433:" + private.port() + "/secret", "127.0.0.1", "2130706433"},
		{"http://[::ffff:127.0.0.1]:" + private.port() + "/secret", "::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"https://0x7f.1:" + private.port() + "/secret", "127.0.0.1", "0x7f.1"},
	} {
		_, err := c.Get(ctx, tc.url, "")
		be := wantBlocked(t, err, tc.addr, "loopback", "refused to ask proxy "+proxy.URL+" to connect to "+tc.addr+" (loopback address)")
		if be.Host != tc.host || be.Proxy != proxy.URL {
			t.Errorf("%s: BlockedError %+v", tc.url, be)
		}
	}
	if n := proxy.Requests(privateAddr) + proxy.Requests("localhost:"+private.port()) +
		proxy.Requests("2130706433:"+private.port()) + proxy.Requests("[::ffff:127.0.0.1]:"+private.port()) +
		proxy.Requests("0x7f.1:"+private.port()); n != 0 {
		t.Errorf("the proxy was asked %d times for the private server", n)
	}

	// A direct request is still guarded, even on the proxy's port: only
	// the proxy's exact address is exempt.
	_, err = c.Get(ctx, "http://direct.test:"+proxyURL.Port()+"/", "")
	wantBlocked(t, err, "127.0.0.1", "loopback", `refused to connect to 127.0.0.1 (loopback address) for host "direct.test"`)
	_, err = c.Get(ctx, "http://direct.test:"+private.port()+"/", "")
	wantBlocked(t, err, "127.0.0.1", "loopback")
	for _, call := range rec.calls() {
		if call != proxyHost {
			t.Errorf("dialled %s, want only the proxy %s", call, proxyHost)
		}
	}
	private.wantReached(t, 0, 0)
	if s := c.Stats(); s != (fetch.Stats{Requests: 2, Blocked: 7}) {
		t.Errorf("Stats %+v", s)
	}
}
