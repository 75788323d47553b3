package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version, when set, is the version a release names itself by. It is set at
// link time from the release's Git tag:
//
//	go build -ldflags "-X github.com/badgebake/badgebake/internal/cli.Version=v1.2.3" ./cmd/badgebake
//
// (.goreleaser.yaml does so). Unset, the version is the main module's, from
// the build information the Go toolchain embeds: the module version for
// "go install …@v1.2.3", a pseudo-version stamped from Git for a build in a
// clone, or "(devel)". Nobody keeps a version string by hand.
var Version = ""

// build is what a binary knows of how it was built.
type build struct {
	Version    string `json:"version"`     // the release tag or module version; "devel" when unknown
	Commit     string `json:"commit"`      // vcs.revision; "" when built without VCS information
	CommitTime string `json:"commit_time"` // vcs.time (RFC 3339); "" when unknown
	Modified   *bool  `json:"modified"`    // vcs.modified: the tree had uncommitted changes; null when unknown
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
}

// readBuild reads this binary's build information.
func readBuild() build {
	bi, _ := debug.ReadBuildInfo()
	return buildFrom(bi, Version)
}

// buildFrom reads bi (nil when the binary has none), with override, when
// set, in place of the main module's version.
func buildFrom(bi *debug.BuildInfo, override string) build {
	b := build{Version: override, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		if b.Version == "" {
			b.Version = "devel"
		}
		return b
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			m := s.Value == "true"
			b.Modified = &m
		}
	}
	return b
}

// version is the version alone, as in the User-Agent of fetches and on the
// service's pages.
func version() string { return readBuild().Version }

// writeText prints b for people: the version line, then the commit.
func (b build) writeText(w io.Writer) {
	fmt.Fprintf(w, "badgebake %s (%s, %s/%s)\n", b.Version, b.GoVersion, b.OS, b.Arch)
	if b.Commit == "" {
		fmt.Fprintln(w, "commit unknown (built without version control information)")
		return
	}
	line := "commit " + b.Commit
	if b.CommitTime != "" {
		line += " of " + b.CommitTime
	}
	switch {
	case b.Modified == nil:
	case *b.Modified:
		line += ", with uncommitted changes"
	default:
		line += ", clean"
	}
	fmt.Fprintln(w, line)
}

func newVersionCmd(streams IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the badgebake version and the commit it was built from",
		Long: `version prints the version of badgebake (a release's tag, or the module
version), the Go version and platform, and the commit it was built from:
its hash, its time, and whether the tree had uncommitted changes. These come
from the build information the Go toolchain embeds; a build without version
control information (go build -buildvcs=false, or go install of a module
version) says the commit is unknown. "badgebake --version" prints the same.`,
		Args:    noArgs,
		Example: "  badgebake version\n  badgebake version --json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuild()
			if asJSON {
				enc := json.NewEncoder(streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(b)
			}
			b.writeText(streams.Out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the fields as a JSON object")
	return cmd
}

// setVersionFlag gives root a --version flag that prints what "badgebake
// version" prints.
func setVersionFlag(root *cobra.Command) {
	var text strings.Builder
	readBuild().writeText(&text)
	root.Version = text.String()
	root.SetVersionTemplate("{{.Version}}")
	root.InitDefaultVersionFlag()
	root.Flags().Lookup("version").Usage = "print the version and the commit badgebake was built from"
}
