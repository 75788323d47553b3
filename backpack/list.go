package backpack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/payload"
)

// ListedBadge is one badge a backpack holds.
type ListedBadge struct {
	API API
	// Kind is "assertion" or "signedAssertion" (2.1), "credential" or
	// "compactJws" (3.0).
	Kind string
	// ID is the badge's id: the assertion's or credential's, and for a
	// JWS its payload's (a VC-JWT's credential id, else its jti). Empty
	// when the badge has none or the JWS cannot be read.
	ID string
	// Badge is the badge as the backpack sent it: a JSON object, or a
	// JSON string holding the compact JWS.
	Badge json.RawMessage
}

// DefaultMaxPages is the page bound List uses when given 0.
const DefaultMaxPages = 100

// maxPage bounds one page of a listing.
const maxPage = 32 << 20

// TooManyPagesError is the error of a listing that had more pages than
// allowed: the badges read so far are returned with it.
type TooManyPagesError struct {
	MaxPages int
	Next     string // the first page not read
}

func (e *TooManyPagesError) Error() string {
	return fmt.Sprintf("the backpack's listing goes on beyond %d pages; stopped before %s", e.MaxPages, e.Next)
}

// ErrorKind is errkind.Indeterminate: the listing is incomplete.
func (e *TooManyPagesError) ErrorKind() errkind.Kind { return errkind.Indeterminate }

// ListError is the error of a page the backpack did not serve: a non-200
// answer, a body that is not a listing, or a next link that loops.
type ListError struct {
	URL        string
	HTTPStatus int        // 0 when no answer came
	Status     StatusInfo // what the provider said, when it said it
	Reason     string
	Throttle   Throttle // a 429 or 503 with a Retry-After: the wait asked for
}

func (e *ListError) Error() string {
	return "listing " + e.URL + ": " + e.Reason
}

// ErrorKind: a 4xx is the provider refusing (BadInput); anything else
// means the listing could not be had (Indeterminate).
func (e *ListError) ErrorKind() errkind.Kind {
	if e.HTTPStatus >= 400 && e.HTTPStatus < 500 {
		return errkind.BadInput
	}
	return errkind.Indeterminate
}

// List returns every badge a backpack holds: GET base/assertions (API21)
// or base/credentials (API30), with since (when not zero) as an ISO 8601
// time in UTC, then each page its Link rel="next" names, resolved
// against the URL of the page that named it, until a page has none.
// Badge Connect pages hold "assertions" and "signedAssertions"; OB 3.0
// pages hold "credential" and "compactJwsString" — "compactJwsStrings" in
// the specification's own example, so both are read. Any of them may be
// missing, null or [], and null entries are skipped.
//
// At most maxPages pages are read (DefaultMaxPages when maxPages is 0):
// a listing that goes on returns what was read with a
// *TooManyPagesError. hc must carry the access token; a 401 is a
// *ListError for the OAuth layer to refresh and call List again.
func List(ctx context.Context, hc *http.Client, api API, base string, since time.Time, maxPages int) ([]ListedBadge, error) {
	if api != API21 && api != API30 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownAPI, string(api))
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	endpoint := "/assertions"
	if api == API30 {
		endpoint = "/credentials"
	}
	next := endpointURL(base, endpoint)
	if !since.IsZero() {
		next += "?since=" + url.QueryEscape(since.UTC().Format(time.RFC3339))
	}
	var badges []ListedBadge
	held := 0 // bytes of the badges listed so far
	visited := map[string]bool{}
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return badges, &TooManyPagesError{MaxPages: maxPages, Next: next}
		}
		if visited[next] {
			return badges, &ListError{URL: next, Reason: "the next link leads back to a page already read"}
		}
		visited[next] = true
		got, following, err := listPage(ctx, hc, api, next)
		if err != nil {
			return badges, err
		}
		for _, b := range got {
			held += len(b.Badge)
		}
		if held > MaxListingBytes {
			return badges, &ListError{URL: next, Reason: fmt.Sprintf("the badges listed come to more than %d MiB: stopped", MaxListingBytes>>20)}
		}
		badges = append(badges, got...)
		next = following
	}
	return badges, nil
}

// MaxListingBytes bounds the badges one listing holds in memory (a
// hostile provider could otherwise send the page bound's worth of the
// largest pages): far more than any person's backpack.
const MaxListingBytes = 64 << 20

