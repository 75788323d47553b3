package ob3issuer

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/badgebake/badgebake/internal/testkit/scripttb"

	"github.com/badgebake/badgebake/internal/testkit/testnet"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

// ScriptCommands are testscript commands that issue Open Badges 3.0
// credentials into a script's work directory, for command-line
// transcripts:
//
//	ob3-issue [-web] [-jwt ALG] [-tamper] [-from T] [-until T] [-status PURPOSE:INDEX] [-name NAME] [-email ADDR] FILE
//	    writes a signed credential (JSON with an eddsa-rdfc-2022 proof, or
//	    with -jwt a VC-JWT) to FILE. The issuer is a did:key, verified
//	    offline, unless -web: then did:web:issuer.example, served by
//	    ob3-serve. -tamper changes the achievement's name after signing;
//	    -from and -until set validFrom and validUntil (RFC 3339);
//	    -status adds a Bitstring status list entry (-web only); -email
//	    names the recipient by a salted hash of ADDR.
//	ob3-serve
//	    starts the did:web issuer's HTTPS server for the rest of the
//	    script and points the badgebake processes it runs at it: it sets
//	    HTTPS_PROXY to a loopback proxy that sends issuer.example and
//	    other.example to the server (and refuses everything else) and
//	    SSL_CERT_FILE to the test authority's certificate.
//	ob3-revoke INDEX, ob3-suspend INDEX
//	    set a bit of the served revocation or suspension list.
//	ob3-down PATH
//	    makes the server answer 503 for PATH (e.g. /.well-known/did.json).
//	ob3-publish FILE PATH
//	    serves the bytes of FILE (a credential, a baked image) at
//	    https://issuer.example PATH.
func ScriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"ob3-issue":   scriptIssue,
		"ob3-serve":   scriptServe,
		"ob3-revoke":  func(ts *testscript.TestScript, neg bool, args []string) { scriptBit(ts, neg, args, "ob3-revoke") },
		"ob3-suspend": func(ts *testscript.TestScript, neg bool, args []string) { scriptBit(ts, neg, args, "ob3-suspend") },
		"ob3-down":    scriptDown,
		"ob3-publish": scriptPublish,
	}
}

// scriptState is what the commands of one script share.
type scriptState struct {
	didKey *Issuer // created on first use
	web    *Issuer // set by ob3-serve
}

var scripts sync.Map // *testscript.TestScript → *scriptState

func state(ts *testscript.TestScript) *scriptState {
	s, loaded := scripts.LoadOrStore(ts, &scriptState{})
	if !loaded {
		ts.Defer(func() { scripts.Delete(ts) })
	}
	return s.(*scriptState)
}

func scriptServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: ob3-serve")
	}
	st := state(ts)
	if st.web != nil {
		ts.Fatalf("ob3-serve: already serving")
	}
	tb := scripttb.New(ts)
	st.web = New(tb)
	proxy := testnet.NewProxy(tb, map[string]string{Host + ":443": st.web.Addr(), OtherHost + ":443": st.web.Addr()})
	caFile := filepath.Join(ts.Getenv("WORK"), ".ob3-ca.pem")
	if err := os.WriteFile(caFile, st.web.CAPEM(), 0o644); err != nil {
		ts.Fatalf("ob3-serve: %v", err)
	}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		ts.Setenv(k, proxy.URL)
	}
	ts.Setenv("SSL_CERT_FILE", caFile)
}

