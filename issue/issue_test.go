package issue

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

func TestIssue100RowsVerify(t *testing.T) {
	for _, format := range []string{"eddsa-rdfc-2022", "vc-jwt"} {
		t.Run(format, func(t *testing.T) {
			s := newTestSigner(t, format)
			l := newMemLedger()
			opts := baseOptions(t, s, l, recipients(100))
			var progressed atomic.Int32
			opts.Progress = func(done, total int) {
				if total != 100 {
					t.Errorf("progress total %d, want 100", total)
				}
				progressed.Add(1)
			}
			sum, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rows != 100 || sum.Issued != 100 || sum.Failed != 0 || sum.Skipped != 0 || !sum.Complete() {
				t.Fatalf("summary %+v", sum)
			}
			if progressed.Load() != 100 {
				t.Errorf("progress called %d times, want 100", progressed.Load())
			}
			files := outputs(t, opts.OutDir)
			if len(files) != 100 {
				t.Fatalf("%d files written, want 100: %v", len(files), files)
			}
			v := offlineVerifier()
			ids := map[string]bool{}
			for i, name := range files {
				if want := "r" + pad3(i) + ".png"; name != want {
					t.Fatalf("file %d is %s, want %s", i, name, want)
				}
				path := filepath.Join(opts.OutDir, name)
				res := verifyFile(t, v, path, verify.Recipient{"email": "person" + itoa(i) + "@example.org"})
				if p := problems(res); len(p) > 0 {
					t.Fatalf("%s: %v", name, p)
				}
				u, err := unbake.UnbakeFile(path, nil)
				if err != nil {
					t.Fatal(err)
				}
				cred := u.Parsed.Credential()
				id, _ := cred["id"].(string)
				if !strings.HasPrefix(id, "urn:uuid:") || ids[id] {
					t.Fatalf("%s: id %q not a fresh urn:uuid", name, id)
				}
				ids[id] = true
				e := l.entry("r" + pad3(i))
				if e.CredentialID != id || e.State != StateIssued || e.OutputFile != path {
					t.Fatalf("ledger entry %+v for %s (id %s)", e, path, id)
				}
				desc := cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["description"]
				if desc != "Awarded to Person "+itoa(i)+" for working well with others." {
					t.Fatalf("%s: description %q", name, desc)
				}
				if s.signedTimes(id) != 1 {
					t.Fatalf("%s signed %d times", id, s.signedTimes(id))
				}
			}
			// A second verification with another recipient fails: the
			// recipient really is checked.
			res := verifyFile(t, v, filepath.Join(opts.OutDir, files[0]), verify.Recipient{"email": "someone@else.example"})
			if len(problems(res)) == 0 {
				t.Fatal("a badge verified for the wrong recipient")
			}
		})
	}
}

