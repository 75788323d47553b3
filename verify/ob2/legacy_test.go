package ob2

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/report"
)

// The reference's legacy fixtures (tests/testfiles/test_components.py).
const (
	ob10Assertion = `{
    "uid":"123abc",
    "recipient": {"identity": "test@example.com","hashed": false, "type": "email"},
    "badge": "http://a.com/badgeclass",
    "issuedOn": "2015-04-30",
    "verify": {"type": "hosted", "url": "http://a.com/instance"}
}`
	ob10AssertionStringRecipient = `{
    "uid":"123abc",
    "recipient": "test@example.com",
    "badge": "http://a.com/badgeclass",
    "issuedOn": "2015-04-30",
    "verify": {"type": "hosted", "url": "http://a.com/instance"}
}`
	ob10BadgeClass = `{
    "name": "Basic Badge",
    "description": "Basic as it gets. v1.0",
    "image": "http://a.com/badgeclass_image",
    "criteria": "http://a.com/badgeclass_criteria",
    "issuer": "http://a.com/issuer"
}`
	ob10Issuer = `{
    "name": "Basic Issuer",
    "url": "http://a.com/issuer"
}`
	ob05Assertion = `{
    "recipient": "test@example.com",
    "badge": {
        "version": "0.5.0",
        "name": "Basic McBadge",
        "image": "http://oldstyle.com/images/1",
        "description": "A basic badge.",
        "criteria": "http://oldsyle.com/criteria/1",
        "issuer": {
            "origin": "http://oldstyle.com",
            "name": "Basic Issuer"
        }
    }
}`
	ob051Assertion = `{
    "recipient": "sha256$85c4196c5516561cef673642157499b70066cb1070852b2a37fdbf3cc599b087",
    "salt": "sel gris",
    "issued_on": "2011-06-01",
    "badge": {
        "version": "0.5.0",
        "name": "Basic McBadge",
        "image": "http://oldstyle.com/images/2",
        "description": "A basic badge.",
        "criteria": "http://oldsyle.com/criteria/2",
        "issuer": {
            "origin": "http://oldstyle.com",
            "name": "Basic Issuer",
            "org": "Basic Org",
            "contact": "badges@oldstyle.com"
        }
    }
}`
	ob11Assertion = `{
  "@context": "https://w3id.org/openbadges/v1",
  "type": "Assertion",
  "id": "https://example.org/beths-robotics-badge.json",
  "recipient": {
    "type": "email",
    "hashed": true,
    "salt": "deadsea",
    "identity": "sha256$ecf5409f3f4b91ab60cc5ef4c02aef7032354375e70cf4d8e43f6a1d29891942"
  },
  "image": "https://example.org/beths-robot-badge.png",
  "evidence": "https://example.org/beths-robot-work.html",
  "issuedOn": 1500423730,
  "badge": "https://example.org/robotics-badge.json",
  "verify": {
    "type": "hosted",
    "url": "https://example.org/beths-robotics-badge.json"
  }
}`
	ob11BadgeClass = `{
  "@context": "https://w3id.org/openbadges/v1",
  "type": "BadgeClass",
  "id": "https://example.org/robotics-badge.json",
  "name": "Awesome Robotics Badge",
  "description": "For doing awesome things with robots that people think is pretty great.",
  "image": "https://example.org/robotics-badge.png",
  "criteria": "https://example.org/robotics-badge.html",
  "issuer": "https://example.org/organization.json",
  "alignment": [
    {"name": "Target 1 Name", "description": "Target 1 Description", "url": "http://example.org/target-1"},
    {"name": "Target 2 Name", "url": "http://example.org/target-2"}
  ]
}`
	ob11Issuer = `{
  "@context": "https://w3id.org/openbadges/v1",
  "type": "IssuerOrg",
  "id": "https://example.org/organization.json",
  "name": "An Example Badge Issuer",
  "url": "https://example.org"
}`
)

// docs serves documents by URL; PNG images for URLs mapped to "png".
type docs map[string]string

