package benchtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BuildBinary builds the main package pkg (as go build names it: "." in
// the package's own test, "./cmd/unionbot" from the repository's root)
// into a temporary directory removed at tb's cleanup, and returns the
// binary's path. It skips tb when there is no go command and fails it when
// the build does. It uses only tb's Helper, Cleanup, Logf, Skipf and
// Fatalf, so that a tool can pass a stand-in for a test (tools/load).
func BuildBinary(tb testing.TB, pkg string) string {
	tb.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skipf("skipping: no go command to build the binary: %v", err)
	}
	dir, err := os.MkdirTemp("", "unionbot-bin-")
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "unionbot")
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		tb.Fatalf("go build %s (run this from the repository's root): %v\n%s", pkg, err, out)
	}
	tb.Logf("built the binary in %v", time.Since(start).Round(time.Millisecond))
	return bin
}
