package rdfc

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
)

// corpusCanon is a canonical N-Quads file of the corpus and the SHA-256
// its publisher computed for it.
type corpusCanon struct {
	path, wantHex string
}

func corpusCanons(t *testing.T) []corpusCanon {
	t.Helper()
	dir := testcorpus.Dir(t)
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	var expected struct{ DocumentHashHex, ProofHashHex string }
	if err := json.Unmarshal([]byte(read("ob3/1edtech-ob-v3p0-test-vector/expected-values.json")), &expected); err != nil {
		t.Fatal(err)
	}
	out := []corpusCanon{
		{"ob3/1edtech-ob-v3p0-test-vector/document-canon.txt", expected.DocumentHashHex},
		{"ob3/1edtech-ob-v3p0-test-vector/proof-canon.txt", expected.ProofHashHex},
	}
	for _, d := range []string{"ob3/w3c-vc-di-eddsa/eddsa-rdfc-2022", "ob3/w3c-vc-di-eddsa/eddsa-rdfc-2022/employ"} {
		out = append(out,
			corpusCanon{d + "/canonDocDataInt.txt", read(d + "/docHashDataInt.txt")},
			corpusCanon{d + "/proofCanonDataInt.txt", read(d + "/proofHashDataInt.txt")})
	}
	for i := range out {
		out[i].path = filepath.Join(dir, out[i].path)
	}
	return out
}

// TestCorpusCanonicalForms canonicalizes the canonical N-Quads published
// with the OB 3.0 and W3C eddsa-rdfc-2022 test vectors — as published,
// and shuffled with blank nodes renamed — and checks the bytes and their
// SHA-256 against the published hashes.
func TestCorpusCanonicalForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cc := range corpusCanons(t) {
		t.Run(filepath.Base(filepath.Dir(cc.path))+"/"+filepath.Base(cc.path), func(t *testing.T) {
			want, err := os.ReadFile(cc.path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(want); hex.EncodeToString(sum[:]) != cc.wantHex {
				t.Fatalf("corpus file's SHA-256 is not the published one")
			}
			quads, err := ParseNQuads(want)
			if err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 5; round++ {
				in := quads
				if round > 0 {
					in = scramble(rng, quads)
				}
				got, err := Canonicalize(in, nil)
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != cc.wantHex {
					t.Fatalf("round %d: SHA-256 %x, want %s\ngot:\n%s\nwant:\n%s", round, sum, cc.wantHex, got, want)
				}
			}
		})
	}
}

// scramble returns quads shuffled, with every blank node renamed.
func scramble(rng *rand.Rand, quads []Quad) []Quad {
	names := make(map[string]string)
	rename := func(t Term) Term {
		if t.Kind != BlankNode {
			return t
		}
		n, ok := names[t.Value]
		if !ok {
			n = "n" + strconv.Itoa(rng.IntN(1_000_000)) + "x" + strconv.Itoa(len(names))
			names[t.Value] = n
		}
		t.Value = n
		return t
	}
	out := make([]Quad, len(quads))
	for i, q := range quads {
		out[i] = Quad{rename(q.Subject), rename(q.Predicate), rename(q.Object), rename(q.Graph)}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// TestInvariance checks on every W3C input that canonical N-Quads do not
// depend on the order of the quads nor on the blank nodes' labels, that
// they parse back to quads that canonicalize to the same bytes, and that
// repeating a quad changes nothing.
func TestInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range w3cTests(t) {
		if tc.kind != "TRUE" {
			continue
		}
		quads, err := ParseNQuads(readTestFile(t, tc.id+"-in.nq"))
		if err != nil {
			t.Fatal(err)
		}
		opts := &Options{Hash: tc.hash}
		want, err := Canonicalize(quads, opts)
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 8; round++ {
			in := scramble(rng, quads)
			if round%2 == 1 && len(in) > 0 {
				in = append(in, in[rng.IntN(len(in))])
			}
			got, err := Canonicalize(in, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s round %d: scrambled input canonicalizes differently:\n%s\nwant:\n%s", tc.id, round, got, want)
			}
		}
		again, err := ParseNQuads(want)
		if err != nil {
			t.Fatalf("%s: canonical output does not parse: %v", tc.id, err)
		}
		if len(again) != bytes.Count(want, []byte("\n")) {
			t.Errorf("%s: %d quads parsed from %d lines", tc.id, len(again), bytes.Count(want, []byte("\n")))
		}
		got, err := Canonicalize(again, opts)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: canonicalizing the canonical form: %v\n%s", tc.id, err, got)
		}
	}
}

