package backpack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/badgebake/badgebake/errkind"
)

// SoftwareID is the software_id badgebake registers with: the same for
// every installation, as RFC 7591 asks.
const SoftwareID = "badgebake"

// OfflineAccess is the scope that asks for a refresh token.
const OfflineAccess = "offline_access"

// ClientMetadata is what badgebake tells a provider about itself when it
// registers (RFC 7591). The URIs should be HTTPS on one host name.
type ClientMetadata struct {
	ClientName      string
	ClientURI       string
	LogoURI         string
	TOSURI          string
	PolicyURI       string
	SoftwareVersion string
	RedirectURIs    []string
}

// Registration is the client identity a provider gave badgebake, or one
// given by hand (--client-id, --client-secret).
type Registration struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// String shows the client id and hides the secret.
func (r Registration) String() string {
	return "client " + r.ClientID + " (secret redacted)"
}

// GoString hides the secret from %#v too.
func (r Registration) GoString() string { return r.String() }

// RegistrationError is a provider that did not register badgebake.
type RegistrationError struct {
	URL         string
	HTTPCode    int      // 0 when the request failed before an answer
	Code        string   // the provider's "error", e.g. invalid_redirect_uri
	Description string   // the provider's error_description
	Err         error    // the transport's error, when there was no answer
	Throttle    Throttle // a 429 or 503 with a Retry-After: the wait asked for
}

func (e *RegistrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "registration at %s failed", e.URL)
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	case e.HTTPCode != 0:
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	return e.Throttle.describe(b.String())
}

func (e *RegistrationError) Unwrap() error { return e.Err }

// ErrorKind is BadInput: the provider refused.
func (e *RegistrationError) ErrorKind() errkind.Kind { return errkind.BadInput }

// RequestedScopes are the scopes badgebake asks for: the Open Badges 2.1
// and 3.0 scopes the provider offers, plus offline_access for a refresh
// token.
func (p *Provider) RequestedScopes() []string {
	var out []string
	for _, s := range p.Scopes {
		if strings.Contains(s, "/spec/ob/v2p1/scope/") || strings.Contains(s, "/spec/ob/v3p0/scope/") {
			out = append(out, s)
		}
	}
	return append(out, OfflineAccess)
}

// Register registers badgebake as a client of p (RFC 7591 dynamic client
// registration, no initial access token). The provider must answer 201.
func Register(ctx context.Context, hc *http.Client, p *Provider, meta ClientMetadata) (*Registration, error) {
	if p.Registration == "" {
		return nil, &RegistrationError{URL: "(none)", Err: errors.New("the provider offers no registration endpoint")}
	}
	hc = noRedirects(hc)
	body := map[string]any{
		"software_id":                SoftwareID,
		"redirect_uris":              meta.RedirectURIs,
		"token_endpoint_auth_method": "client_secret_basic",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"scope":                      strings.Join(p.RequestedScopes(), " "),
	}
	// An empty URI is not a URI: a member left empty is left out, for
	// the provider to refuse if it must have it.
	for k, v := range map[string]string{"client_name": meta.ClientName, "client_uri": meta.ClientURI,
		"logo_uri": meta.LogoURI, "tos_uri": meta.TOSURI, "policy_uri": meta.PolicyURI,
		"software_version": meta.SoftwareVersion} {
		if v != "" {
			body[k] = v
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Registration, bytes.NewReader(data))
	if err != nil {
		return nil, &RegistrationError{URL: p.Registration, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &RegistrationError{URL: p.Registration, Err: transportCause(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody))
	if err != nil {
		return nil, &RegistrationError{URL: p.Registration, HTTPCode: resp.StatusCode, Err: err}
	}
	var answer struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	jsonErr := json.Unmarshal(raw, &answer)
	if resp.StatusCode != http.StatusCreated {
		return nil, &RegistrationError{URL: p.Registration, HTTPCode: resp.StatusCode,
			Code: oneLine(answer.Error), Description: oneLine(answer.Description), Throttle: throttleOf(resp)}
	}
	if jsonErr != nil || answer.ClientID == "" {
		return nil, &RegistrationError{URL: p.Registration, HTTPCode: resp.StatusCode,
			Description: "the answer holds no client_id"}
	}
	return &Registration{ClientID: answer.ClientID, ClientSecret: answer.ClientSecret}, nil
}

// OAuthConfig is the oauth2 configuration of badgebake as reg at p, with
// redirectURI as its redirect URI. The client authenticates with HTTP
// Basic (RFC 6749 §2.3.1), as the IMS Security Framework requires.
func (p *Provider) OAuthConfig(reg *Registration, redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     reg.ClientID,
		ClientSecret: reg.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   p.Authorization,
			TokenURL:  p.Token,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURI,
		Scopes:      p.RequestedScopes(),
	}
}

// Authorization is one authorization request: the URL the user opens, and
// the state and PKCE verifier that its redirect must be checked and
// exchanged with. Keep it secret until the exchange.
type Authorization struct {
	URL      string
	State    string
	Verifier string
}

// String shows the URL only: the verifier is a secret.
func (a Authorization) String() string { return a.URL }

// GoString hides the verifier from %#v too.
func (a Authorization) GoString() string {
	return "backpack.Authorization{URL: " + strconv.Quote(a.URL) + ", verifier redacted}"
}

// NewAuthorization starts an authorization: a fresh state of 256 random
// bits, a fresh PKCE verifier, and the authorization URL with its S256
// challenge.
func NewAuthorization(cfg *oauth2.Config) (*Authorization, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	state := base64.RawURLEncoding.EncodeToString(b[:])
	verifier := oauth2.GenerateVerifier()
	return &Authorization{
		URL:      cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)),
		State:    state,
		Verifier: verifier,
	}, nil
}

