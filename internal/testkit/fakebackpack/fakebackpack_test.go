package fakebackpack_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
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

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

// accessToken runs the authorization code flow for a client added by
// hand and returns the access token.
func accessToken(t *testing.T, fake *fakebackpack.Provider) string {
	t.Helper()
	fake.AddClient("id", "secret", "http://127.0.0.1/callback")
	q := url.Values{"client_id": {"id"}, "redirect_uri": {"http://127.0.0.1:4321/callback"}, "response_type": {"code"},
		"state": {"s"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	redirect := fake.Authorize(fake.URL() + "/oauth/authorize?" + q.Encode())
	u, err := url.Parse(redirect)
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("a loopback redirect with another port is refused: %q", redirect)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1:4321/callback"}, "code_verifier": {verifier}}
	req, _ := http.NewRequest("POST", fake.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || !strings.HasPrefix(tok.AccessToken, "access-") {
		t.Fatalf("token: %d %v %q", resp.StatusCode, err, tok.AccessToken)
	}
	return tok.AccessToken
}

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, fake *fakebackpack.Provider, token, method, path, contentType, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, fake.URL()+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func jws(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"EdDSA"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestZeroValueServesNoAPI(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{})
	if a := call(t, fake, "", "GET", "/ims/ob/v3p0/credentials", "", ""); a.status != 404 {
		t.Errorf("without API: %d, want 404", a.status)
	}
	// Tests add their own routes: no pattern is taken.
	fake.Handle("GET /ims/ob/v3p0/credentials", http.NotFoundHandler())
	fake.Handle("POST /ims/ob/v2p1/assertions", http.NotFoundHandler())
}

func TestAPIChecksBearerTokens(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	for _, r := range []string{"POST /ims/ob/v2p1/assertions", "GET /ims/ob/v2p1/assertions", "GET /ims/ob/v2p1/profile",
		"POST /ims/ob/v2p1/profile", "POST /ims/ob/v3p0/credentials", "GET /ims/ob/v3p0/credentials",
		"GET /ims/ob/v3p0/profile", "PUT /ims/ob/v3p0/profile"} {
		method, path, _ := strings.Cut(r, " ")
		if a := call(t, fake, "access-forged", method, path, "application/json", `{}`); a.status != 401 {
			t.Errorf("%s with a forged token: %d, want 401", r, a.status)
		}
	}
	tok := accessToken(t, fake)
	if a := call(t, fake, tok, "GET", "/ims/ob/v3p0/profile", "", ""); a.status != 200 || !strings.Contains(a.body, `"email":"owner@example.org"`) {
		t.Errorf("profile: %d %s", a.status, a.body)
	}
}

func TestPush21(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	tok := accessToken(t, fake)
	for _, body := range []string{
		`{"assertion":{"id":"a"},"signedAssertion":"x.y.z"}`, // two keys
		`{"badge":{"id":"a"}}`,                               // the wrong key
		`{"assertion":"https://example.org/a"}`,              // not an object
		`{"signedAssertion":"not a jws"}`,
		`[]`,
	} {
		a := call(t, fake, tok, "POST", "/ims/ob/v2p1/assertions", "application/json", body)
		if a.status != 400 || !strings.Contains(a.body, `"statusCode":400`) || !strings.Contains(a.body, `"statusText":"REQUEST_VALIDATION_ERROR"`) {
			t.Errorf("%s: %d %s, want 400 with a status envelope", body, a.status, a.body)
		}
	}
	a := call(t, fake, tok, "POST", "/ims/ob/v2p1/assertions", "application/json",
		`{"assertion":{"id":"https://example.org/a/1","issuedOn":"2025-01-01T00:00:00Z"}}`)
	if a.status != 200 || strings.TrimSpace(a.body) != `{"status":{"error":null,"statusCode":200,"statusText":"OK"}}` {
		t.Errorf("push: %d %s", a.status, a.body)
	}
	a = call(t, fake, tok, "POST", "/ims/ob/v2p1/assertions", "application/json",
		`{"signedAssertion":"`+jws(`{"id":"https://example.org/a/2"}`)+`"}`)
	if a.status != 200 {
		t.Errorf("signed push: %d %s", a.status, a.body)
	}
	var got []string
	for _, h := range fake.Held() {
		got = append(got, h.API+" "+h.Kind+" "+h.ID)
	}
	want := []string{"ob21 assertion https://example.org/a/1", "ob21 signedAssertion https://example.org/a/2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("held %q, want %q", got, want)
	}
	reqs := fake.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "POST" || last.Path != "/ims/ob/v2p1/assertions" ||
		last.ContentType != "application/json" || !reflect.DeepEqual(last.BodyKeys, []string{"signedAssertion"}) || last.Status != 200 {
		t.Errorf("recorded %+v", last)
	}
	if first := reqs[0]; !reflect.DeepEqual(first.BodyKeys, []string{"assertion", "signedAssertion"}) || first.Status != 400 {
		t.Errorf("recorded %+v", first)
	}
}

func TestPush30AddedThenReplaced(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	tok := accessToken(t, fake)
	cred := `{"id":"urn:uuid:1","validFrom":"2024-01-01T00:00:00Z"}`
	for i, want := range []int{201, 200} {
		if a := call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "application/json", cred); a.status != want || strings.TrimSpace(a.body) != cred {
			t.Errorf("push %d: %d %s, want %d echoing the credential", i+1, a.status, a.body, want)
		}
	}
	jwt := jws(`{"vc":{"id":"urn:uuid:2"},"nbf":1700000000}`)
	if a := call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "text/plain", jwt); a.status != 201 || a.body != jwt ||
		a.header.Get("Content-Type") != "text/plain" {
		t.Errorf("VC-JWT: %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	if a := call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "text/plain", "not a jwt"); a.status != 400 ||
		!strings.Contains(a.body, `"imsx_codeMajor":"failure"`) {
		t.Errorf("not a JWT: %d %s", a.status, a.body)
	}
	if a := call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "application/xml", "<x/>"); a.status != 415 {
		t.Errorf("XML: %d", a.status)
	}
	if n := len(fake.Held()); n != 2 {
		t.Errorf("held %d, want 2", n)
	}
}

func TestListingPages(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true, PageSize: 2})
	tok := accessToken(t, fake)
	for _, c := range []string{
		`{"id":"urn:1","validFrom":"2023-01-01T00:00:00Z"}`,
		`{"id":"urn:2","validFrom":"2025-01-01T00:00:00Z"}`,
		`{"id":"urn:3","validFrom":"2025-02-01T00:00:00Z"}`,
	} {
		call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "application/json", c)
	}
	call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "text/plain", jws(`{"vc":{"id":"urn:4"},"nbf":1800000000}`))

	a := call(t, fake, tok, "GET", "/ims/ob/v3p0/credentials", "", "")
	wantLink := `<` + fake.URL() + `/ims/ob/v3p0/credentials?limit=2&offset=2>; rel="next"`
	if a.status != 200 || a.header.Get("Link") != wantLink || a.header.Get("X-Total-Count") != "4" {
		t.Fatalf("page 1: %d Link %q X-Total-Count %q", a.status, a.header.Get("Link"), a.header.Get("X-Total-Count"))
	}
	if !strings.Contains(a.body, `"urn:1"`) || !strings.Contains(a.body, `"urn:2"`) || strings.Contains(a.body, `"urn:3"`) {
		t.Errorf("page 1: %s", a.body)
	}
	a = call(t, fake, tok, "GET", "/ims/ob/v3p0/credentials?limit=2&offset=2", "", "")
	if a.header.Get("Link") != "" || !strings.Contains(a.body, `"urn:3"`) || !strings.Contains(a.body, `"compactJwsString":["ey`) {
		t.Errorf("page 2: Link %q %s", a.header.Get("Link"), a.body)
	}
	a = call(t, fake, tok, "GET", "/ims/ob/v3p0/credentials?since=2025-01-15T00:00:00Z", "", "")
	if a.header.Get("X-Total-Count") != "2" || strings.Contains(a.body, `"urn:2"`) || !strings.Contains(a.body, `"urn:3"`) {
		t.Errorf("since: X-Total-Count %q %s", a.header.Get("X-Total-Count"), a.body)
	}
	// 2.1: the same Link form, assertions and signedAssertions apart.
	call(t, fake, tok, "POST", "/ims/ob/v2p1/assertions", "application/json", `{"assertion":{"id":"https://example.org/a/1"}}`)
	a = call(t, fake, tok, "GET", "/ims/ob/v2p1/assertions", "", "")
	if a.status != 200 || !strings.Contains(a.body, `"assertions":[{"id":"https://example.org/a/1"}]`) ||
		!strings.Contains(a.body, `"signedAssertions":[]`) || !strings.Contains(a.body, `"statusCode":200`) {
		t.Errorf("2.1 listing: %d %s", a.status, a.body)
	}
}

