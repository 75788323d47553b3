package obschema

// This package's validator replaced github.com/santhosh-tekuri/jsonschema/v6
// in the binary: that library compiles every draft's metaschema in its own
// init, which every run of the CLI paid for. The library stays a test
// dependency, as an oracle: these tests give both validators the same
// schemas and documents and require the same verdicts.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// theirs compiles a schema document with the oracle.
func theirs(t *testing.T, url string, doc any) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseRegexpEngine(func(p string) (jsonschema.Regexp, error) {
		m, err := backrefRegexp(p)
		if err != nil {
			return nil, err
		}
		return m.(jsonschema.Regexp), nil
	})
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("oracle: %s: %v", url, err)
	}
	return s
}

// differences are the verdicts where ours departs from the oracle's on
// purpose: why, and which values and verdicts they cover.
var differences = []struct {
	why     string
	applies func(v any, ours error) bool
}{
	{
		"ours reads email as RFC 5322's addr-spec; the oracle's is looser (an empty local part, \"@example.org\", or an unterminated quoted one, \"\\\"a@example.org\"), so ours may refuse what it accepts, never the reverse",
		func(v any, ours error) bool {
			_, ok := v.(string)
			return ok && ours != nil && strings.Contains(ours.Error(), "is not valid email")
		},
	},
	{
		`a string and a number are different items ("01" and 1), and enum and const tell them apart; the oracle's uniqueItems does not`,
		func(v any, ours error) bool {
			l, ok := v.([]any)
			if !ok || ours != nil {
				return false
			}
			for _, x := range l {
				for _, y := range l {
					s, isString := x.(string)
					rs, sIsNumber := toRat(json.Number(strings.TrimSpace(s)))
					ry, yIsNumber := toRat(y)
					if isString && sIsNumber && yIsNumber && rs.Cmp(ry) == 0 {
						return true
					}
				}
			}
			return false
		},
	},
	{
		"a number with a huge exponent (1000000E100000000, which big.Rat refuses) is still a number, and an integer if it has no fraction; the oracle reads it as no integer, and panics on other keywords; ours reads exponents past 400 as a big.Float",
		func(v any, _ error) bool {
			n, ok := v.(json.Number)
			_, readable := toRat(n)
			return ok && !readable
		},
	},
	{
		"RFC 3339 fields are digits; the oracle reads them with strconv.Atoi, which takes a sign (\"00:00:+0Z\")",
		func(v any, ours error) bool {
			s, ok := v.(string)
			if !ok || ours == nil || !regexp.MustCompile(`is not valid (date-time|date|time)\b`).MatchString(ours.Error()) {
				return false
			}
			return regexp.MustCompile(`(^|[-:Tt+])[-+]`).MatchString(s)
		},
	},
	{
		"an IPv4 address is dotted decimal digits; the oracle reads each part with strconv.Atoi, which takes a sign (\"+6.0.0.1\")",
		func(v any, ours error) bool {
			s, ok := v.(string)
			return ok && ours != nil && strings.Contains(ours.Error(), "is not valid ipv4") && strings.ContainsAny(s, "+-")
		},
	},
}

// oracleValidate validates d with the oracle, which panics on some
// numbers (json.Number "1000000E100000000": its big.Rat is nil); such a
// value is not judged.
func oracleValidate(oracle *jsonschema.Schema, d any) (err error, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return oracle.Validate(d), false
}

// sameVerdicts requires both validators to accept or reject each document,
// but for the differences listed, where they must disagree.
func sameVerdicts(t *testing.T, what string, ours *Schema, oracle *jsonschema.Schema, docs map[string]any) {
	t.Helper()
	for name, d := range docs {
		oerr, panicked := oracleValidate(oracle, d)
		merr := ours.Validate(d)
		if panicked || (oerr == nil) == (merr == nil) {
			continue
		}
		b, _ := json.Marshal(d)
		excused := false
		for _, diff := range differences {
			if diff.applies(d, merr) {
				t.Logf("%s, %s %s: oracle says %v, ours %v: %s", what, name, b, oerr, merr, diff.why)
				excused = true
			}
		}
		if !excused {
			t.Errorf("%s, %s %s: oracle says %v, ours %v", what, name, b, oerr, merr)
		}
	}
}

// The extension schemas, ours and the official copies, on every mutant of
// the samples.
func TestExtensionVerdictsMatchOracle(t *testing.T) {
	for _, name := range Extensions {
		t.Run(name, func(t *testing.T) {
			docs := mutants(t, samples[name])
			url := URLs(name)[0]
			doc, err := Document(url)
			if err != nil {
				t.Fatal(err)
			}
			sameVerdicts(t, "embedded", compileDoc(t, url, doc), theirs(t, url, doc), docs)
			official := normalizeOfficial(name, officialSchema(t, name))
			u := "https://example.org/official/" + name
			sameVerdicts(t, "official", compileDoc(t, u, official), theirs(t, u, official), docs)
		})
	}
}

