// Package conformance loads the verifier conformance suite in
// testdata/conformance and checks results against it. Each case directory
// holds a case.json: a verification input, the HTTP documents it needs
// (base.json, the reference's three 2.0 fixtures and their images, plus the
// case's own mocks and patches) and the outcome expected. Expectations
// follow openbadges-validator-core's observed outcomes except where
// docs/compatibility.md says why not (the case's "divergence").
//
// Signed assertions are made at test time (signed.go): a mock
// {"publicKey": "k1"} serves a CryptographicKey document for a named
// RSA-2048 key generated once per process, and an input or baked payload
// {"signed": {"key": "k1", "alg": "RS256", "payload": {…}}} is a compact
// JWS signed with it (or tampered with, or an "alg": "none" or HS256
// algorithm-confusion token built by hand).
//
// The suite runs twice: in process through an http.RoundTripper (package
// verify), and end to end through the badgebake command, a real HTTPS
// server with a test CA and a proxy (package cli).
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// Mock is one served document.
type Mock struct {
	Status      int             `json:"status"`
	ContentType string          `json:"contentType"`
	JSON        json.RawMessage `json:"json"`
	Text        *string         `json:"text"`
	Image       string          `json:"image"`    // "png" or "svg": the example badge image
	Baked       PayloadText     `json:"baked"`    // a payload baked into the example PNG
	BakedSVG    PayloadText     `json:"bakedSVG"` // a payload baked into the example SVG
	File        string          `json:"file"`     // a file in the case directory
	// PublicKey names a test key (see Key): the mock serves a
	// CryptographicKey document whose id is its URL and whose publicKeyPem
	// is that key's public key, with Owner as owner when set. PEM is
	// "pkix" (PUBLIC KEY, the default) or "pkcs1" (RSA PUBLIC KEY). Case
	// patches apply to the document.
	PublicKey string `json:"publicKey"`
	Owner     string `json:"owner"`
	PEM       string `json:"pem"`
}

// ExpectedMessage is a message the report must carry.
type ExpectedMessage struct {
	Name     string `json:"name"`
	Level    string `json:"level"`
	Prop     string `json:"prop,omitempty"`
	Contains string `json:"contains,omitempty"` // a phrase of the message text
	Node     string `json:"node,omitempty"`     // the message's node_id
}

// Expect is the expected outcome; unset fields are not checked.
type Expect struct {
	Valid             *bool             `json:"valid"`
	ErrorCount        *int              `json:"errorCount"`
	WarningCount      *int              `json:"warningCount"`
	Messages          []ExpectedMessage `json:"messages"`
	ValidationSubject string            `json:"validationSubject"`
	OpenBadgesVersion string            `json:"openBadgesVersion"`
	RecipientProfile  map[string]string `json:"recipientProfile"`
	InputType         string            `json:"inputType"`
	InputValue        string            `json:"inputValue"`
	Graph             []map[string]any  `json:"graph"` // id and type of each node, in any order
	Requests          map[string]int    `json:"requests"`
}

// Case is one conformance case.
type Case struct {
	Name        string                                `json:"-"`
	Dir         string                                `json:"-"`
	Description string                                `json:"description"`
	Reference   string                                `json:"reference"`
	Divergence  string                                `json:"divergence"`
	Input       json.RawMessage                       `json:"input"`
	Recipient   map[string]any                        `json:"recipient"`
	NoBase      bool                                  `json:"noBase"`
	Mocks       map[string]*Mock                      `json:"mocks"`
	Patch       map[string]map[string]json.RawMessage `json:"patch"`
	Expect      Expect                                `json:"expect"`

	served map[string]*Mock
	t      testing.TB
}

var timePlaceholder = regexp.MustCompile(`\{\{now([+-])(\d+)d\}\}`)

// resolveTimes replaces {{now+2d}} and {{now-3d}} with RFC 3339 times.
func resolveTimes(b []byte, now time.Time) []byte {
	return timePlaceholder.ReplaceAllFunc(b, func(m []byte) []byte {
		g := timePlaceholder.FindSubmatch(m)
		days, _ := strconv.Atoi(string(g[2]))
		if string(g[1]) == "-" {
			days = -days
		}
		return []byte(now.AddDate(0, 0, days).Format(time.RFC3339))
	})
}

// Load reads every case under dir, resolving relative dates against now.
func Load(t testing.TB, dir string, now time.Time) []*Case {
	t.Helper()
	base := readMocks(t, filepath.Join(dir, "base.json"), now)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []*Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c := &Case{Name: e.Name(), Dir: filepath.Join(dir, e.Name()), t: t}
		b, err := os.ReadFile(filepath.Join(c.Dir, "case.json"))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(resolveTimes(b, now)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(c); err != nil {
			t.Fatalf("%s/case.json: %v", e.Name(), err)
		}
		c.served = c.mocks(base)
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no conformance cases in %s", dir)
	}
	return cases
}

