//go:build !unix

package directory

// minorFaults is not counted here.
func minorFaults() (n int64, ok bool) { return 0, false }
