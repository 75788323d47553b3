package ob3

import (
	"errors"
	"slices"
	"strings"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// refresh follows a refreshService of type 1EdTechCredentialRefresh
// (CHECK_REFRESH), once, after the proof check: the refreshed credential
// is fetched and checked as the first steps check the original
// (conformance and proof). When it passes, it is the credential verified
// from here on, in a report of its own; when it does not, a WARNING says
// why and the original goes on.
//
// It is called only for a credential whose proof verified, so that the
// refresh URL is the issuer's, and the refreshed credential must name the
// same issuer: a tampered credential cannot swap itself for someone
// else's. The refreshed credential's own refreshService is not followed.
func (r *run) refresh(c *credential) *credential {
	var url string
	for _, s := range objectsOf(c.doc["refreshService"]) {
		if slices.Contains(jsonin.Strings(s["type"]), typeRefreshService) {
			url, _ = s["id"].(string)
			break
		}
	}
	if url == "" {
		return c
	}
	node := id(c.doc)
	body, err := r.v.get(r.ctx, url, acceptCredential)
	if err != nil {
		r.res.Warnf(CheckRefresh, node, "refreshService", "Could not fetch the refreshed credential at %s (%v); the credential given is verified", url, err)
		return c
	}
	p, err := payload.Parse(body)
	if err == nil && p.Kind == payload.KindURL {
		err = errors.New("it is a URL, not a credential")
	}
	if err != nil {
		r.res.Warnf(CheckRefresh, node, "refreshService", "The refresh service %s did not return a credential (%v); the credential given is verified", url, err)
		return c
	}
	scratch := newResult(r.res.Input.Value, r.res.Input.InputType)
	fresh := &run{v: r.v, ctx: r.ctx, res: scratch, depth: r.depth, endorsements: r.endorsements}
	rc := fresh.parse(p)
	if rc != nil {
		fresh.conform(rc)
		fresh.prove(rc)
	}
	var problems []string
	for _, m := range scratch.Report.Messages {
		if m.MessageLevel == report.Error {
			problems = append(problems, m.Name+": "+m.Result)
		}
	}
	switch {
	case rc == nil || len(problems) > 0:
		r.res.Warnf(CheckRefresh, node, "refreshService", "The refreshed credential from %s does not verify (%s); the credential given is verified", url, clipList(problems))
		return c
	case issuerID(rc.doc) != issuerID(c.doc):
		r.res.Warnf(CheckRefresh, node, "refreshService", "The refreshed credential from %s names another issuer (%s, not %s); the credential given is verified", url, issuerID(rc.doc), issuerID(c.doc))
		return c
	}
	scratch.Infof(CheckRefresh, id(rc.doc), "refreshService", "The credential %s was refreshed from %s: the refreshed credential is the one verified", node, url)
	r.res = scratch
	return rc
}

// clipList joins problems for a message, at most a few of them.
func clipList(problems []string) string {
	const max = 3
	if len(problems) > max {
		return strings.Join(problems[:max], "; ") + "; …"
	}
	return strings.Join(problems, "; ")
}
