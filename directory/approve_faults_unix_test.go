//go:build unix

package directory

import "syscall"

// minorFaults is how many minor page faults the process has taken: the
// pages it touched for the first time since the system gave them (the
// cost of fresh memory, which an approval's copies pay when the heap
// grows; BenchmarkApprovalChain).
func minorFaults() (n int64, ok bool) {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0, false
	}
	return int64(r.Minflt), true
}
