package ob2

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify/ob2/obschema"
)

// Task names of openbadges-validator-core, used as message names.
const (
	taskDetectInputType         = "DETECT_INPUT_TYPE"
	taskFetchHTTPNode           = "FETCH_HTTP_NODE"
	taskIntakeJSON              = "INTAKE_JSON"
	taskCompact                 = "JSONLD_COMPACT_DATA"
	taskProcessJWS              = "PROCESS_JWS_INPUT"
	taskProcessBaked            = "PROCESS_BAKED_RESOURCE"
	taskValidateProperty        = "VALIDATE_PROPERTY"
	taskValidateRDFType         = "VALIDATE_RDF_TYPE_PROPERTY"
	taskExpectedClass           = "VALIDATE_EXPECTED_NODE_CLASS"
	taskTimestamps              = "ASSERTION_TIMESTAMP_CHECKS"
	taskVerificationDeps        = "ASSERTION_VERIFICATION_DEPENDENCIES"
	taskHostedScope             = "HOSTED_ID_IN_VERIFICATION_SCOPE"
	taskCriteriaDeps            = "CRITERIA_PROPERTY_DEPENDENCIES"
	taskFlatten                 = "FLATTEN_EMBEDDED_RESOURCE"
	taskIdentityDeps            = "IDENTITY_OBJECT_PROPERTY_DEPENDENCIES"
	taskImage                   = "IMAGE_VALIDATION"
	taskIssuerDeps              = "ISSUER_PROPERTY_DEPENDENCIES"
	taskVerifyRecipient         = "VERIFY_RECIPIENT_IDENTIFIER"
	taskReportMessage           = "REPORT_MESSAGE"
	taskGone                    = "PROCESS_410_GONE"
	taskHostedNotRevoked        = "VERIFY_HOSTED_ASSERTION_NOT_REVOKED"
	acceptImages                = "image/png, image/svg+xml"
	defaultMaxDepth             = 3
	maxIDMismatchRefetches      = 2
	hostedVerificationTypeIRI   = "https://w3id.org/openbadges#HostedBadge"
	signedVerificationTypeIRI   = "https://w3id.org/openbadges#SignedBadge"
	openBadgesV2                = "2.0"
	openBadgesContextV2         = jsonld.ContextV2
	messageNoHostedVerification = "Could not determine verifiable input from provided JSON. No hosted verification URL found."
)

// Options configure a Verifier. Client and JSONLD are shared by every
// verification, so documents and contexts are fetched and parsed once.
type Options struct {
	Client *fetch.Client
	JSONLD *jsonld.Processor
	// Now is the clock for timestamp checks (time.Now when nil).
	Now func() time.Time
	// MaxDepth bounds how far related and endorsement links are followed
	// from the validation subject (default 3): the subject, its badge
	// class and issuer are at depth 0, an endorsement of any of them (with
	// its endorser) at 1, an endorsement of that endorsement at 2, and so
	// on; an embedded related object counts as a link too. A link that
	// would go deeper is not followed, and a WARNING says so. Cycles end
	// anyway: a document is fetched and validated once per verification.
	MaxDepth int
}

// Verifier verifies Open Badges 2.0 badges. It is safe for concurrent use.
type Verifier struct {
	nodes   nodeCache
	client  *fetch.Client
	ld      *jsonld.Processor
	schemas *obschema.Set
	now     func() time.Time
	depth   int
}

// New returns a Verifier. A nil Client or JSONLD gets a default one; the
// default JSONLD processor serves the embedded contexts and fetches others
// (unknown extension contexts) with the Client. Extension schemas are
// likewise embedded or fetched with the Client, and compiled once per
// Verifier.
func New(opts Options) *Verifier {
	v := &Verifier{client: opts.Client, ld: opts.JSONLD, now: opts.Now, depth: opts.MaxDepth}
	if v.client == nil {
		v.client = fetch.New(fetch.Options{})
	}
	if v.ld == nil {
		v.ld = jsonld.NewProcessor(jsonld.NewLoader(v.fetchJSON))
	}
	v.schemas = obschema.NewSet(v.fetchJSON)
	if v.now == nil {
		v.now = time.Now
	}
	if v.depth <= 0 {
		v.depth = defaultMaxDepth
	}
	return v
}

