package ob2

import (
	"reflect"
	"testing"

	"github.com/badgebake/badgebake/report"
)

// runWith is a run whose graph is nodes and whose validation subject is
// subject, as the verifier leaves them before finish.
func runWith(subject string, nodes ...map[string]any) *run {
	r := &run{res: report.New(subject, report.InputURL), byID: map[string]map[string]any{}}
	r.res.Report.ValidationSubject = subject
	for _, n := range nodes {
		r.addNode(n)
	}
	return r
}

func TestSummary(t *testing.T) {
	// The assertion links its badge class, which links its issuer; a
	// second profile (an endorser) comes first.
	r := runWith("https://example.org/a/1",
		map[string]any{"id": "https://other.org/endorser", "type": "Profile", "name": "Endorser"},
		map[string]any{"id": "https://example.org/a/1", "type": "Assertion", "badge": "https://example.org/badge",
			"issuedOn": "2024-03-01T00:00:00Z", "expires": "2030-03-01T12:30:00Z",
			"recipient": map[string]any{"type": "email", "hashed": true, "salt": "s", "identity": "sha256$abc"}},
		map[string]any{"id": "https://example.org/badge", "type": "BadgeClass", "name": map[string]any{"fr": "Robotique", "en": "Robotics"},
			"description": "Builds robots.", "image": "https://example.org/badge.png", "issuer": "https://example.org/issuer"},
		map[string]any{"id": "https://example.org/issuer", "type": "Profile", "name": "Example Academy", "url": "https://example.org"},
	)
	want := &report.Summary{Name: "Robotics", Description: "Builds robots.",
		Issuer: &report.SummaryIssuer{Name: "Example Academy", ID: "https://example.org/issuer", URL: "https://example.org"},
		Image:  "https://example.org/badge.png", IssuedOn: "2024-03-01T00:00:00Z", Expires: "2030-03-01T12:30:00Z",
		Recipient: &report.SummaryRecipient{Type: "email", Identity: "sha256$abc", Hashed: true, Salted: true}}
	if got := r.summary(); !reflect.DeepEqual(got, want) {
		t.Errorf("summary:\n got %+v\nwant %+v", got, want)
	}

	// A badge class verified by itself, with an embedded issuer and image.
	r = runWith("https://example.org/badge",
		map[string]any{"id": "https://example.org/badge", "type": "BadgeClass", "name": "Solo",
			"image": map[string]any{"id": "data:image/png;base64,AA=="}, "issuer": map[string]any{"id": "_:b0", "type": "Issuer", "name": "Embedded"}})
	got := r.summary()
	if got == nil || got.Name != "Solo" || got.Image != "data:image/png;base64,AA==" || got.Issuer == nil ||
		got.Issuer.Name != "Embedded" || got.Issuer.ID != "" || got.Recipient != nil {
		t.Errorf("badge class alone: %+v", got)
	}

	// Nothing verified: no summary.
	if got := runWith("").summary(); got != nil {
		t.Errorf("empty graph: %+v", got)
	}
}