// TokenError is a token request the provider refused or that failed: an
// authorization code exchange, a refresh or a revocation.
type TokenError struct {
	Op          string // "exchange", "refresh" or "revoke"
	URL         string
	HTTPCode    int      // 0 when there was no answer
	Code        string   // the provider's "error", e.g. invalid_grant
	Description string   // the provider's error_description
	Err         error    // the transport's error, when there was no answer
	Throttle    Throttle // a 429 or 503 with a Retry-After: the wait asked for
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at %s failed", e.Op, e.URL)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	} else if e.HTTPCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Reconnect() {
		b.WriteString(": connect to the backpack again")
	}
	return e.Throttle.describe(b.String())
}

// Reconnect reports whether the provider refused the grant itself, so
// that only a new connection can help.
func (e *TokenError) Reconnect() bool {
	return e.Op == "refresh" && (e.Code == "invalid_grant" || e.Code == "invalid_client" ||
		e.HTTPCode == http.StatusUnauthorized || e.HTTPCode == http.StatusBadRequest)
}

func (e *TokenError) Unwrap() error { return e.Err }

// ErrorKind is BadInput: the provider refused (or could not be reached).
func (e *TokenError) ErrorKind() errkind.Kind { return errkind.BadInput }

// tokenError rewrites an oauth2 error without the response body (which
// may hold anything) or the request URL's query.
func tokenError(op, tokenURL string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		te := &TokenError{Op: op, URL: tokenURL, Code: oneLine(re.ErrorCode), Description: oneLine(re.ErrorDescription)}
		if re.Response != nil {
			te.HTTPCode = re.Response.StatusCode
			te.Throttle = throttleOf(re.Response)
		}
		return te
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &TokenError{Op: op, URL: tokenURL, Err: err}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &TokenError{Op: op, URL: tokenURL, Err: transportCause(err)}
	}
	// oauth2's own messages (e.g. "server response missing access_token")
	// hold no secret.
	return &TokenError{Op: op, URL: tokenURL, Err: errors.New(strings.TrimPrefix(err.Error(), "oauth2: "))}
}

// transportCause is the network error inside the *url.Error an
// http.Client returns, without the method and URL it puts first: the same
// words whichever endpoint it was.
func transportCause(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) && uerr.Err != nil {
		return uerr.Err
	}
	return err
}

// Exchange trades the authorization code for tokens, proving with a's
// PKCE verifier that it started the authorization. ctx should carry the
// HTTP client as oauth2.HTTPClient (see WithHTTPClient).
func Exchange(ctx context.Context, cfg *oauth2.Config, code string, a *Authorization) (*oauth2.Token, error) {
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(a.Verifier)}
	if len(cfg.Scopes) > 0 {
		// The IMS Security Framework's token request repeats the scope,
		// which RFC 6749 leaves out; servers ignore what they do not use.
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(cfg.Scopes, " ")))
	}
	tok, err := cfg.Exchange(ctx, code, opts...)
	if err != nil {
		return nil, tokenError("exchange", cfg.Endpoint.TokenURL, err)
	}
	return tok, nil
}

// WithHTTPClient returns ctx carrying hc for golang.org/x/oauth2's token
// requests (nil hc: http.DefaultClient), made not to follow redirects (see
// noRedirects).
func WithHTTPClient(ctx context.Context, hc *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, noRedirects(hc))
}

// noRedirects is hc answering a redirect with the redirect itself. Token,
// registration and revocation requests carry secrets (a code and its
// verifier, a refresh token, the client secret), and a 307 or 308 would
// send them on to wherever it points; such an answer is an error instead.
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// Revoke asks the provider to revoke c's refresh token (RFC 7009, HTTP
// Basic client authentication), or its access token when it has no
// refresh token. A provider without a revocation endpoint makes it a
// no-op: the caller then only forgets the connection.
func Revoke(ctx context.Context, hc *http.Client, c *Connection) error {
	p := &c.Provider
	if p.Revocation == "" || c.Token == nil {
		return nil
	}
	hc = noRedirects(hc)
	form := url.Values{}
	if c.Token.RefreshToken != "" {
		form.Set("token", c.Token.RefreshToken)
		form.Set("token_type_hint", "refresh_token")
	} else if c.Token.AccessToken != "" {
		form.Set("token", c.Token.AccessToken)
		form.Set("token_type_hint", "access_token")
	} else {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Revocation, strings.NewReader(form.Encode()))
	if err != nil {
		return &TokenError{Op: "revoke", URL: p.Revocation, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: the credentials are form-encoded before Basic.
	req.SetBasicAuth(url.QueryEscape(c.Registration.ClientID), url.QueryEscape(c.Registration.ClientSecret))
	resp, err := hc.Do(req)
	if err != nil {
		return &TokenError{Op: "revoke", URL: p.Revocation, Err: transportCause(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var answer struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody))
	json.Unmarshal(raw, &answer)
	return &TokenError{Op: "revoke", URL: p.Revocation, HTTPCode: resp.StatusCode,
		Code: oneLine(answer.Error), Description: oneLine(answer.Description), Throttle: throttleOf(resp)}
}
