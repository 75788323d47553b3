package backpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/errkind"
)

// pagedProvider serves a listing as pages keyed by the offset query
// parameter. Each page's Link header lines are given with %BASE% standing
// for the server's own address. It records the request URIs.
func pagedProvider(t *testing.T, pages, links map[string]string) (string, *[]string) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RequestURI())
		off := r.URL.Query().Get("offset")
		body, ok := pages[off]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":{"statusCode":404,"statusText":"NOT_FOUND","error":"no such page"}}`)
			return
		}
		if l := links[off]; l != "" {
			for _, line := range strings.Split(l, "\n") {
				w.Header().Add("Link", strings.ReplaceAll(line, "%BASE%", "http://"+r.Host))
			}
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &got
}

func TestList21ThreePages(t *testing.T) {
	signed := ob2JWS(t)
	base, got := pagedProvider(t, map[string]string{
		"": `{"status":{"statusCode":200,"statusText":"OK","error":null},
		      "assertions":[` + ob2AssertionJSON + `, null], "signedAssertions": null}`,
		"1": `{"status":null, "assertions":[], "signedAssertions":["` + signed + `"]}`,
		"2": `{"assertions":null}`,
	}, map[string]string{
		// Absolute, among other relations.
		"": `<%BASE%/ims/ob/v2p1/assertions?offset=2>; rel="last", <%BASE%/ims/ob/v2p1/assertions?offset=1&since=2026-01-01T00%3A00%3A00Z>; rel="next"`,
		// Relative to the page's URL, on two header lines.
		"1": "<assertions?offset=0>; rel=first\n<assertions?offset=2>; rel=next",
	})
	since := time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("", 3600))
	badges, err := List(context.Background(), nil, API21, base+"/ims/ob/v2p1/", since, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantRequests := []string{
		"/ims/ob/v2p1/assertions?since=2026-01-01T00%3A00%3A00Z",
		"/ims/ob/v2p1/assertions?offset=1&since=2026-01-01T00%3A00%3A00Z",
		"/ims/ob/v2p1/assertions?offset=2",
	}
	if !reflect.DeepEqual(*got, wantRequests) {
		t.Errorf("requests %q, want %q", *got, wantRequests)
	}
	if len(badges) != 2 {
		t.Fatalf("%d badges, want 2: %+v", len(badges), badges)
	}
	if b := badges[0]; b.API != API21 || b.Kind != "assertion" || b.ID != "https://issuer.example/assertions/1" || !sameJSONValue(t, b.Badge, ob2AssertionJSON) {
		t.Errorf("first badge %+v", b)
	}
	if b := badges[1]; b.API != API21 || b.Kind != "signedAssertion" || b.ID != "https://issuer.example/assertions/1" || !sameJSONValue(t, b.Badge, `"`+signed+`"`) {
		t.Errorf("second badge %+v", b)
	}
}

func TestList30BothJWSSpellings(t *testing.T) {
	jwt := vcJWT(t)
	other := fakeCompactJWS(t, map[string]string{"alg": "ES256"}, map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2"}, "type": []string{"VerifiableCredential"},
		"id": "urn:uuid:other", "issuer": "https://issuer.example/issuers/1", "credentialSubject": map[string]any{}})
	base, got := pagedProvider(t, map[string]string{
		"":  `{"credential":[` + ob3CredentialJSON + `], "compactJwsString":null}`,
		"1": `{"credential":null, "compactJwsString":["` + jwt + `"], "compactJwsStrings":["` + jwt + `", null, "` + other + `"]}`,
		"2": `{"credential":[], "compactJwsStrings":[]}`,
	}, map[string]string{
		"":  `</ims/ob/v3p0/credentials?offset=1>; rel="next"`,
		"1": `<?offset=2>; rel="next"`,
	})
	badges, err := List(context.Background(), nil, API30, base+"/ims/ob/v3p0", time.Time{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/ims/ob/v3p0/credentials", "/ims/ob/v3p0/credentials?offset=1", "/ims/ob/v3p0/credentials?offset=2"}; !reflect.DeepEqual(*got, want) {
		t.Errorf("requests %q, want %q", *got, want)
	}
	var summary []string
	for _, b := range badges {
		if b.API != API30 {
			t.Errorf("badge %+v not ob30", b)
		}
		summary = append(summary, b.Kind+" "+b.ID)
	}
	want := []string{
		"credential urn:uuid:2b3c4d5e-0000-4000-8000-000000000001",
		"compactJws urn:uuid:2b3c4d5e-0000-4000-8000-000000000001",
		"compactJws urn:uuid:other",
	}
	if !reflect.DeepEqual(summary, want) {
		t.Errorf("badges %q, want %q", summary, want)
	}
	if !sameJSONValue(t, badges[1].Badge, `"`+jwt+`"`) {
		t.Errorf("JWS badge %s", badges[1].Badge)
	}
}

