package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
)

// A PNG whose badge chunk has a wrong CRC (as Mozilla's 2011-2012 baker
// wrote them) cannot be read by default; with Options.Lenient it is, and
// the URL it carries is what gets verified.
func TestVerifyLenientAcceptsBadCRC(t *testing.T) {
	img := pngtest.Minimal(pngtest.ChunkCRC("tEXt", []byte("openbadges\x00https://example.org/assertion"), 0xF775A85B))
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
	in := verify.Input{Data: img, Name: "legacy.png"}
	messages := func(res *report.Result) string {
		var b strings.Builder
		for _, m := range res.Report.Messages {
			b.WriteString(m.Name + ": " + m.Result + "\n")
		}
		return b.String()
	}
	res, err := v.Verify(context.Background(), in, nil)
	if err != nil || res.Status != report.StatusInvalid || !strings.Contains(messages(res), "bad CRC") {
		t.Fatalf("strict: %v, %v\n%s", err, res.Status, messages(res))
	}
	res, err = v.Verify(context.Background(), in, &verify.Options{Lenient: true})
	if err != nil || res.Status != report.StatusIndeterminate || strings.Contains(messages(res), "bad CRC") ||
		!strings.Contains(messages(res), "https://example.org/assertion") {
		t.Fatalf("lenient: %v, %v\n%s", err, res.Status, messages(res))
	}
}
