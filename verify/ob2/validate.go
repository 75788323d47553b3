package ob2

import (
	"encoding/json"
	"fmt"
	"strings"
)

// where names a node in messages: its id, or its path from a node.
type where struct {
	id   string
	path []any
}

func (w where) String() string {
	if w.id != "" {
		return w.id
	}
	parts := make([]string, len(w.path))
	for i, p := range w.path {
		parts[i] = fmt.Sprint(p)
	}
	return abbreviate(strings.Join(parts, ", "))
}

func (w where) child(prop string, index int, many bool) where {
	base := w.path
	if w.id != "" {
		base = []any{w.id}
	}
	p := append(append([]any{}, base...), prop)
	if many {
		p = append(p, index)
	}
	return where{path: p}
}

// propError adds a VALIDATE_PROPERTY error about prop at w.
func (r *run) propError(w where, prop, format string, args ...any) {
	m := fmt.Sprintf(format, args...)
	r.res.Errorf(taskValidateProperty, w.id, prop, "%s", m)
	if w.id == "" {
		last := &r.res.Report.Messages[len(r.res.Report.Messages)-1]
		last.NodePath = w.path
	}
}

// validateClass validates a node of the graph as class, once.
func (r *run) validateClass(node map[string]any, class string) {
	id, _ := node["id"].(string)
	key := class + " " + id
	if r.validated[key] {
		return
	}
	r.validated[key] = true
	w := where{id: id}
	switch class {
	case classAssertion:
		r.flatten(node, "badge", class)
	case classBadgeClass:
		r.flatten(node, "issuer", class)
	}
	r.validateProps(node, class, w, false)
	r.classChecks(node, class, w)
}

// validateProps checks every property rule of class on node. partial is
// the reference's full_validate=False: only the id and the properties the
// node has are checked.
func (r *run) validateProps(node map[string]any, class string, w where, partial bool) {
	label := class
	if class == classProfile {
		label = "Profile"
	}
	for _, rl := range classRules[class] {
		value, present := node[rl.prop]
		if partial && !present && rl.prop != "id" {
			continue
		}
		if !present {
			if rl.required && !r.optionalBefore20(w.id, class, rl.prop) {
				r.propError(w, rl.prop, "Required property %s not present in %s %s", rl.prop, label, w)
			}
			continue
		}
		values := listOf(value)
		if isNullList(values) {
			if rl.required {
				r.propError(w, rl.prop, "Required property %s value %s is not acceptable in %s %s", rl.prop, abbreviate(value), label, w)
			}
			continue
		}
		if !rl.many && len(values) > 1 {
			r.propError(w, rl.prop, "Property %s in %s %s has more than the single allowed value.", rl.prop, label, w)
			continue
		}
		_, isList := value.([]any)
		switch rl.typ {
		case vtID:
			for i, v := range values {
				r.validateReference(node, rl, w, v, i, isList)
			}
		case vtRDFType:
			r.validateType(values, rl, label, w)
		default:
			for _, v := range values {
				if !checkPrimitive(rl.typ, v) {
					r.propError(w, rl.prop, "%s property %s value %s not valid in %s %s", valueTypeNames[rl.typ], rl.prop, abbreviate(v), label, w)
					break
				}
			}
		}
	}
}

func isNullList(values []any) bool {
	for _, v := range values {
		if v != nil {
			return false
		}
	}
	return true
}

// validateType checks a type property: strings, and one of the classes
// the node must be, compared as expanded IRIs (the reference never runs
// this check, B1).
func (r *run) validateType(values []any, rl rule, label string, w where) {
	var types []string
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			r.propError(w, "type", "RDF_TYPE property type value %s not valid in %s %s: types are strings", abbreviate(v), label, w)
			return
		}
		types = append(types, s)
	}
	if len(rl.mustContain) > 0 && !hasType(types, rl.mustContain...) {
		r.res.Errorf(taskValidateRDFType, w.id, "type", "Node %s of type %s does not have type among allowed values (%s)", w, abbreviate(types), strings.Join(rl.mustContain, ", "))
	}
}

// checkPrimitive checks one value of a primitive value type.
func checkPrimitive(t valueType, v any) bool {
	s, isString := v.(string)
	switch t {
	case vtText, vtIdentityHash, vtMarkdown:
		// MARKDOWN_TEXT must be text too (the reference accepts anything, B4).
		return isString
	case vtTextOrNumber:
		_, isNumber := v.(json.Number)
		_, isFloat := v.(float64)
		return isString || isNumber || isFloat
	case vtBoolean:
		_, ok := v.(bool)
		return ok
	}
	if !isString {
		return false
	}
	switch t {
	case vtIRI:
		return IsIRI(s)
	case vtURL:
		return IsURL(s)
	case vtDataURIOrURL:
		return IsDataURIOrURL(s)
	case vtDateTime:
		return IsDateTime(s)
	case vtTelephone:
		return IsTelephone(s)
	case vtEmail:
		return IsEmail(s)
	case vtLanguage:
		return IsLanguage(s)
	case vtURLAuthority:
		return IsURLAuthority(s)
	case vtCompactIRI:
		return s == "id" || IsIRI(s) || expandType(s) != s || !strings.Contains(s, ":")
	}
	return false
}

