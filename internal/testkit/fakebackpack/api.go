package fakebackpack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one API request the built-in API received (Options.API):
// what a test needs to check the client sent the right thing, without
// the bearer token.
type Request struct {
	Method string
	// Path is the request's path and query, e.g.
	// "/ims/ob/v3p0/credentials?limit=2&offset=2".
	Path        string
	ContentType string // the media type, without parameters
	// BodyKeys are the top-level keys of a JSON object body, sorted; nil
	// for any other body.
	BodyKeys []string
	Status   int // what the fake answered
}

// HeldBadge is a badge the built-in API holds.
type HeldBadge struct {
	API string // "ob21" or "ob30"
	// Kind is "assertion" or "signedAssertion" (2.1), "credential" or
	// "compactJws" (3.0), as listings name them.
	Kind string
	ID   string // the badge's id ("" when it has none)
	// Issued is when the badge was issued (issuedOn, validFrom, …), the
	// time listings' since compares; zero when unknown.
	Issued time.Time
	raw    json.RawMessage // an object, or a JSON string holding the JWS
}

// Refusal makes the built-in API refuse pushes with statusText and the
// provider's error text: none is sent as null, one as a string, several
// as an array of strings (as Badgr does).
type refusal struct {
	statusText string
	errors     []string
}

const (
	path21 = "/ims/ob/v2p1"
	path30 = "/ims/ob/v3p0"
)

// serveAPI adds the built-in routes of both APIs (those the options
// offer).
func (p *Provider) serveAPI() {
	p.profile21 = map[string]any{"name": "Fake Owner", "email": "owner@example.org"}
	p.profile30 = map[string]any{"id": "urn:uuid:0b0e3a4c-0000-4000-8000-00000000f00d", "type": []any{"Profile"},
		"name": "Fake Owner", "email": "owner@example.org"}
	routes := map[string]func(w http.ResponseWriter, r *http.Request, body []byte) (int, any, string){}
	if !p.opts.No21 {
		routes["POST "+path21+"/assertions"] = p.push21
		routes["GET "+path21+"/assertions"] = func(w http.ResponseWriter, r *http.Request, _ []byte) (int, any, string) {
			return p.list(w, r, "ob21")
		}
		routes["GET "+path21+"/profile"] = func(http.ResponseWriter, *http.Request, []byte) (int, any, string) {
			return 200, map[string]any{"status": okStatus(), "profile": p.Profile("ob21")}, ""
		}
		routes["POST "+path21+"/profile"] = p.postProfile21
	}
	if !p.opts.No30 {
		routes["POST "+path30+"/credentials"] = p.push30
		routes["GET "+path30+"/credentials"] = func(w http.ResponseWriter, r *http.Request, _ []byte) (int, any, string) {
			return p.list(w, r, "ob30")
		}
		routes["GET "+path30+"/profile"] = func(http.ResponseWriter, *http.Request, []byte) (int, any, string) {
			return 200, p.Profile("ob30"), ""
		}
		routes["PUT "+path30+"/profile"] = p.putProfile30
	}
	for pattern, h := range routes {
		p.mux.Handle(pattern, p.apiHandler(h))
	}
}

// apiHandler checks the bearer token and the throttle, records the
// request, and writes h's answer: a value sent as JSON, or with a
// content type, a string sent as it is.
func (p *Provider) apiHandler(h func(w http.ResponseWriter, r *http.Request, body []byte) (int, any, string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		rec := Request{Method: r.Method, Path: r.URL.RequestURI(), BodyKeys: bodyKeys(body)}
		rec.ContentType, _, _ = mime.ParseMediaType(r.Header.Get("Content-Type"))
		status, answer, contentType := p.answerAPI(w, r, body, h)
		p.mu.Lock()
		rec.Status = status
		p.requests = append(p.requests, rec)
		p.mu.Unlock()
		if s, ok := answer.(string); ok && contentType != "" {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			io.WriteString(w, s)
			return
		}
		if answer == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, answer)
	})
}

func (p *Provider) answerAPI(w http.ResponseWriter, r *http.Request, body []byte, h func(http.ResponseWriter, *http.Request, []byte) (int, any, string)) (int, any, string) {
	if !p.Authenticated(r) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		return http.StatusUnauthorized, nil, ""
	}
	p.mu.Lock()
	throttled, status := takeThrottle(w, &p.throttle, p.retryAfter), p.throttleStatus
	p.mu.Unlock()
	if throttled {
		return status, nil, ""
	}
	return h(w, r, body)
}

func bodyKeys(body []byte) []string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func okStatus() map[string]any {
	return map[string]any{"error": nil, "statusCode": 200, "statusText": "OK"}
}

