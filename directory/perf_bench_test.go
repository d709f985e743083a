package directory

// Search set against the cost it is compared with in issue 15: one Redis
// GET round trip, measured in the same run on the same machine, so that a
// loaded machine shows in both figures and their ratio stays meaningful.
//
//	go test -run XXX -bench SearchVsRedis -benchtime 20000x ./directory/

import (
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/internal/benchtest"
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
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for i := 0; b.Loop(); i++ {
			small.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("search-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for i := 0; b.Loop(); i++ {
			big.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("vague-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for b.Loop() {
			big.Search("drug users union")
		}
	})
	b.Run("redis-get", benchtest.RedisGet)
}
