package rdfc

import (
	"bytes"
	"crypto"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// w3cTest is one row of testdata/rdf-canon/manifest.csv.
type w3cTest struct {
	id, name string
	hash     crypto.Hash
	kind     string // "TRUE" (eval test) or "RDFC10NegativeEvalTest"
	withMap  bool
}

func w3cTests(t *testing.T) []w3cTest {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rdf-canon", "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tests []w3cTest
	for _, r := range rows[1:] {
		tc := w3cTest{id: r[0], name: r[1], kind: r[6], withMap: r[7] == "TRUE", hash: crypto.SHA256}
		switch r[5] {
		case "":
		case "SHA384":
			tc.hash = crypto.SHA384
		default:
			t.Fatalf("%s: unknown hash algorithm %q", r[0], r[5])
		}
		tests = append(tests, tc)
	}
	if len(tests) < 60 {
		t.Fatalf("manifest has %d tests", len(tests))
	}
	return tests
}

func readTestFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rdf-canon", "rdfc10", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestW3C runs every test of the W3C RDFC-1.0 suite: canonical N-Quads
// byte for byte, the issued identifier maps, and the poison graph refused.
func TestW3C(t *testing.T) {
	tests := w3cTests(t)
	var eval, negative, maps int
	for _, tc := range tests {
		switch {
		case tc.kind == "RDFC10NegativeEvalTest":
			negative++
		case tc.withMap:
			maps++
			fallthrough
		default:
			eval++
		}
	}
	if eval < 60 || negative != 1 || maps < 20 {
		t.Fatalf("manifest has %d eval, %d negative, %d map tests", eval, negative, maps)
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			quads, err := ParseNQuads(readTestFile(t, tc.id+"-in.nq"))
			if err != nil {
				t.Fatal(err)
			}
			opts := &Options{Hash: tc.hash}
			got, err := Canonicalize(quads, opts)
			switch tc.kind {
			case "RDFC10NegativeEvalTest":
				var le *LimitError
				if !errors.As(err, &le) {
					t.Fatalf("%s (%s): got %v, want a *LimitError", tc.id, tc.name, err)
				}
				return
			case "TRUE":
			default:
				t.Fatalf("unknown test kind %q", tc.kind)
			}
			if err != nil {
				t.Fatal(err)
			}
			want := readTestFile(t, tc.id+"-rdfc10.nq")
			if !bytes.Equal(got, want) {
				t.Errorf("%s (%s):\ngot:\n%s\nwant:\n%s", tc.id, tc.name, got, want)
			}
			if !tc.withMap {
				return
			}
			var wantMap map[string]string
			if err := json.Unmarshal(readTestFile(t, tc.id+"-rdfc10map.json"), &wantMap); err != nil {
				t.Fatal(err)
			}
			gotMap, err := Labels(quads, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotMap, wantMap) {
				t.Errorf("%s (%s): labels %v, want %v", tc.id, tc.name, gotMap, wantMap)
			}
		})
	}
}
