package svg_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/svg"
)

func ExampleFind() {
	doc := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">
  <ob:assertion verify="https://example.org/assertions/123">
    <![CDATA[{"id": "https://example.org/assertions/123"}]]>
  </ob:assertion>
  <circle r="10"/>
</svg>`)
	elems, err := svg.Find(doc, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range elems {
		fmt.Printf("{%s}%s prefix=%q line=%d\n", e.Namespace, e.Local, e.Prefix, e.Line)
		fmt.Println("verify:", e.Verify)
		fmt.Println("body:", strings.TrimSpace(e.Body))
	}
	// Output:
	// {http://openbadges.org}assertion prefix="ob" line=3
	// verify: https://example.org/assertions/123
	// body: {"id": "https://example.org/assertions/123"}
}

func ExampleFind_notSVG() {
	_, err := svg.Find([]byte(`{"type": "OpenBadgeCredential"}`), nil)
	fmt.Println(errors.Is(err, svg.ErrNotSVG))
	fmt.Println(err)
	// Output:
	// true
	// svg: not an SVG document: it looks like JSON text
}

func ExampleBake() {
	doc := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <rect width="10" height="10"/>
</svg>
`)
	var out bytes.Buffer
	removed, err := svg.Bake(&out, doc, svg.NewElement{
		Namespace: svg.NamespaceOB3,
		Verify:    "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("removed:", len(removed))
	fmt.Print(out.String())

	// Re-baking replaces the element and the namespace declaration.
	var again bytes.Buffer
	removed, _ = svg.Bake(&again, out.Bytes(), svg.NewElement{
		Namespace: svg.NamespaceOB2,
		Verify:    "https://example.org/assertions/1",
	}, nil)
	fmt.Println("removed:", len(removed))
	fmt.Print(again.String())
	// Output:
	// removed: 0
	// <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"></openbadges:credential>
	//   <rect width="10" height="10"/>
	// </svg>
	// removed: 1
	// <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://example.org/assertions/1"/>
	//   <rect width="10" height="10"/>
	// </svg>
}

func ExampleSniff() {
	fmt.Println(svg.Sniff([]byte("<?xml version=\"1.0\"?>\n<!-- logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>")))
	fmt.Println(svg.Sniff([]byte("\x89PNG\r\n\x1a\n")))
	// Output:
	// true
	// false
}
