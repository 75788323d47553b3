package backpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/badgebake/badgebake/errkind"
)

// Path suffixes of the two APIs' bases.
const (
	api21Suffix = "/ims/ob/v2p1"
	api30Suffix = "/ims/ob/v3p0"
	// maxDiscoveryBody caps a discovery document or an OAuth response: they are
	// small, and a provider must not make us read without end.
	maxDiscoveryBody = 1 << 20
)

// Provider is what discovery learnt of a backpack: its name, its OAuth
// endpoints and the bases of the APIs it offers.
type Provider struct {
	// URL is the provider URL discovery started from (what the user gave
	// to connect), without a trailing slash.
	URL            string `json:"url,omitempty"`
	Name           string `json:"name"`
	Image          string `json:"image,omitempty"`
	TermsOfService string `json:"termsOfService,omitempty"`
	PrivacyPolicy  string `json:"privacyPolicy,omitempty"`

	Registration  string `json:"registrationUrl,omitempty"`
	Authorization string `json:"authorizationUrl"`
	Token         string `json:"tokenUrl"`
	Revocation    string `json:"revocationUrl,omitempty"`

	// Scopes are the scopes the provider offers, 2.1's then 3.0's.
	Scopes []string `json:"scopes,omitempty"`
	// API21Base is the Badge Connect apiBase (ending /ims/ob/v2p1), ""
	// when the provider does not offer Open Badges 2.1.
	API21Base string `json:"api21Base,omitempty"`
	// API30Base ends /ims/ob/v3p0, "" when the provider does not offer
	// the Open Badges 3.0 API.
	API30Base string `json:"api30Base,omitempty"`
}

// DiscoveryError is a provider URL where neither discovery document could
// be used. Each Problem says what the URL answered.
type DiscoveryError struct {
	ManifestURL, ManifestProblem   string
	DiscoveryURL, DiscoveryProblem string
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("no backpack found: %s: %s; %s: %s",
		e.ManifestURL, e.ManifestProblem, e.DiscoveryURL, e.DiscoveryProblem)
}

// ErrorKind is BadInput: the provider was asked and answered nothing usable.
func (e *DiscoveryError) ErrorKind() errkind.Kind { return errkind.BadInput }

// InsecureURLError is a URL that is not HTTPS (plain HTTP is allowed only
// for loopback hosts, where nothing crosses the network).
type InsecureURLError struct {
	URL string
}

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("%s: backpack URLs must be https:// (http:// only for 127.0.0.1, ::1 or localhost)", e.URL)
}

func (e *InsecureURLError) ErrorKind() errkind.Kind { return errkind.Usage }

// Discover reads PROVIDER_URL/.well-known/badgeconnect.json (Open Badges
// 2.1; its first badgeConnectAPI entry) and PROVIDER_URL/ims/ob/v3p0/discovery
// (Open Badges 3.0) through hc, and describes the provider. One usable
// document is enough. When both are usable but name different token
// endpoints, one registration cannot serve both: the 2.1 authorization
// server is kept and API30Base is left empty.
func Discover(ctx context.Context, hc *http.Client, providerURL string) (*Provider, error) {
	base, err := checkURL(providerURL)
	if err != nil {
		return nil, err
	}
	base = strings.TrimRight(base, "/")
	if hc == nil {
		hc = http.DefaultClient
	}
	manifestURL := base + "/.well-known/badgeconnect.json"
	discoveryURL := base + api30Suffix + "/discovery"

	p21, err21 := discover21(ctx, hc, manifestURL)
	p30, err30 := discover30(ctx, hc, discoveryURL, base+api30Suffix)
	var p *Provider
	switch {
	case err21 != nil && err30 != nil:
		return nil, &DiscoveryError{
			ManifestURL: manifestURL, ManifestProblem: err21.Error(),
			DiscoveryURL: discoveryURL, DiscoveryProblem: err30.Error(),
		}
	case err30 != nil:
		p = p21
	case err21 != nil:
		p = p30
	case p21.Token != p30.Token:
		p = p21
	default:
		p = p21
		p.API30Base = p30.API30Base
		p.Scopes = append(p.Scopes, p30.Scopes...)
		if p.Revocation == "" {
			p.Revocation = p30.Revocation
		}
	}
	p.URL = base
	return p, nil
}

// checkURL parses raw and refuses anything but https (http on loopback).
func checkURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", &InsecureURLError{URL: raw}
	}
	// The documents are found under the provider URL's path; a query or
	// fragment would end up in the middle of their URLs.
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	switch u.Scheme {
	case "https":
		return u.String(), nil
	case "http":
		if isLoopback(u.Hostname()) {
			return u.String(), nil
		}
	}
	return "", &InsecureURLError{URL: raw}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cleanURL collapses repeated slashes in a URL's path (Badgr's manifests
// have them) and checks its scheme. "" stays "".
func cleanURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", raw)
	}
	for strings.Contains(u.Path, "//") {
		u.Path = strings.ReplaceAll(u.Path, "//", "/")
	}
	u.RawPath = ""
	if _, err := checkURL(u.String()); err != nil {
		return "", err
	}
	return u.String(), nil
}

