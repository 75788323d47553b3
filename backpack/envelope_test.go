package backpack

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       StatusInfo
		ok         bool
		describe   string
	}{
		{"2.1 success, null error",
			`{"status":{"error":null,"statusCode":200,"statusText":"OK"}}`,
			StatusInfo{StatusCode: 200, StatusText: "OK"}, true, "OK"},
		{"2.1 INVALID_BADGE string",
			`{"status":{"error":"issuer URL did not resolve","statusCode":400,"statusText":"INVALID_BADGE"}}`,
			StatusInfo{StatusCode: 400, StatusText: "INVALID_BADGE", Error: "issuer URL did not resolve"}, true,
			"the backpack could not verify the badge (INVALID_BADGE): issuer URL did not resolve"},
		{"Badgr array error",
			`{"status":{"error":["Recipient does not match", "  ", null, "try another email"],"statusCode":400,"statusText":"RECIPIENT_PROFILE_MISMATCH"}}`,
			StatusInfo{StatusCode: 400, StatusText: "RECIPIENT_PROFILE_MISMATCH", Error: "Recipient does not match; try another email"}, true,
			"the badge was awarded to an identity that is not on your backpack profile (RECIPIENT_PROFILE_MISMATCH): Recipient does not match; try another email"},
		{"field errors object",
			`{"status":{"error":{"b":["too long"],"a":"missing"},"statusCode":"400","statusText":"REQUEST_VALIDATION_ERROR"}}`,
			StatusInfo{StatusCode: 400, StatusText: "REQUEST_VALIDATION_ERROR", Error: "a: missing; b: too long"}, true,
			"the backpack refused the request as malformed (REQUEST_VALIDATION_ERROR): a: missing; b: too long"},
		{"control characters from a hostile provider",
			`{"status":{"error":"bad\u001b]0;pwned\u0007\nfake line","statusCode":400,"statusText":"INVALID_BADGE\u001b[2J"}}`,
			StatusInfo{StatusCode: 400, StatusText: "INVALID_BADGE [2J", Error: "bad ]0;pwned  fake line"}, true,
			"INVALID_BADGE [2J: bad ]0;pwned  fake line"},
		{"UNAUTHENTICATED", `{"status":{"statusCode":401,"statusText":"UNAUTHENTICATED"}}`,
			StatusInfo{StatusCode: 401, StatusText: "UNAUTHENTICATED"}, true,
			"the backpack no longer accepts this connection: connect again (UNAUTHENTICATED)"},
		{"PERMISSION_DENIED", `{"status":{"statusCode":401,"statusText":"PERMISSION_DENIED","error":"scope"}}`,
			StatusInfo{StatusCode: 401, StatusText: "PERMISSION_DENIED", Error: "scope"}, true,
			"the connection was not granted permission for this: connect again and allow it (PERMISSION_DENIED): scope"},
		{"NOT_FOUND", `{"status":{"statusCode":404,"statusText":"NOT_FOUND"}}`,
			StatusInfo{StatusCode: 404, StatusText: "NOT_FOUND"}, true,
			"the backpack has no such endpoint or item (NOT_FOUND)"},
		{"METHOD_NOT_ALLOWED", `{"status":{"statusCode":405,"statusText":"METHOD_NOT_ALLOWED"}}`,
			StatusInfo{StatusCode: 405, StatusText: "METHOD_NOT_ALLOWED"}, true,
			"the backpack does not allow this operation (METHOD_NOT_ALLOWED)"},
		{"unknown status text", `{"status":{"statusCode":418,"statusText":"TEAPOT","error":"short and stout"}}`,
			StatusInfo{StatusCode: 418, StatusText: "TEAPOT", Error: "short and stout"}, true, "TEAPOT: short and stout"},
		{"only a code", `{"status":{"statusCode":400.5,"error":7}}`,
			StatusInfo{Error: "7"}, true, "7"},
		{"code without text", `{"status":{"statusCode":409}}`,
			StatusInfo{StatusCode: 409}, true, "status 409"},
		{"status all null", `{"status":{"statusCode":null,"statusText":null,"error":null}}`,
			StatusInfo{}, true, ""},
		{"OB 3.0 imsx",
			`{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":"The credential is not valid","imsx_codeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"sourcedId","imsx_codeMinorFieldValue":"invalid_data"}]}}`,
			StatusInfo{StatusText: "invalid_data", Error: "The credential is not valid", CodeMajor: "failure", Severity: "error"}, true,
			"the backpack refused the badge as malformed (invalid_data): The credential is not valid"},
		{"OB 3.0 imsx unauthorized, single field object",
			`{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_codeMinor":{"imsx_codeMinorField":{"imsx_codeMinorFieldValue":"unauthorizedrequest"}}}`,
			StatusInfo{StatusText: "unauthorizedrequest", CodeMajor: "failure", Severity: "error"}, true,
			"the backpack no longer accepts this connection: connect again (unauthorizedrequest)"},
		{"OB 3.0 imsx without minor",
			`{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_codeMinor":null,"imsx_description":null}`,
			StatusInfo{CodeMajor: "failure", Severity: "error"}, true, "failure"},
		{"OB 3.0 imsx forbidden",
			`{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_codeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldValue":"forbidden"}]}}`,
			StatusInfo{StatusText: "forbidden", CodeMajor: "failure", Severity: "error"}, true,
			"the connection was not granted permission for this: connect again and allow it (forbidden)"},
		{"lower-case 2.1 text still known", `{"status":{"statusText":"invalid_badge"}}`,
			StatusInfo{StatusText: "invalid_badge"}, true, "the backpack could not verify the badge (invalid_badge)"},
		{"status not an object", `{"status":"ok"}`, StatusInfo{}, false, ""},
		{"empty", ``, StatusInfo{}, false, ""},
		{"html", `<html>Bad gateway</html>`, StatusInfo{}, false, ""},
		{"null", `null`, StatusInfo{}, false, ""},
		{"array", `[]`, StatusInfo{}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseStatus([]byte(tc.body))
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ParseStatus = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
			if d := DescribeStatus(got); d != tc.describe {
				t.Errorf("DescribeStatus = %q, want %q", d, tc.describe)
			}
		})
	}
}

