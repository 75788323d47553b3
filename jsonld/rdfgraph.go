package jsonld

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/badgebake/badgebake/rdfc"
	"github.com/piprate/json-gold/ld"
)

// errUnusual makes nodeMapQuads leave a document to json-gold's own
// conversion.
var errUnusual = errors.New("jsonld: not converted here")

// nodeMapQuads is json-gold's JSON-LD to RDF (ld.JsonLdApi.ToRDF, then
// datasetQuads) for the documents credentials are made of, without its
// costliest step: json-gold checks every http(s) IRI of every statement
// with a regular expression, afresh for each document, which takes about
// 40% of ToRDF's time. Here the IRIs known good are remembered per process
// (validURL) — the same check, the same statements dropped.
//
// It uses json-gold's node map (ld.JsonLdApi.GenerateNodeMap) and converts
// node objects, references and literals (strings, booleans, numbers, with a
// datatype or a language) exactly as json-gold's objectToRDF does. Anything
// else — lists, JSON literals, a direction, numbers decoded as json.Number
// — returns errUnusual and the caller lets json-gold convert the document.
// TestNodeMapQuadsMatchJSONGold and FuzzToRDF compare both.
func nodeMapQuads(expanded any) ([]rdfc.Quad, error) {
	issuer := ld.NewIdentifierIssuer("_:b")
	nodeMap := map[string]any{"@default": map[string]any{}}
	if _, err := ld.NewJsonLdApi().GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(nodeMap))
	if i := slices.Index(names, "@default"); i > 0 {
		names = slices.Insert(slices.Delete(names, i, i+1), 0, "@default")
	}
	valid := newIRIChecker()
	var out []rdfc.Quad
	for _, name := range names {
		if ld.IsRelativeIri(name) {
			continue
		}
		graph := graphTerm(name)
		nodes, _ := nodeMap[name].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(nodes)) {
			if ld.IsRelativeIri(id) {
				continue
			}
			node, ok := nodes[id].(map[string]any)
			if !ok {
				return nil, errUnusual
			}
			subject := iriOrBlank(id)
			for _, property := range slices.Sorted(maps.Keys(node)) {
				var values []any
				switch {
				case property == "@type":
					values, _ = node[property].([]any)
					property = ld.RDFType
				case ld.IsKeyword(property), strings.HasPrefix(property, "_:"), ld.IsRelativeIri(property):
					continue
				default:
					values, _ = node[property].([]any)
				}
				predicate := rdfc.Term{Kind: rdfc.IRI, Value: property}
				for _, item := range values {
					object, keep, err := objectTerm(item)
					if err != nil {
						return nil, err
					}
					if !keep {
						continue
					}
					q := rdfc.Quad{Subject: subject, Predicate: predicate, Object: object, Graph: graph}
					if valid.quad(q) {
						out = append(out, q)
					}
				}
			}
		}
	}
	return out, nil
}

func iriOrBlank(id string) rdfc.Term {
	if rest, ok := strings.CutPrefix(id, "_:"); ok {
		return rdfc.Term{Kind: rdfc.BlankNode, Value: rest}
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}
}

// objectTerm is json-gold's objectToRDF for the values nodeMapQuads
// handles; keep is false for a reference to a relative IRI, which json-gold
// drops.
func objectTerm(item any) (term rdfc.Term, keep bool, err error) {
	switch item := item.(type) {
	case string:
		return iriOrBlank(item), true, nil
	case map[string]any:
		if _, ok := item["@value"]; ok {
			return literalTerm(item)
		}
		if _, ok := item["@list"]; ok {
			return rdfc.Term{}, false, errUnusual
		}
		id, ok := item["@id"].(string)
		if !ok {
			return rdfc.Term{}, false, errUnusual
		}
		if ld.IsRelativeIri(id) {
			return rdfc.Term{}, false, nil
		}
		return iriOrBlank(id), true, nil
	}
	return rdfc.Term{}, false, errUnusual
}

func literalTerm(v map[string]any) (rdfc.Term, bool, error) {
	if _, ok := v["@direction"]; ok {
		return rdfc.Term{}, false, errUnusual
	}
	var datatype string
	switch t := v["@type"].(type) {
	case nil:
	case string:
		if t == "@json" || t == ld.RDFJSONLiteral {
			return rdfc.Term{}, false, errUnusual
		}
		datatype = t
	default:
		return rdfc.Term{}, false, errUnusual
	}
	lit := func(value, defaultType, language string) (rdfc.Term, bool, error) {
		if datatype == "" {
			datatype = defaultType
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: value, Datatype: datatype, Language: language}, true, nil
	}
	switch value := v["@value"].(type) {
	case bool:
		return lit(strconv.FormatBool(value), ld.XSDBoolean, "")
	case float64:
		if value != float64(int64(value)) || datatype == ld.XSDDouble {
			return lit(ld.GetCanonicalDouble(value), ld.XSDDouble, "")
		}
		return lit(fmt.Sprintf("%d", int64(value)), ld.XSDInteger, "")
	case string:
		if language, ok := v["@language"]; ok {
			tag, ok := language.(string)
			if !ok {
				return rdfc.Term{}, false, errUnusual
			}
			return lit(value, ld.RDFLangString, tag)
		}
		return lit(value, ld.XSDString, "")
	}
	return rdfc.Term{}, false, errUnusual
}

// quad is json-gold's final filter of a graph's statements (an IRI its URL
// check refuses, a literal with an invalid language tag or datatype drops
// the statement), with the IRI checks remembered.
func (c *iriChecker) quad(q rdfc.Quad) bool {
	for _, t := range [...]rdfc.Term{q.Subject, q.Predicate, q.Object, q.Graph} {
		switch t.Kind {
		case rdfc.IRI:
			if !c.valid(t.Value) {
				return false
			}
		case rdfc.Literal:
			if t.Language != "" && !validLanguageTag(t.Language) {
				return false
			}
			if t.Datatype != "" && !c.valid(t.Datatype) {
				return false
			}
		}
	}
	return true
}
