package bake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/internal/testkit/filetest"
	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Payloads of every kind and generation.
var payloads = map[string]string{
	"ob2 url":  "https://example.org/assertions/123",
	"ob2 json": examples.AssertionJSON,
	"ob2 jws":  b64(`{"alg":"RS256"}`) + "." + b64(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1","recipient":{"type":"email","identity":"a@example.org","hashed":false},"badge":"https://example.org/b","verification":{"type":"SignedBadge","creator":"https://example.org/key"},"issuedOn":"2026-01-01T00:00:00Z"}`) + "." + b64("sig"),
	"ob3 json": `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:uuid:2","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"https://example.org/i","type":["Profile"]},"validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"https://example.org/a"}},"name":"Tricky ]]> & <ok>","proof":{"type":"DataIntegrityProof","proofValue":"z1"}}`,
	"ob3 jws":  b64(`{"alg":"RS256","typ":"JWT"}`) + "." + b64(`{"iss":"https://example.org/i","vc":{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"https://example.org/i","credentialSubject":{"id":"did:example:bob"}}}`) + "." + b64("sig"),
}

func mustParse(t testing.TB, s string) *payload.Payload {
	t.Helper()
	p, err := payload.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bakeBytes(t testing.TB, img []byte, p *payload.Payload, opts *bake.Options) ([]byte, *bake.Result) {
	t.Helper()
	var out bytes.Buffer
	res, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, opts)
	if err != nil {
		t.Fatalf("Bake: %v", err)
	}
	return out.Bytes(), res
}

func unbakeBytes(t testing.TB, img []byte) *unbake.Result {
	t.Helper()
	res, err := unbake.Unbake(bytes.NewReader(img), nil)
	if err != nil {
		t.Fatalf("Unbake: %v", err)
	}
	return res
}

// TestRoundTrip bakes every payload kind of both generations into both
// formats, unbakes it, and re-bakes over it with every other payload.
func TestRoundTrip(t *testing.T) {
	images := map[string][]byte{"png": examples.PNG(), "svg": examples.SVG()}
	for format, img := range images {
		for name, text := range payloads {
			t.Run(format+"/"+name, func(t *testing.T) {
				p := mustParse(t, text)
				baked, res := bakeBytes(t, img, p, nil)
				if string(res.Format) != format || res.Generation != p.Generation {
					t.Errorf("result %+v", res)
				}
				got := unbakeBytes(t, baked)
				if got.Payload != string(p.Raw) {
					t.Fatalf("unbake returned\n%q\nwant\n%q", got.Payload, p.Raw)
				}
				if got.Kind != p.Kind || got.Generation != p.Generation || len(got.Warnings) != 0 {
					t.Errorf("unbake kind=%s generation=%s warnings=%q", got.Kind, got.Generation, got.Warnings)
				}
				for other, text2 := range payloads {
					p2 := mustParse(t, text2)
					rebaked, res2 := bakeBytes(t, baked, p2, nil)
					if len(res2.Replaced) != 1 {
						t.Errorf("re-bake with %s replaced %q, want exactly one carrier", other, res2.Replaced)
					}
					again := unbakeBytes(t, rebaked)
					if again.Payload != string(p2.Raw) || len(again.Warnings) != 0 {
						t.Errorf("re-bake with %s: payload %.40q warnings %q", other, again.Payload, again.Warnings)
					}
				}
			})
		}
	}
}

// TestGoldenBytes: for a clean PNG the output equals the Mozilla and Python
// bakers' byte for byte (baking.md §4.4).
func TestGoldenBytes(t *testing.T) {
	img := pngtest.Minimal() // IHDR, IDAT, IEND, as in baking.md's golden test
	baked, _ := bakeBytes(t, img, mustParse(t, "https://example.org/assertions/123"), nil)
	want := append([]byte{}, img[:33]...)
	want = append(want, 0, 0, 0, 0x31)
	want = append(want, "iTXtopenbadges\x00\x00\x00\x00\x00https://example.org/assertions/123"...)
	want = append(want, 0xFF, 0x7B, 0x56, 0xBE)
	want = append(want, img[33:]...)
	if !bytes.Equal(baked, want) {
		t.Fatalf("baked bytes differ from the reference bakers'\n got %x\nwant %x", baked, want)
	}
}

// TestCorpusRebake: baking the unbaked heart with the payload the Python
// baker (concentricsky) and 1EdTech's samples carry reproduces their files
// exactly; re-baking a legacy tEXt badge replaces the tEXt chunk.
func TestCorpusRebake(t *testing.T) {
	dir := testcorpus.Dir(t)
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "images", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	heart := read("concentricsky-bakery/public_domain_heart.png")
	for _, name := range []string{"concentricsky-bakery/baked_heart.png", "1edtech-validator/ob20-simple-badge.png"} {
		want := read(name)
		p := mustParse(t, unbakeBytes(t, want).Payload)
		got, _ := bakeBytes(t, heart, p, &bake.Options{Validator: acceptAll{}})
		if !bytes.Equal(got, want) {
			t.Errorf("baking the heart with %s's payload does not reproduce it byte for byte", name)
		}
	}

	legacy := read("mozilla-backpack/valid-baked.png")
	p := mustParse(t, "https://example.org/assertion")
	got, res := bakeBytes(t, legacy, p, nil)
	if len(res.Replaced) != 1 || !strings.HasPrefix(res.Replaced[0], `tEXt chunk "openbadges"`) {
		t.Errorf("replaced %q, want the legacy tEXt chunk", res.Replaced)
	}
	if u := unbakeBytes(t, got); u.Carrier.Chunk != "iTXt" || u.Payload != "https://example.org/assertion" || len(u.Warnings) != 0 {
		t.Errorf("re-baked legacy badge unbakes to %+v", u)
	}
	// Without its badge chunk the legacy file is mozilla-bakery/unbaked.png;
	// so the re-baked file is that image plus one iTXt after IHDR.
	plain, _ := bakeBytes(t, read("mozilla-bakery/unbaked.png"), p, nil)
	if !bytes.Equal(got, plain) {
		t.Error("re-baking the legacy badge differs from baking the same image unbaked")
	}
}

type acceptAll struct{}

func (acceptAll) Validate(context.Context, *payload.Payload) ([]string, error) { return nil, nil }

type refuseAll struct{}

func (refuseAll) Validate(context.Context, *payload.Payload) ([]string, error) {
	return []string{"a warning"}, errors.New("revoked")
}

func TestValidatorRefusesBeforeReading(t *testing.T) {
	var out bytes.Buffer
	src := &countingReader{r: bytes.NewReader(examples.PNG())}
	_, err := bake.Bake(context.Background(), &out, src, mustParse(t, payloads["ob2 url"]), &bake.Options{Validator: refuseAll{}})
	var verr *bake.ValidationError
	if !errors.As(err, &verr) || verr.Warnings[0] != "a warning" || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("err = %v", err)
	}
	if out.Len() != 0 || src.n != 0 {
		t.Fatalf("wrote %d bytes and read %d after refusing", out.Len(), src.n)
	}
}

