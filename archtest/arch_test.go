// Package archtest checks the shape of the module: which packages the
// binary links, and which packages may import which (README, Architecture).
// It has only tests, so nothing here reaches the binary.
package archtest

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/unionbot/unionbot"

// pkg is the part of `go list -json` the rules read.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// goList runs `go list -json args...` from the module root and decodes the
// stream of package objects it prints.
func goList(t *testing.T, args ...string) []pkg {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not found: %v", err)
	}
	cmd := exec.Command(gobin, append([]string{"list", "-json"}, args...)...)
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %s listed no packages", strings.Join(args, " "))
	}
	return pkgs
}

// TestBinaryLinksNoTestSupport fails when the production binary depends on
// package testing: test support (bottest, redistest, the platform fakes)
// belongs in packages only _test.go files import.
func TestBinaryLinksNoTestSupport(t *testing.T) {
	pkgs := goList(t, "-deps", "./cmd/unionbot")
	var sawMain bool
	for _, p := range pkgs {
		if p.ImportPath == module+"/cmd/unionbot" {
			sawMain = true
		}
		for _, imp := range p.Imports {
			if imp == "testing" {
				t.Errorf("%s imports testing, so the binary links it", p.ImportPath)
			}
		}
	}
	if !sawMain {
		t.Fatalf("go list -deps ./cmd/unionbot did not list cmd/unionbot itself")
	}
}
