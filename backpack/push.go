package backpack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
)

// API is one of the two backpack APIs a provider may offer.
type API string

const (
	// API21 is Open Badges 2.1 Badge Connect: OB 2.0 assertions under
	// …/ims/ob/v2p1.
	API21 API = "ob21"
	// API30 is the Open Badges 3.0 API: credentials under …/ims/ob/v3p0.
	API30 API = "ob30"
)

// generation is the payload generation an API carries.
func (a API) generation() payload.Generation {
	if a == API30 {
		return payload.OB3
	}
	return payload.OB2
}

// PushResult is what became of one pushed badge.
type PushResult string

const (
	// Added: the backpack stored the badge (2.1: 200; 3.0: 201 Created).
	Added PushResult = "added"
	// Replaced: the backpack already held the credential and replaced
	// it (3.0: 200).
	Replaced PushResult = "replaced"
	// Refused: the backpack answered and said no (a 4xx).
	Refused PushResult = "refused"
	// Failed: no answer worth the name: the network failed, the
	// backpack failed (5xx), or it asked to wait longer than allowed.
	Failed PushResult = "failed"
)

// PushOutcome says what became of one push. It holds nothing secret: no
// token, no header, only what the backpack said in its status and what
// badgebake makes of it.
type PushOutcome struct {
	API        API
	Result     PushResult
	HTTPStatus int // of the last try; 0 when no response came
	// StatusText is the provider's status (INVALID_BADGE, …, or an OB 3.0
	// imsx_codeMinor value); UNAUTHENTICATED for a 401 without one.
	StatusText string
	// Error is the provider's own text, Badgr's array joined with "; ".
	Error string
	// Message says it in plain words for people (DescribeStatus for a
	// refusal; the wait asked for when throttled; the network error).
	Message string
}

// MaxTries is how many times Push sends a badge that the provider
// throttles (429 or 503 with a Retry-After it is willing to wait for).
const MaxTries = 3

// maxPushResponse bounds a push or status response body: the OB 3.0 API
// echoes the credential, which is small.
const maxPushResponse = 4 << 20

// GenerationMismatchError is the error of a badge pushed to the API of
// the other generation: an OB 2.0 assertion to the OB 3.0 API, or an OB
// 3.0 credential to Badge Connect 2.1.
type GenerationMismatchError struct {
	API        API
	Generation payload.Generation
}

func (e *GenerationMismatchError) Error() string {
	return fmt.Sprintf("an %s badge cannot be pushed to the %s API (it takes %s badges)",
		e.Generation.Describe(), e.API, e.API.generation().Describe())
}

// ErrorKind is errkind.BadInput: the badge is the wrong kind for the API.
func (e *GenerationMismatchError) ErrorKind() errkind.Kind { return errkind.BadInput }

// ErrHostedDocumentMissing is returned by PushRequest for a hosted
// assertion URL pushed without the document fetched from it: Badge
// Connect takes the assertion object, not its URL.
var ErrHostedDocumentMissing = errkind.New(errkind.Usage, "a hosted assertion URL is pushed as the assertion fetched from it, and none was given")

// ErrUnknownAPI is returned for an API other than API21 and API30.
var ErrUnknownAPI = errkind.New(errkind.Usage, `unknown backpack API (want "ob21" or "ob30")`)

