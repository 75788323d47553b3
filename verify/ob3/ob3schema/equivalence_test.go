package ob3schema

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/ob3fixtures"
	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// officialFile is 1EdTech's AchievementCredential schema (formal JSON form,
// 2019-09) as downloaded by educredentials/obv3-examples; its $defs hold
// the EndorsementCredential and Profile classes as well.
const officialFile = "testdata/official/ob_v3p0_achievementcredential_schema.json"

// official compiles the official schema's class (root "" or a $defs name)
// with the oracle, formats asserted as ours are.
func official(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(officialFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://example.test/official.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	target := url
	if def != "" {
		target += "#/$defs/" + def
	}
	s, err := c.Compile(target)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ours compiles one of our embedded schemas.
func ours(t *testing.T, url string) func(any) error {
	t.Helper()
	set := NewSet(nil)
	return func(v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			// Our API takes credentials; a non-object is checked as the
			// schema's root type would.
			m = map[string]any{"\x00notAnObject": v}
		}
		return set.ValidateCredentialSchema(context.Background(), url, m)
	}
}

// decode reads JSON as both validators want it (numbers as json.Number).
func decode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// corpusDocs are the credentials the comparisons start from: every JSON
// and JWT fixture of the 1EdTech validator and the DCC, and the OB 3.0
// specification's test vector when the corpus is present.
func corpusDocs(t *testing.T) map[string]any {
	docs := map[string]any{}
	for _, f := range ob3fixtures.All() {
		b, err := ob3fixtures.Read(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		switch f.Format {
		case "json":
			docs[f.Name] = decode(t, b)
		case "jwt":
			parts := strings.Split(strings.TrimSpace(string(b)), ".")
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			p := decode(t, payload).(map[string]any)
			if vc, ok := p["vc"]; ok {
				docs[f.Name] = vc
			} else {
				docs[f.Name] = p
			}
		}
	}
	if dir := corpusDir(t); dir != "" {
		matches, _ := filepath.Glob(filepath.Join(dir, "ob3", "1edtech-ob-v3p0-test-vector", "*.json"))
		for _, m := range matches {
			b, _ := os.ReadFile(m)
			v := decode(t, b)
			if obj, ok := v.(map[string]any); ok && obj["credentialSubject"] != nil {
				docs["corpus/"+filepath.Base(m)] = v
			}
		}
	}
	return docs
}

// corpusDir is the corpus, or "" without skipping the calling test.
func corpusDir(t *testing.T) (dir string) {
	t.Run("corpus", func(t *testing.T) { dir = testcorpus.Dir(t) })
	return dir
}

// mutations returns doc changed one way at a time: each property of each
// object removed, its value replaced by values of other types, a single
// value wrapped in an array and a one-item array unwrapped.
func mutations(doc any) map[string]any {
	out := map[string]any{}
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := append(append([]any(nil), path...), k)
				name := fmt.Sprint(p)
				out[name+" removed"] = edit(doc, p, nil, true)
				for label, repl := range map[string]any{"42": json.Number("42"), "string": "x", "object": map[string]any{}, "date": "2020-13-45T99:00:00Z"} {
					out[name+" = "+label] = edit(doc, p, repl, false)
				}
				switch c := x[k].(type) {
				case []any:
					if len(c) == 1 {
						out[name+" unwrapped"] = edit(doc, p, c[0], false)
					}
				default:
					out[name+" wrapped"] = edit(doc, p, []any{c}, false)
				}
				walk(x[k], p)
			}
		case []any:
			for i, e := range x {
				walk(e, append(append([]any(nil), path...), i))
			}
		}
	}
	walk(doc, nil)
	return out
}

// edit returns a deep copy of doc with the value at path replaced (or
// removed).
func edit(doc any, path []any, repl any, remove bool) any {
	if len(path) == 0 {
		return repl
	}
	switch x := doc.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, v := range x {
			c[k] = v
		}
		k := path[0].(string)
		if len(path) == 1 && remove {
			delete(c, k)
		} else {
			c[k] = edit(x[k], path[1:], repl, remove)
		}
		return c
	case []any:
		c := append([]any(nil), x...)
		i := path[0].(int)
		c[i] = edit(x[i], path[1:], repl, remove)
		return c
	}
	return doc
}

// compare requires ours and the oracle to agree on every document; it
// returns how many documents each accepted.
func compare(t *testing.T, what string, mine func(any) error, oracle *jsonschema.Schema, docs map[string]any, transform func(any) any) (n, accepted int) {
	t.Helper()
	names := make([]string, 0, len(docs))
	for k := range docs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		d := docs[name]
		theirs := oracle.Validate(transform(d))
		mineErr := mine(d)
		n++
		if mineErr == nil {
			accepted++
		}
		if (theirs == nil) != (mineErr == nil) {
			b, _ := json.Marshal(d)
			if len(b) > 300 {
				b = append(b[:300], "…"...)
			}
			t.Errorf("%s, %s: official says %v; ours says %v\n%s", what, name, brief(theirs), mineErr, b)
		}
	}
	return n, accepted
}

