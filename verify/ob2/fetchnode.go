package ob2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/badgebake/badgebake/carrier"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/jsonld"
)

// verifyHosted verifies the assertion hosted at url. (A baked image served
// at the input URL is unbaked by package verify, before this.)
func (r *run) verifyHosted(url string) {
	r.res.Report.ValidationSubject = url
	node := r.fetchNode(url, classAssertion, true)
	if node == nil {
		return
	}
	class := inputClass(node)
	r.validateClass(node, class)
	if class == classAssertion {
		r.assertionChecks(node)
	}
}

// inputClass is the class the input document is verified as, from its
// type, as the reference's DETECT_AND_VALIDATE_NODE_CLASS picks it: an
// Assertion unless the document says it is a BadgeClass, an Issuer or
// Profile, or an Endorsement. (An Endorsement is verified by itself: its
// claim is about an object that is not fetched, the reference validating
// claims partially; its endorser is fetched.)
func inputClass(node map[string]any) string {
	types := stringsOf(node["type"])
	switch {
	case hasType(types, classAssertion):
		return classAssertion
	case hasType(types, classBadgeClass):
		return classBadgeClass
	case hasType(types, "Issuer", classProfile):
		return classProfile
	case hasType(types, classEndorsement):
		return classEndorsement
	}
	return classAssertion
}

// MaxFetches bounds the documents and images one verification fetches:
// the assertion, its badge class, issuer and image, and every endorsement,
// related node, key and revocation list it links to. Links are followed at
// most Options.MaxDepth deep, but a hostile issuer can list thousands at
// each level, and every one is a request from the verifier (and, behind
// badgebake serve, from the service). Real badges need about a dozen.
// JSON-LD contexts and JSON schemas have limits of their own.
const MaxFetches = 64

// TooManyFetchesError is the error of a fetch that would go past MaxFetches.
type TooManyFetchesError struct {
	URL string
}

func (e *TooManyFetchesError) Error() string {
	return fmt.Sprintf("not fetched: this verification already fetched %d documents and images, the most badgebake fetches for one badge", MaxFetches)
}

// get fetches url for this verification, within MaxFetches.
func (r *run) get(url, accept string) (*fetch.Response, error) {
	if r.fetches >= MaxFetches {
		return nil, &TooManyFetchesError{URL: url}
	}
	r.fetches++
	if p := r.prefetched; p != nil && accept == "" && p.URL == url {
		r.prefetched = nil
		return p, nil
	}
	return r.v.client.Get(r.ctx, url, accept)
}

// fetchFailed reports that url could not be fetched: an ERROR, marked
// Unavailable when the failure says nothing about the badge (transient:
// the network, the host's 5xx or 429, offline mode), so that a verdict
// that rests on it is indeterminate rather than invalid. url is remembered
// for the checks that needed the document (see unavailable).
func (r *run) fetchFailed(url string, transient bool, task, node, prop, format string, args ...any) {
	if !transient {
		r.res.Errorf(task, node, prop, format, args...)
		return
	}
	if r.unavailable == nil {
		r.unavailable = map[string]bool{}
	}
	r.unavailable[url] = true
	r.res.Unavailablef(task, node, prop, format, args...)
}

