// Package badgecard shows what a person wants to see about a badge, from the
// summary of a verification result: its name, issuer, image, recipient and
// dates. The HTML batch report and the HTTP service's result page both show
// it.
package badgecard

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/report"
)

// Card is the badge as a person sees it. Every field may be empty: a report
// of an input that could not be read has no summary.
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

// Read builds the Card of a verification result from the summary its
// verifier made.
func Read(res *report.Result) Card {
	var c Card
	sm := res.Summary
	if sm == nil {
		return c
	}
	c.Name, c.Description, c.Image, c.IssuedOn, c.Expires = sm.Name, sm.Description, sm.Image, sm.IssuedOn, sm.Expires
	if sm.Issuer != nil {
		c.Issuer, c.IssuerURL = sm.Issuer.Name, sm.Issuer.URL
	}
	if r := sm.Recipient; r != nil {
		c.Recipient = Recipient{Type: r.Type, Identity: r.Identity, Hashed: r.Hashed, Salted: r.Salted}
	}
	return c
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
