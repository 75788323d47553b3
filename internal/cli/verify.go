package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/badgebake/badgebake/batch"
	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/internal/ui/htmlreport"
	"github.com/badgebake/badgebake/internal/ui/textreport"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/spf13/cobra"
)

// networkOptions are the flags every command that may fetch shares.
type networkOptions struct {
	offline     bool
	timeout     time.Duration
	cacheDir    string
	cacheTTL    time.Duration
	cacheSize   byteSize
	cache       string
	denyPrivate boolSetting
	allowNets   []string
}

func (n *networkOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&n.offline, "offline", false, "never use the network: refuse every fetch")
	cmd.Flags().DurationVar(&n.timeout, "timeout", 30*time.Second, "time limit for each HTTP request")
	cmd.Flags().StringVar(&n.cacheDir, "cache-dir", "", "keep fetched documents in `DIR` across runs (also read with --offline)")
	cmd.Flags().DurationVar(&n.cacheTTL, "cache-ttl", fetch.DefaultCacheTTL, "how long a fetched document is used before it is fetched again")
	n.cacheSize = byteSize(fetch.DefaultBoundedCacheBytes)
	cmd.Flags().Var(&n.cacheSize, "cache-size", "memory for fetched documents, shared by the whole run (batch: all files); the least recently used are dropped beyond it, e.g. 64MiB")
	addRedisFlag(cmd, &n.cache, "other runs, the shards of a batch and badgebake serve")
	cmd.Flags().Var(&n.denyPrivate, "deny-private", "refuse to fetch from loopback, private, link-local and other non-public addresses (badges from strangers on a cloud host; also "+denyPrivateEnv+"=1)")
	cmd.Flags().Lookup("deny-private").NoOptDefVal = "true"
	cmd.Flags().StringSliceVar(&n.allowNets, "allow-net", nil, "with --deny-private: fetch addresses in `CIDR` all the same (repeatable), e.g. 10.1.2.0/24")
}

// verifier builds the one fetch client, JSON-LD processor and verifier a
// run shares. Fetched documents are kept in memory up to --cache-size
// (so that a batch run's memory does not grow with the number of badges);
// with --cache-dir, that cache sits in front of a disk cache, and with
// --cache, in front of Redis (after the disk cache if both are given).
// Warnings about the settings go to warn (nil: none).
// now is the verifier's clock (nil: the real one; see --at).
func (n *networkOptions) verifier(warn io.Writer, now func() time.Time) (*verify.Verifier, error) {
	opts := fetch.Options{UserAgent: "badgebake/" + version(), Offline: n.offline, Timeout: n.timeout, MaxBytes: fetch.DefaultMaxBytes}
	if n.cacheTTL <= 0 {
		return nil, usagef("--cache-ttl must be positive, not %v", n.cacheTTL)
	}
	guard, err := n.guard(warn)
	if err != nil {
		return nil, err
	}
	opts.Guard = guard
	// A response that fails with 5xx, 408 or 429 is kept for the run too,
	// so that a failing issuer is asked once, not once per badge.
	opts.Cache = fetch.NewBoundedCache(fetch.BoundedCacheOptions{MaxBytes: int64(n.cacheSize), TTL: n.cacheTTL, StoreTransient: true})
	if n.cacheDir != "" {
		disk, err := fetch.NewDiskCache(n.cacheDir, fetch.DiskCacheOptions{TTL: n.cacheTTL, MaxBytes: opts.MaxBytes})
		if err != nil {
			return nil, fmt.Errorf("--cache-dir: %w", err)
		}
		opts.Cache = fetch.Layered(opts.Cache, disk)
	}
	opts.Cache, err = withRedis(opts.Cache, n.cache, guard != nil, n.cacheTTL, opts.MaxBytes, func(err error) {
		if warn != nil {
			fmt.Fprintf(warn, "badgebake: warning: --cache: Redis does not answer (%v); documents are fetched without it\n", err)
		}
	})
	if err != nil {
		return nil, err
	}
	return verify.New(verify.Config{Client: fetch.New(opts), Now: now}), nil
}

type verifyOptions struct {
	network   networkOptions
	at        instant
	data      string
	recipient string
	json      bool
	report    string
	retry     int
	color     colorMode
	lenient   bool
	batch     batchOptions
}

