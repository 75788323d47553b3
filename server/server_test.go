package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/verify"
)

// fixture is a Server verifying badges of a test issuer.
type fixture struct {
	t      *testing.T
	host   *badgehost.Host
	client *fetch.Client
	srv    *Server
	log    *bytes.Buffer
	logMu  *sync.Mutex
}

func newFixture(t *testing.T, hostOpts badgehost.Options, opts Options) *fixture {
	t.Helper()
	host := badgehost.Start(hostOpts)
	t.Cleanup(host.Close)
	client := fetch.New(fetch.Options{})
	opts.Verifier = verify.New(verify.Config{Client: client})
	opts.Fetch = client
	buf, mu := &bytes.Buffer{}, &sync.Mutex{}
	opts.Logger = slog.New(slog.NewJSONHandler(lockedWriter{buf, mu}, nil))
	opts.Version = "test"
	return &fixture{t: t, host: host, client: client, srv: New(opts), log: buf, logMu: mu}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// do sends a request to the handler and returns the response.
func (f *fixture) do(method, target, contentType, accept string, body io.Reader) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) baked(id string, svg bool) []byte {
	f.t.Helper()
	b, err := f.host.Baked(id, svg)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// multipartBody builds a form like the page's: fields, and an image file
// when img is not nil.
func multipartBody(t *testing.T, fields map[string]string, imgName string, img []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if img != nil || imgName != "" {
		fw, err := mw.CreateFormFile("image", imgName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(img)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

const acceptJSON = "application/json"

// decodeAny decodes JSON into generic values, for comparisons.
func decodeAny(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}

// direct is what verify.Verify says about in, as generic JSON.
func (f *fixture) direct(in verify.Input, profile verify.Recipient) map[string]any {
	f.t.Helper()
	res, err := f.srv.opts.Verifier.Verify(context.Background(), in, &verify.Options{Recipient: profile})
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	return decodeAny(f.t, b)
}

// Every body form of POST /results gives a JSON client exactly the report
// verify gives for the same input.
func TestResultsBodyForms(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	u := f.host.AssertionURL("1")
	png, svg := f.baked("1", false), f.baked("2", true)
	profile := verify.Recipient{"email": "alice@example.org"}
	doc, _ := json.Marshal(map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": u,
		"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
		"badge":     f.host.URL + "/badges/robotics", "verification": map[string]any{"type": "hosted"}, "issuedOn": "2024-01-01T00:00:00Z"})

	type body struct {
		ct   string
		body io.Reader
	}
	jsonBody := func(v any) body {
		b, _ := json.Marshal(v)
		return body{"application/json", bytes.NewReader(b)}
	}
	mp := func(fields map[string]string, name string, img []byte) body {
		ct, b := multipartBody(t, fields, name, img)
		return body{ct, b}
	}
	for _, c := range []struct {
		name    string
		req     body
		in      verify.Input
		profile verify.Recipient
	}{
		{"JSON data URL", jsonBody(map[string]any{"data": u}), verify.Input{Data: []byte(u)}, nil},
		{"JSON data URL, profile object", jsonBody(map[string]any{"data": u, "profile": profile}), verify.Input{Data: []byte(u)}, profile},
		{"JSON data URL, profile string", jsonBody(map[string]any{"data": u, "profile": `{"email": "alice@example.org"}`}), verify.Input{Data: []byte(u)}, profile},
		{"JSON data as a JSON string", jsonBody(map[string]any{"data": string(doc)}), verify.Input{Data: doc}, nil},
		{"JSON data as an object", jsonBody(map[string]any{"data": json.RawMessage(doc)}), verify.Input{Data: doc}, nil},
		{"urlencoded form", body{"application/x-www-form-urlencoded", strings.NewReader(url.Values{"data": {u}, "profile": {`{"email": "alice@example.org"}`}}.Encode())}, verify.Input{Data: []byte(u)}, profile},
		{"multipart data", mp(map[string]string{"data": u, "profile": ""}, "", nil), verify.Input{Data: []byte(u)}, nil},
		{"multipart PNG upload", mp(map[string]string{"data": ""}, "badge.png", png), verify.Input{Data: png, Name: "badge.png"}, nil},
		{"multipart SVG upload wins over data", mp(map[string]string{"data": "https://ignored.example/x"}, "badge.svg", svg), verify.Input{Data: svg, Name: "badge.svg"}, nil},
		{"multipart upload with a Windows path", mp(nil, `C:\Users\a\badge.png`, png), verify.Input{Data: png, Name: "badge.png"}, nil},
		{"multipart upload with profile", mp(map[string]string{"profile": `{"email": "alice@example.org"}`}, "badge.png", png), verify.Input{Data: png, Name: "badge.png"}, profile},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do("POST", "/results", c.req.ct, acceptJSON, c.req.body)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q:\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			got := decodeAny(t, rec.Body.Bytes())
			want := f.direct(c.in, c.profile)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report differs from verify's:\n got %v\nwant %v", got, want)
			}
			rep := got["report"].(map[string]any)
			if rep["valid"] != true {
				t.Errorf("not valid: %s", rec.Body)
			}
			if (c.profile != nil) != (rep["recipientProfile"] != nil) {
				t.Errorf("recipientProfile %v with profile %v", rep["recipientProfile"], c.profile)
			}
			if v := rec.Header().Get("Badgebake-Verdict"); v != "valid" {
				t.Errorf("Badgebake-Verdict %q", v)
			}
		})
	}
	// The shared cache: the badge class, issuer and image were fetched once
	// for all of the above.
	for _, p := range []string{"/badges/robotics", "/issuer", "/badges/robotics.png"} {
		if n := f.host.Count(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}
}

func TestResultsInvalidAndRevokedAre200(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	for id, verdict := range map[string]string{badgehost.Revoked: "revoked", badgehost.Bad: "invalid"} {
		b, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(id)})
		rec := f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(b))
		if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != verdict {
			t.Errorf("%s: status %d, verdict %q", id, rec.Code, rec.Header().Get("Badgebake-Verdict"))
		}
		if rep := decodeAny(t, rec.Body.Bytes())["report"].(map[string]any); rep["valid"] != false {
			t.Errorf("%s: valid %v", id, rep["valid"])
		}
	}
}