// fetchJSON gets a JSON-LD context or JSON schema with the Client: any
// HTTP error status is a failure.
func (v *Verifier) fetchJSON(ctx context.Context, url string) ([]byte, error) {
	resp, err := v.client.Get(ctx, url, acceptJSONLD)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 400 {
		return nil, &statusError{status: resp.Status, url: url}
	}
	return resp.Body, nil
}

// statusError is an HTTP error status for a context or schema.
type statusError struct {
	status int
	url    string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s from %s", e.status, http.StatusText(e.status), e.url)
}

// markUnavailableIf marks the last message Unavailable when the document
// at url, which it needed, could not be fetched for a transient reason.
func (r *run) markUnavailableIf(url string) {
	if r.unavailable[url] {
		r.res.Report.Messages[len(r.res.Report.Messages)-1].Unavailable = true
	}
}

// Recipient is a trusted profile of the expected recipient, e.g.
// {"email": "alice@example.org"} or {"email": ["a@x.org", "b@x.org"]}.
type Recipient map[string]any

// run is the state of one verification.
type run struct {
	v             *Verifier
	ctx           context.Context
	ld            *jsonld.Processor // v.ld, fetching unknown contexts with ctx
	res           *report.Result
	graph         []map[string]any
	byID          map[string]map[string]any
	validated     map[string]bool
	requested     map[string]bool // images and nodes already fetched in this run
	fetches       int             // fetches made, within MaxFetches
	fetchLimitHit bool            // a fetch past MaxFetches was reported
	prefetched    *fetch.Response // the input URL's response, fetched by the caller (VerifyFetched)
	unavailable   map[string]bool // URLs whose fetch failed transiently
	blank         int
	blankAt       map[string]blankPlace // where each blank node was found, to name it in messages
	version       string
	legacy        map[string]string // node id → version of its pre-2.0 document (legacy.go)
	signed        map[string]bool   // ids of assertions read from a JWS (signed.go)

	extContexts map[string]*extensionContext // extension contexts read (extensions.go)
	depth       int                          // endorsement and related links followed to get here (validate.go)
}

func (v *Verifier) newRun(ctx context.Context, value, inputType string) *run {
	return &run{v: v, ctx: ctx, ld: v.ld.WithContext(ctx), res: report.New(value, inputType),
		byID: map[string]map[string]any{}, validated: map[string]bool{}, requested: map[string]bool{}}
}

// Verify verifies an Open Badges 0.5–2.0 payload: a hosted assertion URL,
// assertion JSON or a signed JWS. It implements verify.Generation.
func (v *Verifier) Verify(ctx context.Context, p *payload.Payload, recipient map[string]any) *report.Result {
	switch p.Kind {
	case payload.KindURL:
		return v.VerifyURL(ctx, string(p.Raw), recipient)
	case payload.KindJSON:
		return v.VerifyJSON(ctx, p.Raw, recipient)
	default:
		if p.JWS == nil {
			return v.VerifyJWS(ctx, string(p.Raw), recipient)
		}
		return v.verifyParsedJWS(ctx, string(p.Raw), p.JWS, recipient)
	}
}

// VerifyURL verifies the hosted assertion at url.
func (v *Verifier) VerifyURL(ctx context.Context, url string, recipient Recipient) *report.Result {
	r := v.newRun(ctx, url, report.InputURL)
	r.verifyHosted(url)
	return r.finish(recipient)
}

// VerifyFetched is VerifyURL for a caller that has already fetched url
// (with the default Accept header) and looked at the response, as package
// verify does to tell a hosted badge from a baked image: resp answers the
// run's first fetch of url instead of a second Get.
func (v *Verifier) VerifyFetched(ctx context.Context, url string, resp *fetch.Response, recipient map[string]any) *report.Result {
	r := v.newRun(ctx, url, report.InputURL)
	r.prefetched = resp
	r.verifyHosted(url)
	return r.finish(recipient)
}

