// Package progress draws the progress line of a long command on a
// terminal: one line, redrawn in place, erased at the end. Nothing is drawn
// when the output is not a terminal.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Line draws one self-erasing status line, at most ten times a second.
type Line struct {
	w     io.Writer
	on    bool
	now   func() time.Time
	start time.Time
	last  time.Time
	drawn bool

	mu         sync.Mutex // guards total and totalFinal, set by a counting goroutine
	total      int
	totalFinal bool
}

// New returns a Line writing to w, or doing nothing when on is false
// (w is not a terminal, or the user asked for quiet).
func New(w io.Writer, on bool) *Line {
	return NewClock(w, on, time.Now)
}

// NewClock is New with the clock the rate, the time left and the redraw
// limit are measured by.
func NewClock(w io.Writer, on bool, now func() time.Time) *Line {
	return &Line{w: w, on: on, now: now, start: now()}
}

// On reports whether the line is drawn at all.
func (p *Line) On() bool { return p.on }

// SetTotal records how many items the run has: at least n while final is
// false (they are still being counted), exactly n once it is true. It may
// be called from another goroutine than the one drawing.
func (p *Line) SetTotal(n int, final bool) {
	p.mu.Lock()
	p.total, p.totalFinal = n, final
	p.mu.Unlock()
}

// Files redraws the line with how far a run over files has gone: done of
// the total (see SetTotal), the rate, the time left, then the detail
// format formats (when the line is drawn). Like Update, it draws at most
// ten times a second.
func (p *Line) Files(done int, format string, args ...any) {
	if !p.on {
		return
	}
	p.mu.Lock()
	total, final := p.total, p.totalFinal
	p.mu.Unlock()
	now := p.now()
	if !p.due(now) {
		return
	}
	p.draw(now, Status(done, total, final, now.Sub(p.start))+fmt.Sprintf(format, args...))
}

// Status formats how far a run is: "done/total (pct%), rate files/s, time
// left" once the total is final, "done/≥total, rate files/s" while it is
// still being counted. The rate and time left need some elapsed time and
// done files.
func Status(done, total int, final bool, elapsed time.Duration) string {
	var s string
	switch {
	case final:
		total = max(total, done)
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		s = fmt.Sprintf("%d/%d (%d%%)", done, total, pct)
	default:
		s = fmt.Sprintf("%d/≥%d", done, max(total, done))
	}
	if done == 0 || elapsed <= 0 {
		return s
	}
	rate := float64(done) / elapsed.Seconds()
	s += fmt.Sprintf(", %.1f files/s", rate)
	if final && total > done {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += ", " + Duration(left) + " left"
	}
	return s
}

// Duration formats d for a person, to the second: 45s, 2m05s, 1h02m.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Update redraws the line, unless it was drawn less than 100 ms ago.
func (p *Line) Update(format string, args ...any) {
	if !p.on {
		return
	}
	if now := p.now(); p.due(now) {
		p.draw(now, fmt.Sprintf(format, args...))
	}
}

// due reports whether the line may be drawn again at now.
func (p *Line) due(now time.Time) bool {
	return !p.drawn || now.Sub(p.last) >= 100*time.Millisecond
}

func (p *Line) draw(now time.Time, text string) {
	p.last = now
	fmt.Fprint(p.w, "\r\x1b[K"+text)
	p.drawn = true
}

// Clear erases the line, if it was drawn.
func (p *Line) Clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
