// Package ob3fixtures is test support: the public Open Badges 3.0 fixtures
// of the 1EdTech validator and of the Digital Credentials Consortium,
// carried in testdata/ with their licences, and the verdict each upstream
// states for them, so badgebake's verifier can be held to the same answers.
//
// Want is the verdict badgebake should reach in a test that serves
// Documents() (through NewTransport) and nothing else: a key, list or schema
// on any other URL cannot be fetched. For fixtures with NeedsNetwork set the
// upstream verdict depends on documents only the real network has (a
// 1EdTechRevocationList, a did:velocity registry, a 404 that must be a 404):
// Want then records upstream's verdict, and an offline test should skip them
// or accept indeterminate.
package ob3fixtures

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Fixture is one carried credential and what its upstream expects of it.
type Fixture struct {
	// Name identifies the fixture in test names; it equals Path.
	Name string
	// Path is relative to Dir(), e.g. "1edtech/simple.json".
	Path string
	// Source is "1edtech" or "dcc".
	Source string
	// Format is how the bytes are carried: "json", "jwt", "png" or "svg".
	Format string
	// Want is "valid", "invalid", "revoked" or "indeterminate".
	Want string
	// WantMessage names the badgebake check that must fail (an ERROR with
	// this name) when Want is not "valid": VERIFY_PROOF, CHECK_EXPIRATION,
	// CHECK_STATUS, VALIDATE_SCHEMA, … It is the best mapping of upstream's
	// probe or reason onto badgebake's message names.
	WantMessage string
	// AlsoMessages are other checks the fixture is known to fail as well
	// (e.g. an expired credential that is also revoked); a verifier may
	// report them or stop before them.
	AlsoMessages []string
	// NeedsNetwork is set when upstream's verdict needs documents that
	// Documents does not hold.
	NeedsNetwork bool
	// Why gives upstream's stated reason, naming the test or file name.
	Why string
}

// All returns every fixture, sorted by Path.
func All() []Fixture {
	out := make([]Fixture, len(table))
	copy(out, table)
	for i := range out {
		out[i].Name = out[i].Path
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Dir returns the absolute path of the testdata directory.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("ob3fixtures: cannot locate the package source")
	}
	return filepath.Join(filepath.Dir(file), "testdata")
}

// Read returns the bytes of a fixture or support document, by its path
// relative to Dir().
func Read(path string) ([]byte, error) {
	return os.ReadFile(filepath.Join(Dir(), filepath.FromSlash(path)))
}

// documentPaths maps each URL the fixtures name to the carried file that
// stands for it. The DCC VCDM 2.0 credentials name verifier-core's copy of
// the same status list (byte-identical upstream).
var documentPaths = map[string]string{
	"https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist": "1edtech/bit-string-list/testlist",

	"https://digitalcredentials.github.io/vc-test-fixtures/dids/legacy/did.json":                                                       "dcc/dids/legacy/did.json",
	"https://digitalcredentials.github.io/vc-test-fixtures/dids/oidf/did.json":                                                         "dcc/dids/oidf/did.json",
	"https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj":               "dcc/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj",
	"https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/expired":                            "dcc/statusLists/didkey-ed25519Signature2020/expired",
	"https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/missingBitStringType":               "dcc/statusLists/didkey-ed25519Signature2020/missingBitStringType",
	"https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/notYetValid":                        "dcc/statusLists/didkey-ed25519Signature2020/notYetValid",
	"https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/tampered":                           "dcc/statusLists/didkey-ed25519Signature2020/tampered",
	"https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/e5WK8CbZ1GjycuPombrj": "dcc/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj",
}

// DocumentPaths returns URL → path (relative to Dir()) of the support
// documents: DID documents and status list credentials the fixtures name.
func DocumentPaths() map[string]string {
	out := make(map[string]string, len(documentPaths))
	for u, p := range documentPaths {
		out[u] = p
	}
	return out
}

var loadDocuments = sync.OnceValues(func() (map[string][]byte, error) {
	out := make(map[string][]byte, len(documentPaths))
	for u, p := range documentPaths {
		b, err := Read(p)
		if err != nil {
			return nil, err
		}
		out[u] = b
	}
	return out, nil
})

// Documents returns URL → body of every support document. It panics when a
// carried file is missing: the package's own test guards against that.
func Documents() map[string][]byte {
	docs, err := loadDocuments()
	if err != nil {
		panic("ob3fixtures: " + err.Error())
	}
	out := make(map[string][]byte, len(docs))
	for u, b := range docs {
		out[u] = b
	}
	return out
}

// Transport is an http.RoundTripper that answers from Documents: 200 with
// the body for a known URL (query and fragment ignored), 404 for any other.
// It never touches the network. Give it to fetch.Options.Transport.
type Transport struct {
	docs map[string][]byte
	mu   sync.Mutex
	seen []string
}

// NewTransport returns a Transport serving Documents().
func NewTransport() *Transport { return &Transport{docs: Documents()} }

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	u := *r.URL
	u.RawQuery, u.Fragment = "", ""
	key := u.String()
	t.mu.Lock()
	t.seen = append(t.seen, key)
	t.mu.Unlock()
	body, ok := t.docs[key]
	status := http.StatusOK
	if !ok {
		status, body = http.StatusNotFound, []byte("not found\n")
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if !ok {
		h.Set("Content-Type", "text/plain")
	}
	return &http.Response{
		Status:        http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

// Requests returns the URLs asked for so far, in order.
func (t *Transport) Requests() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.seen...)
}
