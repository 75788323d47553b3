package cli

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/svg"
)

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(args, IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// TestHostileInput: broken and malicious images get a specific error and
// exit code 1 from unbake, and bake leaves no output file behind.
func TestHostileInput(t *testing.T) {
	wrong := uint32(0xF775A85B) // the CRC metapng wrote, where CRC-32 gives another value
	legacy := pngtest.ChunkCRC("tEXt", []byte("openbadges\x00https://example.org/assertion"), wrong)
	baked := pngtest.Minimal(pngtest.Chunk("iTXt", []byte("openbadges\x00\x00\x00\x00\x00https://example.org/a")))
	bomb := append([]byte("openbadges\x00\x01\x00\x00\x00"), zlibBytes(make([]byte, 64<<20))...)
	lengthPastEnd := pngtest.File(pngtest.IHDR())
	lengthPastEnd = append(lengthPastEnd, 0, 0, 0x03, 0xe8, 'I', 'D', 'A', 'T', 1, 2, 3)
	huge := pngtest.File(pngtest.IHDR())
	huge = append(huge, 0x7f, 0xff, 0xff, 0xf0, 'I', 'D', 'A', 'T', 1, 2, 3, 4, 5, 6, 7, 8)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 200)...)
	oversize := oversizeSVG()

	tests := []struct {
		name    string
		file    string
		content []byte
		want    string // in stderr
		// rebakes: bake replaces the broken badge chunk without reading
		// its text, so re-baking repairs the image.
		rebakes bool
	}{
		{"truncated png", "cut.png", baked[:len(baked)-15], "png: unexpected end of input", false},
		{"length past end of file", "past.png", lengthPastEnd, "IDAT", false},
		{"length 0x7FFFFFF0", "huge.png", huge, "IDAT", false},
		{"bad CRC", "crc.png", pngtest.Minimal(legacy), `png: bad CRC in chunk "tEXt" at offset 33: stored 0xf775a85b`, false},
		{"missing IEND", "noend.png", pngtest.File(pngtest.IHDR(), pngtest.IDAT()), "png: missing IEND", false},
		{"decompression bomb", "bomb.png", pngtest.Minimal(pngtest.Chunk("iTXt", bomb)), "png: text too large", true},
		{"JPEG named .png", "photo.png", jpeg, "not a PNG or SVG image: it looks like a JPEG image", false},
		{"JSON named .png", "data.png", []byte(`{"uid": "1"}`), "it looks like JSON text", false},
		{"empty file", "empty.png", nil, "empty.png: empty file", false},
		{"non-UTF-8 iTXt", "latin.png", pngtest.Minimal(pngtest.Chunk("iTXt", []byte("openbadges\x00\x00\x00\x00\x00https://example.org/caf\xe9"))), "UTF-8", true},
		{"external entity", "xxe.svg", []byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&xxe;</svg>`), "svg: entity", false},
		{"billion laughs", "lol.svg", []byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>`), "entity", false},
		{"truncated svg", "cut.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g><path d="M0 0"/></g></s`), "svg: malformed XML: the document does not end with </svg> (is it truncated?)", false},
		{"SVG over the size limit", "big.svg", oversize, "svg: document is larger than the 33554432-byte limit", false},
		{"malformed badge element", "bad.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="x"></svg>`), "svg: malformed XML", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, tt.file)
			if err := os.WriteFile(in, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, "unbake", in)
			if code != ExitBad || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("unbake: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, tt.want)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr looks like a crash: %s", stderr)
			}
			out := filepath.Join(dir, "out"+filepath.Ext(tt.file))
			code, _, stderr = run(t, "bake", "--no-verify", in, "https://example.org/new", "-o", out)
			if tt.rebakes {
				if code != ExitOK {
					t.Fatalf("re-bake: exit %d, %s", code, stderr)
				}
				if code, stdout, stderr := run(t, "unbake", out); code != ExitOK || stdout != "https://example.org/new\n" || stderr != "" {
					t.Errorf("re-baked image: exit %d, stdout %q, stderr %q", code, stdout, stderr)
				}
				return
			}
			if code != ExitBad || !strings.Contains(stderr, "badgebake: error: ") {
				t.Errorf("bake: exit %d, stderr %q; want exit 1", code, stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("bake left %s behind", out)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("bake left temporary files: %v", entries)
			}
		})
	}
}

