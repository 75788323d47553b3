package png

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusDir holds the shared test corpus described in its MANIFEST.md. It
// lives outside the module and is never copied into it.
const corpusDir = "../../shared/corpus/images"

// corpusPNGs lists every *.png file of the corpus, or skips the test.
func corpusPNGs(t *testing.T) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.png"))
	if len(paths) == 0 {
		t.Skipf("corpus not found at %s", corpusDir)
	}
	return paths
}

type textWant struct {
	typ     ChunkType
	keyword string
	prefix  string // start of the text
}

// corpusWant is what MANIFEST.md states about each PNG of the corpus.
var corpusWant = map[string]struct {
	err    error
	detail string // for err: what the sniffing says the file is
	chunks string
	texts  []textWant
}{
	"concentricsky-bakery/baked_heart.png": {chunks: "IHDR iTXt bKGD pHYs IDAT IEND",
		texts: []textWant{{TypeITXt, "openbadges", `{"uid":"123","issuedOn":"2015-04-01","badge":"http://example`}}},
	"concentricsky-bakery/public_domain_heart.png": {chunks: "IHDR bKGD pHYs IDAT IEND"},
	"mozilla-bakery/unbaked.png": {chunks: "IHDR tEXt IDAT IEND",
		texts: []textWant{{TypeTEXt, "Software", "Adobe ImageReady"}}},
	"mozilla-backpack/valid-baked.png": {chunks: "IHDR tEXt tEXt IDAT IEND",
		texts: []textWant{{TypeTEXt, "openbadges", "https://example.org/assertion"}, {TypeTEXt, "Software", "Adobe ImageReady"}}},
	"mozilla-backpack/404.png": {chunks: "IHDR tEXt tEXt IDAT IEND",
		texts: []textWant{{TypeTEXt, "openbadges", "https://example.org/404"}, {TypeTEXt, "Software", "Adobe ImageReady"}}},
	"mozilla-backpack/huge.png": {chunks: "IHDR tEXt iTXt IDAT IEND",
		texts: []textWant{{TypeTEXt, "Software", "Adobe ImageReady"}, {TypeITXt, "XML:com.adobe.xmp", "<?xpacket"}}},
	"mozilla-backpack/sneaky-badge.png": {err: ErrNotPNG, detail: "JPEG"},
	"badgr-server/bad_image.png":        {err: ErrNotPNG, detail: "JSON"},
	"1edtech-validator/ob20-simple-badge.png": {chunks: "IHDR iTXt bKGD pHYs IDAT IEND",
		texts: []textWant{{TypeITXt, "openbadges", `{"@context":"https://w3id.org/openbadges/v2","type":"Asserti`}}},
}

