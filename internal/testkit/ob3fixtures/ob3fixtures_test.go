package ob3fixtures

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

var (
	wants    = map[string]bool{"valid": true, "invalid": true, "revoked": true, "indeterminate": true}
	messages = map[string]bool{
		"DETECT_INPUT_TYPE": true, "PARSE_CREDENTIAL": true, "VALIDATE_CONTEXT": true, "VALIDATE_TYPE": true,
		"VALIDATE_SCHEMA": true, "VALIDATE_CREDENTIAL_SCHEMA": true, "EXPAND_JSONLD": true, "RESOLVE_KEY": true,
		"VERIFY_PROOF": true, "CHECK_ISSUER": true, "CHECK_ISSUANCE": true, "CHECK_EXPIRATION": true,
		"CHECK_STATUS": true, "CHECK_REFRESH": true, "VERIFY_ENDORSEMENT": true, "CHECK_RECIPIENT": true,
	}
)

func TestFixturesExistAndParse(t *testing.T) {
	all := All()
	if len(all) < 50 {
		t.Fatalf("only %d fixtures", len(all))
	}
	seen := map[string]bool{}
	for _, f := range all {
		t.Run(f.Name, func(t *testing.T) {
			if seen[f.Path] {
				t.Fatalf("listed twice")
			}
			seen[f.Path] = true
			if !strings.HasPrefix(f.Path, f.Source+"/") {
				t.Errorf("path %q not under source %q", f.Path, f.Source)
			}
			if !wants[f.Want] {
				t.Errorf("Want %q", f.Want)
			}
			if (f.Want == "valid") != (f.WantMessage == "") {
				t.Errorf("Want %q with WantMessage %q", f.Want, f.WantMessage)
			}
			for _, m := range append([]string{f.WantMessage}, f.AlsoMessages...) {
				if m != "" && !messages[m] {
					t.Errorf("unknown message name %q", m)
				}
			}
			if f.Why == "" {
				t.Error("no Why")
			}
			b, err := Read(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			checkFormat(t, f.Format, b)
		})
	}
}

func checkFormat(t *testing.T, format string, b []byte) {
	t.Helper()
	switch format {
	case "json":
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("not a JSON object: %v", err)
		}
		if _, ok := v["@context"]; !ok {
			t.Error("no @context")
		}
	case "jwt":
		parts := strings.Split(strings.TrimSpace(string(b)), ".")
		if len(parts) != 3 {
			t.Fatalf("%d JWS segments", len(parts))
		}
		for _, p := range parts[:2] {
			raw, err := base64.RawURLEncoding.DecodeString(p)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("segment is not a JSON object: %v", err)
			}
		}
	case "png":
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatal("no PNG signature")
		}
		if !bytes.Contains(b, []byte("openbadgecredential")) {
			t.Error("no openbadgecredential chunk")
		}
	case "svg":
		if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("openbadges:credential")) {
			t.Error("not a baked SVG")
		}
	default:
		t.Fatalf("format %q", format)
	}
}

// TestEveryFileAccountedFor keeps testdata honest: each file is a listed
// fixture, a support document, or a README/LICENSE.
func TestEveryFileAccountedFor(t *testing.T) {
	known := map[string]bool{}
	for _, f := range All() {
		known[f.Path] = true
	}
	for _, p := range DocumentPaths() {
		known[p] = true
	}
	n := 0
	err := filepath.WalkDir(Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(Dir(), path)
		rel = filepath.ToSlash(rel)
		switch filepath.Base(rel) {
		case "README.md", "LICENSE":
			return nil
		}
		n++
		if !known[rel] {
			t.Errorf("%s is neither a listed fixture nor a support document", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no files walked")
	}
	for _, src := range []string{"1edtech", "dcc"} {
		for _, name := range []string{"README.md", "LICENSE"} {
			if _, err := Read(src + "/" + name); err != nil {
				t.Errorf("%s/%s: %v", src, name, err)
			}
		}
	}
}

// TestDocumentsCoverFixtures checks that every status list and did:web
// document a fixture names offline is served, so Want holds without the
// network.
func TestDocumentsCoverFixtures(t *testing.T) {
	docs := Documents()
	for u, b := range docs {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, f := range All() {
		if f.Format != "json" || f.NeedsNetwork {
			continue
		}
		b, _ := Read(f.Path)
		var c struct {
			CredentialStatus json.RawMessage `json:"credentialStatus"`
			Issuer           json.RawMessage `json:"issuer"`
		}
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		var st struct {
			List string `json:"statusListCredential"`
		}
		if len(c.CredentialStatus) > 0 && json.Unmarshal(c.CredentialStatus, &st) == nil && st.List != "" {
			if docs[st.List] == nil {
				t.Errorf("%s: status list %s not served", f.Name, st.List)
			}
		}
		if u := didWebURL(string(c.Issuer)); u != "" && docs[u] == nil && f.WantMessage != "RESOLVE_KEY" {
			t.Errorf("%s: DID document %s not served", f.Name, u)
		}
	}
}

// didWebURL finds a did:web identifier in raw JSON and returns its
// document's URL (did:web:host:a:b → https://host/a/b/did.json).
func didWebURL(raw string) string {
	i := strings.Index(raw, "did:web:")
	if i < 0 {
		return ""
	}
	id := raw[i+len("did:web:"):]
	if j := strings.IndexAny(id, "\"#"); j >= 0 {
		id = id[:j]
	}
	parts := strings.Split(id, ":")
	if len(parts) == 1 {
		return "https://" + parts[0] + "/.well-known/did.json"
	}
	return "https://" + strings.Join(parts, "/") + "/did.json"
}

func TestTransport(t *testing.T) {
	tr := NewTransport()
	c := &http.Client{Transport: tr}
	const known = "https://digitalcredentials.github.io/vc-test-fixtures/dids/oidf/did.json"
	resp, err := c.Get(known + "?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, Documents()[known]) {
		t.Fatalf("status %d, body %q", resp.StatusCode, body)
	}
	resp, err = c.Get("https://digitalcredentials.github.io/dcc-did-web-bad/did.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown URL: status %d", resp.StatusCode)
	}
	if got := tr.Requests(); len(got) != 2 || got[0] != known {
		t.Fatalf("requests %q", got)
	}
}
