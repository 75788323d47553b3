package backpack

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseLink(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		want         map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"one quoted", `<https://b.example/assertions?offset=10>; rel="next"`,
			map[string]string{"next": "https://b.example/assertions?offset=10"}},
		{"unquoted", `</a?offset=2>;rel=next`, map[string]string{"next": "/a?offset=2"}},
		{"several in one value", `<https://x/a?o=20>; rel="next", <https://x/a?o=90>; rel="last", <https://x/a?o=0>; rel="first"`,
			map[string]string{"next": "https://x/a?o=20", "last": "https://x/a?o=90", "first": "https://x/a?o=0"}},
		{"joined header lines", `<p1>; rel="prev",<p3>; rel="next"`, map[string]string{"prev": "p1", "next": "p3"}},
		{"several rels in one link", `<https://x/only>; rel="next last"`,
			map[string]string{"next": "https://x/only", "last": "https://x/only"}},
		{"whitespace and case", "  < https://x/n >  ;  REL = \"Next\"  ;  title=\"a, b; c\" ,\t<https://x/l>;rel=last ",
			map[string]string{"next": "https://x/n", "last": "https://x/l"}},
		{"comma inside the URL", `<https://x/a?ids=1,2>; rel="next"`, map[string]string{"next": "https://x/a?ids=1,2"}},
		{"first link wins", `<a>; rel=next, <b>; rel=next`, map[string]string{"next": "a"}},
		{"only the first rel counts", `<a>; rel=next; rel=last`, map[string]string{"next": "a"}},
		{"other params first", `<a>; type="text/html"; rel=next`, map[string]string{"next": "a"}},
		{"garbage link skipped", `junk; rel=next, <b>; rel="next"`, map[string]string{"next": "b"}},
		{"garbage after params drops the link", `<a>; rel=prev junk, <b>; rel=next`, map[string]string{"next": "b"}},
		{"no rel", `<a>; title="x"`, map[string]string{}},
		{"unterminated target", `<https://x/a; rel=next`, map[string]string{}},
		{"escaped quote", `<a>; title="say \"hi\", ok"; rel="next"`, map[string]string{"next": "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseLink(tc.header); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseLink(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func ExampleParseLink() {
	links := ParseLink(`<https://backpack.example/ims/ob/v2p1/assertions?offset=10>; rel="next", </ims/ob/v2p1/assertions?offset=90>; rel=last`)
	fmt.Println(links["next"])
	fmt.Println(links["last"])
	// Output:
	// https://backpack.example/ims/ob/v2p1/assertions?offset=10
	// /ims/ob/v2p1/assertions?offset=90
}

// FuzzParseLink: whatever the header, ParseLink returns lower-case,
// space-free relation names with non-empty targets, and a link it found
// is found again when the header is followed by another link.
func FuzzParseLink(f *testing.F) {
	f.Add(`<https://x/a?o=20>; rel="next", <https://x/a?o=90>; rel="last"`)
	f.Add(`</a>;rel=next`)
	f.Add(`<a>; title="x, y; \"z\""; rel="next prev"`)
	f.Add(`junk, <b; rel=next`)
	f.Add(`<a>; rel="unterminated`)
	f.Fuzz(func(t *testing.T, header string) {
		links := ParseLink(header)
		for rel, target := range links {
			if rel == "" || rel != strings.ToLower(rel) || strings.ContainsAny(rel, " \t") {
				t.Fatalf("relation %q from %q", rel, header)
			}
			if target == "" || strings.Contains(target, ">") {
				t.Fatalf("target %q for %q from %q", target, rel, header)
			}
		}
	})
}
