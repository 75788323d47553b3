// Package ob3schema validates Open Badges 3.0 credentials against the OB 3.0
// JSON Schemas: the built-in check every credential gets (Validate), and
// the credentialSchema entries a credential names (Set.ValidateCredentialSchema).
//
// The official schemas (JSON Schema 2019-09, at
// https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ and …/json-ld/) are
// embedded as files written for badgebake from the OB 3.0 data model, in
// draft-07, the newest draft package obschema's validator runs. They are
// rendered from one description of the model (model_test.go) in three
// flavours: the formal JSON form (json/: arrays are arrays), the form JSON-LD
// compaction produces (json-ld/: a single value where the model has an
// array, a language map where it has a string), and the json-ld form that
// also accepts VCDM 1.1 credentials (json-ld/ob_v3p0_any…: the 2018 context,
// issuanceDate and expirationDate), which 1EdTech publishes for verifying
// older credentials. equivalence_test.go checks them against the official
// copy in testdata/official with github.com/santhosh-tekuri/jsonschema/v6.
//
// Each embedded schema is served for its official URL, http and https, so
// a credential's credentialSchema naming one is never fetched. Other
// schemas are fetched through the Set's Fetcher and compiled once, bounded
// as obschema bounds them; a fetched schema in a dialect obschema cannot
// run (2019-09, 2020-12) is an *UnsupportedDialectError, which a verifier
// reports as a warning rather than a failed credential.
package ob3schema

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/verify/ob2/obschema"
)

//go:embed schemas/*.json
var schemaFiles embed.FS

const purlBase = "purl.imsglobal.org/spec/ob/v3p0/schema/"

// Official schema URLs (https form) of the embedded schemas.
const (
	AchievementCredentialURL       = "https://" + purlBase + "json/ob_v3p0_achievementcredential_schema.json"
	EndorsementCredentialURL       = "https://" + purlBase + "json/ob_v3p0_endorsementcredential_schema.json"
	ProfileURL                     = "https://" + purlBase + "json/ob_v3p0_profile_schema.json"
	AchievementCredentialJSONLDURL = "https://" + purlBase + "json-ld/ob_v3p0_achievementcredential_schema.json"
	EndorsementCredentialJSONLDURL = "https://" + purlBase + "json-ld/ob_v3p0_endorsementcredential_schema.json"
	ProfileJSONLDURL               = "https://" + purlBase + "json-ld/ob_v3p0_profile_schema.json"
	AnyAchievementCredentialURL    = "https://" + purlBase + "json-ld/ob_v3p0_anyachievementcredential_schema.json"
	AnyEndorsementCredentialURL    = "https://" + purlBase + "json-ld/ob_v3p0_anyendorsementcredential_schema.json"

	// The "any" schemas were published under json/ before the
	// specification's links moved to json-ld/ (v1.3); credentials issued
	// then, and the 1EdTech validator's own fixtures, still name them there.
	AnyAchievementCredentialLegacyURL = "https://" + purlBase + "json/ob_v3p0_anyachievementcredential_schema.json"
	AnyEndorsementCredentialLegacyURL = "https://" + purlBase + "json/ob_v3p0_anyendorsementcredential_schema.json"
)

// files maps each official URL (https form) to its embedded file.
var files = map[string]string{
	AchievementCredentialURL:       "json_achievementcredential.json",
	EndorsementCredentialURL:       "json_endorsementcredential.json",
	ProfileURL:                     "json_profile.json",
	AchievementCredentialJSONLDURL: "jsonld_achievementcredential.json",
	EndorsementCredentialJSONLDURL: "jsonld_endorsementcredential.json",
	ProfileJSONLDURL:               "jsonld_profile.json",
	AnyAchievementCredentialURL:    "jsonld_anyachievementcredential.json",
	AnyEndorsementCredentialURL:    "jsonld_anyendorsementcredential.json",

	AnyAchievementCredentialLegacyURL: "jsonld_anyachievementcredential.json",
	AnyEndorsementCredentialLegacyURL: "jsonld_anyendorsementcredential.json",
}

// embeddedFile returns the file served for url, in http or https form.
func embeddedFile(url string) (string, bool) {
	f, ok := files[httpsForm(url)]
	return f, ok
}

// IsEmbedded says whether url names a built-in schema (never fetched).
func IsEmbedded(url string) bool {
	_, ok := embeddedFile(url)
	return ok
}

// Invalid is a credential a schema rejects. Problems are person-readable,
// each "at <JSON pointer>: <what>", most specific first.
type Invalid struct {
	Schema   string // the schema's URL
	Problems []string
	// CompactedFormPasses is set when Schema is an embedded formal (json/)
	// schema and the credential passes the JSON-LD form of the same class
	// (json-ld/, the "any" variant for credentials, which also admits VCDM
	// 1.1): the credential differs from the formal JSON form only as JSON-LD
	// compaction or VCDM 1.1 make it differ. 1EdTech's validator reports that
	// as a warning, not a failure.
	CompactedFormPasses bool
}

func (e *Invalid) Error() string {
	return fmt.Sprintf("does not match the JSON schema %s: %s", e.Schema, strings.Join(e.Problems, "; "))
}

// UnsupportedDialectError is a fetched schema written in a JSON Schema
// dialect the validator does not run: its verdict is unknown, not
// negative.
type UnsupportedDialectError struct {
	URL     string
	Dialect string // the schema's "$schema"
}

