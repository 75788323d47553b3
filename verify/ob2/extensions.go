package ob2

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/badgebake/badgebake/jsonld"
)

// Extensions (validator.md §13). Every object typed Extension in a
// compacted document, at any depth, is validated against the JSON schema
// its extension context names: the context's obi:validation entries say
// which type (validatesType) is validated with which schema
// (validationSchema). The contexts looked at are those the document names
// (at any depth), as in the reference, whose JSON-LD loader records them
// while compacting; the Open Badges contexts themselves are skipped.
//
// Messages follow the reference: one matching entry is validated as
// VALIDATE_EXTENSION_NODE, several each as VALIDATE_EXTENSION_SINGLE;
// "Extension T did not validate on node N: …" when the schema rejects the
// node, "Could not determine extension type to test" when no entry
// applies. Where badgebake differs (docs/compatibility.md): an extension
// context that cannot be loaded is one error and the rest of the document
// is still read (the reference's compaction fails and leaves an empty
// graph); validatesType is also expanded in the extension's own context
// (so the deprecated endorsement extension's "endorsement" names
// extensions:Endorsement); the accessibility and original creator
// extensions also validate the type their specification tells issuers to
// use; formats are asserted.

// Task names of extension validation.
const (
	taskExtensionNode   = "VALIDATE_EXTENSION_NODE"
	taskExtensionSingle = "VALIDATE_EXTENSION_SINGLE"
	acceptJSONLD        = "application/ld+json, application/json"
	extensionTypeIRI    = "https://w3id.org/openbadges#Extension"
)

// documentedTypes are types that official extensions' specifications tell
// issuers to use but that their contexts' validation entries misspell
// ("extensions#accessibility", "extensions:originalCreator"), by canonical
// context URL. Nodes of these types are validated with the context's
// (only) validation entry.
var documentedTypes = map[string]string{
	jsonld.ExtensionContextURL("accessibilityExtension"):   "https://w3id.org/openbadges/extensions#Accessibility",
	jsonld.ExtensionContextURL("originalCreatorExtension"): "https://w3id.org/openbadges/extensions#OriginalCreator",
}

// extensionContext is an extension context's validation entries.
type extensionContext struct {
	entries []validationEntry
	err     error
}

// validationEntry is one obi:validation entry of an extension context.
type validationEntry struct {
	context       string   // the context URL
	validatesType string   // as written
	types         []string // the IRIs it may name
	schema        string   // the validationSchema URL
}

// extensionNode is an object typed Extension in a compacted document.
type extensionNode struct {
	node map[string]any
	path []any
}

// findExtensions lists the objects typed Extension in v (v itself
// included), as the reference's discovery does: through object values and
// list elements, but not into id or type.
func findExtensions(v any, path []any) []extensionNode {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out []extensionNode
	if isExtension(m) {
		out = append(out, extensionNode{node: m, path: path})
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "id" && k != "type" && k != "@context" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if l, isList := m[k].([]any); isList {
			for i, e := range l {
				out = append(out, findExtensions(e, appendPath(path, k, i))...)
			}
			continue
		}
		out = append(out, findExtensions(m[k], appendPath(path, k))...)
	}
	return out
}

func appendPath(path []any, parts ...any) []any {
	return append(append(make([]any, 0, len(path)+len(parts)), path...), parts...)
}

func isExtension(m map[string]any) bool {
	for _, t := range stringsOf(m["type"]) {
		if expandType(t) == extensionTypeIRI {
			return true
		}
	}
	return false
}

// isCoreContext reports whether url is one of the Open Badges contexts
// (not an extension's).
func isCoreContext(url string) bool {
	switch jsonld.CanonicalURL(url) {
	case jsonld.ContextV2, jsonld.ContextV1, jsonld.ContextLegacyV1:
		return true
	}
	return false
}

// validateExtensions validates the nodes typed Extension in a compacted
// document against the JSON schemas their extension contexts name
// (VALIDATE_EXTENSION_NODE). contexts are the context URLs the document
// named; failed are those that could not be loaded (already reported).
func (r *run) validateExtensions(url string, compacted map[string]any, contexts []string, failed map[string]bool) {
	root := url
	if id, ok := compacted["id"].(string); ok && id != "" {
		root = id
	}
	nodes := findExtensions(compacted, []any{root})
	if len(nodes) == 0 {
		return
	}
	var candidates []string
	for _, c := range contexts {
		if !isCoreContext(c) && !failed[c] {
			candidates = append(candidates, c)
		}
	}
	for _, ext := range nodes {
		r.validateExtensionNode(ext, candidates, len(failed) > 0)
	}
}

