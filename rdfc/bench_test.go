package rdfc

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
)

// BenchmarkCanonicalizeOB3 canonicalizes the quads of the OB 3.0 test
// vector's credential (two blank nodes), shuffled and relabelled as a
// JSON-LD processor would hand them over.
func BenchmarkCanonicalizeOB3(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testcorpus.Dir(b), "ob3", "1edtech-ob-v3p0-test-vector", "document-canon.txt"))
	if err != nil {
		b.Fatal(err)
	}
	quads, err := ParseNQuads(data)
	if err != nil {
		b.Fatal(err)
	}
	benchCanonicalize(b, scramble(rand.New(rand.NewPCG(5, 6)), quads))
}

// BenchmarkCanonicalizeCredentialShape canonicalizes a built-in dataset
// shaped like a credential: a few dozen IRI and literal statements and a
// handful of distinct blank nodes.
func BenchmarkCanonicalizeCredentialShape(b *testing.B) {
	benchCanonicalize(b, credentialShape(5))
}

// BenchmarkCanonicalize50Distinct canonicalizes 50 blank nodes that each
// have their own first-degree hash, the common case.
func BenchmarkCanonicalize50Distinct(b *testing.B) {
	benchCanonicalize(b, credentialShape(50))
}

// BenchmarkCanonicalize50Ring canonicalizes a ring of 50 blank nodes that
// all look alike, so every node needs the n-degree hash.
func BenchmarkCanonicalize50Ring(b *testing.B) {
	var quads []Quad
	for i := 0; i < 50; i++ {
		quads = append(quads, Quad{
			Subject:   Term{Kind: BlankNode, Value: "r" + strconv.Itoa(i)},
			Predicate: Term{Kind: IRI, Value: "https://example.com/next"},
			Object:    Term{Kind: BlankNode, Value: "r" + strconv.Itoa((i+1)%50)},
		})
	}
	benchCanonicalize(b, quads)
}

func benchCanonicalize(b *testing.B, quads []Quad) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(quads, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// credentialShape returns an OpenBadgeCredential-like dataset with n
// blank nodes (subject, achievement criteria, alignments…).
func credentialShape(n int) []Quad {
	iri := func(v string) Term { return Term{Kind: IRI, Value: v} }
	lit := func(v string) Term { return Term{Kind: Literal, Value: v} }
	bn := func(i int) Term { return Term{Kind: BlankNode, Value: "b" + strconv.Itoa(i)} }
	const (
		ob   = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
		cred = "https://www.w3.org/2018/credentials#"
		typ  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
		sdo  = "https://schema.org/"
	)
	c := iri("urn:uuid:2d6f9e4c-7a1b-4e1d-9d1e-0c1f6a7b8c9d")
	quads := []Quad{
		{Subject: c, Predicate: iri(typ), Object: iri(cred + "VerifiableCredential")},
		{Subject: c, Predicate: iri(typ), Object: iri(ob + "OpenBadgeCredential")},
		{Subject: c, Predicate: iri(sdo + "name"), Object: lit("Teamwork Badge")},
		{Subject: c, Predicate: iri(cred + "issuer"), Object: iri("https://example.com/issuers/876543")},
		{Subject: c, Predicate: iri(cred + "validFrom"), Object: Term{Kind: Literal, Value: "2010-01-01T00:00:00Z", Datatype: "http://www.w3.org/2001/XMLSchema#dateTime"}},
		{Subject: iri("https://example.com/issuers/876543"), Predicate: iri(typ), Object: iri(ob + "Profile")},
		{Subject: iri("https://example.com/issuers/876543"), Predicate: iri(sdo + "name"), Object: lit("Example Corp")},
		{Subject: c, Predicate: iri(cred + "credentialSubject"), Object: bn(0)},
		{Subject: bn(0), Predicate: iri(typ), Object: iri(ob + "AchievementSubject")},
		{Subject: bn(0), Predicate: iri(ob + "achievement"), Object: iri("https://example.com/achievements/teamwork")},
		{Subject: iri("https://example.com/achievements/teamwork"), Predicate: iri(typ), Object: iri(ob + "Achievement")},
		{Subject: iri("https://example.com/achievements/teamwork"), Predicate: iri(sdo + "description"), Object: lit("This badge recognizes the development of the capacity to collaborate within a group environment.")},
	}
	for i := 1; i < n; i++ {
		quads = append(quads,
			Quad{Subject: bn(0), Predicate: iri(ob + "alignment"), Object: bn(i)},
			Quad{Subject: bn(i), Predicate: iri(typ), Object: iri(ob + "Alignment")},
			Quad{Subject: bn(i), Predicate: iri(ob + "targetName"), Object: lit("Target " + strconv.Itoa(i))},
			Quad{Subject: bn(i), Predicate: iri(ob + "targetUrl"), Object: iri("https://example.com/frameworks/" + strconv.Itoa(i))},
		)
	}
	return quads
}
