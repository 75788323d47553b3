package htmlreport

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/examples"
)

func writeReport(t *testing.T, rows []Row) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.html")
	w, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("report exists before Commit: %v", err)
	}
	for _, r := range rows {
		if err := w.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	pngFile := filepath.Join(dir, "a.png")
	os.WriteFile(pngFile, examples.PNG(), 0o644)
	evil := filepath.Join(dir, "evil.svg")
	os.WriteFile(evil, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 0o644)
	big := filepath.Join(dir, "big.png")
	os.WriteFile(big, append(examples.PNG(), make([]byte, MaxThumbnail)...), 0o644)
	txt := filepath.Join(dir, "notes.txt")
	os.WriteFile(txt, []byte("notes"), 0o644)

	html := writeReport(t, []Row{
		{File: pngFile, Status: StatusValid, Badge: "Robotics", Issuer: "Example Issuer"},
		{File: evil, Status: StatusInvalid, Badge: `<script>alert("x")</script>`, Issuer: `"><img src=x onerror=alert(1)>`,
			Messages: []Message{{Level: "ERROR", Name: "VALIDATE_PROPERTY", Text: "<b>bad</b>"}}},
		{File: big, Status: StatusRevoked, Messages: []Message{{Level: "ERROR", Name: "PROCESS_410_GONE", Text: "gone"}}},
		{File: txt, Status: StatusNotImage, Error: "not a PNG or SVG image"},
		{File: filepath.Join(dir, "gone.png"), Status: StatusUnreadable, Error: "permission denied"},
		{File: filepath.Join(dir, "plain.png"), Status: StatusNoBadge},
		{File: filepath.Join(dir, "down.png"), Status: StatusIndeterminate, Messages: []Message{{Level: "ERROR", Name: "FETCH_HTTP_NODE", Text: "HTTP 503"}}},
	})

	// Escaping: badge text shows as text, never as markup.
	if strings.Contains(html, "<script>alert") || strings.Contains(html, "<img src=x") || strings.Contains(html, "<b>bad</b>") {
		t.Errorf("unescaped badge text in the report:\n%s", html)
	}
	for _, want := range []string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`, `&lt;b&gt;bad&lt;/b&gt;`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s", want)
		}
	}
	// Exactly one <script> element: the report's own.
	if n := strings.Count(html, "<script"); n != 1 {
		t.Errorf("%d <script> elements", n)
	}
	// Thumbnails: PNG and SVG as data: URIs in <img>; the rest placeholders.
	if !strings.Contains(html, `<img src="data:image/png;base64,iVBORw0KGgo`) || !strings.Contains(html, `<img src="data:image/svg&#43;xml;base64,`) {
		t.Errorf("missing data: thumbnails: %q", regexp.MustCompile(`<img src="[^"]{0,40}`).FindAllString(html, -1))
	}
	if !strings.Contains(html, "image over 256 KiB") || !strings.Contains(html, ">no image<") || !strings.Contains(html, ">cannot read<") {
		t.Error("missing placeholders")
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Error("a value was rejected by html/template")
	}
	// Counts.
	for id, n := range map[string]string{"files": "7", "valid": "1", "invalid": "2", "revoked": "1", "indeterminate": "1", "no-badge": "1", "not-an-image": "1", "unreadable": "1"} {
		if !strings.Contains(html, `id="count-`+id+`">`+n+`<`) {
			t.Errorf("count %s is not %s", id, n)
		}
	}
	// The failures filter: the checkbox, the CSS fallback and one row per
	// file, valid rows marked ok and the others fail.
	for _, want := range []string{`<input type="checkbox" id="failures-only">`, `#failures-only:checked ~ table tr.ok`, `Show only the failures (6)`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s", want)
		}
	}
	classes := regexp.MustCompile(`<tr id="row-\d+" class="row (\w+)" data-status="([\w-]+)"`).FindAllStringSubmatch(html, -1)
	var got []string
	for _, c := range classes {
		got = append(got, c[1]+":"+c[2])
	}
	if want := "ok:valid fail:invalid fail:revoked fail:not-an-image fail:error fail:no-badge fail:indeterminate"; strings.Join(got, " ") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	for _, want := range []string{"no badge", "could not be checked", "revoked", "Robotics", "Example Issuer", "PROCESS_410_GONE", "not a PNG or SVG image", "not an image"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	w, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w.Add(Row{File: "nothere", Status: StatusUnreadable})
	w.Abort()
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