// listPage reads one page and returns its badges and the absolute URL of
// the next page ("" at the end).
func listPage(ctx context.Context, hc *http.Client, api API, pageURL string) ([]ListedBadge, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, "", errkind.Mark(errkind.Usage, fmt.Errorf("backpack API URL %q: %w", pageURL, err))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", &ListError{URL: pageURL, Reason: "the backpack could not be reached: " + describeTransportError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPage+1))
	if err != nil {
		return nil, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode, Reason: "the answer was cut off: " + describeTransportError(err)}
	}
	if resp.StatusCode != http.StatusOK {
		status, _ := ParseStatus(body)
		reason := DescribeStatus(status)
		if reason == "" {
			reason = "the backpack answered " + resp.Status
		} else {
			reason = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, reason)
		}
		th := throttleOf(resp)
		return nil, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode, Status: status, Reason: th.describe(reason), Throttle: th}
	}
	if len(body) > maxPage {
		return nil, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode, Reason: fmt.Sprintf("the page is larger than %d bytes", maxPage)}
	}
	badges, err := decodePage(api, body)
	if err != nil {
		return nil, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode, Reason: err.Error()}
	}
	next := ""
	if target := ParseLink(strings.Join(resp.Header.Values("Link"), ", "))["next"]; target != "" {
		ref, err := url.Parse(target)
		if err != nil {
			return badges, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode, Reason: fmt.Sprintf("the next link %q is not a URL", target)}
		}
		// The page's own URL, after any redirect, is what a relative
		// link is relative to.
		nextURL := resp.Request.URL.ResolveReference(ref)
		// A listing stays with the backpack: a next page elsewhere would
		// be asked for without the token, or, were it sent, hand the
		// token to another host.
		if origin(nextURL) != origin(resp.Request.URL) {
			return badges, "", &ListError{URL: pageURL, HTTPStatus: resp.StatusCode,
				Reason: fmt.Sprintf("the next page %s is not on the backpack's host %s: not followed", nextURL.Redacted(), origin(resp.Request.URL))}
		}
		next = nextURL.String()
	}
	return badges, next, nil
}

// decodePage reads the badges of one page.
func decodePage(api API, body []byte) ([]ListedBadge, error) {
	var page map[string]json.RawMessage
	if err := jsonin.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("the page is not a JSON object: %v", err)
	}
	var (
		badges []ListedBadge
		err    error
	)
	add := func(field, kind string, jws bool) {
		if err != nil {
			return
		}
		entries, e := entriesOf(page[field])
		if e != nil {
			err = fmt.Errorf("%q: %v", field, e)
			return
		}
		for _, raw := range entries {
			b := ListedBadge{API: api, Kind: kind, Badge: raw}
			if jws {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					err = fmt.Errorf("%q holds %s, not a compact JWS string", field, clipJSON(raw))
					return
				}
				b.ID = jwsID(s)
			} else {
				var obj map[string]any
				if json.Unmarshal(raw, &obj) != nil {
					err = fmt.Errorf("%q holds %s, not a JSON object", field, clipJSON(raw))
					return
				}
				b.ID, _ = obj["id"].(string)
			}
			badges = append(badges, b)
		}
	}
	if api == API21 {
		add("assertions", "assertion", false)
		add("signedAssertions", "signedAssertion", true)
		return badges, err
	}
	add("credential", "credential", false)
	n := len(badges)
	add("compactJwsString", "compactJws", true)
	add("compactJwsStrings", "compactJws", true)
	return dedupeFrom(badges, n), err
}

// entriesOf returns the non-null entries of a field that is missing,
// null, an array, or (leniently) one entry on its own.
func entriesOf(raw json.RawMessage) ([]json.RawMessage, error) {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if text[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	} else {
		list = []json.RawMessage{raw}
	}
	out := list[:0]
	for _, e := range list {
		if strings.TrimSpace(string(e)) != "null" {
			out = append(out, e)
		}
	}
	return out, nil
}

// dedupeFrom drops repeated badges from index n on: a provider sending
// both spellings of the JWS list may well send the same strings in each.
func dedupeFrom(badges []ListedBadge, n int) []ListedBadge {
	seenJWS := map[string]bool{}
	out := badges[:n]
	for _, b := range badges[n:] {
		if key := string(b.Badge); !seenJWS[key] {
			seenJWS[key] = true
			out = append(out, b)
		}
	}
	return out
}

// jwsID returns the id in a compact JWS's payload: a credential's id
// (under "vc" for a VCDM 1.1 VC-JWT), else "jti", else an assertion's id.
func jwsID(compact string) string {
	p, err := payload.Parse([]byte(compact))
	if err != nil || p.Kind != payload.KindJWS {
		return ""
	}
	if id, ok := p.Credential()["id"].(string); ok {
		return id
	}
	if jti, ok := p.Object["jti"].(string); ok {
		return jti
	}
	return ""
}

func clipJSON(raw json.RawMessage) string { return textin.Clip(raw, 40) }
