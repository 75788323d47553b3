package fetch

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// The checking dialer's Control function judges the address the socket is
// about to connect to, whatever the caller passed through.
func TestGuardControlRecheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	defer ln.Close()

	g := &Guard{Hint: "h"}
	_, err = g.checkingDialer().DialContext(t.Context(), "tcp", ln.Addr().String())
	var be *BlockedError
	var op *net.OpError
	if !errors.As(err, &be) || be.Category != "loopback" || !errors.As(err, &op) {
		t.Fatalf("checking dialer to loopback: %v", err)
	}
	if kind, msg := (&Client{}).describe(t.Context(), t.Context(), err); kind != KindBlocked || msg != be.Error() {
		t.Errorf("describe: %v %q", kind, msg)
	}

	// Allowed: the same dialer connects.
	g = &Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	conn, err := g.checkingDialer().DialContext(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	conn.Close()
	waitFor(t, "the accepted connection", func() bool { return accepted.Load() == 1 })

	for addr, refused := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:443": true, "[fe80::1%lo]:80": true, "10.0.0.1:80": true,
		"8.8.8.8:443": false, "[2606:4700::1111]:443": false,
	} {
		err := (&Guard{}).control("tcp", addr, nil)
		if got := errors.As(err, &be); got != refused {
			t.Errorf("control(%s) = %v, want refused %v", addr, err, refused)
		}
	}
	if err := (&Guard{}).control("tcp", "not-an-address", nil); err == nil {
		t.Error("control accepted an address it cannot parse")
	}
}

func TestHostAddr(t *testing.T) {
	for host, want := range map[string]string{
		"127.0.0.1":           "127.0.0.1",
		"::1":                 "::1",
		"fe80::1%eth0":        "fe80::1%eth0",
		"localhost":           "127.0.0.1",
		"LocalHost.":          "127.0.0.1",
		"api.localhost":       "127.0.0.1",
		"2130706433":          "127.0.0.1",
		"0x7f000001":          "127.0.0.1",
		"0x7f.1":              "127.0.0.1",
		"0177.0.0.1":          "127.0.0.1",
		"127.1":               "127.0.0.1",
		"10.1":                "10.0.0.1",
		"169.254.43518":       "169.254.169.254",
		"0xa9.0xfe.0xa9.0xfe": "169.254.169.254",
		"127.0.0.1.":          "127.0.0.1",
		"0":                   "0.0.0.0",
	} {
		a, ok := hostAddr(host)
		if !ok || a.String() != want {
			t.Errorf("hostAddr(%q) = %v, %v; want %s", host, a, ok, want)
		}
	}
	for _, host := range []string{
		"badges.example", "example.org.", "1.2.3.4.5", "256.1.1.1", "1.256.1.1", "1.2.65536", "0x", "08", "1..2",
		"4294967296", "0x1g", "localhost.example", "", "1e3",
	} {
		if a, ok := hostAddr(host); ok {
			t.Errorf("hostAddr(%q) = %v, want not an address", host, a)
		}
	}
}

func TestProxyDialAddr(t *testing.T) {
	for raw, want := range map[string]string{
		"http://proxy.corp":         "proxy.corp:80",
		"https://proxy.corp":        "proxy.corp:443",
		"socks5://proxy.corp":       "proxy.corp:1080",
		"socks5h://10.0.0.1":        "10.0.0.1:1080",
		"http://user:pw@[::1]:3128": "[::1]:3128",
		"http://proxy.corp:8080/x":  "proxy.corp:8080",
		"https://192.168.1.1:8443":  "192.168.1.1:8443",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := proxyDialAddr(u); got != want {
			t.Errorf("proxyDialAddr(%s) = %s, want %s", raw, got, want)
		}
	}
}

