package issue

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/atomicfile"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// row is one data row of the recipients file.
type row struct {
	line    int
	values  map[string]string // column → value
	key     string            // the row key, as written
	file    string            // the row key made file-name safe
	problem error             // found before any row runs (duplicates)
}

type outcome int

const (
	notRun outcome = iota
	issued
	skipped
	failed
)

type result struct {
	outcome outcome
	err     error
	steps   Steps
}

// run is one Run: the checked inputs.
type run struct {
	unlock   func() // releases the output directory's lock
	opts     Options
	tmpl     *template
	gen      payload.Generation
	ext      string // ".png" or ".svg"
	columns  []string
	rows     []row
	now      func() time.Time
	newID    func() string
	verifier *verify.Verifier
	hosted   *hostedSite // nil unless hosted
	format   string      // recorded in the ledger
}

// Run issues one credential per row of opts.Recipients. The error is for
// a run that could not start (bad template, recipients header, image,
// options: nothing is written then) or that was cancelled (the Summary
// says what was done before); rows that fail are in Summary.Failures.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	start := time.Now()
	r, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	if err := r.preflight(ctx); err != nil {
		return nil, err
	}
	if !opts.DryRun {
		if r.opts.Ledger == nil {
			l, err := r.opts.OpenLedger(ctx)
			if err != nil {
				return nil, fmt.Errorf("ledger: %w", err)
			}
			r.opts.Ledger = l
		}
		if err := r.prepareOutDir(); err != nil {
			return nil, err
		}
		defer r.unlock()
		if r.hosted != nil {
			if err := r.hosted.writeShared(r.opts.OutDir); err != nil {
				return nil, err
			}
		}
	}
	sum := r.issueAll(ctx)
	sum.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	return sum, nil
}

// preflight issues the first row whose data pass, as a dry run: a
// signer whose key is not the issuer's, or a template whose credentials
// do not verify, stops the run before anything is written, rather than
// failing every row.
func (r *run) preflight(ctx context.Context) error {
	for i := range r.rows {
		res := r.issueRowAs(ctx, i, true)
		var de *rowDataError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case res.outcome == failed && errors.As(res.err, &de):
			continue // the row's own problem: try the next
		case res.outcome == failed:
			return &InputError{fmt.Errorf("%s:%d: %w; nothing was issued", r.opts.RecipientsName, r.rows[i].line, res.err)}
		}
		return nil
	}
	return nil
}

// rowDataError is a row whose data are wrong (no email, a bad date): the
// row is skipped, the run goes on.
type rowDataError struct{ err error }

func (e *rowDataError) Error() string { return e.err.Error() }
func (e *rowDataError) Unwrap() error { return e.err }

// prepare checks every input before anything is written.
func prepare(opts Options) (*run, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newUUID
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.RecipientsName == "" {
		opts.RecipientsName = "recipients"
	}
	if opts.TemplateName == "" {
		opts.TemplateName = "template"
	}
	r := &run{opts: opts, now: opts.Now, newID: opts.NewID, verifier: opts.Verifier}
	switch {
	case opts.OutDir == "" && !opts.DryRun:
		return nil, &InputError{errors.New("issue: no output directory")}
	case opts.Ledger == nil && opts.OpenLedger == nil && !opts.DryRun:
		return nil, &InputError{errors.New("issue: no ledger")}
	case opts.Hosted == nil && opts.Signer == nil:
		return nil, &InputError{errors.New("issue: no signer")}
	case opts.Recipients == nil:
		return nil, &InputError{errors.New("issue: no recipients")}
	}
	switch {
	case bytes.HasPrefix(opts.Image, []byte("\x89PNG\r\n\x1a\n")):
		r.ext = ".png"
	case looksLikeSVG(opts.Image):
		r.ext = ".svg"
	default:
		return nil, &InputError{fmt.Errorf("%s: not a PNG or SVG image", nameOr(opts.ImageName, "image"))}
	}
	tmpl, err := parseTemplate(opts.TemplateName, opts.Template)
	if err != nil {
		return nil, &InputError{err}
	}
	r.tmpl = tmpl
	if err := r.checkTemplate(); err != nil {
		return nil, &InputError{err}
	}
	if opts.StatusListURL != "" && r.gen != payload.OB3 {
		return nil, &InputError{fmt.Errorf("%s is an Open Badges 2.0 assertion: status lists are for Open Badges 3.0 credentials (a 2.0 issuer publishes a revocation list)", opts.TemplateName)}
	}
	if opts.Hosted != nil {
		r.format = FormatHosted
		// The assertions are not published yet: the verifier reads them,
		// and what they link to under BaseURL, from memory.
		r.verifier = r.hosted.verifier(opts)
	} else {
		r.format = opts.Signer.Format()
	}
	if r.verifier == nil {
		r.verifier = verify.New(verify.Config{Now: opts.Now})
	}
	if err := r.readRecipients(); err != nil {
		return nil, &InputError{err}
	}
	return r, nil
}

