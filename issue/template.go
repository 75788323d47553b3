package issue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// TemplateError is a template that cannot be used: not JSON, a malformed
// placeholder, or not a credential of a generation this package issues.
type TemplateError struct {
	Template string // the template's name, e.g. its file name
	Path     string // where in the document ("" for the whole)
	Reason   string
}

func (e *TemplateError) Error() string {
	name := e.Template
	if name == "" {
		name = "template"
	}
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", name, e.Path, e.Reason)
	}
	return fmt.Sprintf("%s: %s", name, e.Reason)
}

// text is a JSON string value with placeholders: literal parts and the
// names between them, lit[0] name[0] lit[1] name[1] … lit[n].
type text struct {
	lit   []string
	names []string
}

func (t *text) fill(values map[string]string) (string, error) {
	var b strings.Builder
	for i, l := range t.lit {
		b.WriteString(l)
		if i < len(t.names) {
			v, ok := values[t.names[i]]
			if !ok {
				return "", fmt.Errorf("no value for {{.%s}}", t.names[i])
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// parseText splits s at its placeholders. A string without "{{" is
// returned as nil: it is copied as it is. Every "{{" must open a
// placeholder {{.name}} (spaces allowed inside the braces); a name is one
// or more characters other than white space, braces and dots.
func parseText(s string) (*text, error) {
	if !strings.Contains(s, "{{") {
		return nil, nil
	}
	t := &text{}
	rest := s
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.lit = append(t.lit, rest)
			return t, nil
		}
		t.lit = append(t.lit, rest[:i])
		rest = rest[i+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return nil, fmt.Errorf("%q opens a placeholder with {{ that is never closed with }}", s)
		}
		inner := strings.TrimSpace(rest[:end])
		name, ok := strings.CutPrefix(inner, ".")
		if !ok || !validName(name) {
			return nil, fmt.Errorf("%q: {{%s}} is not a placeholder: write {{.column}}, a column of the recipients file or id", s, rest[:end])
		}
		t.names = append(t.names, name)
		rest = rest[end+2:]
	}
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || r == '{' || r == '}' || r == '.' {
			return false
		}
	}
	return true
}

// template is a parsed credential template: its JSON tree with the
// strings holding placeholders replaced by *text.
type template struct {
	name  string
	root  map[string]any
	names map[string]bool // every placeholder name used
}

// parseTemplate reads a template. It checks the JSON and the
// placeholders, not what the document is (see checkTemplate).
func parseTemplate(name string, data []byte) (*template, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &TemplateError{Template: name, Reason: "not JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &TemplateError{Template: name, Reason: "not one JSON document: more follows it"}
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, &TemplateError{Template: name, Reason: "not a JSON object"}
	}
	t := &template{name: name, names: map[string]bool{}}
	compiled, err := t.compile(root, "")
	if err != nil {
		return nil, err
	}
	t.root = compiled.(map[string]any)
	return t, nil
}

func (t *template) compile(v any, path string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if strings.Contains(k, "{{") {
				return nil, &TemplateError{Template: t.name, Path: join(path, k), Reason: "placeholders are allowed in string values only, not in names"}
			}
			c, err := t.compile(x, join(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			c, err := t.compile(x, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string:
		tx, err := parseText(v)
		if err != nil {
			return nil, &TemplateError{Template: t.name, Path: path, Reason: err.Error()}
		}
		if tx == nil {
			return v, nil
		}
		for _, n := range tx.names {
			t.names[n] = true
		}
		return tx, nil
	}
	return v, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Names are the placeholder names the template uses, sorted.
func (t *template) Names() []string { return slices.Sorted(maps.Keys(t.names)) }

// fill returns a new document: the template with every placeholder
// replaced by its value. Nothing of the template is shared with it.
func (t *template) fill(values map[string]string) (map[string]any, error) {
	out, err := fillValue(t.root, values)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

func fillValue(v any, values map[string]string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			f, err := fillValue(x, values)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			f, err := fillValue(x, values)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	case *text:
		return v.fill(values)
	}
	return v, nil
}
