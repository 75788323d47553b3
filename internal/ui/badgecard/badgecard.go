// Package badgecard reads what a person wants to see about a badge out of a
// verification report: its name, issuer, image, recipient and dates. The
// HTML batch report and the HTTP service's result page both show it.
package badgecard

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/badgebake/badgebake/carrier"
)

// Card is the badge as a person sees it. Every field may be empty: a report
// of an input that could not be read has no graph.
type Card struct {
	Name        string
	Description string
	Issuer      string
	IssuerURL   string
	// Image is the badge class's image property: a URL or a data: URI.
	Image string
	// Recipient is the recipient identity as the assertion states it.
	Recipient Recipient
	IssuedOn  string
	Expires   string
}

// Recipient is an assertion's recipient identity object.
type Recipient struct {
	Type     string // "email", "url", "telephone", …
	Identity string // plain, or "sha256$…" when Hashed
	Hashed   bool
	Salted   bool
}

// Read builds the Card of a verification graph: the Assertion (or
// credential) node, the BadgeClass it names and that class's issuer.
func Read(graph []map[string]any) Card {
	var c Card
	byID := make(map[string]map[string]any, len(graph))
	for _, n := range graph {
		if id, ok := n["id"].(string); ok {
			byID[id] = n
		}
	}
	var badge map[string]any
	for _, n := range graph {
		if hasType(n, "Assertion") {
			c.IssuedOn, c.Expires = text(n["issuedOn"]), text(n["expires"])
			if r, ok := n["recipient"].(map[string]any); ok {
				c.Recipient = Recipient{Type: text(r["type"]), Identity: text(r["identity"]), Salted: text(r["salt"]) != ""}
				c.Recipient.Hashed, _ = r["hashed"].(bool)
			}
			badge = byID[ref(n["badge"])]
			break
		}
	}
	if badge == nil {
		badge = first(graph, "BadgeClass", "Achievement")
	}
	var issuer map[string]any
	if badge != nil {
		c.Name, c.Description = text(badge["name"]), text(badge["description"])
		c.Image = ref(badge["image"])
		issuer = byID[ref(badge["issuer"])]
		if issuer == nil {
			issuer, _ = badge["issuer"].(map[string]any)
		}
	}
	if issuer == nil {
		issuer = first(graph, "Issuer", "Profile")
	}
	if issuer != nil {
		c.Issuer, c.IssuerURL = text(issuer["name"]), text(issuer["url"])
	}
	return c
}

// Names finds the badge's name and its issuer's name in a verification
// graph: the BadgeClass node's name, and the name of the Issuer or Profile
// node the BadgeClass names as its issuer (else the first such node).
func Names(graph []map[string]any) (badge, issuer string) {
	c := Read(graph)
	return c.Name, c.Issuer
}

// Date shows an ISO 8601 timestamp as a date a person reads at a glance
// ("2 January 2006"), with the time when it is not midnight UTC; anything
// else is returned as given.
func Date(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if h, m, sec := t.Clock(); h == 0 && m == 0 && sec == 0 {
			return t.Format("2 January 2006")
		}
		return t.Format("2 January 2006, 15:04 MST")
	}
	return s
}

// MaxImage is the largest image shown inline as a data: URI.
const MaxImage = 256 << 10

// DataURI returns b as a data: URI when it is a PNG, SVG, GIF, JPEG or WebP
// image no larger than MaxImage, or else "" and why not. An SVG in a data:
// URI shown with <img> cannot run scripts or load anything.
func DataURI(b []byte) (template.URL, string) {
	if len(b) > MaxImage {
		return "", fmt.Sprintf("image over %d KiB", MaxImage>>10)
	}
	var mime string
	switch carrier.Detect(b) {
	case carrier.PNG:
		mime = "image/png"
	case carrier.SVG:
		mime = "image/svg+xml"
	default:
		switch ct := http.DetectContentType(b); ct {
		case "image/gif", "image/jpeg", "image/webp":
			mime = ct
		default:
			return "", "no image"
		}
	}
	// The URI is a fixed prefix and base64 text: nothing to escape.
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)), ""
}

// DecodeDataURI returns the bytes of a base64 data: URI ("data:image/png;base64,…").
func DecodeDataURI(uri string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") || len(data) > MaxImage*4/3+4 {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, false
	}
	return b, true
}

// first is the first node with one of the types.
func first(graph []map[string]any, types ...string) map[string]any {
	for _, n := range graph {
		if hasType(n, types...) {
			return n
		}
	}
	return nil
}

// ref is the id a property links to: a string, or an embedded node's id.
func ref(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

func hasType(n map[string]any, want ...string) bool {
	var types []any
	switch t := n["type"].(type) {
	case string:
		types = []any{t}
	case []any:
		types = t
	}
	for _, t := range types {
		for _, w := range want {
			if t == w {
				return true
			}
		}
	}
	return false
}

// text is a name: a string, or the first value of a language map.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				return s
			}
		}
	}
	return ""
}
