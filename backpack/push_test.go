package backpack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
)

const ob2AssertionJSON = `{
  "@context": "https://w3id.org/openbadges/v2",
  "type": "Assertion",
  "id": "https://issuer.example/assertions/1",
  "recipient": {"type": "email", "hashed": false, "identity": "learner@example.org"},
  "badge": "https://issuer.example/badges/1",
  "verification": {"type": "hosted"},
  "issuedOn": "2026-01-02T03:04:05Z"
}`

const ob3CredentialJSON = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "urn:uuid:2b3c4d5e-0000-4000-8000-000000000001",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "https://issuer.example/issuers/1", "type": ["Profile"]},
  "validFrom": "2026-01-02T03:04:05Z",
  "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"id": "https://issuer.example/achievements/1"}},
  "proof": {"type": "DataIntegrityProof"}
}`

// fakeCompactJWS builds a compact JWS from a header and claims, with a
// placeholder signature: payload.Parse classifies it, nothing verifies it.
func fakeCompactJWS(t testing.TB, header, claims any) string {
	t.Helper()
	seg := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return seg(header) + "." + seg(claims) + ".c2lnbmF0dXJl"
}

func mustPayload(t testing.TB, text string) *payload.Payload {
	t.Helper()
	p, err := payload.Parse([]byte(text))
	if err != nil {
		t.Fatalf("payload.Parse: %v", err)
	}
	return p
}

func ob2JWS(t testing.TB) string {
	var claims map[string]any
	if err := json.Unmarshal([]byte(ob2AssertionJSON), &claims); err != nil {
		t.Fatal(err)
	}
	claims["verification"] = map[string]any{"type": "signed", "creator": "https://issuer.example/keys/1"}
	return fakeCompactJWS(t, map[string]string{"alg": "RS256"}, claims)
}

func vcJWT(t testing.TB) string {
	var vc map[string]any
	if err := json.Unmarshal([]byte(ob3CredentialJSON), &vc); err != nil {
		t.Fatal(err)
	}
	delete(vc, "proof")
	return fakeCompactJWS(t, map[string]string{"alg": "ES256", "typ": "JWT"},
		map[string]any{"vc": vc, "jti": vc["id"], "iss": "https://issuer.example/issuers/1"})
}

// receivedRequest is one request as the fake provider received it.
type receivedRequest struct {
	Method, Path, ContentType string
	Body                      []byte
}

// replyServer answers each request with the next of its replies (the
// last one repeats) and records what it received.
type replyServer struct {
	mu       sync.Mutex
	replies  []cannedReply
	requests []receivedRequest
}

type cannedReply struct {
	status int
	header map[string]string
	body   string
}

func (f *replyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, receivedRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), body})
	rep := f.replies[min(len(f.requests), len(f.replies))-1]
	f.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func serveReplies(t *testing.T, replies ...cannedReply) (*replyServer, string) {
	f := &replyServer{replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

const okEnvelope21 = `{"status":{"error":null,"statusCode":200,"statusText":"OK"}}`

func TestPushRequestBodies(t *testing.T) {
	hosted := map[string]any{"id": "https://issuer.example/assertions/9", "type": "Assertion"}
	for _, tc := range []struct {
		name        string
		api         API
		text        string
		hosted      map[string]any
		path, ctype string
		wantBody    func(t *testing.T, body []byte)
	}{
		{"OB 2.0 assertion object", API21, ob2AssertionJSON, nil, "/ims/ob/v2p1/assertions", "application/json",
			func(t *testing.T, body []byte) { hasOnlyKey(t, body, "assertion", decodeJSONText(t, ob2AssertionJSON)) }},
		{"hosted assertion", API21, "https://issuer.example/assertions/9", hosted, "/ims/ob/v2p1/assertions", "application/json",
			func(t *testing.T, body []byte) { hasOnlyKey(t, body, "assertion", any(map[string]any(hosted))) }},
		{"signed assertion", API21, ob2JWS(t), nil, "/ims/ob/v2p1/assertions", "application/json",
			func(t *testing.T, body []byte) { hasOnlyKey(t, body, "signedAssertion", ob2JWS(t)) }},
		{"OB 3.0 credential JSON", API30, ob3CredentialJSON, nil, "/ims/ob/v3p0/credentials", "application/json",
			func(t *testing.T, body []byte) {
				if string(body) != string(mustPayload(t, ob3CredentialJSON).Raw) {
					t.Errorf("body %s is not the credential as is", body)
				}
			}},
		{"VC-JWT", API30, vcJWT(t), nil, "/ims/ob/v3p0/credentials", "text/plain",
			func(t *testing.T, body []byte) {
				if string(body) != vcJWT(t) {
					t.Errorf("body %q is not the VC-JWT", body)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := "https://backpack.example/ims/ob/v2p1/"
			if tc.api == API30 {
				base = "https://backpack.example/ims/ob/v3p0"
			}
			req, err := PushRequest(tc.api, base, mustPayload(t, tc.text), tc.hosted)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != http.MethodPost || req.URL.Path != tc.path || req.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("got %s %s (%s), want POST %s (%s)", req.Method, req.URL.Path, req.Header.Get("Content-Type"), tc.path, tc.ctype)
			}
			body, _ := io.ReadAll(req.Body)
			tc.wantBody(t, body)
		})
	}
}

func decodeJSONText(t *testing.T, text string) any {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// hasOnlyKey checks that body is a JSON object with exactly the one key.
func hasOnlyKey(t *testing.T, body []byte, key string, want any) {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if len(obj) != 1 || !reflect.DeepEqual(obj[key], want) {
		t.Errorf("body %s, want exactly {%q: %v}", body, key, want)
	}
}

func TestPushRequestRefusals(t *testing.T) {
	var mismatch *GenerationMismatchError
	if _, err := PushRequest(API30, "https://b.example", mustPayload(t, ob2AssertionJSON), nil); !errors.As(err, &mismatch) || mismatch.Generation != payload.OB2 || errkind.Of(err) != errkind.BadInput {
		t.Errorf("OB 2.0 to the 3.0 API: %v", err)
	}
	if _, err := PushRequest(API21, "https://b.example", mustPayload(t, vcJWT(t)), nil); !errors.As(err, &mismatch) || mismatch.API != API21 {
		t.Errorf("VC-JWT to the 2.1 API: %v", err)
	}
	if _, err := PushRequest(API30, "https://b.example", mustPayload(t, "https://issuer.example/a/1"), nil); !errors.As(err, &mismatch) {
		t.Errorf("hosted URL to the 3.0 API: %v", err)
	}
	if _, err := PushRequest(API21, "https://b.example", mustPayload(t, "https://issuer.example/a/1"), nil); !errors.Is(err, ErrHostedDocumentMissing) {
		t.Errorf("hosted URL without its document: %v", err)
	}
	if _, err := PushRequest("ob99", "https://b.example", mustPayload(t, ob2AssertionJSON), nil); !errors.Is(err, ErrUnknownAPI) {
		t.Errorf("unknown API: %v", err)
	}
}

func TestPush(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		api     API
		text    string
		replies []cannedReply
		want    PushOutcome
		tries   int
	}{
		{"2.1 added", API21, ob2AssertionJSON, []cannedReply{{200, nil, okEnvelope21}},
			PushOutcome{API: API21, Result: Added, HTTPStatus: 200, StatusText: "OK"}, 1},
		{"2.1 signed added", API21, ob2JWS(t), []cannedReply{{200, nil, okEnvelope21}},
			PushOutcome{API: API21, Result: Added, HTTPStatus: 200, StatusText: "OK"}, 1},
		{"2.1 200 whose envelope says 400", API21, ob2AssertionJSON,
			[]cannedReply{{200, nil, `{"status":{"statusCode":400,"statusText":"INVALID_BADGE","error":"no issuer"}}`}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 200, StatusText: "INVALID_BADGE", Error: "no issuer",
				Message: "the backpack could not verify the badge (INVALID_BADGE): no issuer"}, 1},
		{"2.1 200 without an envelope", API21, ob2AssertionJSON, []cannedReply{{200, nil, ``}},
			PushOutcome{API: API21, Result: Added, HTTPStatus: 200, Message: "the backpack answered 200 without a status envelope"}, 1},
		{"2.1 404 without a body", API21, ob2AssertionJSON, []cannedReply{{404, nil, `not here`}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 404, Message: "the backpack refused the badge (HTTP 404)"}, 1},
		{"3.0 created", API30, ob3CredentialJSON, []cannedReply{{201, nil, ob3CredentialJSON}},
			PushOutcome{API: API30, Result: Added, HTTPStatus: 201}, 1},
		{"3.0 replaced", API30, ob3CredentialJSON, []cannedReply{{200, nil, ob3CredentialJSON}},
			PushOutcome{API: API30, Result: Replaced, HTTPStatus: 200}, 1},
		{"3.0 VC-JWT created", API30, vcJWT(t), []cannedReply{{201, nil, vcJWT(t)}},
			PushOutcome{API: API30, Result: Added, HTTPStatus: 201}, 1},
		{"INVALID_BADGE", API21, ob2AssertionJSON,
			[]cannedReply{{400, nil, `{"status":{"error":"Issuer could not be fetched","statusCode":400,"statusText":"INVALID_BADGE"}}`}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 400, StatusText: "INVALID_BADGE", Error: "Issuer could not be fetched",
				Message: "the backpack could not verify the badge (INVALID_BADGE): Issuer could not be fetched"}, 1},
		{"Badgr array", API21, ob2AssertionJSON,
			[]cannedReply{{400, nil, `{"status":{"error":["Recipient mismatch","Add the email to your profile"],"statusCode":400,"statusText":"RECIPIENT_PROFILE_MISMATCH"}}`}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 400, StatusText: "RECIPIENT_PROFILE_MISMATCH",
				Error:   "Recipient mismatch; Add the email to your profile",
				Message: "the badge was awarded to an identity that is not on your backpack profile (RECIPIENT_PROFILE_MISMATCH): Recipient mismatch; Add the email to your profile"}, 1},
		{"3.0 imsx refusal", API30, ob3CredentialJSON,
			[]cannedReply{{400, nil, `{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":"bad proof","imsx_codeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"x","imsx_codeMinorFieldValue":"invalid_data"}]}}`}},
			PushOutcome{API: API30, Result: Refused, HTTPStatus: 400, StatusText: "invalid_data", Error: "bad proof",
				Message: "the backpack refused the badge as malformed (invalid_data): bad proof"}, 1},
		{"401 without body", API21, ob2AssertionJSON, []cannedReply{{401, nil, ``}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 401, StatusText: "UNAUTHENTICATED",
				Message: "the backpack no longer accepts this connection: connect again (UNAUTHENTICATED)"}, 1},
		{"401 PERMISSION_DENIED", API21, ob2AssertionJSON, []cannedReply{{401, nil, `{"status":{"statusCode":401,"statusText":"PERMISSION_DENIED"}}`}},
			PushOutcome{API: API21, Result: Refused, HTTPStatus: 401, StatusText: "PERMISSION_DENIED",
				Message: "the connection was not granted permission for this: connect again and allow it (PERMISSION_DENIED)"}, 1},
		{"Retry-After 1 then added", API21, ob2AssertionJSON,
			[]cannedReply{{429, map[string]string{"Retry-After": "1"}, ``}, {200, nil, okEnvelope21}},
			PushOutcome{API: API21, Result: Added, HTTPStatus: 200, StatusText: "OK"}, 2},
		{"Retry-After 3600 not waited for", API21, ob2AssertionJSON,
			[]cannedReply{{429, map[string]string{"Retry-After": "3600"}, ``}},
			PushOutcome{API: API21, Result: Failed, HTTPStatus: 429,
				Message: "the backpack asked to wait 1h0m0s before trying again, longer than the 1m0s allowed"}, 1},
		{"503 without Retry-After", API30, ob3CredentialJSON, []cannedReply{{503, nil, `busy`}},
			PushOutcome{API: API30, Result: Failed, HTTPStatus: 503,
				Message: "the backpack is busy (HTTP 503) and did not say how long to wait"}, 1},
		{"still busy after three tries", API21, ob2AssertionJSON,
			[]cannedReply{{503, map[string]string{"Retry-After": "0"}, ``}},
			PushOutcome{API: API21, Result: Failed, HTTPStatus: 503, Message: "the backpack was still busy after 3 tries"}, 3},
		{"500", API21, ob2AssertionJSON, []cannedReply{{500, nil, `{"status":{"statusCode":500,"statusText":"SERVER_ERROR","error":"oops"}}`}},
			PushOutcome{API: API21, Result: Failed, HTTPStatus: 500, StatusText: "SERVER_ERROR", Error: "oops",
				Message: "the backpack failed (HTTP 500): SERVER_ERROR: oops"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := serveReplies(t, tc.replies...)
			base := url + "/ims/ob/v2p1"
			if tc.api == API30 {
				base = url + "/ims/ob/v3p0"
			}
			got, err := Push(ctx, nil, tc.api, base, mustPayload(t, tc.text), nil, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if len(f.requests) != tc.tries {
				t.Errorf("%d requests, want %d", len(f.requests), tc.tries)
			}
			for _, r := range f.requests {
				if r.Method != http.MethodPost || !strings.HasSuffix(r.Path, map[API]string{API21: "/assertions", API30: "/credentials"}[tc.api]) {
					t.Errorf("request %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

func TestPushNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	got, err := Push(context.Background(), nil, API21, base, mustPayload(t, ob2AssertionJSON), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got.Result != Failed || got.HTTPStatus != 0 || !strings.HasPrefix(got.Message, "the backpack could not be reached: ") || strings.Contains(got.Message, base) {
		t.Errorf("got %+v", got)
	}
}

func TestPushWaitEndsWithContext(t *testing.T) {
	f, url := serveReplies(t, cannedReply{503, map[string]string{"Retry-After": "30"}, ``})
	ctx, cancel := context.WithCancel(context.Background())
	// The first answer arrives before cancel can matter; the wait that
	// follows is the part cancel must end.
	go func() {
		for {
			f.mu.Lock()
			n := len(f.requests)
			f.mu.Unlock()
			if n > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	got, err := Push(ctx, nil, API21, url, mustPayload(t, ob2AssertionJSON), nil, time.Minute)
	if !errors.Is(err, context.Canceled) || got == nil || got.Result != Failed {
		t.Errorf("got %+v, %v", got, err)
	}
}
