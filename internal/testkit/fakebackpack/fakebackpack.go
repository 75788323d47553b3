// Package fakebackpack is an in-process backpack for tests: an httptest
// server offering the Open Badges 2.1 Badge Connect manifest, the Open
// Badges 3.0 service description, RFC 7591 registration, an
// authorization endpoint without a user interface, a token endpoint that
// checks HTTP Basic client authentication and PKCE S256, refresh (with
// optional rotation) and RFC 7009 revocation. Tests add API routes with
// Handle and check bearer tokens with Authenticated, or ask for the
// built-in API (Options.API): pushes, paged listings and the profile of
// both APIs, with controls to throttle (Throttle) and refuse
// (RefusePushes) and a record of what was sent (Requests, Held).
// ScriptCommands offers it all to testscript transcripts, and Browser
// plays the person's browser for them.
package fakebackpack

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options shape the fake. The zero value serves both APIs over plain HTTP
// on 127.0.0.1 (loopback, which badgebake accepts without TLS).
type Options struct {
	TLS          bool // serve HTTPS with httptest's certificate (use Client)
	No21         bool // no /.well-known/badgeconnect.json (404)
	No30         bool // no /ims/ob/v3p0/discovery (404)
	NoRevocation bool // advertise no revocation endpoint
	// DoubleSlash writes the manifest's URLs with doubled slashes, as
	// Badgr does.
	DoubleSlash bool
	// ExpiresIn is the access tokens' lifetime (default one hour).
	ExpiresIn time.Duration
	// RotateRefresh issues a new refresh token on every refresh and
	// invalidates the old one.
	RotateRefresh bool
	// API serves a built-in backpack API for the APIs offered (see
	// serveAPI's routes in api.go): pushes are held and listed, the
	// profile read and changed, every request checked for a bearer token
	// and recorded (Requests). Without it the fake has no API routes and
	// tests add their own with Handle.
	API bool
	// PageSize is the built-in API's listing page size (0: all on one
	// page).
	PageSize int
	// TLSConfig, when set, serves HTTPS with it (a certificate from a
	// test authority, say) instead of httptest's.
	TLSConfig *tls.Config
	// PublicURL, when set, is the URL the fake gives as its own in its
	// documents, links and URL(), e.g. https://backpack.example reached
	// through a test proxy, instead of its 127.0.0.1 address.
	PublicURL string
}

// Scopes the fake offers.
var (
	Scopes21 = []string{
		"https://purl.imsglobal.org/spec/ob/v2p1/scope/assertion.readonly",
		"https://purl.imsglobal.org/spec/ob/v2p1/scope/assertion.create",
		"https://purl.imsglobal.org/spec/ob/v2p1/scope/profile.readonly",
		"https://purl.imsglobal.org/spec/ob/v2p1/scope/profile.update",
	}
	Scopes30 = []string{
		"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
		"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
		"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
		"https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
	}
)

// Provider is the running fake.
type Provider struct {
	opts Options
	srv  *httptest.Server
	mux  *http.ServeMux

	mu            sync.Mutex
	clients       map[string]client // by client_id
	registered    []map[string]any
	refuseReg     string // error_description of a refused registration
	codes         map[string]grant
	access        map[string]time.Time // access token → expiry
	refresh       map[string]string    // refresh token → client_id
	revoked       []string
	denyNext      string // error code for the next authorization
	refuseRefresh bool
	unauthOnce    bool
	oauthThrottle int    // the next requests to the OAuth endpoints answer 429
	oauthRetry    string // with this Retry-After
	tokenRequests []url.Values

	// The built-in API's state (Options.API).
	held                 []HeldBadge
	requests             []Request
	profile21, profile30 map[string]any
	throttle             int // API requests still to answer throttleStatus
	throttleStatus       int
	retryAfter           string
	refuse               refusal
}

type client struct {
	secret       string
	redirectURIs []string
}

type grant struct {
	clientID, redirectURI, challenge, scope string
}

