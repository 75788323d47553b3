// Package report is the verification result every credential generation
// produces: the shape of openbadges-validator-core's output,
// {"report": …, "input": …, "graph": […]}, so that anything that reads the
// reference's JSON reads badgebake's.
//
// A Result collects Messages as a verifier works; Finish computes the counts
// and the verdict the way the reference does: errorCount and warningCount
// count messages by level, and a badge is valid when there is no ERROR and
// the graph is not empty.
package report

import "fmt"

// Level is a message's severity.
type Level string

const (
	Error   Level = "ERROR"
	Warning Level = "WARNING"
	Info    Level = "INFO"
)

// Message is one finding. Name is the task name of openbadges-validator-core
// (VALIDATE_PROPERTY, FETCH_HTTP_NODE, …), so consumers can match on it.
type Message struct {
	Name         string `json:"name"`
	Success      bool   `json:"success"`
	Result       string `json:"result"`
	MessageLevel Level  `json:"messageLevel"`
	NodeID       string `json:"node_id,omitempty"`
	PropName     string `json:"prop_name,omitempty"`
	NodePath     []any  `json:"node_path,omitempty"`
}

// Report is the verdict and its messages.
type Report struct {
	Valid             bool              `json:"valid"`
	ErrorCount        int               `json:"errorCount"`
	WarningCount      int               `json:"warningCount"`
	Messages          []Message         `json:"messages"`
	ValidationSubject string            `json:"validationSubject,omitempty"`
	OpenBadgesVersion string            `json:"openBadgesVersion,omitempty"`
	RecipientProfile  map[string]string `json:"recipientProfile,omitempty"`
}

// Input types, as the reference names them.
const (
	InputURL  = "url"
	InputJSON = "json"
	InputJWS  = "jws"
	InputFile = "file"
)

// Input says what was verified.
type Input struct {
	Value     string `json:"value"`
	InputType string `json:"input_type,omitempty"`
}

// Result is the whole output of a verification.
type Result struct {
	Report Report           `json:"report"`
	Input  Input            `json:"input"`
	Graph  []map[string]any `json:"graph"`
}

// New starts a Result for an input.
func New(value, inputType string) *Result {
	return &Result{Input: Input{Value: value, InputType: inputType}, Report: Report{Messages: []Message{}}, Graph: []map[string]any{}}
}

// Add appends a message.
func (r *Result) Add(m Message) { r.Report.Messages = append(r.Report.Messages, m) }

// Errorf adds a failed ERROR message.
func (r *Result) Errorf(name, nodeID, prop, format string, args ...any) {
	r.Add(Message{Name: name, MessageLevel: Error, NodeID: nodeID, PropName: prop, Result: fmt.Sprintf(format, args...)})
}

// Warnf adds a WARNING message (reported with success false, as the
// reference does for warnings that come from failed checks).
func (r *Result) Warnf(name, nodeID, prop, format string, args ...any) {
	r.Add(Message{Name: name, MessageLevel: Warning, NodeID: nodeID, PropName: prop, Result: fmt.Sprintf(format, args...)})
}

// Infof adds an INFO message, which does not count against the badge.
func (r *Result) Infof(name, nodeID, prop, format string, args ...any) {
	r.Add(Message{Name: name, Success: true, MessageLevel: Info, NodeID: nodeID, PropName: prop, Result: fmt.Sprintf(format, args...)})
}

// Has reports whether a message with this name and level was added.
func (r *Result) Has(name string, level Level) bool {
	for _, m := range r.Report.Messages {
		if m.Name == name && m.MessageLevel == level {
			return true
		}
	}
	return false
}

// Finish computes the counts and the verdict.
func (r *Result) Finish() *Result {
	r.Report.ErrorCount, r.Report.WarningCount = 0, 0
	for _, m := range r.Report.Messages {
		switch m.MessageLevel {
		case Error:
			r.Report.ErrorCount++
		case Warning:
			r.Report.WarningCount++
		}
	}
	r.Report.Valid = r.Report.ErrorCount == 0 && len(r.Graph) > 0
	return r
}