func (d docs) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ct, status := []byte("not found"), "text/plain", http.StatusNotFound
	if s, ok := d[req.URL.String()]; ok {
		status = http.StatusOK
		if s == "png" {
			body, ct = examples.PNG(), "image/png"
		} else {
			body, ct = []byte(s), "application/json"
		}
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {ct}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func testVerifier(d docs) *Verifier {
	return New(Options{Client: fetch.New(fetch.Options{Transport: d}), Now: func() time.Time { return testNow }})
}

func dump(t *testing.T, res *report.Result) string {
	t.Helper()
	b, _ := json.MarshalIndent(res, "", "  ")
	return string(b)
}

// node returns the graph node with id.
func node(res *report.Result, id string) map[string]any {
	for _, n := range res.Graph {
		if n["id"] == id {
			return n
		}
	}
	return nil
}

func newTestRun() *run {
	return testVerifier(docs{}).newRun(context.Background(), "", report.InputURL)
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDetectVersion(t *testing.T) {
	for _, c := range []struct {
		name, doc, want string
	}{
		{"1.1 context", ob11Assertion, "1.1"},
		{"2.0 context", `{"@context": "https://w3id.org/openbadges/v2", "recipient": "x"}`, "2.0"},
		{"context list", `{"@context": ["https://w3id.org/openbadges/v1"]}`, "2.0"},
		{"0.5", ob05Assertion, "0.5"},
		{"0.5.1", ob051Assertion, "0.5"},
		{"0.5 without badge", `{"recipient": "a@example.org"}`, "0.5"},
		{"1.0 assertion", ob10Assertion, "1.0"},
		{"1.0 assertion with a string recipient", ob10AssertionStringRecipient, "1.0"},
		{"1.0 badge class", ob10BadgeClass, "1.0"},
		{"1.0 issuer", ob10Issuer, "1.0"},
	} {
		if got := detectVersion(decode(t, c.doc)); got != c.want {
			t.Errorf("%s: version %s, want %s", c.name, got, c.want)
		}
	}
}

func TestUpgradeDateTime(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{1500423730.0, "2017-07-19T00:22:10+00:00"},
		{"1500423730", "2017-07-19T00:22:10+00:00"},
		{"1500423730.5", "2017-07-19T00:22:10.500000+00:00"},
		{0.0, "1970-01-01T00:00:00+00:00"},
		{"-86400", "1969-12-31T00:00:00+00:00"},
		{"2016-05-15", "2016-05-15T00:00:00+00:00"},
		{"2015-04-30", "2015-04-30T00:00:00+00:00"},
		{"2016-12-31T23:59:59", "2016-12-31T23:59:59+00:00"},
		{"2016-12-31T23:59:59.25", "2016-12-31T23:59:59.250000+00:00"},
		{"2016-12-31T23:59", "2016-12-31T23:59:00+00:00"},
		{"2016-12-31 23:59:59", "2016-12-31T23:59:59+00:00"},
		{"20161231T235959", "2016-12-31T23:59:59+00:00"},
		{" 2016-05-15 ", "2016-05-15T00:00:00+00:00"},
	} {
		got, ok := upgradeDateTime(c.in)
		if !ok || got != c.want {
			t.Errorf("upgradeDateTime(%#v) = %q, %v; want %q", c.in, got, ok, c.want)
		}
		if !IsDateTime(got) {
			t.Errorf("upgradeDateTime(%#v) = %q is not a DATETIME", c.in, got)
		}
	}
	for _, bad := range []any{"yesterday", "NaN", "Inf", "0x10", "1e9", "2016-13-45", "2016-02-30T10:00:00", "", true, nil, []any{"2016-05-15"}, 1e300} {
		if got, ok := upgradeDateTime(bad); ok {
			t.Errorf("upgradeDateTime(%#v) = %q, want no upgrade", bad, got)
		}
	}
}

func TestUpgrade05(t *testing.T) {
	r := newTestRun()
	doc := decode(t, ob051Assertion)
	before := asJSON(doc)
	d, ok := r.upgradeBefore("http://oldstyle.com/a/2", doc, "0.5", classAssertion)
	if !ok {
		t.Fatalf("not upgraded: %s", dump(t, r.res))
	}
	if asJSON(doc) != before {
		t.Errorf("the fetched document was modified: %s", asJSON(doc))
	}
	want := `{"@context":"https://w3id.org/openbadges/v1",` +
		`"badge":{"criteria":"http://oldsyle.com/criteria/2","description":"A basic badge.","image":"http://oldstyle.com/images/2",` +
		`"issuer":{"email":"badges@oldstyle.com","name":"Basic Issuer: Basic Org","type":"https://w3id.org/openbadges#Profile","url":"http://oldstyle.com"},` +
		`"name":"Basic McBadge","type":"BadgeClass","version":"0.5.0"},` +
		`"id":"http://oldstyle.com/a/2","issuedOn":"2011-06-01",` +
		`"recipient":{"hashed":true,"identity":"sha256$85c4196c5516561cef673642157499b70066cb1070852b2a37fdbf3cc599b087","salt":"sel gris","type":"email"},` +
		`"type":"Assertion","verify":{"type":"hosted"}}`
	if got := asJSON(d); got != want {
		t.Errorf("upgraded 0.5.1:\n got %s\nwant %s", got, want)
	}

	// An email recipient is not hashed; null org and contact are left
	// alone (compaction drops them); a verify object is replaced.
	doc = decode(t, `{"recipient": "a@example.org", "verify": {"type": "hosted", "url": "http://x.org/a"},
		"badge": {"issuer": {"origin": "http://x.org", "name": "X", "org": null, "contact": null}}}`)
	d, _ = r.upgradeBefore("http://x.org/a", doc, "0.5", "")
	want = `{"@context":"https://w3id.org/openbadges/v1","badge":{"issuer":{"contact":null,"name":"X","org":null,` +
		`"type":"https://w3id.org/openbadges#Profile","url":"http://x.org"},"type":"BadgeClass"},"id":"http://x.org/a",` +
		`"recipient":{"hashed":false,"identity":"a@example.org","type":"email"},"type":"Assertion","verify":{"type":"hosted"}}`
	if got := asJSON(d); got != want {
		t.Errorf("upgraded 0.5:\n got %s\nwant %s", got, want)
	}

	// Without a URL (not fetched), a 0.5 document has no id.
	if _, ok := r.upgradeBefore("", decode(t, ob05Assertion), "0.5", classAssertion); ok || !r.res.Has(taskUpgrade05, report.Error) {
		t.Errorf("0.5 without an id: want an %s error, got %s", taskUpgrade05, dump(t, r.res))
	}
}

func TestUpgrade10(t *testing.T) {
	for _, c := range []struct {
		name, url, doc, class string
		wantID, wantType      string
	}{
		{"assertion: the fetch URL", "http://a.com/fetched", ob10Assertion, classAssertion, "http://a.com/fetched", "Assertion"},
		{"assertion: verify.url", "", ob10Assertion, "", "http://a.com/instance", "Assertion"},
		{"assertion: its own id", "", `{"id": "http://a.com/own", "recipient": {}}`, "", "http://a.com/own", "Assertion"},
		{"signed assertion: uid", "", `{"uid": "abc", "recipient": {}, "verify": {"type": "signed", "url": "http://a.com/key"}}`, "", "uid:abc", "Assertion"},
		{"badge class by class", "http://a.com/b", `{"name": "B"}`, classBadgeClass, "http://a.com/b", "BadgeClass"},
		{"badge class by criteria", "http://a.com/b", ob10BadgeClass, "", "http://a.com/b", "BadgeClass"},
		{"issuer by class", "http://a.com/i", `{"name": "I"}`, classProfile, "http://a.com/i", "Issuer"},
		{"issuer by url", "http://a.com/i", ob10Issuer, "", "http://a.com/i", "Issuer"},
	} {
		r := newTestRun()
		d, ok := r.upgradeBefore(c.url, decode(t, c.doc), "1.0", c.class)
		if !ok {
			t.Errorf("%s: not upgraded: %s", c.name, dump(t, r.res))
			continue
		}
		if d["id"] != c.wantID || d["type"] != c.wantType || d["@context"] != "https://w3id.org/openbadges/v1" {
			t.Errorf("%s: id %v, type %v, @context %v; want %s, %s, v1", c.name, d["id"], d["type"], d["@context"], c.wantID, c.wantType)
		}
	}
	for _, c := range []struct{ name, doc, class string }{
		{"hosted assertion without url", `{"recipient": {}, "verify": {"type": "hosted"}}`, classAssertion},
		{"signed assertion without uid", `{"recipient": {}, "verify": {"type": "signed"}}`, classAssertion},
		{"badge class", ob10BadgeClass, classBadgeClass},
		{"issuer", ob10Issuer, classProfile},
	} {
		r := newTestRun()
		if _, ok := r.upgradeBefore("", decode(t, c.doc), "1.0", c.class); ok || !r.res.Has(taskUpgrade10, report.Error) {
			t.Errorf("%s without an id: want an %s error, got %s", c.name, taskUpgrade10, dump(t, r.res))
		}
	}

	// A string recipient (0.5 style) becomes an identity object.
	r := newTestRun()
	d, _ := r.upgradeBefore("http://a.com/instance", decode(t, `{"recipient": "sha256$abc", "salt": "s", "issued_on": "2015-01-01", "badge": "http://a.com/b"}`), "1.0", classAssertion)
	if got, want := asJSON(d["recipient"]), `{"hashed":true,"identity":"sha256$abc","salt":"s","type":"email"}`; got != want {
		t.Errorf("recipient %s, want %s", got, want)
	}
	if d["salt"] != nil || d["issued_on"] != nil || d["issuedOn"] != "2015-01-01" {
		t.Errorf("salt and issued_on not moved: %s", asJSON(d))
	}
}

func TestUpgradeAfter(t *testing.T) {
	r := newTestRun()
	n := decode(t, `{"id": "http://a.com/a", "recipient": {}, "issuedOn": 1500423730, "expires": "2030-01-01",
		"badge": {"alignment": {"name": "N", "url": "http://a.com/n"}}}`)
	r.upgradeAfter(n, "1.1", classAssertion)
	want := `{"badge":{"alignment":{"targetName":"N","targetUrl":"http://a.com/n"}},"expires":"2030-01-01T00:00:00+00:00",` +
		`"id":"http://a.com/a","issuedOn":"2017-07-19T00:22:10+00:00","recipient":{}}`
	if got := asJSON(n); got != want {
		t.Errorf("assertion:\n got %s\nwant %s", got, want)
	}

	// Valid date-times are kept as written; what cannot be read is left
	// for VALIDATE_PROPERTY.
	n = decode(t, `{"recipient": {}, "issuedOn": "2016-12-31T23:59:59+0100", "expires": "soon"}`)
	r.upgradeAfter(n, "1.0", "")
	if n["issuedOn"] != "2016-12-31T23:59:59+0100" || n["expires"] != "soon" {
		t.Errorf("changed: %s", asJSON(n))
	}

	// Alignments: every item, without overwriting 2.0 names; references
	// are left as they are.
	n = decode(t, `{"criteria": "http://a.com/c", "alignment": [
		{"name": "T1", "description": "D1", "url": "http://a.com/1"},
		{"name": "old", "targetName": "T2", "targetUrl": "http://a.com/2"},
		"http://a.com/3"]}`)
	r.upgradeAfter(n, "1.1", "")
	want = `{"alignment":[{"targetDescription":"D1","targetName":"T1","targetUrl":"http://a.com/1"},` +
		`{"name":"old","targetName":"T2","targetUrl":"http://a.com/2"},"http://a.com/3"],"criteria":"http://a.com/c"}`
	if got := asJSON(n); got != want {
		t.Errorf("badge class:\n got %s\nwant %s", got, want)
	}

	// Open Badges 2.0 nodes are never upgraded.
	n = decode(t, `{"id": "http://a.com/a", "recipient": {}, "issuedOn": "2016-05-15", "badge": {"alignment": {"name": "N"}}}`)
	before := asJSON(n)
	r = newTestRun()
	r.upgradeAfter(n, openBadgesV2, classAssertion)
	if asJSON(n) != before {
		t.Errorf("2.0 node changed: %s", asJSON(n))
	}
	if _, legacy := r.legacy["http://a.com/a"]; legacy {
		t.Errorf("2.0 node marked as legacy")
	}
}

// legacyDocs serves the reference's legacy fixtures.
func legacyDocs() docs {
	return docs{
		"http://a.com/instance":                         ob10Assertion,
		"http://a.com/string-recipient":                 ob10AssertionStringRecipient,
		"http://a.com/badgeclass":                       ob10BadgeClass,
		"http://a.com/issuer":                           ob10Issuer,
		"http://a.com/badgeclass_image":                 "png",
		"http://oldstyle.com/a/1":                       ob05Assertion,
		"http://oldstyle.com/a/2":                       ob051Assertion,
		"http://oldstyle.com/images/1":                  "png",
		"http://oldstyle.com/images/2":                  "png",
		"https://example.org/beths-robotics-badge.json": ob11Assertion,
		"https://example.org/robotics-badge.json":       ob11BadgeClass,
		"https://example.org/organization.json":         ob11Issuer,
		"https://example.org/robotics-badge.png":        "png",
		"https://example.org/beths-robot-badge.png":     "png",
	}
}

func TestLegacyVerification(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		url, version string
		errors       int
		checks       map[string]string // node id → expected JSON of the node without @context
	}{
		{"http://a.com/instance", "1.0", 0, map[string]string{
			"http://a.com/instance": `{"badge":"http://a.com/badgeclass","id":"http://a.com/instance","issuedOn":"2015-04-30T00:00:00+00:00",` +
				`"recipient":{"hashed":false,"identity":"test@example.com","type":"email"},"type":"Assertion","uid":"123abc",` +
				`"verification":{"type":"HostedBadge","url":"http://a.com/instance"}}`,
			"http://a.com/issuer": `{"id":"http://a.com/issuer","name":"Basic Issuer","type":"Issuer","url":"http://a.com/issuer"}`,
		}},
		{"http://a.com/string-recipient", "1.0", 0, map[string]string{
			"http://a.com/string-recipient": `{"badge":"http://a.com/badgeclass","id":"http://a.com/string-recipient","issuedOn":"2015-04-30T00:00:00+00:00",` +
				`"recipient":{"hashed":false,"identity":"test@example.com","type":"email"},"type":"Assertion","uid":"123abc",` +
				`"verification":{"type":"HostedBadge","url":"http://a.com/instance"}}`,
		}},
		{"http://oldstyle.com/a/1", "0.5", 2, map[string]string{
			"http://oldstyle.com/a/1": `{"badge":"_:b0","id":"http://oldstyle.com/a/1","recipient":{"hashed":false,"identity":"test@example.com","type":"email"},` +
				`"type":"Assertion","verification":{"type":"HostedBadge"}}`,
			"_:b0": `{"criteria":"http://oldsyle.com/criteria/1","description":"A basic badge.","id":"_:b0","image":"http://oldstyle.com/images/1",` +
				`"issuer":"_:b1","name":"Basic McBadge","type":"BadgeClass"}`,
			"_:b1": `{"id":"_:b1","name":"Basic Issuer","type":"Profile","url":"http://oldstyle.com"}`,
		}},
		{"http://oldstyle.com/a/2", "0.5", 0, map[string]string{
			"http://oldstyle.com/a/2": `{"badge":"_:b0","id":"http://oldstyle.com/a/2","issuedOn":"2011-06-01T00:00:00+00:00",` +
				`"recipient":{"hashed":true,"identity":"sha256$85c4196c5516561cef673642157499b70066cb1070852b2a37fdbf3cc599b087","salt":"sel gris","type":"email"},` +
				`"type":"Assertion","verification":{"type":"HostedBadge"}}`,
			"_:b1": `{"email":"badges@oldstyle.com","id":"_:b1","name":"Basic Issuer: Basic Org","type":"Profile","url":"http://oldstyle.com"}`,
		}},
		{"https://example.org/beths-robotics-badge.json", "1.1", 0, map[string]string{
			"https://example.org/beths-robotics-badge.json": `{"badge":"https://example.org/robotics-badge.json","evidence":"https://example.org/beths-robot-work.html",` +
				`"id":"https://example.org/beths-robotics-badge.json","image":"https://example.org/beths-robot-badge.png","issuedOn":"2017-07-19T00:22:10+00:00",` +
				`"recipient":{"hashed":true,"identity":"sha256$ecf5409f3f4b91ab60cc5ef4c02aef7032354375e70cf4d8e43f6a1d29891942","salt":"deadsea","type":"email"},` +
				`"type":"Assertion","verification":{"type":"HostedBadge","url":"https://example.org/beths-robotics-badge.json"}}`,
			"https://example.org/robotics-badge.json": `{"alignment":[{"targetDescription":"Target 1 Description","targetName":"Target 1 Name","targetUrl":"http://example.org/target-1"},` +
				`{"targetName":"Target 2 Name","targetUrl":"http://example.org/target-2"}],"criteria":"https://example.org/robotics-badge.html",` +
				`"description":"For doing awesome things with robots that people think is pretty great.","id":"https://example.org/robotics-badge.json",` +
				`"image":"https://example.org/robotics-badge.png","issuer":"https://example.org/organization.json","name":"Awesome Robotics Badge","type":"BadgeClass"}`,
			"https://example.org/organization.json": `{"id":"https://example.org/organization.json","name":"An Example Badge Issuer","type":"Issuer","url":"https://example.org"}`,
		}},
	} {
		res := testVerifier(legacyDocs()).VerifyURL(ctx, c.url, nil)
		if res.Report.OpenBadgesVersion != c.version || res.Report.ErrorCount != c.errors || len(res.Graph) != 3 {
			t.Errorf("%s: version %s, %d errors, %d nodes; want %s, %d, 3\n%s", c.url, res.Report.OpenBadgesVersion, res.Report.ErrorCount, len(res.Graph), c.version, c.errors, dump(t, res))
			continue
		}
		for id, want := range c.checks {
			n := cloneMap(node(res, id))
			delete(n, "@context")
			if got := asJSON(n); got != want {
				t.Errorf("%s: node %s\n got %s\nwant %s", c.url, id, got, want)
			}
		}
		// Blank node ids and the whole report are the same every time.
		again := testVerifier(legacyDocs()).VerifyURL(ctx, c.url, nil)
		if asJSON(again) != asJSON(res) {
			t.Errorf("%s: second run differs:\n%s\n%s", c.url, asJSON(res), asJSON(again))
		}
	}
}

