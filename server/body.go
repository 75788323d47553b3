package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// A request body of POST /results or /unbake is read in full, and parsed,
// before the request takes a verification slot: a client sending its body
// slowly holds no slot, so it cannot keep the others waiting. What bounds
// such clients instead:
//
//   - time: a body that delivers nothing for Options.BodyTimeout, or is not
//     complete Options.BodyDeadline after the request began to be read, is
//     cut off with 408;
//   - memory: the bytes of every body in memory, being received or being
//     verified, count against one budget (Options.MaxBodyMemory); a body that
//     would pass it gets 503 with Retry-After. A slow sender holds only the
//     bytes it has sent, so it takes next to nothing from the budget.
//
// Neither is a bound on how many bodies may be read at once: any number of
// slow senders cannot shut out a client that sends its body promptly.

// bodyTimeoutError is a request body cut off for arriving too slowly.
type bodyTimeoutError struct {
	stalled bool          // nothing arrived for d; else the whole body took longer than d
	d       time.Duration // the limit that was passed
}

func (e *bodyTimeoutError) Error() string {
	if e.stalled {
		return fmt.Sprintf("the request body stalled: nothing arrived for %s", e.d)
	}
	return fmt.Sprintf("the request body did not arrive within %s", e.d)
}

// errBodyMemory is a body refused because request bodies in memory have
// reached Options.MaxBodyMemory.
var errBodyMemory = errors.New("request bodies being received and verified fill the memory set aside for them")

// bodyBudget counts the bytes of request bodies held in memory.
type bodyBudget struct {
	used atomic.Int64
	max  int64
}

// take reserves n bytes, or reports false when that would pass the bound.
func (b *bodyBudget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

// bodyReader is a request body read against the deadlines and the memory
// budget. Each Read moves the connection's read deadline to BodyTimeout
// from now, never past the overall deadline, until the body has ended:
// then net/http lifts the deadline and goes on reading the connection in
// the background to notice a client that leaves, and a deadline passing
// there would cancel the verification. (A body left unread, such as a
// multipart epilogue, keeps its last deadline, which bounds the server's
// discarding of it once the answer is written.)
type bodyReader struct {
	body    io.ReadCloser
	rc      *http.ResponseController // nil when the connection takes no deadlines (a test's recorder)
	idle    time.Duration
	overall time.Duration
	end     time.Time
	budget  *bodyBudget
	held    int64 // bytes taken from budget
	ended   bool  // the body has returned an error or io.EOF
}

func (s *Server) newBodyReader(w http.ResponseWriter, r *http.Request, start time.Time) *bodyReader {
	return &bodyReader{body: r.Body, rc: http.NewResponseController(w), idle: s.opts.BodyTimeout,
		overall: s.opts.BodyDeadline, end: start.Add(s.opts.BodyDeadline), budget: &s.bodies}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	stalled := true
	if b.rc != nil && !b.ended {
		d := time.Now().Add(b.idle)
		if d.After(b.end) {
			d, stalled = b.end, false
		}
		if b.rc.SetReadDeadline(d) != nil {
			b.rc = nil
		}
	}
	n, err := b.body.Read(p)
	b.ended = b.ended || err != nil
	if n > 0 {
		if !b.budget.take(int64(n)) {
			return 0, errBodyMemory
		}
		b.held += int64(n)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if stalled {
			return n, &bodyTimeoutError{stalled: true, d: b.idle}
		}
		return n, &bodyTimeoutError{d: b.overall}
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.body.Close() }

// release gives the body's bytes back to the budget, once the request is
// answered.
func (b *bodyReader) release() {
	b.budget.used.Add(-b.held)
	b.held = 0
}

// bodyFailed reports whether err is the body itself failing (too large,
// too slow, no memory for it) rather than its content: such errors are
// passed on as they are, to be answered with their own status.
func bodyFailed(err error) bool {
	var tooLarge *http.MaxBytesError
	var slow *bodyTimeoutError
	return errors.As(err, &tooLarge) || errors.As(err, &slow) || errors.Is(err, errBodyMemory)
}
