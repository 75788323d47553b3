package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/issue"
	"github.com/badgebake/badgebake/ledger"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
)

// metaIssuer is the ledger's record of the credentials' issuer id, which
// signs their status list.
const metaIssuer = "issuer"

type issueOptions struct {
	template, recipients, image, key, out string
	ledger, statusListURL, format, method string
	rowKey, baseURL                       string
	hashRecipients, dryRun, quiet         bool
	jobs                                  int
	at                                    instant
	network                               networkOptions
}

const issueLong = `Issue issues one personalised baked badge per row of a CSV file: each row
fills the template's {{.column}} placeholders ({{.id}} is a fresh urn:uuid),
the credential is signed, baked into a copy of --image, verified by
badgebake's verifier and written atomically to OUT/<row key>.png (or .svg).
The header row names the columns; the email column is the recipient
(--hash-recipients stores it salted and hashed); the row key is the
--row-key column (default: the first), made safe for a file name.

Every credential is recorded in the ledger (--ledger: an SQLite file,
created when missing, or postgres://… for several machines at once). Run
the same command again after a crash or Ctrl-C: rows already issued are
skipped, the rest are issued, none twice. With --status-list-url each Open
Badges 3.0 credential gets a revocation entry in the Bitstring status list
to publish at that URL (badgebake status-list and revoke write it).

--format hosted --base-url URL issues Open Badges 2.0 hosted assertions
from a template whose badge embeds the BadgeClass and Issuer: OUT then also
holds the assertion, BadgeClass, Issuer and revocation list files to
publish at URL (see the README for the layout).

The template, the key, the image and the CSV header are checked, and the
first row tried without writing anything, before the ledger is opened. A
row that cannot be issued is reported as FILE:LINE: reason and skipped.
Exit 0 when every row is issued, 1 when some were not, 2 when nothing could
run.

` + denyPrivateHelp

