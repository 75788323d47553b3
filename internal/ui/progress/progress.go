// Package progress draws the progress line of a long command on a
// terminal: one line, redrawn in place, erased at the end. Nothing is drawn
// when the output is not a terminal.
package progress

import (
	"fmt"
	"io"
	"time"
)

// Line draws one self-erasing status line, at most ten times a second.
type Line struct {
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

// New returns a Line writing to w, or doing nothing when on is false
// (w is not a terminal, or the user asked for quiet).
func New(w io.Writer, on bool) *Line {
	return &Line{w: w, on: on}
}

// Update redraws the line, unless it was drawn less than 100 ms ago.
func (p *Line) Update(format string, args ...any) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\x1b[K"+format, args...)
	p.drawn = true
}

// Clear erases the line, if it was drawn.
func (p *Line) Clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
