// Package verify is badgebake's verifier: it takes whatever a user has — a
// URL, assertion JSON, a compact JWS, or a baked PNG or SVG — works out what
// it is and which Open Badges generation it belongs to, and hands it to that
// generation's verifier. The result is a report.Result in the shape of
// openbadges-validator-core's output.
//
// A Verifier owns the generations: Open Badges 0.5–2.0 go to package
// verify/ob2, Open Badges 3.0 credentials (JSON with embedded proofs, or
// VC-JWTs) to package verify/ob3. Everything above this package (the
// command, batch, bake's check, the server) calls a Verifier and never a
// generation.
package verify

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify/ob2"
	"github.com/badgebake/badgebake/verify/ob3"
)

const (
	taskDetectInputType = "DETECT_INPUT_TYPE"
	taskProcessBaked    = "PROCESS_BAKED_RESOURCE"
)

// Generation is one Open Badges generation's verifier. Verify checks a
// payload that belongs to the generation (a URL, JSON or JWS, read from the
// input or from a baked image) against a trusted recipient profile (nil:
// none) and returns the report.
type Generation interface {
	Verify(ctx context.Context, p *payload.Payload, recipient map[string]any) *report.Result
}

// fetchedVerifier is a Generation that takes the response of an input URL
// the Verifier has already fetched, rather than fetching it a second time.
type fetchedVerifier interface {
	VerifyFetched(ctx context.Context, url string, resp *fetch.Response, recipient map[string]any) *report.Result
}

// Config configures a Verifier. The zero value is usable: a fetch client
// with its defaults and the built-in generations.
type Config struct {
	// Client fetches everything a verification needs: hosted badges,
	// images, keys, JSON-LD contexts and schemas. Share one Verifier (and
	// so one Client) per process, so documents are fetched once.
	Client *fetch.Client
	// Now is the clock for timestamp checks (time.Now when nil).
	Now func() time.Time
	// MaxDepth bounds how far related and endorsement links are followed
	// (ob2.Options.MaxDepth; default 3).
	MaxDepth int
}

// Verifier verifies badges of every generation. It is safe for concurrent
// use.
type Verifier struct {
	client *fetch.Client
	ob2    Generation
	ob3    Generation
}

// New returns a Verifier.
func New(cfg Config) *Verifier {
	if cfg.Client == nil {
		cfg.Client = fetch.New(fetch.Options{})
	}
	return &Verifier{
		client: cfg.Client,
		ob2:    ob2.New(ob2.Options{Client: cfg.Client, Now: cfg.Now, MaxDepth: cfg.MaxDepth}),
		ob3: ob3.New(ob3.Options{
			Client:   cfg.Client,
			Now:      cfg.Now,
			MaxDepth: cfg.MaxDepth,
			Proofs:   ob3.NewProofs(cfg.Client),
			Schemas:  ob3.NewSchemas(cfg.Client),
		}),
	}
}

// Client is the fetch client the Verifier uses.
func (v *Verifier) Client() *fetch.Client { return v.client }

// Recipient is a trusted profile of the expected recipient, e.g.
// {"email": "alice@example.org"} or {"email": ["a@x.org", "b@x.org"]}.
type Recipient map[string]any

// Options are what one verification is asked beyond its input.
type Options struct {
	// Recipient is a trusted profile of the expected recipient (nil:
	// the recipient is not checked).
	Recipient Recipient
	// Lenient accepts PNG chunks with a wrong CRC when an image is
	// unbaked, as unbake.Options.Lenient does (Mozilla's 2011-2012 baker
	// wrote wrong CRCs into real badges).
	Lenient bool
}

// unbakeOptions are the options images are unbaked with.
func (o *Options) unbakeOptions() *unbake.Options {
	if !o.Lenient {
		return nil
	}
	return &unbake.Options{Lenient: true}
}

// Input is what to verify: the bytes of a URL, JSON or JWS text, or of a
// baked PNG or SVG image. Name is a file name for the report (images).
type Input struct {
	Data []byte
	Name string
}

// ErrEmpty is returned when there is nothing to verify.
var ErrEmpty = errors.New("verify: the input is empty")

// Verify verifies in with a Verifier of its own (nothing is shared with
// other calls): see Verifier.Verify.
func Verify(ctx context.Context, in Input, opts *Options) (*report.Result, error) {
	return New(Config{}).Verify(ctx, in, opts)
}

// Verify verifies in. The error is only for "could not run at all";
// everything about the badge is in the Result.
func (v *Verifier) Verify(ctx context.Context, in Input, opts *Options) (*report.Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	data := in.Data
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if res, ok, err := unbakeImage(data, opts.unbakeOptions()); ok {
		return v.verifyUnbaked(ctx, res, err, report.New(in.Name, report.InputFile), opts), nil
	}
	if !utf8.Valid(data) {
		// Not an image we read, and not text: say what it looks like.
		res := report.New(in.Name, report.InputFile)
		looks := magic.Describe(data)
		if looks == "" {
			looks = "binary data"
		}
		res.Errorf(taskDetectInputType, "", "", "Could not tell what the input is: not a PNG or SVG image, nor URL, JSON or JWS text (it looks like %s)", looks)
		return res.Finish(), nil
	}
	p, err := payload.Parse(data)
	if err != nil {
		res := report.New(strings.TrimSpace(textin.TrimBOM(string(data))), "")
		res.Errorf(taskDetectInputType, "", "", "Could not tell what the input is: %v", err)
		return res.Finish(), nil
	}
	return v.VerifyPayload(ctx, p, opts), nil
}

