package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/verify"
)

// BenchmarkVerifyFile is batch verify's work on one file, offline (the
// hosted badge cannot be fetched, so what is measured is reading the file:
// telling its format, unbaking it and handing the payload on). The SVG
// cases are where reading dominates: a 1 MiB drawing with the badge
// element last is tokenised up to it each time it is unbaked.
func BenchmarkVerifyFile(b *testing.B) {
	const url = "https://badges.example.org/assertions/1"
	dir := b.TempDir()
	p, err := payload.Parse([]byte(url))
	if err != nil {
		b.Fatal(err)
	}
	var baked bytes.Buffer
	if _, err := bake.Bake(context.Background(), &baked, bytes.NewReader(examples.SVG()), p, nil); err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{
		"small.svg":     baked.Bytes(),
		"1mib-late.svg": benchdata.BigSVG(1<<20, benchdata.Paths, url, true),
		"url.txt":       []byte(url + "\n"),
	}
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if rec := verifyFile(context.Background(), v, &verify.Options{}, path); rec.Result == nil {
					b.Fatalf("%s: %+v", name, rec)
				}
			}
		})
	}
}
