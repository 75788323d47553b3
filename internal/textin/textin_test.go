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

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"longer than ten", 10, "longer tha…"},
		{"héllo wörld", 2, "h…"}, // never half a character
		{"", 0, ""},
	} {
		if got := Clip(c.in, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if got := Clip([]byte(c.in), c.max); got != c.want {
			t.Errorf("Clip([]byte(%q), %d) = %q", c.in, c.max, got)
		}
	}
}