// New starts a fake, closed when the test ends.
func New(t testing.TB, opts Options) *Provider {
	t.Helper()
	p := &Provider{
		opts:    opts,
		mux:     http.NewServeMux(),
		clients: map[string]client{},
		codes:   map[string]grant{},
		access:  map[string]time.Time{},
		refresh: map[string]string{},
	}
	if p.opts.ExpiresIn == 0 {
		p.opts.ExpiresIn = time.Hour
	}
	if !opts.No21 {
		p.mux.HandleFunc("GET /.well-known/badgeconnect.json", p.manifest)
	}
	if !opts.No30 {
		p.mux.HandleFunc("GET /ims/ob/v3p0/discovery", p.discovery)
	}
	p.mux.HandleFunc("POST /oauth/register", p.oauthThrottled(p.register))
	p.mux.HandleFunc("GET /oauth/authorize", p.authorizeHTTP)
	p.mux.HandleFunc("POST /oauth/token", p.oauthThrottled(p.token))
	p.mux.HandleFunc("POST /oauth/revoke", p.oauthThrottled(p.revoke))
	if opts.API {
		p.serveAPI()
	}
	// Started once p.srv is set: the handlers read its URL.
	p.srv = httptest.NewUnstartedServer(p.mux)
	switch {
	case opts.TLSConfig != nil:
		p.srv.TLS = opts.TLSConfig
		p.srv.StartTLS()
	case opts.TLS:
		p.srv.StartTLS()
	default:
		p.srv.Start()
	}
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the provider URL (what a user gives to connect).
func (p *Provider) URL() string {
	if p.opts.PublicURL != "" {
		return p.opts.PublicURL
	}
	return p.srv.URL
}

// Addr is the address the fake listens on ("127.0.0.1:PORT"), for a
// proxy that sends PublicURL's host to it.
func (p *Provider) Addr() string { return p.srv.Listener.Addr().String() }

// Client is an HTTP client that trusts the fake's certificate.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// Handle adds a route (http.ServeMux pattern) to the fake, e.g. the API's
// "POST /ims/ob/v2p1/assertions".
func (p *Provider) Handle(pattern string, h http.Handler) { p.mux.Handle(pattern, h) }

// Authenticated reports whether r carries a valid, unexpired, unrevoked
// bearer token. After UnauthorizedOnce it answers false once.
func (p *Provider) Authenticated(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unauthOnce {
		p.unauthOnce = false
		return false
	}
	exp, known := p.access[tok]
	return ok && known && time.Now().Before(exp)
}

// AddClient registers a client by hand (as with --client-id).
func (p *Provider) AddClient(id, secret string, redirectURIs ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = client{secret: secret, redirectURIs: redirectURIs}
}

// RefuseRegistration makes registrations fail with 400 and description.
func (p *Provider) RefuseRegistration(description string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuseReg = description
}

// Registered returns the bodies of the registration requests received.
func (p *Provider) Registered() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.registered...)
}

// Revoked returns the tokens revoked so far.
func (p *Provider) Revoked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.revoked...)
}

// TokenRequests returns the forms of the token requests received.
func (p *Provider) TokenRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.tokenRequests...)
}

// DenyNext makes the next authorization redirect with error=code.
func (p *Provider) DenyNext(code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.denyNext = code
}

// ExpireAccessTokens makes every access token issued so far invalid.
func (p *Provider) ExpireAccessTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.access {
		p.access[k] = time.Time{}
	}
}

// ThrottleOAuth makes the next n requests to the registration, token and
// revocation endpoints answer 429 Too Many Requests with Retry-After:
// retryAfter (none when it is ""), before looking at them.
func (p *Provider) ThrottleOAuth(n int, retryAfter string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.oauthThrottle, p.oauthRetry = n, retryAfter
}

// takeThrottle spends one of the *n throttled answers left, if any, and
// sets its Retry-After (none when retryAfter is ""). p.mu is held.
func takeThrottle(w http.ResponseWriter, n *int, retryAfter string) bool {
	if *n <= 0 {
		return false
	}
	*n--
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	return true
}