func scriptIssue(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("ob3-issue", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	web := fs.Bool("web", false, "")
	alg := fs.String("jwt", "", "")
	tamper := fs.Bool("tamper", false, "")
	from := fs.String("from", "", "")
	until := fs.String("until", "", "")
	status := fs.String("status", "", "")
	name := fs.String("name", "", "")
	email := fs.String("email", "", "")
	if neg || fs.Parse(args) != nil || fs.NArg() != 1 {
		ts.Fatalf("usage: ob3-issue [-web] [-jwt ALG] [-tamper] [-from T] [-until T] [-status PURPOSE:INDEX] [-name NAME] [-email ADDR] FILE")
	}
	st := state(ts)
	iss := st.didKey
	if *web {
		if st.web == nil {
			ts.Fatalf("ob3-issue -web: run ob3-serve first")
		}
		iss = st.web
	} else if iss == nil {
		iss = NewDIDKey(scripttb.New(ts))
		st.didKey = iss
	}

	var mods []func(map[string]any)
	parseTime := func(flagName, s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			ts.Fatalf("ob3-issue -%s: %v", flagName, err)
		}
		return t
	}
	if *from != "" || *until != "" {
		f := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if *from != "" {
			f = parseTime("from", *from)
		}
		var u time.Time
		if *until != "" {
			u = parseTime("until", *until)
		}
		mods = append(mods, WithValidity(f, u))
	}
	if *status != "" {
		purpose, index, ok := strings.Cut(*status, ":")
		n, err := strconv.Atoi(index)
		if !ok || err != nil || !*web || (purpose != statuslist.PurposeRevocation && purpose != statuslist.PurposeSuspension) {
			ts.Fatalf("ob3-issue -status: want revocation:N or suspension:N, with -web")
		}
		mods = append(mods, iss.WithStatus(purpose, n))
	}
	if *name != "" {
		mods = append(mods, func(c map[string]any) {
			c["name"] = *name
			c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = *name
		})
	}
	if *email != "" {
		mods = append(mods, WithHashedEmail(*email, "pepper"))
	}
	cred := iss.Credential(mods...)

	var out []byte
	switch {
	case *alg != "" && *tamper:
		// The signature of the credential over another one's payload.
		sig := strings.Split(iss.SignJWT(cred, *alg), ".")
		other := strings.Split(iss.SignJWT(Tampered(cred), *alg), ".")
		out = []byte(sig[0] + "." + other[1] + "." + sig[2])
	case *alg != "":
		out = []byte(iss.SignJWT(cred, *alg))
	case *tamper:
		out = JSON(scripttb.New(ts), Tampered(iss.SignDI(cred)))
	default:
		out = JSON(scripttb.New(ts), iss.SignDI(cred))
	}
	if err := os.WriteFile(ts.MkAbs(fs.Arg(0)), out, 0o644); err != nil {
		ts.Fatalf("ob3-issue: %v", err)
	}
}

// Tampered returns a copy of cred with the achievement's name changed:
// signed before, its proof no longer matches.
func Tampered(cred map[string]any) map[string]any {
	out := maps.Clone(cred)
	subject := maps.Clone(out["credentialSubject"].(map[string]any))
	achievement := maps.Clone(subject["achievement"].(map[string]any))
	achievement["name"] = "Tampered " + fmt.Sprint(achievement["name"])
	subject["achievement"] = achievement
	out["credentialSubject"] = subject
	return out
}

func scriptBit(ts *testscript.TestScript, neg bool, args []string, cmd string) {
	var n int
	var err error
	if len(args) == 1 {
		n, err = strconv.Atoi(args[0])
	}
	if neg || len(args) != 1 || err != nil {
		ts.Fatalf("usage: %s INDEX", cmd)
	}
	st := state(ts)
	if st.web == nil {
		ts.Fatalf("%s: run ob3-serve first", cmd)
	}
	if cmd == "ob3-revoke" {
		st.web.Revoke(n)
	} else {
		st.web.Suspend(n)
	}
}

func scriptDown(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ob3-down PATH")
	}
	st := state(ts)
	if st.web == nil {
		ts.Fatalf("ob3-down: run ob3-serve first")
	}
	st.web.Down(args[0])
}

func scriptPublish(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || !strings.HasPrefix(args[1], "/") {
		ts.Fatalf("usage: ob3-publish FILE /PATH")
	}
	st := state(ts)
	if st.web == nil {
		ts.Fatalf("ob3-publish: run ob3-serve first")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("ob3-publish: %v", err)
	}
	st.web.Serve(BaseURL+args[1], b)
}
