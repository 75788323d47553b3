package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/badgebake/badgebake/batch"
	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/unbake"
	"github.com/spf13/cobra"
)

type unbakeOptions struct {
	json    bool
	lenient bool
	batch   batchOptions
}

const unbakeLong = `Unbake prints the Open Badges payload each IMAGE carries (a PNG or SVG, told
apart by content; - reads standard input). Nothing is fetched and nothing is
verified: a URL is printed as a URL, a JWS as it is.

With one IMAGE the payload is printed exactly as stored. With several,
"FILE<TAB>payload" lines (JSON compacted), in argument order, as in batch
mode; images that fail are reported on standard error and the rest go on.

--json prints one JSON object per image, one per line:
  file, format, carrier, generation (ob2 or ob3), kind (url, json or jws),
  payload, warnings, and error when the image failed.

Batch mode: when a PATH is a folder (walked recursively), or with any of
--include, --exclude, --follow-symlinks, --shard, --jobs, files are read
--jobs at a time and reported in walk order (the same on every run and for
every --jobs): "FILE<TAB>payload" lines, then a summary table and the
failing files; with --json, one object per file with "type": "file" and a
status (badge, no-badge, not-an-image: neither PNG nor SVG, the error says
what it looks like, or error: unreadable), then one "type": "summary"
object (files, badges, no_badge, not_an_image, unreadable, by_generation,
elapsed_seconds). On a terminal a progress line on standard error shows
the files done of the total, the rate and the time left. Batch exit
status: 0 every file gave a payload, 1 some did not, 2 no files matched or
interrupted.

Exit status is 0 when every image gave a payload, 1 when an image is bad or
carries no badge, and 2 when a file could not be read.`

