package ob3schema

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/ob3fixtures"
	"github.com/badgebake/badgebake/verify/ob2/obschema"
)

// fixture decodes a JSON fixture (or a JWT fixture's credential).
func fixture(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := ob3fixtures.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".jwt") {
		parts := strings.Split(strings.TrimSpace(string(b)), ".")
		if b, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
			t.Fatal(err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if vc, ok := m["vc"].(map[string]any); ok {
		return vc
	}
	return m
}

func TestSchemaFor(t *testing.T) {
	for _, c := range []struct {
		path, want string
	}{
		{"1edtech/simple.json", AchievementCredentialJSONLDURL},
		{"1edtech/simple_v1.json", AnyAchievementCredentialURL},
		{"1edtech/endorsement-valid.json", EndorsementCredentialJSONLDURL},
		{"1edtech/endorsement-err-schema-status-refresh.json", AnyEndorsementCredentialURL},
		{"1edtech/simple-err-type.json", AchievementCredentialJSONLDURL},
	} {
		if got := SchemaFor(fixture(t, c.path)); got != c.want {
			t.Errorf("%s: %s, want %s", c.path, got, c.want)
		}
	}
	if got := SchemaFor(map[string]any{"type": "EndorsementCredential", "@context": "https://www.w3.org/2018/credentials/v1"}); got != AnyEndorsementCredentialURL {
		t.Errorf("single values: %s", got)
	}
}

// TestFixtureVerdicts holds Validate to the fixture table: it rejects
// exactly the fixtures whose expected messages include VALIDATE_SCHEMA.
func TestFixtureVerdicts(t *testing.T) {
	n := 0
	for _, f := range ob3fixtures.All() {
		if f.Format != "json" && f.Format != "jwt" {
			continue
		}
		n++
		want := f.WantMessage == "VALIDATE_SCHEMA" || slices.Contains(f.AlsoMessages, "VALIDATE_SCHEMA")
		err := Validate(fixture(t, f.Path))
		var inv *Invalid
		if err != nil && !errors.As(err, &inv) {
			t.Errorf("%s: %v is not an *Invalid", f.Name, err)
		}
		if (err != nil) != want {
			t.Errorf("%s: Validate says %v; the table expects VALIDATE_SCHEMA: %v", f.Name, err, want)
		}
	}
	if n < 80 {
		t.Fatalf("only %d fixtures", n)
	}
}

func TestProblemsNamePaths(t *testing.T) {
	c := fixture(t, "1edtech/simple.json")
	if err := Validate(c); err != nil {
		t.Fatalf("simple.json: %v", err)
	}
	delete(c, "issuer")
	c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["criteria"] = "see the website"
	c["validFrom"] = "yesterday"
	err := Validate(c)
	var inv *Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("got %v", err)
	}
	if inv.Schema != AchievementCredentialJSONLDURL {
		t.Errorf("schema %s", inv.Schema)
	}
	for _, want := range []string{
		"at /: missing property 'issuer'",
		"at /credentialSubject/achievement/criteria: ",
		"at /validFrom: ",
	} {
		found := false
		for _, p := range inv.Problems {
			found = found || strings.HasPrefix(p, want)
		}
		if !found {
			t.Errorf("no problem starting %q in %q", want, inv.Problems)
		}
	}
	if len(inv.Problems) != 3 {
		t.Errorf("%d problems, want one per change: %q", len(inv.Problems), inv.Problems)
	}
}

// TestCompactedAndFormal: the json-ld form accepts single values where
// the formal json/ form requires arrays; both accept the arrays.
func TestCompactedAndFormal(t *testing.T) {
	c := fixture(t, "1edtech/simple.json")
	proof := c["proof"]
	if l, ok := proof.([]any); ok {
		proof = l[0]
	}
	c["proof"] = proof // compacted: one proof, not an array
	set := NewSet(nil)
	ctx := context.Background()
	if err := set.ValidateCredentialSchema(ctx, AchievementCredentialJSONLDURL, c); err != nil {
		t.Errorf("json-ld: %v", err)
	}
	err := set.ValidateCredentialSchema(ctx, AchievementCredentialURL, c)
	var inv *Invalid
	if !errors.As(err, &inv) || !slices.ContainsFunc(inv.Problems, func(p string) bool { return strings.HasPrefix(p, "at /proof: ") }) {
		t.Errorf("json: want a problem at /proof, got %v", err)
	} else if !inv.CompactedFormPasses {
		t.Error("json: CompactedFormPasses not set for a compacted proof")
	}
	c["proof"] = []any{proof}
	if err := set.ValidateCredentialSchema(ctx, AchievementCredentialURL, c); err != nil {
		t.Errorf("json with a proof array: %v", err)
	}
	// VCDM 1.1 dates pass only the "any" schema.
	v1 := fixture(t, "1edtech/simple_v1.json")
	if err := set.ValidateCredentialSchema(ctx, AnyAchievementCredentialURL, v1); err != nil {
		t.Errorf("any: %v", err)
	}
	if err := set.ValidateCredentialSchema(ctx, AchievementCredentialJSONLDURL, v1); err == nil {
		t.Error("json-ld accepted a VCDM 1.1 credential")
	}
	err = set.ValidateCredentialSchema(ctx, strings.Replace(AchievementCredentialURL, "https:", "http:", 1), v1)
	if !errors.As(err, &inv) || !inv.CompactedFormPasses {
		t.Errorf("formal schema, VCDM 1.1 credential: %v", err)
	}
	delete(v1, "issuanceDate")
	if err := set.ValidateCredentialSchema(ctx, AnyAchievementCredentialURL, v1); err == nil || !strings.Contains(err.Error(), "issuanceDate") {
		t.Errorf("any without issuanceDate: %v", err)
	}
	err = set.ValidateCredentialSchema(ctx, AchievementCredentialURL, v1)
	if !errors.As(err, &inv) || inv.CompactedFormPasses {
		t.Errorf("formal schema, VCDM 1.1 credential without issuanceDate: %v, %+v", err, inv)
	}
}

