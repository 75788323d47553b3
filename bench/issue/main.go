// Command issue is the helper of the issuing benchmark (bench/issue/run.sh).
//
//	go run ./bench/issue steps -key KEY.pem -format F -template T.json \
//	    -recipients R.csv -image BADGE.png -out DIR -ledger LEDGER [-status-list-url URL] [-jobs N]
//	go run ./bench/issue extract -out DIR IMAGE|FOLDER...
//
// steps issues the CSV's rows as `badgebake issue` does — package issue's
// Run over the real signer (sign.New, issue.SignerFor), the real ledger
// (ledger.Open, issue.LedgerFor: SQLite file or postgres://) and an offline
// verifier — and prints the rate and each step's share of the rows' time,
// which the command does not print. The ledger and DIR should be fresh:
// rows already in the ledger are skipped, not timed.
//
// extract unbakes every PNG and SVG under the arguments and writes each
// payload to DIR: credential JSON to NAME.json, a compact JWS (VC-JWT) to
// NAME.jwt, NAME being the image's name without its extension. Those are
// the files the independent verifiers (bench/ob3peer) read.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/issue"
	"github.com/badgebake/badgebake/ledger"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "steps":
		err = steps(os.Args[2:])
	case "extract":
		err = extract(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "issue:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: issue steps -key KEY.pem -format F -template T.json -recipients R.csv -image IMG -out DIR -ledger LEDGER [-status-list-url URL] [-jobs N]
       issue extract -out DIR IMAGE|FOLDER...`)
	os.Exit(2)
}

func steps(args []string) error {
	fl := flag.NewFlagSet("steps", flag.ExitOnError)
	keyPath := fl.String("key", "", "private key PEM")
	format := fl.String("format", "", "vc-jwt or eddsa-rdfc-2022")
	template := fl.String("template", "", "OB 3.0 template JSON")
	recipients := fl.String("recipients", "", "recipients CSV")
	image := fl.String("image", "", "PNG or SVG to bake into")
	out := fl.String("out", "", "output folder (fresh)")
	ledgerDSN := fl.String("ledger", "", "SQLite file or postgres:// URL (fresh)")
	listURL := fl.String("status-list-url", "", "status list URL")
	jobs := fl.Int("jobs", 0, "rows at once (default: GOMAXPROCS)")
	fl.Parse(args)
	if *keyPath == "" || *format == "" || *template == "" || *recipients == "" || *image == "" || *out == "" || *ledgerDSN == "" {
		fl.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	key, err := keyfile.Load(*keyPath)
	if err != nil {
		return err
	}
	f, err := sign.ParseFormat(*format)
	if err != nil {
		return err
	}
	tmpl, err := os.ReadFile(*template)
	if err != nil {
		return err
	}
	img, err := os.ReadFile(*image)
	if err != nil {
		return err
	}
	csv, err := os.Open(*recipients)
	if err != nil {
		return err
	}
	defer csv.Close()
	// As `badgebake issue --offline`: one verifier for the signer's check
	// and the check of each baked image.
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
	s, err := sign.New(key, sign.Options{Format: f, Verifier: v})
	if err != nil {
		return err
	}
	l, err := ledger.Open(ctx, *ledgerDSN)
	if err != nil {
		return err
	}
	defer l.Close()
	sum, err := issue.Run(ctx, issue.Options{
		Template: tmpl, TemplateName: filepath.Base(*template),
		Recipients: csv, RecipientsName: filepath.Base(*recipients),
		Image: img, ImageName: filepath.Base(*image),
		OutDir: *out, StatusListURL: *listURL, Jobs: *jobs,
		Signer: issue.SignerFor(s, f, issuerOf(tmpl)), Ledger: issue.LedgerFor(l),
		Verifier: v,
	})
	if err != nil {
		return err
	}
	if sum.Issued == 0 {
		return fmt.Errorf("nothing issued (%d rows, %d already issued, %d failed): use a fresh ledger and folder", sum.Rows, sum.Skipped, sum.Failed)
	}
	for _, e := range sum.Failures {
		fmt.Fprintln(os.Stderr, e.Error())
	}
	j := *jobs
	if j <= 0 {
		j = runtime.GOMAXPROCS(0)
	}
	st := sum.Steps
	total := st.Total()
	share := func(d time.Duration) string {
		return fmt.Sprintf("%.1f%% (%.0f µs/row)", 100*d.Seconds()/total.Seconds(), float64(d.Microseconds())/float64(sum.Issued))
	}
	fmt.Printf("steps %s, %s ledger: %d issued in %s, %.0f badges/s (issue.Run, %d jobs); rows' time %.0f µs/row:\n",
		f, ledgerKind(*ledgerDSN), sum.Issued, sum.Elapsed.Round(time.Millisecond),
		float64(sum.Issued)/sum.Elapsed.Seconds(), j, float64(total.Microseconds())/float64(sum.Issued))
	fmt.Printf("  sign (incl. the signer's own verification) %s\n  bake %s\n  verify %s\n  write %s\n  ledger %s\n  fill %s\n",
		share(st.Sign), share(st.Bake), share(st.Verify), share(st.Write), share(st.Ledger), share(st.Fill))
	return nil
}

func ledgerKind(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "PostgreSQL"
	}
	return "SQLite"
}

// issuerOf is the template's issuer id, as the command reads it.
func issuerOf(template []byte) string {
	var doc struct {
		Issuer json.RawMessage `json:"issuer"`
	}
	if json.Unmarshal(template, &doc) != nil {
		return ""
	}
	var id string
	if json.Unmarshal(doc.Issuer, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(doc.Issuer, &obj)
	return obj.ID
}

func extract(args []string) error {
	fl := flag.NewFlagSet("extract", flag.ExitOnError)
	out := fl.String("out", "", "folder to write the payloads to (created)")
	fl.Parse(args)
	if *out == "" || fl.NArg() == 0 {
		fl.Usage()
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, root := range fl.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := strings.ToLower(filepath.Ext(path))
			if ext != ".png" && ext != ".svg" {
				return nil
			}
			res, err := unbake.UnbakeFile(path, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			var suffix string
			switch res.Kind {
			case payload.KindJSON:
				suffix = ".json"
			case payload.KindJWS:
				suffix = ".jwt"
			default:
				return fmt.Errorf("%s: a %s payload, not a credential", path, res.Kind)
			}
			name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + suffix
			counts[suffix]++
			return os.WriteFile(filepath.Join(*out, name), []byte(res.Payload+"\n"), 0o644)
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("extracted %d credential JSON and %d VC-JWT payloads to %s\n", counts[".json"], counts[".jwt"], *out)
	return nil
}