func brief(err error) string {
	if err == nil {
		return "valid"
	}
	s := err.Error()
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

func identity(v any) any { return v }

// mutated are the documents whose one-step mutations are compared: one
// of each shape (VCDM 2.0 and 1.1, the complete example with every class,
// endorsements, DCC's compacted credentials, the JWT payload form). Every
// other document is compared as it is.
var mutated = map[string]bool{
	"1edtech/simple.json":                                true,
	"1edtech/simple_v1.json":                             true,
	"1edtech/complete.json":                              true,
	"1edtech/complete_v1.json":                           true,
	"1edtech/endorsement-valid.json":                     true,
	"1edtech/endorsement-err-schema-status-refresh.json": true,
	"1edtech/velocity.jwt":                               true,
	"dcc/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-identityHash.json":     true,
	"dcc/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-alignments.json":       true,
	"dcc/verifiableCredentials/v2/dataIntegrityProof/didKey/oidf-noStatus-notExpired-complexIssuer.json":            true,
	"dcc/verifiableCredentials/v1/ed25519/didWeb/oidf-validStatus-noExpiry.json":                                    true,
	"dcc/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement-withSchema.json": true,
}

// withMutations is the documents keep selects, plus every one-step
// mutation of the mutated ones (and of every profile: base "").
func withMutations(docs map[string]any, keep func(map[string]any) bool) map[string]any {
	out := map[string]any{}
	for name, d := range docs {
		m, ok := d.(map[string]any)
		if !ok || !keep(m) {
			continue
		}
		out[name] = d
		if testing.Short() {
			continue // the fixtures as they are; the mutations take half a minute
		}
		if !mutated[name] && !mutated[strings.TrimSuffix(name, " issuer")] && !strings.HasPrefix(name, "corpus/") {
			continue
		}
		for mn, md := range mutations(d) {
			out[name+": "+mn] = md
		}
	}
	return out
}

func hasType(m map[string]any, want string) bool {
	switch t := m["type"].(type) {
	case string:
		return t == want
	case []any:
		for _, v := range t {
			if v == want {
				return true
			}
		}
	}
	return false
}

func isAchievement(m map[string]any) bool {
	return hasType(m, "OpenBadgeCredential") || hasType(m, "AchievementCredential") || !hasType(m, "EndorsementCredential")
}

// TestEquivalentToOfficialJSON: our formal (json/) schemas accept and
// reject what the official one does, on the fixtures as they are and on
// every one-step mutation of them.
func TestEquivalentToOfficialJSON(t *testing.T) {
	docs := corpusDocs(t)
	all := withMutations(docs, func(map[string]any) bool { return true })
	n, acc := compare(t, "achievement (json)", ours(t, AchievementCredentialURL), official(t, ""), all, identity)
	t.Logf("achievement (json): %d documents, %d accepted by both", n, acc)
	n, acc = compare(t, "endorsement (json)", ours(t, EndorsementCredentialURL), official(t, "EndorsementCredential"), all, identity)
	t.Logf("endorsement (json): %d documents, %d accepted by both", n, acc)
	profiles := map[string]any{}
	for name, d := range docs {
		if m, ok := d.(map[string]any); ok {
			if p, ok := m["issuer"].(map[string]any); ok {
				profiles[name+" issuer"] = p
			}
		}
	}
	n, acc = compare(t, "profile (json)", ours(t, ProfileURL), official(t, "Profile"), withMutations(profiles, func(map[string]any) bool { return true }), identity)
	t.Logf("profile (json): %d documents, %d accepted by both", n, acc)
	if n == 0 {
		t.Fatal("no profiles compared")
	}
}

// TestEquivalentToOfficialJSONLD: our compaction-tolerant schemas (json-ld/
// and the VCDM 1.1 "any" ones) accept a document exactly when the official
// formal schema accepts the document in formal JSON form: single values
// put in arrays where the model has arrays, language maps read as their
// first string, and for VCDM 1.1 the 2018 context and dates read as their
// VCDM 2.0 counterparts.
func TestEquivalentToOfficialJSONLD(t *testing.T) {
	docs := corpusDocs(t)
	achievements := withMutations(docs, isAchievement)
	endorsements := withMutations(docs, func(m map[string]any) bool { return hasType(m, "EndorsementCredential") })
	for _, c := range []struct {
		what   string
		url    string
		def    string
		docs   map[string]any
		root   string
		anyVer bool
	}{
		{"achievement (json-ld)", AchievementCredentialJSONLDURL, "", achievements, "AchievementCredential", false},
		{"endorsement (json-ld)", EndorsementCredentialJSONLDURL, "EndorsementCredential", endorsements, "EndorsementCredential", false},
		{"achievement (any)", AnyAchievementCredentialURL, "", achievements, "AchievementCredential", true},
		{"endorsement (any)", AnyEndorsementCredentialURL, "EndorsementCredential", endorsements, "EndorsementCredential", true},
	} {
		root := c.root
		anyVer := c.anyVer
		n, acc := compare(t, c.what, ours(t, c.url), official(t, c.def), c.docs, func(v any) any {
			if anyVer {
				v = fromV1(v, true)
			}
			return formal(v, root)
		})
		t.Logf("%s: %d documents, %d accepted by both", c.what, n, acc)
		if n < 100 && !testing.Short() {
			t.Errorf("%s: only %d documents", c.what, n)
		}
	}
}

// fromV1 reads a VCDM 1.1 credential (and its endorsements) as VCDM 2.0.
func fromV1(v any, top bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ctx, _ := m["@context"].([]any)
	if len(ctx) == 0 || ctx[0] != vc1Context {
		if !top {
			return v
		}
		// A VCDM 2.0 credential may embed VCDM 1.1 endorsements.
		return walkEndorsements(m)
	}
	c := map[string]any{}
	for k, x := range m {
		switch k {
		case "validFrom", "validUntil":
			// Not VCDM 1.1 terms: extra properties, which the official
			// schema allows but would read as dates.
			c["x-"+k] = x
		case "issuanceDate":
			c["validFrom"] = x
		case "expirationDate":
			c["validUntil"] = x
		case "@context":
			nc := append([]any{vc2Context}, ctx[1:]...)
			c[k] = nc
		default:
			c[k] = x
		}
	}
	return walkEndorsements(c)
}

func walkEndorsements(m map[string]any) map[string]any {
	c := map[string]any{}
	for k, x := range m {
		c[k] = x
	}
	var fix func(v any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if k == "endorsement" {
					if l, ok := e.([]any); ok {
						nl := make([]any, len(l))
						for i, en := range l {
							nl[i] = fromV1(en, false)
						}
						out[k] = nl
						continue
					}
					out[k] = fromV1(e, false)
					continue
				}
				out[k] = fix(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = fix(e)
			}
			return out
		}
		return v
	}
	return fix(c).(map[string]any)
}

