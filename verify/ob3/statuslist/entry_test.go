package statuslist

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseEntry(t *testing.T) {
	e, err := ParseEntry(obj(t, `{"id":"https://example.com/credentials/status/3#94567","type":"BitstringStatusListEntry",
		"statusPurpose":"revocation","statusListIndex":"94567","statusListCredential":"https://example.com/credentials/status/3"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Entry{ID: "https://example.com/credentials/status/3#94567", Type: TypeEntry, Purpose: PurposeRevocation,
		Index: 94567, ListURL: "https://example.com/credentials/status/3", Size: 1}
	if e.ID != want.ID || e.Type != want.Type || e.Purpose != want.Purpose || e.Index != want.Index || e.ListURL != want.ListURL || e.Size != 1 || e.Messages != nil {
		t.Fatalf("got %+v, want %+v", *e, want)
	}

	// A number, as the 1EdTech validator's fixtures write it, is read as
	// its digits.
	e, err = ParseEntry(obj(t, `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":23,
		"statusListCredential":"https://example.com/sl"}`))
	if err != nil || e.Index != 23 {
		t.Fatalf("numeric index: %+v, %v", e, err)
	}

	e, err = ParseEntry(obj(t, `{"type":["StatusList2021Entry"],"statusPurpose":"suspension","statusListIndex":"0",
		"statusListCredential":"https://example.com/sl"}`))
	if err != nil || e.Type != TypeEntry2021 || e.Index != 0 {
		t.Fatalf("StatusList2021Entry: %+v, %v", e, err)
	}

	e, err = ParseEntry(obj(t, `{"type":"BitstringStatusListEntry","statusPurpose":"message","statusListIndex":"7",
		"statusListCredential":"https://example.com/sl","statusSize":2,"statusMessage":[
		{"status":"0x0","message":"pending"},{"status":"0x1","message":"accepted"},
		{"status":"0x2","message":"rejected"},{"status":"0x3","message":"undefined"}]}`))
	if err != nil || e.Size != 2 || len(e.Messages) != 4 || e.Messages[2] != (Message{"0x2", "rejected"}) {
		t.Fatalf("message entry: %+v, %v", e, err)
	}
}

func TestParseEntryErrors(t *testing.T) {
	const base = `"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"https://example.com/sl"`
	tests := []struct{ name, json, field string }{
		{"wrong type", `{"type":"1EdTechRevocationList","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/sl"}`, "type"},
		{"no type", `{"statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/sl"}`, "type"},
		{"numeric type", `{"type":3,"statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/sl"}`, "type"},
		{"no purpose", `{"type":"BitstringStatusListEntry","statusListIndex":"1","statusListCredential":"https://e.com/sl"}`, "statusPurpose"},
		{"empty purpose", `{"type":"BitstringStatusListEntry","statusPurpose":"","statusListIndex":"1","statusListCredential":"https://e.com/sl"}`, "statusPurpose"},
		{"no index", `{` + base + `}`, "statusListIndex"},
		{"fractional index", `{` + base + `,"statusListIndex":5.5}`, "statusListIndex"},
		{"negative index", `{` + base + `,"statusListIndex":-5}`, "statusListIndex"},
		{"signed index", `{` + base + `,"statusListIndex":"+5"}`, "statusListIndex"},
		{"negative index", `{` + base + `,"statusListIndex":"-5"}`, "statusListIndex"},
		{"empty index", `{` + base + `,"statusListIndex":""}`, "statusListIndex"},
		{"spaced index", `{` + base + `,"statusListIndex":" 5"}`, "statusListIndex"},
		{"hex index", `{` + base + `,"statusListIndex":"0x5"}`, "statusListIndex"},
		{"huge index", `{` + base + `,"statusListIndex":"99999999999"}`, "statusListIndex"},
		{"long index", `{` + base + `,"statusListIndex":"` + strings.Repeat("0", 21) + `"}`, "statusListIndex"},
		{"no list", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1"}`, "statusListCredential"},
		{"relative list", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"sl/3"}`, "statusListCredential"},
		{"size zero", `{` + base + `,"statusListIndex":"1","statusSize":0}`, "statusSize"},
		{"size fraction", `{` + base + `,"statusListIndex":"1","statusSize":1.5}`, "statusSize"},
		{"size string", `{` + base + `,"statusListIndex":"1","statusSize":"2"}`, "statusSize"},
		{"size too big", `{` + base + `,"statusListIndex":"1","statusSize":65}`, "statusSize"},
		{"size 2 without messages", `{` + base + `,"statusListIndex":"1","statusSize":2}`, "statusMessage"},
		{"message not object", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":["x"]}`, "statusMessage[0]"},
		{"message without status", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":[{"message":"x"}]}`, "statusMessage[0].status"},
		{"id not string", `{` + base + `,"statusListIndex":"1","id":4}`, "id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEntry(obj(t, tc.json))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a *FieldError on %s", err, tc.field)
			}
		})
	}
	if _, err := ParseEntry("x"); err == nil {
		t.Error("a string parsed as an entry")
	}
}

func listCredential(t *testing.T, purpose, encoded string) map[string]any {
	b, _ := json.Marshal(map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"id":       "https://example.com/credentials/status/3",
		"type":     []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":   "did:example:12345",
		"credentialSubject": map[string]any{
			"id": "https://example.com/status/3#list", "type": "BitstringStatusList",
			"statusPurpose": purpose, "encodedList": encoded,
		},
	})
	return obj(t, string(b))
}

func TestFromCredential(t *testing.T) {
	l := New(MinBits)
	l.Set(94567, 1, 1)
	s, _ := l.Encode()
	got, purpose, err := FromCredential(listCredential(t, "revocation", s))
	if err != nil || purpose != PurposeRevocation {
		t.Fatalf("purpose %q, err %v", purpose, err)
	}
	if v, _ := got.Status(94567, 1); v != 1 {
		t.Fatal("entry 94567 not set")
	}

	short, _ := New(8).Encode()
	if l, _, err := FromCredential(listCredential(t, "suspension", short)); l == nil || !errors.As(err, new(*ShortError)) {
		t.Fatalf("short list: %v, %v", l, err)
	}
	if _, _, err := FromCredential(listCredential(t, "revocation", "zabc")); !errors.Is(err, ErrMultibase) {
		t.Fatalf("err = %v", err)
	}

	for _, c := range []struct {
		edit  func(m map[string]any)
		field string
	}{
		{func(m map[string]any) { m["type"] = "VerifiableCredential" }, "type"},
		{func(m map[string]any) { delete(m, "credentialSubject") }, "credentialSubject"},
		{func(m map[string]any) { m["credentialSubject"] = []any{1, 2} }, "credentialSubject"},
		{func(m map[string]any) { subj(m)["type"] = "StatusList" }, "credentialSubject.type"},
		{func(m map[string]any) { delete(subj(m), "statusPurpose") }, "credentialSubject.statusPurpose"},
		{func(m map[string]any) { subj(m)["encodedList"] = 5.0 }, "credentialSubject.encodedList"},
	} {
		m := listCredential(t, "revocation", s)
		c.edit(m)
		_, _, err := FromCredential(m)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("err = %v, want a *FieldError on %s", err, c.field)
		}
	}
	m := listCredential(t, "revocation", s)
	m["credentialSubject"] = []any{m["credentialSubject"]}
	if _, _, err := FromCredential(m); err != nil {
		t.Errorf("subject in a one-item array: %v", err)
	}
}

func subj(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
