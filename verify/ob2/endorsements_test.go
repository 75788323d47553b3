package ob2

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/report"
)

// countingDocs serves docs and counts requests by URL.
type countingDocs struct {
	docs
	n map[string]int
}

func (c *countingDocs) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n[req.URL.String()]++
	return c.docs.RoundTrip(req)
}

const endorserURL = "https://other.org/endorser.json"

// endorsementDoc is an Endorsement of claim by the test endorser that is
// itself endorsed by next (when set).
func endorsementDoc(id, claim, next string) string {
	endorsed := ""
	if next != "" {
		endorsed = fmt.Sprintf(`, "endorsement": %q`, next)
	}
	return fmt.Sprintf(`{"@context": "https://w3id.org/openbadges/v2", "type": "Endorsement", "id": %q,
		"claim": {"id": %q, "endorsementComment": "Good."}, "issuedOn": "2020-01-01T00:00:00Z",
		"issuer": %q, "verification": {"type": "HostedBadge"}%s}`, id, claim, endorserURL, endorsed)
}

func endorserDocs() docs {
	return docs{endorserURL: `{"@context": "https://w3id.org/openbadges/v2", "type": "Profile", "id": "` + endorserURL + `",
		"name": "Endorser", "url": "https://other.org", "email": "e@other.org"}`}
}

// chainDocs serves an endorsement chain e1 → e2 → … → en (each endorsed by
// the next).
func chainDocs(n int) (docs, []string) {
	d := endorserDocs()
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://other.org/e%d.json", i+1)
	}
	for i, u := range urls {
		next, claim := "", "https://example.org/badge.json"
		if i+1 < n {
			next = urls[i+1]
		}
		if i > 0 {
			claim = urls[i-1]
		}
		d[u] = endorsementDoc(u, claim, next)
	}
	return d, urls
}

func verifyWithDepth(t *testing.T, d docs, depth int, url string) (*report.Result, map[string]int) {
	t.Helper()
	c := &countingDocs{docs: d, n: map[string]int{}}
	v := New(Options{Client: fetch.New(fetch.Options{Transport: c}), Now: func() time.Time { return testNow }, MaxDepth: depth})
	return v.VerifyURL(t.Context(), url, nil), c.n
}

func depthWarnings(res *report.Result) []report.Message {
	var out []report.Message
	for _, m := range res.Report.Messages {
		if m.MessageLevel == report.Warning && strings.Contains(m.Result, "depth limit") {
			out = append(out, m)
		}
	}
	return out
}

// TestDepthLimitChain: from an Endorsement given as input (depth 0), a
// chain of endorsements is followed MaxDepth links deep, no further; the
// link not followed is a warning, and the document it names is never
// fetched.
func TestDepthLimitChain(t *testing.T) {
	d, urls := chainDocs(6)
	for _, depth := range []int{1, 2, 3, 4} {
		t.Run(fmt.Sprint("MaxDepth=", depth), func(t *testing.T) {
			res, n := verifyWithDepth(t, d, depth, urls[0])
			if !res.Report.Valid || res.Report.ErrorCount != 0 {
				t.Fatalf("not valid: %s", dump(t, res))
			}
			for i, u := range urls {
				want := 0
				if i <= depth {
					want = 1
				}
				if n[u] != want {
					t.Errorf("%s fetched %d times, want %d", u, n[u], want)
				}
			}
			w := depthWarnings(res)
			if len(w) != 1 || res.Report.WarningCount != 1 {
				t.Fatalf("want one depth warning: %s", dump(t, res))
			}
			if w[0].NodeID != urls[depth] || w[0].PropName != "endorsement" || !strings.Contains(w[0].Result, urls[depth+1]) {
				t.Errorf("warning %+v, want one about %s's link to %s", w[0], urls[depth], urls[depth+1])
			}
		})
	}
}

func TestDepthLimitDefault(t *testing.T) {
	d, urls := chainDocs(5)
	res, n := verifyWithDepth(t, d, 0, urls[0])
	if n[urls[3]] != 1 || n[urls[4]] != 0 || len(depthWarnings(res)) != 1 {
		t.Errorf("default MaxDepth is not 3: fetched %v\n%s", n, dump(t, res))
	}
}

// TestDepthLimitShortChain: a chain within the limit gives no warning.
func TestDepthLimitShortChain(t *testing.T) {
	d, urls := chainDocs(3)
	res, _ := verifyWithDepth(t, d, 3, urls[0])
	if res.Report.WarningCount != 0 || !res.Report.Valid {
		t.Errorf("%s", dump(t, res))
	}
}

// TestDepthLimitCycle: A endorsed by B endorsed by A ends, even with a
// limit high enough never to stop it, each fetched once and no warning.
func TestDepthLimitCycle(t *testing.T) {
	const a, b = "https://other.org/a.json", "https://other.org/b.json"
	d := endorserDocs()
	d[a] = endorsementDoc(a, "https://example.org/badge.json", b)
	d[b] = endorsementDoc(b, a, a)
	for _, depth := range []int{1, 1000} {
		res, n := verifyWithDepth(t, d, depth, a)
		if !res.Report.Valid || res.Report.WarningCount != 0 || n[a] != 1 || n[b] != 1 || len(res.Graph) != 3 {
			t.Errorf("MaxDepth %d: fetched %v\n%s", depth, n, dump(t, res))
		}
	}
	// A self-endorsement too.
	d[a] = endorsementDoc(a, "https://example.org/badge.json", a)
	res, n := verifyWithDepth(t, d, 3, a)
	if !res.Report.Valid || n[a] != 1 {
		t.Errorf("self-endorsement: fetched %v\n%s", n, dump(t, res))
	}
}

// TestDepthLimitRelated: embedded related objects count as links too; an
// embedded endorsement's own links are one level deeper.
func TestDepthLimitRelated(t *testing.T) {
	const e = "https://other.org/e.json"
	d := endorserDocs()
	d[e] = `{"@context": "https://w3id.org/openbadges/v2", "type": "Endorsement", "id": "` + e + `",
		"claim": {"id": "https://example.org/badge.json"}, "issuedOn": "2020-01-01T00:00:00Z", "issuer": "` + endorserURL + `",
		"related": {"id": "https://other.org/e-fr.json", "@language": "fr",
			"related": {"id": "https://other.org/e-de.json", "@language": "de",
				"related": {"id": "https://other.org/e-it.json", "@language": "not a tag"}}}}`
	res, n := verifyWithDepth(t, d, 2, e)
	w := depthWarnings(res)
	if len(w) != 1 || res.Report.ErrorCount != 0 {
		t.Fatalf("want one depth warning and no error (the third related object is not checked): %s", dump(t, res))
	}
	if w[0].PropName != "related" || fmt.Sprint(w[0].NodePath) != fmt.Sprint([]any{e, "related", "related"}) {
		t.Errorf("warning %+v", w[0])
	}
	if n["https://other.org/e-fr.json"] != 0 {
		t.Error("a related link was fetched")
	}
	res, _ = verifyWithDepth(t, d, 3, e)
	if res.Report.ErrorCount != 1 || len(depthWarnings(res)) != 0 {
		t.Errorf("MaxDepth 3 reaches the bad language tag: %s", dump(t, res))
	}
}
