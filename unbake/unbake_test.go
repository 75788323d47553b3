package unbake_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"github.com/badgebake/badgebake/carrier"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/svg"
	"github.com/badgebake/badgebake/unbake"
)

type chunk struct {
	typ  string
	data string
}

// buildPNG is IHDR, the chunks, IEND.
func buildPNG(chunks ...chunk) []byte {
	parts := [][]byte{pngtest.IHDR()}
	for _, c := range chunks {
		parts = append(parts, pngtest.Chunk(c.typ, []byte(c.data)))
	}
	return pngtest.File(append(parts, pngtest.IEND())...)
}

func deflate(s string) string {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write([]byte(s))
	w.Close()
	return buf.String()
}

const (
	idat   = "\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01"
	url    = "https://example.org/assertions/1"
	ob3    = `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"]}`
	header = "\x00\x00\x00\x00\x00"
)

func TestPNGCarriers(t *testing.T) {
	tests := []struct {
		name       string
		chunks     []chunk
		opts       *unbake.Options
		carrier    string
		gen        payload.Generation
		kind       payload.Kind
		payload    string
		warning    string // "" = none expected
		noWarnings bool
	}{
		{"ob2 iTXt after IHDR", []chunk{{"iTXt", "openbadges" + header + url}, {"IDAT", idat}}, nil, `iTXt chunk "openbadges" at offset 33`, payload.OB2, payload.KindURL, url, "", true},
		{"ob3 iTXt after IDAT (1EdTech samples)", []chunk{{"IDAT", idat}, {"tEXt", "date:create\x002024"}, {"iTXt", "openbadgecredential" + header + ob3}}, nil, `iTXt chunk "openbadgecredential"`, payload.OB3, payload.KindJSON, ob3, "", true},
		{"legacy tEXt", []chunk{{"tEXt", "openbadges\x00" + url}, {"IDAT", idat}}, nil, "tEXt", payload.OB2, payload.KindURL, url, "legacy tEXt carrier", false},
		{"compressed iTXt", []chunk{{"iTXt", "openbadges\x00\x01\x00\x00\x00" + deflate(url)}, {"IDAT", idat}}, nil, "iTXt", payload.OB2, payload.KindURL, url, "compressed, which the baking specification forbids", false},
		{"zTXt", []chunk{{"zTXt", "openbadges\x00\x00" + deflate(url)}, {"IDAT", idat}}, nil, "zTXt", payload.OB2, payload.KindURL, url, "compressed zTXt", false},
		{"language tag", []chunk{{"iTXt", "openbadges\x00\x00\x00en\x00Open Badges\x00" + url}, {"IDAT", idat}}, nil, "iTXt", payload.OB2, payload.KindURL, url, `language tag "en"`, false},
		{"duplicates: first in file order wins", []chunk{{"tEXt", "openbadges\x00" + url}, {"iTXt", "openbadges" + header + "https://example.org/2"}, {"IDAT", idat}, {"iTXt", "openbadgecredential" + header + ob3}}, nil, "tEXt", payload.OB2, payload.KindURL, url, "carries 2 more badge(s), ignored (the first one wins)", false},
		{"ob3 credential in an ob2 carrier", []chunk{{"iTXt", "openbadges" + header + ob3}, {"IDAT", idat}}, nil, "iTXt", payload.OB3, payload.KindJSON, ob3, "draft-era bakers", false},
		{"url in an ob3 carrier", []chunk{{"iTXt", "openbadgecredential" + header + url}, {"IDAT", idat}}, nil, "iTXt", payload.OB2, payload.KindURL, url, "OB 3.0 has no hosted form", false},
		{"latin-1 tEXt", []chunk{{"tEXt", "openbadges\x00https://example.org/caf\xe9"}, {"IDAT", idat}}, nil, "tEXt", payload.OB2, payload.KindURL, "https://example.org/café", "read as Latin-1", false},
		{"other keywords are ignored", []chunk{{"iTXt", "OpenBadges" + header + "x"}, {"tEXt", "openbadge\x00y"}, {"iTXt", "openbadges" + header + url}, {"IDAT", idat}}, nil, `offset 84`, payload.OB2, payload.KindURL, url, "", true},
		{"oversized text chunk skipped", []chunk{{"tEXt", "Comment\x00" + strings.Repeat("x", 500)}, {"iTXt", "openbadges" + header + url}, {"IDAT", idat}}, &unbake.Options{MaxTextSize: 200}, "iTXt", payload.OB2, payload.KindURL, url, "larger than the 200-byte text limit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := unbake.Unbake(bytes.NewReader(buildPNG(tt.chunks...)), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != carrier.PNG || !strings.Contains(res.Carrier.String(), tt.carrier) {
				t.Errorf("format %s carrier %q, want %q", res.Format, res.Carrier, tt.carrier)
			}
			if res.Generation != tt.gen || res.Kind != tt.kind || res.Payload != tt.payload {
				t.Errorf("got %s %s %q, want %s %s %q", res.Generation, res.Kind, res.Payload, tt.gen, tt.kind, tt.payload)
			}
			all := strings.Join(res.Warnings, "\n")
			if tt.noWarnings && len(res.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", res.Warnings)
			}
			if tt.warning != "" && !strings.Contains(all, tt.warning) {
				t.Errorf("warnings %q do not mention %q", res.Warnings, tt.warning)
			}
		})
	}
}