func pad3(i int) string { s := itoa(i); return strings.Repeat("0", 3-len(s)) + s }
func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestIDColumnDoesNotOverride(t *testing.T) {
	s := newTestSigner(t, "vc-jwt")
	l := newMemLedger()
	opts := baseOptions(t, s, nil, "key,id,name,email,date\nk1,fixed-id,Ann,ann@example.org,2025-06-01T00:00:00Z\n")
	opts.Ledger = nil
	opts.OpenLedger = func(context.Context) (Ledger, error) { return l, nil }
	n := 0
	opts.NewID = func() string { n++; return "urn:uuid:11111111-1111-4111-8111-00000000000" + itoa(n) }
	if sum, err := Run(context.Background(), opts); err != nil || sum.Issued != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	u, err := unbake.UnbakeFile(filepath.Join(opts.OutDir, "k1.png"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// (The first id went to the check of the first row before any is issued.)
	if id, _ := u.Parsed.Credential()["id"].(string); !strings.HasPrefix(id, "urn:uuid:11111111-1111-4111-8111-00000000000") {
		t.Fatalf("id %v", id)
	}
}

func TestHashRecipients(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	opts := baseOptions(t, s, l, recipients(3))
	opts.HashRecipients = true
	if sum, err := Run(context.Background(), opts); err != nil || sum.Issued != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
	v := offlineVerifier()
	salts := map[string]bool{}
	for i := range 3 {
		path := filepath.Join(opts.OutDir, "r"+pad3(i)+".png")
		raw, _ := os.ReadFile(path)
		if strings.Contains(string(raw), "person"+itoa(i)+"@example.org") {
			t.Fatalf("%s holds the email in the clear", path)
		}
		u, err := unbake.Bytes(raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		ident := u.Parsed.Credential()["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)
		if ident["hashed"] != true || !strings.HasPrefix(ident["identityHash"].(string), "sha256$") || ident["salt"] == "" {
			t.Fatalf("identifier %v", ident)
		}
		salts[ident["salt"].(string)] = true
		if p := problems(verifyFile(t, v, path, verify.Recipient{"email": "person" + itoa(i) + "@example.org"})); len(p) > 0 {
			t.Fatalf("%s: %v", path, p)
		}
		if p := problems(verifyFile(t, v, path, verify.Recipient{"email": "person99@example.org"})); len(p) == 0 {
			t.Fatalf("%s verified for another recipient", path)
		}
	}
	if len(salts) != 3 {
		t.Fatalf("salts not fresh per credential: %v", salts)
	}
}

func TestBadInputsNothingWritten(t *testing.T) {
	s := newTestSigner(t, "vc-jwt")
	notOB3 := `{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "issuer": "` + s.did + `", "credentialSubject": {"id": "{{.email}}"}}`
	cases := []struct {
		name, template, csv, want string
	}{
		{"missing column", "", "key,email,date\nk,a@example.org,2025-06-01T00:00:00Z\n", `template.json uses {{.name}}, but recipients.csv has no column "name"`},
		{"not OB 3.0", notOB3, recipients(2), "template.json: type: [VerifiableCredential] is not an Open Badges 3.0 credential"},
		{"not JSON", `{"a": `, recipients(2), "template.json: not JSON"},
		{"bad placeholder", strings.Replace(string(ob3Template(s.did)), "{{.name}}", "{{name}}", 1), recipients(2), "is not a placeholder"},
		{"literal id", strings.Replace(string(ob3Template(s.did)), `"{{.id}}"`, `"urn:uuid:x"`, 1), recipients(2), `template.json: id: must be "{{.id}}" or absent`},
		{"no email column", strings.Replace(string(ob3Template(s.did)), "{{.email}}", "x@example.org", 1), "key,name,date\nk,A,2025-06-01T00:00:00Z\n", "recipients.csv:1: no column named email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newMemLedger()
			opts := baseOptions(t, s, l, c.csv)
			if c.template != "" {
				opts.Template = []byte(c.template)
			}
			opened := false
			opts.Ledger = nil
			opts.OpenLedger = func(context.Context) (Ledger, error) { opened = true; return l, nil }
			sum, err := Run(context.Background(), opts)
			if opened {
				t.Error("the ledger was opened for inputs that do not pass")
			}
			var ie *InputError
			if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want an InputError containing %q", err, c.want)
			}
			if sum != nil {
				t.Errorf("summary %+v for a run that did not start", sum)
			}
			if files := outputs(t, opts.OutDir); len(files) != 0 {
				t.Errorf("wrote %v", files)
			}
			if len(l.entries) != 0 {
				t.Errorf("ledger has %d entries", len(l.entries))
			}
		})
	}
}

func TestBadRows(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	csv := "key,name,email,date\n" +
		"good1,Ann,ann@example.org,2025-06-01T00:00:00Z\n" +
		"noemail,Bob,,2025-06-01T00:00:00Z\n" +
		"baddate,Cy,cy@example.org,June 1st 2025\n" +
		"good1,Dup,dup@example.org,2025-06-01T00:00:00Z\n" +
		"\"multi\nline\",Eve,eve@example.org,2025-06-01T00:00:00Z\n" +
		"short,Fay\n" +
		"good2,Gil,gil@example.org,2025-06-01T09:30:00+02:00\n"
	opts := baseOptions(t, s, l, csv)
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 7 || sum.Issued != 3 || sum.Failed != 4 || sum.Complete() {
		t.Fatalf("summary %+v", sum)
	}
	want := []string{
		`recipients.csv:3: no recipient: the "email" column is empty`,
		`recipients.csv:4: validFrom "June 1st 2025" is not an RFC 3339 date-time`,
		`recipients.csv:5: row key "good1" is also the key of line 2`,
		`recipients.csv:8: 2 fields, but the header names 4 columns`,
	}
	for i, f := range sum.Failures {
		if i >= len(want) || !strings.HasPrefix(f.Error(), want[i]) {
			t.Errorf("failure %d: %q, want %q", i, f.Error(), want[min(i, len(want)-1)])
		}
	}
	if got := strings.Join(outputs(t, opts.OutDir), " "); got != "good1.png good2.png multi_line.png" {
		t.Fatalf("files: %s", got)
	}
	for _, k := range []string{"noemail", "baddate", "short"} {
		if _, ok := l.entries[k]; ok {
			t.Errorf("ledger has an entry for bad row %s", k)
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s := newTestSigner(t, "vc-jwt")
	opts := baseOptions(t, s, nil, recipients(5))
	opts.Ledger = nil
	opts.DryRun = true
	opts.StatusListURL = "https://issuer.example/status/1"
	sum, err := Run(context.Background(), opts)
	if err != nil || sum.Issued != 5 {
		t.Fatalf("%+v %v", sum, err)
	}
	if files := outputs(t, opts.OutDir); len(files) != 0 {
		t.Fatalf("dry run wrote %v", files)
	}
}

// tamperSigner signs, then changes the credential: its signature no
// longer verifies.
type tamperSigner struct{ *testSigner }

func (s tamperSigner) Sign(ctx context.Context, p *payload.Payload) ([]byte, error) {
	b, err := s.testSigner.Sign(ctx, p)
	return []byte(strings.Replace(string(b), `"Teamwork"`, `"Teamwerk"`, 1)), err
}

// A signer whose credentials do not verify (another key than the
// issuer's, here a credential changed after signing) stops the run
// before anything is written.
func TestUnverifiableNotWritten(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	opts := baseOptions(t, s, l, "key,name,email,date\nbad,B,,x\n"+strings.TrimPrefix(recipients(2), "key,name,email,date\n"))
	opts.Signer = tamperSigner{s}
	sum, err := Run(context.Background(), opts)
	var ve *VerifyError
	var ie *InputError
	if !errors.As(err, &ve) || !errors.As(err, &ie) || sum != nil {
		t.Fatalf("%+v %v", sum, err)
	}
	if !strings.HasPrefix(err.Error(), "recipients.csv:3: the baked badge does not verify: ") || !strings.HasSuffix(err.Error(), "nothing was issued") {
		t.Fatalf("error %q", err)
	}
	if files := outputs(t, opts.OutDir); len(files) != 0 {
		t.Fatalf("wrote %v", files)
	}
	if len(l.entries) != 0 {
		t.Fatalf("ledger has %d entries", len(l.entries))
	}
}

// Verification refuses a row that the first row's check passed: its
// image is not written and its row stays reserved.
func TestRowThatDoesNotVerify(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	opts := baseOptions(t, s, l, recipients(3))
	opts.Signer = &tamperSecond{testSigner: s}
	sum, err := Run(context.Background(), opts)
	if err != nil || sum.Issued != 2 || sum.Failed != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	var ve *VerifyError
	if f := sum.Failures[0]; !errors.As(f.Err, &ve) || f.Line != 3 || f.RowKey != "r001" {
		t.Fatalf("failure %+v", f)
	}
	if got := strings.Join(outputs(t, opts.OutDir), " "); got != "r000.png r002.png" {
		t.Fatalf("files %s", got)
	}
	if e := l.entry("r001"); e.State != StateReserved {
		t.Fatalf("entry %+v", e)
	}
}

// tamperSecond tampers with the credential of row r001 (Person 1).
type tamperSecond struct{ *testSigner }

func (s *tamperSecond) Sign(ctx context.Context, p *payload.Payload) ([]byte, error) {
	b, err := s.testSigner.Sign(ctx, p)
	if strings.Contains(string(p.Raw), "Person 1 ") {
		b = []byte(strings.Replace(string(b), `"Teamwork"`, `"Teamwerk"`, 1))
	}
	return b, err
}