// validateReference checks one value of an ID-typed property: an embedded
// node is validated in place; a string must be an IRI (or a data URI where
// allowed) and, for fetched properties, is fetched and validated.
func (r *run) validateReference(node map[string]any, rl rule, w where, v any, i int, isList bool) {
	switch v := v.(type) {
	case map[string]any:
		if rl.link {
			if !r.enter(w, rl.prop, v["id"]) {
				return
			}
			defer r.leave()
		}
		r.validateEmbedded(v, rl.class, w.child(rl.prop, i, isList), rl.partial)
		return
	case string:
		switch {
		case rl.dataURI && !IsDataURIOrURL(v):
			r.propError(w, rl.prop, "ID-type property %s had value `%s` that isn't URI or DATA URI in %s.", rl.prop, abbreviate(v), w)
			return
		case !rl.dataURI && !IsIRI(v):
			// The reference words a WARNING here too ("where another
			// scheme may have been expected"), but raises the error in
			// the same step, which discards it: it never reaches a report.
			r.propError(w, rl.prop, "ID-type property %s had value `%s` not embedded node or in IRI format in %s.", rl.prop, abbreviate(v), w)
			return
		}
		if rl.partial {
			r.linkOnly(rl, w, v)
			return
		}
		if rl.link {
			if r.validated[rl.class+" "+v] {
				return // already followed (a cycle, or a second link to it)
			}
			if !r.enter(w, rl.prop, v) {
				return
			}
			defer r.leave()
		}
		if target := r.byID[v]; target != nil {
			r.validateClass(target, rl.class)
			return
		}
		switch {
		case rl.fetch:
			target := r.fetchNode(v, rl.class, false)
			if target == nil {
				return
			}
			if id, _ := target["id"].(string); id != v && w.id != "" {
				// The document declared another id: point at the canonical one.
				setRef(node, rl.prop, i, isList, id)
			}
			r.validateClass(target, rl.class)
		case rl.remoteURL && IsURL(v), rl.dataURI && IsDataURI(v):
			// A link to something not fetched: fine.
		default:
			r.propError(w, rl.prop, "Node %s has %s property value `%s` that appears not to be in URI format or did not correspond to a known local node.", w, rl.prop, abbreviate(v))
		}
	default:
		r.propError(w, rl.prop, "ID-type property %s had value `%s` not embedded node or in IRI format in %s.", rl.prop, abbreviate(v), w)
	}
}

func setRef(node map[string]any, prop string, i int, isList bool, id string) {
	if isList {
		if l, ok := node[prop].([]any); ok && i < len(l) {
			l[i] = id
		}
		return
	}
	node[prop] = id
}

// linkOnly checks a string value of a partially validated property: a
// related link may be a URL (not fetched) or a node of the graph (not
// validated again); a claim given as a string is a claim of that IRI and
// nothing more (the reference refuses it unless it is a graph node, which
// it then validates as an Endorsement).
func (r *run) linkOnly(rl rule, w where, v string) {
	if rl.class == classEndorsementClaim || r.byID[v] != nil || (rl.remoteURL && IsURL(v)) {
		return
	}
	r.propError(w, rl.prop, "Node %s has %s property value `%s` that appears not to be in URI format or did not correspond to a known local node.", w, rl.prop, abbreviate(v))
}

// validateEmbedded validates an object embedded in a node; partially (its
// id and the properties it has, no class checks) for related objects and
// endorsement claims.
func (r *run) validateEmbedded(obj map[string]any, class string, w where, partial bool) {
	if id, ok := obj["id"].(string); ok && IsIRI(id) && !partial && (class == classBadgeClass || class == classProfile) {
		w = where{id: id}
	}
	r.validateProps(obj, class, w, partial)
	if !partial {
		r.classChecks(obj, class, w)
	}
}

// enter follows a related or endorsement link one level further from the
// validation subject, unless that would pass Options.MaxDepth: then the
// link is not followed, and a warning says so. leave undoes enter.
// (A node is validated once, at the depth it is first reached.)
func (r *run) enter(w where, prop string, target any) bool {
	if r.depth >= r.v.depth {
		what := "an embedded object"
		if s, ok := target.(string); ok && s != "" {
			what = s
		}
		r.res.Warnf(taskReportMessage, w.id, prop, "Did not follow %s %s of %s: the depth limit of %d related and endorsement links was reached", prop, what, r.nodeRef(w), r.v.depth)
		if w.id == "" {
			r.res.Report.Messages[len(r.res.Report.Messages)-1].NodePath = w.path
		}
		return false
	}
	r.depth++
	return true
}

