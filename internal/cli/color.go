package cli

import (
	"fmt"
	"os"
)

// colorMode is --color: auto (colour on a terminal, unless NO_COLOR is set
// and not empty; https://no-color.org), always or never.
type colorMode string

func (c *colorMode) String() string {
	if *c == "" {
		return "auto"
	}
	return string(*c)
}

func (c *colorMode) Set(s string) error {
	switch s {
	case "auto", "always", "never":
		*c = colorMode(s)
		return nil
	}
	return fmt.Errorf("use auto, always or never")
}

func (c *colorMode) Type() string { return "WHEN" }

// on reports whether to colour output going to a terminal or not.
func (c colorMode) on(terminal bool) bool {
	switch c {
	case "always":
		return true
	case "never":
		return false
	}
	return terminal && os.Getenv("NO_COLOR") == ""
}
