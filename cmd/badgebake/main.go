// Command badgebake bakes Open Badges into PNG and SVG images, extracts them
// and (soon) verifies them. Run "badgebake --help" for usage.
package main

import (
	"os"

	"github.com/badgebake/badgebake/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
}
