// Package badgehost is a badge issuer for tests and benchmarks: an HTTP
// handler serving hosted Open Badges 2.0 assertions that share one
// BadgeClass, Issuer and image, with a revoked and an invalid assertion,
// counting the requests for each path. Baked images pointing at it come
// from Baked.
package badgehost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
)

// Paths the host serves, beside /assertions/ID for any ID.
const (
	Revoked = "revoked" // /assertions/revoked answers 410 Gone
	Bad     = "bad"     // /assertions/bad has no recipient: invalid
	Slow    = "slow"    // /assertions/slow waits for Options.Gate

	// Hostile issuers' JSON-LD contexts: each of these assertions names,
	// after the v2 context, contexts of the host's under /ctx/.
	SelfCycle    = "self-cycle"    // /ctx/self names itself
	Cycle        = "cycle"         // /ctx/a names /ctx/b, which names /ctx/a
	Chain        = "chain"         // /ctx/chain/N names /ctx/chain/N+1, forever
	ManyContexts = "many-contexts" // names /ctx/many/0 … /ctx/many/1999
	// ManyLinks is endorsed by /endorsements/0 … /endorsements/999 (each
	// answers 404).
	ManyLinks = "many-links"
)

// Options shape the documents.
type Options struct {
	BadgeName  string // default "Robotics"
	IssuerName string // default "Example Issuer"
	// Gate, when set, holds requests for /assertions/slow until it is
	// closed or the request is canceled.
	Gate <-chan struct{}
}

// Host is a running issuer.
type Host struct {
	*httptest.Server
	opts   Options
	mu     sync.Mutex
	counts map[string]int
}

// Start starts a Host on a loopback port; Close it when done.
func Start(opts Options) *Host {
	if opts.BadgeName == "" {
		opts.BadgeName = "Robotics"
	}
	if opts.IssuerName == "" {
		opts.IssuerName = "Example Issuer"
	}
	h := &Host{opts: opts, counts: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

// Count is how many requests path got.
func (h *Host) Count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[path]
}

// Total is how many requests the host got.
func (h *Host) Total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.counts {
		n += c
	}
	return n
}

// AssertionURL is the URL of assertion id.
func (h *Host) AssertionURL(id string) string { return h.URL + "/assertions/" + id }

// Baked returns the example PNG (or SVG) baked with the URL of assertion id.
func (h *Host) Baked(id string, svg bool) ([]byte, error) {
	img := examples.PNG()
	if svg {
		img = examples.SVG()
	}
	p, err := payload.Parse([]byte(h.AssertionURL(id)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if _, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, &bake.Options{Validator: bake.StructureValidator{}}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// contextOf is the @context of the host's context document /ctx/name.
func (h *Host) contextOf(name string) any {
	base := h.URL + "/ctx/"
	var n int
	switch {
	case name == "self":
		return base + "self"
	case name == "a":
		return base + "b"
	case name == "b":
		return base + "a"
	case strings.HasPrefix(name, "chain/"):
		fmt.Sscanf(name, "chain/%d", &n)
		return fmt.Sprintf("%schain/%d", base, n+1)
	default: // many/N: a term of its own
		return map[string]any{"term" + strings.TrimPrefix(name, "many/"): "https://example.org/vocab#term"}
	}
}

// ContextRequests is how many requests the host got for context documents.
func (h *Host) ContextRequests() int { return h.requestsUnder("/ctx/") }

// EndorsementRequests is how many requests the host got under
// /endorsements/.
func (h *Host) EndorsementRequests() int { return h.requestsUnder("/endorsements/") }

func (h *Host) requestsUnder(prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for p, c := range h.counts {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

func (h *Host) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.counts[r.URL.Path]++
	h.mu.Unlock()
	base := h.URL
	assertion := func(id string) map[string]any {
		return map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": base + "/assertions/" + id,
			"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
			"badge":     base + "/badges/robotics", "verification": map[string]any{"type": "hosted"},
			"issuedOn": "2024-01-01T00:00:00Z"}
	}
	var doc map[string]any
	switch p := r.URL.Path; {
	case p == "/badges/robotics.png":
		w.Header().Set("Content-Type", "image/png")
		w.Write(examples.PNG())
		return
	case p == "/assertions/"+Revoked:
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, `{"revoked": true}`)
		return
	case p == "/assertions/"+Bad:
		doc = assertion(Bad)
		delete(doc, "recipient")
	case p == "/assertions/"+SelfCycle:
		doc = assertion(SelfCycle)
		doc["@context"] = []any{doc["@context"], base + "/ctx/self"}
	case p == "/assertions/"+Cycle:
		doc = assertion(Cycle)
		doc["@context"] = []any{doc["@context"], base + "/ctx/a"}
	case p == "/assertions/"+Chain:
		doc = assertion(Chain)
		doc["@context"] = []any{doc["@context"], base + "/ctx/chain/0"}
	case p == "/assertions/"+ManyContexts:
		doc = assertion(ManyContexts)
		contexts := []any{doc["@context"]}
		for i := range 2000 {
			contexts = append(contexts, fmt.Sprintf("%s/ctx/many/%d", base, i))
		}
		doc["@context"] = contexts
	case p == "/assertions/"+ManyLinks:
		doc = assertion(ManyLinks)
		var links []any
		for i := range 1000 {
			links = append(links, fmt.Sprintf("%s/endorsements/%d", base, i))
		}
		doc["endorsement"] = links
	case strings.HasPrefix(p, "/ctx/"):
		doc = map[string]any{"@context": h.contextOf(strings.TrimPrefix(p, "/ctx/"))}
	case p == "/assertions/"+Slow && h.opts.Gate != nil:
		select {
		case <-h.opts.Gate:
		case <-r.Context().Done():
			return
		}
		doc = assertion(Slow)
	case strings.HasPrefix(p, "/assertions/"):
		doc = assertion(strings.TrimPrefix(p, "/assertions/"))
	case p == "/badges/robotics":
		doc = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": base + "/badges/robotics",
			"name": h.opts.BadgeName, "description": "Built a robot.", "image": base + "/badges/robotics.png",
			"criteria": base + "/badges/robotics.html", "issuer": base + "/issuer"}
	case p == "/issuer":
		doc = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": base + "/issuer",
			"name": h.opts.IssuerName, "url": base, "email": "badges@example.org"}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	json.NewEncoder(w).Encode(doc)
}