// keywordSchemas use every keyword and format of draft-04, -06 and -07
// that the validator knows, beyond those the extension schemas use.
var keywordSchemas = []string{
	`{"type": "integer"}`,
	`{"type": ["string", "null"]}`,
	`{"minimum": 1, "exclusiveMinimum": true}`,
	`{"maximum": 3, "exclusiveMaximum": true}`,
	`{"minimum": 0, "maximum": 10}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "exclusiveMinimum": 1, "exclusiveMaximum": 3}`,
	`{"multipleOf": 0.5}`,
	`{"minLength": 2, "maxLength": 4}`,
	`{"pattern": "^a"}`,
	`{"enum": [1, "a", null, {"x": 1}, [1]]}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "const": {"x": 1}}`,
	`{"minItems": 1, "maxItems": 2, "uniqueItems": true}`,
	`{"items": [{"type": "string"}, {"type": "number"}], "additionalItems": false}`,
	`{"items": [{"type": "string"}], "additionalItems": {"type": "number"}}`,
	`{"items": {"type": "number"}}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "contains": {"type": "string"}}`,
	`{"properties": {"a": {"type": "string"}}, "patternProperties": {"^x": {"type": "number"}}, "additionalProperties": false}`,
	`{"additionalProperties": {"type": "number"}}`,
	`{"required": ["a", "b"], "minProperties": 1, "maxProperties": 2}`,
	`{"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "propertyNames": {"pattern": "^[a-z]+$"}}`,
	`{"allOf": [{"type": "object"}, {"required": ["a"]}]}`,
	`{"anyOf": [{"type": "string"}, {"type": "number"}]}`,
	`{"oneOf": [{"type": "number"}, {"type": "integer"}]}`,
	`{"not": {"type": "string"}}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "number"}}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "properties": {"a": false, "b": true}}`,
	`{"definitions": {"pos": {"type": "number", "minimum": 0}}, "type": "array", "items": {"$ref": "#/definitions/pos"}}`,
	`{"definitions": {"s": {"id": "#str", "type": "string"}}, "properties": {"a": {"$ref": "#str"}}}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "definitions": {"s": {"$id": "#str", "type": "string"}}, "properties": {"a": {"$ref": "#str"}}}`,
	`{"id": "https://example.org/root/", "definitions": {"s": {"id": "sub.json", "type": "string"}}, "properties": {"a": {"$ref": "https://example.org/root/sub.json"}}}`,
	`{"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["n"]}`,
	`{"format": "date-time"}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "format": "date"}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "format": "time"}`,
	`{"format": "email"}`,
	`{"format": "hostname"}`,
	`{"format": "ipv4"}`,
	`{"format": "ipv6"}`,
	`{"format": "uri"}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "format": "uri-reference"}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "format": "json-pointer"}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "format": "regex"}`,
}

// keywordValues are validated against every keyword schema.
var keywordValues = []string{
	`null`, `true`, `0`, `1`, `2`, `2.5`, `-1`, `3`, `10`, `11`, `1.0`,
	`""`, `"a"`, `"ab"`, `"abcde"`, `"b"`, `"x"`, `"é€"`,
	`[]`, `[1]`, `["a"]`, `["a", 1]`, `["a", 1, 2]`, `["a", 1, "b"]`, `[1, 1]`, `[1, 1.0]`, `["a", "b"]`, `[{"x": 1}]`, `[-1, 2]`,
	`{}`, `{"a": "x"}`, `{"a": 1}`, `{"a": "x", "b": 1}`, `{"a": "x", "b": 1, "c": 2}`, `{"xa": 1}`, `{"xa": "s"}`,
	`{"c": 1}`, `{"c": 1, "d": 2}`, `{"A": 1}`, `{"b": 1}`, `{"x": 1}`, `{"x": 1.0}`,
	`{"n": 1, "child": {"n": 2}}`, `{"n": 1, "child": {}}`, `{"n": 1, "child": {"n": 2, "child": 3}}`,
	`"2009-07-31T00:00:00Z"`, `"2009-07-31t00:00:00.25+05:30"`, `"2009-02-29T00:00:00Z"`, `"2008-02-29T00:00:00Z"`,
	`"2016-12-31T23:59:60Z"`, `"2016-12-31T23:59:60+01:00"`, `"2017-01-01T00:59:60+01:00"`, `"2009-07-31 00:00:00Z"`,
	`"2009-07-31T00:00:00"`, `"2009-07-31T24:00:00Z"`, `"2009-13-01T00:00:00Z"`, `"2009-07-31"`, `"2009-7-31"`,
	`"12:00:00Z"`, `"12:00:00.5-01:00"`, `"25:00:00Z"`, `"12:00:00"`, `"12:00:00.Z"`,
	`"a@example.org"`, `"a.b+c@example.org"`, `"a..b@example.org"`, `".a@example.org"`, `"\"a b\"@example.org"`,
	`"a@[127.0.0.1]"`, `"a@[IPv6:::1]"`, `"@example.org"`, `"a@"`, `"a@-x.org"`, `"a b@example.org"`,
	`"example.org"`, `"-bad.example"`, `"a_b.example"`, `"localhost"`,
	`"127.0.0.1"`, `"127.0.0.01"`, `"256.0.0.1"`, `"1.2.3"`, `"::1"`, `"fe80::1%eth0"`, `"1::2::3"`, `"::ffff:1.2.3.4"`,
	`"https://example.org/x"`, `"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"`, `"not a uri"`, `"//example.org/x"`,
	`"http://[::1]/"`, `"http://[x]/"`, `"http://example.org:99999/"`, `"http://example.org/%zz"`, `"mailto:a@example.org"`, `"x/y?z#w"`,
	`"/a~0b"`, `"/a~2"`, `"a/b"`, `"/"`,
	`"^(a"`, `"a+"`, `"[a-"`,
}

