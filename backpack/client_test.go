package backpack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
	"github.com/badgebake/badgebake/payload"
)

const (
	clientAssertion  = fakebackpack.SampleAssertion
	clientCredential = fakebackpack.SampleCredential
)

// apiFake is a fake backpack whose API routes record what they are sent.
type apiFake struct {
	*fakebackpack.Provider
	mu     sync.Mutex
	bodies map[string][]string // path → bodies received with a valid token
	hits   map[string]int      // path → requests, with a valid token or not
}

func newAPIFake(t *testing.T, opts fakebackpack.Options) *apiFake {
	f := &apiFake{Provider: fakebackpack.New(t, opts), bodies: map[string][]string{}, hits: map[string]int{}}
	held := map[string]bool{}
	record := func(r *http.Request) (string, bool) {
		f.mu.Lock()
		f.hits[r.URL.Path]++
		f.mu.Unlock()
		if !f.Authenticated(r) {
			return "", false
		}
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies[r.URL.Path] = append(f.bodies[r.URL.Path], string(b))
		f.mu.Unlock()
		return string(b), true
	}
	f.Handle("POST /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := record(r); !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":{"error":null,"statusCode":200,"statusText":"OK"}}`)
	}))
	f.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := record(r)
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		seen := held[body]
		held[body] = true
		f.mu.Unlock()
		if seen {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
	}))
	f.Handle("GET /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"assertions":[`+clientAssertion+`]}`)
	}))
	f.Handle("GET /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"credential":[`+clientCredential+`]}`)
	}))
	f.Handle("GET /ims/ob/v2p1/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"profile":{"name":"Ann"}}`)
	}))
	f.Handle("GET /ims/ob/v3p0/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"name":"Ann Three"}`)
	}))
	f.Handle("GET /hosted/1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/ld+json")
		io.WriteString(w, clientAssertion)
	}))
	f.Handle("GET /hosted/credential", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, clientCredential)
	}))
	f.Handle("GET /hosted/note", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	return f
}

func (f *apiFake) received(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[path]...)
}