func TestListMaxPagesCut(t *testing.T) {
	base, got := pagedProvider(t, map[string]string{
		"":  `{"assertions":[{"id":"a"}]}`,
		"1": `{"assertions":[{"id":"b"}]}`,
		"2": `{"assertions":[{"id":"c"}]}`,
	}, map[string]string{
		"":  `<assertions?offset=1>; rel="next"`,
		"1": `<assertions?offset=2>; rel="next"`,
	})
	badges, err := List(context.Background(), nil, API21, base, time.Time{}, 2)
	var cut *TooManyPagesError
	if !errors.As(err, &cut) || cut.MaxPages != 2 || cut.Next != base+"/assertions?offset=2" || errkind.Of(err) != errkind.Indeterminate {
		t.Fatalf("err = %v, want a cut at 2 pages before offset=2", err)
	}
	if len(badges) != 2 || badges[0].ID != "a" || badges[1].ID != "b" || len(*got) != 2 {
		t.Errorf("badges %+v after requests %q", badges, *got)
	}
}

func TestListErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("refused page", func(t *testing.T) {
		base, _ := pagedProvider(t, map[string]string{"": `{"assertions":[]}`}, map[string]string{"": `<?offset=7>; rel=next`})
		_, err := List(ctx, nil, API21, base, time.Time{}, 0)
		var le *ListError
		if !errors.As(err, &le) || le.HTTPStatus != 404 || le.Status.StatusText != "NOT_FOUND" || errkind.Of(err) != errkind.BadInput ||
			!strings.Contains(err.Error(), "the backpack has no such endpoint or item (NOT_FOUND): no such page") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("loop", func(t *testing.T) {
		base, got := pagedProvider(t, map[string]string{"": `{}`, "1": `{}`},
			map[string]string{"": `<assertions?offset=1>; rel=next`, "1": `<assertions>; rel=next`})
		_, err := List(ctx, nil, API21, base, time.Time{}, 10)
		var le *ListError
		if !errors.As(err, &le) || !strings.Contains(le.Reason, "already read") || len(*got) != 2 {
			t.Errorf("err = %v after %q", err, *got)
		}
	})
	t.Run("not a listing", func(t *testing.T) {
		for _, body := range []string{`[1]`, `{"assertions":"x"}`, `{"signedAssertions":[{"a":1}]}`, `{"assertions":[7]}`} {
			base, _ := pagedProvider(t, map[string]string{"": body}, nil)
			if _, err := List(ctx, nil, API21, base, time.Time{}, 0); !errors.As(err, new(*ListError)) {
				t.Errorf("%s: err = %v", body, err)
			}
		}
	})
	t.Run("unknown API", func(t *testing.T) {
		if _, err := List(ctx, nil, "ob99", "https://b.example", time.Time{}, 0); !errors.Is(err, ErrUnknownAPI) {
			t.Errorf("err = %v", err)
		}
	})
}

func sameJSONValue(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// A provider sending page after page of large badges is stopped at
// MaxListingBytes, long before the page bound would stop it.
func TestListStopsAtMaxListingBytes(t *testing.T) {
	big := `{"@context":"https://w3id.org/openbadges/v2","id":"urn:x","padding":"` + strings.Repeat("a", 4<<20) + `"}`
	var pages int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages++
		w.Header().Set("Link", fmt.Sprintf(`<http://%s/ims/ob/v2p1/assertions?offset=%d>; rel="next"`, r.Host, pages))
		fmt.Fprint(w, `{"status":{"statusCode":200},"assertions":[`+big+`]}`)
	}))
	t.Cleanup(srv.Close)
	badges, err := List(context.Background(), srv.Client(), API21, srv.URL+"/ims/ob/v2p1", time.Time{}, 0)
	var le *ListError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "more than 64 MiB") {
		t.Fatalf("err %v, want a ListError about the size", err)
	}
	if held := len(badges) * len(big); held > MaxListingBytes || pages > MaxListingBytes/len(big)+1 {
		t.Errorf("%d badges (%d bytes) kept after %d pages", len(badges), held, pages)
	}
}