func TestCorpus(t *testing.T) {
	for _, path := range corpusPNGs(t) {
		name := filepath.ToSlash(strings.TrimPrefix(path, corpusDir+string(filepath.Separator)))
		t.Run(name, func(t *testing.T) {
			want, ok := corpusWant[name]
			if !ok {
				t.Fatalf("no expectation for corpus file %s; add one from MANIFEST.md", name)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, nil)
			if want.err != nil {
				fe := checkFormatError(t, err, want.err, 0, ChunkType{})
				if !strings.Contains(fe.Detail, want.detail) {
					t.Errorf("detail %q does not say %s", fe.Detail, want.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var chunks []string
			var texts []textWant
			for {
				c, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, c.Type.String())
				if !c.Type.IsText() {
					continue
				}
				txt, err := r.ReadText()
				if err != nil {
					t.Fatalf("chunk %s at %d: %v", c.Type, c.Offset, err)
				}
				texts = append(texts, textWant{txt.Type, txt.Keyword, string(txt.Text)})
			}
			if got := strings.Join(chunks, " "); got != want.chunks {
				t.Errorf("chunks = %s, want %s", got, want.chunks)
			}
			if len(texts) != len(want.texts) {
				t.Fatalf("got %d text chunks, want %d", len(texts), len(want.texts))
			}
			for i, w := range want.texts {
				g := texts[i]
				if g.typ != w.typ || g.keyword != w.keyword || !strings.HasPrefix(g.prefix, w.prefix) {
					t.Errorf("text %d = %s %q %.60q, want %s %q %q…", i, g.typ, g.keyword, g.prefix, w.typ, w.keyword, w.prefix)
				}
			}
			if w := r.Warnings(); len(w) != 0 {
				t.Errorf("warnings on a clean file: %v", w)
			}
		})
	}
}

// Copying every chunk with CopyRaw reproduces each corpus file exactly, from
// memory and from file to file.
func TestCorpusCopyRaw(t *testing.T) {
	dir := t.TempDir()
	for _, path := range corpusPNGs(t) {
		want, _ := os.ReadFile(path)
		if !bytes.HasPrefix(want, []byte(Signature)) {
			continue
		}
		for _, readText := range []bool{false, true} {
			r, _ := NewReader(bytes.NewReader(want), nil)
			var buf bytes.Buffer
			copyAll(t, r, &buf, readText)
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s (readText=%v): in-memory copy differs", path, readText)
			}
		}

		src, _ := os.Open(path)
		dst, err := os.Create(filepath.Join(dir, filepath.Base(path)))
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewReader(src, nil)
		copyAll(t, r, dst, false)
		src.Close()
		dst.Close()
		got, _ := os.ReadFile(dst.Name())
		if !bytes.Equal(got, want) {
			t.Errorf("%s: file-to-file copy differs", path)
		}
	}
}

// MANIFEST.md says removing the badge chunk from each baked file gives exactly
// its unbaked original: the chunk-level rewrite the bake package relies on.
func TestCorpusUnbakeByDroppingChunk(t *testing.T) {
	corpusPNGs(t)
	pairs := []struct{ baked, unbaked string }{
		{"concentricsky-bakery/baked_heart.png", "concentricsky-bakery/public_domain_heart.png"},
		{"1edtech-validator/ob20-simple-badge.png", "concentricsky-bakery/public_domain_heart.png"},
		{"mozilla-backpack/valid-baked.png", "mozilla-bakery/unbaked.png"},
		{"mozilla-backpack/404.png", "mozilla-bakery/unbaked.png"},
	}
	for _, p := range pairs {
		f, err := os.Open(filepath.Join(corpusDir, p.baked))
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.WriteString(Signature)
		var dropped []string
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Type.IsText() {
				data, err := r.ReadData(DefaultMaxTextSize)
				if err != nil {
					t.Fatal(err)
				}
				if k, _ := Keyword(data); k == "openbadges" {
					dropped = append(dropped, c.Type.String())
					continue
				}
			}
			if _, err := r.CopyRaw(&out); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
		want, _ := os.ReadFile(filepath.Join(corpusDir, p.unbaked))
		if len(dropped) != 1 || !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s without its badge chunk (%v) is not %s", p.baked, dropped, p.unbaked)
		}
	}
}

// The corpus files have correct CRCs; walking them without reading text, from
// a plain reader, checks every CRC on the way.
func TestCorpusPlainReaderChecksAllCRCs(t *testing.T) {
	for _, path := range corpusPNGs(t) {
		data, _ := os.ReadFile(path)
		r, err := NewReader(plainReader{bytes.NewReader(data)}, nil)
		if err != nil {
			continue // the non-PNGs, covered by TestCorpus
		}
		var chunks []Chunk
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			chunks = append(chunks, c)
		}
		if r.BytesRead() != int64(len(data)) {
			t.Errorf("%s: read %d of %d bytes", path, r.BytesRead(), len(data))
		}
		if !slices.ContainsFunc(chunks, func(c Chunk) bool { return c.Type == TypeIDAT }) {
			t.Errorf("%s: no IDAT seen", path)
		}
	}
}
