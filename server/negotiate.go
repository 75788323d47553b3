package server

import (
	"strconv"
	"strings"
)

// wantsJSON reports whether a client's Accept header prefers JSON to
// HTML, by the reference's rule: JSON only when application/json is
// strictly preferred. So "Accept: application/json" gets JSON, while a
// browser, curl's "*/*" and a request without Accept get the HTML page.
func wantsJSON(accept string) bool {
	return quality(accept, "application/json") > quality(accept, "text/html")
}

// quality is the q-value the Accept header gives mediaType: that of the
// most specific range matching it (type/subtype over type/* over */*), 0
// when none does.
func quality(accept, mediaType string) float64 {
	typ, _, _ := strings.Cut(mediaType, "/")
	best, bestSpecificity := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		rng, params, _ := strings.Cut(part, ";")
		rng = strings.ToLower(strings.TrimSpace(rng))
		specificity := -1
		switch {
		case rng == mediaType:
			specificity = 2
		case rng == typ+"/*":
			specificity = 1
		case rng == "*/*":
			specificity = 0
		}
		if specificity < bestSpecificity || specificity < 0 {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		if specificity > bestSpecificity || q > best {
			best, bestSpecificity = q, specificity
		}
	}
	return best
}
