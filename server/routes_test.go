package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/report"
)

// TestSameBodies: POST /results takes the image bodies /unbake takes — the
// image as the whole body, or in the multipart field image — and an empty
// body is a 400 saying there is nothing to work on, for both.
func TestSameBodies(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	for _, svg := range []bool{false, true} {
		img := f.baked("1", svg)
		ct := "image/png"
		if svg {
			ct = "image/svg+xml"
		}
		multiCT, multi := multipartBody(t, nil, "mine", img)
		for _, b := range []struct {
			name, ct string
			body     []byte
		}{{"raw " + ct, ct, img}, {"multipart " + ct, multiCT, multi.Bytes()}} {
			rec := f.do("POST", "/results", b.ct, acceptJSON, bytes.NewReader(b.body))
			var res struct {
				Status string `json:"status"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 || res.Status != "valid" {
				t.Errorf("/results, %s: %d %s", b.name, rec.Code, rec.Body)
			}
			if rec := f.do("POST", "/unbake", b.ct, acceptJSON, bytes.NewReader(b.body)); rec.Code != 200 || !strings.Contains(rec.Body.String(), f.host.AssertionURL("1")) {
				t.Errorf("/unbake, %s: %d %s", b.name, rec.Code, rec.Body)
			}
		}
	}
	for route, want := range map[string]string{"/results": "nothing to verify", "/unbake": "nothing to unbake"} {
		for _, ct := range []string{"", "image/png", "application/json", "multipart/form-data; boundary=XX"} {
			rec := f.do("POST", route, ct, acceptJSON, strings.NewReader(""))
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != 400 || e.Error != want+": the request body is empty" || e.Hint == "" {
				t.Errorf("empty POST %s (%q): %d %s", route, ct, rec.Code, rec.Body)
			}
		}
	}
}

// TestNotFound: a path no route has is a 404 in JSON for a JSON client and
// a page for everyone else; so is a route asked with another method, 405.
func TestNotFound(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{})
	rec := f.do("GET", "/nope", "", acceptJSON, nil)
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != 404 || e.Status != 404 || !strings.Contains(e.Error, "/nope") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("JSON 404: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	for _, accept := range []string{"", "text/html", "*/*"} {
		rec := f.do("POST", "/nope/deeper", "", accept, nil)
		if rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), `<p class="message">`) ||
			!strings.Contains(rec.Body.String(), "/nope/deeper") {
			t.Errorf("HTML 404 (Accept %q): %d %q\n%s", accept, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
	rec = f.do("PUT", "/unbake", "", acceptJSON, nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusMethodNotAllowed || e.Status != 405 || !strings.Contains(rec.Header().Get("Allow"), "POST") {
		t.Errorf("PUT /unbake: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestResultPageBlankNode: the page does not show a blank node's made-up
// id (_:b0) as a message's node; a node with an id it does show.
func TestResultPageBlankNode(t *testing.T) {
	s := New(Options{})
	rec := httptest.NewRecorder()
	s.render(rec, 200, "results", resultPage{page: s.page("Result"), Verdict: report.StatusValid, Messages: []report.Message{
		{Name: "ISSUER_PROPERTY_DEPENDENCIES", MessageLevel: report.Warning, NodeID: "_:b1", Result: "Issuer Profile (the issuer of the badge of the assertion) not hosted"},
		{Name: "VALIDATE_PROPERTY", MessageLevel: report.Warning, NodeID: "https://example.org/a/1", Result: "a warning"},
	}})
	page := rec.Body.String()
	if strings.Contains(page, "_:b1") || !strings.Contains(page, `<span class="node">https://example.org/a/1</span>`) {
		t.Errorf("page:\n%s", page)
	}
}
