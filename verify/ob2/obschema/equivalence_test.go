package obschema

// These tests prove that every schema we wrote accepts and rejects the same
// documents as the official copy in the shared corpus: for each extension a
// valid sample is mutated at every path (each property removed, each value
// replaced by values of every JSON type, wrapped in or unwrapped from an
// array), and both schemas must give the same verdict on every mutant. A
// second test shows that the mutants exercise every constraint of our
// schemas: removing any one of them changes the verdict on some mutant.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// corpusDir holds the official copies, relative to this package directory.
const corpusDir = "../../../../shared/corpus/contexts/ob-v2p0-extensions"

// officialSchema reads the official copy of an extension's schema, or
// skips the test when the corpus is absent.
func officialSchema(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name, "schema.json"))
	if os.IsNotExist(err) {
		t.Skipf("official schemas not found at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decodeJSON(b)
	if err != nil {
		t.Fatalf("official %s schema: %v", name, err)
	}
	return doc
}

// normalizeOfficial repairs the one official schema that is not a valid
// JSON schema: accessibilityExtension lists its required properties inside
// "properties". The repaired copy requires them, as was evidently meant;
// TestOfficialAccessibilityIsInvalid shows the published copy cannot be
// compiled at all.
func normalizeOfficial(name string, doc any) any {
	if name != "accessibilityExtension" {
		return doc
	}
	m := doc.(map[string]any)
	props := m["properties"].(map[string]any)
	if req, ok := props["required"]; ok {
		delete(props, "required")
		m["required"] = req
	}
	return m
}

func compileDoc(t *testing.T, url string, doc any) *Schema {
	t.Helper()
	s, err := compileDocument(url, doc, backrefRegexp)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return s
}

// compileDocument compiles the schema document doc as if loaded from url,
// with patterns compiled by re; any other URL is not found.
func compileDocument(url string, doc any, re func(string) (matcher, error)) (*Schema, error) {
	c := newCompiler(func(u string) (any, error) {
		if u != url {
			return nil, fmt.Errorf("%s not found", u)
		}
		return doc, nil
	})
	c.regexp = re
	n, err := c.compile(url)
	if err != nil {
		return nil, err
	}
	return &Schema{URL: url, n: n}, nil
}

// backrefRegexp compiles patterns with Go's regexp, except that an optional
// dash group referred back to, "(-?)…\2" as in the official issuer
// accreditation date pattern, is matched as the backreference means: the
// pattern with the dash in both places, or in neither. Go's RE2 engine has
// no backreferences, so this is how the official copy can be compiled.
func backrefRegexp(pattern string) (matcher, error) {
	if !strings.Contains(pattern, `(-?)`) || !strings.Contains(pattern, `\2`) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, err
		}
		return re, nil
	}
	with, err := regexp.Compile(strings.ReplaceAll(strings.Replace(pattern, `(-?)`, `(-)`, 1), `\2`, `-`))
	if err != nil {
		return nil, err
	}
	without, err := regexp.Compile(strings.ReplaceAll(strings.Replace(pattern, `(-?)`, `()`, 1), `\2`, ``))
	if err != nil {
		return nil, err
	}
	return eitherRegexp{pattern, with, without}, nil
}

type eitherRegexp struct {
	pattern   string
	with, out *regexp.Regexp
}

func (e eitherRegexp) String() string { return e.pattern }
func (e eitherRegexp) MatchString(s string) bool {
	return e.with.MatchString(s) || e.out.MatchString(s)
}

func TestOfficialAccessibilityIsInvalid(t *testing.T) {
	doc := officialSchema(t, "accessibilityExtension")
	if _, err := compileDocument("https://example.org/a.json", doc, goRegexp); err == nil {
		t.Error("the published accessibility schema compiles; drop normalizeOfficial")
	}
}