func (f *apiFake) hitCount(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

// newTestClient connects to f and returns a Client keeping tokens in a
// file store.
func newTestClient(t *testing.T, f *apiFake) (*backpack.Client, *backpack.FileStore) {
	t.Helper()
	var sec secretSet
	conn := connectToFake(t, f.Provider, &sec)
	store := backpack.NewFileStore(filepath.Join(t.TempDir(), "backpacks.json"))
	if err := store.Save(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	return backpack.NewClient(conn, store, f.Client()), store
}

func parse(t *testing.T, s string) *payload.Payload {
	t.Helper()
	p, err := payload.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientPushChoosesTheAPI(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	ctx := context.Background()
	cases := []struct {
		badge  string
		api    backpack.API
		result backpack.PushResult
	}{
		{clientAssertion, backpack.API21, backpack.Added},
		{clientCredential, backpack.API30, backpack.Added},
		{clientCredential, backpack.API30, backpack.Replaced},
	}
	for i, tc := range cases {
		out, err := c.Push(ctx, parse(t, tc.badge))
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if out.API != tc.api || out.Result != tc.result {
			t.Errorf("push %d: %s %s, want %s %s", i, out.API, out.Result, tc.api, tc.result)
		}
	}
	if got := f.received("/ims/ob/v2p1/assertions"); len(got) != 1 || !strings.HasPrefix(got[0], `{"assertion":`) {
		t.Errorf("2.1 bodies %q", got)
	}
}

func TestClientPushFetchesURLs(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	ctx := context.Background()

	// A hosted assertion goes to Badge Connect as the document fetched.
	out, err := c.Push(ctx, parse(t, f.URL()+"/hosted/1"))
	if err != nil || out.Result != backpack.Added || out.API != backpack.API21 {
		t.Fatalf("hosted assertion: %+v, %v", out, err)
	}
	got := f.received("/ims/ob/v2p1/assertions")
	var body map[string]map[string]any
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &body) != nil || body["assertion"]["id"] != "https://issuer.example/a/1" {
		t.Errorf("2.1 body %q, want the fetched assertion", got)
	}
	// A credential at a URL goes to the OB 3.0 API as it is.
	out, err = c.Push(ctx, parse(t, f.URL()+"/hosted/credential"))
	if err != nil || out.Result != backpack.Added || out.API != backpack.API30 {
		t.Errorf("credential URL: %+v, %v", out, err)
	}
	// A URL that answers 404 is a failure with the status, not a refusal.
	out, err = c.Push(ctx, parse(t, f.URL()+"/hosted/none"))
	if err != nil || out.Result != backpack.Failed || out.HTTPStatus != 404 || !strings.Contains(out.Message, "HTTP 404") {
		t.Errorf("404 URL: %+v, %v", out, err)
	}
	// A URL holding something else is not a badge.
	out, err = c.Push(ctx, parse(t, f.URL()+"/hosted/note"))
	if out != nil || errkind.Of(err) != errkind.BadInput {
		t.Errorf("note URL: %+v, %v (kind %v), want a BadInput error", out, err, errkind.Of(err))
	}
}

func TestClientRefreshesOn401AndKeepsTheToken(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{RotateRefresh: true})
	c, store := newTestClient(t, f)
	ctx := context.Background()
	oldRefresh := c.Conn.Token.RefreshToken
	f.UnauthorizedOnce()
	out, err := c.Push(ctx, parse(t, clientCredential))
	if err != nil || out.Result != backpack.Added {
		t.Fatalf("push after a 401: %+v, %v", out, err)
	}
	reqs := f.TokenRequests()
	if last := reqs[len(reqs)-1]; len(reqs) != 2 || last.Get("grant_type") != "refresh_token" {
		t.Errorf("token requests %v, want the exchange then one refresh", reqs)
	}
	saved, err := store.Load(ctx, c.Conn.Name)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Token.RefreshToken == oldRefresh || saved.Token.RefreshToken != c.Conn.Token.RefreshToken {
		t.Error("the rotated refresh token was not saved to the store")
	}
	// Listing and the profile refresh on a 401 too.
	f.UnauthorizedOnce()
	badges, err := c.List(ctx, time.Time{})
	if err != nil || len(badges) != 2 || badges[0].API != backpack.API21 || badges[1].API != backpack.API30 {
		t.Errorf("list after a 401: %+v, %v", badges, err)
	}
	f.UnauthorizedOnce()
	profiles, err := c.Profile(ctx)
	if err != nil || len(profiles) != 2 || profiles[1].Profile["name"] != "Ann Three" {
		t.Errorf("profile after a 401: %+v, %v", profiles, err)
	}
}

func TestClientRefreshesAnExpiredTokenFirst(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	f.ExpireAccessTokens()
	c.Conn.Token.Expiry = time.Now().Add(-time.Minute)
	before := len(f.TokenRequests())
	out, err := c.Push(context.Background(), parse(t, clientAssertion))
	if err != nil || out.Result != backpack.Added {
		t.Fatalf("push with an expired token: %+v, %v", out, err)
	}
	if n := len(f.TokenRequests()) - before; n != 1 {
		t.Errorf("%d token requests, want 1 refresh before the push", n)
	}
	if n := f.hitCount("/ims/ob/v2p1/assertions"); n != 1 {
		t.Errorf("%d pushes reached the backpack, want 1 (none with the expired token)", n)
	}
}

func TestClientRefusedRefresh(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	f.UnauthorizedOnce()
	f.RefuseRefresh(true)
	out, err := c.Push(context.Background(), parse(t, clientAssertion))
	var te *backpack.TokenError
	if !errors.As(err, &te) || !te.Reconnect() {
		t.Fatalf("err %v, want a *TokenError asking to reconnect", err)
	}
	if out == nil || out.Result != backpack.Refused || out.StatusText != "UNAUTHENTICATED" {
		t.Errorf("outcome %+v, want Refused UNAUTHENTICATED", out)
	}
	// The access token the provider refused is not offered again: the
	// next call asks for a new one, and is told to reconnect too.
	before := f.hitCount("/ims/ob/v2p1/assertions")
	if _, err := c.Push(context.Background(), parse(t, clientAssertion)); !errors.As(err, &te) {
		t.Errorf("push after a refused refresh: %v, want a *TokenError", err)
	}
	if n := f.hitCount("/ims/ob/v2p1/assertions") - before; n != 0 {
		t.Errorf("%d pushes sent without a token", n)
	}
}

func TestClientNotOffered(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{No30: true})
	c, _ := newTestClient(t, f)
	out, err := c.Push(context.Background(), parse(t, clientCredential))
	var no *backpack.NotOfferedError
	if out != nil || !errors.As(err, &no) || no.API != backpack.API30 {
		t.Errorf("credential to a 2.1-only backpack: %+v, %v", out, err)
	}
	if n := f.hitCount("/ims/ob/v3p0/credentials"); n != 0 {
		t.Errorf("%d requests to an API not offered", n)
	}
}

