package analysis

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNamedValues: every string literal the package's code looks up
// (x.Lookup("...")) is in NamedValues, so that a run keeps its answer when
// it lets go of the frame's indexes; and the list names nothing the code
// does not look up.
func TestNamedValues(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Lookup" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				used[v] = true
				if !slices.Contains(NamedValues, v) {
					t.Errorf("%s: Lookup(%q) is not in NamedValues", fset.Position(call.Pos()), v)
				}
			}
			return true
		})
	}
	if len(used) == 0 {
		t.Fatal("no Lookup of a literal found: the test reads nothing")
	}
	for _, v := range NamedValues {
		if !used[v] {
			t.Errorf("NamedValues holds %q, which no code looks up", v)
		}
	}
}