// samples are valid documents of each extension, as the compacted
// extension node looks when it is validated (terms of the extension
// context). Each uses every property its schema defines.
var samples = map[string]string{
	"accessibilityExtension": `{"type": ["Extension", "extensions:Accessibility"],
		"url": "http://exampleaccessiblecontent.org/", "accessibilityAPI": "ARIA",
		"accessibilityControl": ["fullKeyboardControl", "fullMouseControl"],
		"accessibilityFeature": "audioDescription", "accessibilityHazard": "noFlashingHazard"}`,
	"applyLinkExtension": `{"type": ["Extension", "extensions:ApplyLink"], "url": "http://website.com/apply"}`,
	"assessmentExtension": `{"type": ["Extension", "extensions:AssessmentExtension"],
		"description": "Two assessments.",
		"assessments": [
			{"type": "Exam", "description": "A written exam.", "assessmentOutput": "score",
			 "hasGroupParticipation": false, "hasGroupEvaluation": false, "evaluationMethod": "graded",
			 "assessmentExample": "https://example.org/exam", "scoringMethodExampleDescription": "points",
			 "assessmentEvaluation": "https://example.org/study",
			 "rubrics": [{"identifier": "0f8fad5b-d9cb-469f-a165-70867728950e", "title": "Rubric",
			   "lastChangeDateTime": "2017-01-01T00:00:00Z", "caseUri": "https://example.org/case/1",
			   "rubricCriteria": [{"identifier": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
			     "lastChangeDateTime": "2017-01-01T00:00:00Z", "caseUri": "https://example.org/case/2",
			     "category": "c", "description": "d", "weight": 1.5, "position": 1,
			     "criterionLevels": [{"identifier": "16fd2706-8baf-433b-82eb-8c7fada847da",
			       "lastChangeDateTime": "2017-01-01T00:00:00Z", "caseUri": "https://example.org/case/3",
			       "quality": "good", "score": 3, "description": "Good work.", "position": 2, "feedback": "ok"}]}]}],
			 "sections": [{"title": "Part 1", "description": "d", "rubricId": "x", "url": "https://example.org/s1",
			   "required": true,
			   "questions": [{"type": "TextQuestion", "text": "Why?", "rubricId": "x", "url": "https://example.org/q1",
			     "required": false, "wordLimit": 100, "characterLimit": 600}]}]},
			{"type": "Artifact", "description": "A portfolio.", "assessmentOutput": "portfolio",
			 "hasGroupParticipation": true, "hasGroupEvaluation": true, "evaluationMethod": "reviewed",
			 "rubrics": {"identifier": "0f8fad5b-d9cb-469f-a165-70867728950e", "title": "R",
			   "rubricCriteria": {"identifier": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
			     "criterionLevels": {"identifier": "16fd2706-8baf-433b-82eb-8c7fada847da", "description": "d"}}},
			 "sections": {"questions": {"type": "FileQuestion", "text": "Upload"}}}
		]}`,
	"endorsement": `{"type": ["Extension", "extensions:Endorsement"], "description": "A fine badge.",
		"endorsedObject": {"id": "https://example.org/badge"}}`,
	"exampleExtension": `{"type": ["Extension", "extensions:ExampleExtension"], "exampleProperty": "I'm a property, short and sweet."}`,
	"extraDescription": `{"type": ["Extension", "extensions:ExtraDescriptionExtension"], "name": "Related", "narrative": "* one\n* two"}`,
	"geoCoordinatesExtension": `{"type": ["Extension", "extensions:GeoCoordinates", "schema:Place"],
		"name": "Stadium of Light", "description": "A football stadium.",
		"geo": {"latitude": 54.91444, "longitude": -1.387721}}`,
	"issuerAccreditationExtension": `{"type": ["Extension", "extensions:IssuerAccreditation"],
		"name": "Accreditor", "description": "d", "url": "https://example.org/acc", "email": "a@example.org",
		"logo": "https://example.org/logo.png", "contactInstructions": "Call us",
		"address": {"streetAddress": "1 Main St", "addressLocality": "Chicago", "addressRegion": "IL",
		  "postalCode": "60601", "addressCountry": "USA"},
		"parentOrganization": {"name": "Parent", "url": "https://example.org/parent",
		  "address": {"streetAddress": "2 Main St", "addressLocality": "Chicago", "addressRegion": "IL",
		    "postalCode": "60601", "addressCountry": "USA"}},
		"areaServed": "IL", "accreditationDate": "2009-07-31", "educationalSector": "Higher Education"}`,
	"licenseExtension": `{"type": ["Extension", "extensions:LicenseExtension", "License"], "id": "CC-BY",
		"name": "Creative Commons Attribution", "legalCode": "http://creativecommons.org/licenses/by/4.0/legalcode"}`,
	"originalCreatorExtension": `{"type": ["Extension", "extensions:OriginalCreator"], "url": "https://example.org/creator-organisation.json"}`,
	"recipientProfile": `{"type": ["Extension", "extensions:RecipientProfile"], "id": "did:example:123", "name": "Alice",
		"publicKey": "ecdsa-koblitz-pubkey:14RZvYazz9H2DC2skBfpPVxax54g4yabxe"}`,
}

