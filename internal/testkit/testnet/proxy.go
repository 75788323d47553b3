package testnet

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// Proxy is a forward HTTP proxy on loopback. It tunnels CONNECT requests
// (for https URLs) and forwards absolute-URI requests (for http URLs), but
// only to targets in its resolve map, which it dials itself; every other
// target is refused with 403 Forbidden, so nothing ever leaves the machine.
type Proxy struct {
	// URL is the proxy's address, e.g. "http://127.0.0.1:41234", for
	// HTTPS_PROXY or HTTP_PROXY.
	URL string

	srv     *httptest.Server
	resolve map[string]string
	tr      *http.Transport

	mu      sync.Mutex
	counts  map[string]int
	refused []string
	tunnels map[net.Conn]struct{}
	closed  bool
}

// NewProxy starts a proxy that sends a target "host:port" to the loopback
// address resolve["host:port"] (or resolve["host"], for any port), for
// example {"badges.test:443": srv.Listener.Addr().String()}. It is closed
// when the test ends.
func NewProxy(t testing.TB, resolve map[string]string) *Proxy {
	t.Helper()
	p := &Proxy{
		resolve: make(map[string]string, len(resolve)),
		counts:  make(map[string]int),
		tunnels: make(map[net.Conn]struct{}),
	}
	for k, v := range resolve {
		p.resolve[k] = v
	}
	p.tr = &http.Transport{
		Proxy: nil, // never chain to the environment's proxy
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := p.lookup(addr)
			if !ok {
				return nil, fmt.Errorf("testnet proxy: %s is not in the resolve map", addr)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, to)
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(p.Close)
	return p
}

// ProxyFunc returns a function for http.Transport.Proxy (or fetch.Options.Proxy)
// that sends every request through p.
func (p *Proxy) ProxyFunc() func(*http.Request) (*url.URL, error) {
	u, _ := url.Parse(p.URL)
	return http.ProxyURL(u)
}

// Requests returns how many requests the proxy received for target
// ("host:port", as in the resolve map), refused ones included: one per
// CONNECT tunnel (which may carry several https requests) and one per
// forwarded http request.
func (p *Proxy) Requests(target string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[target]
}

// Refused returns the targets the proxy refused, in order.
func (p *Proxy) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refused)
}

// Close stops the proxy and closes its tunnels.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.srv.Close()
	p.tr.CloseIdleConnections()
}

// lookup maps "host:port" to the loopback address it is resolved to.
func (p *Proxy) lookup(target string) (string, bool) {
	if to, ok := p.resolve[target]; ok {
		return to, true
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return "", false
	}
	to, ok := p.resolve[host]
	return to, ok
}

// admit counts a request for target and reports where it goes.
func (p *Proxy) admit(target string) (string, bool) {
	to, ok := p.lookup(target)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[target]++
	if !ok {
		p.refused = append(p.refused, target)
	}
	return to, ok
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.connect(w, r)
		return
	}
	if !r.URL.IsAbs() || r.URL.Scheme != "http" {
		http.Error(w, "testnet proxy: expected CONNECT or an absolute http:// request URI", http.StatusBadRequest)
		return
	}
	p.forward(w, r)
}

func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	to, ok := p.admit(target)
	if !ok {
		http.Error(w, "testnet proxy: refusing "+target+": not in the resolve map", http.StatusForbidden)
		return
	}
	up, err := net.DialTimeout("tcp", to, 5*time.Second)
	if err != nil {
		http.Error(w, "testnet proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "testnet proxy: cannot hijack", http.StatusInternalServerError)
		return
	}
	down, rw, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	if !p.track(up, down) {
		return
	}
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		p.untrack(up, down)
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // client → server, starting with anything already buffered
		defer wg.Done()
		io.Copy(up, rw.Reader)
		closeWrite(up)
	}()
	go func() { // server → client
		defer wg.Done()
		io.Copy(down, up)
		closeWrite(down)
	}()
	go func() {
		wg.Wait()
		p.untrack(up, down)
	}()
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}

// track registers a tunnel's connections so Close can end them; it closes
// them and reports false when the proxy is already closed.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.tunnels, c)
	}
}

// Hop-by-hop headers, not forwarded (RFC 9110 §7.6.1).
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Host
	if r.URL.Port() == "" {
		target = net.JoinHostPort(r.URL.Hostname(), "80")
	}
	if _, ok := p.admit(target); !ok {
		http.Error(w, "testnet proxy: refusing "+target+": not in the resolve map", http.StatusForbidden)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, "testnet proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, h := range hopHeaders {
		resp.Header.Del(h)
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.Header().Add("Via", "1.1 testnet")
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}
