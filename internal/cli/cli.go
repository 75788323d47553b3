// Package cli is the badgebake command line: argument handling, output and
// exit codes. The work itself is done by the bake and unbake packages.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/badgebake/badgebake/errkind"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes, documented in the README and in "badgebake --help".
const (
	ExitOK    = 0 // success
	ExitBad   = 1 // the image or the badge is bad (or carries no badge)
	ExitUsage = 2 // usage or I/O error: the command could not run
	// ExitIndeterminate: the badge could not be checked, because a document
	// its verdict depends on could not be fetched (network, host down,
	// offline): not a verdict on the badge; try again later.
	ExitIndeterminate = 3
)

// IO holds the streams a command uses, so tests can replace them.
type IO struct {
	In            io.Reader
	Out, Err      io.Writer
	OutIsTerminal bool
	ErrIsTerminal bool
}

// StdIO returns the process's streams.
func StdIO() IO {
	return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())), ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
}

// Main runs the command line and returns the exit code.
func Main(args []string, streams IO) int {
	root := newRootCmd(streams)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var silent *silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	printError(streams.Err, err)
	return exitCode(err)
}

// silentError carries an exit code for failures already reported (a batch
// of files where some failed).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// usageError marks a mistake in the command line: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func (e *usageError) ErrorKind() errkind.Kind { return errkind.Usage }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

const rootLong = `badgebake bakes Open Badges credentials into PNG and SVG images, gets them
back out, and verifies them, from the command line or as an HTTP service.

An image is detected from its content, never its file name. Payloads are
Open Badges 2.0 hosted assertion URLs, assertion JSON and signed assertions
(compact JWS), and Open Badges 3.0 credentials (JSON with an embedded proof,
or a VC-JWT). unbake never uses the network; verify (and bake, which
verifies first unless --no-verify) fetches what the badge links to, from
any address unless --deny-private (or BADGEBAKE_DENY_PRIVATE=1) keeps it
to public ones; serve runs the verifier behind a web page and a JSON API,
fetching from public addresses only unless told otherwise.

Exit status:
  0  success
  1  the image or the badge is bad (invalid or revoked), or the image
     carries no badge
  2  usage or I/O error: the command could not run
  3  verify, and bake's check: the badge could not be checked, because a
     document it depends on could not be fetched (network, host down,
     offline); try again later`

func newRootCmd(streams IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "badgebake",
		Short:         "Bake, unbake and verify Open Badges images",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: `  badgebake bake badge.png https://example.org/assertions/1 -o baked.png
  badgebake unbake baked.png
  badgebake unbake --json images/*.png`,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newBakeCmd(streams), newUnbakeCmd(streams), newVerifyCmd(streams), newServeCmd(streams), newVersionCmd(streams))
	root.AddCommand(newKeygenCmd(streams))
	root.AddCommand(newSignCmd(streams))
	root.AddCommand(newIssueCmd(streams), newRevokeCmd(streams), newStatusListCmd(streams))
	root.AddCommand(newBackpackCmd(streams))
	setupCompletion(root)
	setVersionFlag(root)
	return root
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%q takes no arguments", cmd.CommandPath())
	}
	return nil
}
