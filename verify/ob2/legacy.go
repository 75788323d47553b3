package ob2

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/badgebake/badgebake/jsonld"
)

// Open Badges 0.5, 1.0 and 1.1 documents are upgraded to 2.0 before they
// are validated (validator.md §8), as openbadges-validator-core does:
//
//   - 0.5 and 1.0 documents have no JSON-LD context. upgradeBefore rewrites
//     them into 1.1 form (a type, an id, the v1 context, 1.x property
//     names), so they compact into the v2 context like 1.1 documents;
//   - compaction turns 1.1 terms into 2.0 ones (verify → verification,
//     hosted → HostedBadge, IssuerOrg → Issuer);
//   - upgradeAfter then fixes what compaction leaves in 1.x form:
//     timestamps that are not date-times with a zone, and 1.x alignment
//     property names.
//
// Where the reference fails on real badges, badgebake does not (see
// docs/compatibility.md): a 1.0 assertion with a plain string recipient is
// upgraded as 1.0, alignments of a 0.5 badge are upgraded (#229), and the
// issuers of older badges need no email address (it was optional before
// 2.0).

// Task names of the reference's upgrade tasks.
const (
	taskUpgrade05 = "UPGRADE_0_5_NODE"
	taskUpgrade10 = "UPGRADE_1_0_NODE"
)

// The types the upgrades give 0.5 and 1.0 nodes, as v1 context terms; a
// class the v1 context has no term for (Profile) is written as its IRI, so
// that it compacts to the v2 term.
var upgradeTypes = map[string]string{
	classAssertion:  "Assertion",
	classBadgeClass: "BadgeClass",
	classProfile:    "https://w3id.org/openbadges#Profile",
}

// isOB05 decides, for a document without @context, whether it is an Open
// Badges 0.5 assertion. The reference takes every string recipient for 0.5
// and then crashes on 1.0 assertions that have one. 0.5 always embeds the
// badge; 1.0 always links it: a string recipient with a badge URL is a 1.0
// assertion (with a 0.5-style recipient, which upgradeBefore converts).
func isOB05(doc map[string]any) bool {
	if _, ok := doc["recipient"].(string); !ok {
		return false
	}
	_, linked := doc["badge"].(string)
	return !linked
}

// upgradeBefore rewrites a document of an older version so that it
// compacts into the v2 context: 0.5 and 1.0 documents have no JSON-LD
// context of their own. url is where the document was fetched from ("" for
// one that was not fetched). It reports false when the document cannot be
// upgraded (the reason is in the report). doc itself is not modified.
func (r *run) upgradeBefore(url string, doc map[string]any, version, class string) (map[string]any, bool) {
	switch version {
	case "0.5":
		return r.upgrade05(url, doc, class)
	case "1.0":
		return r.upgrade10(url, doc, class)
	case "1.1":
		if _, has := doc["id"]; !has && url != "" {
			// The fetch URL is the id, as for any fetched node; set here
			// so the node is known as a 1.1 one after compaction.
			doc = cloneMap(doc)
			doc["id"] = url
		}
	}
	return doc, true
}

// upgrade05 is UPGRADE_0_5_NODE: a 0.5 assertion, which embeds its badge
// and the badge's issuer, in 1.1 form.
func (r *run) upgrade05(url string, doc map[string]any, class string) (map[string]any, bool) {
	if class == "" {
		class = classAssertion
	}
	d := cloneMap(doc)
	d["@context"] = jsonld.ContextV1
	d["type"] = upgradeType(class)
	if !setLegacyID(d, url) {
		r.res.Errorf(taskUpgrade05, "", "", "Could not determine 'id' for data")
		return nil, false
	}
	renameIssuedOn(d)
	if recipientToIdentity(d) {
		// A 0.5 assertion is verified where it is hosted: the URL it was
		// fetched from (0.5 had no verification object; later 0.5.x
		// issuers added a 1.0-style one, replaced the same way).
		d["verify"] = map[string]any{"type": "hosted"}
	}
	if badge, ok := d["badge"].(map[string]any); ok {
		badge = cloneMap(badge)
		badge["type"] = upgradeType(classBadgeClass)
		if issuer, ok := badge["issuer"].(map[string]any); ok {
			badge["issuer"] = upgrade05Issuer(issuer)
		}
		d["badge"] = badge
	}
	return d, true
}

