package obschema

// Validation of a decoded JSON value against a compiled schema. Each
// failed keyword adds one problem, "at <instance location>: <what>". Where
// a keyword fails because its subschemas do (anyOf, oneOf with none
// valid, allOf, properties, items), the subschemas' own problems are
// reported, not the keyword.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxEvalDepth bounds how deeply schemas may be nested while one value is
// validated. Documents are at most jsonin's depth; a schema that refers to
// itself without descending into the value ({"$ref": "#"}) would recurse
// without end and is stopped here.
const maxEvalDepth = 2000

// maxEvalSteps bounds the schemas one validation may evaluate. anyOf and
// oneOf try every subschema, so a schema whose alternatives refer to
// alternatives, level after level, costs 2^levels on one value; a hostile
// issuer's schema is stopped here instead of holding up the verifier.
// Extension objects are validated in a few thousand steps.
const maxEvalSteps = 1 << 20

// maxProblems bounds the problems one validation keeps (and so its
// memory, when alternatives multiply); failures past it still count.
const maxProblems = 100

type evaluation struct {
	problems []string
	failures int // problems found, kept or not
	depth    int
	steps    int
	// stopped says which bound was reached, if one was: the value is then
	// invalid whatever the keywords said (a "not" must not turn the stop
	// into a pass), and nothing more is evaluated.
	stopped string
}

func (e *evaluation) add(path []string, format string, args ...any) {
	e.failures++
	if len(e.problems) < maxProblems {
		e.problems = append(e.problems, fmt.Sprintf("at /%s: %s", strings.Join(path, "/"), fmt.Sprintf(format, args...)))
	}
}

// report adds the problems of subschemas tried with try: the value failed
// here.
func (e *evaluation) report(problems []string) {
	e.failures++
	e.problems = append(e.problems, problems[:min(len(problems), maxProblems-min(len(e.problems), maxProblems))]...)
}

// addNamed adds a problem that names properties, if there are any: with
// the wording one for a single name, many for several.
func (e *evaluation) addNamed(path, names []string, one, many string) {
	switch len(names) {
	case 0:
	case 1:
		e.add(path, one, names[0])
	default:
		e.add(path, many, strings.Join(names, ", "))
	}
}

// try validates v against n without reporting: whether it is valid, and
// the problems it would report.
func (e *evaluation) try(n *node, v any, path []string) (bool, []string) {
	saved, failures := e.problems, e.failures
	e.problems = nil
	ok := e.validate(n, v, path)
	found := e.problems
	e.problems, e.failures = saved, failures
	return ok, found
}

// validate reports whether v is valid against n, adding a problem for each
// keyword that fails.
func (e *evaluation) validate(n *node, v any, path []string) bool {
	if e.stopped != "" {
		return false
	}
	e.steps++
	e.depth++
	switch {
	case e.steps > maxEvalSteps:
		e.stopped = fmt.Sprintf("at /%s: validation stopped after %d schema evaluations (alternatives that multiply?)", strings.Join(path, "/"), maxEvalSteps)
	case e.depth > maxEvalDepth:
		e.stopped = fmt.Sprintf("at /%s: schemas nested more than %d deep for one value (a $ref cycle that never descends into the value?)", strings.Join(path, "/"), maxEvalDepth)
	}
	if e.stopped != "" {
		e.depth--
		return false
	}
	defer func() { e.depth-- }()
	if n.isBool {
		if !n.boolValue {
			e.add(path, "no value is allowed here (false schema)")
		}
		return n.boolValue
	}
	if n.ref != nil {
		return e.validate(n.ref, v, path)
	}
	before := e.failures

	if len(n.types) > 0 && !slices.ContainsFunc(n.types, func(t string) bool { return hasType(v, t) }) {
		e.add(path, "got %s, want %s", typeName(v), strings.Join(n.types, " or "))
	}
	if n.enum != nil && !slices.ContainsFunc(n.enum, func(x any) bool { return equalJSON(v, x) }) {
		vals := make([]string, len(n.enum))
		for i, x := range n.enum {
			vals[i] = quote(x)
		}
		e.add(path, "value must be one of %s", strings.Join(vals, ", "))
	}
	if n.hasConst && !equalJSON(v, n.constValue) {
		e.add(path, "value must be %s", quote(n.constValue))
	}

	switch v := v.(type) {
	case map[string]any:
		e.object(n, v, path)
	case []any:
		e.array(n, v, path)
	case string:
		e.str(n, v, path)
	default:
		if r, ok := toRat(v); ok {
			e.number(n, v, r, nil, path)
		} else if f, ok := hugeNumber(v); ok {
			e.number(n, v, nil, f, path)
		}
	}

	for _, s := range n.allOf {
		e.validate(s, v, path)
	}
	if n.anyOf != nil {
		var all []string
		valid := false
		for _, s := range n.anyOf {
			ok, found := e.try(s, v, path)
			if ok {
				valid = true
				break
			}
			all = append(all, found[:min(len(found), maxProblems-min(len(all), maxProblems))]...)
		}
		if !valid {
			e.report(all)
		}
	}
	if n.oneOf != nil {
		var all []string
		var matched []int
		for i, s := range n.oneOf {
			ok, found := e.try(s, v, path)
			if ok {
				matched = append(matched, i)
			} else {
				all = append(all, found[:min(len(found), maxProblems-min(len(all), maxProblems))]...)
			}
		}
		switch {
		case len(matched) == 0:
			e.report(all)
		case len(matched) > 1:
			e.add(path, "valid against more than one schema of oneOf (%d and %d)", matched[0], matched[1])
		}
	}
	if n.not != nil {
		if ok, _ := e.try(n.not, v, path); ok {
			e.add(path, "must not be valid against the schema of not")
		}
	}
	if n.ifNode != nil {
		if ok, _ := e.try(n.ifNode, v, path); ok {
			if n.then != nil {
				e.validate(n.then, v, path)
			}
		} else if n.els != nil {
			e.validate(n.els, v, path)
		}
	}
	return e.failures == before
}

