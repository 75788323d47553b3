package ob3

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
)

// maxEndorsements bounds how many endorsements one verification checks,
// at every depth together: each may cost fetches and proof checks.
const maxEndorsements = 64

// endorsement is an embedded endorsement found in a credential.
type endorsement struct {
	path string         // where it sits, e.g. "credentialSubject.achievement.endorsement[0]"
	doc  map[string]any // an embedded EndorsementCredential, or
	jwt  string         // an endorsementJwt
}

// checkEndorsements verifies every endorsement the credential carries
// ($..endorsement and $..endorsementJwt: on the credential, its
// achievement, its issuer, …) by the same steps, one level deeper. A bad
// endorsement is a WARNING naming it (VERIFY_ENDORSEMENT): the
// credential's own verdict does not depend on it.
func (r *run) checkEndorsements(c *credential) {
	var found []endorsement
	findEndorsements(c.doc, "", &found, 0)
	node := id(c.doc)
	for i, e := range found {
		name := e.name()
		if r.depth+1 > r.v.maxDepth {
			r.res.Warnf(CheckVerifyEndorsement, node, e.path, "The endorsement %s was not verified: endorsements are verified %d levels deep", name, r.v.maxDepth)
			continue
		}
		if *r.endorsements >= maxEndorsements {
			r.res.Warnf(CheckVerifyEndorsement, node, "endorsement", "%d more endorsements were not verified: at most %d are, in all", len(found)-i, maxEndorsements)
			return
		}
		*r.endorsements++
		var p *payload.Payload
		if e.jwt != "" {
			var err error
			p, err = payload.Parse([]byte(e.jwt))
			if err == nil && p.Kind != payload.KindJWS {
				err = fmt.Errorf("it is not a compact JWS")
			}
			if err != nil {
				r.res.Warnf(CheckVerifyEndorsement, node, e.path, "The endorsement %s cannot be read: %v", name, err)
				continue
			}
		} else {
			p = &payload.Payload{Kind: payload.KindJSON, Generation: payload.OB3, Version: "3.0", Object: e.doc}
		}
		sub := r.v.verifyAt(r.ctx, p, newResult("", inputType(p.Kind)), nil, r.depth+1, r.endorsements)
		if sub.Status == report.StatusValid {
			continue
		}
		if e.jwt != "" && len(sub.Graph) > 0 {
			name = endorsementName(sub.Graph[0], e.path)
		}
		var problems []string
		for _, m := range sub.Report.Messages {
			if m.MessageLevel == report.Error {
				problems = append(problems, m.Name+": "+m.Result)
			}
		}
		verdict := "does not verify"
		if sub.Status == report.StatusIndeterminate {
			verdict = "could not be verified"
		} else if sub.Status == report.StatusRevoked {
			verdict = "is revoked"
		}
		r.res.Warnf(CheckVerifyEndorsement, node, e.path, "The endorsement %s %s (%s); the credential's own verdict does not depend on it", name, verdict, clipList(problems))
	}
}

func (e endorsement) name() string {
	if e.doc != nil {
		return endorsementName(e.doc, e.path)
	}
	return e.path
}

// endorsementName names an endorsement in messages: its id and issuer.
func endorsementName(doc map[string]any, path string) string {
	name := id(doc)
	if name == "" {
		name = path
	}
	if iss := issuerName(doc); iss != "" {
		name += " by " + iss
	}
	return name
}

func issuerName(doc map[string]any) string {
	if m, ok := doc["issuer"].(map[string]any); ok {
		if n, ok := m["name"].(string); ok && n != "" {
			return n
		}
	}
	return issuerID(doc)
}

// findEndorsements walks v collecting endorsement and endorsementJwt
// values, in a stable order. It does not descend into an endorsement (its
// own endorsements are found when it is verified) nor into proofs.
func findEndorsements(v any, path string, out *[]endorsement, depth int) {
	if depth > 64 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			switch k {
			case "endorsement":
				for i, doc := range listOf(v[k]) {
					if m, ok := doc.(map[string]any); ok {
						*out = append(*out, endorsement{path: indexed(p, i, v[k]), doc: m})
					}
				}
			case "endorsementJwt":
				for i, s := range listOf(v[k]) {
					if s, ok := s.(string); ok {
						*out = append(*out, endorsement{path: indexed(p, i, v[k]), jwt: s})
					}
				}
			case "proof", "@context":
			default:
				findEndorsements(v[k], p, out, depth+1)
			}
		}
	case []any:
		for i, e := range v {
			findEndorsements(e, path+"["+strconv.Itoa(i)+"]", out, depth+1)
		}
	}
}

func listOf(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

func indexed(path string, i int, v any) string {
	if _, ok := v.([]any); ok {
		return path + "[" + strconv.Itoa(i) + "]"
	}
	return path
}
