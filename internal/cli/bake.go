package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/atomicfile"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/verify"
	"github.com/spf13/cobra"
)

type bakeOptions struct {
	image, payloadArg string
	output            string
	inPlace           bool
	noOverwrite       bool
	noVerify          bool
	lenient           bool
	quiet             bool
	network           networkOptions
	at                instant
	signKey           string // --sign-key: sign PAYLOAD first
	signFormat        string
	signMethod        string
}

const bakeLong = `Bake embeds PAYLOAD into IMAGE (a PNG or SVG, told apart by content) and
writes the baked image.

PAYLOAD is an Open Badges 2.0 hosted assertion URL, assertion JSON or signed
assertion (compact JWS), or an Open Badges 3.0 credential JSON (with its
embedded proof) or VC-JWT. Give it literally, as @FILE to read a file, or as
- to read standard input. IMAGE may be - for standard input (not both).

PNG: one iTXt chunk ("openbadges" for OB 2.0, "openbadgecredential" for OB 3.0)
right after IHDR; every other byte is copied unchanged. SVG: an
<openbadges:assertion> or <openbadges:credential> element right after the <svg>
start tag, laid out as the baking specifications show. Any badge the image
already carries is replaced (--no-overwrite refuses instead).

The payload goes through the verifier before anything is written (for a
hosted badge that means fetching it); a payload with errors is refused, and
--no-verify skips the verifier (structure checks still run). The output is written
atomically: on any error no output file appears and an existing one is left
untouched.

With --sign-key KEY.pem, PAYLOAD is an unsigned credential or assertion (JSON)
that is signed first, exactly as badgebake sign does (--format and
--verification-method as there; the signed result is verified), and the
signed payload is baked.

` + denyPrivateHelp