// validateExtensionNode is VALIDATE_EXTENSION_NODE for one node.
func (r *run) validateExtensionNode(ext extensionNode, contexts []string, contextFailed bool) {
	w := where{path: ext.path}
	var types []string
	for _, t := range stringsOf(ext.node["type"]) {
		if expandType(t) != extensionTypeIRI {
			types = append(types, t)
		}
	}
	if len(contexts) == 0 {
		if !contextFailed {
			r.pathError(taskExtensionNode, w, "Could not determine extension type to test: no contexts defined")
		}
		return
	}
	matches, failed := r.matchingEntries(contexts, types)
	contextFailed = contextFailed || failed
	switch {
	case len(matches) == 0 && contextFailed:
		// A context could not be loaded and the report says so: that is
		// why nothing matched, as far as anyone can tell.
	case len(matches) == 0:
		r.pathError(taskExtensionNode, w, "Could not determine extension type to test: no validation entry of %s validates type %s",
			abbreviate(contexts), describeTypes(types))
	case len(matches) == 1:
		r.validateExtension(taskExtensionNode, ext, matches[0], w)
	default:
		for _, m := range matches {
			r.validateExtension(taskExtensionSingle, ext, m, w)
		}
	}
}

// matchingEntries returns the validation entries of the contexts that
// apply to a node of the given types (compacted in the v2 context), and
// whether a context could not be read.
func (r *run) matchingEntries(contexts, types []string) (matches []validationEntry, contextFailed bool) {
	iris := map[string]bool{}
	for _, t := range types {
		iris[expandType(t)] = true
	}
	for _, c := range contexts {
		ec := r.extensionContext(c)
		if ec.err != nil {
			contextFailed = true
			continue
		}
		for _, e := range ec.entries {
			if e.matches(iris) || (len(ec.entries) == 1 && iris[documentedTypes[jsonld.CanonicalURL(c)]]) {
				matches = append(matches, e)
			}
		}
	}
	return matches, contextFailed
}

func (e validationEntry) matches(iris map[string]bool) bool {
	for _, t := range e.types {
		if iris[t] {
			return true
		}
	}
	return false
}

// validateExtension validates an extension node against one validation
// entry's schema (the reference's VALIDATE_EXTENSION_SINGLE): the node is
// compacted into the v2 context and the extension's, so that the schema
// sees the extension's own terms.
func (r *run) validateExtension(task string, ext extensionNode, e validationEntry, w where) {
	schema, err := r.v.schemas.Schema(r.ctx, e.schema)
	if err != nil {
		r.pathError(task, w, "Could not load JSON-schema from URL %s for extension %s on %s: %v", abbreviate(e.schema), e.validatesType, r.nodeRef(w), err)
		r.markTransient(err)
		return
	}
	data := cloneMap(ext.node)
	data["@context"] = openBadgesContextV2
	compacted, err := r.ld.Compact(data, []any{openBadgesContextV2, e.context})
	if err != nil {
		r.pathError(task, w, "Extension %s on %s could not be read in its context %s: %v", e.validatesType, r.nodeRef(w), e.context, err)
		return
	}
	delete(compacted, "@context")
	if err := schema.Validate(compacted); err != nil {
		r.pathError(task, w, "Extension %s did not validate on %s: %v", e.validatesType, r.nodeRef(w), err)
	}
}

// extensionContext loads an extension context once per run and reads its
// validation entries (compacted into the v2 context, as the reference
// reads them). A context that cannot be loaded is reported once.
func (r *run) extensionContext(url string) *extensionContext {
	if ec, ok := r.extContexts[url]; ok {
		return ec
	}
	ec := &extensionContext{}
	if r.extContexts == nil {
		r.extContexts = map[string]*extensionContext{}
	}
	r.extContexts[url] = ec
	doc, err := r.ld.Document(url)
	if err == nil {
		var c map[string]any
		if c, err = r.ld.Compact(doc, openBadgesContextV2); err == nil {
			ec.entries = r.validationEntries(url, c)
		}
	}
	if err != nil {
		ec.err = err
		r.res.Errorf(taskExtensionNode, "", "", "Could not load extension context %s: %v", url, contextCause(err))
		r.markTransient(err)
	}
	return ec
}

func (r *run) validationEntries(url string, compacted map[string]any) []validationEntry {
	var out []validationEntry
	for _, v := range listOf(compacted["validation"]) {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		vt, _ := m["validatesType"].(string)
		schema, _ := m["validationSchema"].(string)
		if s, ok := m["validationSchema"].(map[string]any); ok {
			schema, _ = s["id"].(string)
		}
		if vt == "" || schema == "" {
			continue
		}
		out = append(out, validationEntry{context: url, validatesType: vt, schema: schema, types: r.typeIRIs(url, vt)})
	}
	return out
}