func ExampleDescribeStatus() {
	status, _ := ParseStatus([]byte(`{"status":{"statusCode":400,"statusText":"INVALID_BADGE","error":["The issuer could not be fetched"]}}`))
	fmt.Println(DescribeStatus(status))
	// Output:
	// the backpack could not verify the badge (INVALID_BADGE): The issuer could not be fetched
}

// FuzzStatusEnvelope: any body either is a status or is not, without
// panicking, and what is read is trimmed text on one line unless the
// provider wrote line breaks inside it.
func FuzzStatusEnvelope(f *testing.F) {
	f.Add(`{"status":{"error":null,"statusCode":200,"statusText":"OK"}}`)
	f.Add(`{"status":{"error":["a","b"],"statusCode":"400","statusText":"INVALID_BADGE"}}`)
	f.Add(`{"status":{"error":{"f":["x"]},"statusCode":4e2}}`)
	f.Add(`{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":"d","imsx_codeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldValue":"invalid_data"}]}}`)
	f.Add(`[[[[[[[[[[`)
	f.Fuzz(func(t *testing.T, body string) {
		s, ok := ParseStatus([]byte(body))
		if !ok && s != (StatusInfo{}) {
			t.Fatalf("not a status, yet %+v", s)
		}
		for _, field := range []string{s.StatusText, s.Error, s.CodeMajor, s.Severity} {
			if field != strings.TrimSpace(field) {
				t.Fatalf("untrimmed %q in %+v", field, s)
			}
		}
		d := DescribeStatus(s)
		if s.Error != "" && !strings.HasSuffix(d, s.Error) {
			t.Fatalf("DescribeStatus(%+v) = %q lacks the provider's text", s, d)
		}
	})
}