func (p *Provider) oauthThrottled(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		throttled := takeThrottle(w, &p.oauthThrottle, p.oauthRetry)
		p.mu.Unlock()
		if throttled {
			oauthError(w, http.StatusTooManyRequests, "slow_down", "too many requests")
			return
		}
		h(w, r)
	}
}

// UnauthorizedOnce makes the next Authenticated answer false.
func (p *Provider) UnauthorizedOnce() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unauthOnce = true
}

// RefuseRefresh makes refresh grants fail with invalid_grant.
func (p *Provider) RefuseRefresh(refuse bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuseRefresh = refuse
}

func (p *Provider) endpoint(path string) string {
	if p.opts.DoubleSlash {
		return p.URL() + "/" + path
	}
	return p.URL() + path
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) manifest(w http.ResponseWriter, r *http.Request) {
	entry := map[string]any{
		"name":              "Fake Backpack",
		"image":             p.endpoint("/logo.png"),
		"apiBase":           p.endpoint("/ims/ob/v2p1"),
		"version":           "v2p1",
		"termsOfServiceUrl": p.endpoint("/tos"),
		"privacyPolicyUrl":  p.endpoint("/privacy"),
		"scopesOffered":     Scopes21,
		"registrationUrl":   p.endpoint("/oauth/register"),
		"authorizationUrl":  p.endpoint("/oauth/authorize"),
		"tokenUrl":          p.endpoint("/oauth/token"),
	}
	if !p.opts.NoRevocation {
		entry["tokenRevocationUrl"] = p.endpoint("/oauth/revoke")
	}
	writeJSON(w, 200, map[string]any{
		"@context":        "https://purl.imsglobal.org/spec/ob/v2p1/ob_v2p1.jsonld",
		"id":              p.URL() + "/.well-known/badgeconnect.json",
		"badgeConnectAPI": []any{entry},
	})
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	scopes := map[string]string{}
	for _, s := range Scopes30 {
		scopes[s] = "scope"
	}
	writeJSON(w, 200, map[string]any{
		"openapi": "3.0.1",
		"info":    map[string]any{"title": "Fake Backpack OB 3.0", "version": "1.0", "termsOfService": p.URL() + "/tos"},
		"servers": []any{map[string]any{"url": p.URL() + "/ims/ob/v3p0"}},
		"components": map[string]any{"securitySchemes": map[string]any{"OAuth2ACG": map[string]any{
			"type":                     "oauth2",
			"x-imssf-name":             "Fake Backpack",
			"x-imssf-image":            p.URL() + "/logo.png",
			"x-imssf-privacyPolicyUrl": p.URL() + "/privacy",
			"x-imssf-registrationUrl":  p.URL() + "/oauth/register",
			"flows": map[string]any{"authorizationCode": map[string]any{
				"authorizationUrl": p.URL() + "/oauth/authorize",
				"tokenUrl":         p.URL() + "/oauth/token",
				"refreshUrl":       p.URL() + "/oauth/token",
				"scopes":           scopes,
			}},
		}}},
	})
}

func random() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (p *Provider) register(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, 400, map[string]any{"error": "invalid_client_metadata", "error_description": "not JSON"})
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.registered = append(p.registered, body)
	if p.refuseReg != "" {
		writeJSON(w, 400, map[string]any{"error": "invalid_redirect_uri", "error_description": p.refuseReg})
		return
	}
	var redirects []string
	if rs, ok := body["redirect_uris"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				redirects = append(redirects, s)
			}
		}
	}
	id, secret := "client-"+random(), "secret-"+random()
	p.clients[id] = client{secret: secret, redirectURIs: redirects}
	answer := map[string]any{}
	for k, v := range body {
		answer[k] = v
	}
	answer["client_id"], answer["client_secret"] = id, secret
	answer["client_id_issued_at"], answer["client_secret_expires_at"] = time.Now().Unix(), 0
	writeJSON(w, 201, answer)
}