// typeIRIs returns what a validatesType may name: its expansion in the v2
// context (as the reference expands it; prefixed or full IRIs, #207) and
// in the v2 context with the extension's own on top, where it was written.
func (r *run) typeIRIs(contextURL, vt string) []string {
	out := []string{expandType(vt)}
	for _, ctx := range []any{openBadgesContextV2, []any{openBadgesContextV2, contextURL}} {
		expanded, err := r.ld.Expand(map[string]any{"@context": ctx, "@type": vt})
		if err != nil || len(expanded) != 1 {
			continue
		}
		if node, ok := expanded[0].(map[string]any); ok {
			for _, t := range stringsOf(node["@type"]) {
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// pathError adds an error about an embedded node named by its path.
func (r *run) pathError(task string, w where, format string, args ...any) {
	r.res.Errorf(task, w.id, "", format, args...)
	if w.id == "" {
		r.res.Report.Messages[len(r.res.Report.Messages)-1].NodePath = w.path
	}
}

// compact compacts a fetched document into the v2 context. A context the
// document names that cannot be loaded (an unreachable extension context)
// is reported and left out, and the document is compacted without it, so
// that the rest of it is still verified; the reference's compaction fails
// as a whole and its graph stays empty. failed lists the contexts left out.
func (r *run) compact(url string, doc map[string]any, class string) (compacted map[string]any, failed map[string]bool, err error) {
	for {
		compacted, err = r.ld.Compact(doc, openBadgesContextV2)
		if err == nil {
			return compacted, failed, nil
		}
		u := unloadableContext(err)
		if u == "" || failed[u] || jsonld.IsEmbedded(u) {
			return nil, failed, err
		}
		if failed == nil {
			failed = map[string]bool{}
		}
		failed[u] = true
		r.res.Errorf(taskCompact, url, "", "Could not load the JSON-LD context %s named in %s %s: %v. The terms it defines were left out, and the extensions it describes could not be validated.",
			u, class, url, contextCause(err))
		r.markTransient(err)
		doc, _ = withoutContext(doc, u).(map[string]any)
	}
}

// markTransient marks the last message Unavailable when err, the failure
// it reports, says nothing about the badge.
func (r *run) markTransient(err error) {
	if transient(err) {
		r.res.Report.Messages[len(r.res.Report.Messages)-1].Unavailable = true
	}
}

// unloadableContext returns the URL of the context whose loading made a
// JSON-LD operation fail, if that is what happened.
func unloadableContext(err error) string {
	var fe *jsonld.FetchError
	if errors.As(err, &fe) {
		return fe.URL
	}
	var ne *jsonld.NotEmbeddedError
	if errors.As(err, &ne) {
		return ne.URL
	}
	return ""
}

// contextCause is the readable cause of a context loading failure.
func contextCause(err error) string {
	var fe *jsonld.FetchError
	if errors.As(err, &fe) {
		return fe.Err.Error()
	}
	var ne *jsonld.NotEmbeddedError
	if errors.As(err, &ne) {
		return "it is not built in and fetching is off"
	}
	return jsonldError(err)
}

// jsonldError is the readable form of a JSON-LD processing failure. When a
// context cycle, one of badgebake's limits on contexts, or the end of the
// verification's time stopped it, that is said alone, without json-gold's
// wrapping around it.
func jsonldError(err error) string {
	var rce *jsonld.RecursiveContextError
	var cle *jsonld.ContextLimitError
	var ce *jsonld.CanceledError
	switch {
	case errors.As(err, &rce):
		err = rce
	case errors.As(err, &cle):
		err = cle
	case errors.As(err, &ce):
		err = ce
	}
	return strings.TrimPrefix(err.Error(), "jsonld: ")
}

// withoutContext returns a copy of v in which no @context names url.
func withoutContext(v any, url string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if k != "@context" {
				out[k] = withoutContext(e, url)
				continue
			}
			switch c := e.(type) {
			case string:
				if c == url {
					continue
				}
			case []any:
				var keep []any
				for _, x := range c {
					if s, ok := x.(string); !ok || s != url {
						keep = append(keep, x)
					}
				}
				if len(keep) == 0 {
					continue
				}
				e = keep
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutContext(e, url)
		}
		return out
	}
	return v
}

// describeTypes is for messages.
func describeTypes(types []string) string {
	if len(types) == 0 {
		return "(none besides Extension)"
	}
	return abbreviate(types)
}
