package jsonin

import "slices"

// The readers below take a decoded JSON-LD value as credentials give it,
// in whichever of its allowed forms: one value or an array, a string or an
// embedded object, a string or a language map.

// Strings is a value that may be one string or an array: its strings, in
// order (other elements are skipped).
func Strings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Ref is the IRI a property gives: a string, or an embedded node's id.
func Ref(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

// Text is a value shown as text: a string, or from a language map the
// value of the first language in sorted order (a map has no order of its
// own, and what is shown must not change from run to run).
func Text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
	}
	return ""
}