// status21 is a Badge Connect status envelope.
func status21(code int, text string, errs []string) map[string]any {
	var e any
	switch len(errs) {
	case 0:
	case 1:
		e = errs[0]
	default:
		e = errs
	}
	return map[string]any{"status": map[string]any{"error": e, "statusCode": code, "statusText": text}}
}

// status30 is an OB 3.0 Imsx_StatusInfo.
func status30(minor, description string) map[string]any {
	return map[string]any{
		"imsx_codeMajor":   "failure",
		"imsx_severity":    "error",
		"imsx_description": description,
		"imsx_codeMinor": map[string]any{"imsx_codeMinorField": []any{
			map[string]any{"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor},
		}},
	}
}

// refused is the refusal set by RefusePushes, if any.
func (p *Provider) refused() (refusal, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refuse, p.refuse.statusText != ""
}

func (p *Provider) push21(_ http.ResponseWriter, _ *http.Request, body []byte) (int, any, string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || len(obj) != 1 {
		return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{`the body must be an object with exactly one key, "assertion" or "signedAssertion"`}), ""
	}
	var b HeldBadge
	if raw, ok := obj["assertion"]; ok {
		var a map[string]any
		if json.Unmarshal(raw, &a) != nil || a == nil {
			return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{`"assertion" must be an object`}), ""
		}
		b = HeldBadge{API: "ob21", Kind: "assertion", raw: raw}
		b.ID, b.Issued = idAndTime(a)
	} else if raw, ok := obj["signedAssertion"]; ok {
		var s string
		var a map[string]any
		if json.Unmarshal(raw, &s) == nil {
			a = jwsPayload(s)
		}
		if a == nil {
			return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{`"signedAssertion" must be a compact JWS string`}), ""
		}
		b = HeldBadge{API: "ob21", Kind: "signedAssertion", raw: raw}
		b.ID, b.Issued = idAndTime(a)
	} else {
		return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{`the one key must be "assertion" or "signedAssertion"`}), ""
	}
	if ref, ok := p.refused(); ok {
		return 400, status21(400, ref.statusText, ref.errors), ""
	}
	p.hold(b)
	return 200, status21(200, "OK", nil), ""
}

func (p *Provider) push30(_ http.ResponseWriter, r *http.Request, body []byte) (int, any, string) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var b HeldBadge
	switch ct {
	case "application/json", "application/ld+json":
		var c map[string]any
		if json.Unmarshal(body, &c) != nil || c == nil {
			return 400, status30("invalid_data", "the body is not a JSON object"), ""
		}
		b = HeldBadge{API: "ob30", Kind: "credential", raw: json.RawMessage(body)}
		b.ID, b.Issued = idAndTime(c)
	case "text/plain":
		s := strings.TrimSpace(string(body))
		c := jwsPayload(s)
		if c == nil {
			return 400, status30("invalid_data", "the body is not a compact JWS"), ""
		}
		raw, _ := json.Marshal(s)
		b = HeldBadge{API: "ob30", Kind: "compactJws", raw: raw}
		b.ID, b.Issued = idAndTime(c)
	default:
		return http.StatusUnsupportedMediaType, status30("invalid_data", "want application/json or text/plain, not "+ct), ""
	}
	if ref, ok := p.refused(); ok {
		return 400, status30(ref.statusText, strings.Join(ref.errors, "; ")), ""
	}
	status := 201
	if p.hold(b) {
		status = 200
	}
	if b.Kind == "compactJws" {
		return status, strings.TrimSpace(string(body)), "text/plain"
	}
	return status, b.raw, ""
}

// hold keeps b, in place of a badge of the same API with the same id;
// it reports whether one was replaced.
func (p *Provider) hold(b HeldBadge) (replaced bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b.ID != "" {
		for i, h := range p.held {
			if h.API == b.API && h.ID == b.ID {
				p.held[i] = b
				return true
			}
		}
	}
	p.held = append(p.held, b)
	return false
}

// jwsPayload returns the JSON object a compact JWS carries, nil when s is
// not one.
func jwsPayload(s string) map[string]any {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	return obj
}

// idAndTime returns a badge's id and issue time: an assertion's (id,
// issuedOn), a credential's (id; validFrom, issuanceDate or awardedDate),
// or a VC-JWT's (vc.id or jti; nbf).
func idAndTime(obj map[string]any) (string, time.Time) {
	if vc, ok := obj["vc"].(map[string]any); ok {
		id, t := idAndTime(vc)
		if id == "" {
			id, _ = obj["jti"].(string)
		}
		if nbf, ok := obj["nbf"].(float64); ok && t.IsZero() {
			t = time.Unix(int64(nbf), 0).UTC()
		}
		return id, t
	}
	id, _ := obj["id"].(string)
	if id == "" {
		id, _ = obj["jti"].(string)
	}
	for _, k := range []string{"issuedOn", "validFrom", "issuanceDate", "awardedDate"} {
		if s, ok := obj[k].(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				return id, t
			}
		}
	}
	if nbf, ok := obj["nbf"].(float64); ok {
		return id, time.Unix(int64(nbf), 0).UTC()
	}
	return id, time.Time{}
}

