package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/verify"
)

// A hosted badge served by a local test server: assertion, badge class,
// issuer and image.
func Example() {
	var base string
	docs := map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/badge.png" {
			w.Write(examples.PNG())
			return
		}
		json.NewEncoder(w).Encode(docs[r.URL.Path])
	}))
	defer srv.Close()
	base = srv.URL
	docs["/assertion"] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": base + "/assertion",
		"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
		"badge":     base + "/badge", "verification": map[string]any{"type": "hosted"}, "issuedOn": "2024-05-01T10:00:00Z"}
	docs["/badge"] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": base + "/badge",
		"name": "Robotics", "description": "Built a robot.", "image": base + "/badge.png", "criteria": base + "/criteria", "issuer": base + "/issuer"}
	docs["/issuer"] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": base + "/issuer",
		"name": "Example Issuer", "url": base, "email": "badges@example.org"}

	res, err := verify.Verify(context.Background(), verify.Input{Data: []byte(base + "/assertion")}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid:", res.Report.Valid, "errors:", res.Report.ErrorCount, "version:", res.Report.OpenBadgesVersion)
	for _, node := range res.Graph {
		fmt.Println(node["type"])
	}
	// Output:
	// valid: true errors: 0 version: 2.0
	// Assertion
	// BadgeClass
	// Issuer
}
