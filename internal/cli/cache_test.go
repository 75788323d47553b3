package cli

import (
	"strings"
	"testing"
)

// TestVerifyBatchCacheSize: --cache-size bounds the run's memory cache. With
// a cache too small to hold any document, the documents the badges share
// are fetched again for each badge (by default once per run: see
// TestVerifyBatch); a size that is not one is a usage error.
func TestVerifyBatchCacheSize(t *testing.T) {
	h := newBatchHost(t)
	dir, _ := batchFolder(t, h)
	code, stdout, stderr := run(t, "verify", "--json", "--jobs", "1", "--cache-size", "1KiB", dir)
	if code != ExitBad {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	_, sum := parseLines(t, stdout)
	if sum["valid"] != 3.0 || sum["revoked"] != 1.0 {
		t.Errorf("summary with a tiny cache: %v", sum)
	}
	if n := h.Count("/issuer"); n < 3 {
		t.Errorf("/issuer requested %d times with --cache-size 1KiB, want once per valid badge at least (3)", n)
	}

	for _, bad := range []string{"0", "-1", "lots", "64XB"} {
		code, _, stderr := run(t, "verify", "--cache-size", bad, dir)
		if code != ExitUsage || !strings.Contains(stderr, "cache-size") {
			t.Errorf("--cache-size %s: exit %d, want %d\n%s", bad, code, ExitUsage, stderr)
		}
	}
}
