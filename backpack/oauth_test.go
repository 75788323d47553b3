package backpack_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
)

const testRedirectURI = "http://127.0.0.1:8765/callback"

var testMetadata = backpack.ClientMetadata{
	ClientName: "badgebake", ClientURI: "https://badgebake.example/",
	LogoURI: "https://badgebake.example/logo.png", TOSURI: "https://badgebake.example/tos",
	PolicyURI: "https://badgebake.example/privacy", SoftwareVersion: "1.2.3",
	RedirectURIs: []string{testRedirectURI},
}

// secretSet collects what must never appear in an error message.
type secretSet []string

func (s *secretSet) add(v ...string) { *s = append(*s, v...) }

func (s secretSet) check(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, v := range s {
		if v != "" && strings.Contains(err.Error(), v) {
			t.Errorf("error %q holds a secret", err)
		}
	}
}

// connected runs discovery, registration, authorization and exchange
// against fake and returns the connection.
func connectToFake(t *testing.T, fake *fakebackpack.Provider, sec *secretSet) *backpack.Connection {
	t.Helper()
	ctx := context.Background()
	p, err := backpack.Discover(ctx, fake.Client(), fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := backpack.Register(ctx, fake.Client(), p, testMetadata)
	if err != nil {
		t.Fatal(err)
	}
	sec.add(reg.ClientSecret)
	cfg := p.OAuthConfig(reg, testRedirectURI)
	a, err := backpack.NewAuthorization(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sec.add(a.Verifier)
	redirect := fake.Authorize(a.URL)
	code, err := backpack.ParseRedirect(redirect, a)
	if err != nil {
		t.Fatalf("ParseRedirect(%q): %v", redirect, err)
	}
	sec.add(code)
	tok, err := backpack.Exchange(backpack.WithHTTPClient(ctx, fake.Client()), cfg, code, a)
	if err != nil {
		t.Fatal(err)
	}
	sec.add(tok.AccessToken, tok.RefreshToken)
	return &backpack.Connection{Name: "fake", Provider: *p, Registration: *reg, RedirectURI: testRedirectURI, Token: tok}
}

func TestRegisterBody(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{TLS: true})
	var sec secretSet
	c := connectToFake(t, fake, &sec)
	regs := fake.Registered()
	if len(regs) != 1 {
		t.Fatalf("%d registrations", len(regs))
	}
	body := regs[0]
	want := map[string]any{
		"client_name": "badgebake", "client_uri": "https://badgebake.example/",
		"logo_uri": "https://badgebake.example/logo.png", "tos_uri": "https://badgebake.example/tos",
		"policy_uri": "https://badgebake.example/privacy", "software_id": "badgebake",
		"software_version": "1.2.3", "redirect_uris": []any{testRedirectURI},
		"token_endpoint_auth_method": "client_secret_basic",
		"grant_types":                []any{"authorization_code", "refresh_token"},
		"response_types":             []any{"code"},
		"scope": strings.Join(append(append(append([]string{}, fakebackpack.Scopes21...),
			fakebackpack.Scopes30...), "offline_access"), " "),
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("registration body\n got %v\nwant %v", body, want)
	}
	if c.Token.AccessToken == "" || c.Token.RefreshToken == "" {
		t.Errorf("token %+v lacks access or refresh token", c.Token)
	}
	// PKCE and Basic: the exchange carried the verifier, not the secret.
	reqs := fake.TokenRequests()
	if len(reqs) != 1 || reqs[0].Get("code_verifier") == "" || reqs[0].Get("client_secret") != "" ||
		!strings.HasSuffix(reqs[0].Get("scope"), " offline_access") {
		t.Errorf("token requests %v", reqs)
	}
}

func TestRegisterLeavesOutEmptyMembers(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	ctx := context.Background()
	p, err := backpack.Discover(ctx, fake.Client(), fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backpack.Register(ctx, fake.Client(), p, backpack.ClientMetadata{ClientName: "x", RedirectURIs: []string{testRedirectURI}}); err != nil {
		t.Fatal(err)
	}
	body := fake.Registered()[0]
	for _, k := range []string{"client_uri", "logo_uri", "tos_uri", "policy_uri", "software_version"} {
		if v, ok := body[k]; ok {
			t.Errorf("%s = %q sent, want it left out", k, v)
		}
	}
	if body["client_name"] != "x" || body["software_id"] != "badgebake" {
		t.Errorf("body %v", body)
	}
}

func TestRegisterRefused(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	fake.RefuseRegistration("loopback redirect URIs are not allowed")
	p, err := backpack.Discover(context.Background(), fake.Client(), fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	_, err = backpack.Register(context.Background(), fake.Client(), p, testMetadata)
	var re *backpack.RegistrationError
	if !errors.As(err, &re) || re.HTTPCode != 400 {
		t.Fatalf("err = %v, want a 400 *RegistrationError", err)
	}
	for _, want := range []string{"loopback redirect URIs are not allowed", "invalid_redirect_uri", "HTTP 400"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	// What to do about it is the command's to say (it knows its flags).
	if strings.Contains(err.Error(), "--") {
		t.Errorf("%q names command-line flags", err)
	}
}

func TestAuthorizationURL(t *testing.T) {
	cfg := (&backpack.Provider{Authorization: "https://b.example/auth", Token: "https://b.example/token",
		Scopes: fakebackpack.Scopes21}).OAuthConfig(&backpack.Registration{ClientID: "id", ClientSecret: "s"}, testRedirectURI)
	a1, err := backpack.NewAuthorization(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := backpack.NewAuthorization(cfg)
	if a1.State == a2.State || a1.Verifier == a2.Verifier {
		t.Error("state or verifier repeated")
	}
	if len(a1.State) < 22 || len(a1.Verifier) < 43 || len(a1.Verifier) > 128 {
		t.Errorf("state %d chars, verifier %d chars", len(a1.State), len(a1.Verifier))
	}
	u, err := url.Parse(a1.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	checks := map[string]string{
		"response_type": "code", "client_id": "id", "redirect_uri": testRedirectURI, "state": a1.State,
		"code_challenge_method": "S256", "code_challenge": oauth2.S256ChallengeFromVerifier(a1.Verifier),
		"scope": strings.Join(fakebackpack.Scopes21, " ") + " offline_access",
	}
	for k, v := range checks {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if strings.Contains(a1.URL, a1.Verifier) {
		t.Error("the authorization URL holds the verifier")
	}
}

func TestExchangeWrongVerifier(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	ctx := context.Background()
	p, _ := backpack.Discover(ctx, fake.Client(), fake.URL())
	reg, err := backpack.Register(ctx, fake.Client(), p, testMetadata)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.OAuthConfig(reg, testRedirectURI)
	a, _ := backpack.NewAuthorization(cfg)
	code, err := backpack.ParseRedirect(fake.Authorize(a.URL), a)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := backpack.NewAuthorization(cfg)
	sec := secretSet{reg.ClientSecret, a.Verifier, other.Verifier, code}
	_, err = backpack.Exchange(backpack.WithHTTPClient(ctx, fake.Client()), cfg, code, other)
	var te *backpack.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" || te.Op != "exchange" {
		t.Fatalf("err = %v, want invalid_grant", err)
	}
	sec.check(t, err)
	// A wrong client secret: refused by Basic authentication.
	bad := p.OAuthConfig(&backpack.Registration{ClientID: reg.ClientID, ClientSecret: "wrong-secret"}, testRedirectURI)
	a, _ = backpack.NewAuthorization(cfg)
	code, _ = backpack.ParseRedirect(fake.Authorize(a.URL), a)
	sec = append(sec, "wrong-secret", code, a.Verifier)
	_, err = backpack.Exchange(backpack.WithHTTPClient(ctx, fake.Client()), bad, code, a)
	if !errors.As(err, &te) || te.HTTPCode != 401 {
		t.Fatalf("err = %v, want 401", err)
	}
	sec.check(t, err)
}

func TestAuthorizationDenied(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	ctx := context.Background()
	p, _ := backpack.Discover(ctx, fake.Client(), fake.URL())
	reg, _ := backpack.Register(ctx, fake.Client(), p, testMetadata)
	a, _ := backpack.NewAuthorization(p.OAuthConfig(reg, testRedirectURI))
	fake.DenyNext("access_denied")
	_, err := backpack.ParseRedirect(fake.Authorize(a.URL), a)
	var ae *backpack.AuthorizationError
	if !errors.As(err, &ae) || ae.Code != "access_denied" || ae.Description != "the user refused" {
		t.Fatalf("err = %v, want access_denied", err)
	}
}

func TestRefreshRotatesAndSaves(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{RotateRefresh: true})
	var sec secretSet
	c := connectToFake(t, fake, &sec)
	store := backpack.NewFileStore(t.TempDir() + "/b/backpacks.json")
	ctx := context.Background()
	if err := store.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	oldAccess, oldRefresh := c.Token.AccessToken, c.Token.RefreshToken

	// Still valid: no refresh.
	tok, err := c.TokenSource(ctx, fake.Client(), store).Token()
	if err != nil || tok.AccessToken != oldAccess {
		t.Fatalf("valid token: %v, %v", tok, err)
	}
	if n := len(fake.TokenRequests()); n != 1 {
		t.Errorf("%d token requests, want only the exchange", n)
	}

	c.Token.Expiry = time.Unix(1, 0) // expired long ago
	tok, err = c.TokenSource(ctx, fake.Client(), store).Token()
	if err != nil {
		t.Fatal(err)
	}
	sec.add(tok.AccessToken, tok.RefreshToken)
	if tok.AccessToken == oldAccess || tok.RefreshToken == oldRefresh || tok.RefreshToken == "" {
		t.Errorf("refresh did not rotate: %+v", tok)
	}
	saved, err := store.Load(ctx, "fake")
	if err != nil {
		t.Fatal(err)
	}
	if saved.Token.RefreshToken != tok.RefreshToken || saved.Token.AccessToken != tok.AccessToken {
		t.Error("the rotated token was not saved")
	}
	if form := fake.TokenRequests()[1]; form.Get("grant_type") != "refresh_token" || form.Get("refresh_token") != oldRefresh {
		t.Errorf("refresh request %v", form)
	}

	// Forced refresh (after a 401), then a refused one.
	tok2, err := saved.Refresh(ctx, fake.Client(), store)
	if err != nil || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("forced refresh: %v", err)
	}
	sec.add(tok2.AccessToken, tok2.RefreshToken)
	fake.RefuseRefresh(true)
	_, err = saved.Refresh(ctx, fake.Client(), store)
	var te *backpack.TokenError
	if !errors.As(err, &te) || !te.Reconnect() || !strings.Contains(err.Error(), "connect") {
		t.Errorf("refused refresh: %v", err)
	}
	sec.check(t, err)
}

func TestRevoke(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	var sec secretSet
	c := connectToFake(t, fake, &sec)
	if err := backpack.Revoke(context.Background(), fake.Client(), c); err != nil {
		t.Fatal(err)
	}
	if got := fake.Revoked(); len(got) != 1 || got[0] != c.Token.RefreshToken {
		t.Errorf("revoked %v", got)
	}
	// The revoked refresh token no longer works.
	_, err := c.Refresh(context.Background(), fake.Client(), nil)
	if err == nil {
		t.Error("refresh after revocation worked")
	}
	sec.check(t, err)
	// Wrong credentials: refused, and said without the secret.
	c.Registration.ClientSecret = "not-the-secret"
	sec.add("not-the-secret")
	err = backpack.Revoke(context.Background(), fake.Client(), c)
	var te *backpack.TokenError
	if !errors.As(err, &te) || te.HTTPCode != 401 {
		t.Errorf("err = %v, want 401", err)
	}
	sec.check(t, err)
}

func TestRevokeWithoutEndpoint(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{NoRevocation: true, No30: true})
	var sec secretSet
	c := connectToFake(t, fake, &sec)
	if err := backpack.Revoke(context.Background(), fake.Client(), c); err != nil {
		t.Fatal(err)
	}
	if len(fake.Revoked()) != 0 {
		t.Error("revoked without an endpoint")
	}
}

func TestRefreshWithoutRotationKeepsRefreshToken(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	var sec secretSet
	c := connectToFake(t, fake, &sec)
	store := backpack.NewFileStore(t.TempDir() + "/backpacks.json")
	ctx := context.Background()
	oldAccess, oldRefresh := c.Token.AccessToken, c.Token.RefreshToken
	c.Token.Expiry = time.Unix(1, 0)
	tok, err := c.TokenSource(ctx, fake.Client(), store).Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == oldAccess || tok.RefreshToken != oldRefresh {
		t.Errorf("refresh: access changed %v, refresh kept %v", tok.AccessToken != oldAccess, tok.RefreshToken == oldRefresh)
	}
	saved, err := store.Load(ctx, "fake")
	if err != nil || saved.Token.RefreshToken != oldRefresh || saved.Token.AccessToken != tok.AccessToken {
		t.Errorf("saved %v, %v", saved, err)
	}
}

func TestRegisterRefusalOnOneLine(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	fake.RefuseRegistration("first line\nsecond line")
	p, _ := backpack.Discover(context.Background(), fake.Client(), fake.URL())
	_, err := backpack.Register(context.Background(), fake.Client(), p, testMetadata)
	if err == nil || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("err = %q, want one line", err)
	}
}
