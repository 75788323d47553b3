package obschema

// The compiler: it reads schema documents of JSON Schema draft-04, draft-06
// and draft-07 (the drafts extension schemas are written in), checks that
// every keyword it knows has a value of the kind the draft's validation
// specification asks for, resolves $ref (JSON pointers, and "id"/"$id"
// names, within and across documents), and builds a tree of *node that
// validate.go runs. Written for badgebake from the drafts' texts
// (draft-zyp-json-schema-04, draft-fge-json-schema-validation-00,
// draft-wright-json-schema-01 and -validation-01, draft-handrews-json-
// schema-01 and -validation-01). Nothing is compiled at init: a schema is
// read only when a verification first needs it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// draft is the JSON Schema draft a document follows.
type draft int

const (
	draft4 draft = 4
	draft6 draft = 6
	draft7 draft = 7
)

// draftOf reads a document's $schema; a document without one is read as
// draft-04.
func draftOf(doc any) (draft, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return draft4, nil
	}
	v, ok := m["$schema"]
	if !ok {
		return draft4, nil
	}
	s, ok := v.(string)
	if !ok {
		return 0, errors.New("$schema is not a string")
	}
	u := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://"), "#")
	switch u {
	case "json-schema.org/draft-04/schema", "json-schema.org/schema":
		return draft4, nil
	case "json-schema.org/draft-06/schema":
		return draft6, nil
	case "json-schema.org/draft-07/schema":
		return draft7, nil
	}
	return 0, fmt.Errorf("$schema %q is not supported (draft-04, draft-06 and draft-07 are)", s)
}

// decodeJSON reads one JSON value, numbers as json.Number.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// matcher is a compiled "pattern".
type matcher interface{ MatchString(string) bool }

func goRegexp(expr string) (matcher, error) { return regexp.Compile(expr) }

// loadURLError is a document that could not be loaded.
type loadURLError struct {
	URL string
	Err error
}

func (e *loadURLError) Error() string { return fmt.Sprintf("loading %s: %v", e.URL, e.Err) }
func (e *loadURLError) Unwrap() error { return e.Err }

// document is one loaded schema document.
type document struct {
	url   string
	root  any
	draft draft
}

// resource is where an absolute URL (with no fragment, or a plain-name
// fragment) points: a document and a JSON pointer into it.
type resource struct {
	doc *document
	ptr string
}

// compiler compiles the schemas of one Set.Schema call.
type compiler struct {
	load    func(url string) (any, error)
	regexp  func(string) (matcher, error)
	docs    map[string]*document // by URL without fragment
	ids     map[string]resource  // every id/$id found in a loaded document
	nodes   map[string]*node     // by document URL + "#" + JSON pointer
	pending []pendingRef
}

type pendingRef struct {
	n   *node
	url string // absolute
}

func newCompiler(load func(string) (any, error)) *compiler {
	return &compiler{
		load:   load,
		regexp: goRegexp,
		docs:   map[string]*document{},
		ids:    map[string]resource{},
		nodes:  map[string]*node{},
	}
}

// compile compiles the schema at url and every schema its $refs reach.
func (c *compiler) compile(url string) (*node, error) {
	n, err := c.resolve(url)
	if err != nil {
		return nil, err
	}
	for len(c.pending) > 0 {
		p := c.pending[0]
		c.pending = c.pending[1:]
		target, err := c.resolve(p.url)
		if err != nil {
			return nil, err
		}
		p.n.ref = target
	}
	return n, nil
}

// resolve returns the node an absolute URL names, loading its document
// when it is not loaded yet.
func (c *compiler) resolve(abs string) (*node, error) {
	base, frag, _ := strings.Cut(abs, "#")
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, fmt.Errorf("$ref %s: bad fragment: %w", abs, err)
	}
	var r resource
	if frag != "" && !strings.HasPrefix(frag, "/") {
		// A plain name: an id of the form "#name" somewhere in the
		// document at base (loaded first, unless base is an id already).
		if _, known := c.ids[base]; !known {
			if _, err := c.document(base); err != nil {
				return nil, err
			}
		}
		var ok bool
		if r, ok = c.ids[base+"#"+frag]; !ok {
			return nil, fmt.Errorf("$ref %s: no schema has that id", abs)
		}
	} else {
		if d := c.docs[base]; d != nil {
			r = resource{doc: d}
		} else if id, ok := c.ids[base]; ok {
			r = id
		} else {
			d, err := c.document(base)
			if err != nil {
				return nil, err
			}
			r = resource{doc: d}
		}
		r.ptr += frag
	}
	v, err := lookup(r.doc.root, r.ptr)
	if err != nil {
		return nil, fmt.Errorf("$ref %s: %w", abs, err)
	}
	return c.node(r.doc, r.ptr, v, c.baseAt(r.doc, r.ptr))
}

