package directory

// Search set against the cost it is compared with in issue 15: one Redis
// GET round trip, measured in the same run on the same machine, so that a
// loaded machine shows in both figures and their ratio stays meaningful.
//
//	go test -run XXX -bench SearchVsRedis -benchtime 20000x ./directory/

import (
	"github.com/unionbot/unionbot/bot/i18n"
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

func BenchmarkSearchVsRedis(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	small := Build(seed, seed.Organisations)
	big := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	b.Run("search-seed", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for i := 0; b.Loop(); i++ {
			small.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("search-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for i := 0; b.Loop(); i++ {
			big.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("vague-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for b.Loop() {
			big.Search("drug users union")
		}
	})
	// Skipped without a Redis (UNIONBOT_TEST_REDIS_URL), fatal under CI=true.
	b.Run("redis-get", func(b *testing.B) {
		s := redistest.MustOpen(b)
		ctx := b.Context()
		if err := s.Put(ctx, "bench", []byte("x"), time.Minute); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for b.Loop() {
			if _, err := s.Peek(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuNow is the CPU time this process has used. On a machine shared with
// other work, wall-clock time per operation mostly measures the wait for a
// core; CPU time per operation measures the work.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per operation since start to b's results.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuNow()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
