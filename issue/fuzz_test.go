package issue

import (
	"slices"
	"strings"
	"testing"
)

// FuzzPlaceholders: a string with placeholders splits into literal parts
// and names that put it back together, and filling it in replaces every
// placeholder and nothing else.
func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"", "plain", "{{.email}}", "Awarded to {{ .name }} on {{.date}}.", "{{", "}}{{.a}}", "{{.}}", "{{.a.b}}", "{{.a}}{{.b}}", "{{{.x}}}", "{{.é}}"} {
		f.Add(s, "value")
	}
	f.Fuzz(func(t *testing.T, s, value string) {
		tx, err := parseText(s)
		if err != nil {
			return
		}
		if tx == nil {
			if strings.Contains(s, "{{") {
				t.Fatalf("%q: placeholders ignored", s)
			}
			return
		}
		if len(tx.lit) != len(tx.names)+1 {
			t.Fatalf("%q: %d literals for %d names", s, len(tx.lit), len(tx.names))
		}
		values := map[string]string{}
		for _, n := range tx.names {
			if !validName(n) {
				t.Fatalf("%q: name %q", s, n)
			}
			values[n] = value
		}
		got, err := tx.fill(values)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join(tx.lit, value)
		if got != want {
			t.Fatalf("%q filled with %q: %q, want %q", s, value, got, want)
		}
		// Written back in canonical form, it parses to the same parts.
		var b strings.Builder
		for i, l := range tx.lit {
			b.WriteString(l)
			if i < len(tx.names) {
				b.WriteString("{{." + tx.names[i] + "}}")
			}
		}
		again, err := parseText(b.String())
		if err != nil || again == nil || !slices.Equal(again.names, tx.names) || !slices.Equal(again.lit, tx.lit) {
			t.Fatalf("%q rewritten as %q parses differently: %v %v", s, b.String(), again, err)
		}
		// A missing value is an error, not an empty string.
		if _, err := tx.fill(map[string]string{}); err == nil {
			t.Fatalf("%q filled without values", s)
		}
	})
}

// FuzzTemplate: any JSON document parses as a template or is refused
// with a TemplateError, and filling it never fails when every name has a
// value.
func FuzzTemplate(f *testing.F) {
	f.Add(string(ob3Template("did:example:x")))
	f.Add(string(hostedTemplate()))
	f.Add(`{"a": ["{{.x}}", 1, null, {"b": "{{ .y }}"}]}`)
	f.Add(`{"{{.k}}": 1}`)
	f.Fuzz(func(t *testing.T, doc string) {
		tmpl, err := parseTemplate("t.json", []byte(doc))
		if err != nil {
			if _, ok := err.(*TemplateError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		values := map[string]string{}
		for _, n := range tmpl.Names() {
			values[n] = "v"
		}
		out, err := tmpl.fill(values)
		if err != nil {
			t.Fatal(err)
		}
		b, err := marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(tmpl.Names()) > 0 && strings.Contains(string(b), "{{.") && !strings.Contains(doc, `\u`) {
			// Filled values are "v": a placeholder left means one was missed
			// (unless the document spelled braces with escapes).
			if again, err := parseTemplate("t.json", b); err == nil && len(again.Names()) > 0 {
				t.Fatalf("placeholders left in %s", b)
			}
		}
	})
}

// FuzzRecipients: any recipients file is read or refused; the rows read
// have lines after the header, distinct keys and safe file names.
func FuzzRecipients(f *testing.F) {
	f.Add(recipients(3))
	f.Add("key,name,email,date\n\"a\nb\",x,y@z,d\n,,,\nk,n\n")
	f.Add("\ufeffkey,name,email,date\r\n../x,n,e@x,d\r\n.hidden,n,e@x,d\r\nK,n,e@x,d\r\nk,n,e@x,d\r\n")
	tmpl, err := parseTemplate("t.json", ob3Template("did:example:x"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, csv string) {
		r := &run{tmpl: tmpl, ext: ".png", opts: Options{Recipients: strings.NewReader(csv), RecipientsName: "r.csv", TemplateName: "t.json"}}
		if err := r.readRecipients(); err != nil {
			return
		}
		files := map[string]bool{}
		for _, rw := range r.rows {
			if rw.line < 2 {
				t.Fatalf("row at line %d", rw.line)
			}
			if rw.problem != nil {
				continue
			}
			if rw.file == "" || strings.ContainsAny(rw.file, `/\`) || strings.HasPrefix(rw.file, ".") || strings.HasSuffix(rw.file, ".") || len(rw.file) > 100 {
				t.Fatalf("key %q: file name %q", rw.key, rw.file)
			}
			if files[strings.ToLower(rw.file)] {
				t.Fatalf("file %q twice", rw.file)
			}
			files[strings.ToLower(rw.file)] = true
		}
	})
}
