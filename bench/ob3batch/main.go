// Command ob3batch writes the input of the Open Badges 3.0 batch benchmark:
// N PNG images baked with one signed OB 3.0 credential.
//
//	go run ./bench/ob3batch [-n 10000] [-image badge.png] -out DIR CREDENTIAL
//
// CREDENTIAL is a file holding the credential JSON (with its embedded
// proof) or a VC-JWT. A signed credential cannot be varied without breaking
// its proof, so every image carries the same credential: the files differ
// only in name (badge-00001.png, …), which is what a batch of one
// issuer's awards looks like to a verifier with its keys and status lists
// cached. The image is baked once, with the structure checks only (the
// benchmark measures the verifier, not this program), and written N times.
// Then, for example:
//
//	badgebake verify --offline DIR
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
)

func main() {
	n := flag.Int("n", 10000, "number of baked images")
	out := flag.String("out", "", "folder to write the images to (created; must not hold badge-*.png already)")
	image := flag.String("image", "", "PNG to bake into (default: the project's example badge)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: ob3batch [-n N] [-image PNG] -out DIR CREDENTIAL")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *out == "" || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, *image, *n); err != nil {
		fmt.Fprintln(os.Stderr, "ob3batch:", err)
		os.Exit(1)
	}
}

func run(credentialFile, out, imageFile string, n int) error {
	credential, err := os.ReadFile(credentialFile)
	if err != nil {
		return err
	}
	p, err := payload.Parse(bytes.TrimSpace(credential))
	if err != nil {
		return fmt.Errorf("%s: %w", credentialFile, err)
	}
	if p.Generation != payload.OB3 {
		return fmt.Errorf("%s: an %s payload, not an Open Badges 3.0 credential", credentialFile, p.Generation.Describe())
	}
	img := examples.PNG()
	if imageFile != "" {
		if img, err = os.ReadFile(imageFile); err != nil {
			return err
		}
	}
	var baked bytes.Buffer
	res, err := bake.Bake(context.Background(), &baked, bytes.NewReader(img), p, &bake.Options{Validator: bake.StructureValidator{}})
	if err != nil {
		return err
	}
	if res.Format != "png" {
		return fmt.Errorf("%s is %s, not a PNG", imageFile, res.Format)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	width := len(fmt.Sprint(n))
	for i := 1; i <= n; i++ {
		name := filepath.Join(out, fmt.Sprintf("badge-%0*d.png", width, i))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		_, err = f.Write(baked.Bytes())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d images of %d bytes (%s, %s) to %s\n", n, baked.Len(), describe(p), res.Carrier, out)
	return nil
}

func describe(p *payload.Payload) string {
	if p.Kind == payload.KindJWS {
		return "VC-JWT"
	}
	return "credential JSON"
}