const verifyLong = `Verify checks an Open Badge and prints the verdict.

INPUT is a URL (a hosted assertion, or an image that carries one), a path
to a baked PNG or SVG image or to a JSON or JWS file, or - for standard
input. --data passes a URL, JSON or JWS literally instead.

Hosted Open Badges 2.0 (and earlier) badges are verified the way
openbadges-validator-core does it: assertion, badge class and issuer are
fetched and every property and rule is checked, with that tool's task names
in the report. Extensions are checked against their JSON schemas, and
endorsements (and the endorsers' profiles) are fetched and checked too.
The JSON-LD contexts and the official extensions' schemas are built in, so
only the badge's own documents are fetched (and the context and schema of
an extension that is not built in). --json prints the whole report in the reference's
shape: {"report": …, "input": …, "graph": […]}.

Open Badges 3.0 credentials (JSON with a Data Integrity proof, or a
VC-JWT; bare, baked or at a URL) are verified offline where the credential
allows: safe-mode JSON-LD with the contexts built in, RDFC-1.0
canonicalization, the proof and its key (did:key, did:web, HTTPS), the
issuer, the OB 3.0 schema, dates, status lists, refresh and endorsements.
--at TIME judges dates as of another instant.

Batch mode: given several PATHs, or a folder (walked recursively), or any of
--include, --exclude, --follow-symlinks, --shard, --jobs, --report, verify checks every
file, --jobs at a time, sharing one fetch cache (a badge class or issuer
shared by many badges is fetched once), and never stops at a bad file.
--json then prints one JSON object per file, in walk order (the same on
every run and for every --jobs), as soon as those before it are done (JSON
Lines: "type": "file", file, status, and the report as above, or error),
then one "type": "summary" object with the counts. Without --json a
progress line goes to standard error (when it is a terminal; --quiet
silences it: files done of the total, the rate and the time left), then a
summary table and the failing files. --shard K/N keeps the files whose path
relative to their PATH argument hashes to shard K of N. --report FILE.html
also writes an HTML report a person can open: a thumbnail of every image,
badge and issuer names, the verdict and the messages, filterable to the
failures (written when the run ends; it is never left half-written).

` + denyPrivateHelp + `

Verdicts: VALID; INVALID (the badge is broken, forged, expired or not
what it claims); REVOKED (its issuer withdrew it); NOT CHECKED
(status "indeterminate": a document the verdict depends on could not be
fetched — connection refused or reset, DNS or TLS failure, timeout, HTTP
5xx or 429, or --offline with nothing cached — so the network, not the
badge, failed: try again later). A definite answer (404, 410, wrong content,
malformed JSON, a bad signature) is INVALID or REVOKED. On a terminal the
verdict is in colour; --color never (or NO_COLOR set, not empty) turns that
off, --color always keeps it when the output goes elsewhere.

Batch statuses: valid, invalid, revoked, indeterminate, no-badge (an image
that carries none), not-an-image (neither a PNG or SVG image nor a badge
payload; the error says what it looks like) and error (a file that could
not be read, or a broken image); the summary counts each. --lenient
accepts PNG chunks with a wrong CRC, with a warning, as unbake --lenient
does. --retry N verifies a badge
that could not be checked again up to N times (batch: each such file),
waiting 1s, 2s, 4s… (at most 30s) between tries, asking the network again
each time.

Exit status: 0 valid (batch: every file valid); 1 invalid or revoked
(batch: any file invalid, revoked, without a badge, not an image or
unreadable); 3 could not be checked (batch: otherwise, any file
indeterminate); 2 the command could not run (usage, I/O; batch: also no files matched, or interrupted).`

