package unbake_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/unbake"
)

// TestCorpus unbakes every real image in the shared corpus and compares
// the result with what MANIFEST.md says the image holds.
func TestCorpus(t *testing.T) {
	dir := testcorpus.Dir(t)
	rows := testcorpus.Images(t)
	listed := map[string]bool{}
	for _, row := range rows {
		listed[row.Path] = true
	}
	// Every image file in the folder must have a row: nothing goes untested.
	filepath.WalkDir(filepath.Join(dir, "images"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			if !listed[filepath.ToSlash(rel)] {
				t.Errorf("%s is not described in MANIFEST.md", rel)
			}
		}
		return err
	})

	backticked := regexp.MustCompile("`([^`]*)`")
	for _, row := range rows {
		t.Run(row.Path, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, row.Path))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := unbake.Unbake(f, nil)
			switch row.PayloadKind {
			case "**no badge**":
				if !errors.Is(err, unbake.ErrNoBadge) {
					t.Fatalf("got %v, %v; want ErrNoBadge", res, err)
				}
				return
			case "**not an image**":
				if !errors.Is(err, unbake.ErrNotImage) {
					t.Fatalf("got %v, %v; want ErrNotImage", res, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unbake: %v", err)
			}

			// The carrier column: "iTXt `openbadges`" or "SVG `openbadges:assertion` (ns `…`)".
			names := backticked.FindAllStringSubmatch(row.Carrier, -1)
			if strings.HasPrefix(row.Carrier, "SVG") {
				if res.Carrier.Element != names[0][1] || res.Carrier.Namespace != names[1][1] {
					t.Errorf("carrier %+v, want element %s in %s", res.Carrier, names[0][1], names[1][1])
				}
			} else if got := res.Carrier.Chunk + " `" + res.Carrier.Keyword + "`"; got != row.Carrier {
				t.Errorf("carrier %q, want %q", got, row.Carrier)
			}

			// The payload: both verify and a body (OB 2.0 SVG) → the body
			// when it is readable JSON, else the verify URL.
			values := backticked.FindAllStringSubmatch(row.Payload, -1)
			var wantKind, wantPayload, wantSource string
			switch row.PayloadKind {
			case "url", "json":
				wantKind, wantPayload = row.PayloadKind, values[0][1]
			case "url (verify attr) + json (CDATA body)":
				wantKind, wantPayload, wantSource = "json", values[1][1], "body"
			case "url (verify attr) + invalid-json (CDATA body)":
				wantKind, wantPayload, wantSource = "url", values[0][1], "verify"
				if !strings.Contains(strings.Join(res.Warnings, "\n"), "body is unreadable") {
					t.Errorf("no warning about the unreadable body: %q", res.Warnings)
				}
			default:
				t.Fatalf("MANIFEST.md payload kind %q is not understood by this test", row.PayloadKind)
			}
			if string(res.Kind) != wantKind {
				t.Errorf("kind %q, want %q", res.Kind, wantKind)
			}
			if wantSource != "" && res.Carrier.Source != wantSource {
				t.Errorf("source %q, want %q", res.Carrier.Source, wantSource)
			}
			got := res.Payload
			if wantKind != "url" {
				got = testcorpus.Preview(got)
			}
			if got != wantPayload {
				t.Errorf("payload\n got %q\nwant %q", got, wantPayload)
			}
			if res.Carrier.Chunk == "tEXt" && !strings.Contains(strings.Join(res.Warnings, "\n"), "legacy tEXt") {
				t.Errorf("no legacy tEXt warning: %q", res.Warnings)
			}
		})
	}
}
