package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// newTransport builds the default transport: a clone of
// http.DefaultTransport with opts applied.
func newTransport(opts *Options) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()

	proxy := opts.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	guard := opts.Guard
	proxies := new(proxyAddrs)
	t.Proxy = func(r *http.Request) (*url.URL, error) {
		u, err := proxy(r)
		if err != nil {
			return nil, &proxyConfigError{err}
		}
		if u != nil && guard != nil {
			// Refused here, nothing is sent; the proxy's own address is
			// then let through the guard (see guardedDial).
			if err := guard.checkProxied(r.URL, u); err != nil {
				return nil, err
			}
			proxies.add(u)
		}
		return u, nil
	}
	t.OnProxyConnectResponse = func(_ context.Context, proxyURL *url.URL, connectReq *http.Request, res *http.Response) error {
		if res.StatusCode == http.StatusOK {
			return nil
		}
		return &proxyRefusedError{proxy: proxyURL.Redacted(), target: connectReq.Host, status: res.Status}
	}

	dial := opts.DialContext
	switch {
	case guard != nil:
		// With opts.DialContext nil the guard dials with its own checking
		// net.Dialer.
		dial = guard.guardedDial(opts.DialContext, proxies)
	case dial == nil:
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	connectTimeout := opts.ConnectTimeout
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		conn, err := dial(dctx, network, addr)
		if err != nil && ctx.Err() == nil && errors.Is(dctx.Err(), context.DeadlineExceeded) {
			return nil, &connectTimeoutError{addr: addr, after: connectTimeout, err: err}
		}
		return conn, err
	}
	t.TLSHandshakeTimeout = connectTimeout
	if opts.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: opts.RootCAs}
	}
	// Many badges live on few hosts; keep more connections to each.
	t.MaxIdleConnsPerHost = 16
	return t
}

// Errors produced inside the transport or redirect policy, turned into
// *Error by classify.

type proxyConfigError struct{ err error }

func (e *proxyConfigError) Error() string { return "proxy setting: " + e.err.Error() }
func (e *proxyConfigError) Unwrap() error { return e.err }

type proxyRefusedError struct{ proxy, target, status string }

func (e *proxyRefusedError) Error() string {
	return "proxy " + e.proxy + " refused CONNECT to " + e.target + ": " + e.status
}

type connectTimeoutError struct {
	addr  string
	after time.Duration
	err   error
}

func (e *connectTimeoutError) Error() string {
	return "connecting to " + e.addr + " timed out after " + formatDuration(e.after)
}
func (e *connectTimeoutError) Unwrap() error   { return e.err }
func (e *connectTimeoutError) Timeout() bool   { return true }
func (e *connectTimeoutError) Temporary() bool { return true }

type tooManyRedirectsError struct {
	max  int
	last string
}

func (e *tooManyRedirectsError) Error() string { return "too many redirects" }

type badRedirectError struct{ to string }

func (e *badRedirectError) Error() string { return "redirect to a non-http(s) URL" }
