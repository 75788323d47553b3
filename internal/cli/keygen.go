package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/proof/keyfile"
)

type keygenOptions struct {
	keyType  string
	dir      string
	bits     int
	didWeb   string
	keyURL   string
	keyOwner string
	quiet    bool
}

const keygenLong = `Keygen makes an issuer's signing key and the public documents to publish
with it, in DIR (created if missing):

  DIR/key.pem   the private key, PKCS#8, mode 0600: keep it secret (a CI
                secret can hold it instead: BADGEBAKE_KEY takes the PEM)
  DIR/key.jwk   the public key as a JWK (kid = its RFC 7638 thumbprint)
  DIR/did.json  with --did-web HOST[/PATH]: the DID document of
                did:web:HOST[:PATH], to serve at https://HOST/.well-known/did.json
                (or https://HOST/PATH/did.json); its key is did:web:…#key-1
  DIR/key.json  with --key-url URL: the Open Badges 2.0 CryptographicKey to
                serve at URL, the verification.creator of signed assertions
                (RSA keys only: OB 2.0 signs with RS256)

Key types: ed25519 (EdDSA; the only key for eddsa-rdfc-2022 proofs), p256
(ES256) and rsa (RS256, --bits 2048 or more, default 3072).

Standard output gets the key's identifier, for scripts: the did:key of an
Ed25519 or P-256 key (use it as the credential's issuer id; its verification
method is did:key:<key>#<key>), otherwise the did:web, otherwise the key URL.
Keygen never replaces a file: if any of the files exists, nothing is written.`