// fetchDocument fetches raw and decodes a JSON object into v; its error says in
// a few words what the URL answered.
func fetchDocument(ctx context.Context, hc *http.Client, raw string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return transportCause(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxDiscoveryBody {
		return fmt.Errorf("more than %d bytes", maxDiscoveryBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	return nil
}

type manifest struct {
	API []struct {
		Name             string   `json:"name"`
		Image            string   `json:"image"`
		APIBase          string   `json:"apiBase"`
		Version          string   `json:"version"`
		TermsOfService   string   `json:"termsOfServiceUrl"`
		PrivacyPolicy    string   `json:"privacyPolicyUrl"`
		ScopesOffered    []string `json:"scopesOffered"`
		RegistrationURL  string   `json:"registrationUrl"`
		AuthorizationURL string   `json:"authorizationUrl"`
		TokenURL         string   `json:"tokenUrl"`
		RevocationURL    string   `json:"tokenRevocationUrl"`
	} `json:"badgeConnectAPI"`
}

func discover21(ctx context.Context, hc *http.Client, manifestURL string) (*Provider, error) {
	var m manifest
	if err := fetchDocument(ctx, hc, manifestURL, &m); err != nil {
		return nil, err
	}
	if len(m.API) == 0 {
		return nil, errors.New("no badgeConnectAPI entry")
	}
	e := m.API[0]
	p := &Provider{Name: e.Name, Scopes: nonEmpty(e.ScopesOffered)}
	p.Image = logo(e.Image)
	fields := []urlField{
		{"apiBase", e.APIBase, &p.API21Base, true},
		{"registrationUrl", e.RegistrationURL, &p.Registration, false},
		{"authorizationUrl", e.AuthorizationURL, &p.Authorization, true},
		{"tokenUrl", e.TokenURL, &p.Token, true},
		{"tokenRevocationUrl", e.RevocationURL, &p.Revocation, false},
		{"termsOfServiceUrl", e.TermsOfService, &p.TermsOfService, false},
		{"privacyPolicyUrl", e.PrivacyPolicy, &p.PrivacyPolicy, false},
	}
	if err := setURLs(fields); err != nil {
		return nil, err
	}
	p.API21Base = strings.TrimRight(p.API21Base, "/")
	if !strings.HasSuffix(p.API21Base, api21Suffix) {
		return nil, fmt.Errorf("apiBase %q does not end with %s", p.API21Base, api21Suffix)
	}
	return p, nil
}

type serviceDescription struct {
	Info struct {
		Title          string `json:"title"`
		TermsOfService string `json:"termsOfService"`
	} `json:"info"`
	Components struct {
		SecuritySchemes struct {
			OAuth2ACG *struct {
				RegistrationURL  string `json:"x-imssf-registrationUrl"`
				PrivacyPolicyURL string `json:"x-imssf-privacyPolicyUrl"`
				Image            string `json:"x-imssf-image"`
				Name             string `json:"x-imssf-name"`
				Flows            struct {
					AuthorizationCode *struct {
						AuthorizationURL string            `json:"authorizationUrl"`
						TokenURL         string            `json:"tokenUrl"`
						RefreshURL       string            `json:"refreshUrl"`
						Scopes           map[string]string `json:"scopes"`
					} `json:"authorizationCode"`
				} `json:"flows"`
			} `json:"OAuth2ACG"`
		} `json:"securitySchemes"`
	} `json:"components"`
}

func discover30(ctx context.Context, hc *http.Client, discoveryURL, apiBase string) (*Provider, error) {
	var d serviceDescription
	if err := fetchDocument(ctx, hc, discoveryURL, &d); err != nil {
		return nil, err
	}
	acg := d.Components.SecuritySchemes.OAuth2ACG
	if acg == nil || acg.Flows.AuthorizationCode == nil {
		return nil, errors.New("no components.securitySchemes.OAuth2ACG authorizationCode flow")
	}
	flow := acg.Flows.AuthorizationCode
	p := &Provider{Name: acg.Name, API30Base: apiBase}
	if p.Name == "" {
		p.Name = d.Info.Title
	}
	p.Image = logo(acg.Image)
	fields := []urlField{
		{"x-imssf-registrationUrl", acg.RegistrationURL, &p.Registration, false},
		{"authorizationUrl", flow.AuthorizationURL, &p.Authorization, true},
		{"tokenUrl", flow.TokenURL, &p.Token, true},
		{"x-imssf-privacyPolicyUrl", acg.PrivacyPolicyURL, &p.PrivacyPolicy, false},
		{"termsOfService", d.Info.TermsOfService, &p.TermsOfService, false},
	}
	if err := setURLs(fields); err != nil {
		return nil, err
	}
	for s := range flow.Scopes {
		if s != "" {
			p.Scopes = append(p.Scopes, s)
		}
	}
	sort.Strings(p.Scopes) // a map has no order; keep the stored file stable
	return p, nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// urlField is one URL a discovery document gives, and where it goes.
type urlField struct {
	name     string
	raw      string
	dst      *string
	required bool
}

// setURLs cleans each field's URL into its destination; a missing
// required one, or any that is not a usable URL, is an error naming it.
func setURLs(fields []urlField) error {
	for _, f := range fields {
		if f.raw == "" {
			if f.required {
				return fmt.Errorf("no %s", f.name)
			}
			continue
		}
		u, err := cleanURL(f.raw)
		if err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
		*f.dst = u
	}
	return nil
}

// logo is a provider's image: a data: URI as it is, a URL cleaned, or ""
// when broken (a broken logo is no reason to refuse the provider).
func logo(raw string) string {
	if strings.HasPrefix(raw, "data:") {
		return raw
	}
	if img, err := cleanURL(raw); err == nil {
		return img
	}
	return ""
}
