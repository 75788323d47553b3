package textin

import "testing"

func TestTrimBOM(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"\ufeff":              "",
		"\ufeff{}":            "{}",
		"\ufeff\ufeff{}":      "\ufeff{}", // one mark only
		" \ufeff{}":           " \ufeff{}",
		"\xef\xbb":            "\xef\xbb", // a truncated mark is not one
		"{\"a\": \"\ufeff\"}": "{\"a\": \"\ufeff\"}",
	} {
		if got := TrimBOM(in); got != want {
			t.Errorf("TrimBOM(%q) = %q, want %q", in, got, want)
		}
		if got := string(TrimBOM([]byte(in))); got != want {
			t.Errorf("TrimBOM([]byte(%q)) = %q, want %q", in, got, want)
		}
		if got := HasBOM(in); got != (TrimBOM(in) != in) {
			t.Errorf("HasBOM(%q) = %v", in, got)
		}
	}
}
