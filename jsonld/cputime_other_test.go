//go:build !unix

package jsonld

import "time"

func processCPUTime() (time.Duration, bool) { return 0, false }
