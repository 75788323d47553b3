package textreport

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestWrite(t *testing.T) {
	valid := report.New("https://example.org/a/1", report.InputURL)
	valid.Graph = []map[string]any{{"id": "https://example.org/a/1"}}
	valid.Report.ValidationSubject = "https://example.org/a/1"
	valid.Report.OpenBadgesVersion = "2.0"
	valid.Report.RecipientProfile = map[string]string{"url": "https://alice.example", "email": "alice@example.org"}
	valid.Summary = &report.Summary{Name: "Robotics", Issuer: &report.SummaryIssuer{Name: "Example Academy", ID: "https://example.org/issuer"},
		Recipient: &report.SummaryRecipient{Type: "email", Identity: "sha256$abc", Hashed: true}, IssuedOn: "2024-03-01T00:00:00Z", Expires: "2030-01-01T00:00:00Z"}
	valid.Warnf("VALIDATE_PROPERTY", "https://example.org/a/1", "narrative", "a warning")
	valid.Finish()

	down := report.New("https://down.example/a/1", report.InputURL)
	down.Unavailablef("FETCH_HTTP_NODE", "https://down.example/a/1", "", "HTTP 503 Service Unavailable from https://down.example/a/1")
	down.Finish()

	revoked := report.New("https://example.org/a/2", report.InputURL)
	revoked.Revokedf("PROCESS_410_GONE", "https://example.org/a/2", "", "Assertion https://example.org/a/2 is revoked")
	revoked.Finish()

	var out bytes.Buffer
	for _, res := range []*report.Result{valid, down, revoked} {
		Write(&out, res)
		out.WriteString("---\n")
	}
	golden(t, "reports.txt", out.Bytes())
}

// TestWriteColor: on a terminal the verdict word is bold and coloured —
// green valid, red invalid and revoked, yellow not checked — and nothing
// else is.
func TestWriteColor(t *testing.T) {
	var out bytes.Buffer
	for _, st := range []report.Status{report.StatusValid, report.StatusInvalid, report.StatusRevoked, report.StatusIndeterminate} {
		res := report.New("https://example.org/a/1", report.InputURL)
		res.Status = st
		res.Summary = &report.Summary{Name: "Robotics", Issuer: &report.SummaryIssuer{Name: "Example Academy"}, IssuedOn: "2024-03-01"}
		WriteOptions(&out, res, Options{Color: true})
		out.WriteString("---\n")
	}
	golden(t, "color.txt", out.Bytes())
	var plain bytes.Buffer
	res := report.New("https://example.org/a/1", report.InputURL)
	WriteOptions(&plain, res, Options{})
	if bytes.Contains(plain.Bytes(), []byte("\x1b[")) {
		t.Errorf("colour without Color: %q", plain.Bytes())
	}
}

// TestWriteBlankNode: a blank node's made-up id (_:b0) is not shown as the
// message's node; the message names the node itself.
func TestWriteBlankNode(t *testing.T) {
	res := report.New("https://example.org/a/1", report.InputURL)
	res.Warnf("ISSUER_PROPERTY_DEPENDENCIES", "_:b1", "", "Issuer Profile (the issuer of the badge of the assertion) not hosted with HTTP-based identifier.")
	res.Finish()
	var out bytes.Buffer
	Write(&out, res)
	if bytes.Contains(out.Bytes(), []byte("_:b1")) || !bytes.Contains(out.Bytes(), []byte("  WARNING ISSUER_PROPERTY_DEPENDENCIES\n")) {
		t.Errorf("blank node shown:\n%s", out.Bytes())
	}
}

// TestWriteControlCharacters: the badge's own text cannot write escape
// sequences to the terminal, such as a fake verdict in green.
func TestWriteControlCharacters(t *testing.T) {
	res := report.New("https://example.org/a/1\x1b[0m", report.InputURL)
	res.Summary = &report.Summary{Name: "R\x1b[1;32m", Issuer: &report.SummaryIssuer{Name: "Evil\x1b[2K\rVALID", ID: "https://e.example/\x1b"},
		Recipient: &report.SummaryRecipient{Type: "email", Identity: "a@b\x07"}}
	res.Errorf("VALIDATE_PROPERTY", "https://e.example/\x1b[0m", "name", "bad \x1b[1;32mname")
	res.Finish()
	var out bytes.Buffer
	WriteOptions(&out, res, Options{})
	if bytes.ContainsAny(out.Bytes(), "\x1b\x07\r") || !bytes.Contains(out.Bytes(), []byte(`by Evil\x1b[2K\rVALID`)) {
		t.Errorf("control characters written:\n%q", out.Bytes())
	}
}