// PushRequest builds the request that adds a badge to a backpack, without
// authentication (the caller's http.Client adds the bearer token).
//
// For API21 (base is the manifest's apiBase, …/ims/ob/v2p1) it is a POST
// to base/assertions with a JSON body holding exactly one key, as Badge
// Connect requires: "assertion", the OB 2.0 assertion object (for a
// hosted URL payload, hosted is the document fetched from that URL), or
// "signedAssertion", the compact JWS. For API30 (base ends in
// /ims/ob/v3p0) it is a POST to base/credentials of the credential JSON
// as it is (application/json), or of the VC-JWT as text/plain.
func PushRequest(api API, base string, p *payload.Payload, hosted map[string]any) (*http.Request, error) {
	if api != API21 && api != API30 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownAPI, string(api))
	}
	if p == nil {
		return nil, errkind.New(errkind.Usage, "no badge to push")
	}
	if p.Generation != api.generation() {
		return nil, &GenerationMismatchError{API: api, Generation: p.Generation}
	}
	var (
		body        []byte
		contentType = "application/json"
		endpoint    = "/assertions"
		err         error
	)
	switch {
	case api == API30 && p.Kind == payload.KindJSON:
		endpoint, body = "/credentials", p.Raw
	case api == API30 && p.Kind == payload.KindJWS:
		endpoint, body, contentType = "/credentials", p.Raw, "text/plain"
	case api == API30:
		return nil, &GenerationMismatchError{API: api, Generation: p.Generation}
	case p.Kind == payload.KindJSON:
		body, err = json.Marshal(map[string]json.RawMessage{"assertion": p.Raw})
	case p.Kind == payload.KindJWS:
		body, err = json.Marshal(map[string]string{"signedAssertion": string(p.Raw)})
	case p.Kind == payload.KindURL:
		if hosted == nil {
			return nil, ErrHostedDocumentMissing
		}
		body, err = json.Marshal(map[string]any{"assertion": hosted})
	default:
		return nil, fmt.Errorf("cannot push a %q payload", p.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the push body: %w", err)
	}
	req, err := http.NewRequest(http.MethodPost, endpointURL(base, endpoint), bytes.NewReader(body))
	if err != nil {
		return nil, errkind.Mark(errkind.Usage, fmt.Errorf("backpack API base %q: %w", base, err))
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// endpointURL appends an endpoint to an API base, with exactly one slash
// between them however the manifest wrote the base.
func endpointURL(base, endpoint string) string {
	return strings.TrimRight(base, "/") + endpoint
}

// Push adds a badge to a backpack: it sends PushRequest's request with
// hc, which must carry the connection's access token, and says what
// became of it.
//
// Badge Connect (API21) answers 200 with a status envelope; as Moodle
// does, the badge counts as added only when the envelope's statusCode is
// 200 (or the envelope is missing). The OB 3.0 API answers 201 (Added) or
// 200 (Replaced). A 4xx is Refused, explained by DescribeStatus. A 401 is
// Refused with StatusText UNAUTHENTICATED (or PERMISSION_DENIED when the
// provider says so): Push does not refresh tokens; the OAuth layer that
// made hc refreshes and calls Push once more. A 429 or 503 whose
// Retry-After asks for at most maxWait is waited for (ctx ends the wait)
// and sent again, up to MaxTries tries in all; a longer wait, or none
// stated, is Failed at once with the time asked for in Message. Network
// errors and 5xx are Failed.
//
// The error is non-nil only when no request could be built (the badge
// does not suit the API) or ctx ended; every answer, or the lack of one,
// is an outcome.
func Push(ctx context.Context, hc *http.Client, api API, base string, p *payload.Payload, hosted map[string]any, maxWait time.Duration) (*PushOutcome, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	for try := 1; ; try++ {
		req, err := PushRequest(api, base, p, hosted)
		if err != nil {
			return nil, err
		}
		out, wait := pushOnce(hc, api, req.WithContext(ctx))
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if wait < 0 {
			return out, nil
		}
		if wait > maxWait {
			out.Message = fmt.Sprintf("the backpack asked to wait %s before trying again, longer than the %s allowed", wait, maxWait)
			return out, nil
		}
		if try >= MaxTries {
			out.Message = fmt.Sprintf("the backpack was still busy after %d tries", try)
			return out, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			out.Message = "stopped while waiting for the backpack"
			return out, ctx.Err()
		case <-timer.C:
		}
	}
}

// pushOnce sends one try. wait is -1 when the outcome is final, and
// otherwise how long the provider asked to wait before the next try.
func pushOnce(hc *http.Client, api API, req *http.Request) (out *PushOutcome, wait time.Duration) {
	out = &PushOutcome{API: api, Result: Failed}
	resp, err := hc.Do(req)
	if err != nil {
		out.Message = "the backpack could not be reached: " + describeTransportError(err)
		return out, -1
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxPushResponse))
	out.HTTPStatus = resp.StatusCode
	status, hasStatus := ParseStatus(body)
	out.StatusText, out.Error = status.StatusText, status.Error

	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		th := throttleOf(resp)
		if !th.Asked {
			out.Message = fmt.Sprintf("the backpack is busy (HTTP %d) and did not say how long to wait", code)
			return out, -1
		}
		out.Message = fmt.Sprintf("the backpack is busy (HTTP %d) and asked to wait %s", code, th.Wait)
		return out, th.Wait
	case code == http.StatusUnauthorized:
		out.Result = Refused
		if s := strings.ToUpper(status.StatusText); s != "PERMISSION_DENIED" && s != "FORBIDDEN" {
			out.StatusText, status.StatusText = "UNAUTHENTICATED", "UNAUTHENTICATED"
		}
		out.Message = DescribeStatus(status)
	case code >= 400 && code < 500:
		out.Result = Refused
		out.Message = DescribeStatus(status)
		if out.Message == "" {
			out.Message = fmt.Sprintf("the backpack refused the badge (HTTP %d)", code)
		}
	case code >= 200 && code < 300:
		if readErr != nil {
			// The badge may well be stored; what was said about it
			// was lost, so nobody may count it as added.
			out.Message = "the backpack's answer was cut off: " + describeTransportError(readErr)
			return out, -1
		}
		switch {
		case api == API21 && hasStatus && status.StatusCode != 0 && status.StatusCode != http.StatusOK:
			out.Result = Refused
			out.Message = DescribeStatus(status)
		case api == API30 && code == http.StatusOK:
			out.Result = Replaced
		default:
			out.Result = Added
			if api == API21 && !hasStatus {
				out.Message = "the backpack answered " + strconv.Itoa(code) + " without a status envelope"
			}
		}
	default:
		out.Message = fmt.Sprintf("the backpack failed (HTTP %d)", code)
		if d := DescribeStatus(status); d != "" {
			out.Message += ": " + d
		}
	}
	return out, -1
}

// describeTransportError is transportCause's words.
func describeTransportError(err error) string { return transportCause(err).Error() }