func (e *UnsupportedDialectError) Error() string {
	return fmt.Sprintf("cannot check JSON schema %s: its dialect %s is not supported (draft-04, -06 and -07 are)", e.URL, e.Dialect)
}

// A Set validates credentials against schemas by URL: the embedded ones,
// and others fetched with its Fetcher, each compiled once (within
// obschema's bounds). A Set is safe for concurrent use.
type Set struct {
	inner *obschema.Set
}

// NewSet returns a Set that fetches schemas that are not embedded with
// fetch (nil: offline; such a schema is then an error wrapping
// obschema.ErrNotEmbedded). Errors fetch returns are wrapped, so a caller
// can tell an unavailable schema (errors.As a *fetch.Error) from an invalid
// credential.
func NewSet(fetch obschema.Fetcher) *Set {
	serve := func(ctx context.Context, url string) ([]byte, error) {
		if f, ok := embeddedFile(url); ok {
			return schemaFiles.ReadFile("schemas/" + f)
		}
		if fetch == nil {
			return nil, fmt.Errorf("%w: %s", obschema.ErrNotEmbedded, url)
		}
		b, err := fetch(ctx, url)
		if err != nil {
			return nil, err
		}
		if d := dialect(b); d != "" && !supportedDialect(d) {
			return nil, &UnsupportedDialectError{URL: url, Dialect: d}
		}
		return b, nil
	}
	return &Set{inner: obschema.NewSet(serve)}
}

// ValidateCredentialSchema validates credential against the schema at
// schemaURL. A credential the schema rejects is an *Invalid; any other
// error means the schema could not be had or compiled (see NewSet and
// UnsupportedDialectError).
func (s *Set) ValidateCredentialSchema(ctx context.Context, schemaURL string, credential map[string]any) error {
	sch, err := s.inner.Schema(ctx, schemaURL)
	if err != nil {
		return err
	}
	err = validateWith(sch, schemaURL, credential)
	var inv *Invalid
	if tolerant, ok := compactedForm[httpsForm(schemaURL)]; ok && errors.As(err, &inv) {
		if tsch, terr := s.inner.Schema(ctx, tolerant); terr == nil && tsch.Validate(credential) == nil {
			inv.CompactedFormPasses = true
		}
	}
	return err
}

// compactedForm maps each formal schema to the JSON-LD one that tolerates
// what compaction (and VCDM 1.1) do to the same class.
var compactedForm = map[string]string{
	AchievementCredentialURL: AnyAchievementCredentialURL,
	EndorsementCredentialURL: AnyEndorsementCredentialURL,
	ProfileURL:               ProfileJSONLDURL,
}

func httpsForm(url string) string {
	if rest, ok := strings.CutPrefix(url, "http://"); ok {
		return "https://" + rest
	}
	return url
}

func validateWith(sch *obschema.Schema, url string, credential map[string]any) error {
	err := sch.Validate(credential)
	var inv *obschema.Invalid
	if errors.As(err, &inv) {
		return &Invalid{Schema: url, Problems: inv.Problems}
	}
	return err
}

// builtin is the Set Validate uses: embedded schemas only.
var builtin = sync.OnceValue(func() *Set { return NewSet(nil) })

// SchemaFor returns the URL of the built-in schema Validate applies to
// credential: the endorsement schema when its type holds
// EndorsementCredential, the achievement schema otherwise; the VCDM 1.1
// ("any") variant when its first context is the 2018 VC context, the
// JSON-LD compacted form of VCDM 2.0 otherwise.
func SchemaFor(credential map[string]any) string {
	endorsement := false
	switch t := credential["type"].(type) {
	case string:
		endorsement = t == "EndorsementCredential"
	case []any:
		for _, v := range t {
			endorsement = endorsement || v == "EndorsementCredential"
		}
	}
	v1 := false
	switch c := credential["@context"].(type) {
	case string:
		v1 = c == "https://www.w3.org/2018/credentials/v1"
	case []any:
		v1 = len(c) > 0 && c[0] == "https://www.w3.org/2018/credentials/v1"
	}
	switch {
	case endorsement && v1:
		return AnyEndorsementCredentialURL
	case endorsement:
		return EndorsementCredentialJSONLDURL
	case v1:
		return AnyAchievementCredentialURL
	default:
		return AchievementCredentialJSONLDURL
	}
}

// Validate checks credential (decoded JSON: maps, slices, strings, float64
// or json.Number, bools, nil) against the built-in OB 3.0 schema SchemaFor
// picks. A rejected credential is an *Invalid.
func Validate(credential map[string]any) error {
	return builtin().ValidateCredentialSchema(context.Background(), SchemaFor(credential), credential)
}

// dialect returns the "$schema" of a JSON schema document, or "" when it
// has none or is not a JSON object; obschema reports the latter.
func dialect(b []byte) string {
	var doc struct {
		Schema any `json:"$schema"`
	}
	if json.Unmarshal(textin.TrimBOM(b), &doc) != nil {
		return ""
	}
	d, _ := doc.Schema.(string)
	return d
}

// supportedDialect says whether obschema runs the dialect: draft-04, -06
// and -07 (with or without "#", http or https).
func supportedDialect(d string) bool {
	d = strings.TrimSuffix(d, "#")
	d = strings.TrimPrefix(strings.TrimPrefix(d, "http://"), "https://")
	switch d {
	case "json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema", "json-schema.org/draft-07/schema", "json-schema.org/schema":
		return true
	}
	return false
}