func newVerifyCmd(streams IO) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [INPUT | PATH...]",
		Short: "Verify an Open Badge: a URL, a baked image, or assertion JSON",
		Long:  verifyLong,
		Example: `  badgebake verify https://example.org/assertions/123
  badgebake verify baked.png
  badgebake verify --json baked.svg > report.json
  badgebake verify --data '{"@context": "https://w3id.org/openbadges/v2", …}'
  badgebake verify baked.png --recipient '{"email": "alice@example.org"}'
  badgebake verify credential.json --at 2025-01-01
  badgebake verify --report report.html exports/`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) >= 1 && o.data != "":
				return usagef("give either INPUT or --data, not both")
			case len(args) == 0 && o.data == "":
				return usagef("verify needs an INPUT (a URL, a file or -) or --data; see badgebake verify --help")
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"png", "svg", "json", "jws", "jwt"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || batchMode(cmd, args) {
				return runVerifyBatch(cmd.Context(), streams, o, args)
			}
			return runVerify(cmd.Context(), streams, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "verify this URL, JSON or JWS `TEXT` instead of INPUT")
	f.StringVar(&o.recipient, "recipient", "", `the expected recipient as a JSON profile, e.g. '{"email": "alice@example.org"}'`)
	f.BoolVar(&o.json, "json", false, "print the full report as JSON")
	f.StringVar(&o.report, "report", "", "batch: also write a self-contained HTML report to `FILE.html`")
	f.BoolVar(&o.lenient, "lenient", false, "accept PNG chunks with a wrong CRC (with a warning), as unbake --lenient does")
	f.IntVar(&o.retry, "retry", 0, "verify a badge that could not be checked (indeterminate) again up to `N` times, with back-off (batch: each such file)")
	f.Var(&o.color, "color", "colour the verdict: `auto` (on a terminal, unless NO_COLOR is set), always or never")
	addAtFlag(cmd, &o.at, "verify")
	o.network.addFlags(cmd)
	o.batch.addFlags(cmd)
	return cmd
}

// maxInput bounds an input file.
const maxInput = 32 << 20

// readInputLimited reads the file arg ("-": standard input), refusing one
// larger than maxInput.
func readInputLimited(streams IO, arg string) ([]byte, error) {
	r, err := openInput(streams, arg)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, inFile(arg, err)
	}
	if len(b) > maxInput {
		return nil, errkind.Mark(errkind.BadInput, fmt.Errorf("%s: larger than %d MiB", displayName(arg), maxInput>>20))
	}
	return b, nil
}

func runVerify(ctx context.Context, streams IO, o *verifyOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	recipient, err := parseRecipient(o.recipient)
	if err != nil {
		return err
	}
	in, err := readVerifyInput(streams, o, args)
	if err != nil {
		return err
	}
	v, err := o.network.verifier(streams.Err, o.at.clock())
	if err != nil {
		return err
	}
	if err := checkRetry(o.retry); err != nil {
		return err
	}
	opts := &verify.Options{Recipient: recipient, Lenient: o.lenient}
	// A file is unbaked here, so that what unbake says about the image
	// (warnings, and the hint for an error) reaches standard error.
	var rec verifyFileRecord
	verifyOnce := func(ctx context.Context) (*report.Result, error) {
		if in.Name == "" { // a URL, or --data
			return v.Verify(ctx, in, opts)
		}
		rec = verifyData(ctx, v, opts, in.Name, in.Data)
		if rec.Result == nil {
			return nil, errkind.Mark(errkind.BadInput, errors.New(rec.Error))
		}
		return rec.Result, nil
	}
	res, err := verifyOnce(ctx)
	for try, wait := 0, time.Second; err == nil && try < o.retry && res.Status == report.StatusIndeterminate; try++ {
		if !sleepCtx(ctx, wait) {
			break
		}
		wait = nextWait(wait)
		res, err = verifyOnce(fetch.ForRetry(ctx))
	}
	if err != nil {
		return err
	}
	printWarnings(streams.Err, "", rec.Warnings)
	if h := imageHint(rec.unbakeErr); h != "" {
		defer fmt.Fprintf(streams.Err, "badgebake: hint: %s\n", h)
	}
	if o.json {
		enc := json.NewEncoder(streams.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	} else {
		textreport.WriteOptions(streams.Out, res, textreport.Options{Color: o.color.on(streams.OutIsTerminal)})
	}
	return exitForStatus(res.Status)
}

// parseRecipient reads --recipient: empty, or a JSON object.
func parseRecipient(s string) (verify.Recipient, error) {
	if s == "" {
		return nil, nil
	}
	var recipient verify.Recipient
	if err := jsonin.Unmarshal([]byte(s), &recipient); err != nil || recipient == nil {
		return nil, usagef("--recipient is not a JSON object (%v); example: --recipient '{\"email\": \"alice@example.org\"}'", err)
	}
	return recipient, nil
}

func readVerifyInput(streams IO, o *verifyOptions, args []string) (verify.Input, error) {
	if o.data != "" {
		return verify.Input{Data: []byte(o.data)}, nil
	}
	arg := args[0]
	lower := strings.ToLower(arg)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return verify.Input{Data: []byte(arg)}, nil
	}
	b, err := readInputLimited(streams, arg)
	if err != nil {
		if os.IsNotExist(err) && (strings.HasPrefix(strings.TrimSpace(arg), "{") || strings.Count(arg, ".") == 2) {
			return verify.Input{}, usagef("%q is not a file; to verify JSON or a JWS given on the command line, use --data", clipArg(arg))
		}
		return verify.Input{}, err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return verify.Input{}, errkind.Mark(errkind.BadInput, fmt.Errorf("%s: empty file", displayName(arg)))
	}
	return verify.Input{Data: b, Name: arg}, nil
}