// replacements are the values every value of a sample is replaced with:
// every JSON type, and strings that hit or miss each format and pattern the
// schemas use.
var replacements = []string{
	`null`, `true`, `false`, `0`, `1`, `-1.5`, `""`, `"x"`, `"not a uri"`,
	`"https://example.org/x"`, `"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"`,
	`"CC-BY-SA"`, `"cc-by"`, `"2009-07-31"`, `"20090731"`, `"2009-13-31"`, `"2009-0731"`, `"200907-31"`, `"2009-07-31T00:00:00Z"`, `"yesterday"`,
	`"0f8fad5b-d9cb-469f-a165-70867728950e"`, `"0F8FAD5B-D9CB-469F-A165-70867728950E"`,
	`"Exam"`, `"Performance"`, `"Artifact"`, `"Quiz"`, `"TextQuestion"`, `"ExternalQuestion"`,
	`[]`, `["x"]`, `[1]`, `{}`, `{"x": 1}`, `[{}]`,
}

// mutants returns the sample and every document one mutation away from it,
// keyed by a description of the mutation.
func mutants(t *testing.T, sample string) map[string]any {
	t.Helper()
	out := map[string]any{"sample": decode(t, sample)}
	base := decode(t, sample)
	var mutateAt func(path []any)
	mutateAt = func(path []any) {
		v := at(base, path)
		name := fmt.Sprint(path)
		// Replace the value (the whole document too).
		if len(path) == 0 {
			for _, r := range replacements {
				out["document = "+r] = decode(t, r)
			}
		} else {
			for _, r := range replacements {
				out[name+" = "+r] = replaced(t, sample, path, decode(t, r))
			}
			out[name+" wrapped"] = replaced(t, sample, path, []any{v})
			if l, ok := v.([]any); ok && len(l) > 0 {
				out[name+" unwrapped"] = replaced(t, sample, path, l[0])
			}
			if _, isKey := path[len(path)-1].(string); isKey {
				out[name+" removed"] = replaced(t, sample, path, removed{})
			}
		}
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				mutateAt(append(slices.Clone(path), k))
			}
			// An extra property.
			out[name+" + extra"] = replaced(t, sample, append(slices.Clone(path), "extraProperty"), "x")
		case []any:
			for i := range v {
				mutateAt(append(slices.Clone(path), i))
			}
		}
	}
	mutateAt(nil)
	return out
}

// removed marks a property to delete.
type removed struct{}

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

func at(doc any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			doc = doc.(map[string]any)[p]
		case int:
			doc = doc.([]any)[p]
		}
	}
	return doc
}

// replaced returns a fresh copy of sample with the value at path replaced
// (or deleted, for removed{}).
func replaced(t *testing.T, sample string, path []any, v any) any {
	doc := decode(t, sample)
	parent := at(doc, path[:len(path)-1])
	switch p := path[len(path)-1].(type) {
	case string:
		m := parent.(map[string]any)
		if _, ok := v.(removed); ok {
			delete(m, p)
		} else {
			m[p] = v
		}
	case int:
		parent.([]any)[p] = v
	}
	return doc
}