func TestAcceptNegotiation(t *testing.T) {
	for accept, want := range map[string]bool{
		"application/json":                      true,
		"application/json, text/html;q=0.9":     true,
		"text/html, application/json":           false, // equal: HTML, as in the reference
		"*/*":                                   false,
		"":                                      false,
		"application/*":                         true, // html not acceptable at all
		"application/json;q=0.5, text/*;q=0.4":  true,
		"text/html;q=0.1, application/json;q=1": true,
		"TEXT/HTML, Application/JSON;q=0.8":     false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8": false, // a browser
		"application/json;q=abc, text/html;q=0.5":                                               true,  // an unreadable q means 1
	} {
		if got := wantsJSON(accept); got != want {
			t.Errorf("wantsJSON(%q) = %v, want %v", accept, got, want)
		}
	}
}

func TestHomeAndRedirect(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	rec := f.do("GET", "/?url="+url.QueryEscape(`https://x.example/a"></textarea><script>alert(1)</script>`), "", "", nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{`action="/results"`, `method="post"`, `enctype="multipart/form-data"`, `name="data"`, `name="image"`, `name="profile"`, `type="file"`,
		`https://x.example/a&#34;&gt;&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("?url= was not escaped")
	}
	rec = f.do("GET", "/results", "", "", nil)
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/" {
		t.Errorf("GET /results: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := f.do("GET", "/nope", "", "", nil); rec.Code != 404 {
		t.Errorf("GET /nope: %d", rec.Code)
	}
	if rec := f.do("PUT", "/results", "", "", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT /results: %d", rec.Code)
	}
	if rec := f.do("GET", "/static/style.css", "", "", nil); rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || rec.Body.Len() < 100 {
		t.Errorf("stylesheet: %d %q %d bytes", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
	}
}

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	for _, target := range []string{"/", "/results", "/healthz", "/metrics", "/nope", "/static/style.css"} {
		rec := f.do("GET", target, "", "", nil)
		h := rec.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: headers %v", target, h)
		}
	}
}

// The badge card: the person sees the image, name, issuer, recipient,
// dates and the verdict, and every value a badge supplies is escaped.
func TestResultPage(t *testing.T) {
	hostile := `Robotics <script>alert("x")</script>`
	f := newFixture(t, badgehost.Options{BadgeName: hostile, IssuerName: `Issuer "><img src=x onerror=alert(1)>`}, Options{})
	ct, body := multipartBody(t, map[string]string{"data": "", "profile": `{"email": "alice@example.org"}`}, "badge.png", f.baked("1", false))
	rec := f.do("POST", "/results", ct, "text/html,application/xhtml+xml,*/*;q=0.8", body)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %q:\n%s", rec.Code, rec.Header().Get("Content-Type"), page)
	}
	for _, want := range []string{
		`<p class="verdict" id="verdict">✔ Valid</p>`,
		`<h1 id="badge-name">Robotics &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>`,
		`Issuer &#34;&gt;&lt;img src=x onerror=alert(1)&gt;`,
		`<dd id="recipient">email alice@example.org</dd>`,
		`✔ email alice@example.org`,
		`<dd id="issued">1 January 2024</dd>`,
		`<img src="data:image/png;base64,`,
		`<summary>Raw JSON report</summary>`,
		`&#34;valid&#34;: true`,
		`0 error(s)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "<img src=x") {
		t.Error("a badge value reached the page unescaped")
	}

	// A hosted URL: the image comes from the fetch cache, as a data: URI.
	before := f.host.Count("/badges/robotics.png")
	rec = f.do("POST", "/results", "application/x-www-form-urlencoded", "", strings.NewReader("data="+url.QueryEscape(f.host.AssertionURL("7"))))
	if !strings.Contains(rec.Body.String(), `<img src="data:image/png;base64,`) {
		t.Error("hosted badge: no inline image")
	}
	if n := f.host.Count("/badges/robotics.png") - before; n != 0 {
		t.Errorf("showing the image fetched it %d more times", n)
	}

	rec = f.do("POST", "/results", "application/x-www-form-urlencoded", "", strings.NewReader("data="+url.QueryEscape(f.host.AssertionURL(badgehost.Revoked))))
	if page := rec.Body.String(); !strings.Contains(page, `id="verdict">✘ Revoked</p>`) || !strings.Contains(page, "PROCESS_410_GONE") || !strings.Contains(page, `class="card verdict-revoked"`) {
		t.Errorf("revoked badge page:\n%s", page)
	}
	rec = f.do("POST", "/results", "application/x-www-form-urlencoded", "", strings.NewReader("data=not+a+badge"))
	if page := rec.Body.String(); rec.Code != 200 || !strings.Contains(page, "✘ Invalid") || !strings.Contains(page, "Badge not identified") || !strings.Contains(page, "DETECT_INPUT_TYPE") {
		t.Errorf("not a badge: %d\n%s", rec.Code, page)
	}
}

func TestRequestErrors(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{MaxUpload: 64 << 10})
	big := bytes.Repeat([]byte("x"), 65<<10)
	bigCT, bigBody := multipartBody(t, nil, "big.png", big)
	for _, c := range []struct {
		name, ct, body string
		status         int
		msg            string
	}{
		{"no Content-Type", "", `{"data": "x"}`, 415, "Content-Type"},
		{"text/plain", "text/plain", "https://example.org/a", 415, `"text/plain"`},
		{"broken JSON", "application/json", `{"data": `, 400, "not a JSON object"},
		{"JSON array", "application/json", `["x"]`, 400, "not a JSON object"},
		{"two JSON objects", "application/json", `{"data": "https://example.org/a"} {"data": "x"}`, 400, "more after its JSON object"},
		{"data a number", "application/json", `{"data": 5}`, 400, "data is a number"},
		{"nothing", "application/json", `{}`, 400, "nothing to verify"},
		{"blank data", "application/json", `{"data": "  \n"}`, 400, "nothing to verify"},
		{"profile not an object", "application/json", `{"data": "https://example.org/a", "profile": "[1]"}`, 400, "profile is not a JSON object"},
		{"profile null string", "application/x-www-form-urlencoded", "data=https%3A%2F%2Fexample.org%2Fa&profile=null", 400, "profile is not a JSON object"},
		{"empty form", "application/x-www-form-urlencoded", "", 400, "nothing to verify"},
		{"multipart without boundary", "multipart/form-data", "x", 400, "boundary"},
		{"empty body", "", "", 400, "nothing to verify: the request body is empty"},
		{"empty JSON body", "application/json", "", 400, "nothing to verify: the request body is empty"},
		{"too large", bigCT, bigBody.String(), 413, "larger than this server's limit of 64 KiB"},
		{"too large JSON", "application/json", `{"data": "` + string(big) + `"}`, 413, "64 KiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do("POST", "/results", c.ct, acceptJSON, strings.NewReader(c.body))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Status != c.status || !strings.Contains(e.Error, c.msg) {
				t.Errorf("body %s (%v), want an error with %q", rec.Body, err, c.msg)
			}
			// People get a page with the same message.
			html := f.do("POST", "/results", c.ct, "", strings.NewReader(c.body))
			if html.Code != c.status || !strings.HasPrefix(html.Header().Get("Content-Type"), "text/html") || !strings.Contains(html.Body.String(), `<p class="message">`) {
				t.Errorf("HTML: %d %q", html.Code, html.Header().Get("Content-Type"))
			}
		})
	}
}

