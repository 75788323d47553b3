package backpack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
)

// DefaultMaxWait is the longest Retry-After a Client's Push waits for when
// its MaxWait is zero.
const DefaultMaxWait = 60 * time.Second

// Client calls the APIs of one connected backpack. It adds the access
// token to every call and refreshes it first when it has expired; when the
// provider answers 401 all the same, it refreshes once and calls once more.
// A refreshed token (and a rotated refresh token) is put in Conn and saved
// to Store at once. A refresh the provider refuses is a *TokenError whose
// Reconnect is true: only a new authorization helps.
//
// A Client is for one goroutine at a time: refreshing changes Conn.
type Client struct {
	Conn *Connection
	// Store keeps refreshed tokens; nil keeps them in Conn only (the
	// caller then saves Conn itself).
	Store TokenStore
	// HTTP sends every request, token requests included: the proxy, trust
	// roots and timeouts are its (the package caps each answer it reads
	// itself too). nil: http.DefaultClient. badgebake passes
	// fetch.Client's HTTPClient.
	HTTP *http.Client
	// MaxWait is the longest Retry-After Push waits for before trying
	// again; 0 means DefaultMaxWait, and a negative value waits for none
	// (only a "Retry-After: 0" is tried again, at once).
	MaxWait time.Duration
	// MaxPages bounds each listing; 0 means DefaultMaxPages.
	MaxPages int
}

// NewClient returns a Client for conn that keeps refreshed tokens in store
// and sends its requests with hc.
func NewClient(conn *Connection, store TokenStore, hc *http.Client) *Client {
	return &Client{Conn: conn, Store: store, HTTP: hc}
}

func (c *Client) base() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// authed is the base client with the connection's bearer token added. It
// gets the token first, so that an expired one is refreshed (or the refusal
// reported) before any call is made.
func (c *Client) authed(ctx context.Context) (*http.Client, error) {
	hc := c.base()
	tok, err := c.Conn.TokenSource(ctx, hc, c.Store).Token()
	if err != nil {
		return nil, err
	}
	// The token just had is used as it is: asking the source again would
	// refresh a short-lived token (under oauth2's ten-second margin) twice.
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp := *hc
	cp.Transport = &bearerTransport{base: base, token: tok, origins: c.apiOrigins()}
	return &cp, nil
}

// apiOrigins are the scheme and host of each API base: the only places
// the access token is sent.
func (c *Client) apiOrigins() []string {
	var out []string
	for _, a := range c.offered() {
		if u, err := url.Parse(a.base); err == nil {
			out = append(out, origin(u))
		}
	}
	return out
}

// origin is u's scheme and host, lower-cased, without the scheme's
// default port (https://b.example:443 is https://b.example).
func origin(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host
}

// bearerTransport adds the access token to requests for the backpack's
// APIs, and to no others: not to a next page or a redirect on another
// host, nor over plain http to an https API's host. (oauth2's Transport
// adds it to every request, redirects included, which would hand it to
// whatever host a provider's answer names.)
type bearerTransport struct {
	base    http.RoundTripper
	token   *oauth2.Token
	origins []string
}

