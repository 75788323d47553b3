package svg

import (
	"bytes"
	"encoding/xml"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"io"
	"strings"
	"sync"
	"testing"
)

var benchDocs = sync.OnceValues(func() (unbaked, baked []byte) {
	unbaked = benchdata.Drawing(200 << 10)
	var out bytes.Buffer
	if _, err := Bake(&out, unbaked, NewElement{Namespace: NamespaceOB3, Body: ob3JSON}, nil); err != nil {
		panic(err)
	}
	return unbaked, out.Bytes()
})

func TestInkscapeDrawing(t *testing.T) {
	unbaked, baked := benchDocs()
	if n := len(unbaked); n < 190<<10 || n > 210<<10 {
		t.Errorf("drawing is %d bytes", n)
	}
	// The generated drawing is well-formed as a whole.
	dec := xml.NewDecoder(bytes.NewReader(unbaked))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if els := mustFind(t, unbaked); len(els) != 0 {
		t.Errorf("unbaked drawing: %d elements", len(els))
	}
	els := mustFind(t, baked)
	if len(els) != 1 || els[0].Body != ob3JSON {
		t.Fatalf("baked drawing: %+v", els)
	}
	// Appended at the end instead: found too (the slow path).
	end := bytes.LastIndex(unbaked, []byte("</svg>"))
	appended := string(unbaked[:end]) + `<o:credential xmlns:o="https://purl.imsglobal.org/ob/v3p0">{}</o:credential>` + string(unbaked[end:])
	if els := mustFind(t, []byte(appended)); len(els) != 1 || els[0].Body != "{}" {
		t.Errorf("appended element: %+v", els)
	}
	if !strings.Contains(string(baked[:2000]), "<openbadges:credential>") {
		t.Errorf("baked element is not near the start")
	}
}

func BenchmarkFind(b *testing.B) {
	unbaked, baked := benchDocs()
	for _, bc := range []struct {
		name string
		doc  []byte
		n    int
	}{{"unbaked", unbaked, 0}, {"baked", baked, 1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.doc)))
			b.ReportAllocs()
			for b.Loop() {
				els, err := Find(bc.doc, nil)
				if err != nil || len(els) != bc.n {
					b.Fatal(err, len(els))
				}
			}
		})
	}
}

func BenchmarkBake(b *testing.B) {
	unbaked, _ := benchDocs()
	el := NewElement{Namespace: NamespaceOB3, Body: ob3JSON}
	var out bytes.Buffer
	out.Grow(len(unbaked) + 4096)
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := Bake(&out, unbaked, el, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSniff(b *testing.B) {
	unbaked, _ := benchDocs()
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		if !Sniff(unbaked) {
			b.Fatal("not sniffed")
		}
	}
}

// BenchmarkFullTokenize is the cost the pre-filter avoids: encoding/xml
// over the whole drawing.
func BenchmarkFullTokenize(b *testing.B) {
	unbaked, _ := benchDocs()
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		dec := xml.NewDecoder(bytes.NewReader(unbaked))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
