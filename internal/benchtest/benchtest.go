// Package benchtest holds what the packages' -bench benchmarks share: CPU
// time per operation and the Redis round trip they compare themselves with.
// It imports testing, so only _test.go files may import it.
package benchtest

import (
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// CPUNow is the CPU time this process has used. On a machine shared with
// other work, wall-clock time per operation mostly measures the wait for a
// core; CPU time per operation measures the work.
func CPUNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU adds the CPU time per operation since start (a CPUNow) to b's
// results, as cpu-ns/op: `defer benchtest.ReportCPU(b, benchtest.CPUNow())`.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((CPUNow()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// RedisGet measures one Redis read (KV.Peek), the yardstick an answer's
// cost is compared with. Skipped without a Redis (UNIONBOT_TEST_REDIS_URL),
// fatal under CI=true.
func RedisGet(b *testing.B) {
	s := redistest.MustOpen(b)
	ctx := b.Context()
	if err := s.Put(ctx, "bench", []byte("x"), time.Minute); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer ReportCPU(b, CPUNow())
	for b.Loop() {
		if _, err := s.Peek(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
