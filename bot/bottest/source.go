package bottest

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

// EachString calls f with every string literal in the Go files of the
// working directory, test files excepted, as written and as its value: a
// test run in an adapter's package reads that adapter's own code with it.
// Literals inside the declaration of a var or const named in skip are
// passed over. It returns how many files it read, so that a test can tell
// it read the package it meant to.
func EachString(t testing.TB, skip []string, f func(pos token.Position, literal, value string)) int {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	read := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		read++
		ast.Inspect(file, func(n ast.Node) bool {
			if v, ok := n.(*ast.ValueSpec); ok && slices.ContainsFunc(v.Names, func(id *ast.Ident) bool { return slices.Contains(skip, id.Name) }) {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				f(fset.Position(lit.Pos()), lit.Value, s)
			}
			return true
		})
	}
	return read
}
