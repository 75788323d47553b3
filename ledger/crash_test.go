package ledger

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a child process issuing from a ledger: with
// childEnv set, TestMain runs child instead of the tests.
const (
	childEnv    = "BADGEBAKE_LEDGER_TEST_CHILD"
	childDSN    = "BADGEBAKE_LEDGER_TEST_DSN"
	childPrefix = "BADGEBAKE_LEDGER_TEST_PREFIX"
	childCount  = "BADGEBAKE_LEDGER_TEST_COUNT"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := child(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child issues rows PREFIX000000 to PREFIX(COUNT-1) as the issue command
// does: reserve, (write the file), complete; a row found issued is skipped,
// one found reserved is completed. It prints each row number once done.
func child() error {
	ctx := context.Background()
	l, err := Open(ctx, os.Getenv(childDSN))
	if err != nil {
		return err
	}
	defer l.Close()
	count, _ := strconv.Atoi(os.Getenv(childCount))
	prefix := os.Getenv(childPrefix)
	for i := range count {
		e, _, err := l.Reserve(ctx, reservation(fmt.Sprintf("%s%06d", prefix, i)))
		if err != nil {
			return err
		}
		if e.State == Reserved {
			time.Sleep(200 * time.Microsecond) // signing and writing the file
			if err := l.Complete(ctx, e.RowKey, time.Now()); err != nil {
				return err
			}
		}
		fmt.Println(i)
	}
	return nil
}

func startChild(t *testing.T, dsn, prefix string, count int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childDSN+"="+dsn, childPrefix+"="+prefix, childCount+"="+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

// TestSIGKILLMidIssue kills a process issuing from the ledger, several
// times, at points that vary (after a number of rows, so somewhere in a
// reservation, a completion or between them), and reopens it each time:
// it opens, its counts add up, no status index is handed out twice, the
// indexes have no gap (each reservation's counter update commits with
// it), and at most one row (the one being issued) is reserved and not
// issued, still there for the next run to finish with the same index.
func TestSIGKILLMidIssue(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const rows = 100000 // more than a child gets through before it is killed
		done := 0
		for round, after := range []int{37, 113, 250, 1, 400} {
			cmd, out := startChild(t, dsn, "row", rows)
			// Wait for the child to get through some rows beyond what is
			// already issued, then kill it wherever it is.
			for n := 0; n < after && out.Scan(); {
				if i, _ := strconv.Atoi(out.Text()); i >= done {
					n++
				}
			}
			// The child runs on meanwhile; a short pause of varying length
			// lets the kill land anywhere in a reservation or completion.
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			l, err := Open(ctx, dsn)
			if err != nil {
				t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
			}
			issued, reserved, revoked, err := l.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if issued < done+after || reserved > 1 || revoked != 0 {
				t.Fatalf("round %d: after SIGKILL, %d issued (at least %d were reported), %d reserved (at most 1), %d revoked", round, issued, done+after, reserved, revoked)
			}
			checkIndexes(t, l, issued+reserved)
			// The row left reserved: a re-run gets its entry back, same
			// index, and completes it.
			err = l.Entries(ctx, func(e Entry) error {
				if e.State != Reserved {
					return nil
				}
				again, existing, err := l.Reserve(ctx, reservation(e.RowKey))
				if err != nil || !existing || *again != e {
					return fmt.Errorf("re-reserving %s = %+v, %v, %v; want the entry %+v", e.RowKey, again, existing, err, e)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			l.Close()
			done = issued
			t.Logf("round %d: killed after %d issued, %d reserved", round, issued, reserved)
		}

		// A last run to the end of a shorter list: it finishes the rows a
		// kill left reserved and issues every row once.
		final := done + 20
		cmd, out := startChild(t, dsn, "row", final)
		for out.Scan() {
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("the final run failed: %v", err)
		}
		l := open(t, dsn)
		issued, reserved, _, err := l.Counts(ctx)
		if err != nil || issued != final || reserved != 0 {
			t.Fatalf("after the final run: %d issued, %d reserved, %v; want %d and 0", issued, reserved, err, final)
		}
		checkIndexes(t, l, final)
	})
}

// TestTwoProcessesReserving: two processes issue 500 rows each from one
// ledger at once (reserve, complete); no status index is handed out twice.
func TestTwoProcessesReserving(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		// Create the ledger first, so that the children race on
		// reservations rather than on the migrations (which are tested
		// apart).
		open(t, dsn).Close()
		const each = 500
		var cmds []*exec.Cmd
		for _, prefix := range []string{"first-", "second-"} {
			cmd, out := startChild(t, dsn, prefix, each)
			go func() {
				for out.Scan() {
				}
			}()
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("a reserving process failed: %v", err)
			}
		}
		l := open(t, dsn)
		checkIndexes(t, l, 2*each)
		if issued, reserved, _, err := l.Counts(t.Context()); err != nil || issued != 2*each || reserved != 0 {
			t.Errorf("Counts = %d issued, %d reserved, %v; want %d and 0", issued, reserved, err, 2*each)
		}
	})
}
