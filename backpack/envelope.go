package backpack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/badgebake/badgebake/internal/jsonin"
)

// StatusInfo is what a provider says about a request in its response
// body: the Badge Connect (OB 2.1) "status" envelope, or an OB 3.0
// Imsx_StatusInfo body.
type StatusInfo struct {
	// StatusCode is the envelope's statusCode (OB 2.1); 0 when absent.
	StatusCode int
	// StatusText is the OB 2.1 statusText (INVALID_BADGE, …) or, for an
	// OB 3.0 body, its imsx_codeMinor value (invalid_data, …).
	StatusText string
	// Error is the provider's own text: OB 2.1 status.error (a string,
	// null, or as Badgr sends it an array of strings, joined with "; "),
	// or OB 3.0 imsx_description.
	Error string
	// CodeMajor and Severity are OB 3.0's imsx_codeMajor (success,
	// failure, processing, unsupported) and imsx_severity (status,
	// warning, error); empty for OB 2.1.
	CodeMajor, Severity string
}

// ParseStatus reads the status a response body carries: an object with
// a "status" object (OB 2.1), or an Imsx_StatusInfo object (OB 3.0, with
// imsx_codeMajor). It reports false when the body is neither, which is
// common: error pages from proxies, empty bodies. Every field is
// optional and any of them may be null.
func ParseStatus(body []byte) (StatusInfo, bool) {
	var obj map[string]any
	if len(bytes.TrimSpace(body)) == 0 || jsonin.Unmarshal(body, &obj) != nil || obj == nil {
		return StatusInfo{}, false
	}
	// The provider's words are shown on a terminal: one line, no control
	// characters (no escape sequences, no fake output lines).
	text := func(v any) string { return strings.TrimSpace(plainText(envelopeText(v))) }
	if st, ok := obj["status"].(map[string]any); ok {
		return StatusInfo{
			StatusCode: envelopeStatusCode(st["statusCode"]),
			StatusText: text(st["statusText"]),
			Error:      text(st["error"]),
		}, true
	}
	if _, ok := obj["imsx_codeMajor"]; ok {
		return StatusInfo{
			StatusText: strings.TrimSpace(plainText(codeMinor(obj["imsx_codeMinor"]))),
			Error:      text(obj["imsx_description"]),
			CodeMajor:  text(obj["imsx_codeMajor"]),
			Severity:   text(obj["imsx_severity"]),
		}, true
	}
	return StatusInfo{}, false
}

// codeMinor returns the imsx_codeMinorFieldValue entries of an
// imsx_codeMinor object ({"imsx_codeMinorField": [{"imsx_codeMinorFieldName":
// …, "imsx_codeMinorFieldValue": …}]}), joined with ", ".
func codeMinor(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return strings.TrimSpace(envelopeText(v))
	}
	var values []string
	fields := m["imsx_codeMinorField"]
	if one, isObj := fields.(map[string]any); isObj {
		fields = []any{one}
	}
	list, _ := fields.([]any)
	for _, f := range list {
		if fm, ok := f.(map[string]any); ok {
			if s := strings.TrimSpace(envelopeText(fm["imsx_codeMinorFieldValue"])); s != "" {
				values = append(values, s)
			}
		}
	}
	return strings.Join(values, ", ")
}

// envelopeStatusCode accepts the integer the specification asks for, and the
// same number sent as a string.
func envelopeStatusCode(v any) int {
	var s string
	switch v := v.(type) {
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
		return 0
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// envelopeText renders a provider's error value as one line: a string as is,
// null as "", an array as its elements joined with "; " (Badgr), an
// object as "key: value" pairs in sorted order (field errors), anything
// else as its JSON.
func envelopeText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []any:
		var parts []string
		for _, e := range v {
			if s := strings.TrimSpace(envelopeText(e)); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if s := strings.TrimSpace(envelopeText(v[k])); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// plainWords says what each status means for the person pushing, in the
// words of what to do next where there is something to do. OB 2.1
// statusText values and OB 3.0 imsx_codeMinor values share the table.
var plainWords = map[string]string{
	"INVALID_BADGE":              "the backpack could not verify the badge",
	"RECIPIENT_PROFILE_MISMATCH": "the badge was awarded to an identity that is not on your backpack profile",
	"UNAUTHENTICATED":            "the backpack no longer accepts this connection: connect again",
	"unauthorizedrequest":        "the backpack no longer accepts this connection: connect again",
	"PERMISSION_DENIED":          "the connection was not granted permission for this: connect again and allow it",
	"forbidden":                  "the connection was not granted permission for this: connect again and allow it",
	"REQUEST_VALIDATION_ERROR":   "the backpack refused the request as malformed",
	"BAD_REQUEST":                "the backpack refused the request as malformed",
	"invalid_data":               "the backpack refused the badge as malformed",
	"invalid_query_parameter":    "the backpack refused the request as malformed",
	"NOT_FOUND":                  "the backpack has no such endpoint or item",
	"unknownobject":              "the backpack has no such endpoint or item",
	"METHOD_NOT_ALLOWED":         "the backpack does not allow this operation",
	"not_allowed":                "the backpack does not allow this operation",
	"not_acceptable":             "the backpack cannot answer in a form badgebake reads",
	"misdirected_request":        "the request reached the wrong backpack server",
	"server_busy":                "the backpack is busy: try again later",
	"internal_server_error":      "the backpack failed while handling the request",
	"not_modified":               "the backpack already holds this badge unchanged",
	"fullsuccess":                "done",
}

// DescribeStatus puts a provider's status in plain words, followed by
// the provider's own status text and message, e.g. "the backpack could
// not verify the badge (INVALID_BADGE): issuer not found". A status
// without a known meaning is given as the provider wrote it.
func DescribeStatus(s StatusInfo) string {
	var b strings.Builder
	words, known := plainWords[s.StatusText]
	if !known {
		words, known = plainWords[strings.ToUpper(s.StatusText)]
	}
	switch {
	case known:
		b.WriteString(words)
		fmt.Fprintf(&b, " (%s)", s.StatusText)
	case s.StatusText != "":
		b.WriteString(s.StatusText)
	case s.StatusCode != 0:
		fmt.Fprintf(&b, "status %d", s.StatusCode)
	case s.CodeMajor != "":
		b.WriteString(s.CodeMajor)
	}
	if s.Error != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(s.Error)
	}
	return b.String()
}
