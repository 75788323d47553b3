package png

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// BenchmarkWalk walks generated PNGs whose bulk is one IDAT, from an *os.File
// (read with ReadAt: skipping costs nothing), from the same file behind a
// reader that can only Read and Seek (skipping by Seek), and behind a plain
// io.Reader (skipping by reading), and reports the bytes actually read per
// walk.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for _, size := range []int{1 << 20, 50 << 20} {
		path := bigPNG(b, dir, size)
		renamed := fmt.Sprintf("%s/%dMiB.png", dir, size>>20)
		if err := os.Rename(path, renamed); err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"file", "seek", "plain"} {
			b.Run(fmt.Sprintf("%s/%dMiB", mode, size>>20), func(b *testing.B) {
				f, err := os.Open(renamed)
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				var read int64
				for b.Loop() {
					f.Seek(0, io.SeekStart)
					var src io.Reader = f
					switch mode {
					case "seek":
						src = seekReader{f}
					case "plain":
						src = plainReader{f}
					}
					r, err := NewReader(src, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := walk(r); err != nil {
						b.Fatal(err)
					}
					read += r.BytesRead()
				}
				b.ReportMetric(float64(read)/float64(b.N), "bytes-read/op")
			})
		}
	}
}

func BenchmarkParseText(b *testing.B) {
	assertion := `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/a/1",` +
		`"recipient":{"type":"email","hashed":true,"identity":"sha256$` + strings.Repeat("ab", 32) + `"},` +
		`"badge":"https://example.org/b/1","verification":{"type":"hosted"},"issuedOn":"2024-01-01T00:00:00Z"}`
	cases := []struct {
		name string
		typ  ChunkType
		data []byte
	}{
		{"iTXt", TypeITXt, ITXtData("openbadges", []byte(assertion))},
		{"iTXt-compressed", TypeITXt, cat("openbadges\x00\x01\x00\x00\x00", string(zlibOf(assertion)))},
		{"tEXt-url", TypeTEXt, []byte("openbadges\x00https://example.org/assertion")},
		{"iTXt-64KiB", TypeITXt, ITXtData("openbadgecredential", []byte(strings.Repeat("é", 32<<10)))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseText(c.typ, c.data, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