func clipArg(s string) string {
	return textin.Clip(s, 40)
}

// exitForStatus is verify's exit code for a verdict.
func exitForStatus(s report.Status) error {
	switch s {
	case report.StatusValid:
		return nil
	case report.StatusIndeterminate:
		return &silentError{code: ExitIndeterminate}
	}
	return &silentError{code: ExitBad}
}

// Statuses of a file in batch verify: a verdict's status, or why there is
// none.
const (
	statusValid         = string(report.StatusValid)
	statusInvalid       = string(report.StatusInvalid)
	statusRevoked       = string(report.StatusRevoked) // invalid because revoked
	statusIndeterminate = string(report.StatusIndeterminate)
	statusNoBadge       = "no-badge"
	statusNotImage      = "not-an-image" // neither a PNG or SVG image nor a badge payload
	statusUnreadable    = "error"        // the file could not be read, or the image is broken
)

// verifyFileRecord is one "type": "file" line of batch verify --json.
type verifyFileRecord struct {
	Type   string `json:"type"`
	File   string `json:"file"`
	Status string `json:"status"`
	*report.Result
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"` // about the image (a wrong CRC --lenient accepted, …)
	// unbakeErr is why the input was not read as a badge image, for the hint.
	unbakeErr error
}

// verifySummary is the last line of batch verify --json.
type verifySummary struct {
	Type           string         `json:"type"`
	Files          int            `json:"files"`
	Valid          int            `json:"valid"`
	Invalid        int            `json:"invalid"`
	Revoked        int            `json:"revoked"`
	Indeterminate  int            `json:"indeterminate"`
	NoBadge        int            `json:"no_badge"`
	NotImage       int            `json:"not_an_image"`
	Unreadable     int            `json:"error"`
	ByVersion      map[string]int `json:"by_version"`
	ByError        map[string]int `json:"by_error"`
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	Interrupted    bool           `json:"interrupted,omitempty"`
}

// verifyFile verifies one file of a batch with the shared verifier.
func verifyFile(ctx context.Context, v *verify.Verifier, opts *verify.Options, file string) verifyFileRecord {
	data, err := readFileLimited(file)
	if err != nil {
		return verifyFileRecord{Type: "file", File: file, Status: statusUnreadable, Error: err.Error()}
	}
	return verifyData(ctx, v, opts, file, data)
}

// verifyData verifies the bytes of one input named name. They are read
// once: unbaked here (which tells an image from text, leniently when opts
// says so), and the result, or the parsed payload, handed to the verifier.
func verifyData(ctx context.Context, v *verify.Verifier, opts *verify.Options, name string, data []byte) verifyFileRecord {
	rec := verifyFileRecord{Type: "file", File: name}
	var res *report.Result
	var uo *unbake.Options
	if opts.Lenient {
		uo = &unbake.Options{Lenient: true}
	}
	unbaked, err := unbake.Bytes(data, uo)
	switch {
	case !errors.Is(err, carrier.ErrNotImage):
		if unbaked != nil {
			rec.Warnings = unbaked.Warnings
		}
		if err != nil {
			rec.Status, rec.Error, rec.unbakeErr = statusUnreadable, err.Error(), err
			if errors.Is(err, unbake.ErrNoBadge) {
				rec.Status = statusNoBadge
			}
		}
		res = v.VerifyUnbaked(ctx, name, unbaked, err, opts)
	default:
		p, perr := payload.Parse(data)
		if perr == nil {
			res = v.VerifyPayload(ctx, p, opts)
			break
		}
		var notImage *carrier.NotImageError
		errors.As(notImageError(err), &notImage)
		rec.Status, rec.Error, rec.unbakeErr = statusNotImage, "not a PNG or SVG image, nor a badge payload: it looks like "+notImage.LooksLike, err
		if res, err = v.Verify(ctx, verify.Input{Data: data, Name: name}, opts); err != nil {
			return rec
		}
	}
	rec.Result = res
	if rec.Status != "" {
		return rec
	}
	rec.Status = string(res.Status)
	return rec
}

func readFileLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("larger than %d MiB", maxInput>>20)
	}
	return b, nil
}

// imageHint is the hint for why an input was not read as a badge image
// (a wrong CRC: --lenient), or "". An input that is no image at all gets
// none: it may be a mistyped payload as well as a photo.
func imageHint(err error) string {
	if err == nil || errors.Is(err, carrier.ErrNotImage) {
		return ""
	}
	return hint(err)
}

// failure is the reason shown for a failing file in the list at the end,
// with the hint, if any.
func (rec *verifyFileRecord) failure() string {
	why := rec.firstError()
	if h := imageHint(rec.unbakeErr); h != "" {
		why += " (hint: " + h + ")"
	}
	return why
}

// firstError is the reason shown for a failing file.
func (rec *verifyFileRecord) firstError() string {
	if rec.Result != nil {
		for _, m := range rec.Report.Messages {
			if m.MessageLevel == report.Error {
				return m.Name + ": " + m.Result
			}
		}
	}
	if rec.Error != "" {
		return rec.Error
	}
	return rec.Status
}

// add counts one file.
func (s *verifySummary) add(rec *verifyFileRecord) {
	s.Files++
	switch rec.Status {
	case statusValid:
		s.Valid++
	case statusRevoked:
		s.Invalid++
		s.Revoked++
	case statusInvalid:
		s.Invalid++
	case statusIndeterminate:
		s.Indeterminate++
	case statusNoBadge:
		s.NoBadge++
	case statusNotImage:
		s.NotImage++
	default:
		s.Unreadable++
	}
	if rec.Result == nil || (rec.Status != statusValid && rec.Status != statusInvalid && rec.Status != statusRevoked && rec.Status != statusIndeterminate) {
		return
	}
	if v := rec.Report.OpenBadgesVersion; v != "" {
		s.ByVersion[v]++
	}
	seen := map[string]bool{}
	for _, m := range rec.Report.Messages {
		if m.MessageLevel == report.Error && !seen[m.Name] {
			seen[m.Name] = true
			s.ByError[m.Name]++
		}
	}
}

func (s *verifySummary) print(w io.Writer) {
	rows := []struct {
		name string
		n    int
	}{{"files", s.Files}, {"valid", s.Valid}, {"invalid", s.Invalid}, {"  revoked", s.Revoked}, {"could not be checked", s.Indeterminate}, {"no badge", s.NoBadge}, {"not an image", s.NotImage}, {"unreadable", s.Unreadable}}
	for _, r := range rows {
		fmt.Fprintf(w, "%-20s  %d\n", r.name, r.n)
	}
	fmt.Fprintf(w, "%-20s  %.2fs\n", "elapsed", s.ElapsedSeconds)
	if s.Interrupted {
		fmt.Fprintln(w, "interrupted: the counts cover the files finished so far")
	}
	printCounts(w, "Open Badges versions", s.ByVersion)
	printCounts(w, "Errors (files)", s.ByError)
}

