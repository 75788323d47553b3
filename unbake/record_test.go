package unbake_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/unbake"
)

func TestNewRecordJSON(t *testing.T) {
	img := buildPNG(chunk{"iTXt", "openbadges" + header + url}, chunk{"IDAT", idat})
	res, err := unbake.Unbake(bytes.NewReader(img), nil)
	got, _ := json.Marshal(unbake.NewRecord("a.png", res, err))
	want := `{"file":"a.png","format":"png","carrier":{"chunk":"iTXt","keyword":"openbadges","offset":33},"generation":"ob2","kind":"url","payload":"https://example.org/assertions/1","warnings":[]}`
	if string(got) != want {
		t.Errorf("badge:\n got %s\nwant %s", got, want)
	}

	_, err = unbake.Unbake(bytes.NewReader(buildPNG(chunk{"IDAT", idat})), nil)
	got, _ = json.Marshal(unbake.NewRecord("b.png", nil, err))
	if want := `{"file":"b.png","warnings":[],"error":"` + err.Error() + `"}`; string(got) != want {
		t.Errorf("no badge:\n got %s\nwant %s", got, want)
	}

	missing := filepath.Join(t.TempDir(), "missing.png")
	_, err = unbake.UnbakeFile(missing, nil)
	rec := unbake.NewRecord(missing, nil, err)
	if rec.Error == "" || rec.Payload != nil || rec.Carrier != nil {
		t.Errorf("missing file: %+v", rec)
	}
}