func TestClientThrottled(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	tries := 0
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		if tries == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	var sec secretSet
	c := backpack.NewClient(connectToFake(t, fake, &sec), nil, fake.Client())
	c.MaxWait = -1 // waits for nothing, but "Retry-After: 0" is tried again
	out, err := c.Push(context.Background(), parse(t, clientCredential))
	if err != nil || out.Result != backpack.Added || tries != 2 {
		t.Errorf("after Retry-After 0: %+v, %v, %d tries", out, err, tries)
	}
}

func TestClientRevoke(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	refresh := c.Conn.Token.RefreshToken
	if err := c.Revoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.Revoked(); len(got) != 1 || got[0] != refresh {
		t.Errorf("revoked %d tokens, want the refresh token", len(got))
	}
}

func TestClientListAndProfileWaitWhenThrottled(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	var sec secretSet
	c := backpack.NewClient(connectToFake(t, fake, &sec), nil, fake.Client())
	ctx := context.Background()
	if out, err := c.Push(ctx, parse(t, clientCredential)); err != nil || out.Result != backpack.Added {
		t.Fatalf("push: %+v, %v", out, err)
	}
	c.MaxWait = -1 // "Retry-After: 0" only

	fake.Throttle(1, "0")
	badges, err := c.List(ctx, time.Time{})
	if err != nil || len(badges) != 1 || badges[0].ID != "urn:uuid:6f1b7c3e-0000-4000-8000-000000000001" {
		t.Errorf("list after a 429 with Retry-After 0: %+v, %v", badges, err)
	}
	fake.Throttle(1, "0")
	if profiles, err := c.Profile(ctx); err != nil || len(profiles) != 2 {
		t.Errorf("profile after a 429 with Retry-After 0: %+v, %v", profiles, err)
	}

	// A wait longer than allowed is not waited for; the error says it.
	fake.Throttle(1, "3600")
	_, err = c.List(ctx, time.Time{})
	var le *backpack.ListError
	if !errors.As(err, &le) || le.HTTPStatus != 429 || !le.Throttle.Asked || le.Throttle.Wait != time.Hour || !strings.Contains(err.Error(), "asked to wait 1h0m0s") {
		t.Errorf("list throttled for an hour: %v", err)
	}
	// Still busy after MaxTries tries: the last answer's error.
	fake.Throttle(backpack.MaxTries, "0")
	before := len(fake.Requests())
	if _, err := c.List(ctx, time.Time{}); !errors.As(err, &le) || le.HTTPStatus != 429 {
		t.Errorf("list throttled %d times: %v", backpack.MaxTries, err)
	}
	if n := len(fake.Requests()) - before; n != backpack.MaxTries {
		t.Errorf("%d listing requests, want %d", n, backpack.MaxTries)
	}
}