// document returns the loaded document at url, loading it if need be.
func (c *compiler) document(u string) (*document, error) {
	if d := c.docs[u]; d != nil {
		return d, nil
	}
	if r, ok := c.ids[u]; ok && r.ptr == "" {
		return r.doc, nil
	}
	root, err := c.load(u)
	if err != nil {
		return nil, &loadURLError{URL: u, Err: err}
	}
	dr, err := draftOf(root)
	if err != nil {
		if len(c.docs) == 0 {
			return nil, err // the schema compiled: its URL is said already
		}
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	d := &document{url: u, root: root, draft: dr}
	c.docs[u] = d
	c.index(d, root, "", u)
	return d, nil
}

// idKey is the keyword that names a schema's URL in a draft.
func (d *document) idKey() string {
	if d.draft == draft4 {
		return "id"
	}
	return "$id"
}

// index records the ids of the schemas in a document, walking the
// keywords whose values are schemas.
func (c *compiler) index(d *document, v any, ptr, base string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if id, ok := m[d.idKey()].(string); ok {
		if u, err := resolveURL(base, id); err == nil {
			base = u
			key := strings.TrimSuffix(u, "#")
			if _, taken := c.ids[key]; !taken {
				c.ids[key] = resource{doc: d, ptr: ptr}
			}
		}
	}
	forEachSubschema(m, ptr, func(sub any, subPtr string) { c.index(d, sub, subPtr, base) })
}

// baseAt is the base URL in force at ptr: the document's URL changed by
// every id on the way down.
func (c *compiler) baseAt(d *document, ptr string) string {
	base := d.url
	v := d.root
	var walk func(v any, at string) bool
	walk = func(v any, at string) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return at == ptr
		}
		saved := base
		if id, ok := m[d.idKey()].(string); ok {
			if u, err := resolveURL(base, id); err == nil {
				base = u
			}
		}
		if at == ptr {
			return true
		}
		found := false
		forEachSubschema(m, at, func(sub any, subPtr string) {
			if !found && strings.HasPrefix(ptr, subPtr) && (len(ptr) == len(subPtr) || ptr[len(subPtr)] == '/') {
				found = walk(sub, subPtr)
			}
		})
		if !found {
			base = saved
		}
		return found
	}
	if !walk(v, "") {
		return d.url
	}
	return base
}