// oversizeSVG is a baked SVG one byte over svg.DefaultMaxSize.
func oversizeSVG() []byte {
	return benchdata.BigSVG(svg.DefaultMaxSize+1, benchdata.Paths, "https://example.org/a", false)
}

// TestTooLargeInputIsBadInput: an input over a size limit is bad input
// (exit 1), not a failure to run, however it is read.
func TestTooLargeInputIsBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 32 MiB files")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.svg")
	if err := os.WriteFile(big, oversizeSVG(), 0o644); err != nil {
		t.Fatal(err)
	}
	// From standard input, as a stream whose size is not known.
	var out, errOut bytes.Buffer
	code := Main([]string{"unbake", "-"}, IO{In: struct{ io.Reader }{bytes.NewReader(oversizeSVG())}, Out: &out, Err: &errOut})
	if code != ExitBad || out.Len() != 0 || !strings.Contains(errOut.String(), "larger than the 33554432-byte limit") {
		t.Errorf("unbake -: exit %d, stdout %q, stderr %q; want exit 1", code, out.String(), errOut.String())
	}
	// verify reads at most 32 MiB of any input.
	if code, _, stderr := run(t, "verify", "--offline", big); code != ExitBad || !strings.Contains(stderr, "larger than 32 MiB") {
		t.Errorf("verify: exit %d, stderr %q; want exit 1", code, stderr)
	}
}

func TestLenientAcceptsBadCRC(t *testing.T) {
	wrong := uint32(0xF775A85B)
	in := filepath.Join(t.TempDir(), "legacy.png")
	os.WriteFile(in, pngtest.Minimal(pngtest.ChunkCRC("tEXt", []byte("openbadges\x00https://example.org/assertion"), wrong)), 0o644)
	code, _, stderr := run(t, "unbake", in)
	if code != ExitBad || !strings.Contains(stderr, "hint: badges baked by Mozilla's 2011-2012 baker carry wrong CRCs; --lenient accepts them") {
		t.Fatalf("strict: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := run(t, "unbake", "--lenient", in)
	if code != ExitOK || stdout != "https://example.org/assertion\n" || !strings.Contains(stderr, "bad CRC") || !strings.Contains(stderr, "legacy tEXt") {
		t.Fatalf("lenient: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "rebaked.png")
	if code, _, stderr := run(t, "bake", "--no-verify", "--lenient", in, "https://example.org/assertion", "-o", out); code != ExitOK {
		t.Fatalf("lenient re-bake: exit %d, %s", code, stderr)
	}
	if code, stdout, stderr := run(t, "unbake", out); code != ExitOK || stdout != "https://example.org/assertion\n" || stderr != "" {
		t.Fatalf("re-baked legacy badge: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestTwoBadgeElementsFirstWins(t *testing.T) {
	doc := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org"><ob:assertion verify="https://example.org/first"/><g/><ob:assertion verify="https://example.org/second"/></svg>`
	dir := t.TempDir()
	in := filepath.Join(dir, "two.svg")
	os.WriteFile(in, []byte(doc), 0o644)
	code, stdout, stderr := run(t, "unbake", in)
	if code != ExitOK || stdout != "https://example.org/first\n" || !strings.Contains(stderr, "carries 1 more badge(s), ignored (the first one wins)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	out := filepath.Join(dir, "out.svg")
	if code, _, stderr := run(t, "bake", "--no-verify", in, "https://example.org/third", "-o", out); code != ExitOK || !strings.Contains(stderr, "replaced") {
		t.Fatalf("bake: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = run(t, "unbake", out)
	if code != ExitOK || stdout != "https://example.org/third\n" || stderr != "" {
		t.Fatalf("after re-bake: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// The example image in testdata/ must bake and unbake as the README says.
func TestReadmeQuickStart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "baked.png")
	code, _, stderr := run(t, "bake", "--no-verify", filepath.Join("..", "..", "testdata", "badge.png"), "@"+filepath.Join("..", "..", "testdata", "assertion.json"), "-o", out)
	if code != ExitOK {
		t.Fatalf("bake: exit %d: %s", code, stderr)
	}
	code, stdout, _ := run(t, "unbake", out)
	if code != ExitOK || stdout != strings.TrimSpace(examples.AssertionJSON)+"\n" {
		t.Fatalf("unbake: exit %d, %q", code, stdout)
	}
}
