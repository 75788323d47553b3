package ob3schema

// The OB 3.0 data model the embedded schemas are rendered from (ob3.md §3,
// the 1EdTech data model's classes and properties), and the renderer.
// go test -run TestSchemasUpToDate -update rewrites schemas/*.json.

import "encoding/json"

// prop is one property of a class.
type prop struct {
	name string
	kind string // str, datetime, date, num, bool, jws, lang, ref, any
	ref  string // the class, for kind ref
	many bool   // an array (a single value is tolerated in the json-ld flavour)
	enum []string
	ext  bool // enum is extensible: any "ext:" term also passes
}

// class is one class of the model; its "type" property is rendered from
// typ: "contains" (an array holding the class name), "const" (the class
// name as a string), "string" (any string) or "" (no type property).
type class struct {
	name     string
	typ      string
	props    []prop
	required []string
	closed   bool // additionalProperties false
}

func s(name string) prop       { return prop{name: name, kind: "str"} }
func dt(name string) prop      { return prop{name: name, kind: "datetime"} }
func ref(name, c string) prop  { return prop{name: name, kind: "ref", ref: c} }
func refs(name, c string) prop { return prop{name: name, kind: "ref", ref: c, many: true} }
func strs(name string) prop    { return prop{name: name, kind: "str", many: true} }
func num(name string) prop     { return prop{name: name, kind: "num"} }
func jwts(name string) prop    { return prop{name: name, kind: "jws", many: true} }
func extEnum(name string, values ...string) prop {
	return prop{name: name, kind: "str", enum: values, ext: true}
}

var identifierTypes = []string{"name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress", "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId", "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier"}

var achievementTypes = []string{"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma"}

var resultTypes = []string{"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status"}

var alignmentTargetTypes = []string{"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion", "CFRubricCriterionLevel", "CTDL"}