func (e *evaluation) object(n *node, v map[string]any, path []string) {
	if n.required != nil {
		var missing []string
		for _, r := range n.required {
			if _, ok := v[r]; !ok {
				missing = append(missing, "'"+r+"'")
			}
		}
		e.addNamed(path, missing, "missing property %s", "missing properties %s")
	}
	if n.minProps >= 0 && len(v) < n.minProps {
		e.add(path, "at least %d properties wanted, got %d", n.minProps, len(v))
	}
	if n.maxProps >= 0 && len(v) > n.maxProps {
		e.add(path, "at most %d properties allowed, got %d", n.maxProps, len(v))
	}
	keys := slices.Sorted(maps.Keys(v))
	var extra []string
	for _, k := range keys {
		at := append(slices.Clip(path), k)
		matched := false
		if s, ok := n.properties[k]; ok {
			matched = true
			e.validate(s, v[k], at)
		}
		for _, p := range n.patternProperties {
			if p.re.MatchString(k) {
				matched = true
				e.validate(p.n, v[k], at)
			}
		}
		if !matched && n.additional != nil {
			if n.additional.isBool && !n.additional.boolValue {
				extra = append(extra, "'"+k+"'")
			} else {
				e.validate(n.additional, v[k], at)
			}
		}
		if n.propertyNames != nil {
			e.validate(n.propertyNames, k, path)
		}
	}
	e.addNamed(path, extra, "additional property %s not allowed", "additional properties %s not allowed")
	for _, k := range slices.Sorted(maps.Keys(n.dependencies)) {
		if _, ok := v[k]; !ok {
			continue
		}
		switch d := n.dependencies[k].(type) {
		case []string:
			for _, want := range d {
				if _, ok := v[want]; !ok {
					e.add(path, "property '%s' needs property '%s'", k, want)
				}
			}
		case *node:
			e.validate(d, v, path)
		}
	}
}

func (e *evaluation) array(n *node, v []any, path []string) {
	if n.minItems >= 0 && len(v) < n.minItems {
		e.add(path, "at least %d items wanted, got %d", n.minItems, len(v))
	}
	if n.maxItems >= 0 && len(v) > n.maxItems {
		e.add(path, "at most %d items allowed, got %d", n.maxItems, len(v))
	}
	if n.uniqueItems {
	unique:
		for i := range v {
			for j := i + 1; j < len(v); j++ {
				if equalJSON(v[i], v[j]) {
					e.add(path, "items at %d and %d are equal", i, j)
					break unique
				}
			}
		}
	}
	at := func(i int) []string { return append(slices.Clip(path), strconv.Itoa(i)) }
	switch {
	case n.items != nil:
		for i, x := range v {
			e.validate(n.items, x, at(i))
		}
	case n.itemList != nil:
		for i, x := range v {
			if i < len(n.itemList) {
				e.validate(n.itemList[i], x, at(i))
				continue
			}
			if n.additionalItems == nil {
				break
			}
			if n.additionalItems.isBool && !n.additionalItems.boolValue {
				e.add(path, "at most %d items allowed, got %d", len(n.itemList), len(v))
				break
			}
			e.validate(n.additionalItems, x, at(i))
		}
	}
	if n.contains != nil {
		found := false
		for i, x := range v {
			if ok, _ := e.try(n.contains, x, at(i)); ok {
				found = true
				break
			}
		}
		if !found {
			e.add(path, "no item is valid against the schema of contains")
		}
	}
}