type countingReader struct {
	r *bytes.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestNoOverwrite(t *testing.T) {
	for format, img := range map[string][]byte{"png": examples.PNG(), "svg": examples.SVG()} {
		baked, _ := bakeBytes(t, img, mustParse(t, payloads["ob3 jws"]), nil)
		var out bytes.Buffer
		_, err := bake.Bake(context.Background(), &out, bytes.NewReader(baked), mustParse(t, payloads["ob2 url"]), &bake.Options{NoOverwrite: true})
		if !errors.Is(err, bake.ErrAlreadyBaked) {
			t.Errorf("%s: err = %v, want ErrAlreadyBaked", format, err)
		}
		// An unbaked image is fine.
		bakeBytes(t, img, mustParse(t, payloads["ob2 url"]), &bake.Options{NoOverwrite: true})
	}
}

func TestSVGForms(t *testing.T) {
	svgDoc := examples.SVG()
	tests := []struct{ payload, want string }{
		{"ob2 url", `<openbadges:assertion verify="https://example.org/assertions/123"/>`},
		{"ob2 json", `<openbadges:assertion verify="https://example.org/assertions/123"><![CDATA[{`},
		{"ob2 jws", `<openbadges:assertion verify="eyJhbGciOiJSUzI1NiJ9.`},
		{"ob3 json", `<openbadges:credential><![CDATA[{"@context"`},
		{"ob3 jws", `"></openbadges:credential>`},
	}
	for _, tt := range tests {
		baked, _ := bakeBytes(t, svgDoc, mustParse(t, payloads[tt.payload]), nil)
		if !bytes.Contains(baked, []byte(tt.want)) {
			t.Errorf("%s: output lacks %q:\n%s", tt.payload, tt.want, baked)
		}
	}
	_, err := bake.Bake(context.Background(), &bytes.Buffer{}, bytes.NewReader(svgDoc),
		mustParse(t, strings.Replace(examples.AssertionJSON, "https://example.org/assertions/123", "urn:uuid:1", 1)), nil)
	if !errors.Is(err, bake.ErrNoHostedURL) {
		t.Errorf("OB 2.0 JSON without a URL id: err = %v, want ErrNoHostedURL", err)
	}
}

// From file to file, bake copies the run of image data chunks after the old
// badge in one io.Copy (one copy_file_range), however many chunks it has, and
// writes what a chunk-by-chunk copy writes.
func TestBakePNGFileToFileCopiesRunsWhole(t *testing.T) {
	chunks := [][]byte{pngtest.IHDR(), pngtest.Chunk("iTXt", []byte("openbadges\x00\x00\x00\x00\x00https://example.org/old")),
		pngtest.Chunk("tEXt", []byte("Software\x00test"))}
	for i := range 100 {
		chunks = append(chunks, pngtest.Chunk("IDAT", bytes.Repeat([]byte{byte(i)}, 8<<10)))
	}
	img := pngtest.File(append(chunks, pngtest.IEND())...)
	dir, in := filetest.WriteTemp(t, "in.png", img)
	src, f := filetest.Pair(t, in, dir, "out.png")
	dst := &filetest.ReadFromCounter{File: f}
	p := mustParse(t, "https://example.org/assertions/new")
	res, err := bake.Bake(context.Background(), dst, src, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replaced) != 1 {
		t.Errorf("replaced %v, want the old badge", res.Replaced)
	}
	if dst.Calls != 1 {
		t.Errorf("%d io.Copy calls into the output, want 1 for the 100 IDATs and IEND", dst.Calls)
	}
	got, _ := os.ReadFile(f.Name())
	var want bytes.Buffer
	if _, err := bake.Bake(context.Background(), &want, struct{ io.Reader }{bytes.NewReader(img)}, p, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("file-to-file bake differs from the chunk-by-chunk one (%d bytes, want %d)", len(got), want.Len())
	}
	if r := unbakeBytes(t, got); r.Payload != "https://example.org/assertions/new" || len(r.Warnings) != 0 {
		t.Errorf("unbake: %q, warnings %v", r.Payload, r.Warnings)
	}
}