// countingFetcher serves docs and counts requests.
type countingFetcher struct {
	docs  map[string]string
	calls atomic.Int32
	err   error
}

func (f *countingFetcher) fetch(_ context.Context, url string) ([]byte, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	if d, ok := f.docs[url]; ok {
		return []byte(d), nil
	}
	return nil, &fetch.Error{URL: url, Kind: fetch.KindOther, Err: errors.New("404 Not Found")}
}

func TestEmbeddedNeverFetched(t *testing.T) {
	f := &countingFetcher{}
	set := NewSet(f.fetch)
	c := fixture(t, "1edtech/endorsement-valid.json")
	for _, u := range []string{EndorsementCredentialURL, strings.Replace(EndorsementCredentialURL, "https:", "http:", 1), EndorsementCredentialJSONLDURL, AnyEndorsementCredentialURL} {
		if !IsEmbedded(u) {
			t.Errorf("%s not embedded", u)
		}
		if err := set.ValidateCredentialSchema(context.Background(), u, c); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d fetches", n)
	}
}

func TestFetchedSchema(t *testing.T) {
	const u = "https://issuer.example/schema.json"
	f := &countingFetcher{docs: map[string]string{
		u:                                  `{"$schema": "http://json-schema.org/draft-07/schema#", "required": ["awardedDate"]}`,
		"https://issuer.example/2019.json": `{"$schema": "https://json-schema.org/draft/2019-09/schema", "$defs": {}}`,
		"https://issuer.example/bom.json":  "\ufeff" + `{"$schema": "https://json-schema.org/draft/2020-12/schema"}`,
	}}
	set := NewSet(f.fetch)
	ctx := context.Background()
	c := fixture(t, "1edtech/simple.json")
	for range 3 {
		err := set.ValidateCredentialSchema(ctx, u, c)
		var inv *Invalid
		if !errors.As(err, &inv) || inv.Schema != u || len(inv.Problems) != 1 || !strings.Contains(inv.Problems[0], "awardedDate") {
			t.Fatalf("got %v", err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("%d fetches for one schema used three times", n)
	}
	for _, d := range []string{"https://issuer.example/2019.json", "https://issuer.example/bom.json"} {
		err := set.ValidateCredentialSchema(ctx, d, c)
		var ud *UnsupportedDialectError
		if !errors.As(err, &ud) || ud.URL != d {
			t.Errorf("%s: got %v", d, err)
		}
	}
	// An unavailable schema is a fetch error, not an *Invalid.
	err := set.ValidateCredentialSchema(ctx, "https://issuer.example/missing.json", c)
	var fe *fetch.Error
	var inv *Invalid
	if !errors.As(err, &fe) || errors.As(err, &inv) {
		t.Errorf("missing schema: %v", err)
	}
	// Offline: not embedded and no fetcher.
	err = NewSet(nil).ValidateCredentialSchema(ctx, u, c)
	if !errors.Is(err, obschema.ErrNotEmbedded) {
		t.Errorf("offline: %v", err)
	}
}

// TestCredentialSchemaEntries: every embedded credentialSchema a fixture
// names (at any depth, as endorsements name theirs) either accepts its
// credential or fails only in compacted form, unless the fixture table
// expects VALIDATE_SCHEMA; none is fetched.
func TestCredentialSchemaEntries(t *testing.T) {
	f := &countingFetcher{}
	set := NewSet(f.fetch)
	checked := 0
	var walk func(name string, v any)
	walk = func(name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			entries, _ := x["credentialSchema"].([]any)
			for _, e := range entries {
				m, _ := e.(map[string]any)
				u, _ := m["id"].(string)
				if m["type"] != "1EdTechJsonSchemaValidator2019" || !IsEmbedded(u) {
					continue
				}
				checked++
				err := set.ValidateCredentialSchema(context.Background(), u, x)
				var inv *Invalid
				if err != nil && !(errors.As(err, &inv) && inv.CompactedFormPasses) {
					t.Errorf("%s: %s: %v", name, u, err)
				}
			}
			for _, e := range x {
				walk(name, e)
			}
		case []any:
			for _, e := range x {
				walk(name, e)
			}
		}
	}
	for _, fx := range ob3fixtures.All() {
		if (fx.Format == "json" || fx.Format == "jwt") && fx.WantMessage != "VALIDATE_SCHEMA" && !slices.Contains(fx.AlsoMessages, "VALIDATE_SCHEMA") {
			walk(fx.Name, fixture(t, fx.Path))
		}
	}
	if checked < 5 {
		t.Errorf("only %d credentialSchema entries checked", checked)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d fetches", n)
	}
}