func (e *evaluation) str(n *node, v string, path []string) {
	if n.minLength >= 0 || n.maxLen >= 0 {
		l := utf8.RuneCountInString(v)
		if n.minLength >= 0 && l < n.minLength {
			e.add(path, "length must be at least %d, got %d", n.minLength, l)
		}
		if n.maxLen >= 0 && l > n.maxLen {
			e.add(path, "length must be at most %d, got %d", n.maxLen, l)
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(v) {
		e.add(path, "%s does not match pattern %s", quote(v), quote(n.patternText))
	}
	if n.format != "" {
		if check := formatCheck(n.format); check != nil {
			if err := check(v); err != nil {
				e.add(path, "%s is not valid %s: %v", quote(v), n.format, err)
			}
		}
	}
}

// number checks the numeric keywords. r is the value, or nil for a
// json.Number whose exponent toRat refuses, compared as the big.Float f.
func (e *evaluation) number(n *node, v any, r *big.Rat, f *big.Float, path []string) {
	cmp := func(bound *big.Rat) int {
		if r != nil {
			return r.Cmp(bound)
		}
		return f.Cmp(new(big.Float).SetRat(bound))
	}
	s := quote(v)
	if n.minimum != nil {
		if c := cmp(n.minimum); c < 0 || (c == 0 && n.exclusiveMinFlag) {
			e.add(path, "must be %s %s, got %s", map[bool]string{false: ">=", true: ">"}[n.exclusiveMinFlag], numText(n.minimum), s)
		}
	}
	if n.maximum != nil {
		if c := cmp(n.maximum); c > 0 || (c == 0 && n.exclusiveMaxFlag) {
			e.add(path, "must be %s %s, got %s", map[bool]string{false: "<=", true: "<"}[n.exclusiveMaxFlag], numText(n.maximum), s)
		}
	}
	if n.exclusiveMin != nil && cmp(n.exclusiveMin) <= 0 {
		e.add(path, "must be > %s, got %s", numText(n.exclusiveMin), s)
	}
	if n.exclusiveMax != nil && cmp(n.exclusiveMax) >= 0 {
		e.add(path, "must be < %s, got %s", numText(n.exclusiveMax), s)
	}
	if n.multipleOf != nil && (r == nil || !new(big.Rat).Quo(r, n.multipleOf).IsInt()) {
		e.add(path, "%s is not a multiple of %s", s, numText(n.multipleOf))
	}
}

// numText writes a schema's number as JSON would: 0.5, not 1/2.
func numText(r *big.Rat) string {
	if r.IsInt() {
		return r.RatString()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// hugeNumber reads a json.Number whose exponent toRat refuses
// ("1e100000000") as a big.Float.
func hugeNumber(v any) (*big.Float, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(n), 10, 64, big.ToNearestEven)
	return f, err == nil
}

// typeName is the JSON type of a decoded value.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if _, ok := toRat(v); ok {
		return "number"
	}
	if _, ok := hugeNumber(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func hasType(v any, t string) bool {
	switch t {
	case "integer":
		if r, ok := toRat(v); ok {
			return r.IsInt()
		}
		f, ok := hugeNumber(v)
		return ok && f.IsInt()
	case "number":
		return typeName(v) == "number"
	}
	return typeName(v) == t
}

// equalJSON compares decoded JSON values, numbers by value.
func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !equalJSON(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		return ok && slices.EqualFunc(a, bl, equalJSON)
	case nil, bool, string:
		return a == b
	}
	ra, okA := toRat(a)
	rb, okB := toRat(b)
	return okA && okB && ra.Cmp(rb) == 0
}

// quote writes a value as JSON, strings in single quotes.
func quote(v any) string {
	if s, ok := v.(string); ok {
		return "'" + s + "'"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
