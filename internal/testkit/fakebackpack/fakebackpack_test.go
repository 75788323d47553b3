package fakebackpack_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
)

func TestAuthorizeEndpointAndAuthenticated(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{TLS: true})
	fake.AddClient("id", "secret", "http://127.0.0.1:9/callback")
	fake.Handle("GET /ims/ob/v2p1/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{}`))
	}))
	hc := fake.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	q := url.Values{"client_id": {"id"}, "redirect_uri": {"http://127.0.0.1:9/callback"}, "response_type": {"code"},
		"state": {"s"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
		"scope": {"offline_access"}}
	resp, err := hc.Get(fake.URL() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:9/callback?") || !strings.Contains(loc, "code=") {
		t.Fatalf("authorize answered %d %q", resp.StatusCode, loc)
	}
	// An unknown redirect URI is never redirected to.
	q.Set("redirect_uri", "https://evil.example/")
	if got := fake.Authorize(fake.URL() + "/oauth/authorize?" + q.Encode()); got != "" {
		t.Errorf("redirected to %q", got)
	}

	code, _ := url.ParseQuery(loc[strings.Index(loc, "?")+1:])
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code.Get("code")},
		"redirect_uri":  {"http://127.0.0.1:9/callback"},
		"code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}} // RFC 7636 appendix B
	req, _ := http.NewRequest("POST", fake.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(body.String(), "refresh_token") {
		t.Fatalf("token: %d %s", resp.StatusCode, body.String())
	}
	access := body.String()[strings.Index(body.String(), `"access_token":"`)+16:]
	access = access[:strings.Index(access, `"`)]

	get := func() int {
		req, _ := http.NewRequest("GET", fake.URL()+"/ims/ob/v2p1/profile", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != 200 {
		t.Errorf("valid token: %d", s)
	}
	fake.UnauthorizedOnce()
	if a, b := get(), get(); a != 401 || b != 200 {
		t.Errorf("UnauthorizedOnce: %d then %d", a, b)
	}
	fake.ExpireAccessTokens()
	if s := get(); s != 401 {
		t.Errorf("expired token: %d", s)
	}
}
