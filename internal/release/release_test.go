// Package release holds the checks of the release configuration: the
// GoReleaser file (.goreleaser.yaml) and the container image (Dockerfile).
// Neither GoReleaser nor a container engine runs in the tests; CI
// cross-builds every target with .ci/crossbuild.
package release

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var root = filepath.Join("..", "..")

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// goreleaser is the part of .goreleaser.yaml the checks read.
type goreleaser struct {
	Version int `yaml:"version"`
	Before  struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID           string   `yaml:"id"`
		Main         string   `yaml:"main"`
		Env          []string `yaml:"env"`
		Flags        []string `yaml:"flags"`
		Ldflags      []string `yaml:"ldflags"`
		ModTimestamp string   `yaml:"mod_timestamp"`
		Goos         []string `yaml:"goos"`
		Goarch       []string `yaml:"goarch"`
		Ignore       []any    `yaml:"ignore"`
	} `yaml:"builds"`
	Archives []struct {
		Files []any `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		Algorithm string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

// TestGoReleaserConfig checks that a release is static, reproducible, for
// the six targets, with checksums, man pages and completions.
func TestGoReleaserConfig(t *testing.T) {
	var c goreleaser
	dec := yaml.NewDecoder(strings.NewReader(read(t, ".goreleaser.yaml")))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if c.Version != 2 {
		t.Errorf("version: %d, want 2", c.Version)
	}
	if len(c.Builds) != 1 {
		t.Fatalf("%d builds, want 1", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "./cmd/badgebake" {
		t.Errorf("main: %q", b.Main)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("env %q lacks CGO_ENABLED=0: releases are static builds", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("flags %q lack -trimpath", b.Flags)
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, want := range []string{"-buildid=", "-X github.com/badgebake/badgebake/internal/cli.Version="} {
		if !strings.Contains(ld, want) {
			t.Errorf("ldflags %q lack %q", ld, want)
		}
	}
	if !strings.Contains(b.ModTimestamp, ".CommitTimestamp") {
		t.Errorf("mod_timestamp %q: want the commit's time, for reproducible archives", b.ModTimestamp)
	}
	if !sameSet(b.Goos, "linux", "darwin", "windows") || !sameSet(b.Goarch, "amd64", "arm64") || len(b.Ignore) > 0 {
		t.Errorf("targets: goos %q, goarch %q, ignore %v; want linux, darwin, windows × amd64, arm64", b.Goos, b.Goarch, b.Ignore)
	}
	if c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q, want sha256", c.Checksum.Algorithm)
	}
	var srcs []string
	for _, a := range c.Archives {
		for _, f := range a.Files {
			switch f := f.(type) {
			case string:
				srcs = append(srcs, f)
			case map[string]any:
				s, _ := f["src"].(string)
				srcs = append(srcs, s)
			}
		}
	}
	for _, want := range []string{"LICENSE", "docs/man/*.1", "completions/*"} {
		if !slices.Contains(srcs, want) {
			t.Errorf("archives' files %q lack %q", srcs, want)
		}
	}
	if !slices.Contains(c.Before.Hooks, "go run ./internal/cli/gendocs -completions completions") {
		t.Errorf("before hooks %q do not generate the completions the archives take", c.Before.Hooks)
	}
	// The -X target must exist, or the link silently sets nothing.
	if !regexp.MustCompile(`(?m)^var Version = ""$`).MatchString(read(t, "internal/cli/version.go")) {
		t.Error(`internal/cli has no "var Version = \"\"" for the release's -X`)
	}
	if !strings.Contains(read(t, ".ci/crossbuild"), ".goreleaser.yaml") {
		t.Error(".ci/crossbuild does not read its targets from .goreleaser.yaml")
	}
}

func sameSet(got []string, want ...string) bool {
	g := slices.Clone(got)
	slices.Sort(g)
	slices.Sort(want)
	return slices.Equal(g, want)
}

// TestDockerfile lints what can be linted without a container engine: a Go
// builder of the module's Go version, a static build with the release's
// flags, and a default (last) stage that is minimal, non-root, runs
// badgebake and serves on every interface.
func TestDockerfile(t *testing.T) {
	text := read(t, "Dockerfile")
	// Join continuation lines; drop comments.
	text = strings.ReplaceAll(text, "\\\n", " ")
	var stages [][]string // the instructions of each stage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %q", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], line)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a builder and an image", len(stages))
	}
	gomod := read(t, "go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if goVersion == nil || !strings.HasPrefix(stages[0][0], "FROM golang:"+goVersion[1]+" ") {
		t.Errorf("builder %q: want golang:%v, the module's Go", stages[0][0], goVersion)
	}
	build := strings.Join(stages[0], "\n")
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", "-buildid=", "-X github.com/badgebake/badgebake/internal/cli.Version=", "./cmd/badgebake"} {
		if !strings.Contains(build, want) {
			t.Errorf("builder stage lacks %q", want)
		}
	}
	for i, stage := range stages[1:] {
		s := strings.Join(stage, "\n")
		if !regexp.MustCompile(`^FROM (gcr\.io/distroless/static\S*|scratch)( AS \S+)?$`).MatchString(stage[0]) {
			t.Errorf("stage %d: %q is not a minimal static base", i+2, stage[0])
		}
		if !regexp.MustCompile(`(?m)^USER (nonroot|[1-9]\d*)(:\S+)?$`).MatchString(s) {
			t.Errorf("stage %d runs as root: want USER nonroot", i+2)
		}
		if !strings.Contains(s, `ENTRYPOINT ["/usr/local/bin/badgebake"]`) || !strings.Contains(s, "COPY --from=build /out/badgebake /usr/local/bin/badgebake") {
			t.Errorf("stage %d does not run the built badgebake", i+2)
		}
	}
	last := strings.Join(stages[len(stages)-1], "\n")
	if !strings.Contains(last, `CMD ["serve", "--addr", ":8080"]`) || !strings.Contains(last, "EXPOSE 8080") {
		t.Error(`the default image does not serve on :8080 (CMD ["serve", "--addr", ":8080"], EXPOSE 8080)`)
	}
}
