package ob2

// Class names of the Open Badges 2.0 data model, as the reference's
// OBClasses spells them.
const (
	classAssertion        = "Assertion"
	classBadgeClass       = "BadgeClass"
	classProfile          = "Profile"
	classIdentityObject   = "IdentityObject"
	classVerificationA    = "VerificationObjectAssertion"
	classVerificationI    = "VerificationObjectIssuer"
	classCryptographicKey = "CryptographicKey"
	classCriteria         = "Criteria"
	classAlignment        = "AlignmentObject"
	classEvidence         = "Evidence"
	classImage            = "Image"
	classEndorsement      = "Endorsement"
	classEndorsementClaim = "EndorsementClaim"
	classRevocationList   = "RevocationList"
	classExpectedProfile  = "ExpectedRecipientProfile"
)

// valueType is a property's value type (validator.md §6).
type valueType int

const (
	vtText valueType = iota
	vtTextOrNumber
	vtBoolean
	vtIRI
	vtURL
	vtDataURIOrURL
	vtDateTime
	vtTelephone
	vtEmail
	vtLanguage
	vtMarkdown
	vtIdentityHash
	vtURLAuthority
	vtCompactIRI
	vtID      // a node: embedded object or a reference
	vtRDFType // the type property
)

var valueTypeNames = map[valueType]string{
	vtText: "TEXT", vtTextOrNumber: "TEXT_OR_NUMBER", vtBoolean: "BOOLEAN", vtIRI: "IRI", vtURL: "URL",
	vtDataURIOrURL: "DATA_URI_OR_URL", vtDateTime: "DATETIME", vtTelephone: "TELEPHONE", vtEmail: "EMAIL",
	vtLanguage: "LANGUAGE", vtMarkdown: "MARKDOWN_TEXT", vtIdentityHash: "IDENTITY_HASH",
	vtURLAuthority: "URL_AUTHORITY", vtCompactIRI: "COMPACT_IRI", vtID: "ID", vtRDFType: "RDF_TYPE",
}

// rule is one property of a class.
type rule struct {
	prop     string
	typ      valueType
	required bool
	many     bool
	// For vtID: the class of the node, and what a string value may be.
	class     string
	fetch     bool // fetched and validated as class
	remoteURL bool // a URL is accepted without fetching
	dataURI   bool // a data: URI is accepted
	// partial is the reference's full_validate=False: an embedded node is
	// checked for its id and the properties it has, nothing more, and a
	// string is only a link (related, claim).
	partial bool
	// link marks the properties that lead away from the badge (related,
	// endorsement): following one goes a level deeper, and Options.MaxDepth
	// bounds how deep.
	link bool
	// For vtRDFType: the types one of which the node must carry (compared
	// as expanded IRIs).
	mustContain []string
}

// commonRules apply to every primary object (Assertion, BadgeClass,
// Profile, Endorsement).
func commonRules(class string) []rule {
	return []rule{
		{prop: "@language", typ: vtLanguage},
		{prop: "version", typ: vtTextOrNumber},
		{prop: "related", typ: vtID, many: true, class: class, remoteURL: true, partial: true, link: true},
		{prop: "endorsement", typ: vtID, many: true, class: classEndorsement, remoteURL: true, fetch: true, link: true},
	}
}

