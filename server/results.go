package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/badgebake/badgebake/internal/ui/badgecard"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// results is POST /results: verify what was submitted and answer with the
// report (JSON) or the badge card (HTML). As in the reference, a JSON
// report comes with 200 whatever the verdict: the verdict is in the report
// (and, for convenience, in the Badgebake-Verdict header).
func (s *Server) results(w http.ResponseWriter, r *http.Request, sub *submission) {
	in := verify.Input{Data: []byte(strings.TrimSpace(sub.data))}
	if sub.image != nil {
		// An uploaded image wins over the data field, as in the reference.
		in = verify.Input{Data: sub.image, Name: sub.imageName}
	}
	if len(in.Data) == 0 {
		s.fail(w, r, http.StatusBadRequest, "nothing to verify: the data field is empty and no image was uploaded",
			"send data (a badge URL, its JSON or a signed JWS) or an image file (a baked PNG or SVG) in the field image")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
	defer cancel()
	res, err := s.opts.Verifier.Verify(ctx, in, &verify.Options{Recipient: sub.profile})
	switch {
	case r.Context().Err() != nil:
		note := noteOf(r)
		note.err, note.clientGone = "the client went away before the verification ended", true
		return
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		s.metrics.verdict("timeout")
		s.fail(w, r, http.StatusGatewayTimeout, fmt.Sprintf("verification did not finish within %s", s.opts.RequestTimeout),
			"the badge's documents were slow to fetch; try again later")
		return
	case errors.Is(err, verify.ErrEmpty):
		s.fail(w, r, http.StatusBadRequest, "nothing to verify: the input is blank", "")
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "verification could not run: "+err.Error(), "")
		return
	}
	verdict := res.Status
	s.metrics.verdict(string(verdict))
	note := noteOf(r)
	note.verdict, note.inputType = string(verdict), res.Input.InputType
	w.Header().Set("Badgebake-Verdict", string(verdict))
	if wantsJSON(r.Header.Get("Accept")) {
		writeJSON(w, http.StatusOK, res)
		return
	}
	s.render(w, http.StatusOK, "results", s.resultPage(ctx, res, verdict, sub))
}

// requestFailed answers a readSubmission error.
func (s *Server) requestFailed(w http.ResponseWriter, r *http.Request, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		s.fail(w, r, http.StatusBadRequest, "the request body cannot be read: "+err.Error(), "")
		return
	}
	switch re.status {
	case http.StatusRequestTimeout:
		s.metrics.bodyTimeouts.Add(1)
		w.Header().Set("Connection", "close") // the rest of the body is not awaited
	case http.StatusServiceUnavailable:
		s.metrics.rejected.Add(1)
		s.unavailable(w, r, re.msg)
		return
	}
	s.fail(w, r, re.status, re.msg, re.hint)
}

// unbake is POST /unbake: the image in the multipart field image (or the
// whole body, with an image Content-Type) → the unbake --json object.
func (s *Server) unbake(w http.ResponseWriter, r *http.Request, sub *submission) {
	if len(sub.image) == 0 {
		s.fail(w, r, http.StatusBadRequest, "no image: upload a baked PNG or SVG in the multipart field image, or send it as the body with Content-Type image/png or image/svg+xml", "")
		return
	}
	res, err := unbake.Unbake(bytes.NewReader(sub.image), nil)
	rec := unbake.NewRecord(sub.imageName, res, err)
	code := http.StatusOK
	if err != nil {
		// The image was received but carries no badge, or cannot be read.
		code = http.StatusUnprocessableEntity
		noteOf(r).err = err.Error()
	}
	writeJSON(w, code, rec)
}

// resultPage is what the results template shows.
type resultPage struct {
	page
	Verdict    report.Status
	Card       badgecard.Card
	Image      template.URL
	ImageNote  string
	IssuedOn   string
	Expires    string
	Expired    bool
	Confirmed  []string // "email alice@example.org" per confirmed identity
	FirstError string
	Messages   []report.Message
	Report     report.Report
	Input      report.Input
	JSON       string
}

func (s *Server) resultPage(ctx context.Context, res *report.Result, verdict report.Status, sub *submission) resultPage {
	p := resultPage{page: s.page("Verification result"), Verdict: verdict, Card: badgecard.Read(res),
		Messages: res.Report.Messages, Report: res.Report, Input: res.Input}
	p.IssuedOn, p.Expires = badgecard.Date(p.Card.IssuedOn), badgecard.Date(p.Card.Expires)
	if t, err := time.Parse(time.RFC3339, p.Card.Expires); err == nil && t.Before(s.opts.Now()) {
		p.Expired = true
	}
	for k, v := range res.Report.RecipientProfile {
		p.Confirmed = append(p.Confirmed, fmt.Sprintf("%s %v", k, v))
	}
	for _, m := range res.Report.Messages {
		if m.MessageLevel == report.Error {
			p.FirstError = m.Result
			break
		}
	}
	p.JSON = indentJSON(res)
	p.Image, p.ImageNote = s.badgeImage(ctx, p.Card.Image, sub)
	return p
}

// badgeImage is the picture on the card, as a data: URI: the uploaded image
// itself, or else the badge class's image from the fetch cache (the
// verifier fetched it to check it). The browser is never pointed at a URL a
// badge names.
func (s *Server) badgeImage(ctx context.Context, ref string, sub *submission) (template.URL, string) {
	if sub.image != nil {
		if uri, _ := badgecard.DataURI(sub.image); uri != "" {
			return uri, ""
		}
	}
	if b, ok := badgecard.DecodeDataURI(ref); ok {
		uri, why := badgecard.DataURI(b)
		return uri, why
	}
	if s.opts.Fetch == nil || !(strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://")) {
		return "", "no image"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := s.opts.Fetch.Get(ctx, ref, "image/png, image/svg+xml")
	if err != nil || resp.Status != http.StatusOK {
		return "", "image not available"
	}
	return badgecard.DataURI(resp.Body)
}
