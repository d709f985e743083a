package directory

import "fmt"

// FirstDiff describes the first line where a and b differ, "" when they
// are the same lines. It lives in package directory so that tests of both
// this package and directory_test compare files with it; being in a
// _test.go file, it is not part of the package.
func FirstDiff(a, b []string) string {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, x, y)
		}
	}
	return ""
}