// recorder is a server that records the Authorization header and form
// body of every request it gets: somewhere a token must never reach.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.URL.Path+" auth="+r.Header.Get("Authorization")+" body="+string(b))
		rec.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) leaked(secrets ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.seen {
		for _, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestClientSendsTheTokenOnlyToTheBackpack(t *testing.T) {
	elsewhere := newRecorder(t)
	// "localhost" is another origin than the fake's 127.0.0.1.
	other := strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	fake.Handle("GET /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<"+other+"/page2>; rel=\"next\"")
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"assertions":[]}`)
	}))
	fake.Handle("GET /ims/ob/v2p1/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other+"/redirected", http.StatusFound)
	}))
	var sec secretSet
	conn := connectToFake(t, fake, &sec)
	c := backpack.NewClient(conn, nil, fake.Client())
	ctx := context.Background()

	_, err := c.List(ctx, time.Time{})
	var le *backpack.ListError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "is not on the backpack's host") {
		t.Errorf("a next page on another host: %v, want a ListError refusing it", err)
	}
	c.Profile(ctx) // redirected elsewhere: fails there, without the token
	if got := elsewhere.leaked(conn.Token.AccessToken); len(got) != 0 {
		t.Errorf("the access token reached another host: %q", got)
	}
	elsewhere.mu.Lock()
	defer elsewhere.mu.Unlock()
	if len(elsewhere.seen) == 0 {
		t.Error("the profile's redirect was not followed at all")
	}
	for _, s := range elsewhere.seen {
		if !strings.HasPrefix(s, "/redirected auth= ") {
			t.Errorf("request elsewhere %q, want only the redirect, without a token", s)
		}
	}
}

func TestTokenRequestsDoNotFollowRedirects(t *testing.T) {
	elsewhere := newRecorder(t)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	var sec secretSet
	conn := connectToFake(t, fake, &sec)
	// A token endpoint that answers 307: a client following it would send
	// the refresh token and the client secret on.
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(moved.Close)
	conn.Provider.Token = moved.URL + "/oauth/token"
	conn.Provider.Revocation = moved.URL + "/oauth/revoke"
	_, err := conn.Refresh(context.Background(), fake.Client(), nil)
	var te *backpack.TokenError
	if !errors.As(err, &te) || te.HTTPCode != http.StatusTemporaryRedirect {
		t.Errorf("refresh at a redirecting endpoint: %v, want a TokenError with HTTP 307", err)
	}
	conn.Token.RefreshToken = "refresh-still-secret"
	if err := backpack.Revoke(context.Background(), fake.Client(), conn); !errors.As(err, &te) || te.HTTPCode != http.StatusTemporaryRedirect {
		t.Errorf("revoke at a redirecting endpoint: %v, want a TokenError with HTTP 307", err)
	}
	if got := elsewhere.leaked(conn.Registration.ClientSecret, "refresh-", "refresh-still-secret"); len(got) != 0 {
		t.Errorf("secrets reached the redirect's target: %q", got)
	}
	elsewhere.mu.Lock()
	if len(elsewhere.seen) != 0 {
		t.Errorf("requests followed the redirect: %q", elsewhere.seen)
	}
	elsewhere.mu.Unlock()
}

func TestSecretsStayOutOfGoSyntax(t *testing.T) {
	reg := backpack.Registration{ClientID: "cid", ClientSecret: "secret-cs"}
	auth := backpack.Authorization{URL: "https://backpack.example/authorize?x=1", State: "st", Verifier: "verifier-v"}
	for _, s := range []string{fmt.Sprintf("%#v", reg), fmt.Sprintf("%#v", auth), fmt.Sprintf("%#v", []any{reg, &auth}), fmt.Sprintf("%v %+v", reg, auth)} {
		if strings.Contains(s, "secret-cs") || strings.Contains(s, "verifier-v") {
			t.Errorf("formatted: %s", s)
		}
	}
}

func TestClientExpiredWithoutRefreshTokenAsksToReconnect(t *testing.T) {
	f := newAPIFake(t, fakebackpack.Options{})
	c, _ := newTestClient(t, f)
	c.Conn.Token.RefreshToken = ""
	c.Conn.Token.Expiry = time.Now().Add(-time.Minute)
	out, err := c.Push(context.Background(), parse(t, clientAssertion))
	var te *backpack.TokenError
	if !errors.As(err, &te) || !te.Reconnect() {
		t.Fatalf("err %v, want a TokenError asking to reconnect", err)
	}
	if out == nil || out.Result != backpack.Refused {
		t.Errorf("outcome %+v, want Refused", out)
	}
	if n := f.hitCount("/ims/ob/v2p1/assertions"); n != 0 {
		t.Errorf("%d pushes sent with an expired token", n)
	}
}

func TestRetryThrottled(t *testing.T) {
	ctx := context.Background()
	throttled := func(wait time.Duration) error {
		return &backpack.RegistrationError{URL: "u", HTTPCode: 429, Throttle: backpack.Throttle{Asked: true, Wait: wait}}
	}
	for _, c := range []struct {
		name      string
		errs      []error // what each call returns; the last one repeats
		maxWait   time.Duration
		wantCalls int
		wantErr   bool
	}{
		{"throttled twice, then through", []error{throttled(0), throttled(0), nil}, time.Second, 3, false},
		{"throttled beyond MaxTries", []error{throttled(0)}, time.Second, backpack.MaxTries, true},
		{"a wait longer than allowed", []error{throttled(time.Hour)}, time.Second, 1, true},
		{"no Retry-After", []error{&backpack.TokenError{Op: "exchange", HTTPCode: 429}}, time.Second, 1, true},
		{"another error", []error{errors.New("no")}, time.Second, 1, true},
		{"a throttled token request", []error{&backpack.TokenError{Op: "exchange", HTTPCode: 429, Throttle: backpack.Throttle{Asked: true}}, nil}, 0, 2, false},
	} {
		calls := 0
		err := backpack.RetryThrottled(ctx, c.maxWait, func() error {
			calls++
			return c.errs[min(calls, len(c.errs))-1]
		})
		if calls != c.wantCalls || (err != nil) != c.wantErr {
			t.Errorf("%s: %d calls, err %v; want %d calls, error %v", c.name, calls, err, c.wantCalls, c.wantErr)
		}
	}
}
