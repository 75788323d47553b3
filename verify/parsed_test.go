package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

// VerifyUnbaked and VerifyPayload report exactly what Verify reports for
// the same input, read once by the caller instead of again by Verify.
func TestVerifyParsedMatchesVerify(t *testing.T) {
	ctx := context.Background()
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
	opts := &verify.Options{Recipient: verify.Recipient{"email": "alice@example.org"}}
	bakeInto := func(img []byte, text string) []byte {
		p, err := payload.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := bake.Bake(ctx, &out, bytes.NewReader(img), p, nil); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	same := func(name string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", name, g, w)
		}
	}
	const url = "https://badges.example.org/assertions/1"
	images := map[string][]byte{
		"baked svg": bakeInto(examples.SVG(), url),
		"baked png": bakeInto(examples.PNG(), url),
		"no badge":  examples.PNG(),
		"entity":    []byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`),
	}
	images["bad payload"] = bytes.Replace(images["baked svg"], []byte(url), []byte("https://"), 1)
	for name, img := range images {
		want, err := v.Verify(ctx, verify.Input{Data: img, Name: name}, opts)
		if err != nil {
			t.Fatal(err)
		}
		res, uerr := unbake.Unbake(bytes.NewReader(img), nil)
		same(name, v.VerifyUnbaked(ctx, name, res, uerr, opts), want)
	}
	for _, text := range []string{url, "\ufeff " + url + "\n", `{"@context": "https://w3id.org/openbadges/v2", "id": "` + url + `"}`,
		"eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp4In0.c2ln"} {
		want, err := v.Verify(ctx, verify.Input{Data: []byte(text)}, opts)
		if err != nil {
			t.Fatal(err)
		}
		p, err := payload.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		same(text, v.VerifyPayload(ctx, p, opts), want)
	}
}
