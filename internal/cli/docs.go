package cli

//go:generate go run ./gendocs -dir ../../docs

import "github.com/spf13/cobra"

// CommandTree returns the badgebake command with every subcommand, for
// generating documentation (internal/cli/gendocs). Its streams are empty:
// it is for reading, not running.
func CommandTree() *cobra.Command {
	return newRootCmd(IO{})
}
