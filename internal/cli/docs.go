package cli

//go:generate go run ./gendocs -dir ../../docs

import (
	"io"

	"github.com/spf13/cobra"
)

// CommandTree returns the badgebake command with every subcommand, for
// generating documentation and completion scripts (internal/cli/gendocs):
// what it prints goes to out (the completion commands take their output
// stream when the tree is built), its errors nowhere.
func CommandTree(out io.Writer) *cobra.Command {
	return newRootCmd(IO{Out: out, Err: io.Discard})
}