func TestKeywordVerdictsMatchOracle(t *testing.T) {
	docs := map[string]any{}
	for _, v := range keywordValues {
		d, err := decodeJSON([]byte(v))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		docs[v] = d
	}
	for i, s := range keywordSchemas {
		doc, err := decodeJSON([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		url := fmt.Sprintf("https://example.org/keywords/%d.json", i)
		sameVerdicts(t, s, compileDoc(t, url, doc), theirs(t, url, doc), docs)
	}
}

// invalidSchemas break their draft's rules: neither validator compiles
// them.
var invalidSchemas = []string{
	`{"type": 12}`,
	`{"type": "text"}`,
	`{"type": []}`,
	`{"properties": {"a": 1}}`,
	`{"properties": {"a": true}}`,
	`{"required": "a"}`,
	`{"required": []}`,
	`{"minLength": -1}`,
	`{"minLength": 1.5}`,
	`{"pattern": "("}`,
	`{"patternProperties": {"(": {}}}`,
	`{"items": 1}`,
	`{"exclusiveMinimum": 1}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "exclusiveMaximum": true}`,
	`{"enum": []}`,
	`{"allOf": []}`,
	`{"anyOf": {}}`,
	`{"not": []}`,
	`{"multipleOf": 0}`,
	`{"$ref": 1}`,
	`{"dependencies": {"a": 1}}`,
	`{"uniqueItems": "yes"}`,
	`{"additionalProperties": "no"}`,
	`{"definitions": {"a": []}}`,
	`[]`,
}

func TestInvalidSchemasMatchOracle(t *testing.T) {
	for i, s := range invalidSchemas {
		doc, err := decodeJSON([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		url := fmt.Sprintf("https://example.org/invalid/%d.json", i)
		if _, err := compileDocument(url, doc, goRegexp); err == nil {
			t.Errorf("%s: compiled", s)
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4)
		if err := c.AddResource(url, doc); err == nil {
			if _, err := c.Compile(url); err == nil {
				t.Errorf("%s: the oracle compiled it", s)
			}
		}
	}
}

// FuzzValuesMatchOracle validates fuzzed JSON values against every keyword
// schema with both validators: the verdicts must agree, but for the
// listed differences.
func FuzzValuesMatchOracle(f *testing.F) {
	for _, v := range keywordValues {
		f.Add([]byte(v))
	}
	type pair struct {
		ours   *Schema
		oracle *jsonschema.Schema
	}
	var schemas []pair
	f.Fuzz(func(t *testing.T, b []byte) {
		if schemas == nil {
			for i, s := range keywordSchemas {
				doc, err := decodeJSON([]byte(s))
				if err != nil {
					t.Fatal(err)
				}
				url := fmt.Sprintf("https://example.org/keywords/%d.json", i)
				schemas = append(schemas, pair{compileDoc(t, url, doc), theirs(t, url, doc)})
			}
		}
		v, err := decodeJSON(b)
		if err != nil || hasHugeNumber(v) {
			return // the oracle takes seconds on 1e1000000, or panics
		}
		for i, p := range schemas {
			sameVerdicts(t, keywordSchemas[i], p.ours, p.oracle, map[string]any{"fuzzed": v})
		}
	})
}

// hasHugeNumber reports a number anywhere in v that toRat refuses.
func hasHugeNumber(v any) bool {
	switch v := v.(type) {
	case json.Number:
		_, ok := toRat(v)
		return !ok
	case []any:
		return slices.ContainsFunc(v, hasHugeNumber)
	case map[string]any:
		for _, x := range v {
			if hasHugeNumber(x) {
				return true
			}
		}
	}
	return false
}
