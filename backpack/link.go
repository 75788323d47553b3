package backpack

import "strings"

// ParseLink reads an RFC 8288 Link header value and returns each link
// relation it names with its target, e.g. "next" → the next page's URL.
// Several links in one value, and several header lines joined with
// commas (as http.Header.Values and proxies do), are both accepted; a rel
// parameter may be quoted or not and may name several relations
// separated by spaces. Relation names are lower-cased (they compare case
// insensitively); the first link naming a relation wins. Targets are
// returned as written: a relative target is resolved by the caller
// against the request URL. Malformed links are skipped, never fatal,
// since paging must go on with whatever the provider got right.
func ParseLink(header string) map[string]string {
	links := map[string]string{}
	s := header
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return links
		}
		if s[0] != '<' {
			s = skipLink(s)
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return links
		}
		target := strings.TrimSpace(s[1:end])
		s = s[end+1:]
		var rels []string
		for {
			s = strings.TrimLeft(s, " \t")
			if s == "" || s[0] != ';' {
				break
			}
			var name, value string
			name, value, s = linkParam(s[1:])
			if name == "rel" && rels == nil {
				// RFC 8288 §3.3: only the first rel parameter counts.
				rels = strings.Fields(strings.ToLower(value))
				if rels == nil {
					rels = []string{}
				}
			}
		}
		if s != "" && s[0] != ',' {
			// Garbage after the parameters: drop this link.
			s = skipLink(s)
			continue
		}
		for _, r := range rels {
			if _, seen := links[r]; !seen && target != "" {
				links[r] = target
			}
		}
	}
}

// linkParam reads one "name=value" or "name=\"quoted value\"" parameter
// (the leading ';' already consumed) and returns the rest of the text.
func linkParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, "=;,")
	if i < 0 {
		return strings.ToLower(strings.TrimSpace(s)), "", ""
	}
	name = strings.ToLower(strings.TrimSpace(s[:i]))
	if s[i] != '=' {
		return name, "", s[i:]
	}
	s = strings.TrimLeft(s[i+1:], " \t")
	if s != "" && s[0] == '"' {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			switch c := s[j]; {
			case c == '\\' && j+1 < len(s):
				j++
				b.WriteByte(s[j])
			case c == '"':
				return name, b.String(), s[j+1:]
			default:
				b.WriteByte(c)
			}
		}
		// Unterminated quote: take what there is.
		return name, b.String(), ""
	}
	// An unquoted value is a token: it ends at white space too.
	j := strings.IndexAny(s, ";, \t")
	if j < 0 {
		return name, strings.TrimSpace(s), ""
	}
	return name, strings.TrimSpace(s[:j]), s[j:]
}

// skipLink drops text up to the next comma that is outside quotes and
// angle brackets, where the next link starts.
func skipLink(s string) string {
	inQuote, inAngle := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case c == '<' && !inQuote:
			inAngle = true
		case c == '>' && !inQuote:
			inAngle = false
		case c == ',' && !inQuote && !inAngle:
			return s[i+1:]
		}
	}
	return ""
}
