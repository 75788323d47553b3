package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/ob2"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/spf13/cobra"
)

// networkOptions are the flags every command that may fetch shares.
type networkOptions struct {
	offline bool
	timeout time.Duration
}

func (n *networkOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&n.offline, "offline", false, "never use the network: refuse every fetch")
	cmd.Flags().DurationVar(&n.timeout, "timeout", 30*time.Second, "time limit for each HTTP request")
}

// verifier builds the one fetch client, JSON-LD processor and verifier a
// run shares.
func (n *networkOptions) verifier() *ob2.Verifier {
	client := fetch.New(fetch.Options{UserAgent: "badgebake/" + version(), Offline: n.offline, Timeout: n.timeout})
	loader := jsonld.NewLoader(func(ctx context.Context, url string) ([]byte, error) {
		resp, err := client.Get(ctx, url, "application/ld+json, application/json")
		if err != nil {
			return nil, err
		}
		if resp.Status >= 400 {
			return nil, fmt.Errorf("HTTP %d from %s", resp.Status, url)
		}
		return resp.Body, nil
	})
	return ob2.New(ob2.Options{Client: client, JSONLD: jsonld.NewProcessor(loader)})
}

type verifyOptions struct {
	network   networkOptions
	data      string
	recipient string
	json      bool
}

const verifyLong = `Verify checks an Open Badge and prints the verdict.

INPUT is a URL (a hosted assertion, or an image that carries one), a path
to a baked PNG or SVG image or to a JSON or JWS file, or - for standard
input. --data passes a URL, JSON or JWS literally instead.

Hosted Open Badges 2.0 (and earlier) badges are verified the way
openbadges-validator-core does it: assertion, badge class and issuer are
fetched and every property and rule is checked, with that tool's task names
in the report. Extensions are checked against their JSON schemas, and
endorsements (and the endorsers' profiles) are fetched and checked too.
The JSON-LD contexts and the official extensions' schemas are built in, so
only the badge's own documents are fetched (and the context and schema of
an extension that is not built in). --json prints the whole report in the reference's
shape: {"report": …, "input": …, "graph": […]}.

Exit status: 0 the badge is valid, 1 it is not, 2 the command could not run.`

func newVerifyCmd(streams IO) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [INPUT]",
		Short: "Verify an Open Badge: a URL, a baked image, or assertion JSON",
		Long:  verifyLong,
		Example: `  badgebake verify https://example.org/assertions/123
  badgebake verify baked.png
  badgebake verify --json baked.svg > report.json
  badgebake verify --data '{"@context": "https://w3id.org/openbadges/v2", …}'
  badgebake verify baked.png --recipient '{"email": "alice@example.org"}'`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usagef("verify takes one INPUT (got %d); to check many files, run it once per file", len(args))
			case len(args) == 1 && o.data != "":
				return usagef("give either INPUT or --data, not both")
			case len(args) == 0 && o.data == "":
				return usagef("verify needs an INPUT (a URL, a file or -) or --data; see badgebake verify --help")
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"png", "svg", "json", "jws", "jwt"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), streams, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "verify this URL, JSON or JWS `TEXT` instead of INPUT")
	f.StringVar(&o.recipient, "recipient", "", `the expected recipient as a JSON profile, e.g. '{"email": "alice@example.org"}'`)
	f.BoolVar(&o.json, "json", false, "print the full report as JSON")
	o.network.addFlags(cmd)
	return cmd
}

// maxInput bounds an input file.
const maxInput = 32 << 20

func runVerify(ctx context.Context, streams IO, o *verifyOptions, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var recipient ob2.Recipient
	if o.recipient != "" {
		if err := json.Unmarshal([]byte(o.recipient), &recipient); err != nil || recipient == nil {
			return usagef("--recipient is not a JSON object (%v); example: --recipient '{\"email\": \"alice@example.org\"}'", err)
		}
	}
	in, err := readVerifyInput(streams, o, args)
	if err != nil {
		return err
	}
	res, err := verify.Verify(ctx, in, &verify.Options{OB2: o.network.verifier(), Recipient: recipient})
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(streams.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("writing standard output: %w", err)
		}
	} else {
		printReport(streams.Out, res)
	}
	if !res.Report.Valid {
		return &silentError{code: ExitBad}
	}
	return nil
}

func readVerifyInput(streams IO, o *verifyOptions, args []string) (verify.Input, error) {
	if o.data != "" {
		return verify.Input{Data: []byte(o.data)}, nil
	}
	arg := args[0]
	lower := strings.ToLower(arg)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return verify.Input{Data: []byte(arg)}, nil
	}
	r, err := openInput(streams, arg)
	if err != nil {
		if os.IsNotExist(err) && (strings.HasPrefix(strings.TrimSpace(arg), "{") || strings.Count(arg, ".") == 2) {
			return verify.Input{}, usagef("%q is not a file; to verify JSON or a JWS given on the command line, use --data", clipArg(arg))
		}
		return verify.Input{}, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return verify.Input{}, inFile(arg, err)
	}
	if len(b) > maxInput {
		return verify.Input{}, fmt.Errorf("%s: larger than %d MiB", displayName(arg), maxInput>>20)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return verify.Input{}, &badInputError{fmt.Errorf("%s is empty", displayName(arg))}
	}
	return verify.Input{Data: b, Name: arg}, nil
}

func clipArg(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// badInputError marks a problem with the badge input: exit 1.
type badInputError struct{ err error }

func (e *badInputError) Error() string { return e.err.Error() }
func (e *badInputError) Unwrap() error { return e.err }

// printReport writes the verdict for people.
func printReport(w io.Writer, res *report.Result) {
	rep := res.Report
	verdict := "VALID"
	if !rep.Valid {
		verdict = "INVALID"
	}
	subject := rep.ValidationSubject
	if subject == "" {
		subject = res.Input.Value
		if len(subject) > 80 {
			subject = subject[:80] + "…"
		}
	}
	version := ""
	if rep.OpenBadgesVersion != "" {
		version = " (Open Badges " + rep.OpenBadgesVersion + ")"
	}
	fmt.Fprintf(w, "%s  %s%s\n", verdict, subject, version)
	fmt.Fprintf(w, "%d error(s), %d warning(s)\n", rep.ErrorCount, rep.WarningCount)
	for k, v := range rep.RecipientProfile {
		fmt.Fprintf(w, "recipient confirmed: %s %s\n", k, v)
	}
	for _, m := range rep.Messages {
		where := m.NodeID
		if m.PropName != "" {
			if where != "" {
				where += " "
			}
			where += "(" + m.PropName + ")"
		}
		if where != "" {
			where = "  " + where
		}
		fmt.Fprintf(w, "  %-7s %s%s\n          %s\n", m.MessageLevel, m.Name, where, m.Result)
	}
}
