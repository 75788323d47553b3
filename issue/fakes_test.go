package issue

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/ob3issuer"
	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// testSigner signs for real with a did:key issuer's Ed25519 key, so what
// it signs verifies offline.
type testSigner struct {
	format string // "eddsa-rdfc-2022" or "vc-jwt"
	did    string
	key    ed25519.PrivateKey
	vm     string
	canon  dataintegrity.Canonicalizer
	calls  sync.Map // credential id → times signed
}

func newTestSigner(t testing.TB, format string) *testSigner {
	iss := ob3issuer.NewDIDKey(t)
	return &testSigner{format: format, did: iss.ID, key: iss.Keys.Ed25519, vm: iss.Keys.Ed25519ID, canon: ob3issuer.Canonicalizer()}
}

func (s *testSigner) Format() string { return s.format }

func (s *testSigner) Sign(ctx context.Context, p *payload.Payload) ([]byte, error) {
	id, _ := p.Object["id"].(string)
	n, _ := s.calls.LoadOrStore(id, new(int))
	*n.(*int)++ // ids are distinct across rows, and a row is signed by one goroutine
	return s.sign(ctx, p.Object)
}

func (s *testSigner) sign(ctx context.Context, obj map[string]any) ([]byte, error) {
	if s.format == "vc-jwt" {
		tok, err := vcjwt.Sign(obj, s.key, vcjwt.SignOptions{Kid: s.vm})
		return []byte(tok), err
	}
	signed, err := dataintegrity.Sign(ctx, obj, dataintegrity.SignOptions{VerificationMethod: s.vm, Created: "2025-01-01T00:00:00Z"}, s.key, s.canon)
	if err != nil {
		return nil, err
	}
	return json.Marshal(signed)
}

func (s *testSigner) signedTimes(id string) int {
	n, ok := s.calls.Load(id)
	if !ok {
		return 0
	}
	return *n.(*int)
}

func (s *testSigner) StatusList(ctx context.Context, listURL string, revoked []int, size int) ([]byte, error) {
	l := statuslist.New(size)
	for _, i := range revoked {
		if err := l.Set(i, 1, 1); err != nil {
			return nil, err
		}
	}
	enc, err := l.Encode()
	if err != nil {
		return nil, err
	}
	return s.sign(ctx, map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        listURL,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    s.did,
		"validFrom": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": listURL + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": enc,
		},
	})
}

// memLedger is a Ledger in memory.
type memLedger struct {
	mu      sync.Mutex
	entries map[string]*Entry // row key → entry
	order   []string
	next    map[string]int // list URL → next index
}

func newMemLedger() *memLedger {
	return &memLedger{entries: map[string]*Entry{}, next: map[string]int{}}
}

func (l *memLedger) Reserve(ctx context.Context, r Reservation) (*Entry, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[r.RowKey]; ok {
		c := *e
		return &c, true, nil
	}
	e := &Entry{CredentialID: r.CredentialID, RowKey: r.RowKey, RecipientHash: r.RecipientHash, StatusListURL: r.StatusListURL,
		Format: r.Format, OutputFile: r.OutputFile, StatusIndex: -1, State: StateReserved}
	if r.WantIndex {
		e.StatusIndex = l.next[r.StatusListURL]
		l.next[r.StatusListURL]++
	}
	l.entries[r.RowKey] = e
	l.order = append(l.order, r.RowKey)
	c := *e
	return &c, false, nil
}

func (l *memLedger) Complete(ctx context.Context, rowKey string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[rowKey]
	if !ok {
		return fmt.Errorf("no row %q", rowKey)
	}
	e.State, e.IssuedAt = StateIssued, at
	return nil
}

func (l *memLedger) Revoke(ctx context.Context, ids []string, reason string, at time.Time) ([]Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Entry
	for _, id := range ids {
		var found *Entry
		for _, e := range l.entries {
			if e.CredentialID == id || e.RowKey == id {
				found = e
			}
		}
		if found == nil {
			return nil, fmt.Errorf("no credential %q", id)
		}
		found.Revoked, found.RevokedAt, found.RevokeReason = true, at, reason
		out = append(out, *found)
	}
	return out, nil
}