// Uploads are read in memory only: nothing appears in the temporary
// folder, even for a body far above what ParseMultipartForm would keep in
// memory.
func TestUploadsNeverTouchDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFixture(t, badgehost.Options{}, Options{})
	img := append(f.baked("1", false), bytes.Repeat([]byte{0}, 3<<20)...) // trailing bytes after IEND
	ct, body := multipartBody(t, map[string]string{"data": ""}, "big.png", img)
	rec := f.do("POST", "/results", ct, acceptJSON, body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the upload left %d files in TMPDIR: %v", len(entries), entries)
	}
}

// With every slot taken, a request gets 503 with Retry-After at once;
// the held one still finishes.
func TestBusy(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, badgehost.Options{Gate: gate}, Options{MaxConcurrent: 1})
	slow, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(badgehost.Slow)})
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(slow)) }()
	for f.host.Count("/assertions/"+badgehost.Slow) == 0 {
		time.Sleep(time.Millisecond)
	}
	fast, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1")})
	body := &countingReader{r: bytes.NewReader(fast)}
	rec := f.do("POST", "/results", "application/json", acceptJSON, body)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "busy") {
		t.Errorf("second request: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if body.n != 0 {
		t.Errorf("%d bytes of a body were read to answer that every slot is taken", body.n)
	}
	if rec := f.do("POST", "/unbake", "image/png", acceptJSON, bytes.NewReader(f.baked("1", false))); rec.Code != 503 {
		t.Errorf("unbake while busy: %d", rec.Code)
	}
	if rec := f.do("GET", "/healthz", "", "", nil); rec.Code != 200 {
		t.Errorf("healthz while busy: %d", rec.Code)
	}
	close(gate)
	if rec := <-done; rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "valid" {
		t.Errorf("held request: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(fast)); rec.Code != 200 {
		t.Errorf("after the slot freed: %d", rec.Code)
	}
	if m := metricValue(t, f, `badgebake_rejected_busy_total`); m != 2 {
		t.Errorf("busy rejections %v, want 2", m)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestRequestTimeout(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	f := newFixture(t, badgehost.Options{Gate: gate}, Options{RequestTimeout: 100 * time.Millisecond})
	slow, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(badgehost.Slow)})
	rec := f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(slow))
	if rec.Code != http.StatusGatewayTimeout || !strings.Contains(rec.Body.String(), "did not finish within 100ms") {
		t.Errorf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestUnbake(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	png := f.baked("1", false)
	wantPayload := f.host.AssertionURL("1")
	check := func(name string, rec *httptest.ResponseRecorder, status int, file string) {
		t.Helper()
		if rec.Code != status {
			t.Fatalf("%s: status %d, want %d: %s", name, rec.Code, status, rec.Body)
		}
		m := decodeAny(t, rec.Body.Bytes())
		if m["file"] != file {
			t.Errorf("%s: file %v", name, m["file"])
		}
		if status == 200 && (m["payload"] != wantPayload || m["format"] != "png" || m["kind"] != "url") {
			t.Errorf("%s: %v", name, m)
		}
		if status == 422 && m["error"] == nil {
			t.Errorf("%s: no error in %v", name, m)
		}
	}
	ct, body := multipartBody(t, nil, "mine.png", png)
	check("multipart", f.do("POST", "/unbake", ct, "", body), 200, "mine.png")
	check("raw body", f.do("POST", "/unbake", "image/png", "", bytes.NewReader(png)), 200, "upload")
	check("no badge", f.do("POST", "/unbake", "image/png", "", bytes.NewReader(examples.PNG())), 422, "upload")
	check("not an image", f.do("POST", "/unbake", "application/octet-stream", "", strings.NewReader("hello")), 422, "upload")
	ct, body = multipartBody(t, map[string]string{"data": "x"}, "", nil)
	if rec := f.do("POST", "/unbake", ct, acceptJSON, body); rec.Code != 400 || !strings.Contains(rec.Body.String(), "no image") {
		t.Errorf("no image: %d %s", rec.Code, rec.Body)
	}
}

func TestHealthzAndDrain(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	rec := f.do("GET", "/healthz", "", "", nil)
	if rec.Code != 200 || decodeAny(t, rec.Body.Bytes())["status"] != "ok" {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	f.srv.Drain()
	rec = f.do("GET", "/healthz", "", "", nil)
	if rec.Code != 503 || decodeAny(t, rec.Body.Bytes())["status"] != "shutting down" {
		t.Errorf("healthz draining: %d %s", rec.Code, rec.Body)
	}
}

// Shutdown refuses new verification work with 503 while /healthz says
// "shutting down", and returns once the verification in progress has been
// answered.
func TestShutdown(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, badgehost.Options{Gate: gate}, Options{})
	held, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(badgehost.Slow)})
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(held)) }()
	waitFor(t, "the held verification", func() bool { return f.host.Count("/assertions/"+badgehost.Slow) > 0 })

	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := f.srv.Shutdown(short); err != context.DeadlineExceeded {
		t.Errorf("Shutdown with work in progress past its context: %v", err)
	}
	shut := make(chan error)
	go func() { shut <- f.srv.Shutdown(context.Background()) }()

	if rec := f.do("GET", "/healthz", "", "", nil); rec.Code != 503 || decodeAny(t, rec.Body.Bytes())["status"] != "shutting down" {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	fast, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1")})
	rec := f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(fast))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || decodeAny(t, rec.Body.Bytes())["error"] != "the server is shutting down" {
		t.Errorf("new /results: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := f.do("POST", "/unbake", "image/png", "", bytes.NewReader(f.baked("1", false))); rec.Code != 503 {
		t.Errorf("new /unbake: %d", rec.Code)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned with a verification in progress: %v", err)
	default:
	}
	close(gate)
	if rec := <-done; rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "valid" {
		t.Errorf("held request: %d %s", rec.Code, rec.Body)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := f.srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown again, with nothing in progress: %v", err)
	}
}

