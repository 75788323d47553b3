package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/badgebake/badgebake/verify"
)

// submission is what a POST /results (or /unbake) carries, in any of the
// body forms the reference accepts.
type submission struct {
	data      string           // the data field: a URL, JSON or JWS
	image     []byte           // an uploaded image (form field "image")
	imageName string           // its file name
	profile   verify.Recipient // the expected recipient, if given
}

// requestError is a problem with the request itself: status and message
// for the client.
type requestError struct {
	status int
	msg    string
	hint   string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(hint, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...), hint: hint}
}

// readSubmission reads the body of r, bounded by max bytes, into memory:
// request bodies never touch the disk (multipart parts are read one by one,
// never through ParseMultipartForm, which spills large files to temporary
// files). A body with an image Content-Type (or application/octet-stream)
// is itself the image, for POST /results as for /unbake. An empty body is
// a 400 that says there is nothing to work on (nothing is "nothing to
// verify" or "nothing to unbake"), whatever its Content-Type.
func readSubmission(w http.ResponseWriter, r *http.Request, max int64, nothing string) (*submission, error) {
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, max))
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	if _, err := body.Peek(1); err == io.EOF {
		return nil, badRequest("send data (a badge URL, its JSON or a signed JWS) or a baked PNG or SVG image: as the body with Content-Type image/png or image/svg+xml, or in the multipart field image",
			"%s: the request body is empty", nothing)
	} else if err != nil {
		return nil, bodyError(err, max)
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "application/octet-stream") {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err, max)
		}
		return &submission{image: b, imageName: "upload"}, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return nil, &requestError{status: http.StatusUnsupportedMediaType,
			msg:  fmt.Sprintf("the request body's Content-Type %q is not one this server reads", ct),
			hint: "send application/json ({\"data\": …, \"profile\": …}), a form (application/x-www-form-urlencoded) or multipart/form-data with fields data, image and profile"}
	}
	var sub *submission
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		sub, err = readJSONBody(r.Body)
	case mt == "application/x-www-form-urlencoded":
		sub, err = readURLEncoded(r)
	case mt == "multipart/form-data":
		sub, err = readMultipart(r.Body, params["boundary"], max)
	default:
		return nil, &requestError{status: http.StatusUnsupportedMediaType,
			msg:  fmt.Sprintf("the request body's Content-Type %q is not one this server reads", mt),
			hint: "send application/json, a form (application/x-www-form-urlencoded) or multipart/form-data"}
	}
	if err != nil {
		return nil, bodyError(err, max)
	}
	return sub, nil
}

// bodyError turns a body that failed as a body into the client's answer:
// 413 past the size limit, 408 too slow, 503 no memory for it now.
func bodyError(err error, max int64) error {
	var tooLarge *http.MaxBytesError
	var slow *bodyTimeoutError
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{status: http.StatusRequestEntityTooLarge,
			msg:  fmt.Sprintf("the request body is larger than this server's limit of %s", formatBytes(max)),
			hint: "badge images are usually far smaller; shrink the image, or ask the operator to raise --max-upload"}
	case errors.As(err, &slow):
		return &requestError{status: http.StatusRequestTimeout, msg: slow.Error(),
			hint: "the server cuts off request bodies that arrive too slowly; send the request again"}
	case errors.Is(err, errBodyMemory):
		return &requestError{status: http.StatusServiceUnavailable, msg: "the server is busy: " + err.Error()}
	}
	return err
}

// readJSONBody reads {"data": …, "profile": …}. data may be a string (a
// URL, JSON or JWS) or, beyond the reference, the badge object itself;
// profile an object or a string holding one.
func readJSONBody(body io.Reader) (*submission, error) {
	var in struct {
		Data    json.RawMessage `json:"data"`
		Profile json.RawMessage `json:"profile"`
	}
	dec := json.NewDecoder(body)
	if err := dec.Decode(&in); err != nil {
		if bodyFailed(err) {
			return nil, err
		}
		return nil, badRequest(`send one JSON object, e.g. {"data": "https://example.org/assertions/1"}`, "the request body is not a JSON object: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if bodyFailed(err) {
			return nil, err
		}
		return nil, badRequest(`send one JSON object, e.g. {"data": "https://example.org/assertions/1"}`, "the request body has more after its JSON object")
	}
	sub := &submission{}
	switch d := bytes.TrimSpace(in.Data); {
	case len(d) == 0 || string(d) == "null":
	case d[0] == '"':
		if err := json.Unmarshal(d, &sub.data); err != nil {
			return nil, badRequest("", "data: %v", err)
		}
	case d[0] == '{':
		sub.data = string(d)
	default:
		return nil, badRequest(`give data as a string (a URL, JSON or JWS) or as the badge's JSON object`, "data is %s, not a string or an object", jsonKind(d))
	}
	var err error
	switch p := bytes.TrimSpace(in.Profile); {
	case len(p) == 0 || string(p) == "null":
	case p[0] == '"':
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			return nil, badRequest("", "profile: %v", err)
		}
		sub.profile, err = parseProfile(s)
	default:
		sub.profile, err = parseProfile(string(p))
	}
	return sub, err
}

func jsonKind(b []byte) string {
	switch b[0] {
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// parseProfile reads a recipient profile such as {"email": "a@example.org"};
// blank means none. The reference silently ignores a profile it cannot
// read, verifying without the recipient check the user asked for; here it
// is an error.
func parseProfile(s string) (verify.Recipient, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var p verify.Recipient
	if err := json.Unmarshal([]byte(s), &p); err != nil || p == nil {
		why := "null"
		if err != nil {
			why = err.Error()
		}
		return nil, badRequest(`e.g. {"email": "alice@example.org"}, or {"email": ["a@example.org", "b@example.org"]}`,
			"profile is not a JSON object of recipient identities (%s)", why)
	}
	return p, nil
}

func readURLEncoded(r *http.Request) (*submission, error) {
	if err := r.ParseForm(); err != nil {
		if bodyFailed(err) {
			return nil, err
		}
		return nil, badRequest("", "the form cannot be read: %v", err)
	}
	profile, err := parseProfile(r.PostForm.Get("profile"))
	if err != nil {
		return nil, err
	}
	return &submission{data: r.PostForm.Get("data"), profile: profile}, nil
}

// readMultipart reads the fields data, profile and image part by part into
// memory; other parts are skipped.
func readMultipart(body io.Reader, boundary string, max int64) (*submission, error) {
	if boundary == "" {
		return nil, badRequest("", "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	sub := &submission{}
	var profile string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if bodyFailed(err) {
				return nil, err
			}
			return nil, badRequest("", "the multipart form cannot be read: %v", err)
		}
		var dst *[]byte
		var text []byte
		switch part.FormName() {
		case "data", "profile":
			dst = &text
		case "image":
			dst = &sub.image
			sub.imageName = path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
		}
		if dst == nil {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, err
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, max+1))
		if err != nil {
			if bodyFailed(err) {
				return nil, err
			}
			return nil, badRequest("", "the multipart form cannot be read: %v", err)
		}
		*dst = b
		switch part.FormName() {
		case "data":
			sub.data = string(text)
		case "profile":
			profile = string(text)
		}
	}
	// A file input left empty sends a part with no file name and no bytes.
	if sub.imageName == "." || sub.imageName == "/" {
		sub.imageName = ""
	}
	if len(sub.image) == 0 {
		sub.image, sub.imageName = nil, ""
	} else if sub.imageName == "" {
		sub.imageName = "upload"
	}
	var err error
	sub.profile, err = parseProfile(profile)
	return sub, err
}

// formatBytes shows a size the way --max-upload takes it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