// upgrade05Issuer turns a 0.5 issuer (origin, name, org, contact) into a
// Profile: origin → url, contact → email, name and org → "name: org".
func upgrade05Issuer(issuer map[string]any) map[string]any {
	iss := cloneMap(issuer)
	iss["type"] = upgradeType(classProfile)
	for _, rn := range [][2]string{{"contact", "email"}, {"origin", "url"}} {
		if truthy(iss[rn[0]]) && !truthy(iss[rn[1]]) {
			iss[rn[1]] = iss[rn[0]]
			delete(iss, rn[0])
		}
	}
	name, _ := iss["name"].(string)
	org, _ := iss["org"].(string)
	if name != "" && org != "" {
		iss["name"] = name + ": " + org
		delete(iss, "org")
	}
	return iss
}

// upgrade10 is UPGRADE_1_0_NODE: the class comes from what was expected,
// else from the properties; an assertion's id is the URL it was fetched
// from, else its verify.url (hosted) or uid:<uid> (signed).
func (r *run) upgrade10(url string, doc map[string]any, class string) (map[string]any, bool) {
	d := cloneMap(doc)
	switch {
	case class == classAssertion || d["recipient"] != nil:
		if !setLegacyID(d, url) {
			vo, _ := d["verify"].(map[string]any)
			typ, _ := vo["type"].(string)
			switch {
			case typ == "hosted" && vo["url"] != nil:
				d["id"] = vo["url"]
			case typ == "signed" && d["uid"] != nil:
				d["id"] = "uid:" + toText(d["uid"])
			default:
				r.res.Errorf(taskUpgrade10, "", "", "Could not determine 'id' for Assertion data to upgrade to v1.1+")
				return nil, false
			}
		}
		d["type"] = upgradeType(classAssertion)
		// 1.0 recipients are identity objects; some 1.0 issuers kept the
		// 0.5 string (with a top-level salt).
		recipientToIdentity(d)
		renameIssuedOn(d)
	case class == classBadgeClass || d["criteria"] != nil:
		if !setLegacyID(d, url) {
			r.res.Errorf(taskUpgrade10, "", "", "Could not determine 'id' for BadgeClass to upgrade to v1.1+")
			return nil, false
		}
		d["type"] = upgradeType(classBadgeClass)
	case class == classProfile || d["url"] != nil:
		if !setLegacyID(d, url) {
			r.res.Errorf(taskUpgrade10, "", "", "Could not determine 'id' for Issuer to upgrade to v1.1+")
			return nil, false
		}
		d["type"] = "Issuer"
	default:
		setLegacyID(d, url)
	}
	d["@context"] = jsonld.ContextV1
	return d, true
}

func upgradeType(class string) string {
	if t, ok := upgradeTypes[class]; ok {
		return t
	}
	return class
}

// setLegacyID gives a 0.5 or 1.0 document an id: the URL it was fetched
// from (those versions have no ids), else an id it carries itself.
func setLegacyID(d map[string]any, url string) bool {
	if url != "" {
		d["id"] = url
		return true
	}
	id, ok := d["id"].(string)
	return ok && id != ""
}

// renameIssuedOn renames 0.5's issued_on to issuedOn.
func renameIssuedOn(d map[string]any) {
	if v, ok := d["issued_on"]; ok && v != nil && d["issuedOn"] == nil {
		d["issuedOn"] = v
		delete(d, "issued_on")
	}
}

// recipientToIdentity turns a 0.5 recipient string (an email address, or a
// hash of one) into an IdentityObject, taking the salt from the top level.
// It reports whether there was a string recipient.
func recipientToIdentity(d map[string]any) bool {
	s, ok := d["recipient"].(string)
	if !ok {
		return false
	}
	identity := map[string]any{"identity": s, "type": "email", "hashed": !strings.Contains(s, "@")}
	if truthy(d["salt"]) {
		identity["salt"] = d["salt"]
		delete(d, "salt")
	}
	d["recipient"] = identity
	return true
}

// truthy is Python's truth value of a JSON value, as the reference tests
// optional 0.5 properties (null and "" count as absent).
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case bool:
		return v
	case float64:
		return v != 0
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

