package rdfc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rdf-canon", "rdfc10", "*-in.nq"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"# only a comment\n",
		"_:a <urn:p> _:b .\n_:b <urn:p> _:a .\n",
		"<urn:s> <urn:p> \"x\\u0000\\t\\\"\"@en-us _:g .\r\n",
		"<urn:s> <urn:p> \"1\"^^<http://www.w3.org/2001/XMLSchema#string> .",
		"_:a.b. <urn:p> <urn:o> .",
	} {
		f.Add([]byte(s))
	}
}

// FuzzParseNQuads checks that the parser never panics and that what it
// parses writes back to N-Quads that parse to the same quads.
func FuzzParseNQuads(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error %v is not a *SyntaxError with a position", err)
			}
			return
		}
		var doc strings.Builder
		for _, q := range quads {
			doc.WriteString(q.String())
			doc.WriteByte('\n')
		}
		again, err := ParseNQuads([]byte(doc.String()))
		if err != nil {
			t.Fatalf("written form does not parse: %v\n%s", err, doc.String())
		}
		if len(again) != len(quads) {
			t.Fatalf("%d quads, %d after writing and parsing", len(quads), len(again))
		}
		for i := range quads {
			if quads[i].String() != again[i].String() {
				t.Fatalf("quad %d: %s, then %s", i, quads[i], again[i])
			}
		}
	})
}

// FuzzCanonicalize checks on any parsable input that canonicalization does
// not panic, stays within its limits, and is idempotent: the canonical
// form canonicalizes to itself.
func FuzzCanonicalize(f *testing.F) {
	addSeeds(f)
	opts := &Options{MaxBlankNodes: 256, MaxWork: 5000}
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data)
		if err != nil {
			return
		}
		out, err := Canonicalize(quads, opts)
		var le *LimitError
		if errors.As(err, &le) {
			return
		}
		if err != nil {
			t.Fatalf("parsed quads refused: %v", err)
		}
		if n := bytes.Count(out, []byte("\n")); n != len(quads) {
			t.Fatalf("%d quads in, %d lines out", len(quads), n)
		}
		again, err := ParseNQuads(out)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, out)
		}
		out2, err := Canonicalize(again, opts)
		if errors.As(err, &le) {
			return // relabelling may change how soon the search prunes
		}
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("not idempotent (%v):\n%s\nthen:\n%s", err, out, out2)
		}
	})
}