// Authorize plays the user consenting at authURL (the URL a client made)
// and returns the redirect the browser would follow: with code and state,
// or with error=… (after DenyNext, or for a bad request).
func (p *Provider) Authorize(authURL string) (redirect string) {
	u, err := url.Parse(authURL)
	if err != nil {
		return ""
	}
	return p.authorize(u.Query())
}

func (p *Provider) authorizeHTTP(w http.ResponseWriter, r *http.Request) {
	to := p.authorize(r.URL.Query())
	if to == "" {
		http.Error(w, "bad authorization request", 400)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (p *Provider) authorize(q url.Values) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[q.Get("client_id")]
	redirect := q.Get("redirect_uri")
	if !ok || !redirectAllowed(c.redirectURIs, redirect) {
		return "" // never redirect to an unknown URI
	}
	back := url.Values{"state": {q.Get("state")}}
	switch {
	case p.denyNext != "":
		back.Set("error", p.denyNext)
		back.Set("error_description", "the user refused")
		p.denyNext = ""
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE S256 is required")
	default:
		code := "code-" + random()
		p.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: redirect,
			challenge: q.Get("code_challenge"), scope: q.Get("scope")}
		back.Set("code", code)
	}
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	return redirect + sep + back.Encode()
}

// redirectAllowed reports whether redirect is one of the registered URIs;
// a registered loopback URI without a port stands for that URI with any
// port, as RFC 8252 §7.3 asks of authorization servers (a client given
// by hand cannot know its listener's port in advance).
func redirectAllowed(registered []string, redirect string) bool {
	if slices.Contains(registered, redirect) {
		return true
	}
	u, err := url.Parse(redirect)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		return false
	}
	u.Host = u.Hostname()
	return slices.Contains(registered, u.String())
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description})
}

// clientAuth checks HTTP Basic client authentication (form-encoded
// credentials, RFC 6749 §2.3.1) and returns the client id.
func (p *Provider) clientAuth(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	c, known := p.clients[id]
	return id, err1 == nil && err2 == nil && known && c.secret == secret
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "unreadable form")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenRequests = append(p.tokenRequests, r.PostForm)
	id, ok := p.clientAuth(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		oauthError(w, 401, "invalid_client", "client authentication (HTTP Basic) failed")
		return
	}
	refresh := ""
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		g, found := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code")) // a code is good once
		if !found || g.clientID != id || g.redirectURI != r.PostForm.Get("redirect_uri") {
			oauthError(w, 400, "invalid_grant", "unknown code")
			return
		}
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			oauthError(w, 400, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		}
		if strings.Contains(" "+g.scope+" ", " offline_access ") {
			refresh = "refresh-" + random()
			p.refresh[refresh] = id
		}
	case "refresh_token":
		old := r.PostForm.Get("refresh_token")
		if p.refuseRefresh || p.refresh[old] != id {
			oauthError(w, 400, "invalid_grant", "refresh token refused")
			return
		}
		if p.opts.RotateRefresh {
			delete(p.refresh, old)
			refresh = "refresh-" + random()
			p.refresh[refresh] = id
		}
	default:
		oauthError(w, 400, "unsupported_grant_type", "")
		return
	}
	access := "access-" + random()
	p.access[access] = time.Now().Add(p.opts.ExpiresIn)
	answer := map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(p.opts.ExpiresIn / time.Second),
	}
	if refresh != "" {
		answer["refresh_token"] = refresh
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, answer)
}

func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "unreadable form")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.clientAuth(r); !ok {
		oauthError(w, 401, "invalid_client", "client authentication (HTTP Basic) failed")
		return
	}
	tok := r.PostForm.Get("token")
	p.revoked = append(p.revoked, tok)
	delete(p.refresh, tok)
	delete(p.access, tok)
	w.WriteHeader(200)
}