func toText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// upgradeAfter is UPGRADE_1_1_NODE: it fixes what compaction leaves in 1.x
// form. Assertions: issuedOn and expires that are not date-times with a
// zone are read as Unix epoch seconds, zone-less ISO 8601 date-times (UTC)
// or dates (midnight UTC). BadgeClasses, also one embedded in an
// assertion (0.5): alignment url/name/description become
// targetUrl/targetName/targetDescription.
func (r *run) upgradeAfter(node map[string]any, version, class string) {
	if version == openBadgesV2 {
		return
	}
	if id, ok := node["id"].(string); ok && id != "" {
		r.markLegacy(id, version)
	}
	switch {
	case class == classAssertion || node["recipient"] != nil:
		for _, prop := range []string{"issuedOn", "expires"} {
			v, has := node[prop]
			if !has || v == nil {
				continue
			}
			if s, ok := v.(string); ok && IsDateTime(s) {
				continue
			}
			if t, ok := upgradeDateTime(v); ok {
				node[prop] = t
			}
			// Otherwise VALIDATE_PROPERTY reports the value as it is.
		}
		if badge, ok := node["badge"].(map[string]any); ok {
			upgradeAlignments(badge)
		}
	case class == classBadgeClass || node["criteria"] != nil:
		upgradeAlignments(node)
	}
}

// upgradeAlignments renames 1.x alignment properties in a BadgeClass.
func upgradeAlignments(badge map[string]any) {
	list, isList := badge["alignment"].([]any)
	if !isList {
		list = listOf(badge["alignment"])
	}
	for i, a := range list {
		obj, ok := a.(map[string]any)
		if !ok {
			continue // a reference; VALIDATE_PROPERTY judges it
		}
		obj = cloneMap(obj)
		for _, rn := range [][2]string{{"url", "targetUrl"}, {"name", "targetName"}, {"description", "targetDescription"}} {
			if truthy(obj[rn[0]]) && !truthy(obj[rn[1]]) {
				obj[rn[1]] = obj[rn[0]]
				delete(obj, rn[0])
			}
		}
		list[i] = obj
	}
	switch {
	case isList:
		badge["alignment"] = list
	case len(list) == 1:
		badge["alignment"] = list[0]
	}
}

var (
	epochSeconds = lazyRegexp(`^[+-]?[0-9]+(\.[0-9]+)?$`)
	dateOnly     = lazyRegexp(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// zonelessLayouts are the ISO 8601 date-time forms read as UTC when a 1.x
// timestamp has no zone.
var zonelessLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"20060102T150405",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
}

// upgradeDateTime reads a 1.x timestamp: a number or numeric string is
// Unix epoch seconds; a date-time without a zone is UTC; a date alone is
// midnight UTC. The result is written as Python's isoformat() writes it
// (2017-07-19T00:22:10+00:00, with microseconds only when there are some).
func upgradeDateTime(v any) (string, bool) {
	var t time.Time
	switch v := v.(type) {
	case float64:
		t = fromEpoch(v)
	case string:
		s := strings.TrimSpace(v)
		switch {
		case epochSeconds().MatchString(s):
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return "", false
			}
			t = fromEpoch(f)
		case dateOnly().MatchString(s):
			d, err := time.Parse("2006-01-02", s)
			if err != nil {
				return "", false
			}
			t = d
		default:
			ok := false
			for _, layout := range zonelessLayouts {
				if d, err := time.Parse(layout, s); err == nil {
					t, ok = d, true
					break
				}
			}
			if !ok {
				return "", false
			}
		}
	default:
		return "", false
	}
	if t.IsZero() {
		return "", false
	}
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	return t.UTC().Format(layout) + "+00:00", true
}

// fromEpoch converts Unix epoch seconds, rounded to microseconds as
// Python's datetime does.
func fromEpoch(f float64) time.Time {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	micros := math.Round(frac * 1e6)
	return time.Unix(int64(sec), int64(micros)*1000).UTC()
}

// markLegacy records that the node with id came from a document older than
// Open Badges 2.0.
func (r *run) markLegacy(id, version string) {
	if r.legacy == nil {
		r.legacy = map[string]string{}
	}
	r.legacy[id] = version
}

// inheritLegacy marks a node taken out of another (a flattened embedded
// badge or issuer) with the version of the document it came from.
func (r *run) inheritLegacy(from, to string) {
	if v, ok := r.legacy[from]; ok {
		r.markLegacy(to, v)
	}
}

// optionalBefore20 reports whether a property the OB 2.0 class requires
// was optional in the version of the document the node came from: the
// issuer's email became required in 2.0 (0.5 had an optional contact, 1.0
// and 1.1 an optional email).
func (r *run) optionalBefore20(id, class, prop string) bool {
	if _, legacy := r.legacy[id]; !legacy {
		return false
	}
	return class == classProfile && prop == "email"
}