// runVerifyBatch verifies every file PATHs name; see verifyLong.
func runVerifyBatch(ctx context.Context, streams IO, o *verifyOptions, args []string) error {
	bo, err := o.batch.config(args)
	if err != nil {
		return err
	}
	if err := checkRetry(o.retry); err != nil {
		return err
	}
	recipient, err := parseRecipient(o.recipient)
	if err != nil {
		return err
	}
	v, err := o.network.verifier(streams.Err, o.at.clock())
	if err != nil {
		return err
	}
	ctx, stop := batchContext(ctx)
	defer stop()
	opts := &verify.Options{Recipient: recipient, Lenient: o.lenient}
	start := time.Now()
	sum := &verifySummary{Type: "summary", ByVersion: map[string]int{}, ByError: map[string]int{}}
	out := bufio.NewWriterSize(streams.Out, 16<<10)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var html *htmlreport.Writer
	if o.report != "" {
		if html, err = htmlreport.Create(o.report); err != nil {
			return &usageError{fmt.Errorf("--report: %w", err)}
		}
		defer html.Abort()
	}
	prog := newProgress(streams, o.batch.quiet)
	var fails failures
	stopCount := countAhead(ctx, prog, args, bo)
	st, runErr := batch.RunOrdered(ctx, args, bo,
		func(ctx context.Context, it batch.Item) (verifyFileRecord, error) {
			return verifyWithRetry(ctx, v, opts, it.Path, o.retry), nil
		},
		func(r batch.Result[verifyFileRecord]) error {
			if r.Abandoned {
				return nil
			}
			rec := r.Value
			if r.Err != nil {
				rec = verifyFileRecord{Type: "file", File: r.Item.Path, Status: statusUnreadable, Error: walkError(r.Err).Error()}
			}
			sum.add(&rec)
			if rec.Status != statusValid {
				fails.add(rec.File, rec.failure())
			}
			if o.json {
				if err := enc.Encode(&rec); err != nil {
					return fmt.Errorf("writing standard output: %w", err)
				}
				if err := flushPeriodically(out, streams.OutIsTerminal, sum.Files); err != nil {
					return err
				}
			}
			if html != nil {
				if err := html.Add(reportRow(&rec)); err != nil {
					return err
				}
			}
			prog.Files(sum.Files, ": %d valid, %d invalid, %d not checked, %d without a badge, %d not images, %d unreadable", sum.Valid, sum.Invalid, sum.Indeterminate, sum.NoBadge, sum.NotImage, sum.Unreadable)
			return nil
		})
	stopCount()
	prog.Clear()
	if runErr != nil {
		out.Flush()
		return runErr
	}
	sum.ElapsedSeconds = time.Since(start).Seconds()
	sum.Interrupted = st.Interrupted
	if html != nil {
		if err := html.Commit(st.Interrupted); err != nil {
			out.Flush()
			return err
		}
	}
	switch {
	case sum.Files == 0 && !st.Interrupted:
		// No summary of nothing: batchExit says no files matched.
	case o.json:
		if err := enc.Encode(sum); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	default:
		sum.print(out)
		fails.print(out)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing standard output: %w", err)
	}
	if err := batchExit(sum.Files != sum.Valid+sum.Indeterminate, st, sum.Files); err != nil || sum.Indeterminate == 0 {
		return err
	}
	return &silentError{code: ExitIndeterminate}
}

// verifyWithRetry verifies a file of a batch, and again, up to retries
// times with back-off, while it could not be checked.
func verifyWithRetry(ctx context.Context, v *verify.Verifier, opts *verify.Options, file string, retries int) verifyFileRecord {
	rec := verifyFile(ctx, v, opts, file)
	wait := time.Second
	for try := 0; try < retries && rec.Status == statusIndeterminate; try++ {
		if !sleepCtx(ctx, wait) {
			return rec
		}
		wait = nextWait(wait)
		rec = verifyFile(fetch.ForRetry(ctx), v, opts, file)
	}
	return rec
}

// maxRetry bounds --retry: with the back-off capped at 30 s, ten tries
// already wait about four minutes.
const maxRetry = 10

func checkRetry(n int) error {
	if n < 0 || n > maxRetry {
		return usagef("--retry takes a number of tries from 0 to %d, not %d", maxRetry, n)
	}
	return nil
}

// nextWait doubles a back-off, up to 30 seconds.
func nextWait(d time.Duration) time.Duration { return min(2*d, 30*time.Second) }

// sleepCtx waits d, or until ctx is done: it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// reportRow is the HTML report's summary of one file: names, verdict and
// messages, never the image (the report reads it again for the thumbnail).
func reportRow(rec *verifyFileRecord) htmlreport.Row {
	row := htmlreport.Row{File: rec.File, Status: rec.Status, Error: rec.Error}
	if rec.Result != nil {
		if sm := rec.Summary; sm != nil {
			row.Badge = sm.Name
			if sm.Issuer != nil {
				row.Issuer = sm.Issuer.Name
			}
		}
		for _, m := range rec.Report.Messages {
			text := m.Result
			if node := m.ShownNode(); node != "" {
				text += " (" + node + ")"
			}
			row.Messages = append(row.Messages, htmlreport.Message{Level: string(m.MessageLevel), Name: m.Name, Text: text})
		}
	}
	return row
}
