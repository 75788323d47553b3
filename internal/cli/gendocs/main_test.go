package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDocsAreCurrent regenerates the man pages and the Markdown reference
// and requires them to equal what is checked in under docs/, so that a
// changed command, flag or help text cannot leave the docs behind.
func TestDocsAreCurrent(t *testing.T) {
	fresh := t.TempDir()
	if err := generate(fresh); err != nil {
		t.Fatal(err)
	}
	checkedIn := filepath.Join("..", "..", "..", "docs")
	for _, sub := range []string{"man", "cli"} {
		if stale := compareDirs(t, filepath.Join(fresh, sub), filepath.Join(checkedIn, sub)); len(stale) > 0 {
			t.Errorf("docs/%s is not what the commands say (%v): run \"go run ./internal/cli/gendocs\" from the repository root and commit the result", sub, stale)
		}
	}
}

// TestGenerateIsDeterministic: two runs give the same bytes (no dates, no
// map order).
func TestGenerateIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := generate(a); err != nil {
		t.Fatal(err)
	}
	if err := generate(b); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"man", "cli"} {
		if diff := compareDirs(t, filepath.Join(a, sub), filepath.Join(b, sub)); len(diff) > 0 {
			t.Errorf("%s differs between runs: %v", sub, diff)
		}
	}
	if _, err := os.Stat(filepath.Join(a, "man", "badgebake-verify.1")); err != nil {
		t.Errorf("no man page for verify: %v", err)
	}
}

// compareDirs lists the files that differ between want and got, or are in
// one only.
func compareDirs(t *testing.T, want, got string) []string {
	t.Helper()
	read := func(dir string) map[string][]byte {
		files := map[string][]byte{}
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = b
		}
		return files
	}
	w, g := read(want), read(got)
	var diff []string
	for name, b := range w {
		switch gb, ok := g[name]; {
		case !ok:
			diff = append(diff, name+" missing")
		case !bytes.Equal(b, gb):
			diff = append(diff, name+" differs")
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			diff = append(diff, name+" no longer generated")
		}
	}
	slices.Sort(diff)
	return diff
}

// TestCompletions: the release archives' completion scripts, one per shell,
// each for the badgebake command.
func TestCompletions(t *testing.T) {
	dir := t.TempDir()
	if err := generateCompletions(dir); err != nil {
		t.Fatal(err)
	}
	for name, marker := range map[string]string{
		"badgebake.bash": "complete -o default -F __start_badgebake badgebake",
		"badgebake.zsh":  "#compdef badgebake",
		"badgebake.fish": "complete -c badgebake",
		"badgebake.ps1":  "Register-ArgumentCompleter",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s does not contain %q", name, marker)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d files, want 4", len(entries))
	}
}
