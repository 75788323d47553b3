package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// completionShells are the shells cobra's completion command writes
// scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// setupCompletion adds cobra's completion command now, rather than when
// the command runs, so that a shell it does not know is a usage error that
// names the shells it does (cobra alone prints the help and exits 0).
func setupCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, cmd := range root.Commands() {
		if cmd.Name() != "completion" {
			continue
		}
		supported := strings.Join(completionShells[:len(completionShells)-1], ", ") + " or " + completionShells[len(completionShells)-1]
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("completion needs a shell: %s, e.g. badgebake completion bash", supported)
			}
			return usagef("no completion for %q: badgebake completes %s", args[0], supported)
		}
	}
}
