package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
)

// lockedBuffer is a bytes.Buffer a command writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const (
	testAssertion  = fakebackpack.SampleAssertion
	testCredential = fakebackpack.SampleCredential
)

// connectFake runs "backpack connect --no-browser" against fake, giving
// the redirect on standard input, and returns the command's output.
func connectFake(t *testing.T, fake *fakebackpack.Provider, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	inR, inW := io.Pipe()
	defer inW.Close()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	args := append([]string{"backpack", "connect", "--no-browser", fake.URL()}, extra...)
	go func() { done <- Main(args, IO{In: inR, Out: &out, Err: &errOut}) }()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case code := <-done:
			return code, out.String(), errOut.String()
		case <-deadline:
			t.Fatalf("connect printed no authorization URL; stderr:\n%s", errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
		for _, line := range strings.Split(errOut.String(), "\n") {
			if strings.HasPrefix(line, fake.URL()+"/oauth/authorize?") {
				redirect := fake.Authorize(line)
				go io.WriteString(inW, redirect+"\n")
				select {
				case code := <-done:
					return code, out.String(), errOut.String()
				case <-time.After(10 * time.Second):
					t.Fatal("connect did not finish after the redirect")
				}
			}
		}
	}
}

func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(args, IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func storeText(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "backpacks.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertNoSecret fails when any token or client secret from the store shows in s.
func assertNoSecret(t *testing.T, dir, s string) {
	t.Helper()
	var f struct {
		Connections map[string]struct {
			Registration struct {
				ClientSecret string `json:"client_secret"`
			} `json:"registration"`
			Token struct {
				AccessToken  string `json:"access_token"`
				RefreshToken string `json:"refresh_token"`
			} `json:"token"`
		} `json:"connections"`
	}
	raw := storeText(t, dir)
	var generic map[string]any
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	collectSecrets(generic, &secrets)
	_ = f
	if len(secrets) == 0 {
		t.Fatalf("no secret found in the store to check for:\n%s", raw)
	}
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("output shows a secret %q:\n%s", sec, s)
		}
	}
}

func collectSecrets(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && s != "" && (k == "access_token" || k == "refresh_token" || k == "client_secret") {
				*out = append(*out, s)
			}
			collectSecrets(x, out)
		}
	case []any:
		for _, x := range v {
			collectSecrets(x, out)
		}
	}
}