// transient reports whether err, from a JSON-LD context or JSON schema
// load, says nothing about the badge: a transient fetch failure, an HTTP
// status that says the host could not answer now, or the end of the
// verification's time.
func transient(err error) bool {
	var se *statusError
	return fetch.IsTransient(err) || (errors.As(err, &se) && fetch.TransientStatus(se.status)) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// fetchLimitReported reports whether err is a fetch refused past MaxFetches
// after an earlier one was reported: one ERROR says that the limit was
// reached, not one per link left.
func (r *run) fetchLimitReported(err error) bool {
	var tm *TooManyFetchesError
	if !errors.As(err, &tm) {
		return false
	}
	if r.fetchLimitHit {
		return true
	}
	r.fetchLimitHit = true
	return false
}

// fetchNode fetches the document at url, expected to be of class, compacts
// it and adds it to the graph. When the document declares another id, it
// is fetched again from there (the declared id is canonical). It returns
// nil when the node could not be had; the reason is in the report.
func (r *run) fetchNode(url, class string, subject bool) map[string]any {
	for attempt := 0; ; attempt++ {
		if n := r.byID[url]; n != nil {
			return n
		}
		resp, err := r.get(url, "")
		if r.fetchLimitReported(err) {
			return nil
		}
		if err != nil {
			r.fetchFailed(url, fetch.IsTransient(err), taskFetchHTTPNode, url, "", "Could not fetch %s %s: %v", class, url, err)
			return nil
		}
		if resp.Status >= 400 {
			if subject && resp.Status == http.StatusGone {
				r.gone(url, resp)
				return nil
			}
			r.fetchFailed(url, fetch.TransientStatus(resp.Status), taskFetchHTTPNode, url, "", "HTTP %d %s from %s: could not fetch %s", resp.Status, http.StatusText(resp.Status), url, class)
			return nil
		}
		var node map[string]any
		cached := false
		if !subject {
			node, cached = r.v.nodes.get(url, resp.Fetched)
		}
		if !cached {
			doc, jerr := decodeJSON(resp.Body)
			if jerr != nil {
				if carrier.Detect(resp.Body) != "" {
					r.res.Errorf(taskFetchHTTPNode, url, "", "Expected JSON for %s at %s, got an image", class, url)
					return nil
				}
				if errors.As(jerr, new(*jsonin.TooDeepError)) {
					r.res.Errorf(taskFetchHTTPNode, url, "", "Response from %s is %v: not read", url, jerr)
					return nil
				}
				r.res.Errorf(taskFetchHTTPNode, url, "", "Response from %s is not JSON (Content-Type %q, HTTP %d): it starts with %q",
					url, contentType(resp), resp.Status, start(resp.Body))
				return nil
			}
			version, before := detectVersion(doc), len(r.res.Report.Messages)
			node = r.intake(url, doc, class, subject)
			if node == nil {
				return nil
			}
			// A linked 2.0 document that compacted without a finding is
			// kept compacted for the Verifier's later runs: the badge
			// class and issuer that thousands of badges share are then
			// compacted once, not once per badge. Anything with findings
			// is compacted again, so its messages are reported every time.
			if !subject && version == openBadgesV2 && len(r.res.Report.Messages) == before {
				r.v.nodes.put(url, resp.Fetched, len(resp.Body), node)
			}
		}
		id, _ := node["id"].(string)
		if id == "" {
			node["id"] = url
			id = url
		}
		if id != url {
			r.res.Warnf(taskReportMessage, "", "", "Node fetched from source %s declared its id as %s", url, id)
			if subject {
				r.res.Report.ValidationSubject = id
			}
			if attempt >= maxIDMismatchRefetches {
				r.res.Errorf(taskFetchHTTPNode, id, "", "%s %s keeps declaring another id; gave up after %d fetches", class, url, attempt+1)
				return nil
			}
			url = id
			continue
		}
		r.addNode(node)
		return node
	}
}

func contentType(resp *fetch.Response) string {
	if resp.ContentType == "" {
		return "none"
	}
	return resp.ContentType
}

// start returns the beginning of a body for messages.
func start(b []byte) string { return textin.Clip(b, 80) }

// gone reports a hosted assertion whose host answers 410 Gone: revoked.
func (r *run) gone(url string, resp *fetch.Response) {
	reason := ""
	if doc, err := decodeJSON(resp.Body); err == nil {
		if s, ok := doc["revocationReason"].(string); ok && s != "" {
			reason = ": " + s
		}
	}
	r.res.Revokedf(taskGone, url, "", "Assertion %s is revoked: its host answers 410 Gone%s", url, reason)
}

// detectVersion is the reference's INTAKE_JSON version detection.
func detectVersion(doc map[string]any) string {
	switch c := doc["@context"].(type) {
	case string:
		if strings.Contains(c, "v1") {
			return "1.1"
		}
		if strings.Contains(c, "v2") {
			return "2.0"
		}
	case nil:
		if isOB05(doc) {
			return "0.5"
		}
		return "1.0"
	}
	return openBadgesV2
}

// intake detects the version and compacts a fetched document into the v2
// context.
func (r *run) intake(url string, doc map[string]any, class string, subject bool) map[string]any {
	version := detectVersion(doc)
	if subject {
		// The version reported is the validation subject's, not the last
		// node's as in the reference.
		r.version = version
	}
	doc, ok := r.upgradeBefore(url, doc, version, class)
	if !ok {
		return nil
	}
	compacted, failed, err := r.compact(url, doc, class)
	if err != nil {
		r.res.Errorf(taskCompact, url, "", "Could not read %s %s as JSON-LD in the Open Badges v2 context: %s", class, url, jsonldError(err))
		return nil
	}
	respell(compacted)
	r.upgradeAfter(compacted, version, class)
	r.validateExtensions(url, compacted, jsonld.AllContextURLs(doc), failed)
	return compacted
}

// respell writes verification types as the reference prints them: json-gold
// picks the shortest term for an IRI ("hosted"), PyLD 0.7 the first in
// sort order ("HostedBadge"). Both name the same IRI.
func respell(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k == "type" {
				v[k] = respellType(e)
				continue
			}
			respell(e)
		}
	case []any:
		for _, e := range v {
			respell(e)
		}
	}
}

func respellType(v any) any {
	spell := func(s string) string {
		switch expandType(s) {
		case hostedVerificationTypeIRI:
			return "HostedBadge"
		case signedVerificationTypeIRI:
			return "SignedBadge"
		}
		return s
	}
	switch t := v.(type) {
	case string:
		return spell(t)
	case []any:
		for i, e := range t {
			if s, ok := e.(string); ok {
				t[i] = spell(s)
			}
		}
	}
	return v
}
