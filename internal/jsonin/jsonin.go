// Package jsonin decodes JSON that comes from outside (badges, fetched
// documents, command-line arguments) with a bound on nesting: a document
// nested deeper than MaxDepth is refused by a cheap scan before it is
// decoded, with an error that says so, instead of encoding/json's
// recursion running up to its own limit (10,000) and failing with a
// message that reads like a syntax error.
package jsonin

import (
	"encoding/json"
	"strconv"
)

// MaxDepth is the deepest nesting of arrays and objects accepted. No badge
// needs more than a few dozen levels.
const MaxDepth = 1000

// TooDeepError is the error of JSON nested more than Max levels deep.
type TooDeepError struct {
	Max    int   // the limit
	Offset int64 // 0-based offset of the bracket that opens level Max+1
}

// Error reads as a noun phrase so callers can say what was too deep:
// "the response is " + err.Error().
func (e *TooDeepError) Error() string {
	return "JSON nested more than " + strconv.Itoa(e.Max) + " levels deep (at byte " + strconv.FormatInt(e.Offset+1, 10) + "; no badge needs that many)"
}

// CheckDepth returns a *TooDeepError if the arrays and objects in b nest
// more than MaxDepth levels deep, and nil otherwise. Brackets inside
// strings do not count. It does not otherwise check that b is JSON.
func CheckDepth(b []byte) error {
	depth := 0
	inString, escaped := false, false
	for i, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return &TooDeepError{Max: MaxDepth, Offset: int64(i)}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// Unmarshal is json.Unmarshal after CheckDepth.
func Unmarshal(b []byte, v any) error {
	if err := CheckDepth(b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