func TestEmbeddedSchemasMatchOfficial(t *testing.T) {
	for _, name := range Extensions {
		t.Run(name, func(t *testing.T) {
			official := compileDoc(t, "https://example.org/official/"+name, normalizeOfficial(name, officialSchema(t, name)))
			ours, err := NewSet(nil).Schema(context.Background(), URLs(name)[0])
			if err != nil {
				t.Fatal(err)
			}
			docs := mutants(t, samples[name])
			accepted, rejected := 0, 0
			for what, doc := range docs {
				theirs := official.Validate(doc) == nil
				mine := ours.Validate(doc) == nil
				if theirs != mine {
					b, _ := json.Marshal(doc)
					t.Errorf("%s: official accepts %v, ours %v: %s", what, theirs, mine, b)
				}
				if mine {
					accepted++
				} else {
					rejected++
				}
			}
			if ours.Validate(docs["sample"]) != nil {
				t.Errorf("the sample is not valid: %v", ours.Validate(docs["sample"]))
			}
			t.Logf("%d documents: %d accepted, %d rejected by both", len(docs), accepted, rejected)
		})
	}
}

// constraint is one removable constraint of a schema: the keyword at a
// JSON path in the schema document, and for "required" one listed name.
type constraint struct {
	path    []any
	keyword string
	name    string
}

func (c constraint) String() string {
	if c.name != "" {
		return fmt.Sprintf("%v %s %s", c.path, c.keyword, c.name)
	}
	return fmt.Sprintf("%v %s", c.path, c.keyword)
}

// constraints lists every validating keyword of a schema document whose
// removal could change a verdict.
func constraints(doc any, path []any) []constraint {
	var out []constraint
	switch v := doc.(type) {
	case map[string]any:
		for _, k := range []string{"type", "pattern", "enum", "oneOf", "items", "$ref"} {
			if _, ok := v[k]; ok {
				out = append(out, constraint{path: path, keyword: k})
			}
		}
		if f, ok := v["format"].(string); ok && f != "url" { // "url" is no format: nothing to remove
			out = append(out, constraint{path: path, keyword: "format", name: f})
		}
		if req, ok := v["required"].([]any); ok {
			for _, r := range req {
				out = append(out, constraint{path: path, keyword: "required", name: r.(string)})
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "required" || k == "enum" {
				continue
			}
			out = append(out, constraints(v[k], append(slices.Clone(path), k))...)
		}
	case []any:
		for i, e := range v {
			out = append(out, constraints(e, append(slices.Clone(path), i))...)
		}
	}
	return out
}

// without returns a copy of the schema document without constraint c.
func without(t *testing.T, name string, c constraint) any {
	doc, err := Document(URLs(name)[0])
	if err != nil {
		t.Fatal(err)
	}
	m := at(doc, c.path).(map[string]any)
	if c.keyword == "required" {
		var keep []any
		for _, r := range m["required"].([]any) {
			if r != c.name {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			delete(m, "required")
		} else {
			m["required"] = keep
		}
		return doc
	}
	delete(m, c.keyword)
	return doc
}

func TestSamplesExerciseEveryConstraint(t *testing.T) {
	for _, name := range Extensions {
		t.Run(name, func(t *testing.T) {
			doc, err := Document(URLs(name)[0])
			if err != nil {
				t.Fatal(err)
			}
			full := compileDoc(t, "https://example.org/ours/"+name, doc)
			docs := mutants(t, samples[name])
			cs := constraints(doc, nil)
			if len(cs) == 0 {
				t.Fatal("no constraints found")
			}
			for i, c := range cs {
				weaker := compileDoc(t, fmt.Sprintf("https://example.org/weaker/%s/%d", name, i), without(t, name, c))
				changed := false
				for _, d := range docs {
					if (full.Validate(d) == nil) != (weaker.Validate(d) == nil) {
						changed = true
						break
					}
				}
				if !changed && !redundant(doc, c) {
					t.Errorf("removing %v changes no verdict: the samples do not exercise it", c)
				}
			}
		})
	}
}

// redundant reports a constraint implied by its siblings: a "type" beside
// an "enum" whose values all have that type.
func redundant(doc any, c constraint) bool {
	m := at(doc, c.path).(map[string]any)
	enum, ok := m["enum"].([]any)
	if c.keyword != "type" || !ok {
		return false
	}
	for _, e := range enum {
		if _, isString := e.(string); !isString || m["type"] != "string" {
			return false
		}
	}
	return true
}