func TestUnreadablePayload(t *testing.T) {
	// Moodle's 2012 draft-era iTXt: not a URL, JSON or JWS.
	img := buildPNG(chunk{"iTXt", "openbadges" + header + "{'method': 'hosted'}"}, chunk{"IDAT", idat})
	res, err := unbake.Unbake(bytes.NewReader(img), nil)
	var pe *unbake.PayloadError
	if !errors.As(err, &pe) || res == nil || res.Payload != "{'method': 'hosted'}" || res.Kind != "" {
		t.Fatalf("got %+v, %v; want the raw text and a *PayloadError", res, err)
	}
	if !strings.Contains(err.Error(), `the badge in iTXt chunk "openbadges" at offset 33 is unreadable`) {
		t.Errorf("error %q", err)
	}
}

func TestSVGSourceChoice(t *testing.T) {
	const jws = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	wrap := func(ns, el string) string {
		return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:b="` + ns + `">` + el + `</svg>`
	}
	ob2, ob3ns := "http://openbadges.org", "https://purl.imsglobal.org/ob/v3p0"
	tests := []struct {
		name, doc, source, payload, warning string
	}{
		{"ob2 verify and json body: body", wrap(ob2, `<b:assertion verify="`+url+`"><![CDATA[ {"id":"`+url+`"} ]]></b:assertion>`), "body", `{"id":"` + url + `"}`, ""},
		{"ob2 verify and empty body: verify", wrap(ob2, `<b:assertion verify="`+url+`"><![CDATA[]]></b:assertion>`), "verify", url, ""},
		{"ob2 body only", wrap(ob2, `<b:assertion>`+"\n  "+`<![CDATA[{"a":1}]]>`+"\n"+`</b:assertion>`), "body", `{"a":1}`, ""},
		{"ob3 jws verify wins over body", wrap(ob3ns, `<b:credential verify="`+jws+`"><![CDATA[`+ob3+`]]></b:credential>`), "verify", jws, "both a verify attribute and a body"},
		{"ob3 body only", wrap(ob3ns, `<b:credential><![CDATA[`+ob3+`]]></b:credential>`), "body", ob3, ""},
		{"split CDATA is joined", wrap(ob2, `<b:assertion><![CDATA[{"a":"]]]]><![CDATA[>"}]]></b:assertion>`), "body", `{"a":"]]>"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := unbake.Unbake(strings.NewReader(tt.doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Carrier.Source != tt.source || res.Payload != tt.payload {
				t.Errorf("source %s payload %q, want %s %q", res.Carrier.Source, res.Payload, tt.source, tt.payload)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tt.warning) {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.warning)
			}
			if tt.warning == "" && len(res.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", res.Warnings)
			}
		})
	}
	empty := wrap(ob2, `<b:assertion/>`)
	if _, err := unbake.Unbake(strings.NewReader(empty), nil); !errors.Is(err, unbake.ErrNoBadge) || !strings.Contains(err.Error(), "neither a verify attribute nor a body") {
		t.Errorf("empty element: %v", err)
	}
}

// TestSVGTextLimit: the text of an SVG badge element is capped by
// MaxTextSize, 8 MiB by default as for PNG text chunks.
func TestSVGTextLimit(t *testing.T) {
	doc := func(body string) string {
		return `<svg xmlns="http://www.w3.org/2000/svg"><b:assertion xmlns:b="http://openbadges.org"><![CDATA[` + body + `]]></b:assertion></svg>`
	}
	body := `{"id":"` + url + `","x":"` + strings.Repeat("x", 100) + `"}`
	if res, err := unbake.Unbake(strings.NewReader(doc(body)), &unbake.Options{MaxTextSize: int64(len(body))}); err != nil || res.Payload != body {
		t.Errorf("at the limit: %v, %+v", err, res)
	}
	if _, err := unbake.Unbake(strings.NewReader(doc(body)), &unbake.Options{MaxTextSize: int64(len(body) - 1)}); !errors.Is(err, svg.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	big := `{"id":"` + strings.Repeat("x", svg.DefaultMaxTextSize) + `"}`
	if _, err := unbake.Unbake(strings.NewReader(doc(big)), nil); !errors.Is(err, svg.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the 8388608-byte limit") {
		t.Errorf("over the default limit: %v", err)
	}
}

// A file is read by seeking: only chunk headers and text chunks.
func TestSeeksPastImageData(t *testing.T) {
	big := strings.Repeat("\x00", 4<<20)
	img := buildPNG(chunk{"iTXt", "openbadges" + header + url}, chunk{"IDAT", big}, chunk{"IDAT", big})
	r := &countingReadSeeker{r: bytes.NewReader(img)}
	res, err := unbake.Unbake(r, nil)
	if err != nil || res.Payload != url {
		t.Fatalf("%v %v", res, err)
	}
	if r.n > 4096 {
		t.Fatalf("read %d bytes of an %d-byte file; image data should be skipped by seeking", r.n, len(img))
	}
}

type countingReadSeeker struct {
	r *bytes.Reader
	n int
}

func (c *countingReadSeeker) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReadSeeker) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }

