package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/internal/ui/badgecard"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// Every real badge image of the shared corpus, uploaded as a person would:
// /unbake answers 200 with the payload (422 for the images without a
// badge), /results answers 200 with a report for JSON clients and a card
// for people. Offline: the images name real hosts, and tests never fetch.
func TestCorpusUploads(t *testing.T) {
	dir := testcorpus.Dir(t)
	images := testcorpus.Images(t)
	client := fetch.New(fetch.Options{Offline: true})
	srv := New(Options{Verifier: verify.New(verify.Config{Client: client}), Fetch: client, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	do := func(target, accept string, img []byte, name string) *httptest.ResponseRecorder {
		ct, body := multipartBody(t, nil, name, img)
		req := httptest.NewRequest("POST", target, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	for _, im := range images {
		t.Run(im.Path, func(t *testing.T) {
			img, err := os.ReadFile(filepath.Join(dir, im.Path))
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(im.Path)

			// /unbake gives exactly the library's record (whose own corpus
			// test holds it to MANIFEST.md).
			res, uerr := unbake.Unbake(bytes.NewReader(img), nil)
			want, _ := json.Marshal(unbake.NewRecord(name, res, uerr))
			rec := do("/unbake", "", img, name)
			wantCode := 200
			if uerr != nil {
				wantCode = 422
			}
			if got := decodeAny(t, rec.Body.Bytes()); rec.Code != wantCode || !reflect.DeepEqual(got, decodeAny(t, want)) {
				t.Errorf("/unbake: %d %v\nwant %d %s", rec.Code, got, wantCode, want)
			}
			if noBadge := strings.Contains(im.PayloadKind, "no badge"); noBadge && rec.Code != 422 {
				t.Errorf("/unbake of an image without a badge: %d", rec.Code)
			}

			rec = do("/results", acceptJSON, img, name)
			var report map[string]any
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &report) != nil || report["report"] == nil {
				t.Fatalf("/results JSON: %d %s", rec.Code, rec.Body)
			}
			rec = do("/results", "text/html", img, name)
			// The upload itself is the card's picture when it is an image
			// small enough to inline.
			uri, _ := badgecard.DataURI(img)
			if page := rec.Body.String(); rec.Code != 200 || !strings.Contains(page, `id="verdict"`) || strings.Contains(page, `<img src="data:image/`) != (uri != "") {
				t.Errorf("/results page: %d, verdict shown %v, image shown %v (inlinable %v)", rec.Code, strings.Contains(page, `id="verdict"`), strings.Contains(page, `<img src="data:image/`), uri != "")
			}
		})
	}
	if st := client.Stats(); st.Requests != 0 {
		t.Errorf("%d requests sent", st.Requests)
	}
}