// forEachSubschema calls f for each schema directly inside m.
func forEachSubschema(m map[string]any, ptr string, f func(sub any, subPtr string)) {
	for _, k := range []string{"additionalItems", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "items"} {
		if sub, ok := m[k]; ok {
			if l, isList := sub.([]any); isList && k == "items" {
				for i, e := range l {
					f(e, ptr+"/items/"+strconv.Itoa(i))
				}
				continue
			}
			f(sub, ptr+"/"+k)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if l, ok := m[k].([]any); ok {
			for i, e := range l {
				f(e, ptr+"/"+k+"/"+strconv.Itoa(i))
			}
		}
	}
	for _, k := range []string{"properties", "patternProperties", "definitions", "dependencies"} {
		if mm, ok := m[k].(map[string]any); ok {
			for name, e := range mm {
				if _, isList := e.([]any); isList {
					continue // a dependencies list of names
				}
				f(e, ptr+"/"+k+"/"+escapePointer(name))
			}
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// lookup follows a JSON pointer (RFC 6901) into v.
func lookup(v any, ptr string) (any, error) {
	if ptr == "" {
		return v, nil
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, fmt.Errorf("nothing at %s", ptr)
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("nothing at %s", ptr)
			}
			v = x[i]
		default:
			return nil, fmt.Errorf("nothing at %s", ptr)
		}
	}
	return v, nil
}

// resolveURL resolves ref against base (RFC 3986 section 5).
func resolveURL(base, ref string) (string, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if r.IsAbs() {
		return r.String(), nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(r).String(), nil
}

// node is a compiled schema.
type node struct {
	loc string // document URL + "#" + JSON pointer, for error messages

	// A boolean schema (draft-06 on): true allows anything, false nothing.
	isBool, boolValue bool

	// $ref: in these drafts a $ref replaces its schema's other keywords.
	ref *node

	types               []string
	enum                []any
	hasConst            bool
	constValue          any
	properties          map[string]*node
	patternProperties   []patternNode
	additional          *node
	required            []string
	minProps, maxProps  int            // -1: none
	dependencies        map[string]any // *node or []string
	propertyNames       *node
	items               *node
	itemList            []*node
	additionalItems     *node
	minItems, maxItems  int
	uniqueItems         bool
	contains            *node
	minLength, maxLen   int
	pattern             matcher
	patternText         string
	format              string
	minimum, maximum    *big.Rat
	exclusiveMinFlag    bool // draft-04's boolean exclusiveMinimum
	exclusiveMaxFlag    bool
	exclusiveMin        *big.Rat // draft-06's numeric exclusiveMinimum
	exclusiveMax        *big.Rat
	multipleOf          *big.Rat
	allOf, anyOf, oneOf []*node
	not                 *node
	ifNode, then, els   *node
}

type patternNode struct {
	text string
	re   matcher
	n    *node
}

// invalidSchema is a schema document that breaks its draft's rules.
func invalidSchema(loc, format string, args ...any) error {
	return fmt.Errorf("invalid JSON schema at %s: %s", loc, fmt.Sprintf(format, args...))
}

var simpleTypes = []string{"array", "boolean", "integer", "null", "number", "object", "string"}

// node compiles the schema v found at ptr in d, or returns the one
// already compiled there.
func (c *compiler) node(d *document, ptr string, v any, base string) (*node, error) {
	loc := d.url + "#" + ptr
	if n := c.nodes[loc]; n != nil {
		return n, nil
	}
	n := &node{loc: loc, minProps: -1, maxProps: -1, minItems: -1, maxItems: -1, minLength: -1, maxLen: -1}
	c.nodes[loc] = n
	if b, ok := v.(bool); ok && d.draft >= draft6 {
		n.isBool, n.boolValue = true, b
		return n, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSchema(loc, "a schema must be an object%s, not %s", map[bool]string{true: " or a boolean"}[d.draft >= draft6], typeName(v))
	}
	if id, ok := m[d.idKey()]; ok {
		s, isString := id.(string)
		if !isString {
			return nil, invalidSchema(loc, "%s must be a string", d.idKey())
		}
		u, err := resolveURL(base, s)
		if err != nil {
			return nil, invalidSchema(loc, "%s: %v", d.idKey(), err)
		}
		base = u
	}
	sub := func(key string, v any, at string) (*node, error) {
		return c.node(d, at, v, base)
	}
	if err := c.keywords(n, d, m, ptr, base, sub); err != nil {
		return nil, err
	}
	return n, nil
}

// keywords checks and compiles the keywords of the schema object m.
func (c *compiler) keywords(n *node, d *document, m map[string]any, ptr, base string, sub func(string, any, string) (*node, error)) error {
	loc := n.loc
	bad := func(key, want string) error { return invalidSchema(loc, "%s must be %s", key, want) }
	if r, ok := m["$ref"]; ok {
		s, isString := r.(string)
		if !isString {
			return bad("$ref", "a string")
		}
		u, err := resolveURL(base, s)
		if err != nil {
			return invalidSchema(loc, "$ref %q: %v", s, err)
		}
		// Resolved once every schema reached so far is compiled, so that a
		// cycle of $refs ends.
		c.pending = append(c.pending, pendingRef{n: n, url: u})
		return nil
	}
	schemaAt := func(key string) (*node, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil
		}
		return sub(key, v, ptr+"/"+key)
	}
	boolOrSchema := func(key string) (*node, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil
		}
		if b, isBool := v.(bool); isBool {
			return &node{loc: loc + "/" + key, isBool: true, boolValue: b}, nil
		}
		return sub(key, v, ptr+"/"+key)
	}
	schemaList := func(key string) ([]*node, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil
		}
		l, isList := v.([]any)
		if !isList || len(l) == 0 {
			return nil, bad(key, "a non-empty array of schemas")
		}
		out := make([]*node, len(l))
		for i, e := range l {
			var err error
			if out[i], err = sub(key, e, ptr+"/"+key+"/"+strconv.Itoa(i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	schemaMap := func(key string) (map[string]*node, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil
		}
		mm, isMap := v.(map[string]any)
		if !isMap {
			return nil, bad(key, "an object whose values are schemas")
		}
		out := make(map[string]*node, len(mm))
		for name, e := range mm {
			var err error
			if out[name], err = sub(key, e, ptr+"/"+key+"/"+escapePointer(name)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	count := func(key string) (int, error) {
		v, ok := m[key]
		if !ok {
			return -1, nil
		}
		r, isNum := toRat(v)
		if !isNum || !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() {
			return 0, bad(key, "a non-negative integer")
		}
		return int(min(r.Num().Int64(), 1<<31)), nil
	}
	number := func(key string) (*big.Rat, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil
		}
		r, isNum := toRat(v)
		if !isNum {
			return nil, bad(key, "a number")
		}
		return r, nil
	}
	stringSet := func(key string, v any) ([]string, error) {
		l, isList := v.([]any)
		if !isList || (d.draft == draft4 && len(l) == 0) {
			return nil, bad(key, "an array of strings")
		}
		out := make([]string, len(l))
		for i, e := range l {
			s, isString := e.(string)
			if !isString {
				return nil, bad(key, "an array of strings")
			}
			if slices.Contains(out[:i], s) {
				return nil, bad(key, "an array of different strings")
			}
			out[i] = s
		}
		return out, nil
	}
	var err error
	// The keywords whose values are schemas, counts or numbers.
	for _, k := range []struct {
		key   string
		since draft
		dst   **node
	}{
		{"not", draft4, &n.not},
		{"propertyNames", draft6, &n.propertyNames},
		{"contains", draft6, &n.contains},
		{"if", draft7, &n.ifNode},
		{"then", draft7, &n.then},
		{"else", draft7, &n.els},
	} {
		if d.draft >= k.since {
			if *k.dst, err = schemaAt(k.key); err != nil {
				return err
			}
		}
	}
	for _, k := range []struct {
		key string
		dst **node
	}{{"additionalProperties", &n.additional}, {"additionalItems", &n.additionalItems}} {
		if *k.dst, err = boolOrSchema(k.key); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		key string
		dst *[]*node
	}{{"allOf", &n.allOf}, {"anyOf", &n.anyOf}, {"oneOf", &n.oneOf}} {
		if *k.dst, err = schemaList(k.key); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		key string
		dst *int
	}{
		{"minProperties", &n.minProps}, {"maxProperties", &n.maxProps},
		{"minItems", &n.minItems}, {"maxItems", &n.maxItems},
		{"minLength", &n.minLength}, {"maxLength", &n.maxLen},
	} {
		if *k.dst, err = count(k.key); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		key string
		dst **big.Rat
	}{{"minimum", &n.minimum}, {"maximum", &n.maximum}, {"multipleOf", &n.multipleOf}} {
		if *k.dst, err = number(k.key); err != nil {
			return err
		}
	}

	if t, ok := m["type"]; ok {
		switch t := t.(type) {
		case string:
			n.types = []string{t}
		case []any:
			for _, e := range t {
				s, _ := e.(string)
				n.types = append(n.types, s)
			}
			if len(n.types) == 0 {
				return bad("type", "a type name or a non-empty array of them")
			}
		default:
			return bad("type", "a type name or an array of them")
		}
		for i, s := range n.types {
			if !slices.Contains(simpleTypes, s) || slices.Contains(n.types[:i], s) {
				return bad("type", "one or more of "+strings.Join(simpleTypes, ", "))
			}
		}
	}
	if e, ok := m["enum"]; ok {
		l, isList := e.([]any)
		if !isList || (d.draft == draft4 && len(l) == 0) {
			return bad("enum", "an array")
		}
		n.enum = l
	}
	if cv, ok := m["const"]; ok && d.draft >= draft6 {
		n.hasConst, n.constValue = true, cv
	}

	// Objects.
	if n.properties, err = schemaMap("properties"); err != nil {
		return err
	}
	if pp, ok := m["patternProperties"]; ok {
		mm, isMap := pp.(map[string]any)
		if !isMap {
			return bad("patternProperties", "an object whose values are schemas")
		}
		keys := make([]string, 0, len(mm))
		for k := range mm {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			re, err := c.regexp(k)
			if err != nil {
				return invalidSchema(loc, "patternProperties: %q is not a regular expression: %v", k, err)
			}
			s, err := sub("patternProperties", mm[k], ptr+"/patternProperties/"+escapePointer(k))
			if err != nil {
				return err
			}
			n.patternProperties = append(n.patternProperties, patternNode{text: k, re: re, n: s})
		}
	}
	if r, ok := m["required"]; ok {
		if n.required, err = stringSet("required", r); err != nil {
			return err
		}
	}
	if deps, ok := m["dependencies"]; ok {
		mm, isMap := deps.(map[string]any)
		if !isMap {
			return bad("dependencies", "an object")
		}
		n.dependencies = map[string]any{}
		for name, e := range mm {
			if l, isList := e.([]any); isList {
				if d.draft == draft4 && len(l) == 0 {
					return bad("dependencies", "an object of schemas or non-empty arrays of strings")
				}
				names, err := stringSet("dependencies", e)
				if err != nil {
					return err
				}
				n.dependencies[name] = names
				continue
			}
			s, err := sub("dependencies", e, ptr+"/dependencies/"+escapePointer(name))
			if err != nil {
				return err
			}
			n.dependencies[name] = s
		}
	}

	// Arrays.
	if it, ok := m["items"]; ok {
		if l, isList := it.([]any); isList {
			for i, e := range l {
				s, err := sub("items", e, ptr+"/items/"+strconv.Itoa(i))
				if err != nil {
					return err
				}
				n.itemList = append(n.itemList, s)
			}
			if n.itemList == nil {
				n.itemList = []*node{}
			}
		} else if n.items, err = schemaAt("items"); err != nil {
			return err
		}
	}
	if u, ok := m["uniqueItems"]; ok {
		b, isBool := u.(bool)
		if !isBool {
			return bad("uniqueItems", "a boolean")
		}
		n.uniqueItems = b
	}

	// Strings.
	if p, ok := m["pattern"]; ok {
		s, isString := p.(string)
		if !isString {
			return bad("pattern", "a string")
		}
		if n.pattern, err = c.regexp(s); err != nil {
			return invalidSchema(loc, "pattern %q is not a regular expression: %v", s, err)
		}
		n.patternText = s
	}
	if f, ok := m["format"]; ok {
		s, isString := f.(string)
		if !isString {
			return bad("format", "a string")
		}
		n.format = s
	}

	// Numbers.
	if n.multipleOf != nil && n.multipleOf.Sign() <= 0 {
		return bad("multipleOf", "greater than 0")
	}
	// draft-04's exclusiveMinimum and exclusiveMaximum are flags on minimum
	// and maximum; from draft-06 on they are bounds of their own.
	for _, k := range []struct {
		key   string
		flag  *bool
		bound **big.Rat
	}{
		{"exclusiveMinimum", &n.exclusiveMinFlag, &n.exclusiveMin},
		{"exclusiveMaximum", &n.exclusiveMaxFlag, &n.exclusiveMax},
	} {
		v, ok := m[k.key]
		switch {
		case !ok:
		case d.draft == draft4:
			b, isBool := v.(bool)
			if !isBool {
				return bad(k.key, "a boolean in draft-04")
			}
			*k.flag = b
		default:
			r, isNum := toRat(v)
			if !isNum {
				return bad(k.key, "a number")
			}
			*k.bound = r
		}
	}

	// Definitions are compiled too, so that an invalid one is refused.
	if _, err = schemaMap("definitions"); err != nil {
		return err
	}
	return nil
}

// maxExponent is the largest decimal exponent read exactly (float64 ends
// at about 1e308).
const maxExponent = 400

// toRat reads a JSON number: json.Number, float64 or an integer type.
func toRat(v any) (*big.Rat, bool) {
	switch v := v.(type) {
	case json.Number:
		// An exponent past float64's range makes big.Rat compute a number of
		// as many digits (1e1000000: a megabyte, and milliseconds per use);
		// such a number is read as a big.Float instead (validate.go).
		if i := strings.IndexAny(string(v), "eE"); i >= 0 {
			if exp, err := strconv.Atoi(string(v[i+1:])); err != nil || exp > maxExponent || exp < -maxExponent {
				return nil, false
			}
		}
		return new(big.Rat).SetString(string(v))
	case float64:
		r := new(big.Rat).SetFloat64(v) // nil for NaN and infinities
		return r, r != nil
	case float32:
		return toRat(float64(v))
	case int:
		return new(big.Rat).SetInt64(int64(v)), true
	case int64:
		return new(big.Rat).SetInt64(v), true
	}
	return nil, false
}
