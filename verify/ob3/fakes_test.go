package ob3

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// fakeProofs decides by what the proofs say of themselves: an embedded
// proof's proofValue, or a VC-JWT's kid, is one of
//
//	good     verifies, key authenticated
//	unauth   verifies, key only in the credential
//	keydown  the key cannot be fetched (RESOLVE_KEY, unavailable)
//	expand   JSON-LD expansion fails (EXPAND_JSONLD)
//	anything else: the signature does not match
//
// CheckIssuer accepts a key whose id starts with the issuer's id.
type fakeProofs struct {
	mu    sync.Mutex
	calls map[string]int // "di", "jwt", "issuer"
	// accept, when set, decides every Data Integrity proof instead.
	accept func(credential map[string]any) (*ProofOutcome, error)
}

func (f *fakeProofs) count(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[what]++
}

func (f *fakeProofs) n(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[what]
}

func outcomeOf(value, keyID string) (bool, bool, error) {
	switch value {
	case "good":
		return true, true, nil
	case "unauth":
		return true, false, nil
	case "keydown":
		return false, false, &CheckError{Check: CheckResolveKey, Unavailable: true, Err: fmt.Errorf("fetch %s: connection refused", keyID)}
	case "expand":
		return false, false, &CheckError{Check: CheckExpandJSONLD, Err: errors.New(`safe mode: the term "undefinedTerm" is defined by no context`)}
	}
	return false, false, errors.New("signature does not match: the credential was changed after signing, or signed with another key")
}

func (f *fakeProofs) DataIntegrity(ctx context.Context, credential map[string]any) (*ProofOutcome, error) {
	f.count("di")
	if f.accept != nil {
		return f.accept(credential)
	}
	var firstErr error
	for _, p := range objectsOf(credential["proof"]) {
		vm, _ := p["verificationMethod"].(string)
		value, _ := p["proofValue"].(string)
		ok, auth, err := outcomeOf(value, vm)
		if ok {
			return &ProofOutcome{Suite: "eddsa-rdfc-2022", KeyID: vm, KeyAuthenticated: auth}, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errors.New("no proof")
	}
	return nil, firstErr
}

func (f *fakeProofs) JWT(ctx context.Context, p *payload.Payload) (*JWTOutcome, error) {
	f.count("jwt")
	kid, _ := p.Header["kid"].(string)
	mode, keyID, _ := strings.Cut(kid, " ")
	ok, auth, err := outcomeOf(mode, keyID)
	if !ok {
		return nil, err
	}
	return &JWTOutcome{Credential: p.Credential(), Alg: "EdDSA", KeyID: keyID, KeyAuthenticated: auth,
		NotBefore: numericDate(p.Object["nbf"]), Expires: numericDate(p.Object["exp"])}, nil
}

func (f *fakeProofs) CheckIssuer(ctx context.Context, keyID, issuerID string) error {
	f.count("issuer")
	if !strings.HasPrefix(keyID, issuerID) {
		return fmt.Errorf("the issuer's document does not list %s under assertionMethod", keyID)
	}
	return nil
}

// fakeSchemas fails credentials by id, and credential schemas by URL.
type fakeSchemas struct {
	invalid map[string]error // credential id → error
	schemas map[string]error // schema URL → error
}

func (f *fakeSchemas) Validate(ctx context.Context, credential map[string]any) error {
	return f.invalid[id(credential)]
}

func (f *fakeSchemas) ValidateCredentialSchema(ctx context.Context, url string, credential map[string]any) error {
	if err, ok := f.schemas[url]; ok {
		return err
	}
	return nil
}

// fakeNet serves documents by URL and counts requests per URL.
type fakeNet struct {
	mu     sync.Mutex
	docs   map[string]served
	hits   map[string]int
	accept map[string]string // last Accept header per URL
}

type served struct {
	status int
	body   []byte
	fail   bool // the connection fails
}

func newFakeNet() *fakeNet {
	return &fakeNet{docs: map[string]served{}, hits: map[string]int{}, accept: map[string]string{}}
}

func (n *fakeNet) serve(url string, body []byte) { n.serveStatus(url, 200, body) }

func (n *fakeNet) serveStatus(url string, status int, body []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.docs[url] = served{status: status, body: body}
}

func (n *fakeNet) down(url string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.docs[url] = served{fail: true}
}

func (n *fakeNet) count(url string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hits[url]
}

func (n *fakeNet) RoundTrip(req *http.Request) (*http.Response, error) {
	n.mu.Lock()
	url := req.URL.String()
	n.hits[url]++
	n.accept[url] = req.Header.Get("Accept")
	d, ok := n.docs[url]
	n.mu.Unlock()
	if d.fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	if !ok {
		d = served{status: 404, body: []byte("not found")}
	}
	return &http.Response{StatusCode: d.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(d.body)), Request: req}, nil
}

