package fetch_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
)

func TestHTTPClientSendsThroughTheClient(t *testing.T) {
	var gotUA, gotBody, gotMethod string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotMethod = r.UserAgent(), r.Method
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		io.WriteString(w, "created")
	})
	c := newClient(fetch.Options{UserAgent: "badgebake/test"})
	resp, err := c.HTTPClient().Post(s.URL+"/x", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "created" {
		t.Fatalf("body %q, err %v", body, err)
	}
	if gotUA != "badgebake/test" || gotMethod != http.MethodPost || gotBody != `{"a":1}` {
		t.Errorf("server saw UA %q, %s, body %q", gotUA, gotMethod, gotBody)
	}
	if st := c.Stats(); st.Requests != 1 {
		t.Errorf("Stats().Requests = %d, want 1", st.Requests)
	}

	// A caller's own User-Agent is kept.
	req, _ := http.NewRequest(http.MethodGet, s.URL, nil)
	req.Header.Set("User-Agent", "platform/1")
	resp, err = c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotUA != "platform/1" {
		t.Errorf("User-Agent %q, want the caller's", gotUA)
	}
}

func TestHTTPClientNothingIsCached(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") })
	hc := newClient(fetch.Options{}).HTTPClient()
	for i := 0; i < 3; i++ {
		resp, err := hc.Get(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := s.hits.Load(); n != 3 {
		t.Errorf("server got %d requests, want 3", n)
	}
}

func TestHTTPClientCapsBodies(t *testing.T) {
	const max = 100
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := len(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush() // no Content-Length: the cap must hold while reading
		}
		io.WriteString(w, strings.Repeat("a", n))
	})
	hc := newClient(fetch.Options{MaxBytes: max}).HTTPClient()
	get := func(n int, chunked bool) ([]byte, error) {
		u := s.URL + "/?n=" + strings.Repeat("x", n)
		if chunked {
			u += "&chunked=1"
		}
		resp, err := hc.Get(u)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	for _, chunked := range []bool{false, true} {
		if b, err := get(max, chunked); err != nil || len(b) != max {
			t.Errorf("chunked=%v: a body of exactly the cap: %d bytes, %v", chunked, len(b), err)
		}
		b, err := get(max+1, chunked)
		if !errors.Is(err, fetch.ErrTooLarge) {
			t.Errorf("chunked=%v: a body over the cap: %d bytes, err %v, want ErrTooLarge", chunked, len(b), err)
		}
		if len(b) > max {
			t.Errorf("chunked=%v: %d bytes handed over, more than the cap", chunked, len(b))
		}
		if err != nil && !strings.Contains(err.Error(), "larger than 100 bytes") {
			t.Errorf("chunked=%v: message %q does not give the cap", chunked, err)
		}
	}
}

func TestHTTPClientOfflineSendsNothing(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	hc := newClient(fetch.Options{Offline: true}).HTTPClient()
	_, err := hc.Post(s.URL, "text/plain", strings.NewReader("x"))
	if !errors.Is(err, fetch.ErrOffline) {
		t.Errorf("err %v, want ErrOffline", err)
	}
	if s.hits.Load() != 0 {
		t.Error("an offline client sent a request")
	}
}

func TestHTTPClientErrorsAreWorded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = newClient(fetch.Options{}).HTTPClient().Get("http://" + addr + "/")
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Kind != fetch.KindConnect {
		t.Fatalf("err %v (%T), want a *fetch.Error of KindConnect", err, err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("err %T is not wrapped in a *url.Error as http.Client errors are", err)
	}
}

func TestHTTPClientRedirectRules(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	_, err := newClient(fetch.Options{}).HTTPClient().Get(s.URL)
	if err == nil || !strings.Contains(err.Error(), "non-http(s)") {
		t.Errorf("redirect to file: err %v, want it refused", err)
	}
}