func newUnbakeCmd(streams IO) *cobra.Command {
	o := &unbakeOptions{}
	cmd := &cobra.Command{
		Use:   "unbake IMAGE...",
		Short: "Print the Open Badges payload baked into images",
		Long:  unbakeLong,
		Example: `  badgebake unbake baked.png
  badgebake unbake --json baked.png baked.svg
  curl -s https://example.org/badge.png | badgebake unbake -
  badgebake unbake --lenient old-mozilla-badge.png`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("unbake needs at least one IMAGE; see badgebake unbake --help")
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"png", "svg"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if batchMode(cmd, args) {
				return runUnbakeBatch(cmd.Context(), streams, o, args)
			}
			return runUnbake(streams, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object per image (JSON Lines)")
	cmd.Flags().BoolVar(&o.lenient, "lenient", false, "accept PNG chunks with a wrong CRC (with a warning)")
	o.batch.addFlags(cmd)
	return cmd
}

// flushEvery is how many files' output may wait in the buffer of standard
// output: a batch of thousands still shows up as it goes, without a
// write(2) (and, into a pipe, a wake-up of the reader) per file.
const flushEvery = 64

// flushPeriodically flushes out after the n-th file when that is due: after
// every file on a terminal, every flushEvery files otherwise.
func flushPeriodically(out *bufio.Writer, terminal bool, n int) error {
	if !terminal && n%flushEvery != 0 {
		return nil
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing standard output: %w", err)
	}
	return nil
}

func runUnbake(streams IO, o *unbakeOptions, files []string) error {
	stdinUsed := 0
	for _, f := range files {
		if f == "-" {
			stdinUsed++
		}
	}
	if stdinUsed > 1 {
		return usagef("standard input (-) can be named only once")
	}
	out := bufio.NewWriterSize(streams.Out, 16<<10)
	err := unbakeAll(streams, out, o, files)
	if ferr := out.Flush(); ferr != nil {
		var silent *silentError
		if err == nil || errors.As(err, &silent) {
			return fmt.Errorf("writing standard output: %w", ferr)
		}
	}
	return err
}

// unbakeAll does runUnbake's work, writing standard output through out. It
// flushes out before anything goes to standard error (so the two stay in
// order when they share a terminal or file), before reading standard input
// (which may wait on a person), after every image when standard output is a
// terminal, and every flushEvery images otherwise.
func unbakeAll(streams IO, out *bufio.Writer, o *unbakeOptions, files []string) error {
	opts := &unbake.Options{Lenient: o.lenient}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	worst := ExitOK
	for i, file := range files {
		if file == "-" {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
		}
		res, err := unbakeOne(streams, file, opts)
		code := ExitOK
		if err != nil {
			code = exitCode(err)
			worst = max(worst, code)
		}
		if o.json {
			if err := enc.Encode(unbake.NewRecord(file, res, err)); err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
		} else {
			prefix := ""
			if len(files) > 1 {
				prefix = displayName(file) + ": "
			}
			if (res != nil && len(res.Warnings) > 0) || err != nil {
				if err := out.Flush(); err != nil {
					return fmt.Errorf("writing standard output: %w", err)
				}
			}
			if res != nil {
				printWarnings(streams.Err, prefix, res.Warnings)
			}
			if err != nil {
				if len(files) == 1 {
					return inFile(file, err)
				}
				printError(streams.Err, inFile(file, err))
				continue
			}
			if err := writeLabelled(out, file, res.Payload, len(files) > 1); err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
		}
		if err := flushPeriodically(out, streams.OutIsTerminal, i+1); err != nil {
			return err
		}
	}
	if worst != ExitOK {
		return &silentError{code: worst}
	}
	return nil
}

func unbakeOne(streams IO, file string, opts *unbake.Options) (*unbake.Result, error) {
	if file == "-" {
		in, err := openInput(streams, file)
		if err != nil {
			return nil, err
		}
		defer in.Close()
		return unbake.Unbake(in, opts)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One fstat, as openInput makes, for its directory check and for the
	// size: a regular file goes to Unbake as an *io.SectionReader, read with
	// ReadAt at known offsets without another syscall to learn its size or
	// position (a file just opened is at offset 0).
	fi, err := f.Stat()
	if err != nil {
		return unbake.Unbake(f, opts)
	}
	if fi.IsDir() {
		return nil, &os.PathError{Op: "read", Path: file, Err: errors.New("is a directory, not an image file")}
	}
	if !fi.Mode().IsRegular() || fi.Size() <= 0 {
		return unbake.Unbake(f, opts)
	}
	return unbake.Unbake(io.NewSectionReader(f, 0, fi.Size()), opts)
}

// writeLabelled prints a payload, after "FILE<TAB>" and on one line when
// labelled (several files share the output).
func writeLabelled(w io.Writer, file, text string, labelled bool) error {
	if labelled {
		if _, err := io.WriteString(w, displayName(file)+"\t"); err != nil {
			return err
		}
	}
	return writePayload(w, text, labelled)
}

// writePayload prints a payload; on one line (JSON compacted) when several
// files share the output.
func writePayload(w io.Writer, text string, oneLine bool) error {
	if oneLine && strings.ContainsAny(text, "\r\n") {
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(text)) == nil {
			text = buf.String()
		} else {
			text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text)
		}
	}
	_, err := io.WriteString(w, text+"\n")
	return err
}

// unbakeSummary is the last line of batch unbake --json.
type unbakeSummary struct {
	Type           string         `json:"type"`
	Files          int            `json:"files"`
	Badges         int            `json:"badges"`
	NoBadge        int            `json:"no_badge"`
	NotImage       int            `json:"not_an_image"`
	Unreadable     int            `json:"unreadable"`
	ByGeneration   map[string]int `json:"by_generation"`
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	Interrupted    bool           `json:"interrupted,omitempty"`
}

type unbakeFileRecord struct {
	Type   string `json:"type"`
	Status string `json:"status"` // one of the unbakeStatus constants, or statusNotImage
	unbake.Record
}

// Statuses of a file in batch unbake (besides statusNotImage, as verify
// says it).
const (
	unbakeStatusBadge      = "badge"
	unbakeStatusNoBadge    = statusNoBadge
	unbakeStatusUnreadable = "error" // the file could not be read, or the image is broken
)

// unknownContent is what carrier.Describe says of bytes internal/magic
// does not recognise: those start as valid UTF-8 (magic calls the rest
// binary data), so text.
var unknownContent = carrier.Describe([]byte("x"))

// notImageError is the error of an input that is not an image, saying
// what it looks like: text, when nothing more is known.
func notImageError(err error) error {
	var notImage *carrier.NotImageError
	if errors.As(err, &notImage) && notImage.LooksLike != "" && notImage.LooksLike != unknownContent {
		return err
	}
	return &carrier.NotImageError{LooksLike: "text"}
}

type unbakeOutcome struct {
	res *unbake.Result
	err error
}

// runUnbakeBatch unbakes every file PATHs name; see unbakeLong.
func runUnbakeBatch(ctx context.Context, streams IO, o *unbakeOptions, args []string) error {
	bo, err := o.batch.config(args)
	if err != nil {
		return err
	}
	ctx, stop := batchContext(ctx)
	defer stop()
	opts := &unbake.Options{Lenient: o.lenient}
	start := time.Now()
	sum := &unbakeSummary{Type: "summary", ByGeneration: map[string]int{}}
	out := bufio.NewWriterSize(streams.Out, 16<<10)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	prog := newProgress(streams, o.batch.quiet)
	var fails failures
	stopCount := countAhead(ctx, prog, args, bo)
	st, runErr := batch.RunOrdered(ctx, args, bo,
		func(_ context.Context, it batch.Item) (unbakeOutcome, error) {
			res, err := unbakeOne(streams, it.Path, opts)
			return unbakeOutcome{res, err}, nil
		},
		func(r batch.Result[unbakeOutcome]) error {
			if r.Abandoned {
				return nil
			}
			res, uerr := r.Value.res, r.Value.err
			if r.Err != nil {
				res, uerr = nil, walkError(r.Err)
			}
			sum.Files++
			status := unbakeStatusBadge
			switch {
			case uerr == nil:
				sum.Badges++
				sum.ByGeneration[string(res.Generation)]++
			case errors.Is(uerr, unbake.ErrNoBadge):
				status = unbakeStatusNoBadge
				sum.NoBadge++
			case errors.Is(uerr, carrier.ErrNotImage):
				status = statusNotImage
				sum.NotImage++
				uerr = notImageError(uerr)
			default:
				status = unbakeStatusUnreadable
				sum.Unreadable++
			}
			rec := unbake.NewRecord(r.Item.Path, res, uerr)
			if uerr != nil {
				why := rec.Error
				if h := imageHint(uerr); h != "" {
					why += " (hint: " + h + ")"
				}
				fails.add(r.Item.Path, why)
			}
			var werr error
			if o.json {
				werr = enc.Encode(unbakeFileRecord{Type: "file", Status: status, Record: rec})
			} else if uerr == nil {
				werr = writeLabelled(out, r.Item.Path, res.Payload, true)
			}
			if werr != nil {
				return fmt.Errorf("writing standard output: %w", werr)
			}
			if err := flushPeriodically(out, streams.OutIsTerminal, sum.Files); err != nil {
				return err
			}
			prog.Files(sum.Files, ": %d badges, %d without a badge, %d not images, %d unreadable", sum.Badges, sum.NoBadge, sum.NotImage, sum.Unreadable)
			return nil
		})
	stopCount()
	prog.Clear()
	if runErr != nil {
		out.Flush()
		return runErr
	}
	sum.ElapsedSeconds = time.Since(start).Seconds()
	sum.Interrupted = st.Interrupted
	switch {
	case sum.Files == 0 && !st.Interrupted:
		// No summary of nothing: batchExit says no files matched.
	case o.json:
		if err := enc.Encode(sum); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	default:
		if sum.Files > 0 {
			fmt.Fprintln(out)
		}
		for _, row := range []struct {
			name string
			n    int
		}{{"files", sum.Files}, {"badges", sum.Badges}, {"no badge", sum.NoBadge}, {"not an image", sum.NotImage}, {"unreadable", sum.Unreadable}} {
			fmt.Fprintf(out, "%-12s  %d\n", row.name, row.n)
		}
		fmt.Fprintf(out, "%-12s  %.2fs\n", "elapsed", sum.ElapsedSeconds)
		if sum.Interrupted {
			fmt.Fprintln(out, "interrupted: the counts cover the files finished so far")
		}
		printCounts(out, "Generations", sum.ByGeneration)
		fails.print(out)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing standard output: %w", err)
	}
	return batchExit(sum.Files != sum.Badges, st, sum.Files)
}