// classRules are the property rules of each class (validator.md §5), with
// the fixes badgebake makes: type is checked, email is required and
// checked, narrative must be text, AlignmentObject has targetDescription.
var classRules = map[string][]rule{
	classAssertion: append([]rule{
		{prop: "id", typ: vtIRI, required: true},
		{prop: "type", typ: vtRDFType, required: true, many: true, mustContain: []string{"Assertion"}},
		{prop: "recipient", typ: vtID, required: true, class: classIdentityObject},
		{prop: "badge", typ: vtID, required: true, class: classBadgeClass, fetch: true},
		{prop: "verification", typ: vtID, required: true, class: classVerificationA},
		{prop: "issuedOn", typ: vtDateTime, required: true},
		{prop: "expires", typ: vtDateTime},
		{prop: "image", typ: vtID, class: classImage, remoteURL: true},
		{prop: "narrative", typ: vtMarkdown},
		{prop: "evidence", typ: vtID, many: true, class: classEvidence, remoteURL: true},
	}, commonRules(classAssertion)...),
	classBadgeClass: append([]rule{
		{prop: "id", typ: vtIRI, required: true},
		{prop: "type", typ: vtRDFType, required: true, many: true, mustContain: []string{"BadgeClass"}},
		{prop: "issuer", typ: vtID, required: true, class: classProfile, fetch: true},
		{prop: "name", typ: vtText, required: true},
		{prop: "description", typ: vtText, required: true},
		{prop: "image", typ: vtID, class: classImage, remoteURL: true, dataURI: true},
		{prop: "criteria", typ: vtID, required: true, class: classCriteria, remoteURL: true},
		{prop: "alignment", typ: vtID, many: true, class: classAlignment},
		{prop: "tags", typ: vtText, many: true},
	}, commonRules(classBadgeClass)...),
	classProfile: append([]rule{
		{prop: "id", typ: vtIRI, required: true},
		{prop: "type", typ: vtRDFType, required: true, many: true, mustContain: []string{"Issuer", "Profile"}},
		{prop: "name", typ: vtText, required: true},
		{prop: "description", typ: vtText},
		{prop: "image", typ: vtID, class: classImage, remoteURL: true, dataURI: true},
		{prop: "url", typ: vtURL, required: true},
		{prop: "email", typ: vtEmail, required: true},
		{prop: "telephone", typ: vtTelephone},
		{prop: "publicKey", typ: vtID, many: true, class: classCryptographicKey, remoteURL: true},
		{prop: "verification", typ: vtID, class: classVerificationI},
		{prop: "revocationList", typ: vtID, class: classRevocationList, remoteURL: true},
	}, commonRules(classProfile)...),
	classExpectedProfile: {
		{prop: "id", typ: vtIRI},
		{prop: "name", typ: vtText},
		{prop: "description", typ: vtText},
		{prop: "image", typ: vtID, class: classImage, remoteURL: true, dataURI: true},
		{prop: "url", typ: vtURL, many: true},
		{prop: "email", typ: vtEmail, many: true},
		{prop: "telephone", typ: vtTelephone, many: true},
		{prop: "publicKey", typ: vtID, many: true, class: classCryptographicKey, remoteURL: true},
	},
	classIdentityObject: {
		// The identity type (email, url, …), not an RDF class: any string,
		// as in the reference (recipients may use other schema.org types).
		{prop: "type", typ: vtText, required: true},
		{prop: "identity", typ: vtIdentityHash, required: true},
		{prop: "hashed", typ: vtBoolean, required: true},
		{prop: "salt", typ: vtText},
	},
	classVerificationA: {
		{prop: "type", typ: vtRDFType, required: true, mustContain: []string{"HostedBadge", "SignedBadge"}},
		{prop: "creator", typ: vtID, class: classCryptographicKey, remoteURL: true},
	},
	classVerificationI: {
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "verificationProperty", typ: vtCompactIRI},
		{prop: "startsWith", typ: vtURL, many: true},
		{prop: "allowedOrigins", typ: vtURLAuthority, many: true},
	},
	classCryptographicKey: {
		{prop: "id", typ: vtIRI},
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "owner", typ: vtIRI},
		{prop: "publicKeyPem", typ: vtText},
	},
	classCriteria: {
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "id", typ: vtIRI},
		{prop: "narrative", typ: vtMarkdown},
	},
	classAlignment: {
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "targetName", typ: vtText, required: true},
		{prop: "targetUrl", typ: vtURL, required: true},
		{prop: "targetDescription", typ: vtText},
		{prop: "targetFramework", typ: vtText},
		{prop: "targetCode", typ: vtText},
	},
	classEvidence: {
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "id", typ: vtIRI},
		{prop: "narrative", typ: vtMarkdown},
		{prop: "name", typ: vtText},
		{prop: "description", typ: vtText},
		{prop: "genre", typ: vtText},
		{prop: "audience", typ: vtText},
	},
	classImage: {
		{prop: "type", typ: vtRDFType, many: true},
		{prop: "id", typ: vtDataURIOrURL, required: true},
		{prop: "caption", typ: vtText},
		{prop: "author", typ: vtIRI},
	},
	classRevocationList: {
		{prop: "id", typ: vtIRI},
		{prop: "type", typ: vtRDFType, required: true, many: true, mustContain: []string{"RevocationList"}},
	},
	classEndorsement:      endorsementRules,
	classEndorsementClaim: claimRules(),
}