func (t *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !slices.Contains(t.origins, origin(r.URL)) {
		return t.base.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	t.token.SetAuthHeader(r2)
	return t.base.RoundTrip(r2)
}

// withRefresh runs call with an authenticated client; when call reports
// that the provider answered 401, it refreshes the access token once and
// runs call again.
func (c *Client) withRefresh(ctx context.Context, call func(hc *http.Client) (unauthorized bool, err error)) error {
	hc, err := c.authed(ctx)
	if err != nil {
		return err
	}
	unauthorized, err := call(hc)
	if !unauthorized {
		return err
	}
	if _, err := c.Conn.Refresh(ctx, c.base(), c.Store); err != nil {
		return err
	}
	if hc, err = c.authed(ctx); err != nil {
		return err
	}
	_, err = call(hc)
	return err
}

// API returns the API of c's backpack that takes badges of generation g
// and its base URL, or a *NotOfferedError.
func (c *Client) API(g payload.Generation) (API, string, error) {
	api, base := API21, c.Conn.Provider.API21Base
	if g == payload.OB3 {
		api, base = API30, c.Conn.Provider.API30Base
	}
	if base == "" {
		return api, "", &NotOfferedError{Backpack: c.Conn.Name, API: api}
	}
	return api, base, nil
}

// NotOfferedError is a badge for an API the backpack does not offer: an OB
// 3.0 credential for a backpack that has only Badge Connect 2.1, say.
type NotOfferedError struct {
	Backpack string
	API      API
}

func (e *NotOfferedError) Error() string {
	return fmt.Sprintf("backpack %q does not offer the %s API this badge needs", e.Backpack, e.API)
}

// ErrorKind is errkind.BadInput: this backpack cannot take this badge.
func (e *NotOfferedError) ErrorKind() errkind.Kind { return errkind.BadInput }

// Push adds a badge to the backpack, through the API of its generation
// (see the package function Push for the outcomes and throttling). A hosted
// assertion URL (or any badge URL) is fetched first with HTTP and the
// document pushed; a URL that cannot be fetched is Failed, one that does
// not hold a badge is an error of kind errkind.BadInput.
//
// When the provider refuses the access token even after one refresh, the
// outcome is Refused (UNAUTHENTICATED). When no token could be had, the
// error is a *TokenError and the outcome says so too: Refused when the
// provider refused the refresh (connect again), Failed when its token
// endpoint could not be reached.
func (c *Client) Push(ctx context.Context, p *payload.Payload) (*PushOutcome, error) {
	var hosted map[string]any
	if p.Kind == payload.KindURL {
		doc, failure, err := c.fetchBadge(ctx, string(p.Raw))
		if failure != nil || err != nil {
			return failure, err
		}
		if doc.Generation == payload.OB2 && doc.Kind == payload.KindJSON {
			hosted = doc.Object
		} else {
			p = doc
		}
	}
	api, base, err := c.API(p.Generation)
	if err != nil {
		return nil, err
	}
	maxWait := c.maxWait()
	var out *PushOutcome
	// The push's own throttling is Push's; withThrottle waits for a
	// throttled token refresh.
	err = c.withThrottle(ctx, func() error {
		return c.withRefresh(ctx, func(hc *http.Client) (bool, error) {
			var err error
			out, err = Push(ctx, hc, api, base, p, hosted, maxWait)
			return err == nil && out.Result == Refused && out.HTTPStatus == http.StatusUnauthorized, err
		})
	})
	var te *TokenError
	if errors.As(err, &te) {
		// The token could not be had: a refused refresh needs a new
		// connection; an unreachable token endpoint, another try later.
		if out == nil {
			out = &PushOutcome{API: api}
		}
		out.Result, out.Message = Failed, err.Error()
		if te.Reconnect() {
			out.Result, out.StatusText = Refused, "UNAUTHENTICATED"
		}
	}
	return out, err
}

// maxWait is the longest Retry-After to wait for (see MaxWait).
func (c *Client) maxWait() time.Duration {
	switch {
	case c.MaxWait == 0:
		return DefaultMaxWait
	case c.MaxWait < 0:
		return 0
	}
	return c.MaxWait
}

// withThrottle is RetryThrottled with c's MaxWait.
func (c *Client) withThrottle(ctx context.Context, call func() error) error {
	return RetryThrottled(ctx, c.maxWait(), call)
}

// RetryThrottled runs call; when its error says the provider answered 429
// or 503 with a Retry-After of at most maxWait (a *ListError,
// *ProfileError, *RegistrationError or *TokenError whose Throttle asked
// for it), it waits that long and runs call again, up to MaxTries runs in
// all, as Push does for each push. Client uses it for every call; a
// caller of Register, Exchange or Revoke can use it around them (a
// throttled request was not processed, so it may be sent again).
func RetryThrottled(ctx context.Context, maxWait time.Duration, call func() error) error {
	for try := 1; ; try++ {
		err := call()
		th, ok := throttleIn(err)
		if !ok || !th.Asked || th.Wait > maxWait || try >= MaxTries {
			return err
		}
		timer := time.NewTimer(th.Wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// throttleIn is the Throttle of an error from a backpack call.
func throttleIn(err error) (Throttle, bool) {
	var (
		le *ListError
		pe *ProfileError
		re *RegistrationError
		te *TokenError
	)
	switch {
	case errors.As(err, &le):
		return le.Throttle, true
	case errors.As(err, &pe):
		return pe.Throttle, true
	case errors.As(err, &re):
		return re.Throttle, true
	case errors.As(err, &te):
		return te.Throttle, true
	}
	return Throttle{}, false
}

// maxHostedBadge bounds a badge document fetched from its URL.
const maxHostedBadge = 4 << 20

// fetchBadge fetches the badge a URL names. A network failure or an
// answer other than 200 is an outcome (Failed); a body that is no badge,
// an error.
func (c *Client) fetchBadge(ctx context.Context, u string) (*payload.Payload, *PushOutcome, error) {
	failed := func(msg string, status int) *PushOutcome {
		return &PushOutcome{Result: Failed, HTTPStatus: status, Message: msg}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, errkind.Mark(errkind.BadInput, fmt.Errorf("badge URL %q: %w", u, err))
	}
	req.Header.Set("Accept", "application/ld+json, application/json")
	resp, err := c.base().Do(req)
	if err != nil {
		return nil, failed("the badge could not be fetched: "+describeTransportError(err), 0), nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHostedBadge+1))
	switch {
	case err != nil:
		return nil, failed("the badge could not be fetched: "+describeTransportError(err), resp.StatusCode), nil
	case resp.StatusCode != http.StatusOK:
		return nil, failed(fmt.Sprintf("the badge could not be fetched: %s answered HTTP %d", u, resp.StatusCode), resp.StatusCode), nil
	case len(body) > maxHostedBadge:
		return nil, nil, errkind.Mark(errkind.BadInput, fmt.Errorf("%s: the document is larger than %d MiB, too large for a badge", u, maxHostedBadge>>20))
	}
	doc, err := payload.Parse(body)
	if err != nil {
		return nil, nil, errkind.Mark(errkind.BadInput, fmt.Errorf("%s: %w", u, err))
	}
	if doc.Kind == payload.KindURL {
		return nil, nil, errkind.Mark(errkind.BadInput, fmt.Errorf("%s holds another URL, not a badge", u))
	}
	return doc, nil, nil
}

// offeredAPI is one API the backpack offers, at its base URL.
type offeredAPI struct {
	api  API
	base string
}

// offered lists the APIs the backpack offers, 2.1 first.
func (c *Client) offered() []offeredAPI {
	var out []offeredAPI
	if b := c.Conn.Provider.API21Base; b != "" {
		out = append(out, offeredAPI{API21, b})
	}
	if b := c.Conn.Provider.API30Base; b != "" {
		out = append(out, offeredAPI{API30, b})
	}
	return out
}

// List returns every badge the backpack holds, through each API it offers
// (2.1, then 3.0), issued since since when it is not zero. A listing the
// backpack throttles with a Retry-After of at most MaxWait is waited for
// and read again from its first page, up to MaxTries times. On an error
// the badges listed so far are returned with it.
func (c *Client) List(ctx context.Context, since time.Time) ([]ListedBadge, error) {
	var all []ListedBadge
	for _, a := range c.offered() {
		var badges []ListedBadge
		err := c.withThrottle(ctx, func() error {
			return c.withRefresh(ctx, func(hc *http.Client) (bool, error) {
				var err error
				badges, err = List(ctx, hc, a.api, a.base, since, c.MaxPages)
				var le *ListError
				return errors.As(err, &le) && le.HTTPStatus == http.StatusUnauthorized, err
			})
		})
		all = append(all, badges...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// APIProfile is the backpack owner's profile as one API gives it.
type APIProfile struct {
	API     API
	Profile map[string]any
}

// Profile returns the backpack owner's profile from each API offered
// (throttled calls are waited for as List's are).
func (c *Client) Profile(ctx context.Context) ([]APIProfile, error) {
	return c.profiles(ctx, func(hc *http.Client, api API, base string) (map[string]any, error) {
		return Profile(ctx, hc, api, base)
	})
}

// AddEmail adds an email address to the owner's profile through each API
// offered, and returns the profiles the backpack answers with.
func (c *Client) AddEmail(ctx context.Context, email string) ([]APIProfile, error) {
	return c.profiles(ctx, func(hc *http.Client, api API, base string) (map[string]any, error) {
		return AddEmail(ctx, hc, api, base, email)
	})
}

func (c *Client) profiles(ctx context.Context, call func(hc *http.Client, api API, base string) (map[string]any, error)) ([]APIProfile, error) {
	var out []APIProfile
	for _, a := range c.offered() {
		var prof map[string]any
		err := c.withThrottle(ctx, func() error {
			return c.withRefresh(ctx, func(hc *http.Client) (bool, error) {
				var err error
				prof, err = call(hc, a.api, a.base)
				var pe *ProfileError
				return errors.As(err, &pe) && pe.HTTPStatus == http.StatusUnauthorized, err
			})
		})
		if err != nil {
			return out, err
		}
		out = append(out, APIProfile{API: a.api, Profile: prof})
	}
	return out, nil
}

// Revoke asks the provider to revoke the connection's tokens (see the
// package function Revoke), waiting for a throttled answer as List does.
// The caller then deletes the connection from its store.
func (c *Client) Revoke(ctx context.Context) error {
	return c.withThrottle(ctx, func() error { return Revoke(ctx, c.base(), c.Conn) })
}