func (l *memLedger) Entries(ctx context.Context, fn func(Entry) error) error {
	l.mu.Lock()
	var es []Entry
	for _, k := range l.order {
		es = append(es, *l.entries[k])
	}
	l.mu.Unlock()
	for _, e := range es {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (l *memLedger) RevokedIndexes(ctx context.Context, listURL string) ([]int, error) {
	var out []int
	err := l.Entries(ctx, func(e Entry) error {
		if e.Revoked && e.StatusListURL == listURL && e.StatusIndex >= 0 {
			out = append(out, e.StatusIndex)
		}
		return nil
	})
	return out, err
}

func (l *memLedger) MaxIndex(ctx context.Context, listURL string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next[listURL] - 1, nil
}

func (l *memLedger) entry(rowKey string) Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.entries[rowKey]
}

// template is an OB 3.0 AchievementCredential template by issuer.
func ob3Template(issuer string) []byte {
	return []byte(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "{{.id}}",
  "type": ["VerifiableCredential", "AchievementCredential"],
  "issuer": {"id": "` + issuer + `", "type": ["Profile"], "name": "Example Issuer", "url": "https://issuer.example"},
  "validFrom": "{{.date}}",
  "name": "Teamwork",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "{{.email}}"}],
    "achievement": {
      "id": "https://issuer.example/achievements/teamwork",
      "type": ["Achievement"],
      "name": "Teamwork",
      "description": "Awarded to {{.name}} for working well with others.",
      "criteria": {"narrative": "Nominated by three peers."}
    }
  }
}`)
}

// recipients is a CSV file of n rows: key,name,email,date.
func recipients(n int) string {
	var b strings.Builder
	b.WriteString("key,name,email,date\n")
	for i := range n {
		fmt.Fprintf(&b, "r%03d,Person %d,person%d@example.org,2025-06-01T00:00:00Z\n", i, i, i)
	}
	return b.String()
}

// offlineVerifier verifies did:key credentials without the network; a
// status list is Unavailable.
func offlineVerifier() *verify.Verifier {
	return verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
}

// serving returns a verifier whose client answers url with the file at
// path and nothing else.
func serving(files map[string]string) *verify.Verifier {
	return verify.New(verify.Config{Client: fetch.New(fetch.Options{Transport: fileTransport(files)})})
}

// fileTransport answers each URL with a file's content; 404 otherwise.
type fileTransport map[string]string

func (ft fileTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	status := http.StatusOK
	body, err := os.ReadFile(ft[u.String()])
	if ft[u.String()] == "" || err != nil {
		status, body = http.StatusNotFound, []byte("not found")
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

func testPNG() []byte { return pngtest.Minimal() }

func baseOptions(t testing.TB, s *testSigner, l *memLedger, csv string) Options {
	return Options{
		Template: ob3Template(s.did), TemplateName: "template.json",
		Recipients: strings.NewReader(csv), RecipientsName: "recipients.csv",
		Image: testPNG(), ImageName: "badge.png",
		OutDir: t.TempDir(), Signer: s, Ledger: l, Verifier: offlineVerifier(),
		Jobs: 4,
	}
}

// outputs lists the files of dir, sorted.
func outputs(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func verifyFile(t testing.TB, v *verify.Verifier, path string, recipient verify.Recipient) *report.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), verify.Input{Data: data, Name: filepath.Base(path)}, &verify.Options{Recipient: recipient})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// problems are the failed ERROR messages of res, but for an unpublished
// status list's (CHECK_STATUS, Unavailable).
func problems(res *report.Result) []string {
	var out []string
	for _, m := range res.Report.Messages {
		if m.Success || m.MessageLevel != report.Error || m.Name == "CHECK_STATUS" && m.Unavailable {
			continue
		}
		out = append(out, m.Name+": "+m.Result)
	}
	return out
}
