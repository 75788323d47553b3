package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
)

// slowClient sends a request whose body (length bytes announced) comes
// one byte at a time every interval until stop is closed; then it sends
// nothing more and waits for the answer.
type slowClient struct {
	conn   net.Conn
	answer chan *http.Response
	err    chan error
}

func startSlowClient(t *testing.T, addr, path, contentType, first string, length int, interval time.Duration, stop <-chan struct{}) *slowClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// A hang guard only: every answer is expected well before.
	conn.SetDeadline(time.Now().Add(time.Minute))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nContent-Type: %s\r\nAccept: application/json\r\nContent-Length: %d\r\n\r\n%s", path, contentType, length, first)
	c := &slowClient{conn: conn, answer: make(chan *http.Response, 1), err: make(chan error, 1)}
	go func() {
		sent := len(first)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for sent < length-1 {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return // cut off
			}
			sent++
		}
	}()
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			c.err <- err
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		c.answer <- resp
	}()
	return c
}

// wait returns the client's answer and its body.
func (c *slowClient) wait(t *testing.T) (*http.Response, []byte) {
	t.Helper()
	select {
	case resp := <-c.answer:
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	case err := <-c.err:
		t.Fatalf("no answer: %v", err)
	}
	return nil, nil
}

// scrape reads one unlabelled sample from a live server's /metrics.
func scrape(t *testing.T, url, name string) int64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var v int64
		if _, err := fmt.Sscanf(sc.Text(), name+" %d", &v); err == nil {
			return v
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}

// waitFor polls cond until it holds; the bound only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for guard := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(guard) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

// Many clients sending their bodies a byte at a time hold no verification
// slot: while they dribble, a prompt client still gets its report (and an
// unbake its record); once they stall they are cut off with 408, and
// /metrics counts them.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	const slow = 70
	f := newFixture(t, badgehost.Options{}, Options{MaxConcurrent: 4, BodyTimeout: 2 * time.Second, BodyDeadline: time.Hour})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close) // after the clients' connections are closed
	addr := strings.TrimPrefix(ts.URL, "http://")

	stop := make(chan struct{})
	clients := make([]*slowClient, slow)
	for i := range clients {
		if i%2 == 0 {
			clients[i] = startSlowClient(t, addr, "/results", "application/json", `{"data": "`, 1000, 50*time.Millisecond, stop)
		} else {
			clients[i] = startSlowClient(t, addr, "/unbake", "image/png", "\x89PNG", 1000, 50*time.Millisecond, stop)
		}
	}
	waitFor(t, "every slow body to be read", func() bool { return scrape(t, ts.URL, "badgebake_request_bodies_reading") == slow })
	if n := scrape(t, ts.URL, "badgebake_verifications_in_flight"); n != 0 {
		t.Errorf("%d slots taken by bodies still arriving", n)
	}

	body, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL("1")})
	req, _ := http.NewRequest("POST", ts.URL+"/results", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", acceptJSON)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Badgebake-Verdict") != "valid" || !strings.Contains(string(got), `"valid": true`) {
		t.Errorf("a prompt request among slow ones: %d %s", resp.StatusCode, got)
	}
	resp, err = http.Post(ts.URL+"/unbake", "image/png", bytes.NewReader(f.baked("1", false)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a prompt unbake among slow ones: %d", resp.StatusCode)
	}

	close(stop)
	for i, c := range clients {
		resp, b := c.wait(t)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "nothing arrived for 2s") || !strings.Contains(string(b), `"status": 408`) {
			t.Errorf("slow client %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if n := scrape(t, ts.URL, "badgebake_body_timeouts_total"); n != slow {
		t.Errorf("badgebake_body_timeouts_total %d, want %d", n, slow)
	}
	waitFor(t, "the slow bodies' memory to be given back", func() bool { return scrape(t, ts.URL, "badgebake_request_body_bytes") == 0 })
}

// A body that keeps coming, but too slowly to finish within BodyDeadline,
// is cut off too.
func TestBodyDeadline(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{BodyTimeout: time.Hour, BodyDeadline: 300 * time.Millisecond})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close) // after the clients' connections are closed
	stop := make(chan struct{})
	defer close(stop)
	c := startSlowClient(t, strings.TrimPrefix(ts.URL, "http://"), "/results", "application/json", `{"data": "`, 1<<20, 20*time.Millisecond, stop)
	resp, b := c.wait(t)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "did not arrive within 300ms") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

// Request bodies in memory share one bound: past it a body gets 503 with
// Retry-After, and the bytes come back when a request is answered.
func TestBodyMemory(t *testing.T) {
	f := newFixture(t, badgehost.Options{}, Options{MaxUpload: 1000, MaxBodyMemory: 1000, BodyTimeout: time.Hour})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close) // after the clients' connections are closed
	stop := make(chan struct{})
	c := startSlowClient(t, strings.TrimPrefix(ts.URL, "http://"), "/results", "application/json", `{"data": "`+strings.Repeat("a", 900), 999, time.Hour, stop)
	waitFor(t, "the first body's bytes", func() bool { return scrape(t, ts.URL, "badgebake_request_body_bytes") >= 910 })

	fast := `{"data": "` + strings.Repeat("b", 200) + `"}`
	rec := f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(fast))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "fill the memory set aside") {
		t.Errorf("a body past the memory bound: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	c.conn.Close()
	close(stop)
	waitFor(t, "the first body's memory to be given back", func() bool { return scrape(t, ts.URL, "badgebake_request_body_bytes") == 0 })
	if rec := f.do("POST", "/results", "application/json", acceptJSON, strings.NewReader(fast)); rec.Code != 200 {
		t.Errorf("once memory is back: %d %s", rec.Code, rec.Body)
	}
}

// Once its body is in, a verification may take longer than the body's
// limits: they bound the body, not the work (see bodyReader).
func TestVerificationOutlastsBodyTimeout(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, badgehost.Options{Gate: gate}, Options{BodyTimeout: 50 * time.Millisecond, BodyDeadline: 50 * time.Millisecond})
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	type answer struct {
		code    int
		verdict string
		err     error
	}
	done := make(chan answer, 1)
	go func() {
		body, _ := json.Marshal(map[string]string{"data": f.host.AssertionURL(badgehost.Slow)})
		resp, err := http.Post(ts.URL+"/results", "application/json", bytes.NewReader(body))
		if err != nil {
			done <- answer{err: err}
			return
		}
		resp.Body.Close()
		done <- answer{code: resp.StatusCode, verdict: resp.Header.Get("Badgebake-Verdict")}
	}()
	waitFor(t, "the held verification", func() bool { return f.host.Count("/assertions/"+badgehost.Slow) > 0 })
	time.Sleep(200 * time.Millisecond) // past both body limits
	close(gate)
	if a := <-done; a.err != nil || a.code != 200 || a.verdict != "valid" {
		t.Errorf("a verification outlasting the body limits: %d %q %v", a.code, a.verdict, a.err)
	}
}
