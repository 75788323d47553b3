package backpack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProfile(t *testing.T) {
	var got21, got30 map[string]any
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2p1/profile", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK","error":null},"profile":{"name":"Ann","email":"ann@example.org"}}`)
	})
	mux.HandleFunc("POST /v2p1/profile", func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got21)
		io.WriteString(w, `{"status":{"statusCode":200,"statusText":"OK"},"profile":{"name":"Ann"}}`)
	})
	mux.HandleFunc("GET /v3p0/profile", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"https://bp.example/p/1","type":"Profile","name":"Ann"}`)
	})
	mux.HandleFunc("PUT /v3p0/profile", func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got30)
		json.NewEncoder(w).Encode(got30)
	})
	mux.HandleFunc("GET /bad/profile", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"status":{"statusCode":401,"statusText":"UNAUTHENTICATED"}}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	p, err := Profile(ctx, srv.Client(), API21, srv.URL+"/v2p1/")
	if err != nil || p["email"] != "ann@example.org" {
		t.Errorf("2.1 profile = %v, %v", p, err)
	}
	if _, err := AddEmail(ctx, srv.Client(), API21, srv.URL+"/v2p1", "b@example.org"); err != nil {
		t.Fatal(err)
	}
	if len(got21) != 1 || got21["email"] != "b@example.org" {
		t.Errorf("2.1 POST body = %v, want only the email", got21)
	}
	p, err = AddEmail(ctx, srv.Client(), API30, srv.URL+"/v3p0", "b@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got30["id"] != "https://bp.example/p/1" || got30["email"] != "b@example.org" || p["email"] != "b@example.org" {
		t.Errorf("3.0 PUT body = %v, answer %v", got30, p)
	}
	_, err = Profile(ctx, srv.Client(), API21, srv.URL+"/bad")
	var pe *ProfileError
	if !errors.As(err, &pe) || pe.HTTPStatus != 401 || pe.Status.StatusText != "UNAUTHENTICATED" {
		t.Errorf("401 = %v, want a ProfileError with UNAUTHENTICATED", err)
	}
}
