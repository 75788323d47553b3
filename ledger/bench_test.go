package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/pgtest"
)

// BenchmarkReserveComplete measures the ledger's share of issuing one
// credential: a reservation with a status index, then its completion (two
// transactions), one after the other as the issue command does them.
func BenchmarkReserveComplete(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchmarkReserveComplete(b, filepath.Join(b.TempDir(), "issued.db"))
	})
	b.Run("postgres", func(b *testing.B) {
		benchmarkReserveComplete(b, pgtest.DSN(b))
	})
}

func benchmarkReserveComplete(b *testing.B, dsn string) {
	ctx := context.Background()
	l := open(b, dsn)
	i := 0
	start := time.Now()
	for b.Loop() {
		key := fmt.Sprintf("row%08d", i)
		i++
		if _, _, err := l.Reserve(ctx, reservation(key)); err != nil {
			b.Fatal(err)
		}
		if err := l.Complete(ctx, key, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "credentials/s")
}
