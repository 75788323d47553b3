// Package report is the verification result every credential generation
// produces: the shape of openbadges-validator-core's output,
// {"report": …, "input": …, "graph": […]}, so that anything that reads the
// reference's JSON reads badgebake's.
//
// A Result collects Messages as a verifier works; Finish computes the counts
// and the verdict the way the reference does: errorCount and warningCount
// count messages by level, and a badge is valid when there is no ERROR and
// the graph is not empty.
//
// Beside the reference's fields a Result carries badgebake's own, set by the
// verifier: the generation checked, one Status word (valid, invalid, revoked,
// or indeterminate when the network rather than the badge failed), and a
// Summary of the badge for people and reports.
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

	// Unavailable marks an ERROR about a document that could not be
	// obtained for a reason that says nothing about the badge: the
	// network, a host that is down or busy (HTTP 5xx, 429), a timeout, or
	// offline mode with nothing cached. When every ERROR is such, the
	// Status is Indeterminate. Not part of the reference's JSON.
	Unavailable bool `json:"-"`
	// Revocation marks an ERROR that says the issuer revoked the badge:
	// the Status is then Revoked. Not part of the reference's JSON.
	Revocation bool `json:"-"`
}

// ShownNode is the node a message is about as people are shown it: its
// NodeID, or "" for a blank node (_:b0), an id made up for one run, which
// the message text names by its place instead.
func (m Message) ShownNode() string {
	if len(m.NodeID) >= 2 && m.NodeID[:2] == "_:" {
		return ""
	}
	return m.NodeID
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

// Status is the one-word outcome of a verification.
type Status string

// The statuses. Revoked is a kind of invalid: the issuer withdrew the badge.
// Indeterminate means the badge could not be checked: a document its
// verdict depends on could not be obtained, for a reason that says nothing
// about the badge (try again later).
const (
	StatusValid         Status = "valid"
	StatusInvalid       Status = "invalid"
	StatusRevoked       Status = "revoked"
	StatusIndeterminate Status = "indeterminate"
)

// Generations, as Result.Generation names them.
const (
	GenerationOB2 = "ob2" // Open Badges 0.5 to 2.0
	GenerationOB3 = "ob3" // Open Badges 3.0
)

// Summary is what a person wants to see of a badge at a glance, read from
// the verified documents by the generation's verifier. Every field may be
// empty: an input that could not be read has nothing to show.
type Summary struct {
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Issuer      *SummaryIssuer    `json:"issuer,omitempty"`
	Recipient   *SummaryRecipient `json:"recipient,omitempty"`
	IssuedOn    string            `json:"issuedOn,omitempty"`
	Expires     string            `json:"expires,omitempty"`
	// Image is the badge's image as its issuer gives it: a URL or a data:
	// URI.
	Image string `json:"image,omitempty"`
}

// SummaryIssuer names the issuer.
type SummaryIssuer struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
	URL  string `json:"url,omitempty"`
}

// SummaryRecipient is the recipient as the badge states it: a plain
// identity, or a hash of one ("sha256$…").
type SummaryRecipient struct {
	Type     string `json:"type,omitempty"` // "email", "url", "telephone", "id", …
	Identity string `json:"identity,omitempty"`
	Hashed   bool   `json:"hashed,omitempty"`
	Salted   bool   `json:"salted,omitempty"`
}

// Result is the whole output of a verification: the reference's report,
// input and graph, and badgebake's generation, status and summary.
type Result struct {
	Status     Status           `json:"status"`
	Generation string           `json:"generation,omitempty"`
	Summary    *Summary         `json:"summary,omitempty"`
	Report     Report           `json:"report"`
	Input      Input            `json:"input"`
	Graph      []map[string]any `json:"graph"`
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

// Unavailablef adds an ERROR about a document that could not be obtained
// for a reason that says nothing about the badge (see Message.Unavailable).
func (r *Result) Unavailablef(name, nodeID, prop, format string, args ...any) {
	r.Add(Message{Name: name, MessageLevel: Error, NodeID: nodeID, PropName: prop, Result: fmt.Sprintf(format, args...), Unavailable: true})
}

// Revokedf adds an ERROR saying the issuer revoked the badge.
func (r *Result) Revokedf(name, nodeID, prop, format string, args ...any) {
	r.Add(Message{Name: name, MessageLevel: Error, NodeID: nodeID, PropName: prop, Result: fmt.Sprintf(format, args...), Revocation: true})
}

// Finish computes the counts, the reference's verdict and the Status: valid
// when the reference's is; otherwise revoked when an ERROR says so,
// indeterminate when every ERROR is about a document that could not be had,
// invalid otherwise.
func (r *Result) Finish() *Result {
	r.Report.ErrorCount, r.Report.WarningCount = 0, 0
	revoked, unavailable := false, 0
	for _, m := range r.Report.Messages {
		switch m.MessageLevel {
		case Error:
			r.Report.ErrorCount++
			revoked = revoked || m.Revocation
			if m.Unavailable {
				unavailable++
			}
		case Warning:
			r.Report.WarningCount++
		}
	}
	if r.Graph == nil {
		r.Graph = []map[string]any{}
	}
	r.Report.Valid = r.Report.ErrorCount == 0 && len(r.Graph) > 0
	switch {
	case r.Report.Valid:
		r.Status = StatusValid
	case revoked:
		r.Status = StatusRevoked
	case unavailable > 0 && unavailable == r.Report.ErrorCount:
		r.Status = StatusIndeterminate
	default:
		r.Status = StatusInvalid
	}
	return r
}