func (r *run) leave() { r.depth-- }

// flatten moves an embedded badge or issuer out of its node, the way the
// reference's FLATTEN_EMBEDDED_RESOURCE does: a node without an id gets a
// blank node id (with a warning), an http(s) id is fetched again (embedded
// data is not trusted), another IRI (urn:uuid:…) stays local.
func (r *run) flatten(node map[string]any, prop, class string) {
	obj, ok := node[prop].(map[string]any)
	if !ok {
		return
	}
	nodeID, _ := node["id"].(string)
	id, hasID := obj["id"]
	switch {
	case !hasID || id == nil:
		blank := r.nextBlank()
		copied := cloneMap(obj)
		copied["id"] = blank
		copied["@context"] = openBadgesContextV2
		r.addNode(copied)
		r.inheritLegacy(nodeID, blank)
		node[prop] = blank
		r.placeBlank(blank, blankPlace{parent: nodeID, prop: prop})
		r.res.Warnf(taskReportMessage, "", "", "Node id missing at %s, %s. A blank node ID has been assigned", r.nodeName(nodeID), prop)
	default:
		s, isString := id.(string)
		if !isString || !IsIRI(s) {
			r.res.Errorf(taskFlatten, nodeID, prop, "Embedded JSON object at %s, %s has no proper assigned id.", nodeID, prop)
			return
		}
		node[prop] = s
		if !IsURL(s) {
			if !urnUUID().MatchString(s) {
				r.res.Infof(taskReportMessage, "", "", "ID format for %s at %s, %s not in an expected HTTP or URN:UUID scheme", s, nodeID, prop)
			}
			copied := cloneMap(obj)
			copied["@context"] = openBadgesContextV2
			r.addNode(copied)
			r.inheritLegacy(nodeID, s)
		}
	}
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// blankPlace is where a blank node was found: the property prop of the
// node parent, or, for a node that stands alone, its name.
type blankPlace struct {
	parent, prop string
	name         string
}

func (r *run) placeBlank(id string, p blankPlace) {
	if r.blankAt == nil {
		r.blankAt = map[string]blankPlace{}
	}
	r.blankAt[id] = p
}

// nodeName names a node for people: its id, or a blank node (_:b0, an
// id made up for the run) by its place: "the issuer of the BadgeClass
// https://…", "the badge of the assertion".
func (r *run) nodeName(id string) string {
	return r.nodeNameDepth(id, 0)
}

func (r *run) nodeNameDepth(id string, depth int) string {
	if !strings.HasPrefix(id, "_:") {
		return id
	}
	p, ok := r.blankAt[id]
	switch {
	case !ok || depth > 8:
		return "a node without an id"
	case p.name != "":
		return p.name
	}
	return "the " + p.prop + " of " + r.ownerName(p.parent, depth+1)
}

// ownerName names the node a blank node belongs to: "the assertion", "the
// BadgeClass https://…", or a blank node by its place.
func (r *run) ownerName(id string, depth int) string {
	if strings.HasPrefix(id, "_:") {
		return r.nodeNameDepth(id, depth)
	}
	typ := ""
	if n := r.byID[id]; n != nil {
		if ts := stringsOf(n["type"]); len(ts) > 0 {
			typ = ts[0]
		}
	}
	switch typ {
	case "Assertion":
		return "the assertion"
	case "":
		return "node " + id
	}
	return "the " + typ + " " + id
}

// label is a node of a kind in a message: "Issuer https://…", or for a
// blank node "Issuer (the issuer of the badge of the assertion)".
func (r *run) label(kind, id string) string {
	if strings.HasPrefix(id, "_:") {
		return kind + " (" + r.nodeName(id) + ")"
	}
	return kind + " " + id
}

// nodeRef refers to the node at w in a message: "node https://…", a blank
// node by its place, or a place within a node ("node https://…, image").
func (r *run) nodeRef(w where) string {
	if w.id != "" {
		if strings.HasPrefix(w.id, "_:") {
			return r.nodeName(w.id)
		}
		return "node " + w.id
	}
	if len(w.path) > 0 {
		if id, ok := w.path[0].(string); ok && strings.HasPrefix(id, "_:") {
			if len(w.path) == 1 {
				return r.nodeName(id)
			}
			rest := where{path: w.path[1:]}
			return r.nodeName(id) + ", " + rest.String()
		}
	}
	return "node " + w.String()
}
