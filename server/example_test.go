package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/server"
	"github.com/badgebake/badgebake/verify"
)

// A JSON client posts what it has to /results and gets the verification
// report. Here the input is no badge at all, so nothing is fetched.
func Example() {
	client := fetch.New(fetch.Options{Guard: &fetch.Guard{}})
	srv := server.New(server.Options{
		Verifier: verify.New(verify.Config{Client: client}),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})

	req := httptest.NewRequest("POST", "/results", strings.NewReader(`{"data": "hello world"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)

	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Badgebake-Verdict"))
	fmt.Println(strings.Contains(rec.Body.String(), `"valid": false`))
	// Output:
	// 200 application/json invalid
	// true
}
