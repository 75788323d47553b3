package unbake

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/badgebake/badgebake/carrier"
)

// Bytes answers what Unbake answers, and refuses text from its first bytes.
func TestBytesMatchesUnbake(t *testing.T) {
	for _, doc := range []string{
		"",
		"https://example.org/assertions/1",
		`{"@context": "https://w3id.org/openbadges/v2"}`,
		"\ufeff \n{}",
		"<!DOCTYPE html><html></html>",
		"\xff\xfe<\x00s\x00",
		"\xff\xd8\xff\xe0 a JPEG",
		`<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"\ufeff  <svg xmlns=\"http://www.w3.org/2000/svg\"><openbadges:assertion xmlns:openbadges=\"http://openbadges.org\" verify=\"https://example.org/a\"/></svg>",
		"<?xml version=\"1.0\"?><notsvg/>",
		"\x89PNG\r\n\x1a\n",
	} {
		want, wantErr := Unbake(bytes.NewReader([]byte(doc)), nil)
		got, err := Bytes([]byte(doc), nil)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() ||
			errors.Is(err, carrier.ErrNotImage) != errors.Is(wantErr, carrier.ErrNotImage) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: Bytes = %+v, %v; Unbake = %+v, %v", doc, got, err, want, wantErr)
		}
	}
}