func newKeygenCmd(streams IO) *cobra.Command {
	o := &keygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen --type ed25519|p256|rsa -o DIR [--did-web HOST[/PATH]] [--key-url URL [--key-owner ISSUER_URL]]",
		Short: "Make an issuer's signing key and its public documents",
		Long:  keygenLong,
		Example: `  # An Ed25519 key; the did:key goes to standard output
  ISSUER=$(badgebake keygen --type ed25519 -o keys)

  # A P-256 key for the did:web issuer did:web:example.org:issuers:1
  badgebake keygen --type p256 -o keys --did-web example.org/issuers/1

  # An RSA key for Open Badges 2.0 signed assertions
  badgebake keygen --type rsa -o keys --key-url https://example.org/keys/1 --key-owner https://example.org/issuer`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeygen(streams, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.keyType, "type", string(keyfile.Ed25519), "key `TYPE`: ed25519, p256 or rsa")
	f.StringVarP(&o.dir, "output", "o", "", "write the key files into `DIR` (created if missing)")
	f.IntVar(&o.bits, "bits", 0, "RSA key size in bits (2048 or more; default 3072)")
	f.StringVar(&o.didWeb, "did-web", "", "also write DIR/did.json, the DID document of did:web:HOST[:PATH], for `HOST[/PATH]`")
	f.StringVar(&o.keyURL, "key-url", "", "also write DIR/key.json, an Open Badges 2.0 CryptographicKey to serve at `URL` (rsa)")
	f.StringVar(&o.keyOwner, "key-owner", "", "the owner of the CryptographicKey: the issuer profile's `URL`")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but the key's identifier and errors")
	_ = cmd.MarkFlagDirname("output")
	_ = cmd.RegisterFlagCompletionFunc("type", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"ed25519", "p256", "rsa"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func runKeygen(streams IO, o *keygenOptions) error {
	typ, err := keyfile.ParseType(o.keyType)
	if err != nil {
		return usagef("--type: %v", err)
	}
	if o.dir == "" {
		return usagef("keygen needs -o DIR, the directory to write the key files into")
	}
	if o.bits != 0 && typ != keyfile.RSA {
		return usagef("--bits is for RSA keys; an %s key has a fixed size", typ)
	}
	if o.bits != 0 && o.bits < keyfile.MinRSABits {
		return usagef("--bits %d: RSA keys have %d bits or more", o.bits, keyfile.MinRSABits)
	}
	if o.keyOwner != "" && o.keyURL == "" {
		return usagef("--key-owner names the owner of the CryptographicKey that --key-url asks for; give --key-url too")
	}
	if o.keyURL != "" && typ != keyfile.RSA {
		return usagef("--key-url writes an Open Badges 2.0 CryptographicKey, and OB 2.0 signs with RS256 only: use --type rsa")
	}
	for _, u := range []struct{ flag, value string }{{"--key-url", o.keyURL}, {"--key-owner", o.keyOwner}} {
		if u.value != "" && !isHTTPURL(u.value) {
			return usagef("%s %q is not an http(s) URL", u.flag, u.value)
		}
	}
	var didWeb, didURL string
	if o.didWeb != "" {
		if didWeb, err = keyfile.DIDWebFromHost(o.didWeb); err != nil {
			return usagef("--did-web: %v; give the host and path the DID document is served from, e.g. example.org or example.org/issuers/1", err)
		}
		didURL = didWebDocumentURL(didWeb)
	}

	files := []string{"key.pem", "key.jwk"}
	if didWeb != "" {
		files = append(files, "did.json")
	}
	if o.keyURL != "" {
		files = append(files, "key.json")
	}
	for _, name := range files {
		path := filepath.Join(o.dir, name)
		if _, err := os.Lstat(path); err == nil {
			return &keyExistsError{path: path}
		}
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}

	key, err := keyfile.Generate(typ, o.bits)
	if err != nil {
		return err
	}
	docs := map[string][]byte{}
	jwk, err := json.MarshalIndent(key.PublicJWK(), "", "  ")
	if err != nil {
		return err
	}
	docs["key.jwk"] = jwk
	if didWeb != "" {
		if docs["did.json"], err = key.DIDWebDocument(didWeb); err != nil {
			return err
		}
	}
	if o.keyURL != "" {
		if docs["key.json"], err = key.CryptographicKey(o.keyURL, o.keyOwner); err != nil {
			return err
		}
	}
	// The private key first: public documents without it are useless.
	if err := key.Save(filepath.Join(o.dir, "key.pem")); err != nil {
		return existsOr(err)
	}
	for _, name := range files[1:] {
		if err := keyfile.WriteNew(filepath.Join(o.dir, name), append(docs[name], '\n'), 0o644); err != nil {
			return existsOr(err)
		}
	}

	id := o.keyURL
	if didWeb != "" {
		id = didWeb
	}
	method := ""
	if did, err := key.DIDKey(); err == nil {
		id = did
		method, _ = key.DIDKeyMethod()
	}
	if id != "" {
		fmt.Fprintln(streams.Out, id)
	}
	if o.quiet {
		return nil
	}
	w := streams.Err
	fmt.Fprintf(w, "made a new %s key (%s); wrote %s (private, mode 0600) and %s\n", typ, key.Alg(),
		filepath.Join(o.dir, "key.pem"), strings.Join(joinDir(o.dir, files[1:]), ", "))
	if method != "" {
		fmt.Fprintf(w, "  did:key verification method  %s\n", method)
	}
	if didWeb != "" {
		fmt.Fprintf(w, "  did:web verification method  %s#%s (serve %s at %s)\n", didWeb, keyfile.DIDWebFragment, filepath.Join(o.dir, "did.json"), didURL)
	}
	if o.keyURL != "" {
		fmt.Fprintf(w, "  OB 2.0 key (verification.creator)  %s (serve %s there)\n", o.keyURL, filepath.Join(o.dir, "key.json"))
	}
	return nil
}

func joinDir(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// keyExistsError is a key file keygen will not replace.
type keyExistsError struct{ path string }

func (e *keyExistsError) Error() string {
	return fmt.Sprintf("%s already exists: keygen never replaces key files (nothing was written); remove them or choose another -o DIR", e.path)
}

func (e *keyExistsError) ErrorKind() errkind.Kind { return errkind.Usage }

// existsOr turns a refusal to replace a file that appeared while keygen
// ran into a keyExistsError.
func existsOr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrExist) {
		return &keyExistsError{path: pe.Path}
	}
	return err
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http")
}

// didWebDocumentURL is where the DID document of a did:web (as
// keyfile.DIDWebFromHost writes it) is served.
func didWebDocumentURL(did string) string {
	parts := strings.Split(strings.TrimPrefix(did, "did:web:"), ":")
	host := strings.ReplaceAll(parts[0], "%3A", ":")
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json"
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json"
}
