// Package archtest holds the test that keeps the module's layering as the
// README draws it: container formats → carriers → generations → the
// verifier → applications, arrows pointing down only.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/badgebake/badgebake/"

// layers orders the public packages (and the CLI) from the bottom up: a
// package may import packages of its own layer or below, never above.
var layers = [][]string{
	{"errkind"}, // what kind of failure an error is
	{"proof/jws", "proof/didkey", "proof/keyfile", "rdfc"},           // signatures, keys and RDF canonicalization, for every generation
	{"png", "svg", "payload", "report", "fetch", "jsonld", "ledger"}, // formats, payloads, results, the network, the issuing ledger
	{"carrier"},        // what formats and generations share
	{"bake", "unbake"}, // carriers
	{"verify/ob2", "verify/ob2/obschema", "verify/ob3", "verify/ob3/statuslist", "verify/ob3/keys", "verify/ob3/vcjwt", "verify/ob3/dataintegrity", "verify/ob3/ob3schema"}, // generations
	{"verify"}, // the verifier
	{"sign"},   // signing, checked by the verifier
	{"internal/ui/badgecard", "internal/ui/htmlreport", "internal/ui/progress", "internal/ui/textreport"}, // presentation, for the applications
	{"batch", "server", "issue", "backpack"}, // applications
	{"internal/cli", "cmd/badgebake"},
}

// leaves are the internal helpers public packages may use: they import
// nothing of the module but each other.
var leaves = []string{"internal/atomicfile", "internal/filelock", "internal/jsonin", "internal/magic", "internal/numfmt", "internal/sized", "internal/textin"}

type pkg struct {
	imports map[string]bool // module-relative paths, non-test files
	files   []*ast.File
}

// readModule parses every non-test Go file of the module.
func readModule(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		p := pkgs[rel]
		if p == nil {
			p = &pkg{imports: map[string]bool{}}
			pkgs[rel] = p
		}
		p.files = append(p.files, f)
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if after, ok := strings.CutPrefix(ip, module); ok {
				p.imports[after] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("read only %d packages from %s", len(pkgs), root)
	}
	return pkgs
}

func layerOf(path string) int {
	for i, l := range layers {
		if slices.Contains(l, path) {
			return i
		}
	}
	return -1
}

func TestArrowsPointDown(t *testing.T) {
	pkgs := readModule(t)
	for path, p := range pkgs {
		from := layerOf(path)
		for imp := range p.imports {
			switch to := layerOf(imp); {
			case from >= 0 && to > from:
				t.Errorf("%s imports %s, a layer above it", path, imp)
			case from >= 0 && to < 0 && strings.HasPrefix(imp, "internal/") && !slices.Contains(leaves, imp) && from < layerOf("internal/cli"):
				t.Errorf("%s (public) imports %s, which is neither public nor a leaf helper", path, imp)
			}
		}
		if from < 0 && !strings.HasPrefix(path, "internal/") && !strings.HasPrefix(path, "bench/") {
			t.Errorf("package %s is in no layer: add it to archtest's layers", path)
		}
	}
	for _, leaf := range leaves {
		for imp := range pkgs[leaf].imports {
			if !slices.Contains(leaves, imp) {
				t.Errorf("leaf helper %s imports %s", leaf, imp)
			}
		}
	}
}

// Only the verifier knows the generations, and the signer, its other side
// (test kits aside: an in-process issuer signs what the tests verify).
func TestOnlyVerifyImportsGenerations(t *testing.T) {
	for path, p := range readModule(t) {
		if strings.HasPrefix(path, "verify") || path == "sign" || strings.HasPrefix(path, "internal/testkit/") {
			continue
		}
		for imp := range p.imports {
			if strings.HasPrefix(imp, "verify/") {
				t.Errorf("%s imports the generation package %s: call verify instead", path, imp)
			}
		}
	}
}

// No exported declaration of a public package names a type of an internal
// package: callers could not name it.
func TestNoInternalTypesInPublicAPIs(t *testing.T) {
	for path, p := range readModule(t) {
		if strings.HasPrefix(path, "internal/") || strings.HasPrefix(path, "bench/") || strings.HasPrefix(path, "cmd/") {
			continue
		}
		for _, f := range p.files {
			internal := map[string]bool{}
			for _, imp := range f.Imports {
				ip, _ := strconv.Unquote(imp.Path.Value)
				if strings.Contains(ip, "/internal/") {
					name := ip[strings.LastIndex(ip, "/")+1:]
					if imp.Name != nil {
						name = imp.Name.Name
					}
					internal[name] = true
				}
			}
			if len(internal) == 0 {
				continue
			}
			check := func(what string, n ast.Node) {
				ast.Inspect(n, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						if x, ok := sel.X.(*ast.Ident); ok && internal[x.Name] {
							t.Errorf("%s: exported %s uses %s.%s", path, what, x.Name, sel.Sel.Name)
						}
					}
					return true
				})
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
						check(d.Name.Name, d.Type)
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								checkExportedType(s.Name.Name, s.Type, check)
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() && s.Type != nil {
									check(n.Name, s.Type)
								}
							}
						}
					}
				}
			}
		}
	}
}

func exportedRecv(fl *ast.FieldList) bool {
	t := fl.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// checkExportedType checks a type's exported fields and methods, or the
// whole type expression when it is not a struct or interface.
func checkExportedType(name string, typ ast.Expr, check func(string, ast.Node)) {
	var fields *ast.FieldList
	switch t := typ.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		check(name, typ)
		return
	}
	for _, fld := range fields.List {
		exported := len(fld.Names) == 0 // embedded
		for _, n := range fld.Names {
			exported = exported || n.IsExported()
		}
		if exported {
			check(name+" field", fld.Type)
		}
	}
}
