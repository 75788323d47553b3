package fetch

import (
	"io"
	"net/http"
)

// HTTPClient returns an *http.Client for the requests Get does not make:
// POSTs, calls with credentials, OAuth token requests (backpacks, for
// example). It goes through the same transport as Get (the proxy from
// HTTPS_PROXY, the trust roots with SSL_CERT_FILE, the connect timeout and
// the Guard), follows redirects by the same rules, gives up after
// Options.Timeout, sends Options.UserAgent unless the request sets its own,
// and counts its requests in Stats. A response body longer than
// Options.MaxBytes fails, when read past the cap, with an *Error of
// KindTooLarge instead of being read without end; a response that declares
// a larger Content-Length is refused at once. A request that gets no response
// fails with an *Error (wrapped in the *url.Error the http.Client adds), with
// the same words and hints as Get's.
//
// Nothing is cached and identical requests are not shared: every request is
// sent. In offline mode every request fails with KindOffline, sending
// nothing.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{
		Transport:     directTransport{c},
		CheckRedirect: c.checkRedirect,
		Timeout:       c.opts.Timeout,
	}
}

// directTransport sends requests through the Client's transport, for
// HTTPClient.
type directTransport struct{ c *Client }

func (t directTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c := t.c
	if c.opts.Offline {
		closeBody(r)
		return nil, &Error{URL: r.URL.String(), Kind: KindOffline, msg: "badgebake is offline (--offline)"}
	}
	if r.Header.Get("User-Agent") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := c.hc.Transport.RoundTrip(r)
	if err != nil {
		e := c.classify(r.Context(), r.Context(), r.URL.String(), err)
		if e.Kind == KindBlocked {
			c.blocked.Add(1)
		}
		return nil, e
	}
	if resp.ContentLength > c.opts.MaxBytes {
		resp.Body.Close()
		return nil, c.tooLarge(r.URL.String(), r.URL.String(), resp.ContentLength)
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: c.opts.MaxBytes, tooLarge: func() error {
		return c.tooLarge(r.URL.String(), r.URL.String(), -1)
	}}
	return resp, nil
}

// closeBody closes a request's body, as a RoundTripper must even when it
// sends nothing.
func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}

// cappedBody fails once more than left bytes have been read.
type cappedBody struct {
	io.ReadCloser
	left     int64
	tooLarge func() error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	// One byte more than allowed tells a body of exactly the cap from a
	// longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), b.tooLarge()
	}
	return n, err
}
