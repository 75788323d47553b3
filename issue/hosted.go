package issue

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/verify"
)

// contextOB2 is the Open Badges 2.0 context.
const contextOB2 = "https://w3id.org/openbadges/v2"

// hostedSite is what a hosted run publishes under BaseURL.
type hostedSite struct {
	base          string // BaseURL without a trailing slash
	badgeURL      string
	issuerURL     string
	revocationURL string
	shared        map[string][]byte // URL → the BadgeClass, Issuer and empty revocation list
	pending       sync.Map          // assertion URL → JSON, while its image is verified
	transport     http.RoundTripper
}

// newHostedSite reads the BadgeClass and Issuer the template embeds.
//
// The BadgeClass's image is the image baked into (unbaked), published at
// the BadgeClass's image URL when that is under BaseURL, or beside the
// BadgeClass when it has none.
func newHostedSite(t *template, sample map[string]any, opts *HostedOptions, image []byte, ext string) (*hostedSite, error) {
	fail := func(p, reason string) error { return &TemplateError{Template: t.name, Path: p, Reason: reason} }
	base := strings.TrimRight(opts.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the base URL %q is not an http(s) URL", opts.BaseURL)
	}
	s := &hostedSite{base: base, shared: map[string][]byte{}, transport: opts.Transport}
	if hasText(t.root["badge"]) {
		return nil, fail("badge", "the BadgeClass is published once for every assertion: it may not hold placeholders")
	}
	badge, ok := sample["badge"].(map[string]any)
	if !ok {
		return nil, fail("badge", "hosted issuing needs the BadgeClass embedded in the assertion's badge")
	}
	issuer, ok := badge["issuer"].(map[string]any)
	if !ok {
		return nil, fail("badge.issuer", "hosted issuing needs the Issuer embedded in the BadgeClass's issuer")
	}
	var err error
	if s.badgeURL, err = s.under(badge["id"]); err != nil {
		return nil, fail("badge.id", err.Error())
	}
	if s.issuerURL, err = s.under(issuer["id"]); err != nil {
		return nil, fail("badge.issuer.id", err.Error())
	}
	if rl, ok := issuer["revocationList"]; ok {
		if s.revocationURL, err = s.under(rl); err != nil {
			return nil, fail("badge.issuer.revocationList", err.Error())
		}
	} else {
		s.revocationURL = base + "/revocations.json"
		issuer["revocationList"] = s.revocationURL
	}
	switch img := badge["image"].(type) {
	case nil:
		u := strings.TrimSuffix(s.badgeURL, path.Ext(s.badgeURL)) + ext
		badge["image"] = u
		s.shared[u] = image
	case string:
		if u, err := s.under(img); err == nil {
			s.shared[u] = image
		}
	}
	if s.badgeURL == s.issuerURL || s.badgeURL == s.revocationURL || s.issuerURL == s.revocationURL || strings.HasPrefix(s.badgeURL, base+"/assertions/") || strings.HasPrefix(s.issuerURL, base+"/assertions/") {
		return nil, fail("badge", "the BadgeClass, the Issuer, the revocation list and the assertions need addresses of their own")
	}
	ctx := sample["@context"]
	if ctx == nil {
		ctx = contextOB2
	}
	if issuer["@context"] == nil {
		issuer["@context"] = ctx
	}
	badgeDoc := make(map[string]any, len(badge))
	for k, v := range badge {
		badgeDoc[k] = v
	}
	badgeDoc["issuer"] = s.issuerURL
	if badgeDoc["@context"] == nil {
		badgeDoc["@context"] = ctx
	}
	list := map[string]any{"@context": ctx, "id": s.revocationURL, "type": "RevocationList", "issuer": s.issuerURL, "revokedAssertions": []any{}}
	for u, doc := range map[string]any{s.badgeURL: badgeDoc, s.issuerURL: issuer, s.revocationURL: list} {
		b, err := marshal(doc)
		if err != nil {
			return nil, err
		}
		s.shared[u] = b
	}
	return s, nil
}

func hasText(v any) bool {
	switch v := v.(type) {
	case *text:
		return true
	case map[string]any:
		for _, x := range v {
			if hasText(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasText(x) {
				return true
			}
		}
	}
	return false
}

// under checks that v is a URL under the base URL naming a file.
func (s *hostedSite) under(v any) (string, error) {
	u, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a URL under %s", s.base)
	}
	rel, ok := strings.CutPrefix(u, s.base+"/")
	if !ok || rel == "" || strings.HasSuffix(rel, "/") || strings.ContainsAny(rel, "?#\\") || path.Clean(rel) != rel || strings.HasPrefix(rel, "../") || rel == ".." {
		return "", fmt.Errorf("%q is not the address of a file under %s", u, s.base)
	}
	return u, nil
}

// file is where url is written under dir.
func (s *hostedSite) file(dir, url string) string {
	return filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(url, s.base+"/")))
}

func (s *hostedSite) assertionURL(file string) string {
	return s.base + "/assertions/" + file + ".json"
}

// writeShared writes the BadgeClass and the Issuer, and the revocation
// list unless there is one already (it holds earlier revocations).
func (s *hostedSite) writeShared(dir string) error {
	for u, b := range s.shared {
		p := s.file(dir, u)
		if u == s.revocationURL {
			if _, err := os.Stat(p); err == nil {
				continue
			}
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeFile(p, b); err != nil {
			return err
		}
	}
	return nil
}

// verifier verifies the images against the site as it will be published.
func (s *hostedSite) verifier(opts Options) *verify.Verifier {
	next := s.transport
	if next == nil {
		next = http.DefaultTransport
	}
	client := fetch.New(fetch.Options{Transport: &siteTransport{site: s, next: next}})
	return verify.New(verify.Config{Client: client, Now: opts.Now})
}

// siteTransport answers for the site from memory and passes every other
// request on.
type siteTransport struct {
	site *hostedSite
	next http.RoundTripper
}

func (t *siteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	key := u.String()
	if !strings.HasPrefix(key, t.site.base+"/") {
		return t.next.RoundTrip(req)
	}
	body, ok := t.site.shared[key]
	if !ok {
		if v, found := t.site.pending.Load(key); found {
			body, ok = v.([]byte), true
		}
	}
	status := http.StatusOK
	if !ok {
		status, body = http.StatusNotFound, []byte("not found")
	}
	if req.Body != nil {
		req.Body.Close()
	}
	h := http.Header{}
	h.Set("Content-Type", "application/ld+json")
	if !bytes.HasPrefix(body, []byte("{")) {
		h.Set("Content-Type", http.DetectContentType(body))
		if strings.HasSuffix(key, ".svg") {
			h.Set("Content-Type", "image/svg+xml")
		}
	}
	return &http.Response{
		Status: http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}