func readMocks(t testing.TB, path string, now time.Time) map[string]*Mock {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]*Mock
	if err := json.Unmarshal(resolveTimes(b, now), &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// mocks merges base, the case's own mocks and its patches.
func (c *Case) mocks(base map[string]*Mock) map[string]*Mock {
	out := map[string]*Mock{}
	if !c.NoBase {
		for u, m := range base {
			out[u] = m
		}
	}
	for u, m := range c.Mocks {
		if m == nil {
			delete(out, u)
			continue
		}
		out[u] = m
	}
	for u, m := range out {
		if m.PublicKey != "" {
			out[u] = keyDocument(c.t, u, m)
		}
	}
	for u, p := range c.Patch {
		m := out[u]
		if m == nil {
			c.t.Fatalf("%s: patch of %s, which is not mocked", c.Name, u)
		}
		copied := *m
		copied.JSON = patched(c.t, m.JSON, p)
		out[u] = &copied
	}
	return out
}

// patched merges properties into a JSON object (null deletes).
func patched(t testing.TB, doc json.RawMessage, patch map[string]json.RawMessage) json.RawMessage {
	var obj map[string]any
	if err := json.Unmarshal(doc, &obj); err != nil {
		t.Fatalf("patching a non-JSON mock: %v", err)
	}
	for k, v := range patch {
		if string(v) == "null" {
			delete(obj, k)
			continue
		}
		var val any
		json.Unmarshal(v, &val)
		obj[k] = val
	}
	b, _ := json.Marshal(obj)
	return b
}

// URLs returns the URLs the case serves.
func (c *Case) URLs() []string {
	var out []string
	for u := range c.served {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Body renders the document served at url, and its default content type.
func (c *Case) Body(url string) (body []byte, contentType string, status int, ok bool) {
	m := c.served[url]
	if m == nil {
		return nil, "", 0, false
	}
	status = m.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case m.JSON != nil:
		body, contentType = m.JSON, "application/ld+json"
	case m.Text != nil:
		body, contentType = []byte(*m.Text), "text/plain"
	case m.Image == "png":
		body, contentType = examples.PNG(), "image/png"
	case m.Image == "svg":
		body, contentType = examples.SVG(), "image/svg+xml"
	case !m.Baked.IsZero():
		body, contentType = BakeExample(c.t, examples.PNG(), m.Baked.Render(c.t)), "image/png"
	case !m.BakedSVG.IsZero():
		body, contentType = BakeExample(c.t, examples.SVG(), m.BakedSVG.Render(c.t)), "image/svg+xml"
	case m.File != "":
		b, err := os.ReadFile(filepath.Join(c.Dir, m.File))
		if err != nil {
			c.t.Fatal(err)
		}
		body, contentType = b, "application/octet-stream"
	}
	if m.ContentType != "" {
		contentType = m.ContentType
	}
	return body, contentType, status, true
}

// BakeExample bakes text into an example image, skipping verification.
func BakeExample(t testing.TB, img []byte, text string) []byte {
	p, err := payload.Parse([]byte(text))
	if err != nil {
		t.Fatalf("baked mock payload: %v", err)
	}
	var out bytes.Buffer
	if _, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, &bake.Options{Validator: acceptAll{}}); err != nil {
		t.Fatalf("baking a mock: %v", err)
	}
	return out.Bytes()
}

type acceptAll struct{}

func (acceptAll) Validate(context.Context, *payload.Payload) ([]string, error) { return nil, nil }

// Input is the case's input in one of the forms a user gives it.
type Input struct {
	Text  string // a URL, or JSON text (--data)
	IsURL bool
	File  []byte // an image or document file
}

// Input renders the case's input.
func (c *Case) InputOf() Input {
	var s string
	if json.Unmarshal(c.Input, &s) == nil {
		l := strings.ToLower(s)
		return Input{Text: s, IsURL: strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")}
	}
	var obj struct {
		JSON   json.RawMessage `json:"json"`
		Mock   string          `json:"mock"`
		Baked  PayloadText     `json:"baked"`
		SVG    PayloadText     `json:"bakedSVG"`
		Signed *Signed         `json:"signed"`
	}
	dec := json.NewDecoder(bytes.NewReader(c.Input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		c.t.Fatalf("%s: input: %v", c.Name, err)
	}
	switch {
	case obj.JSON != nil:
		return Input{Text: string(obj.JSON)}
	case obj.Mock != "":
		b, _, _, ok := c.Body(obj.Mock)
		if !ok {
			c.t.Fatalf("%s: input mock %s is not served", c.Name, obj.Mock)
		}
		return Input{File: b}
	case !obj.Baked.IsZero():
		return Input{File: BakeExample(c.t, examples.PNG(), obj.Baked.Render(c.t))}
	case !obj.SVG.IsZero():
		return Input{File: BakeExample(c.t, examples.SVG(), obj.SVG.Render(c.t))}
	case obj.Signed != nil:
		return Input{Text: obj.Signed.Token(c.t)}
	}
	c.t.Fatalf("%s: input has no known form", c.Name)
	return Input{}
}

// Server serves a case's documents and counts requests by URL. It is an
// http.RoundTripper for in-process runs and an http.Handler for real
// servers (the URL is rebuilt from the Host header and the scheme).
type Server struct {
	Case     *Case
	Scheme   func(*http.Request) string
	mu       sync.Mutex
	requests map[string]int
}

// NewServer serves c.
func NewServer(c *Case) *Server { return &Server{Case: c, requests: map[string]int{}} }

// RoundTrip implements http.RoundTripper.
func (s *Server) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ct, status := s.answer(req.URL.String())
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	body, ct, status := s.answer(scheme + "://" + r.Host + r.URL.RequestURI())
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) answer(url string) ([]byte, string, int) {
	s.mu.Lock()
	s.requests[url]++
	s.mu.Unlock()
	body, ct, status, ok := s.Case.Body(url)
	if !ok {
		return []byte("not found"), "text/plain", http.StatusNotFound
	}
	return body, ct, status
}

// Requests returns how often url was requested.
func (s *Server) Requests(url string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[url]
}

// Check compares a result with the case's expectations.
func (c *Case) Check(t testing.TB, res *report.Result, srv *Server) {
	t.Helper()
	rep, e := res.Report, c.Expect
	fail := func(format string, args ...any) {
		t.Helper()
		dump, _ := json.MarshalIndent(res, "", "  ")
		t.Errorf(format+"\n%s\nreport:\n%s", append(args, c.Description, dump)...)
	}
	if e.Valid != nil && rep.Valid != *e.Valid {
		fail("valid = %v, want %v", rep.Valid, *e.Valid)
	}
	if e.ErrorCount != nil && rep.ErrorCount != *e.ErrorCount {
		fail("errorCount = %d, want %d", rep.ErrorCount, *e.ErrorCount)
	}
	if e.WarningCount != nil && rep.WarningCount != *e.WarningCount {
		fail("warningCount = %d, want %d", rep.WarningCount, *e.WarningCount)
	}
	// The listed ERROR and WARNING messages must be exactly the counted
	// ones; listed INFO messages must be present.
	var got, want []string
	for _, m := range rep.Messages {
		if m.MessageLevel != report.Info {
			got = append(got, fmt.Sprintf("%s %s %s", m.Name, m.MessageLevel, m.PropName))
		}
	}
	for _, m := range e.Messages {
		if m.Level != string(report.Info) {
			want = append(want, fmt.Sprintf("%s %s %s", m.Name, m.Level, m.Prop))
		}
		found := false
		for _, g := range rep.Messages {
			found = found || (g.Name == m.Name && string(g.MessageLevel) == m.Level && g.PropName == m.Prop &&
				strings.Contains(g.Result, m.Contains) && (m.Node == "" || g.NodeID == m.Node))
		}
		if !found {
			fail("no message %+v", m)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if e.Messages != nil && strings.Join(got, "\n") != strings.Join(want, "\n") {
		fail("messages\n got %q\nwant %q", got, want)
	}
	if e.ValidationSubject != "" && rep.ValidationSubject != e.ValidationSubject {
		fail("validationSubject = %q, want %q", rep.ValidationSubject, e.ValidationSubject)
	}
	if e.OpenBadgesVersion != "" && rep.OpenBadgesVersion != e.OpenBadgesVersion {
		fail("openBadgesVersion = %q, want %q", rep.OpenBadgesVersion, e.OpenBadgesVersion)
	}
	if e.RecipientProfile != nil && fmt.Sprint(rep.RecipientProfile) != fmt.Sprint(e.RecipientProfile) {
		fail("recipientProfile = %v, want %v", rep.RecipientProfile, e.RecipientProfile)
	}
	if e.InputType != "" && res.Input.InputType != e.InputType {
		fail("input_type = %q, want %q", res.Input.InputType, e.InputType)
	}
	if e.InputValue != "" && res.Input.Value != e.InputValue {
		fail("input value = %q, want %q", res.Input.Value, e.InputValue)
	}
	if e.Graph != nil {
		var g, w []string
		for _, n := range res.Graph {
			g = append(g, fmt.Sprintf("%v %v", n["id"], n["type"]))
		}
		for _, n := range e.Graph {
			w = append(w, fmt.Sprintf("%v %v", n["id"], n["type"]))
		}
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, "\n") != strings.Join(w, "\n") {
			fail("graph nodes\n got %q\nwant %q", g, w)
		}
		// Properties other than id and type given for a node must be
		// in the graph's node with that id, with the same JSON value.
		for _, want := range e.Graph {
			for k, v := range want {
				if k == "id" || k == "type" {
					continue
				}
				var got any = "(no such node)"
				for _, n := range res.Graph {
					if fmt.Sprint(n["id"]) == fmt.Sprint(want["id"]) {
						got = n[k]
					}
				}
				if gb, wb := canonicalJSON(got), canonicalJSON(v); gb != wb {
					fail("graph node %v %s = %s, want %s", want["id"], k, gb, wb)
				}
			}
		}
	}
	if srv != nil {
		for u, n := range e.Requests {
			if got := srv.Requests(u); got != n {
				fail("%s requested %d times, want %d", u, got, n)
			}
		}
	}
}

// canonicalJSON renders a decoded JSON value with sorted keys, so values
// decoded differently (json.Number or float64) compare equal.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		return string(b)
	}
	b, _ = json.Marshal(back)
	return string(b)
}
