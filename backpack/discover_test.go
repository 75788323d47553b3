package backpack_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
)

func TestDiscoverBoth(t *testing.T) {
	fake := fakebackpack.New(t, fakebackpack.Options{TLS: true})
	p, err := backpack.Discover(context.Background(), fake.Client(), fake.URL()+"/")
	if err != nil {
		t.Fatal(err)
	}
	base := fake.URL()
	want := backpack.Provider{
		Name: "Fake Backpack", Image: base + "/logo.png",
		TermsOfService: base + "/tos", PrivacyPolicy: base + "/privacy",
		Registration: base + "/oauth/register", Authorization: base + "/oauth/authorize",
		Token: base + "/oauth/token", Revocation: base + "/oauth/revoke",
		API21Base: base + "/ims/ob/v2p1", API30Base: base + "/ims/ob/v3p0",
	}
	if !equalProvider(*p, want) {
		t.Errorf("provider\n got %+v\nwant %+v", *p, want)
	}
	if len(p.Scopes) != 8 {
		t.Errorf("scopes = %v, want the 4 of 2.1 and the 4 of 3.0", p.Scopes)
	}
	scopes := p.RequestedScopes()
	if len(scopes) != 9 || scopes[8] != "offline_access" {
		t.Errorf("requested scopes = %v", scopes)
	}
}

func equalProvider(a, b backpack.Provider) bool {
	a.Scopes, b.Scopes = nil, nil
	return a.Name == b.Name && a.Image == b.Image && a.TermsOfService == b.TermsOfService &&
		a.PrivacyPolicy == b.PrivacyPolicy && a.Registration == b.Registration &&
		a.Authorization == b.Authorization && a.Token == b.Token && a.Revocation == b.Revocation &&
		a.API21Base == b.API21Base && a.API30Base == b.API30Base
}

func TestDiscoverOneAPI(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       fakebackpack.Options
		want21     bool
		want30     bool
		revocation bool
	}{
		{"2.1 only", fakebackpack.Options{No30: true}, true, false, true},
		{"3.0 only", fakebackpack.Options{No21: true}, false, true, false},
		{"2.1 with double slashes", fakebackpack.Options{No30: true, DoubleSlash: true}, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakebackpack.New(t, tc.opts)
			p, err := backpack.Discover(context.Background(), fake.Client(), fake.URL())
			if err != nil {
				t.Fatal(err)
			}
			if (p.API21Base != "") != tc.want21 || (p.API30Base != "") != tc.want30 {
				t.Errorf("bases %q %q", p.API21Base, p.API30Base)
			}
			if tc.want21 && p.API21Base != fake.URL()+"/ims/ob/v2p1" {
				t.Errorf("API21Base = %q", p.API21Base)
			}
			if p.Token != fake.URL()+"/oauth/token" || p.Authorization != fake.URL()+"/oauth/authorize" {
				t.Errorf("endpoints %q %q", p.Authorization, p.Token)
			}
			if (p.Revocation != "") != tc.revocation {
				t.Errorf("revocation %q", p.Revocation)
			}
			if len(p.Scopes) != 4 {
				t.Errorf("scopes %v", p.Scopes)
			}
		})
	}
}

func TestDiscoverNeither(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "badgeconnect.json") {
			w.Write([]byte(`{"badgeConnectAPI": []}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	_, err := backpack.Discover(context.Background(), srv.Client(), srv.URL)
	var de *backpack.DiscoveryError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DiscoveryError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		srv.URL + "/.well-known/badgeconnect.json", "no badgeConnectAPI entry",
		srv.URL + "/ims/ob/v3p0/discovery", "404",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not mention %q", msg, want)
		}
	}
}

func TestDiscoverRefusesPlainHTTP(t *testing.T) {
	hc := &http.Client{Transport: refuseTransport(func(*http.Request) (*http.Response, error) {
		t.Fatal("no request may be made")
		return nil, nil
	})}
	for _, u := range []string{"http://backpack.example", "ftp://backpack.example", "backpack.example", "http://10.0.0.1"} {
		_, err := backpack.Discover(context.Background(), hc, u)
		var ie *backpack.InsecureURLError
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want *InsecureURLError", u, err)
		}
	}
}

func TestDiscoverRefusesPlainHTTPEndpoints(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "badgeconnect.json") {
			w.Write([]byte(`{"badgeConnectAPI": [{"name":"x","apiBase":"https://h.example/ims/ob/v2p1",
			"authorizationUrl":"https://h.example/a","tokenUrl":"http://h.example/t"}]}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	_, err := backpack.Discover(context.Background(), srv.Client(), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "tokenUrl") {
		t.Errorf("err = %v, want the http:// tokenUrl refused", err)
	}
}

type refuseTransport func(*http.Request) (*http.Response, error)

func (f refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDiscoverSeparateAuthorizationServers(t *testing.T) {
	// The 3.0 document names another token endpoint: one registration
	// cannot serve both, so the 2.1 server is kept alone.
	fake := fakebackpack.New(t, fakebackpack.Options{No30: true})
	fake.Handle("GET /ims/ob/v3p0/discovery", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"components":{"securitySchemes":{"OAuth2ACG":{"flows":{"authorizationCode":{
			"authorizationUrl":"http://127.0.0.1:1/other/authorize","tokenUrl":"http://127.0.0.1:1/other/token",
			"scopes":{"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert":""}}}}}}}`))
	}))
	p, err := backpack.Discover(context.Background(), fake.Client(), fake.URL()+"?ignored=1")
	if err != nil {
		t.Fatal(err)
	}
	if p.API30Base != "" || p.Token != fake.URL()+"/oauth/token" || len(p.Scopes) != 4 {
		t.Errorf("provider %+v", p)
	}
}

func TestDiscoverNotJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	}))
	defer srv.Close()
	_, err := backpack.Discover(context.Background(), srv.Client(), srv.URL)
	var de *backpack.DiscoveryError
	if !errors.As(err, &de) || !strings.Contains(de.ManifestProblem, "not a JSON object") ||
		!strings.Contains(de.DiscoveryProblem, "not a JSON object") {
		t.Fatalf("err = %v", err)
	}
}