var langTagRE = regexp.MustCompile(langTag)

// formal rewrites a compacted value of class name into the formal JSON
// form, following the model.
func formal(v any, name string) any {
	classes := map[string]class{}
	for _, c := range model {
		classes[c.name] = c
	}
	var conv func(v any, name string) any
	conv = func(v any, name string) any {
		if name == "ProfileRef" {
			if _, ok := v.(map[string]any); ok {
				name = "Profile"
			} else {
				return v
			}
		}
		c, known := classes[name]
		m, ok := v.(map[string]any)
		if !known || !ok {
			return v
		}
		out := map[string]any{}
		for k, x := range m {
			out[k] = x
		}
		if t, ok := out["type"].(string); ok && c.typ == "contains" {
			out["type"] = []any{t}
		}
		for _, p := range c.props {
			x, present := out[p.name]
			if !present {
				continue
			}
			one := func(e any) any {
				if iri, ok := e.(string); ok && p.kind == "ref" && p.ref == "Image" {
					return map[string]any{"id": iri, "type": "Image"}
				}
				if p.kind == "ref" {
					return conv(e, p.ref)
				}
				if p.kind == "str" && p.enum == nil {
					if lm, ok := e.(map[string]any); ok && isLangMap(lm) {
						if len(lm) == 0 {
							return ""
						}
						keys := make([]string, 0, len(lm))
						for k := range lm {
							keys = append(keys, k)
						}
						sort.Strings(keys)
						return lm[keys[0]]
					}
				}
				return e
			}
			if p.many {
				l, isList := x.([]any)
				if !isList {
					out[p.name] = []any{one(x)}
					continue
				}
				nl := make([]any, len(l))
				for i, e := range l {
					nl[i] = one(e)
				}
				out[p.name] = nl
				continue
			}
			out[p.name] = one(x)
		}
		return out
	}
	return conv(v, name)
}

// isLangMap: an object of language tags to strings (possibly empty).
func isLangMap(m map[string]any) bool {
	for k, v := range m {
		if _, ok := v.(string); !ok || !langTagRE.MatchString(k) {
			return false
		}
	}
	return true
}