// metricValue reads one sample from /metrics.
func metricValue(t *testing.T, f *fixture, series string) float64 {
	t.Helper()
	body := f.do("GET", "/metrics", "", "", nil).Body.String()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in /metrics:\n%s", series, body)
	}
	var v float64
	fmt.Sscan(m[1], &v)
	return v
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	post := func(id string) {
		b, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(id)})
		f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(b))
	}
	post("1")
	post("2")
	post(badgehost.Revoked)
	post(badgehost.Bad)
	f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(`{}`))
	for series, want := range map[string]float64{
		`badgebake_http_requests_total{route="POST /results",code="200"}`:                 4,
		`badgebake_http_requests_total{route="POST /results",code="400"}`:                 1,
		`badgebake_verifications_total{verdict="valid"}`:                                  2,
		`badgebake_verifications_total{verdict="revoked"}`:                                1,
		`badgebake_verifications_total{verdict="invalid"}`:                                1,
		`badgebake_http_request_duration_seconds_count{route="POST /results"}`:            5,
		`badgebake_http_request_duration_seconds_bucket{route="POST /results",le="+Inf"}`: 5,
		`badgebake_fetch_requests_total`:                                                  float64(f.client.Stats().Requests),
		`badgebake_verifications_in_flight`:                                               0,
		`badgebake_build_info{version="test"}`:                                            1,
	} {
		if got := metricValue(t, f, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if f.client.Stats().Requests != 7 { // 4 assertions, badge class, issuer, image
		t.Errorf("fetch requests %d, want 7", f.client.Stats().Requests)
	}
	// A scrape counts itself under its own route.
	if got := metricValue(t, f, `badgebake_http_requests_total{route="GET /metrics",code="200"}`); got < 1 {
		t.Errorf("metrics requests %v", got)
	}
}

// One structured access log record per request, with the verdict and no
// request content.
func TestAccessLog(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	b, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1"), "profile": `{"email": "alice@example.org"}`})
	req := httptest.NewRequest("POST", "/results", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "req-42")
	f.srv.ServeHTTP(httptest.NewRecorder(), req)
	f.logMu.Lock()
	line := f.log.String()
	f.logMu.Unlock()
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
		t.Fatalf("log is not one JSON record: %v\n%s", err, line)
	}
	for k, want := range map[string]any{"msg": "request", "method": "POST", "path": "/results", "route": "POST /results",
		"status": 200.0, "verdict": "valid", "input_type": "url", "request_id": "req-42"} {
		if rec[k] != want {
			t.Errorf("log %s = %v, want %v", k, rec[k], want)
		}
	}
	if _, ok := rec["duration_ms"].(float64); !ok {
		t.Errorf("no duration_ms in %v", rec)
	}
	if strings.Contains(line, "alice@example.org") || strings.Contains(line, "assertions/1") {
		t.Errorf("the log holds request content: %s", line)
	}

	// A request id that is not short and plain is replaced, not echoed.
	for _, bad := range []string{"a b", "<script>", strings.Repeat("x", 65), "é"} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-Id", bad)
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Request-Id"); got == bad || len(got) != 16 {
			t.Errorf("X-Request-Id %q came back as %q", bad, got)
		}
	}
}