func TestPartialDeadline(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		left      time.Duration
		remaining int
		want      time.Duration
	}{
		{10 * time.Second, 2, 5 * time.Second},
		{10 * time.Second, 10, 2 * time.Second}, // at least 2s each
		{time.Second, 3, time.Second},           // but no more than is left
	} {
		if got := partialDeadline(now, now.Add(tc.left), tc.remaining).Sub(now); got != tc.want {
			t.Errorf("partialDeadline(%v left, %d addresses) = %v, want %v", tc.left, tc.remaining, got, tc.want)
		}
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.t.Store(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }

// closedPortURL returns an http URL on a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestFailureTTL(t *testing.T) {
	u := closedPortURL(t) + "/issuer"
	clock := newFakeClock()
	c := New(Options{Proxy: noProxy, FailureTTL: time.Minute})
	c.failed = newFailures(time.Minute, MaxRememberedFailures, clock.now)
	get := func() {
		t.Helper()
		_, err := c.Get(t.Context(), u, "")
		if !errors.Is(err, ErrConnect) {
			t.Fatalf("Get: %v, want a connection error", err)
		}
	}

	get()
	clock.advance(time.Minute - time.Nanosecond)
	get() // remembered
	if s := c.Stats(); s != (Stats{Requests: 1, CacheHits: 1}) {
		t.Errorf("within the TTL: Stats %+v, want one request and one hit", s)
	}
	clock.advance(time.Nanosecond)
	get() // forgotten: fetched again, and remembered anew
	get()
	if s := c.Stats(); s != (Stats{Requests: 2, CacheHits: 2}) {
		t.Errorf("after the TTL: Stats %+v, want two requests and two hits", s)
	}

	// FailureTTL 0 remembers for the Client's lifetime.
	c = New(Options{Proxy: noProxy})
	c.failed.now = clock.now
	get()
	clock.advance(1000 * time.Hour)
	get()
	if s := c.Stats(); s != (Stats{Requests: 1, CacheHits: 1}) {
		t.Errorf("lifetime: Stats %+v", s)
	}
}

func TestRememberedFailuresBounded(t *testing.T) {
	base := closedPortURL(t)
	clock := newFakeClock()
	c := New(Options{Proxy: noProxy, FailureTTL: time.Minute})
	c.failed = newFailures(time.Minute, 3, clock.now)
	get := func(path string) {
		t.Helper()
		if _, err := c.Get(t.Context(), base+path, ""); !errors.Is(err, ErrConnect) {
			t.Fatalf("Get %s: %v, want a connection error", path, err)
		}
	}
	remembered := func(path string) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.failed.get(cacheKey(mustParse(t, base+path), DefaultAccept)) != nil
	}

	for _, p := range []string{"/a", "/b", "/c"} {
		get(p)
		clock.advance(10 * time.Second)
	}
	// Full, and nothing has expired: /d is not remembered, /a-/c stay.
	get("/d")
	if remembered("/d") || !remembered("/a") || !remembered("/b") || !remembered("/c") {
		t.Errorf("full: /d remembered %v, /a %v /b %v /c %v", remembered("/d"), remembered("/a"), remembered("/b"), remembered("/c"))
	}
	before := c.Stats().Requests
	get("/d")
	if got := c.Stats().Requests - before; got != 1 {
		t.Errorf("a failure not remembered was not fetched again (%d requests)", got)
	}

	// /a (remembered at 0s) expires at 60s; /b at 70s. At 65s /e takes the
	// place of /a.
	clock.advance(35 * time.Second)
	get("/e")
	if !remembered("/e") || remembered("/a") || !remembered("/b") {
		t.Errorf("after /a expired: /e %v /a %v /b %v", remembered("/e"), remembered("/a"), remembered("/b"))
	}
	c.mu.Lock()
	n := c.failed.len()
	c.mu.Unlock()
	if n != 3 {
		t.Errorf("%d failures remembered, want 3", n)
	}

	// Without a TTL a full memory stays full.
	c = New(Options{Proxy: noProxy})
	c.failed = newFailures(0, 2, clock.now)
	get("/x")
	get("/y")
	get("/z")
	if !remembered("/x") || !remembered("/y") || remembered("/z") {
		t.Errorf("no TTL: /x %v /y %v /z %v", remembered("/x"), remembered("/y"), remembered("/z"))
	}
}
