// Command gendocs writes badgebake's man pages (docs/man) and Markdown
// command reference (docs/cli) from the command tree, so that they say
// what --help says. Run it from the repository root after changing a
// command, flag or help text:
//
//	go run ./internal/cli/gendocs
//
// The output is deterministic (no generation dates), so CI and
// TestDocsAreCurrent can regenerate it and compare. Release archives carry
// the man pages; .goreleaser.yaml's before hook runs this command.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/badgebake/badgebake/internal/cli"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manDate is the date in the man pages' headers. It is fixed, not the day
// of generation, so that regenerating gives the same files (and
// SOURCE_DATE_EPOCH, which cobra would read otherwise, plays no part).
// Set it to the release date when preparing a release.
const manDate = "2026-12-06"

func main() {
	dir := flag.String("dir", "docs", "write man/ and cli/ under this directory")
	completions := flag.String("completions", "", "also write the shell completion scripts (what \"badgebake completion SHELL\" prints) into this directory, for release archives")
	flag.Parse()
	err := generate(*dir)
	if err == nil && *completions != "" {
		err = generateCompletions(*completions)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes dir/man/*.1 and dir/cli/*.md, replacing what was there.
func generate(dir string) error {
	manDir, mdDir := filepath.Join(dir, "man"), filepath.Join(dir, "cli")
	for _, d := range []string{manDir, mdDir} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	root := tree()
	date, err := time.Parse(time.DateOnly, manDate)
	if err != nil {
		return err
	}
	header := &doc.GenManHeader{Section: "1", Date: &date, Source: "badgebake", Manual: "badgebake manual"}
	if err := doc.GenManTree(root, header, manDir); err != nil {
		return err
	}
	return doc.GenMarkdownTree(tree(), mdDir)
}

// tree is the command tree as documented: without cobra's "auto generated
// on DATE" lines, which would change the output every day.
func tree() *cobra.Command {
	root := cli.CommandTree(io.Discard)
	root.DisableAutoGenTag = true
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// generateCompletions writes badgebake.bash, badgebake.zsh, badgebake.fish
// and badgebake.ps1 into dir: what "badgebake completion SHELL" prints.
func generateCompletions(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sh := range []struct{ shell, ext string }{{"bash", "bash"}, {"zsh", "zsh"}, {"fish", "fish"}, {"powershell", "ps1"}} {
		shell := sh.shell
		var out bytes.Buffer
		root := cli.CommandTree(&out)
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			return fmt.Errorf("badgebake completion %s: %w", shell, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "badgebake."+sh.ext), out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