func newIssueCmd(streams IO) *cobra.Command {
	o := &issueOptions{}
	cmd := &cobra.Command{
		Use:   "issue --template TEMPLATE.json --recipients RECIPIENTS.csv --image BADGE.png --key KEY.pem --out DIR",
		Short: "Issue a baked badge to every row of a CSV file",
		Long:  issueLong,
		Example: `  badgebake keygen --type ed25519 -o keys
  badgebake issue --template template.json --recipients people.csv --image badge.png \
      --key keys/key.pem --out issued/ --status-list-url https://example.org/status/1

  # Open Badges 2.0 hosted assertions, to publish at https://example.org/badges
  badgebake issue --format hosted --base-url https://example.org/badges \
      --template assertion.json --recipients people.csv --image badge.svg --out site/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIssue(cmd.Context(), streams, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.template, "template", "", "the credential `TEMPLATE` (JSON with {{.column}} placeholders)")
	f.StringVar(&o.recipients, "recipients", "", "the recipients `CSV` file (a header row names the columns)")
	f.StringVar(&o.image, "image", "", "the badge `IMAGE` (PNG or SVG) every credential is baked into")
	f.StringVar(&o.key, "key", "", "the private key `FILE` (PEM; default: the BADGEBAKE_KEY environment variable; not needed for --format hosted)")
	f.StringVar(&o.out, "out", "", "the output `DIR` (created when missing)")
	f.StringVar(&o.ledger, "ledger", "issued.db", "the ledger: an SQLite `FILE`, or a postgres:// URL")
	f.StringVar(&o.statusListURL, "status-list-url", "", "give each OB 3.0 credential a revocation entry in the status list to publish at `URL`")
	f.StringVar(&o.format, "format", "", "vc-jwt, eddsa-rdfc-2022 (OB 3.0), jws (OB 2.0 signed) or hosted (OB 2.0 hosted); default: from the key and the template")
	f.StringVar(&o.method, "verification-method", "", "the key's `ID` in the proofs (as for sign)")
	f.StringVar(&o.baseURL, "base-url", "", "with --format hosted: the `URL` the output is published at")
	f.StringVar(&o.rowKey, "row-key", "", "the `COLUMN` naming each row's file (default: the first column)")
	f.BoolVar(&o.hashRecipients, "hash-recipients", false, "store each recipient's email salted and hashed")
	f.BoolVar(&o.dryRun, "dry-run", false, "check every row, write nothing")
	f.IntVar(&o.jobs, "jobs", 0, "rows issued at once (default: the number of CPUs)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	addAtFlag(cmd, &o.at, "verify the issued badges")
	o.network.addFlags(cmd)
	for _, name := range []string{"template", "recipients", "image", "out"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// issueInputError is an input of issue that cannot be used.
type issueInputError struct{ err error }

func (e *issueInputError) Error() string           { return e.err.Error() }
func (e *issueInputError) Unwrap() error           { return e.err }
func (e *issueInputError) ErrorKind() errkind.Kind { return errkind.Usage }

// readInput reads a file named by flag, or says which flag named it.
func readInput(path, flag string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &issueInputError{fmt.Errorf("%s: %w", flag, err)}
	}
	return b, nil
}

func runIssue(ctx context.Context, streams IO, o *issueOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	hosted := o.format == issue.FormatHosted
	if hosted != (o.baseURL != "") {
		return usagef("--format hosted and --base-url go together")
	}
	template, err := readInput(o.template, "--template")
	if err != nil {
		return err
	}
	image, err := readInput(o.image, "--image")
	if err != nil {
		return err
	}
	csv, err := os.Open(o.recipients)
	if err != nil {
		return &issueInputError{fmt.Errorf("--recipients: %w", err)}
	}
	defer csv.Close()

	var warn io.Writer
	if !o.quiet {
		warn = streams.Err
	}
	v, err := o.network.verifier(warn, o.at.clock())
	if err != nil {
		return err
	}
	opts := issue.Options{
		Template: template, TemplateName: displayName(o.template),
		Recipients: csv, RecipientsName: displayName(o.recipients),
		Image: image, ImageName: displayName(o.image),
		OutDir: o.out, RowKey: o.rowKey, HashRecipients: o.hashRecipients,
		StatusListURL: o.statusListURL, DryRun: o.dryRun, Jobs: o.jobs,
		Now: o.at.clock(), Verifier: v,
	}
	var signer *issue.SignAdapter
	issuerID := templateIssuer(template)
	if hosted {
		opts.Hosted = &issue.HostedOptions{BaseURL: o.baseURL}
	} else {
		key, err := loadKey(o.key, "--key")
		if err != nil {
			return err
		}
		// Each baked image is verified before it is written: the signer
		// need not verify the credential first.
		s, err := newSigner(key, o.format, o.method, v, o.at.clock(), true)
		if err != nil {
			return err
		}
		format, err := issueFormat(o.format, key, template)
		if err != nil {
			return err
		}
		signer = issue.SignerFor(s, format, issuerID)
		opts.Signer = signer
	}
	var opened *ledger.Ledger
	opts.OpenLedger = func(ctx context.Context) (issue.Ledger, error) {
		l, err := ledger.Open(ctx, o.ledger)
		if err != nil {
			return nil, err
		}
		opened = l
		if o.statusListURL != "" && !o.dryRun {
			for k, v := range map[string]string{ledger.MetaStatusListURL: o.statusListURL, metaIssuer: issuerID} {
				if err := l.SetMeta(ctx, k, v); err != nil {
					return nil, err
				}
			}
			if signer != nil {
				if err := l.SetMeta(ctx, ledger.MetaFormat, signer.Format()); err != nil {
					return nil, err
				}
			}
		}
		return issue.LedgerFor(l), nil
	}
	defer func() {
		if opened != nil {
			opened.Close()
		}
	}()
	prog := newProgress(streams, o.quiet)
	opts.Progress = func(done, total int) {
		prog.SetTotal(total, true)
		prog.Files(done, " badges")
	}
	sum, err := issue.Run(ctx, opts)
	prog.Clear()
	if err != nil && sum == nil {
		var in *issue.InputError
		if errors.As(err, &in) {
			return &issueInputError{err}
		}
		return err
	}
	for _, f := range sum.Failures {
		fmt.Fprintf(streams.Err, "badgebake: %s\n", f.Error())
	}
	if !o.quiet {
		what := "issued"
		if o.dryRun {
			what = "checked (dry run, nothing written)"
		}
		fmt.Fprintf(streams.Err, "%d row(s): %d %s, %d already issued, %d failed, in %s\n",
			sum.Rows, sum.Issued, what, sum.Skipped, sum.Failed, sum.Elapsed.Round(time.Millisecond))
	}
	if err != nil {
		return err
	}
	if !sum.Complete() {
		return &notAllIssuedError{failed: sum.Rows - sum.Issued - sum.Skipped}
	}
	return nil
}

// notAllIssuedError: some rows were not issued (each was reported).
type notAllIssuedError struct{ failed int }

func (e *notAllIssuedError) Error() string {
	return fmt.Sprintf("%d row(s) not issued (see above); run again once they are fixed: issued rows are skipped", e.failed)
}
func (e *notAllIssuedError) ErrorKind() errkind.Kind { return errkind.BadInput }

// issueFormat is the format credentials are signed in: --format, or the
// key's default for the template's generation.
func issueFormat(flag string, key *keyfile.Key, template []byte) (sign.Format, error) {
	if flag != "" {
		f, err := sign.ParseFormat(flag)
		if err != nil {
			return "", usagef("--format: %v", strings.TrimPrefix(err.Error(), "cannot sign: "))
		}
		return f, nil
	}
	var doc map[string]any
	_ = json.Unmarshal(template, &doc)
	if _, ob3 := doc["credentialSubject"]; ob3 {
		return sign.DefaultFormat(key, payload.OB3), nil
	}
	return sign.FormatJWS, nil
}

// templateIssuer is the issuer id a template names ("" when it has none
// or a placeholder): the issuer of the status list.
func templateIssuer(template []byte) string {
	var doc map[string]any
	if json.Unmarshal(template, &doc) != nil {
		return ""
	}
	return jsonin.Ref(doc["issuer"])
}

type revokeOptions struct {
	ledger, key, reason, out, method string
	quiet                            bool
	network                          networkOptions
}

func newRevokeCmd(streams IO) *cobra.Command {
	o := &revokeOptions{}
	cmd := &cobra.Command{
		Use:   "revoke --ledger LEDGER [--key KEY.pem] [--reason TEXT] ID|ROWKEY...",
		Short: "Revoke issued badges and rewrite the status list to publish",
		Long: `Revoke marks the credentials named by credential id or row key revoked in the
ledger, then rewrites what publishes revocations: the signed Bitstring status
list credential of the Open Badges 3.0 credentials (to --status-list-out,
default beside the ledger, ready to upload to the URL issue recorded), and
for hosted Open Badges 2.0 assertions the issuer's revocation list beside
them. All or nothing: an unknown id, or a key that cannot sign the list (not
the issuer's), revokes none. Revoking again is harmless.
`,
		Example: `  badgebake revoke --ledger issued.db --key keys/key.pem --reason "issued in error" r042 r107`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("revoke needs at least one credential id or row key")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRevoke(cmd.Context(), streams, o, args)
		},
	}
	addLedgerListFlags(cmd, &o.ledger, &o.key, &o.out, &o.method)
	cmd.Flags().StringVar(&o.reason, "reason", "", "why, recorded in the ledger (and OB 2.0 revocation lists)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	o.network.addFlags(cmd)
	return cmd
}

type statusListOptions struct {
	ledger, key, out, method string
	quiet                    bool
	network                  networkOptions
}

func newStatusListCmd(streams IO) *cobra.Command {
	o := &statusListOptions{}
	cmd := &cobra.Command{
		Use:   "status-list --ledger LEDGER [--key KEY.pem] [--status-list-out FILE]",
		Short: "Write the current signed status list of the ledger's credentials",
		Long: `Status-list writes the signed Bitstring status list credential of the
credentials issue recorded in the ledger, with every revoked one set, without
revoking anything: to publish it the first time, or again.
`,
		Example: `  badgebake status-list --ledger issued.db --key keys/key.pem --status-list-out site/status/1`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatusList(cmd.Context(), streams, o)
		},
	}
	addLedgerListFlags(cmd, &o.ledger, &o.key, &o.out, &o.method)
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	o.network.addFlags(cmd)
	return cmd
}

func addLedgerListFlags(cmd *cobra.Command, ledgerPath, key, out, method *string) {
	f := cmd.Flags()
	f.StringVar(ledgerPath, "ledger", "issued.db", "the ledger issue wrote: an SQLite `FILE`, or a postgres:// URL")
	f.StringVar(key, "key", "", "the issuer's private key `FILE` (PEM; default: the BADGEBAKE_KEY environment variable)")
	f.StringVar(out, "status-list-out", "", "write the status list credential to `FILE` (default: status-list.json or .jwt beside the ledger)")
	f.StringVar(method, "verification-method", "", "the key's `ID` in the list's proof (as for sign)")
}

// listPublisher opens what revoke and status-list need: the key (checked
// first), then the ledger and what issue recorded in it.
type listPublisher struct {
	ledger   *ledger.Ledger
	signer   *issue.SignAdapter
	listURL  string
	out      string
	issuerID string
}

func openListPublisher(ctx context.Context, streams IO, n *networkOptions, ledgerPath, keyPath, out, method string, quiet bool, needList bool) (*listPublisher, error) {
	key, err := loadKey(keyPath, "--key")
	if err != nil && needList {
		return nil, err
	}
	if _, statErr := os.Stat(ledgerPath); !strings.Contains(ledgerPath, "://") && statErr != nil {
		return nil, &issueInputError{fmt.Errorf("--ledger %s: %w (issue creates it)", ledgerPath, statErr)}
	}
	l, err2 := ledger.Open(ctx, ledgerPath)
	if err2 != nil {
		return nil, err2
	}
	p := &listPublisher{ledger: l, out: out}
	p.listURL, _, _ = l.Meta(ctx, ledger.MetaStatusListURL)
	p.issuerID, _, _ = l.Meta(ctx, metaIssuer)
	format, _, _ := l.Meta(ctx, ledger.MetaFormat)
	if p.listURL == "" {
		if needList {
			l.Close()
			return nil, &issueInputError{fmt.Errorf("the ledger %s records no status list: issue with --status-list-url makes one", ledgerPath)}
		}
		return p, nil
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	var warn io.Writer
	if !quiet {
		warn = streams.Err
	}
	v, err := n.verifier(warn, nil)
	if err != nil {
		l.Close()
		return nil, err
	}
	s, err := newSigner(key, format, method, v, nil, false)
	if err != nil {
		l.Close()
		return nil, err
	}
	p.signer = issue.SignerFor(s, sign.Format(format), p.issuerID)
	if p.out == "" {
		name := "status-list.json"
		if format == string(sign.FormatVCJWT) {
			name = "status-list.jwt"
		}
		dir := "."
		if !strings.Contains(ledgerPath, "://") {
			dir = filepath.Dir(ledgerPath)
		}
		p.out = filepath.Join(dir, name)
	}
	return p, nil
}

func runRevoke(ctx context.Context, streams IO, o *revokeOptions, ids []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := openListPublisher(ctx, streams, &o.network, o.ledger, o.key, o.out, o.method, o.quiet, false)
	if err != nil {
		return err
	}
	defer p.ledger.Close()
	var ls issue.ListSigner
	if p.signer != nil {
		// The ledger is changed before the list is signed and written:
		// try both first, so that a key that is not the issuer's, or an
		// output directory that is not there, revokes nothing.
		if _, err := p.signer.StatusList(ctx, p.listURL, nil, issue.StatusListSize(0)); err != nil {
			return fmt.Errorf("sign the status list: %w; nothing was revoked", err)
		}
		if _, err := os.Stat(filepath.Dir(p.out)); err != nil {
			return &issueInputError{fmt.Errorf("--status-list-out: %w; nothing was revoked", err)}
		}
		ls = p.signer
	}
	entries, err := issue.Revoke(ctx, issue.LedgerFor(p.ledger), ls, ids, o.reason, p.out, time.Now())
	if err != nil {
		return err
	}
	if !o.quiet {
		for _, e := range entries {
			fmt.Fprintf(streams.Err, "revoked %s (%s)\n", e.RowKey, e.CredentialID)
		}
		// The list written is the revoked credentials' own, which is not
		// the last one issue recorded when the ledger holds several.
		for _, u := range revokedLists(entries) {
			fmt.Fprintf(streams.Err, "status list written to %s: upload it to %s\n", p.out, u)
		}
	}
	return nil
}

// revokedLists are the Bitstring status lists of the revoked entries,
// each once (hosted OB 2.0 assertions have a revocation list instead).
func revokedLists(entries []issue.Entry) []string {
	var urls []string
	for _, e := range entries {
		if e.StatusIndex >= 0 && e.StatusListURL != "" && e.Format != issue.FormatHosted && !slices.Contains(urls, e.StatusListURL) {
			urls = append(urls, e.StatusListURL)
		}
	}
	return urls
}

func runStatusList(ctx context.Context, streams IO, o *statusListOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := openListPublisher(ctx, streams, &o.network, o.ledger, o.key, o.out, o.method, o.quiet, true)
	if err != nil {
		return err
	}
	defer p.ledger.Close()
	if err := issue.WriteStatusList(ctx, issue.LedgerFor(p.ledger), p.signer, p.listURL, p.out); err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(streams.Err, "status list written to %s: upload it to %s\n", p.out, p.listURL)
	}
	return nil
}