func nameOr(name, dflt string) string {
	if name == "" {
		return dflt
	}
	return name
}

func looksLikeSVG(b []byte) bool {
	head := b[:min(len(b), 4096)]
	return utf8.Valid(head) && bytes.Contains(head, []byte("<svg"))
}

// readRecipients reads the CSV file: the header names the columns, which
// must include email and every placeholder of the template.
func (r *run) readRecipients() error {
	name := r.opts.RecipientsName
	cr := csv.NewReader(r.opts.Recipients)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty: the first line must name the columns", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		header[i] = h
		switch {
		case h == "":
			return fmt.Errorf("%s:1: column %d has no name", name, i+1)
		case seen[h]:
			return fmt.Errorf("%s:1: two columns are named %q", name, h)
		}
		seen[h] = true
	}
	r.columns = header
	var missing []string
	for _, n := range r.tmpl.Names() {
		if n != "id" && !seen[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s uses {{.%s}}, but %s has no column %s (its columns: %s)", r.opts.TemplateName,
			strings.Join(missing, "}}, {{."), name, quoteList(missing), strings.Join(header, ", "))
	}
	if !seen["email"] {
		return fmt.Errorf("%s:1: no column named email: the email column names each recipient (its columns: %s)", name, strings.Join(header, ", "))
	}
	keyCol := r.opts.RowKey
	if keyCol == "" {
		keyCol = header[0]
	} else if !seen[keyCol] {
		return fmt.Errorf("%s:1: no column named %q for the row key (its columns: %s)", name, keyCol, strings.Join(header, ", "))
	}
	keys := map[string]int{}
	files := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s:%d: %v", name, pe.StartLine, pe.Err)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		rw := row{line: line, values: make(map[string]string, len(header)+1)}
		if len(rec) != len(header) {
			rw.problem = fmt.Errorf("%d fields, but the header names %d columns", len(rec), len(header))
		}
		for i, h := range header {
			if i < len(rec) {
				rw.values[h] = strings.TrimSpace(rec[i])
			}
		}
		rw.key = rw.values[keyCol]
		rw.file = fileSafe(rw.key)
		switch {
		case rw.problem != nil:
		case rw.key == "":
			rw.problem = fmt.Errorf("the row key (column %s) is empty", keyCol)
		case keys[rw.key] != 0:
			rw.problem = fmt.Errorf("row key %q is also the key of line %d: each row needs its own", rw.key, keys[rw.key])
		case files[strings.ToLower(rw.file)] != 0:
			// Compared without case: some file systems do not tell
			// "Ann" from "ann".
			rw.problem = fmt.Errorf("row key %q names the same file, %s, as line %d's", rw.key, rw.file+r.ext, files[strings.ToLower(rw.file)])
		default:
			keys[rw.key] = line
			files[strings.ToLower(rw.file)] = line
		}
		r.rows = append(r.rows, rw)
	}
	return nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// fileSafe makes a row key a file name: letters, digits, '.', '-' and
// '_' are kept, '@' too (email row keys stay readable), every other
// character becomes '_'; no leading dot (hidden files, temporary files,
// ".."), no trailing one, and at most 100 bytes.
func fileSafe(key string) string {
	var b strings.Builder
	for _, c := range key {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '@':
			b.WriteRune(c)
		case c == '.' && b.Len() > 0:
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	return strings.TrimRight(b.String(), ".")
}

// prepareOutDir creates the output directory and removes the temporary
// files an interrupted run left in it (atomicfile names them
// ".<name>.badgebake-<random>").
func (r *run) prepareOutDir() error {
	dirs := []string{r.opts.OutDir}
	if r.hosted != nil {
		dirs = append(dirs, filepath.Join(r.opts.OutDir, "assertions"))
	}
	for i, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if i == 0 {
			unlock, err := lockOutDir(dir)
			if err != nil {
				return err
			}
			r.unlock = unlock
		}
		if err := removeTemps(dir); err != nil {
			return err
		}
	}
	return nil
}

func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && isTempName(n) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func isTempName(n string) bool {
	return strings.HasPrefix(n, ".") && strings.Contains(n, ".badgebake-")
}