// endorsementRules are the Endorsement's. The reference never validates
// verification (B5); badgebake validates it when present, as the object
// the specification says it is (it does not require it, as the reference
// does not).
var endorsementRules = append([]rule{
	{prop: "id", typ: vtIRI, required: true},
	{prop: "type", typ: vtRDFType, required: true, many: true, mustContain: []string{"Endorsement"}},
	{prop: "claim", typ: vtID, required: true, class: classEndorsementClaim, partial: true},
	{prop: "issuedOn", typ: vtDateTime, required: true},
	{prop: "issuer", typ: vtID, required: true, class: classProfile, fetch: true},
	{prop: "verification", typ: vtID, class: classVerificationA},
}, commonRules(classEndorsement)...)

// claimRules are an endorsement claim's: an id and a comment, and, as the
// reference validates a claim as an EndorsementClaim and an Endorsement
// (partially: the properties it has), the Endorsement's other properties
// when present. Not its type: a claim is about the endorsed object and
// carries that object's type, if any.
func claimRules() []rule {
	rules := []rule{
		{prop: "id", typ: vtIRI, required: true},
		{prop: "endorsementComment", typ: vtMarkdown},
	}
	for _, rl := range endorsementRules {
		if rl.prop != "id" && rl.prop != "type" {
			rl.required = false
			rules = append(rules, rl)
		}
	}
	return rules
}

// obiTerms maps the v2 context's class and verification-type terms to the
// IRIs they expand to, so types are compared as expanded IRIs (json-gold
// compacts https://w3id.org/openbadges#HostedBadge to "hosted", the
// reference prints "HostedBadge": both are the same IRI).
var obiTerms = map[string]string{
	"Assertion":          "https://w3id.org/openbadges#Assertion",
	"BadgeClass":         "https://w3id.org/openbadges#BadgeClass",
	"Issuer":             "https://w3id.org/openbadges#Issuer",
	"Profile":            "https://w3id.org/openbadges#Profile",
	"Criteria":           "https://w3id.org/openbadges#Criteria",
	"Evidence":           "https://w3id.org/openbadges#Evidence",
	"Extension":          "https://w3id.org/openbadges#Extension",
	"IdentityObject":     "https://w3id.org/openbadges#IdentityObject",
	"Image":              "https://w3id.org/openbadges#Image",
	"RevocationList":     "https://w3id.org/openbadges#RevocationList",
	"VerificationObject": "https://w3id.org/openbadges#VerificationObject",
	"HostedBadge":        "https://w3id.org/openbadges#HostedBadge",
	"hosted":             "https://w3id.org/openbadges#HostedBadge",
	"SignedBadge":        "https://w3id.org/openbadges#SignedBadge",
	"signed":             "https://w3id.org/openbadges#SignedBadge",
	"AlignmentObject":    "http://schema.org/AlignmentObject",
	"CryptographicKey":   "https://w3id.org/security#Key",
	"Endorsement":        "https://w3id.org/credentials#Credential",
}

// prefixes of the v2 context, for compact IRIs such as obi:Assertion.
var prefixes = map[string]string{
	"obi":        "https://w3id.org/openbadges#",
	"extensions": "https://w3id.org/openbadges/extensions#",
	"cred":       "https://w3id.org/credentials#",
	"dc":         "http://purl.org/dc/terms/",
	"schema":     "http://schema.org/",
	"sec":        "https://w3id.org/security#",
	"xsd":        "http://www.w3.org/2001/XMLSchema#",
}

// expandType turns a compacted type value into an IRI.
func expandType(t string) string {
	if iri, ok := obiTerms[t]; ok {
		return iri
	}
	for p, base := range prefixes {
		if len(t) > len(p)+1 && t[:len(p)+1] == p+":" {
			return base + t[len(p)+1:]
		}
	}
	return t
}

// hasType reports whether the types include one of the wanted terms,
// comparing expanded IRIs.
func hasType(types []string, wanted ...string) bool {
	for _, t := range types {
		for _, w := range wanted {
			if expandType(t) == expandType(w) {
				return true
			}
		}
	}
	return false
}