// Issuers of older badges need no email (it was optional before 2.0); a
// 2.0 issuer still does, and a legacy issuer's email must still be one.
func TestLegacyIssuerEmail(t *testing.T) {
	ctx := context.Background()
	emailErrors := func(res *report.Result) int {
		n := 0
		for _, m := range res.Report.Messages {
			if m.PropName == "email" && m.MessageLevel == report.Error {
				n++
			}
		}
		return n
	}
	d := legacyDocs()
	if res := testVerifier(d).VerifyURL(ctx, "http://a.com/instance", nil); emailErrors(res) != 0 {
		t.Errorf("1.0 issuer without email: %s", dump(t, res))
	}
	d["http://a.com/issuer"] = `{"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": "http://a.com/issuer", "name": "I", "url": "http://a.com/"}`
	if res := testVerifier(d).VerifyURL(ctx, "http://a.com/instance", nil); emailErrors(res) != 1 {
		t.Errorf("2.0 issuer of a 1.0 badge without email: want an email error, got %s", dump(t, res))
	}
	d["http://a.com/issuer"] = `{"name": "I", "url": "http://a.com/", "email": "not an email"}`
	if res := testVerifier(d).VerifyURL(ctx, "http://a.com/instance", nil); emailErrors(res) != 1 {
		t.Errorf("1.0 issuer with a bad email: want an email error, got %s", dump(t, res))
	}
}

func TestLegacyJSONInput(t *testing.T) {
	res := testVerifier(legacyDocs()).VerifyJSON(context.Background(), []byte(ob10AssertionStringRecipient), nil)
	if !res.Report.Valid || res.Input.Value != "http://a.com/instance" || res.Report.OpenBadgesVersion != "1.0" {
		t.Errorf("1.0 JSON with a string recipient: %s", dump(t, res))
	}
}