func TestBackpackConnectPushListDisconnect(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})

	var mu sync.Mutex
	held := map[string]bool{}
	fake.Handle("POST /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) != 1 || body["assertion"] == nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":{"error":null,"statusCode":200,"statusText":"OK"}}`)
	}))
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		id, _ := body["id"].(string)
		mu.Lock()
		seen := held[id]
		held[id] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if seen {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
		json.NewEncoder(w).Encode(body)
	}))
	fake.Handle("GET /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"assertions":[`+testAssertion+`]}`)
	}))
	fake.Handle("GET /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"credential":[`+testCredential+`],"compactJwsString":null}`)
	}))

	code, stdout, stderr := connectFake(t, fake, "--name", "fake")
	if code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	fi, err := os.Stat(filepath.Join(dir, "backpacks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode %v, want 0600", fi.Mode().Perm())
	}
	regs := fake.Registered()
	if len(regs) != 1 {
		t.Fatalf("registrations: %d, want 1", len(regs))
	}
	checkRegistration(t, regs[0])
	all := stdout + stderr

	code, stdout, stderr = runCLI("backpack")
	if code != 0 || !strings.HasPrefix(stdout, "fake\t") {
		t.Errorf("backpack: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	all += stdout + stderr

	assertion := filepath.Join(t.TempDir(), "assertion.json")
	credential := filepath.Join(t.TempDir(), "credential.json")
	os.WriteFile(assertion, []byte(testAssertion), 0o644)
	os.WriteFile(credential, []byte(testCredential), 0o644)

	code, stdout, stderr = runCLI("backpack", "push", "--json", assertion, credential, credential)
	all += stdout + stderr
	if code != 0 {
		t.Fatalf("push: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var results []pushLine
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var l pushLine
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		results = append(results, l)
	}
	want := []struct{ api, result string }{{"ob21", "added"}, {"ob30", "added"}, {"ob30", "replaced"}}
	if len(results) != len(want) {
		t.Fatalf("push printed %d objects, want %d:\n%s", len(results), len(want), stdout)
	}
	for i, w := range want {
		if results[i].API != w.api || results[i].Result != w.result || results[i].Backpack != "fake" {
			t.Errorf("push result %d = %+v, want %s %s", i, results[i], w.api, w.result)
		}
	}

	// A 401: refresh once, retry once.
	before := len(fake.TokenRequests())
	fake.UnauthorizedOnce()
	code, stdout, stderr = runCLI("backpack", "push", credential)
	all += stdout + stderr
	if code != 0 || !strings.Contains(stdout, "replaced") {
		t.Errorf("push after 401: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	reqs := fake.TokenRequests()[before:]
	if len(reqs) != 1 || reqs[0].Get("grant_type") != "refresh_token" {
		t.Errorf("token requests after 401: %v, want one refresh", reqs)
	}

	code, stdout, stderr = runCLI("backpack", "list", "--json")
	all += stdout + stderr
	if code != 0 {
		t.Fatalf("list: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `"id":"https://issuer.example/a/1"`) || !strings.Contains(stdout, `"id":"urn:uuid:6f1b7c3e-0000-4000-8000-000000000001"`) {
		t.Errorf("list does not show both badges:\n%s", stdout)
	}

	assertNoSecret(t, dir, all)

	code, stdout, stderr = runCLI("backpack", "disconnect")
	if code != 0 {
		t.Fatalf("disconnect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if len(fake.Revoked()) != 1 {
		t.Errorf("revoked %d tokens, want 1", len(fake.Revoked()))
	}
	if strings.Contains(storeText(t, dir), `"fake"`) {
		t.Errorf("store still holds the connection:\n%s", storeText(t, dir))
	}
	code, _, stderr = runCLI("backpack", "push", credential)
	if code != 2 {
		t.Errorf("push without a connection: exit %d, want 2 (%s)", code, stderr)
	}
}

// checkRegistration checks an RFC 7591 registration body against what
// the IMS Security Framework requires: every URI HTTPS on one host, the
// loopback redirect, Basic client authentication, the code and refresh
// grants, and the scopes with offline_access.
func checkRegistration(t *testing.T, reg map[string]any) {
	t.Helper()
	host := ""
	for _, k := range []string{"client_uri", "logo_uri", "tos_uri", "policy_uri"} {
		s, _ := reg[k].(string)
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s = %q, want an HTTPS URL", k, s)
			continue
		}
		if host == "" {
			host = u.Host
		} else if u.Host != host {
			t.Errorf("%s is on %s, not on %s with the others", k, u.Host, host)
		}
	}
	if reg["client_name"] != "badgebake" || reg["software_id"] != "badgebake" || reg["software_version"] == "" {
		t.Errorf("client_name %v, software_id %v, software_version %v", reg["client_name"], reg["software_id"], reg["software_version"])
	}
	if reg["token_endpoint_auth_method"] != "client_secret_basic" {
		t.Errorf("token_endpoint_auth_method %v", reg["token_endpoint_auth_method"])
	}
	if fmt.Sprint(reg["grant_types"]) != "[authorization_code refresh_token]" || fmt.Sprint(reg["response_types"]) != "[code]" {
		t.Errorf("grant_types %v, response_types %v", reg["grant_types"], reg["response_types"])
	}
	redirects, _ := reg["redirect_uris"].([]any)
	if len(redirects) != 1 || !strings.HasPrefix(fmt.Sprint(redirects[0]), "http://127.0.0.1:") || !strings.HasSuffix(fmt.Sprint(redirects[0]), "/callback") {
		t.Errorf("redirect_uris %v, want the loopback listener's", redirects)
	}
	scopes := strings.Fields(fmt.Sprint(reg["scope"]))
	want := append(append(append([]string{}, fakebackpack.Scopes21...), fakebackpack.Scopes30...), "offline_access")
	if strings.Join(scopes, " ") != strings.Join(want, " ") {
		t.Errorf("scope %q, want %q", scopes, want)
	}
}

func TestBackpackConnectWrongState(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	inR, inW := io.Pipe()
	defer inW.Close()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"backpack", "connect", "--no-browser", fake.URL()}, IO{In: inR, Out: &out, Err: &errOut})
	}()
	for !strings.Contains(errOut.String(), "/oauth/authorize?") {
		select {
		case c := <-done:
			t.Fatalf("connect ended early with %d: %s", c, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	io.WriteString(inW, "http://127.0.0.1:1/callback?code=abc&state=wrong\n")
	if c := <-done; c != 1 {
		t.Errorf("wrong state: exit %d, want 1; stderr:\n%s", c, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "backpacks.json")); err == nil {
		t.Error("a connection was stored after a wrong state")
	}
	if n := len(fake.TokenRequests()); n != 0 {
		t.Errorf("%d token requests after a wrong state, want 0", n)
	}
}

func TestBackpackNoManifest(t *testing.T) {
	t.Setenv(configDirEnv, t.TempDir())
	fake := fakebackpack.New(t, fakebackpack.Options{No21: true, No30: true})
	code, _, stderr := runCLI("backpack", "connect", "--no-browser", fake.URL())
	if code != 2 {
		t.Errorf("no manifest: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, u := range []string{"/.well-known/badgeconnect.json", "/ims/ob/v3p0/discovery"} {
		if !strings.Contains(stderr, fake.URL()+u) {
			t.Errorf("the error does not name %s:\n%s", u, stderr)
		}
	}
}

func TestBackpackRotatedRefreshTokenKept(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{RotateRefresh: true})
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	if code, stdout, stderr := connectFake(t, fake); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	refreshToken := func() string {
		var f map[string]any
		json.Unmarshal([]byte(storeText(t, dir)), &f)
		var secrets []string
		collectSecretsNamed(f, "refresh_token", &secrets)
		if len(secrets) != 1 {
			t.Fatalf("store holds %d refresh tokens, want 1", len(secrets))
		}
		return secrets[0]
	}
	first := refreshToken()
	credential := filepath.Join(t.TempDir(), "credential.json")
	os.WriteFile(credential, []byte(testCredential), 0o644)
	for i := 0; i < 2; i++ {
		fake.UnauthorizedOnce()
		if code, stdout, stderr := runCLI("backpack", "push", credential); code != 0 {
			t.Fatalf("push %d after 401: exit %d, stdout %q, stderr %q", i, code, stdout, stderr)
		}
	}
	if refreshToken() == first {
		t.Error("the rotated refresh token was not stored")
	}
}

func collectSecretsNamed(v any, name string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && s != "" && k == name {
				*out = append(*out, s)
			}
			collectSecretsNamed(x, name, out)
		}
	case []any:
		for _, x := range v {
			collectSecretsNamed(x, name, out)
		}
	}
}

// startConnect runs "backpack connect --no-browser" against fake with a
// standard input that never gives a line, waits for the authorization URL
// and returns it, with the channel of the command's exit status and its
// outputs.
func startConnect(t *testing.T, fake *fakebackpack.Provider) (authURL string, done chan int, out, errOut *lockedBuffer) {
	t.Helper()
	inR, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	out, errOut = &lockedBuffer{}, &lockedBuffer{}
	done = make(chan int, 1)
	go func() {
		done <- Main([]string{"backpack", "connect", "--no-browser", fake.URL()}, IO{In: inR, Out: out, Err: errOut})
	}()
	for authURL == "" {
		select {
		case c := <-done:
			t.Fatalf("connect ended early with %d: %s", c, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
		for _, line := range strings.Split(errOut.String(), "\n") {
			if strings.HasPrefix(line, fake.URL()+"/oauth/authorize?") {
				authURL = line
			}
		}
	}
	return authURL, done, out, errOut
}

func TestBackpackConnectThroughListener(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	authURL, done, out, errOut := startConnect(t, fake)
	redirect := fake.Authorize(authURL)
	if !strings.HasPrefix(redirect, "http://127.0.0.1:") {
		t.Fatalf("redirect %q is not to the loopback listener", redirect)
	}
	resp, err := http.Get(redirect)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("listener answered %d, want 200", resp.StatusCode)
	}
	select {
	case c := <-done:
		if c != 0 {
			t.Fatalf("connect: exit %d; stderr:\n%s", c, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("connect did not finish after the redirect reached the listener")
	}
	if !strings.Contains(storeText(t, dir), `"access_token"`) {
		t.Error("no token stored")
	}
	assertNoSecret(t, dir, out.String()+errOut.String())
}

func TestBackpackConnectGivenClient(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	const page = "https://you.example/callback"
	fake.AddClient("given-id", "given-secret", page)
	code, stdout, stderr := connectFake(t, fake, "--client-id", "given-id", "--client-secret", "given-secret", "--redirect-uri", page)
	if code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := len(fake.Registered()); n != 0 {
		t.Errorf("%d registrations with --client-id, want 0", n)
	}
	if !strings.Contains(storeText(t, dir), `"given-id"`) {
		t.Error("the given client id is not stored")
	}
	if strings.Contains(stdout+stderr, "given-secret") {
		t.Errorf("the client secret is printed:\n%s%s", stdout, stderr)
	}
}

func TestBackpackPushRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	fake.Handle("POST /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		// Badgr's form: error is an array of strings.
		io.WriteString(w, `{"status":{"error":["bad hash","expired"],"statusCode":400,"statusText":"INVALID_BADGE"}}`)
	}))
	if code, stdout, stderr := connectFake(t, fake); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	assertion := filepath.Join(t.TempDir(), "assertion.json")
	os.WriteFile(assertion, []byte(testAssertion), 0o644)
	notBadge := filepath.Join(t.TempDir(), "note.txt")
	os.WriteFile(notBadge, []byte("hello"), 0o644)

	code, stdout, stderr := runCLI("backpack", "push", assertion)
	if code != 1 {
		t.Errorf("refused push: exit %d, want 1; stderr %s", code, stderr)
	}
	for _, want := range []string{"refused", "could not verify the badge", "bad hash", "expired"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("refused push line lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI("backpack", "push", "--json", notBadge)
	if code != 1 || !strings.Contains(stdout, `"result":"not a badge"`) {
		t.Errorf("not a badge: exit %d, stdout %s", code, stdout)
	}
}

func TestBackpackProfile(t *testing.T) {
	t.Setenv(configDirEnv, t.TempDir())
	fake := fakebackpack.New(t, fakebackpack.Options{No30: true})
	var posted map[string]any
	fake.Handle("GET /ims/ob/v2p1/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"profile":{"name":"Ann","email":"ann@example.org"}}`)
	}))
	fake.Handle("POST /ims/ob/v2p1/profile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewDecoder(r.Body).Decode(&posted)
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"profile":{"name":"Ann"}}`)
	}))
	if code, stdout, stderr := connectFake(t, fake); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	fake.UnauthorizedOnce()
	code, stdout, stderr := runCLI("backpack", "profile", "--json")
	if code != 0 || !strings.Contains(stdout, `"email":"ann@example.org"`) || !strings.Contains(stdout, `"api":"ob21"`) {
		t.Errorf("profile: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCLI("backpack", "profile", "--add-email", "b@example.org")
	if code != 0 || posted["email"] != "b@example.org" || len(posted) != 1 {
		t.Errorf("profile --add-email: exit %d, posted %v, stderr %q", code, posted, stderr)
	}
}

func TestBackpackPushSignedAndThrottled(t *testing.T) {
	t.Setenv(configDirEnv, t.TempDir())
	fake := fakebackpack.New(t, fakebackpack.Options{})
	var bodyKeys []string
	fake.Handle("POST /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		for k := range body {
			bodyKeys = append(bodyKeys, k)
		}
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"}}`)
	}))
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	if code, stdout, stderr := connectFake(t, fake); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jws := enc(`{"alg":"RS256"}`) + "." + enc(testAssertion) + "." + enc("not a real signature")
	signed := filepath.Join(t.TempDir(), "signed.jws")
	os.WriteFile(signed, []byte(jws), 0o644)
	credential := filepath.Join(t.TempDir(), "credential.json")
	os.WriteFile(credential, []byte(testCredential), 0o644)

	code, stdout, stderr := runCLI("backpack", "push", "--json", "--max-wait", "5s", signed, credential)
	if code != 1 {
		t.Errorf("exit %d, want 1 (the throttled push failed); stderr %s", code, stderr)
	}
	if len(bodyKeys) != 1 || bodyKeys[0] != "signedAssertion" {
		t.Errorf("2.1 body keys %v, want [signedAssertion]", bodyKeys)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"result":"added"`) || !strings.Contains(lines[1], `"result":"failed"`) || !strings.Contains(lines[1], `"http_status":429`) {
		t.Errorf("push output:\n%s", stdout)
	}
}

func TestBackpackPushVerifyFirst(t *testing.T) {
	t.Setenv(configDirEnv, t.TempDir())
	fake := fakebackpack.New(t, fakebackpack.Options{})
	posts := 0
	fake.Handle("POST /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts++
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"}}`)
	}))
	if code, stdout, stderr := connectFake(t, fake); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	assertion := filepath.Join(t.TempDir(), "assertion.json")
	os.WriteFile(assertion, []byte(testAssertion), 0o644)
	// Offline, the hosted assertion's documents cannot be had: it is not
	// valid here, so it must not be pushed.
	code, stdout, stderr := runCLI("backpack", "push", "--verify", "--offline", "--json", assertion)
	if code != 1 || !strings.Contains(stdout, `"result":"not verified"`) {
		t.Errorf("push --verify: exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
	if posts != 0 {
		t.Errorf("%d pushes of a badge that did not verify, want 0", posts)
	}
	code, stdout, _ = runCLI("backpack", "push", assertion)
	if code != 0 || posts != 1 {
		t.Errorf("push without --verify: exit %d, %d pushes, stdout %s", code, posts, stdout)
	}
}

func TestBackpackRefusedRefreshSaysReconnect(t *testing.T) {
	t.Setenv(configDirEnv, t.TempDir())
	fake := fakebackpack.New(t, fakebackpack.Options{})
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	if code, stdout, stderr := connectFake(t, fake, "--name", "fake"); code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	credential := filepath.Join(t.TempDir(), "credential.json")
	os.WriteFile(credential, []byte(testCredential), 0o644)
	fake.UnauthorizedOnce()
	fake.RefuseRefresh(true)
	code, stdout, stderr := runCLI("backpack", "push", "--json", credential)
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", code, stderr)
	}
	var line pushLine
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	hint := "run `badgebake backpack connect " + fake.URL() + " --name fake`"
	if line.Result != "refused" || line.StatusText != "UNAUTHENTICATED" || !strings.Contains(line.Message, hint) {
		t.Errorf("push line %+v, want refused UNAUTHENTICATED with %q", line, hint)
	}
	// The access token in the store is still good: listing works. Once
	// the provider ends it too, the refused refresh ends the listing.
	fake.Handle("GET /ims/ob/v2p1/assertions", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"assertions":[]}`)
	}))
	fake.Handle("GET /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"credential":[]}`)
	}))
	if code, _, stderr := runCLI("backpack", "list"); code != 0 {
		t.Errorf("list with the stored token: exit %d, stderr %q", code, stderr)
	}
	fake.ExpireAccessTokens()
	code, _, stderr = runCLI("backpack", "list")
	if code == 0 || !strings.Contains(stderr, hint) {
		t.Errorf("list: exit %d, stderr %q, want the hint %q", code, stderr, hint)
	}
}

func TestBackpackConnectClientSecretFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	t.Setenv(clientSecretEnv, "env-secret")
	fake := fakebackpack.New(t, fakebackpack.Options{})
	const page = "https://you.example/callback"
	fake.AddClient("given-id", "env-secret", page)
	code, stdout, stderr := connectFake(t, fake, "--client-id", "given-id", "--redirect-uri", page)
	if code != 0 {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := len(fake.Registered()); n != 0 {
		t.Errorf("%d registrations with --client-id, want 0", n)
	}
	if strings.Contains(stdout+stderr, "env-secret") {
		t.Errorf("the client secret is printed:\n%s%s", stdout, stderr)
	}
	// Without the secret anywhere, --client-id alone is a usage error.
	t.Setenv(clientSecretEnv, "")
	code, _, stderr = runCLI("backpack", "connect", "--no-browser", "--client-id", "given-id", fake.URL())
	if code != 2 || !strings.Contains(stderr, "--client-id and --client-secret (or $"+clientSecretEnv+") go together") {
		t.Errorf("--client-id alone: exit %d, stderr %q", code, stderr)
	}
}

// A request with another state at the listener (a program on this
// machine, a page guessing the port) is refused and does not end the
// wait: the real redirect that follows completes the connection.
func TestBackpackListenerIgnoresAForeignState(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(configDirEnv, dir)
	fake := fakebackpack.New(t, fakebackpack.Options{})
	authURL, done, _, errOut := startConnect(t, fake)
	redirect := fake.Authorize(authURL)
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	foreign := *u
	foreign.RawQuery = url.Values{"code": {"stolen"}, "state": {"not-this-one"}}.Encode()
	resp, err := http.Get(foreign.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("foreign state: listener answered %d, want 400", resp.StatusCode)
	}
	select {
	case c := <-done:
		t.Fatalf("a foreign state ended connect with %d: %s", c, errOut.String())
	case <-time.After(50 * time.Millisecond):
	}
	resp, err = http.Get(redirect)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := <-done; c != 0 || resp.StatusCode != http.StatusOK {
		t.Fatalf("real redirect after a foreign one: exit %d, listener %d; stderr:\n%s", c, resp.StatusCode, errOut.String())
	}
	if !strings.Contains(storeText(t, dir), `"access_token"`) {
		t.Error("no token stored")
	}
}
