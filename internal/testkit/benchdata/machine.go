package benchdata

import (
	"os"
	"strings"
)

// CPUModel is the processor's name as /proc/cpuinfo gives it ("unknown"
// elsewhere), for the machine line of a benchmark report.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
