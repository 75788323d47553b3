package issue

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

const hostedBase = "https://badges.example.org"

func hostedTemplate() []byte {
	return []byte(`{
  "@context": "https://w3id.org/openbadges/v2",
  "type": "Assertion",
  "id": "{{.id}}",
  "narrative": "Awarded to {{.name}}.",
  "badge": {
    "type": "BadgeClass",
    "id": "` + hostedBase + `/badges/teamwork.json",
    "name": "Teamwork",
    "description": "Works well with others.",
    "criteria": {"narrative": "Nominated by three peers."},
    "issuer": {
      "type": "Profile",
      "id": "` + hostedBase + `/issuer.json",
      "name": "Example Issuer",
      "url": "` + hostedBase + `",
      "email": "badges@example.org"
    }
  }
}`)
}

// dirTransport serves dir as the site at base.
type dirTransport struct{ base, dir string }

func (d dirTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	status := http.StatusNotFound
	body := []byte("not found")
	if rel, ok := strings.CutPrefix(u.String(), d.base+"/"); ok {
		if b, err := os.ReadFile(filepath.Join(d.dir, filepath.FromSlash(rel))); err == nil {
			status, body = http.StatusOK, b
		}
	}
	ctype := "application/ld+json"
	if !bytes.HasPrefix(body, []byte("{")) {
		ctype = http.DetectContentType(body)
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {ctype}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

func TestHostedLayoutVerifies(t *testing.T) {
	l := newMemLedger()
	out := t.TempDir()
	for _, img := range []struct {
		name string
		data []byte
	}{{"badge.png", testPNG()}, {"badge.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`)}} {
		opts := Options{
			Template: hostedTemplate(), TemplateName: "hosted.json",
			Recipients: strings.NewReader(recipients(5)), RecipientsName: "recipients.csv",
			Image: img.data, ImageName: img.name, OutDir: filepath.Join(out, img.name),
			Hosted: &HostedOptions{BaseURL: hostedBase + "/", Transport: dirTransport{"https://nowhere.invalid", ""}},
			Ledger: l, HashRecipients: img.name == "badge.svg", Jobs: 2,
		}
		if img.name == "badge.svg" {
			l = newMemLedger()
			opts.Ledger = l
		}
		sum, err := Run(context.Background(), opts)
		if err != nil || sum.Issued != 5 {
			t.Fatalf("%s: %+v %v", img.name, sum, err)
		}
		var files []string
		filepath.WalkDir(opts.OutDir, func(p string, d os.DirEntry, err error) error {
			if !d.IsDir() {
				rel, _ := filepath.Rel(opts.OutDir, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		ext := filepath.Ext(img.name)
		want := "assertions/r000.json assertions/r001.json assertions/r002.json assertions/r003.json assertions/r004.json badges/teamwork.json badges/teamwork" + ext + " issuer.json " +
			"r000" + ext + " r001" + ext + " r002" + ext + " r003" + ext + " r004" + ext + " revocations.json"
		if got := strings.Join(files, " "); got != want {
			t.Fatalf("layout:\n%s\nwant\n%s", got, want)
		}
		v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Transport: dirTransport{hostedBase, opts.OutDir}})})
		for i := range 5 {
			path := filepath.Join(opts.OutDir, "r"+pad3(i)+ext)
			res := verifyFile(t, v, path, verify.Recipient{"email": "person" + itoa(i) + "@example.org"})
			if res.Status != report.StatusValid || res.Report.OpenBadgesVersion != "2.0" {
				t.Fatalf("%s: %s %v", path, res.Status, problems(res))
			}
			u, _ := unbake.UnbakeFile(path, nil)
			if u.Parsed.HostedURL() != hostedBase+"/assertions/r"+pad3(i)+".json" {
				t.Fatalf("%s carries %s", path, u.Payload)
			}
		}
		// Unpublished, the badges do not verify: the layout is what makes them.
		v = verify.New(verify.Config{Client: fetch.New(fetch.Options{Transport: dirTransport{hostedBase, t.TempDir()}})})
		if res := verifyFile(t, v, filepath.Join(opts.OutDir, "r000"+ext), nil); res.Status == report.StatusValid {
			t.Fatal("verified without its issuer")
		}
	}

	// Revoking a hosted assertion rewrites the issuer's revocation list.
	dir := filepath.Join(out, "badge.svg")
	if _, err := Revoke(context.Background(), l, nil, []string{"r003"}, "mistake", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "revocations.json"))
	var list map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	ra := list["revokedAssertions"].([]any)
	if list["type"] != "RevocationList" || list["issuer"] != hostedBase+"/issuer.json" || list["id"] != hostedBase+"/revocations.json" ||
		len(ra) != 1 || ra[0].(map[string]any)["id"] != hostedBase+"/assertions/r003.json" || ra[0].(map[string]any)["revocationReason"] != "mistake" {
		t.Fatalf("revocation list %s", raw)
	}
	var issuer map[string]any
	raw, _ = os.ReadFile(filepath.Join(dir, "issuer.json"))
	json.Unmarshal(raw, &issuer)
	if issuer["revocationList"] != hostedBase+"/revocations.json" {
		t.Fatalf("issuer %s", raw)
	}
}

func TestHostedTemplateChecks(t *testing.T) {
	for name, c := range map[string]struct{ template, want string }{
		"OB 3.0":               {string(ob3Template("did:example:x")), "hosted issuing is for Open Badges 2.0"},
		"badge not embedded":   {strings.Replace(string(hostedTemplate()), `"badge": {`, `"badge": "https://badges.example.org/b.json", "x": {`, 1), "hosted issuing needs the BadgeClass embedded"},
		"badge elsewhere":      {strings.Replace(string(hostedTemplate()), hostedBase+"/badges/teamwork.json", "https://other.example/b.json", 1), `badge.id: "https://other.example/b.json" is not the address of a file under`},
		"status list":          {string(hostedTemplate()), "status lists are for Open Badges 3.0 credentials"},
		"placeholder in badge": {strings.Replace(string(hostedTemplate()), `"Teamwork"`, `"Teamwork for {{.name}}"`, 1), "may not hold placeholders"},
	} {
		t.Run(name, func(t *testing.T) {
			opts := Options{
				Template: []byte(c.template), TemplateName: "hosted.json",
				Recipients: strings.NewReader(recipients(1)), Image: testPNG(), OutDir: t.TempDir(),
				Hosted: &HostedOptions{BaseURL: hostedBase}, Ledger: newMemLedger(),
			}
			if name == "status list" {
				opts.StatusListURL = hostedBase + "/status"
			}
			_, err := Run(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if files := outputs(t, opts.OutDir); len(files) != 0 {
				t.Fatalf("wrote %v", files)
			}
		})
	}
}
