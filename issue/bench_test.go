package issue

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkIssue issues 100 rows per iteration with real signatures, an
// in-memory ledger and the offline verifier, and reports rows issued per
// second and each step's share of the rows' time.
func BenchmarkIssue(b *testing.B) {
	for _, format := range []string{"eddsa-rdfc-2022", "vc-jwt"} {
		b.Run(format, func(b *testing.B) {
			const rows = 100
			s := newTestSigner(b, format)
			csv := recipients(rows)
			dir := b.TempDir()
			var steps Steps
			var elapsed time.Duration
			n := 0
			for b.Loop() {
				opts := baseOptions(b, s, newMemLedger(), csv)
				opts.OutDir = filepath.Join(dir, itoa(n))
				opts.Jobs = 0
				opts.StatusListURL = "https://issuer.example/status/1"
				opts.Recipients = strings.NewReader(csv)
				sum, err := Run(context.Background(), opts)
				if err != nil || sum.Issued != rows {
					b.Fatalf("%+v %v", sum, err)
				}
				steps.Add(sum.Steps)
				elapsed += sum.Elapsed
				n++
				b.StopTimer()
				os.RemoveAll(opts.OutDir)
				b.StartTimer()
			}
			b.ReportMetric(float64(rows*n)/elapsed.Seconds(), "rows/s")
			total := steps.Total().Seconds()
			b.ReportMetric(100*steps.Sign.Seconds()/total, "%sign")
			b.ReportMetric(100*steps.Bake.Seconds()/total, "%bake")
			b.ReportMetric(100*steps.Verify.Seconds()/total, "%verify")
			b.ReportMetric(100*steps.Write.Seconds()/total, "%write")
			b.ReportMetric(100*(steps.Fill+steps.Ledger).Seconds()/total, "%other")
		})
	}
}
