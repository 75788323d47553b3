// Package testcorpus finds the shared test corpus (real badge images, test
// vectors and JSON-LD contexts) that lives beside the project checkout in
// ../shared/corpus, and reads what its MANIFEST.md says about each image.
// The corpus is not part of the project: tests that use it skip when it is
// absent.
package testcorpus

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the corpus directory, or skips the test when there is none.
// BADGEBAKE_CORPUS overrides the default location.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BADGEBAKE_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "..", "shared", "corpus")
			if _, err := os.Stat(filepath.Join(corpus, "MANIFEST.md")); err != nil {
				t.Skipf("test corpus not found at %s", corpus)
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			t.Skip("test corpus not found: no go.mod above the working directory")
		}
	}
}

// Image is one row of the images table in MANIFEST.md.
type Image struct {
	Path        string // relative to the corpus directory, e.g. "images/mozilla-bakery/baked.svg"
	Carrier     string // e.g. "iTXt `openbadges`", "—"
	PayloadKind string // e.g. "json", "url", "**no badge**", "url (verify attr) + json (CDATA body)"
	Payload     string // exact URL, or the first 60 characters with \n escaped
}

// Images parses the images table of MANIFEST.md.
func Images(t testing.TB) []Image {
	t.Helper()
	dir := Dir(t)
	f, err := os.Open(filepath.Join(dir, "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Image
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `images/") {
			continue
		}
		cells := splitRow(line)
		if len(cells) < 9 {
			t.Fatalf("MANIFEST.md row with %d cells: %s", len(cells), line)
		}
		out = append(out, Image{
			Path:        strings.Trim(cells[0], "`"),
			Carrier:     cells[6],
			PayloadKind: cells[7],
			Payload:     cells[8],
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("MANIFEST.md lists no images")
	}
	return out
}

// splitRow splits a Markdown table row on the pipes outside backticks.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	inCode := false
	for _, r := range line {
		switch {
		case r == '`':
			inCode = !inCode
			cur.WriteRune(r)
		case r == '|' && !inCode:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// Preview renders a payload the way MANIFEST.md shows it: trimmed, the first
// 60 characters, newlines as \n.
func Preview(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) > 60 {
		r = r[:60]
	}
	return strings.ReplaceAll(string(r), "\n", `\n`)
}
