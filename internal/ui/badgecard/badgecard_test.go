package badgecard

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/report"
)

func TestRead(t *testing.T) {
	res := &report.Result{Summary: &report.Summary{Name: "Robotics", Description: "Builds robots.",
		Issuer: &report.SummaryIssuer{Name: "Example Academy", ID: "https://example.org/issuer", URL: "https://example.org"},
		Image:  "https://example.org/badge.png", IssuedOn: "2024-03-01T00:00:00Z", Expires: "2030-03-01T12:30:00Z",
		Recipient: &report.SummaryRecipient{Type: "email", Identity: "sha256$abc", Hashed: true, Salted: true}}}
	want := Card{Name: "Robotics", Description: "Builds robots.", Issuer: "Example Academy", IssuerURL: "https://example.org",
		Image: "https://example.org/badge.png", IssuedOn: "2024-03-01T00:00:00Z", Expires: "2030-03-01T12:30:00Z",
		Recipient: Recipient{Type: "email", Identity: "sha256$abc", Hashed: true, Salted: true}}
	if c := Read(res); c != want {
		t.Errorf("Read:\n got %+v\nwant %+v", c, want)
	}
	if c := Read(&report.Result{}); c != (Card{}) {
		t.Errorf("no summary: %+v", c)
	}
}

func TestDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-01T00:00:00Z":      "1 March 2024",
		"2024-03-01":                "1 March 2024",
		"2030-03-01T12:30:00Z":      "1 March 2030, 12:30 UTC",
		"2030-03-01T12:30:00+02:00": "1 March 2030, 12:30 +0200",
		"soon":                      "soon",
	} {
		if got := Date(in); got != want {
			t.Errorf("Date(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDataURI(t *testing.T) {
	png := examples.PNG()
	uri, why := DataURI(png)
	if why != "" || !strings.HasPrefix(string(uri), "data:image/png;base64,") {
		t.Fatalf("PNG: %q, %q", uri[:min(len(uri), 40)], why)
	}
	if b, ok := DecodeDataURI(string(uri)); !ok || string(b) != string(png) {
		t.Error("DecodeDataURI does not give the PNG back")
	}
	if uri, _ := DataURI([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)); !strings.HasPrefix(string(uri), "data:image/svg+xml;base64,") {
		t.Errorf("SVG: %q", uri)
	}
	if uri, why := DataURI([]byte("<html><script>alert(1)</script>")); uri != "" || why != "no image" {
		t.Errorf("HTML: %q, %q", uri, why)
	}
	if uri, why := DataURI(make([]byte, MaxImage+1)); uri != "" || !strings.Contains(why, "256 KiB") {
		t.Errorf("too large: %q, %q", uri, why)
	}
	for _, bad := range []string{"https://example.org/x.png", "data:image/png,raw", "data:image/png;base64,%%%", "data:;base64," + base64.StdEncoding.EncodeToString(make([]byte, MaxImage*2))} {
		if _, ok := DecodeDataURI(bad); ok {
			t.Errorf("DecodeDataURI(%.40q) accepted", bad)
		}
	}
}