// issueAll issues the rows, Jobs at a time.
func (r *run) issueAll(ctx context.Context) *Summary {
	results := make([]result, len(r.rows))
	next := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range min(r.opts.Jobs, max(len(r.rows), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.issueRow(ctx, i)
				done <- i
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range r.rows {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	n := 0
	for range done {
		n++
		if r.opts.Progress != nil {
			r.opts.Progress(n, len(r.rows))
		}
	}
	sum := &Summary{Rows: len(r.rows)}
	for i, res := range results {
		switch res.outcome {
		case issued:
			sum.Issued++
		case skipped:
			sum.Skipped++
		case failed:
			sum.Failed++
			sum.Failures = append(sum.Failures, RowError{File: r.opts.RecipientsName, Line: r.rows[i].line, RowKey: r.rows[i].key, Err: res.err})
		}
		sum.Steps.Add(res.steps)
	}
	return sum
}

// issueRow issues one row. A cancelled context leaves the row as it was:
// not written, reserved at most (the next run redoes it).
func (r *run) issueRow(ctx context.Context, i int) result {
	return r.issueRowAs(ctx, i, r.opts.DryRun)
}

// issueRowAs issues row i; dry does everything but write files and touch
// the ledger.
func (r *run) issueRowAs(ctx context.Context, i int, dry bool) (res result) {
	rw := &r.rows[i]
	if rw.problem != nil {
		return result{outcome: failed, err: &rowDataError{rw.problem}}
	}
	fail := func(err error) result {
		if ctx.Err() != nil {
			res.outcome = notRun
			return res
		}
		res.outcome, res.err = failed, err
		return res
	}
	t := time.Now()
	email := rw.values["email"]
	if email == "" {
		return fail(&rowDataError{errNoEmail})
	}
	if !strings.Contains(email, "@") {
		return fail(&rowDataError{fmt.Errorf("the email %q is not an email address", email)})
	}
	id := r.newID()
	cred, err := r.fill(rw, id)
	if err != nil {
		return fail(&rowDataError{err})
	}
	out := filepath.Join(r.opts.OutDir, rw.file+r.ext)
	res.steps.Fill = time.Since(t)

	index := -1
	if dry {
		// Nothing is reserved: a stand-in index, far past any list's end,
		// so that a published list cannot call the trial credential
		// revoked (the signer then reports its status as unchecked).
		index = standInIndex + i
	} else {
		t = time.Now()
		resv := Reservation{
			RowKey:        rw.key,
			CredentialID:  r.credentialID(rw, id),
			RecipientHash: recipientHash(email),
			StatusListURL: r.listURL(),
			Format:        r.format,
			OutputFile:    out,
			// A hosted assertion takes an index too, though its revocation
			// list names assertions by id: the ledger keeps a list URL
			// only with an index, and revoke needs the URL to rewrite it.
			WantIndex: r.listURL() != "",
		}
		e, existing, err := r.opts.Ledger.Reserve(ctx, resv)
		res.steps.Ledger = time.Since(t)
		if err != nil {
			return fail(fmt.Errorf("ledger: %w", err))
		}
		if existing {
			if done, err := r.resume(ctx, rw, e, out); err != nil {
				return fail(err)
			} else if done {
				res.outcome = skipped
				return res
			}
			if e.Revoked {
				return fail(fmt.Errorf("%s was revoked: it is not issued again", e.CredentialID))
			}
			if e.CredentialID != resv.CredentialID && r.hosted == nil {
				// Redo the row as it was reserved: same id, same index.
				id = e.CredentialID
				if cred, err = r.fill(rw, id); err != nil {
					return fail(err)
				}
			}
		}
		index = e.StatusIndex
	}
	if r.opts.StatusListURL != "" && r.hosted == nil && r.gen == payload.OB3 {
		if index < 0 {
			return fail(errors.New("ledger: no status index was handed out"))
		}
		addStatus(cred, r.opts.StatusListURL, index)
	}
	if err := r.setRecipient(cred, email); err != nil {
		return fail(&rowDataError{err})
	}

	toBake, assertion, err := r.sign(ctx, rw, cred, &res.steps)
	if err != nil {
		return fail(err)
	}
	t = time.Now()
	var baked bytes.Buffer
	baked.Grow(len(r.opts.Image) + len(toBake.Raw) + 256)
	if _, err := bake.Bake(ctx, &baked, bytes.NewReader(r.opts.Image), toBake, nil); err != nil {
		return fail(fmt.Errorf("bake: %w", err))
	}
	res.steps.Bake = time.Since(t)

	t = time.Now()
	if r.hosted != nil {
		r.hosted.pending.Store(toBake.HostedURL(), assertion)
		defer r.hosted.pending.Delete(toBake.HostedURL())
	}
	vres, err := r.verifier.Verify(ctx, verify.Input{Data: baked.Bytes(), Name: filepath.Base(out)}, &verify.Options{Recipient: verify.Recipient{"email": email}})
	res.steps.Verify = time.Since(t)
	if err != nil {
		return fail(fmt.Errorf("verify: %w", err))
	}
	if err := refusal(vres); err != nil {
		return fail(err)
	}
	if dry {
		res.outcome = issued
		return res
	}

	t = time.Now()
	if r.hosted != nil {
		if err := writeFile(filepath.Join(r.opts.OutDir, "assertions", rw.file+".json"), assertion); err != nil {
			return fail(err)
		}
	}
	if err := writeFile(out, baked.Bytes()); err != nil {
		return fail(err)
	}
	res.steps.Write = time.Since(t)
	t = time.Now()
	// Complete does not take ctx's cancellation: the file is written,
	// so the ledger should say so.
	if err := r.opts.Ledger.Complete(context.WithoutCancel(ctx), rw.key, r.now()); err != nil {
		return fail(fmt.Errorf("ledger: %w", err))
	}
	res.steps.Ledger += time.Since(t)
	res.outcome = issued
	return res
}

// credentialID is the id the row's credential gets: a fresh urn:uuid, or
// for a hosted assertion its URL.
func (r *run) credentialID(rw *row, fresh string) string {
	if r.hosted != nil {
		return r.hosted.assertionURL(rw.file)
	}
	return fresh
}

// listURL is where the row's credential can be revoked: its status list,
// or a hosted assertion's issuer's revocation list.
// standInIndex starts the status indexes of trial credentials (the check
// before a run, --dry-run): past the end of any status list issued.
const standInIndex = 1 << 30

func (r *run) listURL() string {
	if r.hosted != nil {
		return r.hosted.revocationURL
	}
	return r.opts.StatusListURL
}

// resume decides what to do with a row the ledger already holds: done
// (its image is there and carries the reserved credential) or redo.
func (r *run) resume(ctx context.Context, rw *row, e *Entry, out string) (done bool, err error) {
	res, err := unbake.UnbakeFile(out, nil)
	if err != nil || res.Parsed == nil {
		return false, nil // no image, or a broken one: redo
	}
	var got string
	if res.Parsed.Kind == payload.KindURL {
		got = res.Parsed.HostedURL()
	} else if c := res.Parsed.Credential(); c != nil {
		got, _ = c["id"].(string)
	}
	if got != e.CredentialID {
		return false, nil
	}
	if e.State != StateIssued {
		if err := r.opts.Ledger.Complete(ctx, rw.key, r.now()); err != nil {
			return false, fmt.Errorf("ledger: %w", err)
		}
	}
	return true, nil
}

// sign returns the payload to bake: the signed credential, or a hosted
// assertion's URL (and then the assertion's JSON to publish).
func (r *run) sign(ctx context.Context, rw *row, cred map[string]any, steps *Steps) (toBake *payload.Payload, assertion []byte, err error) {
	doc, err := marshal(cred)
	if err != nil {
		return nil, nil, err
	}
	if r.hosted != nil {
		p, err := payload.Parse([]byte(r.hosted.assertionURL(rw.file)))
		return p, doc, err
	}
	p, err := payload.Parse(doc)
	if err != nil {
		return nil, nil, err
	}
	t := time.Now()
	signed, err := r.opts.Signer.Sign(ctx, p)
	steps.Sign = time.Since(t)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	p, err = payload.Parse(signed)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: the signed credential: %w", err)
	}
	return p, nil, nil
}

// refusal is the verifier's verdict on a credential being issued: an
// error unless it verified. Its status is not checked — its list is not
// published yet.
func refusal(res *report.Result) error {
	var problems []string
	for _, m := range res.Report.Messages {
		if m.Success || m.MessageLevel != report.Error || m.Name == "CHECK_STATUS" {
			continue
		}
		problems = append(problems, m.Result)
	}
	if len(problems) > 0 {
		return &VerifyError{Problems: problems}
	}
	return nil
}

// VerifyError is a row whose baked image did not verify: it was not
// written.
type VerifyError struct{ Problems []string }

func (e *VerifyError) Error() string {
	return "the baked badge does not verify: " + strings.Join(e.Problems, "; ")
}

func writeFile(path string, data []byte) error { return atomicfile.WriteFile(path, data, 0o644) }

func recipientHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// newUUID is a random (version 4) UUID URN.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newSalt() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