var resultStatuses = []string{"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}

// credentialProps are the properties every credential class shares.
func credentialProps(subject string) []prop {
	return []prop{
		s("id"), s("name"), s("description"), dt("awardedDate"),
		ref("credentialSubject", subject), ref("issuer", "ProfileRef"),
		dt("validFrom"), dt("validUntil"),
		refs("proof", "Proof"), refs("credentialSchema", "CredentialSchema"),
		ref("credentialStatus", "CredentialStatus"), ref("refreshService", "RefreshService"),
		refs("termsOfUse", "TermsOfUse"), refs("evidence", "Evidence"),
	}
}

var model = []class{
	{name: "AchievementCredential", typ: "root", props: append(credentialProps("AchievementSubject"),
		ref("image", "Image"), refs("endorsement", "EndorsementCredential"), jwts("endorsementJwt")),
		required: []string{"@context", "id", "type", "credentialSubject", "issuer", "validFrom"}},
	{name: "EndorsementCredential", typ: "root", props: credentialProps("EndorsementSubject"),
		required: []string{"@context", "type", "id", "name", "credentialSubject", "issuer", "validFrom"}},
	{name: "AchievementSubject", typ: "contains", props: []prop{
		s("id"), dt("activityEndDate"), dt("activityStartDate"), num("creditsEarned"),
		ref("achievement", "Achievement"), refs("identifier", "IdentityObject"), ref("image", "Image"),
		s("licenseNumber"), s("narrative"), refs("result", "Result"), s("role"), ref("source", "Profile"), s("term"),
	}, required: []string{"type", "achievement"}},
	{name: "EndorsementSubject", typ: "contains", props: []prop{s("id"), s("endorsementComment")},
		required: []string{"id", "type"}},
	{name: "Achievement", typ: "contains", props: []prop{
		s("id"), refs("alignment", "Alignment"), extEnum("achievementType", achievementTypes...),
		ref("creator", "Profile"), num("creditsAvailable"), ref("criteria", "Criteria"), s("description"),
		refs("endorsement", "EndorsementCredential"), jwts("endorsementJwt"), s("fieldOfStudy"), s("humanCode"),
		ref("image", "Image"), {name: "inLanguage", kind: "lang"}, s("name"), refs("otherIdentifier", "IdentifierEntry"),
		refs("related", "Related"), refs("resultDescription", "ResultDescription"), s("specialization"),
		strs("tag"), s("version"),
	}, required: []string{"id", "type", "criteria", "description", "name"}},
	{name: "Alignment", typ: "contains", props: []prop{
		s("targetCode"), s("targetDescription"), s("targetName"), s("targetFramework"),
		extEnum("targetType", alignmentTargetTypes...), s("targetUrl"),
	}, required: []string{"type", "targetName", "targetUrl"}},
	{name: "Criteria", props: []prop{s("id"), s("narrative")}},
	{name: "IdentityObject", typ: "const", props: []prop{
		{name: "hashed", kind: "bool"}, s("identityHash"), extEnum("identityType", identifierTypes...), s("salt"),
	}, required: []string{"type", "hashed", "identityHash", "identityType"}, closed: true},
	{name: "IdentifierEntry", typ: "const", props: []prop{
		s("identifier"), extEnum("identifierType", identifierTypes...),
	}, required: []string{"type", "identifier", "identifierType"}, closed: true},
	{name: "Image", typ: "const", props: []prop{s("id"), s("caption")}, required: []string{"id", "type"}, closed: true},
	{name: "Evidence", typ: "contains", props: []prop{
		s("id"), s("narrative"), s("name"), s("description"), s("genre"), s("audience"),
	}, required: []string{"type"}},
	{name: "Result", typ: "contains", props: []prop{
		s("achievedLevel"), refs("alignment", "Alignment"), s("resultDescription"),
		{name: "status", kind: "str", enum: resultStatuses}, s("value"),
	}, required: []string{"type"}},
	{name: "ResultDescription", typ: "contains", props: []prop{
		s("id"), refs("alignment", "Alignment"), strs("allowedValue"), s("name"), s("requiredLevel"),
		s("requiredValue"), extEnum("resultType", resultTypes...), refs("rubricCriterionLevel", "RubricCriterionLevel"),
		s("valueMax"), s("valueMin"),
	}, required: []string{"id", "type", "name", "resultType"}},
	{name: "RubricCriterionLevel", typ: "contains", props: []prop{
		s("id"), refs("alignment", "Alignment"), s("description"), s("level"), s("name"), s("points"),
	}, required: []string{"id", "type", "name"}},
	{name: "Related", typ: "contains", props: []prop{s("id"), {name: "inLanguage", kind: "lang"}, s("version")},
		required: []string{"id", "type"}},
	{name: "Profile", typ: "contains", props: []prop{
		s("id"), s("name"), s("url"), s("phone"), s("description"), refs("endorsement", "EndorsementCredential"),
		jwts("endorsementJwt"), ref("image", "Image"), s("email"), ref("address", "Address"),
		refs("otherIdentifier", "IdentifierEntry"), s("official"), ref("parentOrg", "Profile"),
		s("familyName"), s("givenName"), s("additionalName"), s("patronymicName"), s("honorificPrefix"),
		s("honorificSuffix"), s("familyNamePrefix"), {name: "dateOfBirth", kind: "date"},
	}, required: []string{"id", "type"}},
	{name: "Address", typ: "contains", props: []prop{
		s("addressCountry"), s("addressCountryCode"), s("addressRegion"), s("addressLocality"),
		s("streetAddress"), s("postOfficeBoxNumber"), s("postalCode"), ref("geo", "GeoCoordinates"),
	}, required: []string{"type"}},
	{name: "GeoCoordinates", typ: "const", props: []prop{num("latitude"), num("longitude")},
		required: []string{"type", "latitude", "longitude"}},
	{name: "Proof", typ: "string", props: []prop{
		dt("created"), s("cryptosuite"), s("challenge"), s("domain"), s("nonce"), s("proofPurpose"),
		s("proofValue"), s("verificationMethod"),
	}, required: []string{"type"}},
	{name: "CredentialSchema", typ: "string", props: []prop{s("id")}, required: []string{"id", "type"}},
	{name: "CredentialStatus", typ: "string", props: []prop{s("id")}, required: []string{"id", "type"}},
	{name: "RefreshService", typ: "string", props: []prop{s("id")}, required: []string{"id", "type"}},
	{name: "TermsOfUse", typ: "string", props: []prop{s("id")}, required: []string{"type"}},
}

const (
	vc2Context = "https://www.w3.org/ns/credentials/v2"
	vc1Context = "https://www.w3.org/2018/credentials/v1"
	obContext  = `^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$`
	extTerm    = `(ext:)[a-z|A-Z|0-9|.|-|_]+`
	jwsPattern = `^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$`
	bcp47      = `^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`
	langTag    = `^[a-z]{2}(-[A-Z]{2})?$`
)

// flavour says how a schema reads the model: json is the formal schema
// (arrays are arrays), jsonld tolerates the single values and language
// maps JSON-LD compaction produces, any is jsonld that also accepts the
// VCDM 1.1 form (issuanceDate, the 2018 context) for verifying older
// credentials.
type flavour int

const (
	flavourJSON flavour = iota
	flavourJSONLD
	flavourAny
)

type obj = map[string]any

func ref2(name string) obj { return obj{"$ref": "#/definitions/" + name} }

func containsArray(name string) obj {
	return obj{"type": "array", "minItems": 1, "contains": obj{"enum": []any{name}}, "items": obj{"type": "string"}}
}

var langMap = obj{"type": "object", "additionalProperties": obj{"type": "string"}, "propertyNames": obj{"pattern": langTag}}

func (f flavour) value(p prop) obj {
	var v obj
	switch p.kind {
	case "str":
		switch {
		case p.ext:
			// An "ext:" term passes, anything else must be one of enum;
			// if/then/else rather than anyOf so a failure names one rule.
			v = obj{"if": obj{"type": "string", "pattern": extTerm}, "then": true, "else": obj{"type": "string", "enum": p.enum}}
		case p.enum != nil:
			v = obj{"type": "string", "enum": p.enum}
		case f != flavourJSON:
			v = ref2("LangString")
		default:
			v = obj{"type": "string"}
		}
	case "datetime":
		v = obj{"type": "string", "format": "date-time"}
	case "date":
		v = obj{"type": "string", "format": "date"}
	case "num":
		v = obj{"type": "number"}
	case "bool":
		v = obj{"type": "boolean"}
	case "jws":
		v = obj{"type": "string", "pattern": jwsPattern}
	case "lang":
		v = obj{"type": "string", "pattern": bcp47}
	case "ref":
		v = ref2(p.ref)
		if f == flavourAny && (p.ref == "EndorsementCredential") {
			v = ref2("AnyEndorsementCredential")
		}
		if f != flavourJSON && p.ref == "Image" {
			// Compaction turns an Image with only an id into its IRI.
			v = either("string", obj{"type": "string"}, v)
		}
	}
	if !p.many {
		return v
	}
	arr := obj{"type": "array", "items": v}
	if f == flavourJSON {
		return arr
	}
	return either("array", arr, v)
}

// either is "then" for values of JSON type t, "else" for the others: the
// anyOf of two disjoint cases, whose failures name only the case at hand.
func either(t string, then, els obj) obj {
	return obj{"if": obj{"type": t}, "then": then, "else": els}
}

func (f flavour) typeValue(c class) obj {
	switch c.typ {
	case "contains":
		if f == flavourJSON {
			return containsArray(c.name)
		}
		return either("array", containsArray(c.name), obj{"const": c.name})
	case "const":
		return obj{"type": "string", "enum": []any{c.name}}
	case "string":
		return obj{"type": "string"}
	}
	return nil
}

// rootTypes are the type values a credential class must hold.
var rootTypes = map[string][]any{
	"AchievementCredential": {"AchievementCredential", "OpenBadgeCredential"},
	"EndorsementCredential": {"EndorsementCredential"},
}

func contextValue(first string) obj {
	return obj{"type": "array", "minItems": 2,
		"items":           []any{obj{"enum": []any{first}}, obj{"type": "string", "pattern": obContext}},
		"additionalItems": ref2("Context")}
}

func (f flavour) class(c class, v1 bool) obj {
	props := obj{}
	for _, p := range c.props {
		props[p.name] = f.value(p)
	}
	required := c.required
	if c.typ == "root" {
		first := vc2Context
		if v1 {
			first = vc1Context
			delete(props, "validFrom")
			delete(props, "validUntil")
			props["issuanceDate"] = obj{"type": "string", "format": "date-time"}
			props["expirationDate"] = obj{"type": "string", "format": "date-time"}
			required = nil
			for _, r := range c.required {
				if r == "validFrom" {
					r = "issuanceDate"
				}
				required = append(required, r)
			}
		}
		props["@context"] = contextValue(first)
		props["type"] = obj{"allOf": []any{containsArray("VerifiableCredential"),
			obj{"type": "array", "minItems": 1, "contains": obj{"enum": rootTypes[c.name]}, "items": obj{"type": "string"}}}}
	} else if t := f.typeValue(c); t != nil {
		props["type"] = t
	}
	out := obj{"type": "object", "properties": props, "additionalProperties": !c.closed}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// isV1 holds for a credential whose first context is the VCDM 1.1 one.
var isV1 = obj{"required": []any{"@context"}, "properties": obj{"@context": obj{"type": "array", "items": []any{obj{"const": vc1Context}}}}}

// render returns the schema document whose root is class root.
func render(f flavour, root, title string) ([]byte, error) {
	defs := obj{
		"Context":    obj{"type": []any{"string", "object"}},
		"ProfileRef": either("string", obj{"type": "string"}, ref2("Profile")),
	}
	if f != flavourJSON {
		defs["LangString"] = either("object", langMap, obj{"type": "string"})
	}
	for _, c := range model {
		defs[c.name] = f.class(c, false)
	}
	doc := obj{"$schema": "http://json-schema.org/draft-07/schema#", "title": title, "definitions": defs}
	if f == flavourAny {
		for _, name := range []string{"AchievementCredential", "EndorsementCredential"} {
			var c class
			for _, m := range model {
				if m.name == name {
					c = m
				}
			}
			defs[name+"v1p1"] = f.class(c, true)
			defs["Any"+name] = obj{"if": isV1, "then": ref2(name + "v1p1"), "else": ref2(name)}
		}
		root = "Any" + root
	}
	doc["allOf"] = []any{ref2(root)}
	return marshalSorted(doc)
}

func marshalSorted(v any) ([]byte, error) {
	// encoding/json sorts map keys; indent for reviewable diffs.
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// generated lists the embedded files and what renders each.
var generated = []struct {
	file  string
	f     flavour
	root  string
	title string
}{
	{"json_achievementcredential.json", flavourJSON, "AchievementCredential", "OB 3.0 AchievementCredential (JSON form), written for badgebake"},
	{"json_endorsementcredential.json", flavourJSON, "EndorsementCredential", "OB 3.0 EndorsementCredential (JSON form), written for badgebake"},
	{"json_profile.json", flavourJSON, "Profile", "OB 3.0 Profile (JSON form), written for badgebake"},
	{"jsonld_achievementcredential.json", flavourJSONLD, "AchievementCredential", "OB 3.0 AchievementCredential (JSON-LD compacted form), written for badgebake"},
	{"jsonld_endorsementcredential.json", flavourJSONLD, "EndorsementCredential", "OB 3.0 EndorsementCredential (JSON-LD compacted form), written for badgebake"},
	{"jsonld_profile.json", flavourJSONLD, "Profile", "OB 3.0 Profile (JSON-LD compacted form), written for badgebake"},
	{"jsonld_anyachievementcredential.json", flavourAny, "AchievementCredential", "OB 3.0 AchievementCredential, VCDM 2.0 or 1.1 (JSON-LD compacted form), written for badgebake"},
	{"jsonld_anyendorsementcredential.json", flavourAny, "EndorsementCredential", "OB 3.0 EndorsementCredential, VCDM 2.0 or 1.1 (JSON-LD compacted form), written for badgebake"},
}
