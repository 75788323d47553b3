// Package verify is badgebake's verifier entry point: it takes whatever a
// user has — a URL, assertion JSON, a compact JWS, or a baked PNG or SVG —
// works out what it is and which Open Badges generation it belongs to, and
// hands it to that generation's verifier. The result is a report.Result in
// the shape of openbadges-validator-core's output.
//
// Open Badges 2.0 and earlier go to package ob2. Open Badges 3.0 will get a
// verifier of its own beside it; until then such credentials are reported
// as not verifiable, never as valid.
package verify

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/badgebake/badgebake/carrier"

	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/verify/ob2"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
)

const taskDetectInputType = "DETECT_INPUT_TYPE"

// Options configure verification.
type Options struct {
	// OB2 verifies Open Badges 2.0 badges; a default one when nil. Share
	// one across calls so fetched documents are cached for the run.
	OB2 *ob2.Verifier
	// Recipient is a trusted profile of the expected recipient.
	Recipient ob2.Recipient
}

// Input is what to verify: the bytes of a URL, JSON or JWS text, or of a
// baked PNG or SVG image. Name is a file name for the report (images).
type Input struct {
	Data []byte
	Name string
}

// ErrEmpty is returned when there is nothing to verify.
var ErrEmpty = errors.New("verify: the input is empty")

// Verify verifies in. The error is only for "could not run at all";
// everything about the badge is in the Result.
func Verify(ctx context.Context, in Input, opts *Options) (*report.Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	v := opts.OB2
	if v == nil {
		v = ob2.New(ob2.Options{})
	}
	data := in.Data
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if carrier.Detect(data) != "" {
		return verifyImage(ctx, v, in, opts), nil
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
	text := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	p, err := payload.Parse([]byte(text))
	if err != nil {
		res := report.New(text, "")
		res.Errorf(taskDetectInputType, "", "", "Could not tell what the input is: %v", err)
		return res.Finish(), nil
	}
	return verifyPayload(ctx, v, p, text, opts), nil
}

func verifyPayload(ctx context.Context, v *ob2.Verifier, p *payload.Payload, value string, opts *Options) *report.Result {
	if p.Generation == payload.OB3 {
		res := report.New(value, inputType(p.Kind))
		res.Errorf(taskDetectInputType, "", "", "This is an Open Badges 3.0 credential; badgebake does not verify Open Badges 3.0 yet")
		return res.Finish()
	}
	switch p.Kind {
	case payload.KindURL:
		return v.VerifyURL(ctx, string(p.Raw), opts.Recipient)
	case payload.KindJSON:
		return v.VerifyJSON(ctx, p.Raw, opts.Recipient)
	default:
		return v.VerifyJWS(ctx, string(p.Raw), opts.Recipient)
	}
}

func inputType(k payload.Kind) string {
	switch k {
	case payload.KindURL:
		return report.InputURL
	case payload.KindJWS:
		return report.InputJWS
	}
	return report.InputJSON
}

// verifyImage unbakes a PNG or SVG and verifies what it carries.
func verifyImage(ctx context.Context, v *ob2.Verifier, in Input, opts *Options) *report.Result {
	res, err := unbake.Unbake(bytes.NewReader(in.Data), nil)
	if err != nil {
		r := report.New(in.Name, report.InputFile)
		if errors.Is(err, unbake.ErrNoBadge) {
			r.Errorf(taskDetectInputType, "", "", "no Open Badges data in image")
		} else {
			r.Errorf(taskDetectInputType, "", "", "Could not read the image: %v", err)
		}
		return r.Finish()
	}
	out := verifyPayload(ctx, v, res.Parsed, res.Payload, opts)
	return out
}
