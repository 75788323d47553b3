package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/atomicfile"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
	"github.com/badgebake/badgebake/verify"
)

type signOptions struct {
	key     string
	format  string
	method  string
	output  string
	quiet   bool
	network networkOptions
}

const signLong = `Sign signs CREDENTIAL (a file, or - for standard input) with the issuer's
key and writes the signed credential:

  Open Badges 3.0 credential JSON  →  --format vc-jwt: a VC-JWT (alg from the
      key: EdDSA, ES256 or RS256; kid the verification method; iss, jti, nbf,
      exp and sub from the credential), or --format eddsa-rdfc-2022: the JSON
      with an embedded DataIntegrityProof (Ed25519 keys only)
  Open Badges 2.0 assertion JSON   →  --format jws: a compact JWS (RS256) whose
      verification.creator is the key's URL (from the assertion, or
      --verification-method)

--format defaults to eddsa-rdfc-2022 for an Ed25519 key, vc-jwt for P-256 and
RSA keys, and jws for an OB 2.0 assertion. Every member of the input is kept
as it is (a Data Integrity proof may append its context to @context).

The key is read from --key KEY.pem (mode 0600 or stricter: a key file others
can read is refused) or, without --key, from the BADGEBAKE_KEY environment
variable holding the PEM. It is never printed or written anywhere else.

Before signing, the credential's structure is checked and its issuer matched
with the key: a did:key issuer must be the key's own did:key; a did:web issuer
must prefix the verification method (default: the issuer's #key-1, as keygen
--did-web writes it); an https issuer's key must be served on its site
(--verification-method URL). After signing, the result goes through the
verifier (an OB 3.0 credential's did:web or https key is fetched); only its
status is not checked, since its status list is not published yet. An OB 2.0
signed assertion is checked locally, with the key: its CryptographicKey and
issuer profile need not be published yet. Nothing is written unless it
verifies; the output is written atomically.

` + denyPrivateHelp

func newSignCmd(streams IO) *cobra.Command {
	o := &signOptions{}
	cmd := &cobra.Command{
		Use:   "sign [--key KEY.pem] [--format vc-jwt|eddsa-rdfc-2022|jws] [--verification-method ID] [-o OUT] CREDENTIAL",
		Short: "Sign an Open Badges credential or assertion with the issuer's key",
		Long:  signLong,
		Example: `  # An OB 3.0 credential of the did:key issuer keygen printed
  badgebake sign --key keys/key.pem -o signed.json credential.json

  # As a VC-JWT, the key from the environment (a CI secret)
  BADGEBAKE_KEY="$(cat keys/key.pem)" badgebake sign --format vc-jwt credential.json > credential.jwt

  # An OB 2.0 assertion, signed with the RSA key served at its URL
  badgebake sign --key keys/key.pem --verification-method https://example.org/keys/1 assertion.json -o assertion.jws`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("sign takes one CREDENTIAL, a file or - (got %d argument(s)); see badgebake sign --help", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd.Context(), streams, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "the private key `FILE` (PEM; default: the BADGEBAKE_KEY environment variable)")
	addSignFlags(cmd, &o.format, &o.method)
	f.StringVarP(&o.output, "output", "o", "", "write the signed credential to `FILE` (default: standard output)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	o.network.addFlags(cmd)
	_ = cmd.MarkFlagFilename("key", "pem")
	return cmd
}

// addSignFlags adds --format and --verification-method, shared by sign
// and bake --sign-key.
func addSignFlags(cmd *cobra.Command, format, method *string) {
	cmd.Flags().StringVar(format, "format", "", "signature `FORMAT`: vc-jwt, eddsa-rdfc-2022 (OB 3.0) or jws (OB 2.0); default: from the key and the credential")
	cmd.Flags().StringVar(method, "verification-method", "", "the key's `ID` in the proof: a did:web or https key URL (default: the did:key's, a did:web issuer's #key-1, or an OB 2.0 assertion's verification.creator)")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"vc-jwt", "eddsa-rdfc-2022", "jws"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// loadKey reads the signing key from path, or from BADGEBAKE_KEY when
// path is "". flag names the option for messages.
func loadKey(path, flag string) (*keyfile.Key, error) {
	if path != "" {
		return keyfile.Load(path)
	}
	k, ok, err := keyfile.FromEnv()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, usagef("no signing key: give %s KEY.pem, or set %s to the PEM (badgebake keygen makes a key)", flag, keyfile.EnvVar)
	}
	return k, nil
}

// newSigner builds the signer of sign, bake --sign-key and issue.
// checkedByCaller: the command verifies what is signed itself (see
// sign.Options.CheckedByCaller).
func newSigner(key *keyfile.Key, format, method string, v *verify.Verifier, now func() time.Time, checkedByCaller bool) (*sign.Signer, error) {
	f, err := sign.ParseFormat(format)
	if err != nil {
		return nil, usagef("--format: %v", strings.TrimPrefix(err.Error(), "cannot sign: "))
	}
	return sign.New(key, sign.Options{Format: f, VerificationMethod: method, Verifier: v, Now: now, CheckedByCaller: checkedByCaller})
}

func runSign(ctx context.Context, streams IO, o *signOptions, arg string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	key, err := loadKey(o.key, "--key")
	if err != nil {
		return err
	}
	p, err := readCredential(streams, arg)
	if err != nil {
		return err
	}
	var warn io.Writer
	if !o.quiet {
		warn = streams.Err
	}
	v, err := o.network.verifier(warn, nil)
	if err != nil {
		return err
	}
	signer, err := newSigner(key, o.format, o.method, v, nil, false)
	if err != nil {
		return err
	}
	signed, err := signer.Sign(ctx, p)
	if err != nil {
		return err
	}
	out := append(signed.Bytes[:len(signed.Bytes):len(signed.Bytes)], '\n')
	target := "standard output"
	if o.output == "" || o.output == "-" {
		if _, err := streams.Out.Write(out); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	} else {
		target = o.output
		if err := atomicfile.WriteFile(o.output, out, 0o644); err != nil {
			return err
		}
	}
	if !o.quiet {
		checked := "verified: valid"
		if signed.Format == sign.FormatJWS {
			checked = "checked locally: the signature verifies with the key"
		}
		fmt.Fprintf(streams.Err, "signed %s as %s with the %s key; %s; written to %s\n",
			describeSigned(signed.Payload), signed.Format, key.Type, checked, target)
	}
	return nil
}

func describeSigned(p *payload.Payload) string {
	if p.Generation == payload.OB2 {
		return "Open Badges 2.0 assertion"
	}
	return "Open Badges 3.0 credential"
}

// credentialError is a CREDENTIAL that cannot be read as one.
type credentialError struct {
	arg string
	err error
}

func (e *credentialError) Error() string { return displayName(e.arg) + ": " + e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

func (e *credentialError) ErrorKind() errkind.Kind { return errkind.BadInput }

// readCredential reads CREDENTIAL: a file (an @ in front is allowed, as
// for bake's PAYLOAD) or - for standard input.
func readCredential(streams IO, arg string) (*payload.Payload, error) {
	var r io.Reader = streams.In
	if arg != "-" {
		f, err := os.Open(strings.TrimPrefix(arg, "@"))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPayload {
		return nil, &credentialError{arg, fmt.Errorf("larger than %d bytes", maxPayload)}
	}
	p, err := payload.Parse(b)
	if err != nil {
		return nil, &credentialError{arg, err}
	}
	return p, nil
}
