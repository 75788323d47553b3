package report

import (
	"encoding/json"
	"testing"
)

func TestFinishAndShape(t *testing.T) {
	r := New("https://example.org/a", InputURL)
	r.Warnf("JSONLD_COMPACT_DATA", "https://example.org/a", "", "declared its id as %s", "x")
	r.Infof("REPORT_MESSAGE", "", "", "just so you know")
	r.Finish()
	if r.Report.Valid || r.Report.WarningCount != 1 || r.Report.ErrorCount != 0 {
		t.Fatalf("empty graph must be invalid: %+v", r.Report)
	}
	r.Graph = append(r.Graph, map[string]any{"id": "https://example.org/a"})
	r.Finish()
	if !r.Report.Valid {
		t.Fatal("warnings and infos alone must not invalidate")
	}
	r.Errorf("VALIDATE_PROPERTY", "https://example.org/a", "name", "Required property name not present")
	r.Finish()
	if r.Report.Valid || r.Report.ErrorCount != 1 {
		t.Fatalf("%+v", r.Report)
	}
	b, _ := json.Marshal(r)
	var back struct {
		Report map[string]any
		Input  map[string]any
		Graph  []any
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	msgs := back.Report["messages"].([]any)
	last := msgs[len(msgs)-1].(map[string]any)
	for _, k := range []string{"name", "success", "result", "messageLevel", "node_id", "prop_name"} {
		if _, ok := last[k]; !ok {
			t.Errorf("message lacks %q: %s", k, b)
		}
	}
	if _, ok := back.Input["input_type"]; !ok {
		t.Errorf("input lacks input_type: %s", b)
	}
	if _, ok := back.Report["recipientProfile"]; ok {
		t.Errorf("recipientProfile must be absent until confirmed: %s", b)
	}
}

func TestShownNode(t *testing.T) {
	for id, want := range map[string]string{"https://example.org/a": "https://example.org/a", "_:b0": "", "": "", "_": "_", "urn:uuid:1": "urn:uuid:1"} {
		if got := (Message{NodeID: id}).ShownNode(); got != want {
			t.Errorf("ShownNode(%q) = %q, want %q", id, got, want)
		}
	}
}