// Files are unbaked from where they are (offsets count from there), with
// their position left alone; a directory gives the read error it always gave;
// a PNG's later badges are still reported and a non-image is still refused.
func TestUnbakeFiles(t *testing.T) {
	dir := t.TempDir()
	img := buildPNG(chunk{"iTXt", "openbadges\x00\x00\x00\x00\x00" + url}, chunk{"IDAT", idat}, chunk{"tEXt", "openbadges\x00https://example.org/other"})
	path := filepath.Join(dir, "a.png")
	if err := os.WriteFile(path, append([]byte("prefix-"), img...), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(7, io.SeekStart)
	res, err := unbake.Unbake(f, nil)
	if err != nil || res.Payload != url || res.Carrier.Offset != 33 {
		t.Fatalf("Unbake: %+v, %v", res, err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "1 more badge") {
		t.Errorf("warnings %q, want one about the second badge", res.Warnings)
	}
	if p, _ := f.Seek(0, io.SeekCurrent); p != 7 {
		t.Errorf("file position %d after Unbake, want 7", p)
	}

	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := unbake.UnbakeFile(path, nil); err != nil || res.Payload != url {
		t.Errorf("UnbakeFile: %+v, %v", res, err)
	}
	if _, err := unbake.UnbakeFile(dir, nil); !errors.As(err, new(*os.PathError)) {
		t.Errorf("UnbakeFile(directory) = %v, want the read error", err)
	}
	json := filepath.Join(dir, "a.json")
	os.WriteFile(json, []byte(`{"a":1}`), 0o644)
	if _, err := unbake.UnbakeFile(json, nil); !errors.Is(err, unbake.ErrNotImage) || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("UnbakeFile(JSON) = %v, want ErrNotImage saying JSON", err)
	}
	empty := filepath.Join(dir, "empty.png")
	os.WriteFile(empty, nil, 0o644)
	if _, err := unbake.UnbakeFile(empty, nil); !errors.Is(err, unbake.ErrNotImage) {
		t.Errorf("UnbakeFile(empty) = %v, want ErrNotImage", err)
	}
}

// TestManyDuplicatesShortWarning: an image with 10,000 badge chunks after
// the one that wins gets one short warning that names the first three and
// counts the rest, not a line listing all of them.
func TestManyDuplicatesShortWarning(t *testing.T) {
	chunks := []chunk{{"iTXt", "openbadges" + header + url}}
	for range 10_000 {
		chunks = append(chunks, chunk{"iTXt", "openbadges" + header + "https://example.org/other"})
	}
	res, err := unbake.Unbake(bytes.NewReader(buildPNG(chunks...)), nil)
	if err != nil || res.Payload != url {
		t.Fatalf("Unbake: %+v, %v", res, err)
	}
	var dup string
	for _, w := range res.Warnings {
		if strings.Contains(w, "more badge") {
			dup = w
		}
	}
	want := `the image carries 10,000 more badge(s), ignored (the first one wins): iTXt chunk "openbadges" at offset 92; ` +
		`iTXt chunk "openbadges" at offset 144; iTXt chunk "openbadges" at offset 196 … and 9,997 more`
	if dup != want {
		t.Errorf("warning (%d bytes):\n%.300s\nwant\n%s", len(dup), dup, want)
	}

	// Up to three are all named, with no "and more".
	res, err = unbake.Unbake(bytes.NewReader(buildPNG(chunks[:4]...)), nil)
	if err != nil || len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "the image carries 3 more badge(s)") ||
		strings.Count(res.Warnings[0], "iTXt chunk") != 3 || strings.Contains(res.Warnings[0], "… and") {
		t.Errorf("three duplicates: %q, %v", res.Warnings, err)
	}
}