func TestThrottleAndRefusals(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	tok := accessToken(t, fake)
	fake.Throttle(2, "7")
	for i := 0; i < 2; i++ {
		if a := call(t, fake, tok, "GET", "/ims/ob/v2p1/profile", "", ""); a.status != 429 || a.header.Get("Retry-After") != "7" {
			t.Errorf("throttled call %d: %d Retry-After %q", i+1, a.status, a.header.Get("Retry-After"))
		}
	}
	if a := call(t, fake, tok, "GET", "/ims/ob/v2p1/profile", "", ""); a.status != 200 {
		t.Errorf("after the throttle: %d", a.status)
	}
	fake.ThrottleWith(503, 1, "")
	if a := call(t, fake, tok, "GET", "/ims/ob/v2p1/profile", "", ""); a.status != 503 || a.header.Get("Retry-After") != "" {
		t.Errorf("503 without Retry-After: %d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}

	push := func() answer {
		return call(t, fake, tok, "POST", "/ims/ob/v2p1/assertions", "application/json", `{"assertion":{"id":"a"}}`)
	}
	fake.RefusePushes("INVALID_BADGE", "one", "two")
	if a := push(); a.status != 400 || !strings.Contains(a.body, `"error":["one","two"]`) || !strings.Contains(a.body, `"statusText":"INVALID_BADGE"`) {
		t.Errorf("Badgr's array: %d %s", a.status, a.body)
	}
	fake.RefusePushes("RECIPIENT_PROFILE_MISMATCH", "only")
	if a := push(); !strings.Contains(a.body, `"error":"only"`) {
		t.Errorf("one error: %s", a.body)
	}
	fake.RefusePushes("INVALID_BADGE")
	if a := push(); !strings.Contains(a.body, `"error":null`) {
		t.Errorf("no error: %s", a.body)
	}
	if a := call(t, fake, tok, "POST", "/ims/ob/v3p0/credentials", "application/json", `{"id":"c"}`); a.status != 400 ||
		!strings.Contains(a.body, `"imsx_codeMinorFieldValue":"INVALID_BADGE"`) {
		t.Errorf("3.0 refusal: %d %s", a.status, a.body)
	}
	if n := len(fake.Held()); n != 0 {
		t.Errorf("refused badges held: %d", n)
	}
	fake.RefusePushes("")
	if a := push(); a.status != 200 {
		t.Errorf("accepted again: %d %s", a.status, a.body)
	}
}

func TestProfileChanges(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true})
	tok := accessToken(t, fake)
	if a := call(t, fake, tok, "POST", "/ims/ob/v2p1/profile", "application/json", `{"email":"new@example.org"}`); a.status != 200 ||
		!strings.Contains(a.body, `"email":"new@example.org"`) {
		t.Errorf("POST: %d %s", a.status, a.body)
	}
	if got := fake.Profile("ob21")["email"]; got != "new@example.org" {
		t.Errorf("2.1 email %v", got)
	}
	if a := call(t, fake, tok, "PUT", "/ims/ob/v3p0/profile", "application/json", `{"name":"N"}`); a.status != 200 {
		t.Errorf("PUT: %d %s", a.status, a.body)
	}
	if got := fake.Profile("ob30"); !reflect.DeepEqual(got, map[string]any{"name": "N"}) {
		t.Errorf("3.0 profile %v", got)
	}
}

func TestOptionsLeaveOutAnAPI(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{API: true, No21: true})
	tok := accessToken(t, fake)
	if a := call(t, fake, tok, "GET", "/ims/ob/v2p1/assertions", "", ""); a.status != 404 {
		t.Errorf("2.1 without the manifest: %d", a.status)
	}
	if a := call(t, fake, tok, "GET", "/ims/ob/v3p0/credentials", "", ""); a.status != 200 {
		t.Errorf("3.0: %d", a.status)
	}
}
