package keys_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/proof/didkey"
)

// fakeWeb is an HTTPS server that answers for any host name: every
// connection the client opens goes to it, and its certificate is valid
// for example.com (httptest's). Documents are registered by
// "host[:port]/path".
type fakeWeb struct {
	srv *httptest.Server

	mu     sync.Mutex
	docs   map[string]page
	hits   map[string]int
	accept []string
}

type page struct {
	status int
	body   string
}

func newFakeWeb(t testing.TB) (*fakeWeb, *fetch.Client) {
	t.Helper()
	w := &fakeWeb{docs: map[string]page{}, hits: map[string]int{}}
	w.srv = httptest.NewTLSServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	tr := w.srv.Client().Transport.(*http.Transport).Clone()
	addr := w.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return w, fetch.New(fetch.Options{Transport: tr})
}

func (w *fakeWeb) serve(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	key := r.Host + r.URL.Path
	w.hits[key]++
	w.accept = append(w.accept, r.Header.Get("Accept"))
	p, ok := w.docs[key]
	w.mu.Unlock()
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(p.status)
	rw.Write([]byte(p.body))
}

// put serves v (a string as is, anything else as JSON) at hostPath.
func (w *fakeWeb) put(hostPath string, v any) { w.putStatus(hostPath, 200, v) }

func (w *fakeWeb) putStatus(hostPath string, status int, v any) {
	body, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		body = string(b)
	}
	w.mu.Lock()
	w.docs[hostPath] = page{status, body}
	w.mu.Unlock()
}

func (w *fakeWeb) hitCount(hostPath string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits[hostPath]
}

// Test keys, generated once per test binary.
var testKeys = sync.OnceValue(func() (k struct {
	ed    ed25519.PrivateKey
	ed2   ed25519.PrivateKey
	p256  *ecdsa.PrivateKey
	p384  *ecdsa.PrivateKey
	rsa   *rsa.PrivateKey
	rsa1k *rsa.PrivateKey
}) {
	var err error
	must := func(e error) {
		if e != nil {
			panic(e)
		}
	}
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	_, k.ed2, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa1k, err = rsa.GenerateKey(rand.Reader, 1024)
	must(err)
	return k
})

// multibase is the publicKeyMultibase of an Ed25519 or P-256 key.
func multibase(pub crypto.PublicKey) string {
	did, err := didkey.FromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return strings.TrimPrefix(did, didkey.Prefix)
}

// jwkOf is the JWK of key (public or private) as a JSON object.
func jwkOf(key any, kid string) map[string]any {
	b, err := jose.JSONWebKey{Key: key, KeyID: kid}.MarshalJSON()
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func sameKey(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