// VerifyPayload verifies a payload already read with payload.Parse: what
// Verify does with URL, JSON or JWS text, without reading it again. A URL
// may name a baked image, which is fetched, unbaked and what it carries
// verified.
func (v *Verifier) VerifyPayload(ctx context.Context, p *payload.Payload, opts *Options) *report.Result {
	if opts == nil {
		opts = &Options{}
	}
	if p.Kind == payload.KindURL {
		return v.verifyURL(ctx, p, opts)
	}
	return v.verifyPayload(ctx, p, string(p.Raw), opts)
}

// VerifyUnbaked verifies an image the caller has already unbaked: res and
// err are what unbake.Unbake (with the Options Verify reads images with:
// nil, or Lenient as opts says) returned for it, and name names it in the report. It is what Verify
// does with the image's bytes, without reading them again. An error from
// Unbake is reported as Verify reports it; an error matching
// carrier.ErrNotImage means the input was not an image, and Verify (or
// VerifyPayload) is the one to call.
func (v *Verifier) VerifyUnbaked(ctx context.Context, name string, res *unbake.Result, err error, opts *Options) *report.Result {
	if opts == nil {
		opts = &Options{}
	}
	return v.verifyUnbaked(ctx, res, err, report.New(name, report.InputFile), opts)
}

// verifyURL verifies the badge at a URL given as the input: a hosted
// badge, or a baked image, which is unbaked and what it carries verified
// (an image is taken only here, at the top: an image that points to
// another image is not followed).
func (v *Verifier) verifyURL(ctx context.Context, p *payload.Payload, opts *Options) *report.Result {
	u := string(p.Raw)
	// When this fetch fails, the generation fetches the URL again (a
	// failure is remembered, so no request is sent) and reports why.
	resp, err := v.client.Get(ctx, u, "")
	if err != nil {
		return v.verifyPayload(ctx, p, u, opts)
	}
	if resp.Status < 400 {
		if unbaked, ok, err := unbakeImage(resp.Body, opts.unbakeOptions()); ok {
			res := v.verifyUnbaked(ctx, unbaked, err, report.New(u, report.InputURL), opts)
			res.Input = report.Input{Value: u, InputType: report.InputURL}
			return res
		}
	}
	// A URL says nothing of its generation: what it serves does.
	gen := v.ob2
	if resp.Status < 400 {
		if served, err := payload.Parse(resp.Body); err == nil && served.Generation == payload.OB3 {
			gen = v.ob3
		}
	}
	if g, ok := gen.(fetchedVerifier); ok {
		return g.VerifyFetched(ctx, u, resp, opts.Recipient)
	}
	return gen.Verify(ctx, p, opts.Recipient)
}

// verifyPayload hands p to its generation.
func (v *Verifier) verifyPayload(ctx context.Context, p *payload.Payload, value string, opts *Options) *report.Result {
	if p.Generation == payload.OB3 {
		return v.ob3.Verify(ctx, p, opts.Recipient)
	}
	return v.ob2.Verify(ctx, p, opts.Recipient)
}

// unbakeImage unbakes data when it is a PNG or SVG image; ok is false when
// it is not. Unbaking tells an image from anything else as carrier.Detect
// does, at the same cost, so an image is read once.
// err is Unbake's, to report when ok.
func unbakeImage(data []byte, uo *unbake.Options) (res *unbake.Result, ok bool, err error) {
	res, err = unbake.Bytes(data, uo)
	return res, !errors.Is(err, carrier.ErrNotImage), err
}

// verifyUnbaked verifies what unbake.Unbake returned for an image; failed
// is the report to return when there is nothing to verify.
func (v *Verifier) verifyUnbaked(ctx context.Context, res *unbake.Result, err error, failed *report.Result, opts *Options) *report.Result {
	if err != nil {
		task, node := taskDetectInputType, ""
		if failed.Input.InputType == report.InputURL {
			task, node = taskProcessBaked, failed.Input.Value
		}
		switch {
		case errors.Is(err, unbake.ErrNoBadge) && task == taskDetectInputType:
			failed.Errorf(task, node, "", "no Open Badges data in image")
		case task == taskProcessBaked:
			failed.Errorf(task, node, "", "Could not read an Open Badge from the image at %s: %v", node, err)
		default:
			failed.Errorf(task, node, "", "Could not read the image: %v", err)
		}
		return failed.Finish()
	}
	return v.verifyPayload(ctx, res.Parsed, res.Payload, opts)
}
