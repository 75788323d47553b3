package jsonld

import (
	"context"
	"testing"
)

// benchNodes are single OB 2.0 nodes as the verifier compacts them. The
// extensions are removed from assertion and badge class so that the nodes
// show the common case; "assertion+extension" keeps one, and with it its
// nested @context, which makes expansion take json-gold's uncached path.
func benchNodes(b *testing.B) []struct {
	name string
	doc  map[string]any
} {
	assertion := testdoc(b, "assertion.json")
	withExtension := testdoc(b, "assertion.json")
	delete(assertion, "extensions:ExampleExtension")
	badgeClass := testdoc(b, "badgeclass.json")
	delete(badgeClass, "schema:license")
	return []struct {
		name string
		doc  map[string]any
	}{
		{"assertion", assertion},
		{"badgeclass", badgeClass},
		{"issuer", testdoc(b, "issuer.json")},
		{"assertion+extension", withExtension},
	}
}

// processors: "cached" is the Processor as shipped, "plain" lets json-gold
// process the context on every call.
func benchProcessors() []struct {
	name string
	p    *Processor
} {
	return []struct {
		name string
		p    *Processor
	}{
		{"cached", NewProcessor(nil)},
		{"plain", plainProcessor()},
	}
}

func BenchmarkCompact(b *testing.B) {
	for _, n := range benchNodes(b) {
		for _, pp := range benchProcessors() {
			b.Run(n.name+"/"+pp.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := pp.p.Compact(n.doc, ContextV2); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	for _, n := range benchNodes(b) {
		for _, pp := range benchProcessors() {
			b.Run(n.name+"/"+pp.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := pp.p.Expand(n.doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLoadDocument measures serving ContextV2, i.e. the deep copy each
// load makes.
func BenchmarkLoadDocument(b *testing.B) {
	l := NewLoader(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.LoadDocument(ContextV2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessContext is the one-time cost a Processor saves on every
// later call: processing ContextV2 into an active context with its inverse.
func BenchmarkProcessContext(b *testing.B) {
	e := lookupEmbedded(ContextV2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.process(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToRDF turns the 1EdTech OB 3.0 test vector's credential (minus
// its proof) into quads: "cached" is the Processor as shipped (processed VC
// 2.0 + OB 3.0 contexts reused, badgebake's node map conversion), "plain"
// lets json-gold process the contexts on every call and convert with its
// own ToRDF (what a Processor did for arrays of contexts before they were
// cached).
func BenchmarkToRDF(b *testing.B) {
	signed, _ := ob3Vector(b, "1edtech-ob-v3p0-test-vector/signed-credential.json")
	ctx := context.Background()
	docs := []struct {
		name string
		doc  map[string]any
	}{
		{"ob3-vector", withoutProof(signed)},
		{"ob3-vector+ed25519-2020", withContexts(withoutProof(signed),
			ContextCredentialsV2, ContextOB3, ContextEd25519Signature2020)},
		{"ob3-vector+proof", signed},
	}
	for _, d := range docs {
		for _, pp := range benchProcessors() {
			b.Run(d.name+"/"+pp.name, func(b *testing.B) {
				b.ReportAllocs()
				start, ok := processCPUTime()
				for b.Loop() {
					// One verification each: the Loader's limits count per
					// WithContext.
					if _, err := pp.p.WithContext(ctx).ToRDF(d.doc); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time (GC included) is steadier than ns/op when other
				// work shares the machine.
				if end, ok2 := processCPUTime(); ok && ok2 {
					b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}