// VerifyJSON verifies assertion JSON. As the reference does, a hosted
// assertion is verified against the canonical copy at its id URL (or an
// OB 1.0 verify.url); JSON with no such URL cannot be verified.
func (v *Verifier) VerifyJSON(ctx context.Context, text []byte, recipient Recipient) *report.Result {
	r := v.newRun(ctx, string(text), report.InputJSON)
	url, err := r.hostedURLOf(text)
	if err != nil {
		r.res.Errorf(taskDetectInputType, "", "", "%v", err)
		return r.finish(nil)
	}
	if url == "" {
		r.res.Errorf(taskReportMessage, "", "", messageNoHostedVerification)
		return r.finish(nil)
	}
	r.res.Input = report.Input{Value: url, InputType: report.InputURL}
	r.verifyHosted(url)
	return r.finish(recipient)
}

// hostedURLOf finds the URL a JSON assertion is hosted at: its id after
// compaction into the v2 context, or the OB 1.0 verify.url.
func (r *run) hostedURLOf(text []byte) (string, error) {
	doc, err := decodeJSON(text)
	if err != nil {
		return "", fmt.Errorf("the input is not a JSON object: %v", err)
	}
	if _, has := doc["@context"]; has {
		if c, err := r.ld.Compact(doc, openBadgesContextV2); err == nil {
			doc = c
		}
	}
	if id, ok := doc["id"].(string); ok && IsURL(id) {
		return id, nil
	}
	for _, key := range []string{"verify", "verification"} {
		if vo, ok := doc[key].(map[string]any); ok {
			if u, ok := vo["url"].(string); ok && IsURL(u) {
				return u, nil
			}
		}
	}
	return "", nil
}

// decodeJSON parses one JSON object, after a UTF-8 byte order mark if there
// is one (servers that add one broke the reference, #248).
func decodeJSON(b []byte) (map[string]any, error) {
	b = textin.TrimBOM(b)
	if err := jsonin.CheckDepth(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("null is not an object")
	}
	return v, nil
}

// finish runs the recipient check, orders the graph and computes the verdict.
func (r *run) finish(recipient Recipient) *report.Result {
	if recipient != nil && r.assertion() != nil {
		r.verifyRecipient(recipient)
	}
	if r.version != "" {
		r.res.Report.OpenBadgesVersion = r.version
	}
	r.res.Graph = r.graph
	r.res.Generation = report.GenerationOB2
	r.res.Summary = r.summary()
	return r.res.Finish()
}

// assertion returns the validation subject's node when it is an Assertion.
func (r *run) assertion() map[string]any {
	n := r.byID[r.res.Report.ValidationSubject]
	if n != nil && hasType(stringsOf(n["type"]), classAssertion) {
		return n
	}
	return nil
}

// addNode puts a node into the graph (replacing one with the same id).
func (r *run) addNode(n map[string]any) {
	id, _ := n["id"].(string)
	if old, ok := r.byID[id]; ok {
		for i, g := range r.graph {
			if sameNode(g, old) {
				r.graph = append(r.graph[:i], r.graph[i+1:]...)
				break
			}
		}
	}
	r.byID[id] = n
	r.graph = append(r.graph, n)
}

func sameNode(a, b map[string]any) bool {
	return fmt.Sprintf("%p", a) == fmt.Sprintf("%p", b)
}

// nextBlank returns a fresh blank node id. Ids are deterministic within a
// run (_:b0, _:b1, …), unlike the reference's random ones.
func (r *run) nextBlank() string {
	id := fmt.Sprintf("_:b%d", r.blank)
	r.blank++
	return id
}

// stringsOf returns the strings of a string-or-array JSON value.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// listOf returns a JSON value as a list of values.
func listOf(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// abbreviate shortens a value for a message, as the reference does.
func abbreviate(v any) string {
	var s string
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = fmt.Sprint(e)
		}
		s = strings.Join(parts, ", ")
	case []string:
		s = strings.Join(v, ", ")
	default:
		s = fmt.Sprint(v)
	}
	if len(s) < 48 {
		return s
	}
	return s[:48] + "..."
}
