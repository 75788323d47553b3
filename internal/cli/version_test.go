package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestBuildFrom reads the build information of a stamped build, of one
// without version control information, and of a release whose tag
// overrides the "(devel)" module version.
func TestBuildFrom(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/badgebake/badgebake", Version: "v0.0.0-20261206071800-c3f0ce6d1234+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "c3f0ce6d1234c3f0ce6d1234c3f0ce6d1234c3f0"},
			{Key: "vcs.time", Value: "2026-12-06T07:18:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	devel := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/badgebake/badgebake", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789012345678901234567890123456789"}, {Key: "vcs.modified", Value: "false"}}}
	for _, tc := range []struct {
		name     string
		bi       *debug.BuildInfo
		override string
		want     []string // lines of the text form
	}{
		{"stamped", stamped, "", []string{
			"badgebake v0.0.0-20261206071800-c3f0ce6d1234+dirty (go1.26.8, ",
			"commit c3f0ce6d1234c3f0ce6d1234c3f0ce6d1234c3f0 of 2026-12-06T07:18:00Z, with uncommitted changes"}},
		{"release tag overrides (devel)", devel, "v1.2.3", []string{
			"badgebake v1.2.3 (go1.26.8, ",
			"commit 0123456789012345678901234567890123456789, clean"}},
		{"devel without override", devel, "", []string{"badgebake devel (go1.26.8, ", "commit 0123456789012345678901234567890123456789, clean"}},
		{"no VCS information", &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}}, "", []string{
			"badgebake v1.0.0 (go", "commit unknown (built without version control information)"}},
		{"no build information", nil, "", []string{"badgebake devel (go", "commit unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			buildFrom(tc.bi, tc.override).writeText(&out)
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %q, want lines starting %q", lines, tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], w)
				}
			}
		})
	}
	b := buildFrom(stamped, "")
	if b.Commit != "c3f0ce6d1234c3f0ce6d1234c3f0ce6d1234c3f0" || b.CommitTime != "2026-12-06T07:18:00Z" || b.Modified == nil || !*b.Modified || b.GoVersion != "go1.26.8" {
		t.Errorf("buildFrom(stamped) = %+v", b)
	}
}
