package jsonin

import (
	"errors"
	"strings"
	"testing"
)

func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestCheckDepth(t *testing.T) {
	for _, ok := range []string{
		"", "{}", `{"a": [1, {"b": "]]]"}]}`, nested(MaxDepth),
		`{"s": "` + strings.Repeat("[", 5000) + `"}`,                            // brackets in a string
		`{"s": "\"` + strings.Repeat("{", 5000) + `", "t": ` + nested(10) + `}`, // an escaped quote does not end the string
		`["\\", ` + nested(MaxDepth-1) + `]`,                                    // an escaped backslash does
		strings.Repeat("]", 5000) + nested(MaxDepth),                            // not JSON, but not too deep either
	} {
		if err := CheckDepth([]byte(ok)); err != nil {
			t.Errorf("CheckDepth(%.40q): %v", ok, err)
		}
	}
	for _, tt := range []struct {
		in     string
		offset int64
	}{
		{nested(MaxDepth + 1), MaxDepth},
		{nested(20000), MaxDepth},
		{`{"a": ` + strings.Repeat(`{"b": `, MaxDepth), 6 + 6*(MaxDepth-1)},
		{`["\\"` + strings.Repeat(", [", MaxDepth), 4 + 3*MaxDepth},
	} {
		err := CheckDepth([]byte(tt.in))
		var tooDeep *TooDeepError
		if !errors.As(err, &tooDeep) || tooDeep.Max != MaxDepth || tooDeep.Offset != tt.offset {
			t.Errorf("CheckDepth(%.40q…): %#v, want offset %d", tt.in, err, tt.offset)
		}
	}
	err := CheckDepth([]byte(nested(1001)))
	if want := "JSON nested more than 1000 levels deep (at byte 1001; no badge needs that many)"; err == nil || err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestUnmarshal(t *testing.T) {
	var v any
	if err := Unmarshal([]byte(nested(20000)), &v); !errors.As(err, new(*TooDeepError)) {
		t.Errorf("20,000 deep: %v", err)
	}
	var m map[string]any
	if err := Unmarshal([]byte(`{"a": [1]}`), &m); err != nil || len(m["a"].([]any)) != 1 {
		t.Errorf("a plain object: %v, %v", m, err)
	}
	if err := Unmarshal([]byte(`{"a": `), &m); err == nil {
		t.Error("truncated JSON decoded")
	}
}

func TestValueReaders(t *testing.T) {
	if got := Strings([]any{"a", 1.0, "b"}); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Strings(array) = %q", got)
	}
	if got := Strings("x"); len(got) != 1 || got[0] != "x" {
		t.Errorf("Strings(string) = %q", got)
	}
	if got := Strings(3.0); got != nil {
		t.Errorf("Strings(number) = %q", got)
	}
	if Ref("https://e.org/a") != "https://e.org/a" || Ref(map[string]any{"id": "urn:x"}) != "urn:x" || Ref(1.0) != "" {
		t.Error("Ref")
	}
	if got := Text(map[string]any{"fr": "Travail d'équipe", "en": "Teamwork"}); got != "Teamwork" {
		t.Errorf("Text(language map) = %q, want the first language in sorted order", got)
	}
	if Text("plain") != "plain" || Text(nil) != "" {
		t.Error("Text")
	}
}