// list serves one page of a listing: limit and offset from the query
// (limit defaults to, and is capped by, Options.PageSize; 0 is one page
// for everything), since filtering by issue time, X-Total-Count the
// number of badges matching, and a Link rel="next" when more remain.
func (p *Provider) list(w http.ResponseWriter, r *http.Request, api string) (int, any, string) {
	q := r.URL.Query()
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if api == "ob21" {
				return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{"since: " + err.Error()}), ""
			}
			return 400, status30("invalid_query_parameter", "since: "+err.Error()), ""
		}
		since = t
	}
	p.mu.Lock()
	var match []HeldBadge
	for _, b := range p.held {
		if b.API == api && (since.IsZero() || !b.Issued.Before(since)) {
			match = append(match, b)
		}
	}
	p.mu.Unlock()
	limit := p.opts.PageSize
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && (limit == 0 || n < limit) {
		limit = n
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(0, min(offset, len(match)))
	end := len(match)
	if limit > 0 {
		end = min(offset+limit, len(match))
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(match)))
	if end < len(match) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("offset", strconv.Itoa(end))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, p.URL(), r.URL.Path, next.Encode()))
	}
	objs, jwss := []json.RawMessage{}, []json.RawMessage{}
	for _, b := range match[offset:end] {
		if b.Kind == "assertion" || b.Kind == "credential" {
			objs = append(objs, b.raw)
		} else {
			jwss = append(jwss, b.raw)
		}
	}
	if api == "ob21" {
		page := status21(200, "OK", nil)
		page["assertions"], page["signedAssertions"] = objs, jwss
		return 200, page, ""
	}
	return 200, map[string]any{"credential": objs, "compactJwsString": jwss}, ""
}

func (p *Provider) postProfile21(_ http.ResponseWriter, _ *http.Request, body []byte) (int, any, string) {
	var change map[string]any
	if json.Unmarshal(body, &change) != nil || change == nil {
		return 400, status21(400, "REQUEST_VALIDATION_ERROR", []string{"the body must be a Profile object"}), ""
	}
	p.mu.Lock()
	for k, v := range change {
		p.profile21[k] = v
	}
	p.mu.Unlock()
	return 200, map[string]any{"status": okStatus(), "profile": p.Profile("ob21")}, ""
}

func (p *Provider) putProfile30(_ http.ResponseWriter, _ *http.Request, body []byte) (int, any, string) {
	var profile map[string]any
	if json.Unmarshal(body, &profile) != nil || profile == nil {
		return 400, status30("invalid_data", "the body must be a Profile object"), ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.profile30 = profile
	return 200, profile, ""
}

// Throttle makes the next n API requests (after the bearer token is
// checked) answer 429 Too Many Requests with Retry-After: retryAfter (no
// Retry-After when it is "").
func (p *Provider) Throttle(n int, retryAfter string) {
	p.ThrottleWith(http.StatusTooManyRequests, n, retryAfter)
}

// ThrottleWith is Throttle answering status, e.g. 503 Service
// Unavailable.
func (p *Provider) ThrottleWith(status, n int, retryAfter string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttleStatus, p.throttle, p.retryAfter = status, n, retryAfter
}

// RefusePushes makes the built-in API refuse every push until called
// with an empty statusText: 2.1 answers 400 with a status envelope
// holding statusText and errs (none: null, one: a string, several: an
// array of strings, as Badgr sends); 3.0 answers 400 with an
// Imsx_StatusInfo whose codeMinor is statusText and description errs
// joined with "; ".
func (p *Provider) RefusePushes(statusText string, errs ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = refusal{statusText: statusText, errors: errs}
}

// Requests returns the API requests the built-in API received, in order.
func (p *Provider) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// Held returns the badges the built-in API holds, in the order pushed.
func (p *Provider) Held() []HeldBadge {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]HeldBadge(nil), p.held...)
}

// Profile returns the owner's profile as the API (ob21 or ob30) holds it.
func (p *Provider) Profile(api string) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	src := p.profile21
	if api == "ob30" {
		src = p.profile30
	}
	out := map[string]any{}
	for k, v := range src {
		out[k] = v
	}
	return out
}