func newBakeCmd(streams IO) *cobra.Command {
	o := &bakeOptions{}
	cmd := &cobra.Command{
		Use:   "bake IMAGE PAYLOAD [-o OUT | --in-place]",
		Short: "Embed an Open Badges payload into a PNG or SVG image",
		Long:  bakeLong,
		Example: `  # Bake a hosted assertion URL into a PNG
  badgebake bake badge.png https://example.org/assertions/123 -o baked.png

  # Bake assertion JSON from a file into an SVG, replacing any earlier badge
  badgebake bake badge.svg @assertion.json -o baked.svg

  # Bake an OB 3.0 VC-JWT read from standard input, in place
  badgebake bake --in-place badge.png - < credential.jwt

  # Sign an OB 3.0 credential with the issuer's key, then bake it
  badgebake bake --sign-key keys/key.pem badge.png @unsigned.json -o baked.png

  # In a pipeline
  curl -s https://example.org/badge.png | badgebake bake - @assertion.json > baked.png`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("bake takes IMAGE and PAYLOAD (got %d argument(s)); see badgebake bake --help", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.image, o.payloadArg = args[0], args[1]
			return runBake(cmd.Context(), streams, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the baked image to `FILE` (default: standard output)")
	f.BoolVar(&o.inPlace, "in-place", false, "replace IMAGE with the baked image")
	f.BoolVar(&o.noOverwrite, "no-overwrite", false, "refuse an image that already carries a badge")
	f.BoolVar(&o.noVerify, "no-verify", false, "skip the verifier (structure checks still run)")
	f.BoolVar(&o.lenient, "lenient", false, "accept PNG text chunks with a wrong CRC")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	addAtFlag(cmd, &o.at, "verify the payload")
	f.StringVar(&o.signKey, "sign-key", "", "sign PAYLOAD with the private key in `FILE` (PEM, mode 0600) before baking")
	addSignFlags(cmd, &o.signFormat, &o.signMethod)
	_ = cmd.MarkFlagFilename("sign-key", "pem")
	o.network.addFlags(cmd)
	_ = cmd.MarkFlagFilename("output", "png", "svg")
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return []string{"png", "svg"}, cobra.ShellCompDirectiveFilterFileExt
		}
		return nil, cobra.ShellCompDirectiveDefault
	}
	return cmd
}

func runBake(ctx context.Context, streams IO, o *bakeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.inPlace && o.output != "" {
		return usagef("--in-place and -o cannot be used together: --in-place writes the baked image over IMAGE, -o writes it to OUT; give one")
	}
	if o.image == "-" && o.payloadArg == "-" {
		return usagef("IMAGE and PAYLOAD cannot both be read from standard input")
	}
	if o.inPlace && o.image == "-" {
		return usagef("--in-place needs an IMAGE file, not standard input")
	}
	toStdout := !o.inPlace && (o.output == "" || o.output == "-")
	if toStdout && streams.OutIsTerminal {
		return usagef("refusing to write a binary image to the terminal; use -o FILE, --in-place, or redirect standard output")
	}

	if o.signKey == "" && (o.signFormat != "" || o.signMethod != "") {
		return usagef("--format and --verification-method say how --sign-key signs; give --sign-key KEY.pem too")
	}
	var signKey *keyfile.Key
	if o.signKey != "" {
		k, err := keyfile.Load(o.signKey)
		if err != nil {
			return err
		}
		signKey = k
	}
	p, err := readPayload(streams, o.payloadArg)
	if err != nil {
		return err
	}
	var warn io.Writer
	if !o.quiet {
		warn = streams.Err
	}
	var v *verify.Verifier
	if !o.noVerify || signKey != nil {
		if v, err = o.network.verifier(warn, o.at.clock()); err != nil {
			return err
		}
	}
	if signKey != nil {
		signer, err := newSigner(signKey, o.signFormat, o.signMethod, v, o.at.clock(), false)
		if err != nil {
			return err
		}
		signed, err := signer.Sign(ctx, p)
		if err != nil {
			return err
		}
		p = signed.Payload
		if !o.quiet {
			fmt.Fprintf(streams.Err, "signed %s as %s with the %s key\n", describeSigned(p), signed.Format, signKey.Type)
		}
	}
	in, err := openInput(streams, o.image)
	if err != nil {
		return err
	}
	defer in.Close()

	// Bake into a temporary file: renamed into place, or copied to standard
	// output, on success; removed on failure.
	dest := o.output
	if o.inPlace {
		dest = o.image
	}
	var out *atomicfile.File
	if toStdout {
		out, err = atomicfile.CreateTemp()
	} else {
		out, err = atomicfile.Create(dest, 0o644)
	}
	if err != nil {
		return err
	}
	defer out.Abort()

	opts := &bake.Options{NoOverwrite: o.noOverwrite, Lenient: o.lenient}
	if !o.noVerify {
		opts.Validator = verify.Validator{Verifier: v}
	}
	res, err := bake.Bake(ctx, out, in, p, opts)
	var verr *bake.ValidationError
	if errors.As(err, &verr) {
		printWarnings(streams.Err, "", verr.Warnings)
		return err // about the payload, not the image
	}
	if err != nil {
		return &bakeImageError{image: o.image, err: err}
	}
	if toStdout {
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(streams.Out, out); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	} else if err := out.Commit(); err != nil {
		return err
	}
	if !o.quiet {
		printWarnings(streams.Err, "", res.Warnings)
		target := dest
		if toStdout {
			target = "standard output"
		}
		checked := "verified: valid; "
		if o.noVerify {
			checked = "not verified (--no-verify); "
		}
		fmt.Fprintf(streams.Err, "%sbaked %s %s into %s: %s, written to %s\n",
			checked, p.Generation.Describe(), describeKind(p.Kind), strings.ToUpper(string(res.Format)), res.Carrier, target)
		for _, r := range res.Replaced {
			fmt.Fprintf(streams.Err, "  replaced the earlier badge in %s\n", r)
		}
	}
	return nil
}

func describeKind(k payload.Kind) string {
	switch k {
	case payload.KindURL:
		return "hosted URL"
	case payload.KindJSON:
		return "JSON"
	case payload.KindJWS:
		return "JWS"
	}
	return string(k)
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// maxPayload bounds a payload read from a file or standard input.
const maxPayload = 8 << 20

// readPayload resolves PAYLOAD: literal, @FILE or - for standard input.
func readPayload(streams IO, arg string) (*payload.Payload, error) {
	var text []byte
	switch {
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(streams.In, maxPayload+1))
		if err != nil {
			return nil, fmt.Errorf("reading the payload from standard input: %w", err)
		}
		text = b
	case strings.HasPrefix(arg, "@"):
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxPayload+1))
		if err != nil {
			return nil, err
		}
		text = b
	default:
		text = []byte(arg)
	}
	if len(text) > maxPayload {
		return nil, &payloadParseError{arg: arg, err: fmt.Errorf("the payload is larger than %d bytes", maxPayload)}
	}
	p, err := payload.Parse(text)
	if err != nil {
		if !strings.HasPrefix(arg, "@") && arg != "-" {
			if fi, statErr := os.Stat(arg); statErr == nil && fi.Mode().IsRegular() {
				err = fmt.Errorf("%w (%q is a file: did you mean @%s?)", err, arg, arg)
			}
		}
		return nil, &payloadParseError{arg: arg, err: err}
	}
	return p, nil
}

type nopCloseFile struct{ *os.File }

func (nopCloseFile) Close() error { return nil }

// openInput opens IMAGE or standard input.
func openInput(streams IO, path string) (io.ReadCloser, error) {
	if path == "-" {
		if f, ok := streams.In.(*os.File); ok {
			// Keep the *os.File so a redirected file can be read by seeking.
			return nopCloseFile{f}, nil
		}
		return io.NopCloser(streams.In), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("is a directory, not an image file")}
	}
	return f, nil
}