// A client that leaves while its badge is verified gets nothing, and the
// request is logged and counted as 499.
func TestClientGone(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	f := newFixture(t, badgehost.Options{Gate: gate}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	b, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(badgehost.Slow)})
	req := httptest.NewRequest("POST", "/results", bytes.NewReader(b)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.srv.ServeHTTP(rec, req); close(done) }()
	for f.host.Count("/assertions/"+badgehost.Slow) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if rec.Body.Len() != 0 {
		t.Errorf("an answer was written: %s", rec.Body)
	}
	f.logMu.Lock()
	line := f.log.String()
	f.logMu.Unlock()
	if !strings.Contains(line, `"status":499`) || !strings.Contains(line, "went away") {
		t.Errorf("log: %s", line)
	}
	if got := metricValue(t, f, `badgebake_http_requests_total{route="POST /results",code="499"}`); got != 1 {
		t.Errorf("499s counted: %v", got)
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{CORSOrigins: []string{"https://badges.example"}})
	req := func(method, origin string, hdr map[string]string) *httptest.ResponseRecorder {
		b, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1")})
		r := httptest.NewRequest(method, "/results", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", acceptJSON)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, r)
		return rec
	}
	pre := req("OPTIONS", "https://badges.example", map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	if pre.Code != 204 || pre.Header().Get("Access-Control-Allow-Origin") != "https://badges.example" || pre.Header().Get("Access-Control-Allow-Methods") != "POST" ||
		!strings.Contains(pre.Header().Get("Access-Control-Allow-Headers"), "Content-Type") || pre.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", pre.Code, pre.Header())
	}
	if rec := req("OPTIONS", "https://evil.example", map[string]string{"Access-Control-Request-Method": "POST"}); rec.Code != 403 || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", rec.Code, rec.Header())
	}
	rec := req("POST", "https://badges.example", nil)
	if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "https://badges.example" ||
		!strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "Badgebake-Verdict") || rec.Header().Get("Vary") != "Origin" {
		t.Errorf("POST from the allowed origin: %d %v", rec.Code, rec.Header())
	}
	if rec := req("POST", "https://evil.example", nil); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("POST from another origin got %v", rec.Header())
	}

	// Without CORSOrigins: no CORS headers, and no preflight route.
	g := newFixture(t, badgehost.Options{}, Options{})
	r := httptest.NewRequest("OPTIONS", "/results", nil)
	r.Header.Set("Origin", "https://badges.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	g.srv.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no CORS configured: %d %v", w.Code, w.Header())
	}
}