func TestTermString(t *testing.T) {
	for _, tc := range []struct {
		term Term
		want string
	}{
		{Term{Kind: IRI, Value: "https://example.com/a b"}, "<https://example.com/a b>"},
		{Term{Kind: BlankNode, Value: "b0"}, "_:b0"},
		{Term{Kind: Literal, Value: "plain"}, `"plain"`},
		{Term{Kind: Literal, Value: "x", Datatype: xsdString}, `"x"`},
		{Term{Kind: Literal, Value: "1", Datatype: "http://www.w3.org/2001/XMLSchema#integer"}, `"1"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{Term{Kind: Literal, Value: "chat", Language: "fr-BE", Datatype: rdfLangString}, `"chat"@fr-BE`},
		{Term{Kind: Literal, Value: "\b\t\n\f\r\"\\'"}, `"\b\t\n\f\r\"\\'"`},
		{Term{Kind: Literal, Value: "\x00\x01\x07\x0b\x0e\x1f\x7f"}, `"\u0000\u0001\u0007\u000B\u000E\u001F\u007F"`},
		{Term{Kind: Literal, Value: "\uFFFE\uFFFF\uFFFD é ∞ 🌃 \u0080 \u2028"}, "\"\\uFFFE\\uFFFF\uFFFD é ∞ 🌃 \u0080 \u2028\""},
		{Term{Kind: Literal, Value: "bad\xffutf8"}, "\"bad\uFFFDutf8\""},
		{Term{}, ""},
	} {
		if got := tc.term.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.term, got, tc.want)
		}
	}
	q := Quad{
		Subject:   Term{Kind: BlankNode, Value: "s"},
		Predicate: Term{Kind: IRI, Value: "urn:p"},
		Object:    Term{Kind: Literal, Value: "o"},
	}
	if got := q.String(); got != `_:s <urn:p> "o" .` {
		t.Errorf("Quad.String() = %q", got)
	}
	q.Graph = Term{Kind: IRI, Value: "urn:g"}
	if got := q.String(); got != `_:s <urn:p> "o" <urn:g> .` {
		t.Errorf("Quad.String() = %q", got)
	}
}

func TestParseNQuads(t *testing.T) {
	in := "# comment\r\n" +
		"<urn:s> <urn:p> \"a\\u00E9\\U0001F303\\t\"@en-GB <urn:g> . # trailing\n" +
		"\n" +
		"_:b.1 <urn:p> _:x.\n" +
		"_:b.1\t<urn:p>\t\"1\"^^<urn:\\u0074>\t.\r" +
		"_:b.1 <urn:p> _:x .\n" // a repeat, dropped
	quads, err := ParseNQuads([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Quad{
		{Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: Literal, Value: "aé🌃\t", Language: "en-GB"}, Term{Kind: IRI, Value: "urn:g"}},
		{Term{Kind: BlankNode, Value: "b.1"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: BlankNode, Value: "x"}, Term{}},
		{Term{Kind: BlankNode, Value: "b.1"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: Literal, Value: "1", Datatype: "urn:t"}, Term{}},
	}
	if len(quads) != len(want) {
		t.Fatalf("got %d quads: %v", len(quads), quads)
	}
	for i := range want {
		if quads[i] != want[i] {
			t.Errorf("quad %d = %#v, want %#v", i, quads[i], want[i])
		}
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
	}{
		{"<urn:s> <urn:p> <urn:o>", 1, 24},
		{"<urn:s> <urn:p> <urn:o> .\n<urn:s> _:p <urn:o> .", 2, 9},
		{"<urn:s> <urn:p> \"unterminated .\n", 1, 32},
		{"<urn:s> <urn:p> <urn:a b> .", 1, 23},
		{"<urn:s> <urn:p> <urn:a\\u003Eb> .", 1, 23},
		{"<urn:s> <urn:p> \"x\"@ .", 1, 21},
		{"<urn:s> <urn:p> \"\\uD800\" .", 1, 18},
		{"<urn:s> <urn:p> \"\\q\" .", 1, 18},
		{"\"lit\" <urn:p> <urn:o> .", 1, 1},
		{"<urn:s> <urn:p> <urn:o> . <urn:s>", 1, 27},
		{"_:-a <urn:p> <urn:o> .", 1, 3},
		{"<urn:s> <urn:p> \"\xff\" .", 1, 18},
	} {
		_, err := ParseNQuads([]byte(tc.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a *SyntaxError", tc.in, err)
			continue
		}
		if se.Line != tc.line || se.Column != tc.col {
			t.Errorf("%q: error at %d:%d (%v), want %d:%d", tc.in, se.Line, se.Column, se, tc.line, tc.col)
		}
		if errkind.Of(err) != errkind.BadInput {
			t.Errorf("%q: kind %v", tc.in, errkind.Of(err))
		}
	}
}

func TestCanonicalizeRefusesBadQuads(t *testing.T) {
	iri := Term{Kind: IRI, Value: "urn:x"}
	lit := Term{Kind: Literal, Value: "x"}
	for _, q := range []Quad{
		{lit, iri, iri, Term{}},
		{iri, Term{Kind: BlankNode, Value: "p"}, iri, Term{}},
		{iri, iri, Term{}, Term{}},
		{iri, iri, iri, lit},
		{iri, iri, Term{Kind: Literal, Value: "\xff"}, Term{}},
		{iri, iri, Term{Kind: IRI, Value: "urn:a> <urn:b"}, Term{}},
		{iri, iri, Term{Kind: IRI, Value: "urn:a\nb"}, Term{}},
		{iri, iri, Term{Kind: IRI, Value: "urn:\xff"}, Term{}},
		{iri, iri, Term{Kind: Literal, Value: "x", Datatype: "urn:t> ."}, Term{}},
		{iri, iri, Term{Kind: Literal, Value: "x", Language: "en .\n"}, Term{}},
		{Term{Kind: BlankNode, Value: "a <urn:p> _:b"}, iri, iri, Term{}},
	} {
		_, err := Canonicalize([]Quad{{iri, iri, iri, Term{}}, q}, nil)
		var qe *QuadError
		if !errors.As(err, &qe) || qe.Index != 1 || errkind.Of(err) != errkind.BadInput {
			t.Errorf("%v: got %v, want a *QuadError for quad 1", q, err)
		}
	}
	if _, err := Canonicalize(nil, &Options{Hash: crypto.MD4}); errkind.Of(err) != errkind.Usage {
		t.Errorf("unavailable hash: got %v", err)
	}
}

func TestLimits(t *testing.T) {
	// A ring of 40 blank nodes that all look alike.
	var ring []Quad
	p := Term{Kind: IRI, Value: "urn:next"}
	for i := 0; i < 40; i++ {
		ring = append(ring, Quad{
			Subject:   Term{Kind: BlankNode, Value: "r" + strconv.Itoa(i)},
			Predicate: p,
			Object:    Term{Kind: BlankNode, Value: "r" + strconv.Itoa((i+1)%40)},
		})
	}
	if _, err := Canonicalize(ring, nil); err != nil {
		t.Fatalf("a 40-node ring is refused by default: %v", err)
	}
	var le *LimitError
	_, err := Canonicalize(ring, &Options{MaxBlankNodes: 39})
	if !errors.As(err, &le) || le.Limit != "blank nodes" || le.Max != 39 || errkind.Of(err) != errkind.BadInput {
		t.Errorf("MaxBlankNodes 39: got %v", err)
	}
	_, err = Canonicalize(ring, &Options{MaxWork: 10})
	if !errors.As(err, &le) || le.Limit != "work" || le.Max != 10 {
		t.Errorf("MaxWork 10: got %v", err)
	}
	if want := "canonicalization refused: the graph needs more than 10 steps to label its blank nodes (a 'poison graph')"; err.Error() != want {
		t.Errorf("message %q", err)
	}
}

// TestLimitsBoundLargePermutations checks that the work limit counts the
// size of permutations, not only their number: two blank nodes sharing
// 2,000 look-alike neighbours are refused.
func TestLimitsBoundLargePermutations(t *testing.T) {
	var quads []Quad
	for i := 0; i < 2000; i++ {
		for _, hub := range []string{"h1", "h2"} {
			quads = append(quads, Quad{
				Subject:   Term{Kind: BlankNode, Value: hub},
				Predicate: Term{Kind: IRI, Value: "urn:p"},
				Object:    Term{Kind: BlankNode, Value: "leaf" + strconv.Itoa(i)},
			})
		}
	}
	var le *LimitError
	if _, err := Canonicalize(quads, nil); !errors.As(err, &le) || le.Limit != "work" || le.Max != DefaultMaxWork {
		t.Errorf("got %v, want a *LimitError for work", err)
	}
}

func TestLabels(t *testing.T) {
	quads, err := ParseNQuads([]byte("_:x <urn:p> _:y .\n_:y <urn:q> \"v\" .\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Labels(quads, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["x"] == got["y"] || !strings.HasPrefix(got["x"], "c14n") || !strings.HasPrefix(got["y"], "c14n") {
		t.Errorf("Labels = %v", got)
	}
}

func TestRepeatedQuadsOnce(t *testing.T) {
	iri := func(v string) Term { return Term{Kind: IRI, Value: v} }
	plain := Quad{Subject: iri("urn:s"), Predicate: iri("urn:p"), Object: Term{Kind: Literal, Value: "v"}}
	typed := plain
	typed.Object.Datatype = xsdString // the same literal, its datatype spelled out
	blank := Quad{Subject: Term{Kind: BlankNode, Value: "x"}, Predicate: iri("urn:p"), Object: iri("urn:o")}
	once, err := Canonicalize([]Quad{plain, blank}, nil)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Canonicalize([]Quad{blank, plain, typed, blank, plain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "<urn:s> <urn:p> \"v\" .\n_:c14n0 <urn:p> <urn:o> .\n"
	if string(once) != want || string(twice) != want {
		t.Errorf("got\n%s\nand\n%s\nwant\n%s", once, twice, want)
	}
}

// TestConcurrent canonicalizes from several goroutines at once, as a
// batch verifier does, sharing the pooled state (run with -race).
func TestConcurrent(t *testing.T) {
	var inputs [][]Quad
	var wants [][]byte
	for _, tc := range w3cTests(t) {
		if tc.kind != "TRUE" || tc.hash != crypto.SHA256 {
			continue
		}
		quads, err := ParseNQuads(readTestFile(t, tc.id+"-in.nq"))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, quads)
		wants = append(wants, readTestFile(t, tc.id+"-rdfc10.nq"))
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for round := 0; round < 3; round++ {
				for i, in := range inputs {
					got, err := Canonicalize(in, nil)
					if err == nil && !bytes.Equal(got, wants[i]) {
						err = errors.New("wrong output for input " + strconv.Itoa(i))
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
