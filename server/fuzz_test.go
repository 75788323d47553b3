package server

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzSubmission feeds arbitrary bodies under each Content-Type the
// server reads: reading never panics, and it either yields a submission or
// a request error with a client status.
func FuzzSubmission(f *testing.F) {
	f.Add(0, []byte(`{"data": "https://example.org/a", "profile": {"email": "a@example.org"}}`))
	f.Add(0, []byte(`{"data": {"@context": "x"}, "profile": "{\"email\": 1}"}`))
	f.Add(1, []byte("data=https%3A%2F%2Fexample.org&profile=%7B%7D"))
	f.Add(2, []byte("--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n--XX\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nx\r\n--XX--\r\n"))
	f.Add(3, []byte("anything"))
	types := []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=XX", "text/plain", "image/png"}
	f.Fuzz(func(t *testing.T, kind int, body []byte) {
		if kind < 0 {
			kind = -kind
		}
		req := httptest.NewRequest("POST", "/results", bytes.NewReader(body))
		req.Header.Set("Content-Type", types[kind%len(types)])
		sub, err := readSubmission(httptest.NewRecorder(), req, 1<<16, "nothing to verify")
		if err != nil {
			if re, ok := err.(*requestError); ok && (re.status < 400 || re.status > 499) {
				t.Fatalf("status %d for a bad body", re.status)
			}
			return
		}
		if sub == nil {
			t.Fatal("no submission and no error")
		}
		if len(sub.image) > 1<<16 || len(sub.data) > 1<<16 {
			t.Fatalf("read past the limit: image %d, data %d", len(sub.image), len(sub.data))
		}
	})
}

// FuzzWantsJSON: any Accept header is judged without panicking, and JSON
// is only chosen when the header names a JSON-matching range.
func FuzzWantsJSON(f *testing.F) {
	for _, s := range []string{"application/json", "*/*", "text/html;q=0.1, application/json", "application/*;q=0.5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if wantsJSON(accept) && quality(accept, "application/json") <= 0 {
			t.Fatalf("JSON chosen for %q with quality 0", accept)
		}
	})
}
