package backpack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
)

// maxProfile bounds a profile response.
const maxProfile = 1 << 20

// ProfileError is a profile the provider did not give or did not change.
type ProfileError struct {
	URL        string
	HTTPStatus int        // 0 when no answer came
	Status     StatusInfo // what the provider said, when it said it
	Reason     string
	Throttle   Throttle // a 429 or 503 with a Retry-After: the wait asked for
}

func (e *ProfileError) Error() string { return "profile at " + e.URL + ": " + e.Reason }

// ErrorKind: a 4xx is the provider refusing (BadInput); anything else
// means the profile could not be had (Indeterminate).
func (e *ProfileError) ErrorKind() errkind.Kind {
	if e.HTTPStatus >= 400 && e.HTTPStatus < 500 {
		return errkind.BadInput
	}
	return errkind.Indeterminate
}

// Profile returns the backpack owner's profile: GET base/profile. Badge
// Connect wraps it as {"status", "profile"}; the OB 3.0 API sends the
// Profile object itself. hc must carry the access token.
func Profile(ctx context.Context, hc *http.Client, api API, base string) (map[string]any, error) {
	return profileCall(ctx, hc, api, http.MethodGet, endpointURL(base, "/profile"), nil)
}

// AddEmail adds email to the owner's profile and returns the profile the
// provider answers with (which may not show it yet). Badge Connect takes
// a POST of a Profile holding only the identifiers to add; the OB 3.0 API
// takes a PUT of the whole profile, so it is read first.
func AddEmail(ctx context.Context, hc *http.Client, api API, base, email string) (map[string]any, error) {
	u := endpointURL(base, "/profile")
	if api == API30 {
		current, err := profileCall(ctx, hc, api, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		current["email"] = email
		return profileCall(ctx, hc, api, http.MethodPut, u, current)
	}
	if api != API21 {
		return nil, ErrUnknownAPI
	}
	return profileCall(ctx, hc, api, http.MethodPost, u, map[string]any{"email": email})
}

func profileCall(ctx context.Context, hc *http.Client, api API, method, u string, body map[string]any) (map[string]any, error) {
	if api != API21 && api != API30 {
		return nil, ErrUnknownAPI
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &ProfileError{URL: u, Reason: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ProfileError{URL: u, Reason: describeTransportError(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxProfile+1))
	if err != nil {
		return nil, &ProfileError{URL: u, HTTPStatus: resp.StatusCode, Reason: "the answer was cut off: " + describeTransportError(err)}
	}
	if len(raw) > maxProfile {
		return nil, &ProfileError{URL: u, HTTPStatus: resp.StatusCode, Reason: "the answer is larger than " + strconv.Itoa(maxProfile) + " bytes"}
	}
	status, hasStatus := ParseStatus(raw)
	if resp.StatusCode < 200 || resp.StatusCode > 299 || (api == API21 && hasStatus && status.StatusCode != 0 && status.StatusCode != 200) {
		reason := "HTTP " + strconv.Itoa(resp.StatusCode)
		if hasStatus {
			reason += ": " + DescribeStatus(status)
		}
		th := throttleOf(resp)
		return nil, &ProfileError{URL: u, HTTPStatus: resp.StatusCode, Status: status, Reason: th.describe(reason), Throttle: th}
	}
	var obj map[string]any
	if err := jsonin.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, &ProfileError{URL: u, HTTPStatus: resp.StatusCode, Reason: "the answer is not a JSON object"}
	}
	if api == API21 {
		inner, ok := obj["profile"].(map[string]any)
		if !ok {
			if resp.StatusCode == http.StatusOK && method != http.MethodGet {
				return map[string]any{}, nil
			}
			return nil, &ProfileError{URL: u, HTTPStatus: resp.StatusCode, Reason: `the answer has no "profile" object`}
		}
		return inner, nil
	}
	// OB 3.0: the Profile itself (a 202 to a PUT: the change is pending).
	return obj, nil
}