// testNow is the instant the tests verify at.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	t       testing.TB
	net     *fakeNet
	proofs  *fakeProofs
	schemas *fakeSchemas
	v       *Verifier
}

func newHarness(t testing.TB) *harness {
	h := &harness{t: t, net: newFakeNet(), proofs: &fakeProofs{}, schemas: &fakeSchemas{}}
	h.v = New(Options{Client: fetch.New(fetch.Options{Transport: h.net}), Now: func() time.Time { return testNow },
		Proofs: h.proofs, Schemas: h.schemas})
	return h
}

// parse turns a document into a payload as the verifier's callers do.
func parse(t testing.TB, doc any) *payload.Payload {
	t.Helper()
	var b []byte
	switch doc := doc.(type) {
	case string:
		b = []byte(doc)
	default:
		b = mustJSON(t, doc)
	}
	p, err := payload.Parse(b)
	if err != nil {
		t.Fatalf("payload.Parse: %v", err)
	}
	return p
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) verify(doc any, recipient map[string]any) *report.Result {
	h.t.Helper()
	return h.v.Verify(context.Background(), parse(h.t, doc), recipient)
}

// expect checks the Status and that the ERROR and WARNING messages are
// exactly want ("ERROR NAME" or "WARNING NAME"), in any order.
func expect(t *testing.T, res *report.Result, status report.Status, want ...string) {
	t.Helper()
	var got []string
	for _, m := range res.Report.Messages {
		if m.MessageLevel != report.Info {
			got = append(got, string(m.MessageLevel)+" "+m.Name)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if res.Status != status || !slices.Equal(got, want) {
		t.Errorf("status %s, messages %v; want %s, %v", res.Status, got, status, want)
		for _, m := range res.Report.Messages {
			t.Logf("  %s %s: %s", m.MessageLevel, m.Name, m.Result)
		}
	}
}

// message returns the text of the first message with that name and level.
func message(res *report.Result, level report.Level, name string) string {
	for _, m := range res.Report.Messages {
		if m.MessageLevel == level && m.Name == name {
			return m.Result
		}
	}
	return ""
}

const (
	issuerURL   = "https://issuer.test/issuers/1"
	contextOB   = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	statusURL   = "https://status.test/lists/1"
	credID      = "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58"
	goodProofVM = issuerURL + "#key-1"
)

// sampleCredential is a small valid OpenBadgeCredential with an embedded proof
// the fake accepts.
func sampleCredential() map[string]any {
	return map[string]any{
		"@context":  []any{contextVC2, contextOB},
		"id":        credID,
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": issuerURL, "type": []any{"Profile"}, "name": "Test Issuer", "url": "https://issuer.test"},
		"validFrom": "2024-01-01T00:00:00Z",
		"name":      "Teamwork credential",
		"credentialSubject": map[string]any{
			"id":   "did:example:alice",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id":          "https://issuer.test/achievements/teamwork",
				"type":        []any{"Achievement"},
				"name":        "Teamwork",
				"description": "Works well with others.",
				"criteria":    map[string]any{"narrative": "Nominated by peers."},
				"image":       map[string]any{"id": "https://issuer.test/teamwork.png", "type": "Image"},
			},
		},
		"proof": proof("good"),
	}
}

func proof(value string) map[string]any {
	return map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
		"verificationMethod": goodProofVM, "proofPurpose": "assertionMethod", "proofValue": value}
}

// jwt makes a compact JWS the fake checks by its kid ("good <key id>", …).
func jwt(t *testing.T, kid string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	header := mustJSON(t, map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": kid})
	return enc(header) + "." + enc(mustJSON(t, claims)) + "." + enc([]byte("signature"))
}
